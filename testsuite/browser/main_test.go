// Package browser drives the web console in a real browser (Debian's
// chromium, through chromedp) on the default run: the dev server, the
// worker, the sandbox and the console, as `make run` starts them, each
// person in a browser context of their own.
package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/config"
	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/internal/testneeds"
)

var (
	env *devenv.Env
	// browserCtx is the one chromium of the package; each person gets a
	// browser context (their own cookies) within it.
	browserCtx context.Context
)

func temporalBin() string {
	if p := os.Getenv("SFCONNECT_TEMPORAL_BIN"); p != "" {
		return p
	}
	p, _ := filepath.Abs("../../.bin/temporal")
	return p
}

// chromiumPath is Debian's chromium, which `make test` installs.
func chromiumPath() (string, error) {
	for _, name := range []string{os.Getenv("SFCONNECT_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium on PATH: `make test` installs it (apt-get install chromium)")
}

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	chromium, err := chromiumPath()
	if err != nil {
		return testneeds.MissingMain("chromium", "apt-get install chromium (as root), or set SFCONNECT_CHROMIUM", err)
	}
	if _, err := os.Stat(temporalBin()); err != nil {
		return testneeds.MissingMain("the Temporal CLI at "+temporalBin(), "run `make .bin/temporal`, or set SFCONNECT_TEMPORAL_BIN", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := config.LoadFrom(func(string) string { return "" })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dataDir, err := os.MkdirTemp("", "sfconnect-browser-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataDir)
	cfg.DataDir = dataDir
	cfg.DatabaseURL = "sqlite:" + filepath.Join(dataDir, "sfconnect.db")
	env, err = devenv.Start(ctx, devenv.Options{TemporalPath: temporalBin(), Config: cfg, Log: zap.NewNop(), ConsoleAddr: "127.0.0.1:0"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser tests need the dev server: run `make test`, which installs it:", err)
		return 1
	}
	defer env.Stop()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dataDir, "chromium")),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil { // starts chromium
		fmt.Fprintln(os.Stderr, "start chromium:", err)
		return 1
	}
	fmt.Printf("browser tests: console %s, sandbox %s, dev server %s\n", env.ConsoleURL, env.SandboxURL, env.Server.FrontendHostPort())
	return m.Run()
}
