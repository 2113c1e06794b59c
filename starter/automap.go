package starter

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/workflows"
)

// progressEvery is how often the CLI asks a running job where it stands.
const progressEvery = 300 * time.Millisecond

func (a *app) membersAutoMapCommand() *cobra.Command {
	var ref orgRef
	var as string
	var detach bool
	cmd := &cobra.Command{
		Use:   "automap --workspace T… --org ORG --as SLACK_USER [--detach]",
		Short: "Map members automatically (Step 1's field against Step 2's Salesforce field), showing progress until done",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			var started workflows.AutoMapStarted
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateAutoMap, workflows.AutoMapRequest{Caller: who}, &started); err != nil {
				return err
			}
			if detach {
				if a.output == "json" {
					return a.printJSON(started)
				}
				fmt.Fprintf(a.env.Out, "Automatic mapping started: %s\n", started.WorkflowID)
				return nil
			}
			p, err := a.followAutoMap(cmd.Context(), started)
			if err != nil {
				return err
			}
			// The connection hears of the end a moment after us: wait for
			// it, so that the next command sees the mapping finished.
			a.waitStatus(cmd.Context(), ref, func(c workflows.Connection) bool {
				return c.AutoMapRun == nil || !c.AutoMapRun.Running
			})
			if a.output == "json" {
				return a.printJSON(p)
			}
			fmt.Fprintf(a.env.Out, "Automatic mapping done in %s: %s.\n", p.FinishedAt.Sub(p.StartedAt).Round(time.Millisecond), p.Summary())
			if len(p.AmbiguousMembers) > 0 {
				fmt.Fprintf(a.env.Out, "Ambiguous (two or more Salesforce users share their key; map them by hand): %v\n", p.AmbiguousMembers)
			}
			return nil
		},
	}
	ref.flags(cmd)
	asFlag(cmd, &as, "the Slack member id starting it")
	cmd.Flags().BoolVar(&detach, "detach", false, "print the workflow id and return at once")
	return cmd
}

// waitStatus polls a connection's status until done holds, for a few
// seconds at most.
func (a *app) waitStatus(ctx context.Context, ref orgRef, done func(workflows.Connection) bool) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := a.status(ctx, ref); err != nil || done(c) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// followAutoMap polls the mapping's progress query, drawing a bar (on
// stderr, so that stdout stays the result) until it ends.
func (a *app) followAutoMap(ctx context.Context, started workflows.AutoMapStarted) (workflows.AutoMapProgress, error) {
	c, err := a.temporal()
	if err != nil {
		return workflows.AutoMapProgress{}, err
	}
	bar := progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(a.env.Err),
		progressbar.OptionSetDescription("mapping"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("members"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	defer func() { _ = bar.Finish() }()
	run := c.GetWorkflow(ctx, started.WorkflowID, "")
	done := make(chan error, 1)
	var final workflows.AutoMapProgress
	go func() { done <- run.Get(ctx, &final) }()
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return final, fmt.Errorf("automatic mapping failed: %w", err)
			}
			return final, nil
		case <-tick.C:
			v, err := c.QueryWorkflow(ctx, started.WorkflowID, "", workflows.QueryProgress)
			if err != nil {
				continue // between runs (continue-as-new) the query may miss: ask again
			}
			var p workflows.AutoMapProgress
			if v.Get(&p) == nil {
				bar.Describe(fmt.Sprintf("mapping: %d linked, %d already right, %d unmatched, %d ambiguous", p.Linked, p.Unchanged, p.Unmatched, p.Ambiguous))
				_ = bar.Set(p.Scanned)
			}
		case <-ctx.Done():
			return final, ctx.Err()
		}
	}
}
