package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/codec"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/starter"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

type automapOptions struct {
	members, runs, baseline, batch int
	temporal, worker               string
	// postgres is the PostgreSQL server of the PostgreSQL runs; engines
	// the stores to measure (enginesOf).
	postgres, engines string
}

// automapResult is one store's figures.
type automapResult struct {
	median    time.Duration
	naiveRate float64
	peakMB    float64
}

const (
	benchTeam = "T0DEMO0001"
	benchOrg  = "https://acme.my.salesforce.com"
)

// benchAutoMap measures automatic mapping on each store, one after the
// other in the same run, and prints them side by side.
func benchAutoMap(ctx context.Context, o automapOptions) error {
	engines, err := enginesOf(o.engines, o.postgres)
	if err != nil {
		return err
	}
	results := map[string]automapResult{}
	for _, e := range engines {
		fmt.Printf("\n## %s\n\n", e.name)
		r, err := autoMapOn(ctx, o, e.url)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		results[e.name] = r
	}
	if len(engines) < 2 {
		return nil
	}
	fmt.Printf("\n## Side by side, %d × %d, %d runs each (%s)\n\n| store | median | members/s | naive members/s | worker peak |\n|---|---|---|---|---|\n", o.members, o.members, o.runs, loadAverage())
	for _, e := range engines {
		r := results[e.name]
		fmt.Printf("| %s | **%s** | %.0f | %.0f | %.0f MB |\n", e.name, r.median.Round(time.Millisecond), float64(o.members)/r.median.Seconds(), r.naiveRate, r.peakMB)
	}
	first, second := results[engines[0].name], results[engines[1].name]
	fmt.Printf("\n%s takes %.2f× the time of %s.\n", engines[1].name, second.median.Seconds()/first.median.Seconds(), engines[0].name)
	return nil
}

// autoMapOn times automatic mapping on one store (PostgreSQL at
// postgresURL when set, else SQLite), runs times, beside the naive design.
func autoMapOn(ctx context.Context, o automapOptions, postgresURL string) (automapResult, error) {
	var res automapResult
	b, err := startBenchEnv(ctx, o.temporal, o.worker, false, postgresURL)
	if err != nil {
		return res, err
	}
	defer b.stop()
	batch := workflows.DefaultAutoMapBatch
	if o.batch > 0 {
		batch = o.batch
		b.Config.Timing.AutoMapBatch = o.batch
	}
	gen, err := b.Sandbox.Generate(sandbox.GenerateRequest{Team: benchTeam, Members: o.members, Org: "acme", Users: o.members, Match: 1})
	if err != nil {
		return res, fmt.Errorf("generate: %w", err)
	}
	fmt.Printf("Machine: %s\n", machine())
	fmt.Printf("Store: %s\n", storeKind(b.Config.DatabaseURL))
	fmt.Printf("Sandbox: %d Slack members in %s, %d Salesforce users in acme (generated in %s)\n\n",
		gen.TotalMembers, benchTeam, gen.TotalUsers, gen.Duration.Round(time.Millisecond))

	var times []time.Duration
	for run := 1; run <= o.runs; run++ {
		d, p, err := timeOneAutoMap(ctx, b)
		if err != nil {
			return res, fmt.Errorf("run %d: %w", run, err)
		}
		if p.Linked < o.members {
			return res, fmt.Errorf("run %d linked %d members, want at least %d: %s", run, p.Linked, o.members, p.Summary())
		}
		times = append(times, d)
		fmt.Printf("run %d: %s (%.0f members/s) — %s\n", run, d.Round(time.Millisecond), float64(p.Scanned)/d.Seconds(), p.Summary())
	}
	slices.Sort(times)
	median := times[len(times)/2]
	rate := float64(o.members) / median.Seconds()

	naiveRate, err := naiveAutoMap(ctx, b, o.baseline)
	if err != nil {
		return res, fmt.Errorf("naive baseline: %w", err)
	}
	fmt.Printf("\n| what | members | median time | members/s |\n|---|---|---|---|\n")
	fmt.Printf("| automatic mapping (batches of %d, SOQL IN, batched store writes) | %d | %s | %.0f |\n", batch, o.members, median.Round(time.Millisecond), rate)
	fmt.Printf("| naive: one SOQL query and one store write per member | %d | | %.0f |\n", o.baseline, naiveRate)
	res.median, res.naiveRate, res.peakMB = median, naiveRate, b.workerPeakMB()
	fmt.Printf("\nRatio: %.1f× the naive rate. Worker peak memory (VmHWM): %.0f MB. Runs: %d.\n", rate/naiveRate, res.peakMB, o.runs)
	return res, nil
}

// cli runs a starter command line against the bench environment.
func (b *benchEnv) cli(ctx context.Context, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	code := starter.Run(ctx, args, starter.Env{
		In: strings.NewReader(""), Out: &out, Err: &errOut, Config: b.Config,
		Dial: func() (client.Client, error) {
			opts := client.Options{}
			codec.Configure(&opts, b.Keys)
			return client.NewClientFromExisting(b.Client, opts)
		},
	})
	if code != 0 {
		return "", fmt.Errorf("starter %s: %s", strings.Join(args, " "), strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// timeOneAutoMap connects acme anew (so that every member is mapped
// afresh), activates it, which starts automatic mapping, and times it to
// the end; then disconnects.
func timeOneAutoMap(ctx context.Context, b *benchEnv) (time.Duration, workflows.AutoMapProgress, error) {
	org := []string{"--workspace", benchTeam, "--org", "acme"}
	steps := [][]string{
		{"connect", "request", "--workspace", benchTeam, "--org-url", benchOrg, "--as", "U0OWNER01"},
		append([]string{"connect", "approve", "--matching-field", "Email", "--accept-terms", "--as", "admin@acme.example"}, org...),
	}
	for _, s := range steps {
		if _, err := b.cli(ctx, s...); err != nil {
			return 0, workflows.AutoMapProgress{}, err
		}
	}
	start := time.Now()
	if _, err := b.cli(ctx, append([]string{"connect", "activate", "--as", "U0OWNER01"}, org...)...); err != nil {
		return 0, workflows.AutoMapProgress{}, err
	}
	var p workflows.AutoMapProgress
	for {
		out, err := b.cli(ctx, append([]string{"connect", "status", "--output", "json"}, org...)...)
		if err != nil {
			return 0, p, err
		}
		var c workflows.Connection
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			return 0, p, err
		}
		if c.AutoMapRun != nil && !c.AutoMapRun.Running {
			p = *c.AutoMapRun
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(start)
	if p.Error != "" {
		return 0, p, errors.New(p.Error)
	}
	_, err := b.cli(ctx, append([]string{"connect", "disconnect", "--yes", "--as", "U0OWNER01"}, org...)...)
	return elapsed, p, err
}

// naiveAutoMap maps n members the obvious way, through the same clients and
// store: for each member, one SOQL query for their email and one store
// write.
func naiveAutoMap(ctx context.Context, b *benchEnv, n int) (float64, error) {
	st, err := store.Open(ctx, b.Config.DatabaseURL)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	dir := slackapi.New(slackapi.Config{APIURL: b.Config.SlackURL(), TokenFor: b.Config.SlackTokenFor}, zap.NewNop())
	sf, err := salesforce.NewFactory(salesforce.Config{ClientID: "sandbox", ClientSecret: "sandbox", SandboxAddr: b.Config.SandboxAddr()}, zap.NewNop()).Org(benchOrg)
	if err != nil {
		return 0, err
	}
	var members []slackapi.Member
	errEnough := errors.New("enough")
	err = dir.ListMembers(ctx, benchTeam, 1000, func(page []slackapi.Member) error {
		members = append(members, page...)
		if len(members) >= n {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return 0, err
	}
	members = members[:min(n, len(members))]
	start := time.Now()
	for i, m := range members {
		var users []salesforce.User
		err := salesforce.QueryEach(ctx, sf, "SELECT Id, Username, Email, IsActive FROM User WHERE Email = "+salesforce.Quote(m.Email), 0,
			func(page []salesforce.User) error { users = append(users, page...); return nil })
		if err != nil {
			return 0, err
		}
		if len(users) != 1 {
			continue
		}
		_, err = st.ApplyMappings(ctx, fmt.Sprintf("naive/%d", i), []store.Mapping{{
			ConnectionID: "naive-baseline", Workspace: benchTeam, OrgID: "00D000000000001AAA",
			SlackUserID: m.ID, SlackEmail: m.Email, SalesforceUserID: users[0].Id, SalesforceUsername: users[0].Username,
			State: store.StateLinked, Source: store.SourceAuto,
		}})
		if err != nil {
			return 0, err
		}
	}
	return float64(len(members)) / time.Since(start).Seconds(), nil
}
