#!/bin/sh
# The temporal-schema service of docker-compose.yml (temporalio/admin-tools):
# brings Temporal's two databases to the schema of this Temporal version with
# the official temporal-sql-tool, then exits. Safe to run on every start:
# setup-schema only records version 0.0 on an empty database, update-schema
# only applies the versions a database does not have yet (so upgrading the
# pinned Temporal image upgrades the schemas before the server starts).
# The databases themselves are made by deploy/postgres/initdb.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT=${DB_PORT:-5432}
DBNAME=${DBNAME:-temporal}
VISIBILITY_DBNAME=${VISIBILITY_DBNAME:-temporal_visibility}
SCHEMA_DIR=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
export SQL_PASSWORD

# SQL_TOOL: the image's temporal-sql-tool; `go install` names it sql
# (make temporal-server, testsuite/production).
SQL_TOOL=${SQL_TOOL:-temporal-sql-tool}

sql_tool() {
	"$SQL_TOOL" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

# Wait for PostgreSQL with the tool itself: a port probe (nc) is in neither
# the admin-tools image for sure nor a plain Debian. setup-schema -v 0.0 is
# the first step anyway, and harmless to repeat.
echo "temporal-schema: waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
i=0
until sql_tool --db "$DBNAME" setup-schema -v 0.0; do
	i=$((i + 1))
	if [ "$i" -ge 60 ]; then
		echo "temporal-schema: PostgreSQL at $POSTGRES_SEEDS:$DB_PORT does not let $POSTGRES_USER into $DBNAME (is it up, does the database exist?)" >&2
		exit 1
	fi
	sleep 2
done

# schema DATABASE DIR: version tables, then every versioned step not applied yet.
schema() {
	echo "temporal-schema: $1 <- $SCHEMA_DIR/$2"
	sql_tool --db "$1" setup-schema -v 0.0
	sql_tool --db "$1" update-schema -d "$SCHEMA_DIR/$2/versioned"
}

schema "$DBNAME" temporal
schema "$VISIBILITY_DBNAME" visibility
echo "temporal-schema: done"
