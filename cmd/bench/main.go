// Command bench measures sfconnect's bulk paths on the default run (the
// dev server persisting to SQLite, the SQLite store, the sandbox over HTTP,
// the worker as its own process), side by side with a naive baseline in the
// same run, and prints medians, ratios, the worker's peak memory and the
// machine. `make bench` builds the worker and runs it.
//
//	bench automap [-members 100000] [-runs 5] [-baseline 2000] [-engines sqlite,postgres] [-postgres URL]
//	bench console [-orgs 20] [-requests 500] [-concurrency 8]
//	bench import [-rows 1000000] [-baseline 1000] [-runs N] [-engines sqlite,postgres] [-postgres URL] [-profile DIR [-profile-for 60s]]
//
// With -engines sqlite,postgres one run measures both stores and prints
// them side by side. An interrupted bench (SIGINT, SIGTERM, SIGHUP) stops
// the dev server and the worker it started (interrupt.go).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench automap [flags]")
		os.Exit(2)
	}
	ctx := handleInterrupts()
	var err error
	switch os.Args[1] {
	case "automap":
		fs := flag.NewFlagSet("automap", flag.ExitOnError)
		o := automapOptions{}
		fs.IntVar(&o.members, "members", 100000, "Slack members and Salesforce users to generate")
		fs.IntVar(&o.runs, "runs", 5, "timed runs (the median is reported)")
		fs.IntVar(&o.baseline, "baseline", 2000, "members the naive baseline maps")
		fs.IntVar(&o.batch, "batch", 0, "members per automatic mapping batch (0: the product's default)")
		fs.StringVar(&o.temporal, "temporal", ".bin/temporal", "the pinned Temporal CLI")
		fs.StringVar(&o.worker, "worker", "bin/worker", "the worker binary")
		fs.StringVar(&o.postgres, "postgres", "", "a PostgreSQL server URL for the PostgreSQL runs (default "+defaultPostgres+"); alone, it means -engines postgres")
		fs.StringVar(&o.engines, "engines", "", "the stores to measure, side by side: sqlite, postgres or sqlite,postgres (default sqlite, or postgres with -postgres)")
		_ = fs.Parse(os.Args[2:])
		err = benchAutoMap(ctx, o)
	case "import":
		fs := flag.NewFlagSet("import", flag.ExitOnError)
		o := importOptions{}
		fs.IntVar(&o.rows, "rows", 1000000, "rows of the CSV file (and generated members and users)")
		fs.IntVar(&o.baseline, "baseline", 1000, "rows the naive design (one activity per row) imports")
		fs.IntVar(&o.batch, "batch", 0, "rows per batch activity (0: the product's default)")
		fs.IntVar(&o.parallelism, "parallelism", 0, "batches applied at once (0: the product's default)")
		fs.IntVar(&o.validateParallelism, "validate-parallelism", 0, "batches validated at once (0: the product's default)")
		fs.StringVar(&o.temporal, "temporal", ".bin/temporal", "the pinned Temporal CLI")
		fs.StringVar(&o.worker, "worker", "bin/worker", "the worker binary")
		fs.StringVar(&o.profile, "profile", "", "a directory: write CPU profiles of the worker and of the bench (sandbox, CLI) there")
		fs.DurationVar(&o.profileFor, "profile-for", 60*time.Second, "how long the profiles run, from the import's start")
		fs.StringVar(&o.postgres, "postgres", "", "a PostgreSQL server URL for the PostgreSQL runs (default "+defaultPostgres+"); alone, it means -engines postgres")
		fs.StringVar(&o.engines, "engines", "", "the stores to measure, side by side: sqlite, postgres or sqlite,postgres (default sqlite, or postgres with -postgres)")
		fs.IntVar(&o.runs, "runs", 1, "runs of each store, alternating the stores (medians are reported)")
		_ = fs.Parse(os.Args[2:])
		err = benchImport(ctx, o)
	case "console":
		fs := flag.NewFlagSet("console", flag.ExitOnError)
		o := consoleOptions{}
		fs.IntVar(&o.orgs, "orgs", 20, "orgs of the workspace the pages show (1 to 20)")
		fs.IntVar(&o.requests, "requests", 500, "requests per page")
		fs.IntVar(&o.concurrency, "concurrency", 8, "requests at once")
		fs.StringVar(&o.temporal, "temporal", ".bin/temporal", "the pinned Temporal CLI")
		_ = fs.Parse(os.Args[2:])
		err = benchConsole(ctx, o)
	default:
		err = fmt.Errorf("unknown benchmark %q (automap, console, import)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
