package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

type importOptions struct {
	rows, baseline, batch, parallelism, validateParallelism int
	temporal, worker                                        string
	// profile, when set, is where CPU profiles of the import's first
	// profileFor are written.
	profile    string
	profileFor time.Duration
	// postgres is the PostgreSQL server of the PostgreSQL runs; engines
	// the stores to measure (engineFlags).
	postgres, engines string
	// runs is how many runs each store gets, alternating the stores.
	runs int
}

// importResult is one run's figures.
type importResult struct {
	total, upload, validate, apply, directory time.Duration
	naiveRate, peakMB                         float64
}

// benchImport runs the import on each store, runs times, alternating the
// stores so that they share the machine's moods, and prints their medians
// side by side.
func benchImport(ctx context.Context, o importOptions) error {
	engines, err := enginesOf(o.engines, o.postgres)
	if err != nil {
		return err
	}
	results := map[string][]importResult{}
	for run := 1; run <= max(1, o.runs); run++ {
		for _, e := range engines {
			fmt.Printf("\n## Run %d, %s\n\n", run, e.name)
			r, err := importOnce(ctx, o, e.url)
			if err != nil {
				return fmt.Errorf("run %d, %s: %w", run, e.name, err)
			}
			results[e.name] = append(results[e.name], r)
		}
	}
	fmt.Printf("\n## Medians, %d rows (%s)\n\n", o.rows, loadAverage())
	fmt.Printf("| store | runs | import | rows/s | upload | validate | apply | directory copy (%d members) | worker peak |\n|---|---|---|---|---|---|---|---|---|\n", o.rows+o.baseline)
	for _, e := range engines {
		rs := results[e.name]
		med := func(f func(importResult) time.Duration) time.Duration {
			ds := make([]time.Duration, len(rs))
			for i, r := range rs {
				ds[i] = f(r)
			}
			return median(ds)
		}
		total := med(func(r importResult) time.Duration { return r.total })
		var peak float64
		var each []string
		for _, r := range rs {
			peak = max(peak, r.peakMB)
			each = append(each, r.total.Round(100*time.Millisecond).String())
		}
		fmt.Printf("| %s | %s | **%s** | %.0f | %s | %s | %s | %s | %.0f MB |\n", e.name, strings.Join(each, ", "),
			total.Round(100*time.Millisecond), float64(o.rows)/total.Seconds(),
			med(func(r importResult) time.Duration { return r.upload }).Round(100*time.Millisecond),
			med(func(r importResult) time.Duration { return r.validate }).Round(100*time.Millisecond),
			med(func(r importResult) time.Duration { return r.apply }).Round(100*time.Millisecond),
			med(func(r importResult) time.Duration { return r.directory }).Round(100*time.Millisecond), peak)
	}
	return nil
}

// importOnce times a CSV import end to end on the default run (its store
// on the PostgreSQL server at postgresURL when set) — upload, validation,
// approval by --yes, and every row's outcome — and, in the same run, the
// naive design (one activity per row) on a subset.
func importOnce(ctx context.Context, o importOptions, postgresURL string) (importResult, error) {
	var res importResult
	b, err := startBenchEnv(ctx, o.temporal, o.worker, o.profile != "", postgresURL)
	if err != nil {
		return res, err
	}
	defer b.stop()
	total := o.rows + o.baseline
	gen, err := b.Sandbox.Generate(sandbox.GenerateRequest{Team: benchTeam, Members: total, Org: "acme", Users: total, Match: 1})
	if err != nil {
		return res, fmt.Errorf("generate: %w", err)
	}
	fmt.Printf("Machine: %s\n", machine())
	fmt.Printf("Store: %s\n", storeKind(b.Config.DatabaseURL))
	fmt.Printf("Sandbox: %d Slack members, %d Salesforce users (generated in %s)\n", gen.TotalMembers, gen.TotalUsers, gen.Duration.Round(time.Millisecond))
	if o.batch > 0 {
		b.Config.Jobs.BatchSize = o.batch
	}
	if o.parallelism > 0 {
		b.Config.Jobs.Parallelism = o.parallelism
	}
	if o.validateParallelism > 0 {
		b.Config.Jobs.ValidateParallelism = o.validateParallelism
	}
	// The jobs read their settings from the worker.
	if err := b.restartWorker(ctx); err != nil {
		return res, err
	}

	// An active connection without automatic mapping; its activation copies
	// the Slack directory into the store (set-up, not timed).
	org := []string{"--workspace", benchTeam, "--org", "acme"}
	for _, s := range [][]string{
		{"connect", "request", "--workspace", benchTeam, "--org-url", benchOrg, "--no-auto-map", "--as", "U0OWNER01"},
		append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example"}, org...),
		append([]string{"connect", "activate", "--as", "U0OWNER01"}, org...),
	} {
		if _, err := b.cli(ctx, s...); err != nil {
			return res, err
		}
	}
	t0 := time.Now()
	pairs, err := generatedPairs(ctx, b)
	if err != nil {
		return res, err
	}
	if len(pairs) < o.rows+o.baseline {
		return res, fmt.Errorf("only %d generated members", len(pairs))
	}
	if err := b.waitDirectory(ctx, pairs[len(pairs)-1][0]); err != nil {
		return res, err
	}
	res.directory = time.Since(t0)
	fmt.Printf("Directory copied in %s (set-up, %.0f members/s); worker peak so far %.0f MB\n", res.directory.Round(time.Millisecond), float64(len(pairs))/res.directory.Seconds(), b.workerPeakMB())

	file, err := writeImportFile(filepath.Join(b.dir, "import.csv"), pairs[:o.rows])
	if err != nil {
		return res, err
	}
	var profiled func() error
	if o.profile != "" {
		if profiled, err = startProfiles(ctx, o.profile, o.profileFor); err != nil {
			return res, err
		}
	}
	start := time.Now()
	out, err := b.cli(ctx, append([]string{"members", "import", file, "--yes", "--as", "U0ADMIN01", "--output", "json"}, org...)...)
	if err != nil {
		return res, err
	}
	elapsed := time.Since(start)
	if profiled != nil {
		if err := profiled(); err != nil {
			return res, err
		}
	}
	var s workflows.JobStatus
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		return res, fmt.Errorf("import output: %w\n%s", err, out)
	}
	if s.Invited+s.Unchanged+s.Refused != o.rows || s.Invited != o.rows {
		return res, fmt.Errorf("job %s ended %s with %d invited, %d unchanged, %d refused of %d rows", s.ID, s.Phase, s.Invited, s.Unchanged, s.Refused, o.rows)
	}
	rate := float64(o.rows) / elapsed.Seconds()
	res.total, res.upload, res.validate, res.apply = elapsed, s.StartedAt.Sub(start), s.ValidatedAt.Sub(s.StartedAt), s.AppliedAt.Sub(s.ValidatedAt)
	fmt.Printf("Import: %d rows in %s (%.0f rows/s), job %s %s\n", o.rows, elapsed.Round(time.Millisecond), rate, s.ID, s.Phase)
	fmt.Printf("  check and upload %s, validate %s, apply %s\n", s.StartedAt.Sub(start).Round(time.Millisecond),
		s.ValidatedAt.Sub(s.StartedAt).Round(time.Millisecond), s.AppliedAt.Sub(s.ValidatedAt).Round(time.Millisecond))

	// The naive design on a subset: one activity per row, one at a time.
	naiveFile, err := writeImportFile(filepath.Join(b.dir, "naive.csv"), pairs[o.rows:o.rows+o.baseline])
	if err != nil {
		return res, err
	}
	peak := b.workerPeakMB() // the import's worker, before the naive one
	jobs := b.Config.Jobs
	b.Config.Jobs.BatchSize, b.Config.Jobs.Parallelism, b.Config.Jobs.ValidateParallelism = 1, 1, 1
	if err := b.restartWorker(ctx); err != nil {
		return res, err
	}
	start = time.Now()
	_, err = b.cli(ctx, append([]string{"members", "import", naiveFile, "--yes", "--as", "U0ADMIN01", "--output", "json"}, org...)...)
	b.Config.Jobs = jobs
	if err != nil {
		return res, err
	}
	naive := float64(o.baseline) / time.Since(start).Seconds()
	fmt.Printf("\n| design | rows | time | rows/s |\n|---|---|---|---|\n")
	fmt.Printf("| batches of %d rows, %d validated and %d applied at once | %d | %s | %.0f |\n", b.Config.Jobs.BatchSize, b.Config.Jobs.ValidateParallelism, b.Config.Jobs.Parallelism, o.rows, elapsed.Round(time.Millisecond), rate)
	fmt.Printf("| naive: one activity per row | %d | %s | %.0f |\n", o.baseline, time.Since(start).Round(time.Millisecond), naive)
	res.naiveRate, res.peakMB = naive, peak
	fmt.Printf("\nRatio: %.0f× the naive rate. Worker peak memory (VmHWM): %.0f MB.\n", rate/naive, res.peakMB)
	return res, nil
}

// waitDirectory waits until the store's copy of the workspace's directory
// holds the last generated member.
func (b *benchEnv) waitDirectory(ctx context.Context, last string) error {
	st, err := store.Open(ctx, b.Config.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if ms, err := st.GetMembers(ctx, benchTeam, []string{last}); err == nil && len(ms) == 1 {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("the directory was not copied in 5 minutes")
}

// generatedPairs lists the generated members (ids U1…) with their
// Salesforce usernames (the generator gives a matched user the member's
// email as username), through Slack's users.list.
func generatedPairs(ctx context.Context, b *benchEnv) ([][2]string, error) {
	dir := slackapi.New(slackapi.Config{APIURL: b.Config.SlackURL(), TokenFor: b.Config.SlackTokenFor}, zap.NewNop())
	var pairs [][2]string
	err := dir.ListMembers(ctx, benchTeam, 1000, func(page []slackapi.Member) error {
		for _, m := range page {
			if strings.HasPrefix(m.ID, "U1") {
				pairs = append(pairs, [2]string{m.ID, m.Email})
			}
		}
		return nil
	})
	return pairs, err
}

// writeImportFile writes a CSV mapping members to Salesforce usernames,
// with an extra column the import ignores.
func writeImportFile(path string, pairs [][2]string) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "slack_user_id,salesforce_username,note")
	for i, p := range pairs {
		fmt.Fprintf(w, "%s,%s,row %d\n", p[0], p[1], i)
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	return path, nil
}
