// Package starter is the operators' CLI, `starter`: one command per action of
// Slack's help article, each a call to Temporal (an update, a query, a
// visibility listing). cmd/starter runs it; the integration tests run the very
// same commands in-process through Run.
package starter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	_ "github.com/sfconnect/sfconnect/store/engines" // the store engines a store URL may name

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/sfconnect/sfconnect/config"
)

// Exit codes of SPEC section 9.
const (
	ExitOK      = 0
	ExitRefused = 1
	ExitUsage   = 2
)

// Env is what a command runs with: its streams, its configuration and how it
// reaches Temporal.
type Env struct {
	In       io.Reader // answers to questions (disconnect's confirmation)
	Out, Err io.Writer
	Config   config.Config
	// Dial returns a Temporal client; the CLI closes it when the command ends.
	Dial func() (client.Client, error)
	// OpenURL, when set, opens `starter login`'s sign-in address instead
	// of the desktop's browser (the tests walk the pages with it).
	OpenURL func(ctx context.Context, url string) error
}

// usageError marks a command line the CLI cannot act on (exit 2).
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Run executes one command line and returns its exit code. Errors are
// written to Err as one line that says what to do.
func Run(ctx context.Context, args []string, env Env) int {
	app := &app{env: env}
	root := app.rootCommand()
	root.SetArgs(args)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	err := root.ExecuteContext(ctx)
	if app.client != nil {
		app.client.Close()
	}
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(env.Err, "starter: "+oneLine(err))
	var usage usageError
	if errors.As(err, &usage) || isCobraUsage(err) {
		return ExitUsage
	}
	return ExitRefused
}

// isCobraUsage recognises cobra's own complaints about the command line.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "required flag", "accepts ", "requires at least", "invalid argument", "flag needs an argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(describe(err)), " ")
}

// app carries the state of one command line.
type app struct {
	env    Env
	output string
	client client.Client
	// orgIDs are the orgs resolveOrg found, for the rest of the command.
	orgIDs map[orgRef]string
}

// temporal dials Temporal once per command line.
func (a *app) temporal() (client.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	c, err := a.env.Dial()
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal: %w (is `make run` running? TEMPORAL_ADDRESS names another server)", err)
	}
	a.client = c
	return c, nil
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Operate sfconnect: connect Slack workspaces and Salesforce orgs, map members, run CSV jobs",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if a.output != "text" && a.output != "json" {
				return usagef("--output must be text or json, not %q", a.output)
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.output, "output", "text", "output format: text (aligned, readable) or json (one object, for scripts)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(a.connectCommand(), a.membersCommand(), a.jobsCommand(), a.workspaceCommand(), a.loginCommand(), a.migrateCommand())
	return root
}
