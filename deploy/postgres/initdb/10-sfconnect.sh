#!/usr/bin/env bash
# The roles and databases of docker-compose.yml's PostgreSQL. The official
# postgres image runs this once, as the superuser, when it initialises an
# empty data volume; testsuite/production runs it as well, on the host's
# PostgreSQL (psql reads PGHOST and PGPORT), with names of its own:
#
#   TEMPORAL_DB_USER    owns TEMPORAL_DBNAME and TEMPORAL_VISIBILITY_DBNAME
#                       (the schemas are then made by the temporal-schema
#                       service, with temporal-sql-tool);
#   SFCONNECT_DB_USER   owns SFCONNECT_DBNAME, the worker's store (the worker
#                       migrates it).
#
# The names come from docker-compose.yml (deploy/deploy_test.go checks they
# are the server's and the worker's). Neither role can connect to the other's
# databases. The passwords come from the environment (.env); changing one
# there later does not change the role: run ALTER ROLE … PASSWORD in psql as
# well.
set -euo pipefail

: "${TEMPORAL_DB_USER:?TEMPORAL_DB_USER is not set}"
: "${TEMPORAL_DBNAME:?TEMPORAL_DBNAME is not set}"
: "${TEMPORAL_VISIBILITY_DBNAME:?TEMPORAL_VISIBILITY_DBNAME is not set}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is not set}"
: "${SFCONNECT_DB_USER:?SFCONNECT_DB_USER is not set}"
: "${SFCONNECT_DBNAME:?SFCONNECT_DBNAME is not set}"
: "${SFCONNECT_DB_PASSWORD:?SFCONNECT_DB_PASSWORD is not set}"

psql -v ON_ERROR_STOP=1 \
	--username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
	--set temporal_user="$TEMPORAL_DB_USER" \
	--set temporal_db="$TEMPORAL_DBNAME" \
	--set visibility_db="$TEMPORAL_VISIBILITY_DBNAME" \
	--set temporal_password="$TEMPORAL_DB_PASSWORD" \
	--set sfconnect_user="$SFCONNECT_DB_USER" \
	--set sfconnect_db="$SFCONNECT_DBNAME" \
	--set sfconnect_password="$SFCONNECT_DB_PASSWORD" <<'SQL'
CREATE ROLE :"temporal_user" LOGIN PASSWORD :'temporal_password';
CREATE DATABASE :"temporal_db" OWNER :"temporal_user";
CREATE DATABASE :"visibility_db" OWNER :"temporal_user";
REVOKE ALL ON DATABASE :"temporal_db", :"visibility_db" FROM PUBLIC;

CREATE ROLE :"sfconnect_user" LOGIN PASSWORD :'sfconnect_password';
CREATE DATABASE :"sfconnect_db" OWNER :"sfconnect_user";
REVOKE ALL ON DATABASE :"sfconnect_db" FROM PUBLIC;

-- Temporal's visibility schema indexes with btree_gin; made here, as the
-- superuser, its migration finds it and does not need to.
\connect :"visibility_db"
CREATE EXTENSION IF NOT EXISTS btree_gin;
SQL
