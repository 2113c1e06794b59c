// Package postgres is the store on PostgreSQL, through pgx and pgxpool:
// production (DATABASE_URL). It registers itself as the store engine
// "postgres" (URLs "postgres://…" and "postgresql://…"); import
// store/engines to link it in.
package postgres
