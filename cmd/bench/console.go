package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/sandbox"
	"github.com/sfconnect/sfconnect/sandbox/signinform"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

type consoleOptions struct {
	orgs        int
	requests    int
	concurrency int
	temporal    string
}

// benchConsole times the console's pages under a modest loopback load, a
// signed-in owner's browser fetching each page requests times, concurrency
// at once. The home page, which asks Temporal nothing, is the floor the
// others are read against.
func benchConsole(ctx context.Context, o consoleOptions) error {
	dir, err := os.MkdirTemp("", "sfconnect-bench-console-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, err := config.LoadFrom(func(string) string { return "" })
	if err != nil {
		return err
	}
	cfg.DataDir, cfg.DatabaseURL = dir, "sqlite:"+filepath.Join(dir, "sfconnect.db")
	env, err := devenv.Start(ctx, devenv.Options{TemporalPath: o.temporal, DBFile: filepath.Join(dir, "temporal.db"), Config: cfg, ConsoleAddr: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	defer env.Stop()

	// The orgs to show: acme, requested as in the walkthrough, and as many
	// of org01…org19 as -orgs asks for.
	c := &sfclient.Client{Temporal: env.Client, Config: env.Config}
	conn, err := c.Request(ctx, sandbox.DemoTeamID, workflows.ConnectionRequest{OrgURL: "https://acme.my.salesforce.com", Caller: workflows.Caller{As: "U0OWNER01"}})
	if err != nil {
		return fmt.Errorf("request acme: %w", err)
	}
	for n := 1; n < o.orgs && n <= 19; n++ {
		if _, err := c.Request(ctx, sandbox.DemoTeamID, workflows.ConnectionRequest{OrgURL: fmt.Sprintf("https://org%02d.my.salesforce.com", n), Caller: workflows.Caller{As: "U0OWNER01"}}); err != nil {
			return fmt.Errorf("request org%02d: %w", n, err)
		}
	}
	browser, err := signedInOwner(ctx, env)
	if err != nil {
		return err
	}
	pages := []string{"/", "/slack/orgs", "/slack/orgs/" + conn.OrgID}
	fmt.Printf("console pages, %d orgs, %d requests each, %d at once, %s\n", o.orgs, o.requests, o.concurrency, machine())
	fmt.Printf("%-40s %10s %10s %10s\n", "page", "median", "p99", "req/s")
	for _, p := range pages {
		lat, elapsed, err := load(ctx, browser, env.ConsoleURL+p, o.requests, o.concurrency)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Printf("%-40s %10s %10s %10.0f\n", p, quantile(lat, 0.5).Round(10*time.Microsecond), quantile(lat, 0.99).Round(10*time.Microsecond), float64(len(lat))/elapsed.Seconds())
	}
	return nil
}

// signedInOwner is an HTTP client with the cookies of U0OWNER01 signed in
// with Slack, through the console's and the sandbox's pages.
func signedInOwner(ctx context.Context, env *devenv.Env) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(env.ConsoleURL + "/auth/slack/login?next=/slack/orgs")
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	back, err := signinform.SignIn(ctx, hc, resp.Header.Get("Location"), "owner@demo.example", sandbox.DemoPassword)
	if err != nil {
		return nil, fmt.Errorf("sign in with Slack: %w", err)
	}
	resp, err = hc.Get(back.String())
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("the console's callback answered %s", resp.Status)
	}
	u, _ := url.Parse(env.ConsoleURL)
	if len(jar.Cookies(u)) == 0 {
		return nil, fmt.Errorf("no session after the sign-in")
	}
	return hc, nil
}

func load(ctx context.Context, hc *http.Client, u string, n, concurrency int) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, n)
	var next int
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				resp, err := hc.Get(u)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("HTTP %s", resp.Status)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return lat, time.Since(start), firstErr
}

func quantile(d []time.Duration, q float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(q*float64(len(s)-1))]
}
