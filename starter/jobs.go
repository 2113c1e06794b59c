package starter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) jobsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs status|results|approve|cancel JOB",
		Short: "Follow up CSV mapping jobs",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupUsage,
	}
	var as, file string
	status := &cobra.Command{
		Use: "status JOB", Short: "Where a job stands: phase, preview, outcomes", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.jobStatus(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return a.printJob(s)
		},
	}
	results := &cobra.Command{
		Use: "results JOB [--file OUT.csv]", Short: "Every row of a job with its line, outcome and reason, as CSV (partial while it runs)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.jobResults(cmd.Context(), args[0], file) },
	}
	results.Flags().StringVar(&file, "file", "", "write the CSV to this file instead of stdout")
	decide := func(name, short string) *cobra.Command {
		c := &cobra.Command{
			Use: name + " JOB --as SLACK_USER", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := a.sf()
				if err != nil {
					return err
				}
				// The job's workspace picks the login that proves who decides.
				s, err := a.jobStatus(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				who, err := a.slackCaller(s.Workspace, as)
				if err != nil {
					return err
				}
				if err := c.Update(cmd.Context(), workflows.JobWorkflowID(args[0]), name, workflows.JobDecision{Caller: who}, &s); err != nil {
					if isNotFound(err) && s.Ended() {
						// The job's workflow has closed: it exists, and says how it ended.
						return fmt.Errorf("job %s is %s: there is nothing left to %s", args[0], s.Phase, name)
					}
					return jobNotFound(args[0], err)
				}
				if name == workflows.UpdateJobCancel {
					// Print the state the cancel led to, not the one before it.
					if s, err = a.settledJob(cmd.Context(), args[0]); err != nil {
						return err
					}
				}
				if name == workflows.UpdateJobApprove && a.output == "text" {
					s, err = a.followJob(cmd.Context(), args[0], s.Rows)
					if err != nil {
						return err
					}
				}
				return a.printJob(s)
			},
		}
		asFlag(c, &as, "the Slack member id deciding")
		return c
	}
	cmd.AddCommand(status, results,
		decide(workflows.UpdateJobApprove, "Approve a job's preview (the explicit approval a risky job needs)"),
		decide(workflows.UpdateJobCancel, "Cancel a job; the rows already done are kept"))
	return cmd
}

func jobNotFound(id string, err error) error {
	if err != nil && isNotFound(err) {
		return fmt.Errorf("no job %s: see the job id printed by `starter members import`", id)
	}
	return err
}

func (a *app) jobStatus(ctx context.Context, id string) (workflows.JobStatus, error) {
	c, err := a.sf()
	if err != nil {
		return workflows.JobStatus{}, err
	}
	s, err := c.Job(ctx, id)
	return s, jobNotFound(id, err)
}

// settledJob is a job's status once a cancel has ended it, waiting a
// little for the workflow to finish the rows it cancels; the last status
// read if it takes longer.
func (a *app) settledJob(ctx context.Context, id string) (workflows.JobStatus, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := a.jobStatus(ctx, id)
		if err != nil || s.Ended() || time.Now().After(deadline) {
			return s, err
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// followJob shows a job's progress until it stops needing the CLI: it is
// applied (or ended), or it waits for an approval that --yes could not give.
func (a *app) followJob(ctx context.Context, id string, rows int) (workflows.JobStatus, error) {
	bar := a.bar(rows, "validating")
	defer func() { _ = bar.Finish() }()
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	start := time.Now()
	for {
		s, err := a.jobStatus(ctx, id)
		if err != nil {
			return s, err
		}
		switch s.Phase {
		case workflows.PhaseValidating:
			bar.Describe("validating")
			_ = bar.Set(s.Validated)
		case workflows.PhaseApplying:
			bar.Describe(fmt.Sprintf("applying: %d invited, %d unchanged, %d refused", s.Invited, s.Unchanged, s.Refused))
			_ = bar.Set(s.Applied)
		default:
			_ = bar.Finish()
			if a.output == "text" {
				fmt.Fprintf(a.env.Err, "%s after %s\n", s.Phase, time.Since(start).Round(time.Millisecond))
			}
			return s, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return s, ctx.Err()
		}
	}
}

func (a *app) printJob(s workflows.JobStatus) error {
	if a.output == "json" {
		return a.printJSON(s)
	}
	tw := newTable(a.env.Out)
	fmt.Fprintf(tw, "Job:\t%s (%s ↔ %s)\n", s.ID, s.Workspace, s.OrgID)
	fmt.Fprintf(tw, "Phase:\t%s\n", s.Phase)
	fmt.Fprintf(tw, "Rows:\t%d\n", s.Rows)
	if s.Encoding != "" {
		fmt.Fprintf(tw, "Encoding:\t%s\n", s.Encoding)
	}
	fmt.Fprintf(tw, "Preview:\t%d to invite, %d unchanged, %d refused, %d moves\n", s.WouldInvite, s.WouldUnchange, s.WouldRefuse, s.Moves)
	if s.ApprovedBy != "" {
		fmt.Fprintf(tw, "Approved by:\t%s, %s\n", byWhom(s.ApprovedBy, s.ApprovedUnverified), stamp(s.ApprovedAt))
	}
	if s.CancelledBy != "" {
		fmt.Fprintf(tw, "Cancelled by:\t%s\n", byWhom(s.CancelledBy, s.CancelledUnverified))
	}
	if s.CancelReason != "" {
		fmt.Fprintf(tw, "Cancelled:\t%s\n", s.CancelReason)
	}
	fmt.Fprintf(tw, "Outcomes:\t%d linked, %d invited (%d waiting), %d unchanged, %d refused\n", s.Linked, s.Invited, s.Waiting, s.Unchanged, s.Refused)
	if s.Invited > 0 {
		fmt.Fprintf(tw, "Told in Slack:\t%d of %d invited members\n", s.Told, s.Invited)
	}
	if !s.InviteExpiresAt.IsZero() {
		fmt.Fprintf(tw, "Invitations expire:\t%s\n", stamp(s.InviteExpiresAt))
	}
	if s.Error != "" {
		fmt.Fprintf(tw, "Error:\t%s\n", s.Error)
	}
	reasons := make([]string, 0, len(s.RefusalReasons))
	for r := range s.RefusalReasons {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool { return s.RefusalReasons[reasons[i]] > s.RefusalReasons[reasons[j]] })
	for _, r := range reasons {
		fmt.Fprintf(tw, "Refused:\t%d × %s\n", s.RefusalReasons[r], r)
	}
	for _, at := range s.Attempts {
		fmt.Fprintf(tw, "Refused signal:\t%s %s by %s: %s\n", stamp(at.At), at.Action, dash(at.By), at.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.Phase == workflows.PhaseAwaitingApproval {
		for _, r := range s.Risks {
			fmt.Fprintln(a.env.Out, "Needs an explicit approval: "+r)
		}
		fmt.Fprintf(a.env.Out, "\nApprove the preview with:\n  starter jobs approve %s --as SLACK_ADMIN\nor cancel it with `starter jobs cancel %s --as SLACK_ADMIN`. See every row with `starter jobs results %s`.\n", s.ID, s.ID, s.ID)
	}
	return nil
}

// jobResults streams every row of a job, with its line and outcome
// (sfclient.JobResults), to stdout or file.
func (a *app) jobResults(ctx context.Context, id, file string) (err error) {
	st, err := store.Open(ctx, a.env.Config.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open the store (DATABASE_URL): %w", err)
	}
	defer st.Close()
	c := &sfclient.Client{Config: a.env.Config, Store: st}
	var out io.Writer = a.env.Out
	if file != "" {
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(file)
			}
		}()
		out = f
	}
	err = c.JobResults(ctx, id, out)
	if errors.Is(err, sfclient.ErrJobNotFound) {
		return fmt.Errorf("no job %s: see the job id printed by `starter members import`", id)
	}
	return err
}
