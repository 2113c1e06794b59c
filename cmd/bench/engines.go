package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// defaultPostgres is the PostgreSQL server of this project's machines and
// CI, for -engines postgres without -postgres.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test"

// benchEngine is one store a bench measures: SQLite (url empty) or
// PostgreSQL at url, in a schema of the bench's own.
type benchEngine struct{ name, url string }

// enginesOf reads -engines ("sqlite", "postgres", or both, comma-separated,
// in the order given; empty: postgres when -postgres is set, else sqlite).
func enginesOf(list, postgresURL string) ([]benchEngine, error) {
	if list == "" {
		list = "sqlite"
		if postgresURL != "" {
			list = "postgres"
		}
	}
	var out []benchEngine
	for _, name := range strings.Split(list, ",") {
		switch name = strings.TrimSpace(name); name {
		case "sqlite":
			out = append(out, benchEngine{name: name})
		case "postgres":
			out = append(out, benchEngine{name: name, url: cmpOr(postgresURL, defaultPostgres)})
		default:
			return nil, fmt.Errorf("-engines: %q is not sqlite or postgres", name)
		}
	}
	return out, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// median is the middle of ds (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// loadAverage is the machine's load average, for the report.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "load unknown"
	}
	return "load average " + strings.Join(f[:3], " ")
}
