package starter

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// printJSON writes one object, for scripts.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.env.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printConnection shows a connection; next says what to do now (text only).
func (a *app) printConnection(c workflows.Connection, next string) error {
	if a.output == "json" {
		return a.printJSON(c)
	}
	tw := tabwriter.NewWriter(a.env.Out, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("Workspace", c.Workspace)
	row("Org", fmt.Sprintf("%s (%s) %s", c.OrgName, c.OrgID, c.OrgURL))
	row("State", string(c.State))
	row("Waiting for", c.WaitingFor)
	if c.State == model.StatePendingApproval {
		// Step 2's notices cannot reach them: the requester must.
		row("Not reachable in Slack", strings.Join(c.NotReachable, ", "))
	}
	if !c.ExpiresAt.IsZero() && !c.State.Terminal() {
		row("Expires", stamp(c.ExpiresAt))
	}
	row("Mapping field", string(c.MappingField))
	row("Automatic mapping", map[bool]string{true: "on", false: "off"}[c.AutoMap])
	row("Matching field", c.MatchingField)
	row("Integration user", c.IntegrationUser)
	row("Permission objects", strings.Join(c.PermissionObjects, ", "))
	version := fmt.Sprint(c.Version)
	if c.UpdateAvailable {
		version += " (update available: starter connect update)"
	}
	row("Version", version)
	row("Login banner", map[bool]string{true: "on", false: "off"}[c.Banner])
	row("Rejected because", c.RejectReason)
	for _, w := range c.Warnings {
		row("Warning", w)
	}
	for _, f := range c.BackgroundFailures {
		row("Background failure", backgroundFailure(f))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.History) > 0 {
		fmt.Fprintln(a.env.Out, "\nHistory:"+older(c.HistoryDropped, "event"))
		tw = tabwriter.NewWriter(a.env.Out, 0, 0, 2, ' ', 0)
		for _, e := range c.History {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", stamp(e.At), e.Action, byWhom(dash(e.By), e.Unverified), e.Detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(c.Jobs) > 0 {
		fmt.Fprintln(a.env.Out, "\nCSV jobs running:")
		tw = tabwriter.NewWriter(a.env.Out, 0, 0, 2, ' ', 0)
		for _, j := range c.Jobs {
			fmt.Fprintf(tw, "  %s\t%s\tby %s\t%s\n", j.ID, dash(j.FileName), j.StartedBy, stamp(j.StartedAt))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(c.Attempts) > 0 {
		fmt.Fprintln(a.env.Out, "\nRefused attempts:"+older(c.AttemptsDropped, "attempt"))
		tw = tabwriter.NewWriter(a.env.Out, 0, 0, 2, ' ', 0)
		for _, at := range c.Attempts {
			fmt.Fprintf(tw, "  %s\t%s\t%s\tvia %s\t%s\n", stamp(at.At), at.Action, dash(at.By), at.Via, at.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if next != "" {
		fmt.Fprintln(a.env.Out, "\n"+next)
	}
	return nil
}

// backgroundFailure says which background step fails, since when, why,
// and when it is tried again.
func backgroundFailure(f workflows.BackgroundFailure) string {
	return fmt.Sprintf("%s failed %d time(s) since %s: %s (next try %s)", f.Step, f.Failures, stamp(f.Since), f.Error, stamp(f.NextTry))
}

// older says how many of a list's oldest entries are no longer kept.
func older(dropped int, what string) string {
	switch dropped {
	case 0:
		return ""
	case 1:
		return " (1 older " + what + " not kept)"
	}
	return fmt.Sprintf(" (%d older %ss not kept)", dropped, what)
}

func (a *app) printList(rows []sfclient.ConnectionRow) error {
	if a.output == "json" {
		if rows == nil {
			rows = []sfclient.ConnectionRow{}
		}
		return a.printJSON(map[string]any{"connections": rows})
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.env.Out, "No connections.")
		return nil
	}
	tw := tabwriter.NewWriter(a.env.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKSPACE\tORG\tORG ID\tSTATE\tVERSION\tSTARTED\tENDED")
	for _, r := range rows {
		ended := "-"
		if r.Closed != nil {
			ended = stamp(*r.Closed)
		}
		version := fmt.Sprint(r.Version)
		if r.UpdateAvailable {
			version += " (update available)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Workspace, r.OrgName, r.OrgID, r.State, version, stamp(r.Started), ended)
	}
	return tw.Flush()
}

// newTable aligns columns separated by tabs.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// byWhom is who took a step, marked when nothing proved it was them (a
// bare --as, which only sandbox mode accepts).
func byWhom(by string, unverified bool) string {
	if unverified {
		return by + " (unverified)"
	}
	return by
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
