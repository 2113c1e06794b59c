package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// SQLite keeps a job's rows in chunks of jobChunkRows consecutive Seqs
// (jobchunk.go), one row of job_chunks each. Every method reads the
// chunks a range of Seqs spans, and a write changes them in memory and
// writes back those it changed, inside the writer's transaction (BEGIN
// IMMEDIATE): no other write can come between the read and the write
// back. Every write keeps job_counts in step (see sqlcore.JobDeltas), in its
// transaction, and each chunk records how many of its rows are invited, so
// that following the invitations skips the chunks with none.

// sqliteJobChunk is how many counts one multi-row statement carries.
const sqliteJobChunk = 200

// sqliteQuerier is a *sql.DB or a *sql.Tx.
type sqliteQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// sqliteJob reads what the job methods need of a job; ErrNoJob when there
// is none.
func sqliteJob(ctx context.Context, q sqliteQuerier, id string) (*sqlcore.JobRef, error) {
	var j sqlcore.JobRef
	var reason sql.NullString
	var at sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT num, connection_id, cancel_reason, cancelled_at FROM jobs WHERE id = ?`, id).
		Scan(&j.Num, &j.ConnectionID, &reason, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("job %q: %w", id, store.ErrNoJob)
	}
	if err != nil {
		return nil, fmt.Errorf("read job %q: %w", id, err)
	}
	j.Cancelled, j.CancelReason, j.CancelledAt = reason.Valid, reason.String, sqliteTimeOf(at)
	return &j, nil
}

// sqliteWriteCounts adds deltas to the job's counts.
func sqliteWriteCounts(ctx context.Context, tx *sql.Tx, job *sqlcore.JobRef, deltas sqlcore.JobDeltas) error {
	ds := deltas.Sorted()
	args := make([]any, 0, min(len(ds), sqliteJobChunk)*6)
	for start := 0; start < len(ds); start += sqliteJobChunk {
		chunk := ds[start:min(start+sqliteJobChunk, len(ds))]
		args = args[:0]
		for _, d := range chunk {
			args = append(args, job.Num, string(d.Outcome), string(d.Plan), sqliteBool(d.Moves), d.Reason, d.N)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO job_counts (job, outcome, plan, moves, reason, n) VALUES `+
			valuesList(len(chunk), 6)+` ON CONFLICT (job, outcome, plan, moves, reason) DO UPDATE SET n = n + excluded.n`, args...); err != nil {
			return fmt.Errorf("counts: %w", err)
		}
	}
	return nil
}

// sqliteCount sums the job's counts matching cond (on job_counts' columns;
// ?1 is the job).
func sqliteCount(ctx context.Context, q sqliteQuerier, job *sqlcore.JobRef, cond string, args ...any) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM job_counts WHERE job = ?1 AND `+cond,
		append([]any{job.Num}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counts: %w", err)
	}
	return n, nil
}

// CreateJob inserts the job; ErrJobExists when its id is taken.
func (s *sqliteStore) CreateJob(ctx context.Context, j store.Job) error {
	j, err := sqlcore.PrepareJob(j, time.Now())
	if err != nil {
		return fmt.Errorf("store: create job: %w", err)
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO jobs (`+sqlcore.JobCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		j.ID, j.Workspace, j.OrgID, j.ConnectionID, j.FileName, j.CreatedBy, j.SlackColumn, j.SalesforceColumn,
		j.Rows, j.CreatedAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: create job %s: %w", j.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: create job %s: %w", j.ID, err)
	} else if n == 0 {
		return fmt.Errorf("store: create job %s: %w", j.ID, store.ErrJobExists)
	}
	return nil
}

// GetJob reads one job.
func (s *sqliteStore) GetJob(ctx context.Context, id string) (store.Job, bool, error) {
	var j store.Job
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT `+sqlcore.JobCols+` FROM jobs WHERE id = ?`, id).Scan(
		&j.ID, &j.Workspace, &j.OrgID, &j.ConnectionID, &j.FileName, &j.CreatedBy, &j.SlackColumn, &j.SalesforceColumn,
		&j.Rows, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Job{}, false, nil
	}
	if err != nil {
		return store.Job{}, false, fmt.Errorf("store: get job %s: %w", id, err)
	}
	j.CreatedAt = time.UnixMicro(created).UTC()
	return j, true, nil
}

// read runs fn in a read transaction on a reader: one snapshot of the
// database for all its statements.
func (s *sqliteStore) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// JobCounts reads the job's counts (job_counts).
func (s *sqliteStore) JobCounts(ctx context.Context, jobID string) (store.JobCounts, error) {
	var out store.JobCounts
	err := s.read(ctx, func(tx *sql.Tx) error {
		job, err := sqliteJob(ctx, tx, jobID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT outcome, plan, moves, reason, n FROM job_counts WHERE job = ?`, job.Num)
		if err != nil {
			return err
		}
		defer rows.Close()
		c := sqlcore.NewJobCounter(job)
		for rows.Next() {
			var outcome, plan, reason string
			var moves int64
			var n int
			if err := rows.Scan(&outcome, &plan, &moves, &reason, &n); err != nil {
				return err
			}
			c.Add(store.Outcome(outcome), store.Outcome(plan), moves != 0, reason, n)
		}
		out = c.Counts()
		return rows.Err()
	})
	if err != nil {
		return store.JobCounts{}, fmt.Errorf("store: count rows of job %s: %w", jobID, err)
	}
	return out, nil
}

// CancelJobRows records the cancellation on the job and counts the rows it
// ends (from job_counts), in one transaction.
func (s *sqliteStore) CancelJobRows(ctx context.Context, jobID, reason string) (int, error) {
	if reason == "" {
		return 0, fmt.Errorf("store: cancel job %s: empty reason", jobID)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: cancel job %s: %w", jobID, err)
	}
	defer tx.Rollback()
	job, err := sqliteJob(ctx, tx, jobID)
	if err != nil {
		return 0, fmt.Errorf("store: cancel job %s: %w", jobID, err)
	}
	if job.Cancelled {
		return 0, nil
	}
	n, err := sqliteCount(ctx, tx, job, `outcome = ''`)
	if err != nil {
		return 0, fmt.Errorf("store: cancel job %s: %w", jobID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET cancel_reason = ?, cancelled_at = ? WHERE num = ?`,
		reason, time.Now().UnixMicro(), job.Num); err != nil {
		return 0, fmt.Errorf("store: cancel job %s: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: cancel job %s: commit: %w", jobID, err)
	}
	return n, nil
}
