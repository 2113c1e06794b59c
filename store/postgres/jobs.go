package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// PostgreSQL writes a job's rows with COPY:
//   - AppendJobRows: COPY straight into job_rows, inside a savepoint. Only
//     a retried append meets rows already stored; its COPY fails on the
//     primary key, the savepoint is rolled back, and the rows go through a
//     staging table and INSERT … ON CONFLICT DO NOTHING instead.
//   - UpdateJobRows: COPY into a staging table, then one UPDATE … FROM.
//
// Every write keeps job_counts in step (see sqlcore.JobDeltas), in its
// transaction. The writers of a job's rows lock the job's row in jobs:
// AppendJobRows and UpdateJobRows FOR SHARE (batches run side by side),
// SettleJobInvitations and CancelJobRows FOR UPDATE (alone), so that the
// statuses a write reads to move the counts cannot change under it.

// The locks pgJob takes on the job's row.
const (
	pgNoLock     = ""
	pgLockShared = " FOR SHARE"
	pgLockAlone  = " FOR UPDATE"
)

// pgQuerier is a *pgx.Conn or a pgx.Tx.
type pgQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgJob reads what the job methods need of a job, taking lock (one of
// pgNoLock, pgLockShared, pgLockAlone) on its row until the transaction
// ends; ErrNoJob when there is none.
func pgJob(ctx context.Context, q pgQuerier, id string, lock string) (*sqlcore.JobRef, error) {
	var j sqlcore.JobRef
	var reason *string
	var at *time.Time
	err := q.QueryRow(ctx, `SELECT num, connection_id, cancel_reason, cancelled_at FROM jobs WHERE id = $1`+lock, id).
		Scan(&j.Num, &j.ConnectionID, &reason, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("job %q: %w", id, store.ErrNoJob)
	}
	if err != nil {
		return nil, fmt.Errorf("read job %q: %w", id, err)
	}
	if reason != nil {
		j.Cancelled, j.CancelReason, j.CancelledAt = true, *reason, pgTimeOf(at)
	}
	return &j, nil
}

// scanPGJobRow reads the jobRowCols of one row.
func scanPGJobRow(row pgx.Row) (store.JobRow, error) {
	var r store.JobRow
	var plan, outcome string
	var updated *time.Time
	err := row.Scan(&r.Seq, &r.Line, &r.SlackKey, &r.SalesforceKey,
		&r.SlackUserID, &r.SlackEmail, &r.SlackName, &r.SalesforceUserID, &r.SalesforceUsername, &r.SalesforceEmail,
		&plan, &outcome, &r.Reason, &r.Moves, &updated)
	r.Plan, r.Outcome, r.UpdatedAt = store.Outcome(plan), store.Outcome(outcome), pgTimeOf(updated)
	return r, err
}

// pgWriteCounts adds deltas to the job's counts, in key order.
func pgWriteCounts(ctx context.Context, tx pgx.Tx, job *sqlcore.JobRef, deltas sqlcore.JobDeltas) error {
	ds := deltas.Sorted()
	if len(ds) == 0 {
		return nil
	}
	outcomes, plans, moves, reasons, ns := make([]string, len(ds)), make([]string, len(ds)), make([]bool, len(ds)), make([]string, len(ds)), make([]int64, len(ds))
	for i, d := range ds {
		outcomes[i], plans[i], moves[i], reasons[i], ns[i] = string(d.Outcome), string(d.Plan), d.Moves, d.Reason, int64(d.N)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO job_counts (job, outcome, plan, moves, reason, n)
		SELECT $1, o, p, m, r, n FROM unnest($2::text[], $3::text[], $4::boolean[], $5::text[], $6::bigint[]) WITH ORDINALITY AS d(o, p, m, r, n, i)
		ORDER BY i
		ON CONFLICT (job, outcome, plan, moves, reason) DO UPDATE SET n = job_counts.n + excluded.n`,
		job.Num, outcomes, plans, moves, reasons, ns); err != nil {
		return fmt.Errorf("counts: %w", err)
	}
	return nil
}

// pgCount sums the job's counts matching cond (on job_counts' columns; $1
// is the job).
func pgCount(ctx context.Context, q pgQuerier, job *sqlcore.JobRef, cond string, args ...any) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT coalesce(sum(n), 0) FROM job_counts WHERE job = $1 AND `+cond,
		append([]any{job.Num}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counts: %w", err)
	}
	return n, nil
}

// CreateJob inserts the job; ErrJobExists when its id is taken.
func (s *pgStore) CreateJob(ctx context.Context, j store.Job) error {
	j, err := sqlcore.PrepareJob(j, time.Now())
	if err != nil {
		return fmt.Errorf("store: create job: %w", err)
	}
	var tag pgconn.CommandTag
	err = s.pool.with(ctx, func(c *pgx.Conn) (err error) {
		tag, err = c.Exec(ctx, `INSERT INTO jobs (`+sqlcore.JobCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO NOTHING`,
			j.ID, j.Workspace, j.OrgID, j.ConnectionID, j.FileName, j.CreatedBy, j.SlackColumn, j.SalesforceColumn,
			j.Rows, j.CreatedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create job %s: %w", j.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: create job %s: %w", j.ID, store.ErrJobExists)
	}
	return nil
}

// GetJob reads one job.
func (s *pgStore) GetJob(ctx context.Context, id string) (store.Job, bool, error) {
	var j store.Job
	var created time.Time
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT `+sqlcore.JobCols+` FROM jobs WHERE id = $1`, id).Scan(
			&j.ID, &j.Workspace, &j.OrgID, &j.ConnectionID, &j.FileName, &j.CreatedBy, &j.SlackColumn, &j.SalesforceColumn,
			&j.Rows, &created)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Job{}, false, nil
	}
	if err != nil {
		return store.Job{}, false, fmt.Errorf("store: get job %s: %w", id, err)
	}
	j.CreatedAt = created.UTC()
	return j, true, nil
}

// jobRowInsertCols are the columns AppendJobRows writes.
var jobRowInsertCols = []string{"job", "seq", "line", "slack_key", "salesforce_key"}

// AppendJobRows copies the rows in, falling back to a staged INSERT … ON
// CONFLICT DO NOTHING when some are already stored (a retry), and counts
// those it inserted.
func (s *pgStore) AppendJobRows(ctx context.Context, jobID string, rows []store.JobRow) error {
	rows, err := sqlcore.PrepareJobRows(rows)
	if err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	if len(rows) == 0 {
		return nil
	}
	err = s.pool.inTx(ctx, func(tx pgx.Tx) error {
		job, err := pgJob(ctx, tx, jobID, pgLockShared)
		if err != nil {
			return err
		}
		args := make([]any, 5)
		source := func() pgx.CopyFromSource {
			return pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				r := &rows[i]
				args[0], args[1], args[2], args[3], args[4] = job.Num, int32(r.Seq), int32(r.Line), r.SlackKey, r.SalesforceKey
				return args, nil
			})
		}
		inserted, err := pgCopyJobRows(ctx, tx, source)
		if err != nil {
			return err
		}
		return pgWriteCounts(ctx, tx, job, sqlcore.JobDeltas{sqlcore.FreshStatus: int(inserted)})
	})
	if err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	s.stats.grew("job_rows", int64(len(rows)))
	return nil
}

// pgCopyJobRows copies the rows of source (made twice at most) into
// job_rows, keeping the rows already stored, and returns how many it
// inserted.
func pgCopyJobRows(ctx context.Context, tx pgx.Tx, source func() pgx.CopyFromSource) (int64, error) {
	sp, err := tx.Begin(ctx) // a savepoint
	if err != nil {
		return 0, err
	}
	n, err := sp.CopyFrom(ctx, pgx.Identifier{"job_rows"}, jobRowInsertCols, source())
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return n, sp.Commit(ctx)
	case !errors.As(err, &pgErr) || pgErr.Code != "23505": // unique_violation
		return 0, fmt.Errorf("copy: %w", err)
	}
	if err := sp.Rollback(ctx); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE job_rows_new (LIKE job_rows INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return 0, fmt.Errorf("stage: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"job_rows_new"}, jobRowInsertCols, source()); err != nil {
		return 0, fmt.Errorf("copy: %w", err)
	}
	cols := sqlcore.JoinCols(jobRowInsertCols)
	tag, err := tx.Exec(ctx, `INSERT INTO job_rows (`+cols+`) SELECT `+cols+` FROM job_rows_new ORDER BY seq
		ON CONFLICT (job, seq) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("insert: %w", err)
	}
	return tag.RowsAffected(), nil
}

// JobRows reads a range of rows by primary key.
func (s *pgStore) JobRows(ctx context.Context, jobID string, from, to int) ([]store.JobRow, error) {
	out := []store.JobRow{}
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		job, err := pgJob(ctx, c, jobID, pgNoLock)
		if err != nil {
			return err
		}
		out, err = pgJobRowPage(ctx, c, job, int64(from), int64(to), nil, out)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: rows of job %s: %w", jobID, err)
	}
	return out, nil
}

// pgJobRowPage appends to dst the rows with from <= seq < to, at most limit
// of them (nil: all), ordered by seq.
func pgJobRowPage(ctx context.Context, c *pgx.Conn, job *sqlcore.JobRef, from, to int64, limit any, dst []store.JobRow) ([]store.JobRow, error) {
	rows, err := c.Query(ctx, `SELECT `+sqlcore.JobRowCols+` FROM job_rows
		WHERE job = $1 AND seq >= $2::bigint AND seq < $3::bigint ORDER BY seq LIMIT $4`, job.Num, from, to, limit)
	if err != nil {
		return dst, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanPGJobRow(rows)
		if err != nil {
			return dst, err
		}
		job.Settle(&r)
		dst = append(dst, r)
	}
	return dst, rows.Err()
}

// StreamJobRows reads keyset pages of jobPageSize rows (seq > the last one
// seen) and hands each to fn once it is read, so no connection is held
// while fn runs.
func (s *pgStore) StreamJobRows(ctx context.Context, jobID string, fn func(store.JobRow) error) error {
	var job *sqlcore.JobRef
	err := s.pool.with(ctx, func(c *pgx.Conn) (err error) {
		job, err = pgJob(ctx, c, jobID, pgNoLock)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: stream rows of job %s: %w", jobID, err)
	}
	page := make([]store.JobRow, 0, sqlcore.JobPageSize)
	var from int64
	for {
		page = page[:0]
		err := s.pool.with(ctx, func(c *pgx.Conn) (err error) {
			page, err = pgJobRowPage(ctx, c, job, from, sqlcore.MaxSeq, sqlcore.JobPageSize, page)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: stream rows of job %s: %w", jobID, err)
		}
		if s.pageHook != nil {
			s.pageHook(len(page))
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < sqlcore.JobPageSize {
			return nil
		}
		from = int64(page[len(page)-1].Seq) + 1
	}
}

// pgUpdateJobRows rewrites the staged rows of job $1, whose seqs lie in
// [$2, $3]: the bounds keep any plan of the join within the batch's range
// of the primary key, whatever the size of the job (a hash join over the
// job's every row was a cost per batch that grew with the job).
var pgUpdateJobRows = func() string {
	set := make([]string, len(sqlcore.JobRowUpdateCols))
	for i, c := range sqlcore.JobRowUpdateCols {
		set[i] = c + " = u." + c
	}
	return "UPDATE job_rows j SET " + strings.Join(set, ", ") +
		" FROM job_rows_in u WHERE j.job = $1 AND j.seq >= $2 AND j.seq <= $3 AND j.seq = u.seq"
}()

// UpdateJobRows stages the rows with COPY, rewrites them with one UPDATE …
// FROM and merges the mappings, in one transaction with the key's record.
func (s *pgStore) UpdateJobRows(ctx context.Context, key, jobID string, rows []store.JobRow, mappings []store.Mapping) (store.ApplyResult, error) {
	return s.updateJobRows(ctx, key, jobID, rows, mappings, nil)
}

// ApplyPlannedJobRows: see Store.
func (s *pgStore) ApplyPlannedJobRows(ctx context.Context, key, jobID string, from, to int, rows []store.JobRow, mappings []store.Mapping) (store.ApplyResult, error) {
	return s.updateJobRows(ctx, key, jobID, rows, mappings, &sqlcore.SeqRange{From: from, To: to})
}

func (s *pgStore) updateJobRows(ctx context.Context, key, jobID string, rows []store.JobRow, mappings []store.Mapping, planned *sqlcore.SeqRange) (store.ApplyResult, error) {
	now := time.Now()
	rows, err := sqlcore.PrepareJobUpdates(rows, now)
	if err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	var res store.ApplyResult
	err = s.pool.inTx(ctx, func(tx pgx.Tx) error {
		if key != "" {
			prev, found, err := pgClaimKey(ctx, tx, key, sqlcore.KindJobRows)
			if err != nil {
				return err
			}
			if found {
				if err := json.Unmarshal(prev, &res); err != nil {
					return fmt.Errorf("key %q: %w", key, err)
				}
				res.Replayed = true
				return nil
			}
		}
		job, err := pgJob(ctx, tx, jobID, pgLockShared)
		if err != nil {
			return err
		}
		ms, err := sqlcore.PrepareJobMappings(mappings, job.ConnectionID, now)
		if err != nil {
			return err
		}
		if err := pgWriteJobRows(ctx, tx, job, rows); err != nil {
			return err
		}
		if planned != nil {
			if err := pgApplyPlans(ctx, tx, job, *planned, now); err != nil {
				return err
			}
		}
		if res, err = pgWriteMappings(ctx, tx, ms); err != nil {
			return fmt.Errorf("mappings: %w", err)
		}
		if key != "" {
			return pgSaveKey(ctx, tx, key, res)
		}
		return nil
	})
	if err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	if !res.Replayed {
		s.stats.grew("mappings", int64(res.Inserted))
	}
	return res, nil
}

// pgApplyPlans gives each planned row of r without an outcome its plan as
// outcome, with one UPDATE over the key's range, and moves its count.
func pgApplyPlans(ctx context.Context, tx pgx.Tx, job *sqlcore.JobRef, r sqlcore.SeqRange, now time.Time) error {
	counts, err := tx.Query(ctx, `WITH u AS (
		UPDATE job_rows SET outcome = plan, updated_at = $4
		WHERE job = $1 AND seq >= $2 AND seq < $3 AND outcome = '' AND plan <> ''
		RETURNING plan, moves, reason)
		SELECT plan, moves, reason, count(*) FROM u GROUP BY 1, 2, 3`, job.Num, r.From, r.To, sqlcore.UTCMicro(now))
	if err != nil {
		return fmt.Errorf("apply plans: %w", err)
	}
	deltas := sqlcore.JobDeltas{}
	for counts.Next() {
		var k sqlcore.JobStatus
		var n int
		if err := counts.Scan(&k.Plan, &k.Moves, &k.Reason, &n); err != nil {
			counts.Close()
			return fmt.Errorf("apply plans: %w", err)
		}
		deltas.PlanApplied(k, n)
	}
	counts.Close()
	if err := counts.Err(); err != nil {
		return fmt.Errorf("apply plans: %w", err)
	}
	return pgWriteCounts(ctx, tx, job, deltas)
}

// pgWriteJobRows rewrites rows of job inside tx; every one must be stored.
func pgWriteJobRows(ctx context.Context, tx pgx.Tx, job *sqlcore.JobRef, rows []store.JobRow) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE job_rows_in (seq integer PRIMARY KEY,
		slack_user_id text, slack_email text, slack_name text,
		salesforce_user_id text, salesforce_username text, salesforce_email text,
		plan text, outcome text, reason text, moves boolean, updated_at timestamptz) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	args := make([]any, 1+len(sqlcore.JobRowUpdateCols))
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"job_rows_in"}, append([]string{"seq"}, sqlcore.JobRowUpdateCols...),
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			args = append(args[:0], int32(r.Seq),
				r.SlackUserID, r.SlackEmail, r.SlackName, r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail,
				string(r.Plan), string(r.Outcome), r.Reason, r.Moves, r.UpdatedAt)
			return args, nil
		}))
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	// The rows' statuses before: what the counts lose. Every row must be
	// found. The rows are locked as they are read (in Seq order, the
	// staging table's): a concurrent write of the same rows waits, then
	// reads what this one wrote, so that no status is counted out twice.
	deltas := sqlcore.JobDeltas{}
	for i := range rows {
		deltas[sqlcore.StatusOf(&rows[i])]++
	}
	lo, hi := rows[0].Seq, rows[len(rows)-1].Seq // rows are sorted by seq
	old, err := tx.Query(ctx, `SELECT outcome, plan, moves, reason, count(*) FROM (
		SELECT j.outcome, j.plan, j.moves, j.reason FROM job_rows_in u
		JOIN job_rows j ON j.job = $1 AND j.seq >= $2 AND j.seq <= $3 AND j.seq = u.seq FOR UPDATE OF j) o
		GROUP BY 1, 2, 3, 4`, job.Num, lo, hi)
	if err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	found := 0
	for old.Next() {
		var k sqlcore.JobStatus
		var n int
		if err := old.Scan(&k.Outcome, &k.Plan, &k.Moves, &k.Reason, &n); err != nil {
			old.Close()
			return fmt.Errorf("read statuses: %w", err)
		}
		deltas[k] -= n
		found += n
	}
	old.Close()
	if err := old.Err(); err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	if found != len(rows) {
		var missing int
		if err := tx.QueryRow(ctx, `SELECT seq FROM job_rows_in u
			WHERE NOT EXISTS (SELECT 1 FROM job_rows WHERE job = $1 AND seq = u.seq) ORDER BY seq LIMIT 1`, job.Num).Scan(&missing); err != nil {
			return fmt.Errorf("%d of %d rows found: %w", found, len(rows), err)
		}
		return fmt.Errorf("row seq %d is not in the job", missing)
	}
	if _, err := tx.Exec(ctx, pgUpdateJobRows, job.Num, lo, hi); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return pgWriteCounts(ctx, tx, job, deltas)
}

// JobCounts reads the job's counts (job_counts).
func (s *pgStore) JobCounts(ctx context.Context, jobID string) (store.JobCounts, error) {
	var out store.JobCounts
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		job, err := pgJob(ctx, c, jobID, pgNoLock)
		if err != nil {
			return err
		}
		rows, err := c.Query(ctx, `SELECT outcome, plan, moves, reason, n FROM job_counts WHERE job = $1`, job.Num)
		if err != nil {
			return err
		}
		defer rows.Close()
		cnt := sqlcore.NewJobCounter(job)
		for rows.Next() {
			var outcome, plan, reason string
			var moves bool
			var n int
			if err := rows.Scan(&outcome, &plan, &moves, &reason, &n); err != nil {
				return err
			}
			cnt.Add(store.Outcome(outcome), store.Outcome(plan), moves, reason, n)
		}
		out = cnt.Counts()
		return rows.Err()
	})
	if err != nil {
		return store.JobCounts{}, fmt.Errorf("store: count rows of job %s: %w", jobID, err)
	}
	return out, nil
}

// pgSettleClassify finds the invited rows of job $1 to change at $3 (see
// sqliteSettleClassify), probing each member's mapping in connection $2
// once, by primary key (a LATERAL subquery with LIMIT is a nested loop
// whatever the statistics say: a freshly loaded job has none, and the
// planner, guessing a few invited rows, chose a nested loop over all of the
// connection's linked mappings instead, for 1m45s on 100,000 rows).
const pgSettleClassify = `CREATE TEMP TABLE settle_in ON COMMIT DROP AS
	SELECT seq, kind, plan, moves, reason FROM (
		SELECT j.seq, j.plan, j.moves, j.reason, coalesce(k.kind, 2) AS kind
		FROM job_rows j LEFT JOIN LATERAL (
			SELECT CASE
				WHEN m.salesforce_user_id <> j.salesforce_user_id THEN 2
				WHEN m.state = 'linked' THEN 1
				WHEN m.state = 'invited' AND (m.invite_expires_at IS NULL OR m.invite_expires_at > $3) THEN 0
				ELSE 2 END AS kind
			FROM mappings m WHERE m.connection_id = $2 AND m.slack_user_id = j.slack_user_id LIMIT 1) k ON true
		WHERE j.job = $1 AND j.outcome = 'invited') c
	WHERE kind = 1 OR (kind = 2 AND reason <> $4)`

// SettleJobInvitations classifies the job's invited rows into settle_in,
// then changes each kind with one UPDATE, and moves the counts, in one
// transaction that has the job to itself.
func (s *pgStore) SettleJobInvitations(ctx context.Context, jobID string, now time.Time) (linked, expired, waiting int, err error) {
	now = sqlcore.UTCMicro(now)
	err = s.pool.inTx(ctx, func(tx pgx.Tx) error {
		job, err := pgJob(ctx, tx, jobID, pgLockAlone)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, pgSettleClassify, job.Num, job.ConnectionID, now, store.JobInvitationExpired); err != nil {
			return fmt.Errorf("classify: %w", err)
		}
		tag, err := tx.Exec(ctx, `UPDATE job_rows j SET outcome = 'linked', reason = '', updated_at = $2
			FROM settle_in s WHERE j.job = $1 AND j.seq = s.seq AND s.kind = $3`, job.Num, now, sqlcore.SettleLinked)
		if err != nil {
			return fmt.Errorf("link: %w", err)
		}
		linked = int(tag.RowsAffected())
		if tag, err = tx.Exec(ctx, `UPDATE job_rows j SET reason = $4, updated_at = $2
			FROM settle_in s WHERE j.job = $1 AND j.seq = s.seq AND s.kind = $3`, job.Num, now, sqlcore.SettleExpired, store.JobInvitationExpired); err != nil {
			return fmt.Errorf("expire: %w", err)
		}
		expired = int(tag.RowsAffected())
		rows, err := tx.Query(ctx, `SELECT kind, plan, moves, reason, count(*) FROM settle_in GROUP BY 1, 2, 3, 4`)
		if err != nil {
			return fmt.Errorf("counts: %w", err)
		}
		deltas := sqlcore.JobDeltas{}
		for rows.Next() {
			var kind int
			var k sqlcore.JobStatus
			var cnt int
			if err := rows.Scan(&kind, &k.Plan, &k.Moves, &k.Reason, &cnt); err != nil {
				rows.Close()
				return fmt.Errorf("counts: %w", err)
			}
			k.Outcome = store.OutcomeInvited
			deltas[k] -= cnt
			if kind == sqlcore.SettleLinked {
				k.Outcome, k.Reason = store.OutcomeLinked, ""
			} else {
				k.Reason = store.JobInvitationExpired
			}
			deltas[k] += cnt
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("counts: %w", err)
		}
		if err := pgWriteCounts(ctx, tx, job, deltas); err != nil {
			return err
		}
		waiting, err = pgCount(ctx, tx, job, `outcome = 'invited' AND reason <> $2`, store.JobInvitationExpired)
		return err
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
	}
	return linked, expired, waiting, nil
}

// CancelJobRows records the cancellation on the job (its row locked, so
// that two cancellations do not both count, nor a batch write beside it)
// and counts the rows it ends.
func (s *pgStore) CancelJobRows(ctx context.Context, jobID, reason string) (int, error) {
	if reason == "" {
		return 0, fmt.Errorf("store: cancel job %s: empty reason", jobID)
	}
	var n int
	err := s.pool.inTx(ctx, func(tx pgx.Tx) error {
		job, err := pgJob(ctx, tx, jobID, pgLockAlone)
		if err != nil || job.Cancelled {
			return err
		}
		if n, err = pgCount(ctx, tx, job, `outcome = ''`); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE jobs SET cancel_reason = $1, cancelled_at = $2 WHERE num = $3`,
			reason, sqlcore.UTCMicro(time.Now()), job.Num)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: cancel job %s: %w", jobID, err)
	}
	return n, nil
}
