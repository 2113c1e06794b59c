package production

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// The local PostgreSQL (trust authentication for postgres, as on this
// project's machines); PGHOST and PGPORT move it.
var (
	pgHost = orDefault(os.Getenv("PGHOST"), "127.0.0.1")
	pgPort = orDefault(os.Getenv("PGPORT"), "5432")
)

// namePrefix starts every role and database this package makes, followed
// by the test process's pid: leftovers of a killed run are recognised (and
// dropped) by the next one.
const namePrefix = "sfc_prodit_"

// databases are the roles and databases of docker-compose.yml's
// PostgreSQL (its postgresql service's environment), each name prefixed
// with this run's own.
type databases struct {
	TemporalUser, TemporalDB, VisibilityDB, TemporalPassword string
	SfconnectUser, SfconnectDB, SfconnectPassword            string
}

// createDatabases makes them with deploy/postgres/initdb, as the postgres
// image does on its first start.
func createDatabases(ctx context.Context, root string, c composeFile) (databases, error) {
	pg, err := c.service("postgresql")
	if err != nil {
		return databases{}, err
	}
	prefix := namePrefix + strconv.Itoa(os.Getpid()) + "_"
	env := pg.env(nil)
	var d databases
	for _, n := range []struct {
		key string
		to  *string
	}{
		{"TEMPORAL_DB_USER", &d.TemporalUser}, {"TEMPORAL_DBNAME", &d.TemporalDB}, {"TEMPORAL_VISIBILITY_DBNAME", &d.VisibilityDB},
		{"SFCONNECT_DB_USER", &d.SfconnectUser}, {"SFCONNECT_DBNAME", &d.SfconnectDB},
	} {
		if env[n.key] == "" {
			return d, fmt.Errorf("docker-compose.yml: the postgresql service sets no %s", n.key)
		}
		*n.to = prefix + env[n.key]
		env[n.key] = *n.to
	}
	d.TemporalPassword, d.SfconnectPassword = "temporal-pw", "sfconnect-pw"
	env["TEMPORAL_DB_PASSWORD"], env["SFCONNECT_DB_PASSWORD"] = d.TemporalPassword, d.SfconnectPassword
	env["POSTGRES_USER"], env["PGHOST"], env["PGPORT"] = "postgres", pgHost, pgPort
	delete(env, "POSTGRES_PASSWORD") // trust authentication here
	dir, err := pg.hostPath(root, "/docker-entrypoint-initdb.d")
	if err != nil {
		return d, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return d, fmt.Errorf("deploy/postgres/initdb: %w", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sh") {
			continue
		}
		cmd := exec.CommandContext(ctx, "bash", dir+"/"+e.Name())
		cmd.Env = environ(env)
		if out, err := cmd.CombinedOutput(); err != nil {
			return d, fmt.Errorf("%s: %w\n%s", e.Name(), err, out)
		}
	}
	return d, nil
}

// adminURL is the postgres superuser's connection to the maintenance database.
func adminURL() string {
	return fmt.Sprintf("postgres://postgres@%s:%s/postgres?sslmode=disable", pgHost, pgPort)
}

// dropDatabases drops the databases and roles of the run of pid (every
// run whose process is gone when pid is 0), connections and all.
func dropDatabases(pid int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL as postgres: %w", err)
	}
	defer conn.Close(ctx)
	mine := func(name string) bool {
		rest, ok := strings.CutPrefix(name, namePrefix)
		if !ok {
			return false
		}
		p, err := strconv.Atoi(strings.SplitN(rest, "_", 2)[0])
		if err != nil {
			return false
		}
		if pid != 0 {
			return p == pid
		}
		return syscall.Kill(p, 0) == syscall.ESRCH
	}
	var errs []string
	for _, q := range []struct{ list, drop string }{
		{"SELECT datname FROM pg_database", "DROP DATABASE IF EXISTS %s WITH (FORCE)"},
		{"SELECT rolname FROM pg_roles", "DROP ROLE IF EXISTS %s"},
	} {
		rows, err := conn.Query(ctx, q.list)
		if err != nil {
			return fmt.Errorf("%s: %w", q.list, err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("%s: %w", q.list, err)
		}
		for _, n := range names {
			if mine(n) {
				if _, err := conn.Exec(ctx, fmt.Sprintf(q.drop, pgx.Identifier{n}.Sanitize())); err != nil {
					errs = append(errs, fmt.Sprintf("drop %s: %v", n, err))
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
