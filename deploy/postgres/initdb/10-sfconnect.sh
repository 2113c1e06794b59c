#!/usr/bin/env bash
# The roles and databases of docker-compose.yml's PostgreSQL. The official
# postgres image runs this once, as the superuser, when it initialises an
# empty data volume:
#
#   temporal   owns temporal and temporal_visibility (the schemas are then
#              made by the temporal-schema service, with temporal-sql-tool);
#   sfconnect  owns sfconnect, the worker's store (the worker migrates it).
#
# Neither role can connect to the other's databases. The passwords come from
# the environment (.env); changing one there later does not change the role:
# run ALTER ROLE … PASSWORD in psql as well.
set -euo pipefail

: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is not set}"
: "${SFCONNECT_DB_PASSWORD:?SFCONNECT_DB_PASSWORD is not set}"

psql -v ON_ERROR_STOP=1 \
	--username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
	--set temporal_password="$TEMPORAL_DB_PASSWORD" \
	--set sfconnect_password="$SFCONNECT_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE temporal, temporal_visibility FROM PUBLIC;

CREATE ROLE sfconnect LOGIN PASSWORD :'sfconnect_password';
CREATE DATABASE sfconnect OWNER sfconnect;
REVOKE ALL ON DATABASE sfconnect FROM PUBLIC;

-- Temporal's visibility schema indexes with btree_gin; made here, as the
-- superuser, its migration finds it and does not need to.
\connect temporal_visibility
CREATE EXTENSION IF NOT EXISTS btree_gin;
SQL
