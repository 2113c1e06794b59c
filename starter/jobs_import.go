package starter

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) membersImportCommand() *cobra.Command {
	var ref orgRef
	var as string
	var detach, yes bool
	cmd := &cobra.Command{
		Use:   "import FILE --workspace T… --org ORG --as SLACK_USER [--yes] [--detach]",
		Short: "Map members from a CSV file, as a job: validate, preview, approve, apply, follow the invitations",
		Long: `The file needs a header with one Slack column (slack_user_id or slack_email) and one
Salesforce column (salesforce_user_id, salesforce_username or salesforce_email); other columns
are ignored. Delimiter , ; or tab; UTF-8 with or without BOM. The file is checked first: a file
that is not CSV or has no usable header is refused before any job starts.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.importFile(cmd.Context(), ref, args[0], as, yes, detach)
		},
	}
	ref.flags(cmd)
	asFlag(cmd, &as, "the Slack member id importing")
	cmd.Flags().BoolVar(&yes, "yes", false, "approve the preview at once, unless it is risky (many refusals, or linked members moving)")
	cmd.Flags().BoolVar(&detach, "detach", false, "print the job id and return; follow with `starter jobs status JOB`")
	return cmd
}

func (a *app) importFile(ctx context.Context, ref orgRef, path, as string, yes, detach bool) error {
	// StartImport checks the file whole before it asks for a job: a file
	// that is not CSV is refused before any job starts.
	who, err := a.slackCaller(ref.team, as)
	if err != nil {
		return err
	}
	c, err := a.sf()
	if err != nil {
		return err
	}
	orgID, err := a.resolveOrg(ctx, ref)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, a.env.Config.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open the store (DATABASE_URL): %w", err)
	}
	defer st.Close()
	c.Store = st
	var bar *progressbar.ProgressBar
	jobID, rows, err := c.StartImport(ctx, sfclient.Import{
		Team: ref.team, OrgID: orgID, Path: path, AutoApprove: yes,
		Request: workflows.ImportRequest{FileName: filepath.Base(path), Caller: who},
		Uploaded: func(total, n int) {
			if bar == nil {
				bar = a.bar(total, "uploading")
			}
			_ = bar.Add(n)
		},
	})
	if bar != nil {
		_ = bar.Finish()
	}
	if errors.Is(err, sfclient.ErrConnectionNotFound) {
		return fmt.Errorf("the connection of %s to %s does not exist or has ended (disconnected, rejected or expired): see `starter connect status --workspace %s --org %s`", ref.team, ref.org, ref.team, ref.org)
	}
	if err != nil {
		return err
	}
	if detach {
		if a.output == "json" {
			return a.printJSON(map[string]any{"job_id": jobID, "rows": rows})
		}
		fmt.Fprintf(a.env.Out, "Job %s started (%d rows). Follow it with `starter jobs status %s`.\n", jobID, rows, jobID)
		return nil
	}
	s, err := a.followJob(ctx, jobID, rows)
	if err != nil {
		return err
	}
	return a.printJob(s)
}

// bar is a progress bar on stderr (stdout stays the result).
func (a *app) bar(max int, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(max,
		progressbar.OptionSetWriter(a.env.Err),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}
