package sfclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sfconnect/sfconnect/mappingcsv"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

// uploadChunk is how many rows one store write carries.
const uploadChunk = 20000

// Import is one CSV file to map members from.
type Import struct {
	Team, OrgID string
	// Path is the file, read twice: checked whole before any job starts,
	// then uploaded.
	Path string
	// Request names the file and carries who imports.
	Request workflows.ImportRequest
	// AutoApprove is --yes: a job without risks is approved by its creator.
	AutoApprove bool
	// Uploaded, when set, is told the file's rows and how many rows each
	// store write carried (for a progress bar).
	Uploaded func(total, rows int)
}

// CheckFile refuses, before anything else, a file that is not CSV, has no
// usable header or is too large.
func CheckFile(path, name string) (mappingcsv.Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return mappingcsv.Summary{}, fmt.Errorf("cannot read %s: %w", name, err)
	}
	defer f.Close()
	s, err := mappingcsv.Check(f, mappingcsv.Limits{})
	if err != nil {
		return s, fmt.Errorf("%s refused, no job started: %w", name, err)
	}
	return s, nil
}

// StartImport checks the file, asks the connection for a job (the
// caller's role is checked there, and the connection starts the job,
// which waits for its rows), uploads the rows into the store and tells the
// job they are there. An upload that fails is told too: the job ends, and
// the rows that arrived with it. It returns the job's id and its number
// of rows.
func (c *Client) StartImport(ctx context.Context, in Import) (string, int, error) {
	name := in.Request.FileName
	summary, err := CheckFile(in.Path, name)
	if err != nil {
		return "", 0, err
	}
	if c.Store == nil {
		return "", 0, errors.New("no store to upload the rows to (DATABASE_URL)")
	}
	req := in.Request
	req.AutoApprove = in.AutoApprove
	var grant workflows.ImportGrant
	if err := c.ConnectionUpdate(ctx, in.Team, in.OrgID, workflows.UpdateImport, req, &grant); err != nil {
		return "", 0, err
	}
	job := store.Job{
		ID: grant.JobID, Workspace: in.Team, OrgID: grant.OrgID, ConnectionID: grant.ConnectionID,
		FileName: name, CreatedBy: in.Request.As, Rows: summary.Rows,
		SlackColumn: summary.Header.Slack.String(), SalesforceColumn: summary.Header.Salesforce.String(),
	}
	err = c.Store.CreateJob(ctx, job)
	if err == nil {
		// A job that no longer waits for its rows (it waited longer than
		// its UploadTTL) gets none: rows appended from now on end with it,
		// as its end marks the stored job.
		err = c.requireUploading(ctx, job.ID)
	}
	if err == nil {
		err = c.upload(ctx, job, in.Path, summary.Encoding, in.Uploaded)
	}
	if err != nil {
		c.uploadFailed(ctx, job.ID, err)
		return "", 0, fmt.Errorf("%s: %w", name, err)
	}
	var s workflows.JobStatus
	if err := c.Update(ctx, workflows.JobWorkflowID(job.ID), workflows.UpdateJobUploaded, workflows.JobUpload{Encoding: string(summary.Encoding)}, &s); err != nil {
		return "", 0, fmt.Errorf("job %s: %w", job.ID, err)
	}
	return job.ID, job.Rows, nil
}

// requireUploading refuses to upload into a job that waits for no rows.
func (c *Client) requireUploading(ctx context.Context, jobID string) error {
	s, err := c.Job(ctx, jobID)
	if err != nil {
		return err
	}
	if s.Phase != workflows.PhaseUploading {
		return fmt.Errorf("job %s is %s: it takes no rows any more", jobID, s.Phase)
	}
	return nil
}

// uploadFailed tells the job that its upload failed, so that it ends now
// rather than after its UploadTTL; even when ctx has ended (the caller
// gave up), for a little while.
func (c *Client) uploadFailed(ctx context.Context, jobID string, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = c.Update(ctx, workflows.JobWorkflowID(jobID), workflows.UpdateJobUploaded, workflows.JobUpload{Failed: Bound(cause.Error())}, nil)
}

// upload streams the file's rows into the store, where any worker reads
// them. Malformed rows and rows repeating a key are refused here with their
// reason; every other row waits for validation. Reading the file and
// writing the store overlap: a goroutine writes each chunk while the next
// is read (on a million rows, the two take about as long).
func (c *Client) upload(ctx context.Context, job store.Job, path string, enc mappingcsv.Encoding, uploaded func(total, rows int)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// In the encoding the check found reading the whole file.
	r, err := mappingcsv.NewReaderIn(f, enc, mappingcsv.Limits{})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan uploadedChunk, 1)
	written := make(chan error, 1)
	go func() {
		err := writeUploadedChunks(ctx, c.Store, job.ID, chunks, func(n int) {
			if uploaded != nil {
				uploaded(job.Rows, n)
			}
		})
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
func writeUploadedChunks(ctx context.Context, st store.Store, jobID string, in <-chan uploadedChunk, uploaded func(int)) error {
	var failed error
	for c := range in {
		if failed != nil {
			continue
		}
		failed = writeUploadedChunk(ctx, st, jobID, c)
		if failed == nil && uploaded != nil {
			uploaded(len(c.rows))
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
