package starter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/mappingcsv"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// uploadChunk is how many rows one store write carries.
const uploadChunk = 20000

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
	summary, err := checkFile(path)
	if err != nil {
		return err
	}
	who, err := a.slackCaller(ref.team, as)
	if err != nil {
		return err
	}
	as = who.As
	var grant workflows.ImportGrant
	if err := a.connectionUpdate(ctx, ref, workflows.UpdateImport, workflows.ImportRequest{FileName: filepath.Base(path), Caller: who}, &grant); err != nil {
		return err
	}
	st, err := store.Open(ctx, a.env.Config.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open the store (DATABASE_URL): %w", err)
	}
	defer st.Close()
	job := store.Job{
		ID: grant.JobID, Workspace: ref.team, OrgID: grant.OrgID, ConnectionID: grant.ConnectionID,
		FileName: filepath.Base(path), CreatedBy: as, Rows: summary.Rows,
		SlackColumn: summary.Header.Slack.String(), SalesforceColumn: summary.Header.Salesforce.String(),
	}
	if err := st.CreateJob(ctx, job); err != nil {
		return err
	}
	if err := a.upload(ctx, st, job, path); err != nil {
		return err
	}
	c, err := a.temporal()
	if err != nil {
		return err
	}
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.JobWorkflowID(job.ID), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.WorkspaceKey.ValueSet(ref.team), workflows.OrgKey.ValueSet(grant.OrgID), workflows.StateKey.ValueSet(workflows.PhaseValidating)),
		StaticSummary: fmt.Sprintf("CSV job %s: %s (%d rows) into %s ↔ %s", job.ID, job.FileName, job.Rows, ref.team, grant.OrgID),
	}, workflows.JobWorkflowName, workflows.JobInput{
		Job: activities.JobRef{ID: job.ID, Workspace: ref.team, OrgID: grant.OrgID, OrgURL: grant.OrgURL, ConnectionID: grant.ConnectionID,
			SlackColumn: job.SlackColumn, SalesforceColumn: job.SalesforceColumn, Rows: job.Rows, CreatedBy: as},
		AutoApprove: yes,
		Settings:    a.env.Config.Jobs,
	})
	if err != nil {
		return fmt.Errorf("start job %s: %w", job.ID, err)
	}
	if detach {
		if a.output == "json" {
			return a.printJSON(map[string]any{"job_id": job.ID, "rows": job.Rows})
		}
		fmt.Fprintf(a.env.Out, "Job %s started (%d rows). Follow it with `starter jobs status %s`.\n", job.ID, job.Rows, job.ID)
		return nil
	}
	s, err := a.followJob(ctx, job.ID, job.Rows)
	if err != nil {
		return err
	}
	return a.printJob(s)
}

// checkFile refuses, before anything else, a file that is not CSV, has no
// usable header or is too large.
func checkFile(path string) (mappingcsv.Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return mappingcsv.Summary{}, fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	s, err := mappingcsv.Check(f, mappingcsv.Limits{})
	if err != nil {
		return s, fmt.Errorf("%s refused, no job started: %w", filepath.Base(path), err)
	}
	return s, nil
}

// upload streams the file's rows into the store, where any worker reads
// them. Malformed rows and rows repeating a key are refused here with their
// reason; every other row waits for validation. Reading the file and
// writing the store overlap: a goroutine writes each chunk while the next
// is read (on a million rows, the two take about as long).
func (a *app) upload(ctx context.Context, st store.Store, job store.Job, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := mappingcsv.NewReader(f, mappingcsv.Limits{})
	if err != nil {
		return err
	}
	bar := a.bar(job.Rows, "uploading")
	defer func() { _ = bar.Finish() }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan uploadedChunk, 1)
	written := make(chan error, 1)
	go func() {
		err := writeUploadedChunks(ctx, st, job.ID, chunks, bar)
		if err != nil {
			cancel() // the reader stops at its next chunk
		}
		written <- err
	}()
	rerr := readUploadChunks(ctx, r, job.Rows, chunks)
	close(chunks)
	if rerr != nil {
		cancel()
	}
	werr := <-written
	switch {
	case werr != nil && !errors.Is(werr, context.Canceled):
		return werr // the store's failure, which stopped the reader
	case rerr != nil:
		return fmt.Errorf("%s: %w", filepath.Base(path), rerr)
	}
	return werr
}

// uploadedChunk is one store write of the upload: its rows, and those of
// them refused at once.
type uploadedChunk struct {
	no      int
	rows    []store.JobRow
	refused []store.JobRow
}

// readUploadChunks reads the file's rows into chunks of uploadChunk rows,
// refusing malformed rows and duplicates; it stops early when ctx ends
// (the writer failed).
func readUploadChunks(ctx context.Context, r *mappingcsv.Reader, rows int, out chan<- uploadedChunk) error {
	// Keys seen, case-insensitively, with their line: a later row with the
	// same member or user is a duplicate. Sized for the file: growing two
	// maps of a million keys took longer than reading the file.
	slackSeen, sfSeen := make(map[string]int, rows), make(map[string]int, rows)
	c := uploadedChunk{rows: make([]store.JobRow, 0, uploadChunk)}
	send := func() error {
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		c = uploadedChunk{no: c.no + 1, rows: make([]store.JobRow, 0, uploadChunk)}
		return nil
	}
	for seq := 0; ; seq++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		row := store.JobRow{Seq: seq, Line: rec.Line, SlackKey: rec.Slack, SalesforceKey: rec.Salesforce}
		var why string
		var malformed *mappingcsv.Error
		switch {
		case errors.As(rec.Err, &malformed):
			why = "malformed row: " + malformed.Reason
		case rec.Err != nil:
			why = "malformed row: " + rec.Err.Error()
		default:
			sk, fk := strings.ToLower(rec.Slack), strings.ToLower(rec.Salesforce)
			if line, dup := slackSeen[sk]; dup {
				why = fmt.Sprintf("duplicate in the file: the member is on line %d too", line)
			} else if line, dup := sfSeen[fk]; dup {
				why = fmt.Sprintf("duplicate in the file: the Salesforce user is on line %d too", line)
			} else {
				slackSeen[sk], sfSeen[fk] = rec.Line, rec.Line
			}
		}
		c.rows = append(c.rows, row)
		if why != "" {
			row.Plan, row.Outcome, row.Reason = store.OutcomeRefused, store.OutcomeRefused, why
			c.refused = append(c.refused, row)
		}
		if len(c.rows) == uploadChunk {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(c.rows) == 0 {
		return nil
	}
	return send()
}

// writeUploadedChunks appends each chunk's rows to the job in the store, in
// order, and ends the rows refused at upload with their reason. After an
// error it drains in, so that the reader never blocks.
func writeUploadedChunks(ctx context.Context, st store.Store, jobID string, in <-chan uploadedChunk, bar *progressbar.ProgressBar) error {
	var failed error
	for c := range in {
		if failed != nil {
			continue
		}
		failed = writeUploadedChunk(ctx, st, jobID, c)
		if failed == nil {
			_ = bar.Add(len(c.rows))
		}
	}
	return failed
}

func writeUploadedChunk(ctx context.Context, st store.Store, jobID string, c uploadedChunk) error {
	if err := st.AppendJobRows(ctx, jobID, c.rows); err != nil {
		return err
	}
	if len(c.refused) == 0 {
		return nil
	}
	_, err := st.UpdateJobRows(ctx, fmt.Sprintf("upload/%s/%d", jobID, c.no), jobID, c.refused, nil)
	return err
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
