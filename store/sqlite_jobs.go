package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SQLite writes a job's rows in bulk:
//   - AppendJobRows: multi-row INSERT … ON CONFLICT DO NOTHING of
//     sqliteJobChunk rows into job_input (keys only), one prepared
//     statement, one transaction, in Seq order (appends at the end of the
//     (job, seq) key).
//   - UpdateJobRows: the batch goes by multi-row INSERTs into a TEMP table
//     (in memory: temp_store), then one UPDATE … FROM joins it to job_rows
//     by primary key. A per-row prepared UPDATE costs a statement
//     execution per row, which is most of the time at 10,000 rows. Rows
//     still in job_input (validation's first write of each row) are
//     inserted whole into job_rows instead, and deleted from job_input.
//     Rewriting them in place grew each from about 60 to 220 bytes and
//     split nearly every page: validating a million rows in batches of
//     10,000 (storetest JobTiming, the two versions one after the other,
//     twice) took 17.9 and 19.0 s in place, 12.4 and 12.3 s moved.
//
// Every write keeps job_counts in step (see jobDeltas), in its transaction.
// The rows are read back packed into one value each (sqlite_packed.go).

// jobRowTextCols are a job row's text values, in JobRow's order.
var jobRowTextCols = []string{
	"slack_key", "salesforce_key",
	"slack_user_id", "slack_email", "slack_name", "salesforce_user_id", "salesforce_username", "salesforce_email",
	"plan", "outcome", "reason",
}

// sqlitePackedJobRow renders a row packed (sqlite_packed.go): seq, line,
// moves and updated_at, then jobRowTextCols.
var sqlitePackedJobRow = packJobRow(func(col string) string { return col })

// sqlitePackedJobInput renders a row of job_input the same way: its keys,
// nothing resolved, planned or done yet.
var sqlitePackedJobInput = packJobRow(func(col string) string {
	switch col {
	case "seq", "line", "slack_key", "salesforce_key":
		return col
	case "moves":
		return "0"
	case "updated_at":
		return "NULL" // concat() reads NULL as empty
	}
	return "''"
})

// packJobRow builds the packed row from each column's expression.
func packJobRow(expr func(col string) string) string {
	texts := make([]string, len(jobRowTextCols))
	for i, c := range jobRowTextCols {
		texts[i] = expr(c)
	}
	return sqlitePack([]string{expr("seq"), expr("line"), expr("moves"), expr("updated_at")}, texts)
}

// parseSQLiteJobRow reads a sqlitePackedJobRow.
func parseSQLiteJobRow(p string) (JobRow, error) {
	var nums [4]int64
	var texts [11]string
	if err := sqliteUnpack(p, nums[:], texts[:]); err != nil {
		return JobRow{}, err
	}
	r := JobRow{
		Seq: int(nums[0]), Line: int(nums[1]), Moves: nums[2] != 0,
		SlackKey: texts[0], SalesforceKey: texts[1],
		SlackUserID: texts[2], SlackEmail: texts[3], SlackName: texts[4],
		SalesforceUserID: texts[5], SalesforceUsername: texts[6], SalesforceEmail: texts[7],
		Plan: Outcome(texts[8]), Outcome: Outcome(texts[9]), Reason: texts[10],
	}
	if nums[3] != 0 {
		r.UpdatedAt = time.UnixMicro(nums[3]).UTC()
	}
	return r, nil
}

// sqliteJobChunk is how many rows one multi-row statement of the job
// methods carries: 200 rows of at most 12 values, far below SQLite's limit
// of 32,766 bound parameters.
const sqliteJobChunk = 200

// sqliteInsertJobRows appends n rows (job, seq, line, slack_key,
// salesforce_key) to job_input; rows already stored, in either table, stay
// as they are.
func sqliteInsertJobRows(n int) string {
	return "INSERT INTO job_input (job, seq, line, slack_key, salesforce_key) SELECT * FROM (VALUES " + valuesList(n, 5) +
		") AS v WHERE NOT EXISTS (SELECT 1 FROM job_rows r WHERE r.job = v.column1 AND r.seq = v.column2)" +
		" ON CONFLICT (job, seq) DO NOTHING"
}

// sqliteMoveJobInput writes whole into job_rows the staged rows of job ?1
// still in job_input, their keys from there and the rest from the staging
// table, in Seq order; sqliteDropJobInput then deletes them there. The
// staging table drives the join (CROSS JOIN), probing job_input by key.
var sqliteMoveJobInput = "INSERT INTO job_rows (job, seq, line, slack_key, salesforce_key, " + joinCols(jobRowUpdateCols) + ")" +
	" SELECT i.job, i.seq, i.line, i.slack_key, i.salesforce_key, " + prefixCols("u", joinCols(jobRowUpdateCols)) +
	" FROM temp.job_rows_in AS u CROSS JOIN job_input AS i ON i.job = ?1 AND i.seq = u.seq ORDER BY u.seq"

const sqliteDropJobInput = `DELETE FROM job_input WHERE job = ?1 AND seq IN (SELECT seq FROM temp.job_rows_in)`

// sqliteJobRowsIn is UpdateJobRows' staging table, one per connection,
// emptied before each use. seq is its rowid: the batch is kept in Seq order
// and the UPDATE walks it in that order.
var sqliteJobRowsIn = `CREATE TEMP TABLE IF NOT EXISTS job_rows_in (seq INTEGER PRIMARY KEY, ` +
	strings.Join(jobRowUpdateCols, ", ") + `)`

// sqliteStageJobRows stages n rows (seq, then jobRowUpdateCols).
func sqliteStageJobRows(n int) string {
	return "INSERT INTO temp.job_rows_in (seq, " + joinCols(jobRowUpdateCols) + ") VALUES " +
		valuesList(n, 1+len(jobRowUpdateCols))
}

// sqliteStagedStatus counts the staged rows' stored statuses (job ?1),
// reading them by primary key.
const sqliteStagedStatus = `SELECT outcome, plan, moves, reason, count(*) FROM job_rows
	WHERE job = ?1 AND seq IN (SELECT seq FROM temp.job_rows_in) GROUP BY outcome, plan, moves, reason`

// sqliteUpdateJobRows rewrites the staged rows of job ?1. The staging
// table must drive the join, each of its rows finding its job row by
// primary key: the "seq IN (…)" says so. Without it, and without
// statistics, the planner guesses that "job = ?" matches a few rows and
// walks all of the job's rows to probe the staging table, which made a
// batch cost the size of the job (measured: 41k rows/s on a million-row
// job, in batches of 10,000 rows).
var sqliteUpdateJobRows = func() string {
	set := make([]string, len(jobRowUpdateCols))
	for i, c := range jobRowUpdateCols {
		set[i] = c + " = u." + c
	}
	return "UPDATE OR ROLLBACK job_rows SET " + strings.Join(set, ", ") +
		" FROM temp.job_rows_in AS u WHERE job_rows.job = ?1 AND job_rows.seq = u.seq" +
		" AND job_rows.seq IN (SELECT seq FROM temp.job_rows_in)"
}()

// sqliteQuerier is a *sql.DB or a *sql.Tx.
type sqliteQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqliteJob reads what the job methods need of a job; ErrNoJob when there
// is none.
func sqliteJob(ctx context.Context, q sqliteQuerier, id string) (*jobRef, error) {
	var j jobRef
	var reason sql.NullString
	var at sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT num, connection_id, cancel_reason, cancelled_at FROM jobs WHERE id = ?`, id).
		Scan(&j.num, &j.connectionID, &reason, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("job %q: %w", id, ErrNoJob)
	}
	if err != nil {
		return nil, fmt.Errorf("read job %q: %w", id, err)
	}
	j.cancelled, j.cancelReason, j.cancelledAt = reason.Valid, reason.String, sqliteTimeOf(at)
	return &j, nil
}

// sqliteWriteCounts adds deltas to the job's counts.
func sqliteWriteCounts(ctx context.Context, tx *sql.Tx, job *jobRef, deltas jobDeltas) error {
	ds := deltas.sorted()
	args := make([]any, 0, min(len(ds), sqliteJobChunk)*6)
	for start := 0; start < len(ds); start += sqliteJobChunk {
		chunk := ds[start:min(start+sqliteJobChunk, len(ds))]
		args = args[:0]
		for _, d := range chunk {
			args = append(args, job.num, string(d.outcome), string(d.plan), sqliteBool(d.moves), d.reason, d.n)
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
func sqliteCount(ctx context.Context, q sqliteQuerier, job *jobRef, cond string, args ...any) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM job_counts WHERE job = ?1 AND `+cond,
		append([]any{job.num}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counts: %w", err)
	}
	return n, nil
}

// CreateJob inserts the job; ErrJobExists when its id is taken.
func (s *sqliteStore) CreateJob(ctx context.Context, j Job) error {
	j, err := prepareJob(j, time.Now())
	if err != nil {
		return fmt.Errorf("store: create job: %w", err)
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO jobs (`+jobCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`,
		j.ID, j.Workspace, j.OrgID, j.ConnectionID, j.FileName, j.CreatedBy, j.SlackColumn, j.SalesforceColumn,
		j.Rows, j.CreatedAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: create job %s: %w", j.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: create job %s: %w", j.ID, err)
	} else if n == 0 {
		return fmt.Errorf("store: create job %s: %w", j.ID, ErrJobExists)
	}
	return nil
}

// GetJob reads one job.
func (s *sqliteStore) GetJob(ctx context.Context, id string) (Job, bool, error) {
	var j Job
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, id).Scan(
		&j.ID, &j.Workspace, &j.OrgID, &j.ConnectionID, &j.FileName, &j.CreatedBy, &j.SlackColumn, &j.SalesforceColumn,
		&j.Rows, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, fmt.Errorf("store: get job %s: %w", id, err)
	}
	j.CreatedAt = time.UnixMicro(created).UTC()
	return j, true, nil
}

// AppendJobRows inserts the rows in Seq order, sqliteJobChunk at a time,
// and counts those it inserted, in one transaction.
func (s *sqliteStore) AppendJobRows(ctx context.Context, jobID string, rows []JobRow) error {
	rows, err := prepareJobRows(rows)
	if err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	defer tx.Rollback()
	job, err := sqliteJob(ctx, tx, jobID)
	if err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	inserts := newSQLiteBatch(tx, sqliteInsertJobRows)
	defer inserts.close()
	args := make([]any, 0, sqliteJobChunk*5)
	inserted := int64(0)
	for start := 0; start < len(rows); start += sqliteJobChunk {
		chunk := rows[start:min(start+sqliteJobChunk, len(rows))]
		args = args[:0]
		for i := range chunk {
			r := &chunk[i]
			args = append(args, job.num, int64(r.Seq), int64(r.Line), r.SlackKey, r.SalesforceKey)
		}
		st, err := inserts.stmt(ctx, len(chunk))
		if err != nil {
			return fmt.Errorf("store: append rows of job %s: prepare: %w", jobID, err)
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("store: append rows of job %s: from seq %d: %w", jobID, chunk[0].Seq, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
		}
		inserted += n
	}
	if err := sqliteWriteCounts(ctx, tx, job, jobDeltas{freshStatus: int(inserted)}); err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: append rows of job %s: commit: %w", jobID, err)
	}
	return nil
}

// JobRows reads a range of rows by primary key.
func (s *sqliteStore) JobRows(ctx context.Context, jobID string, from, to int) ([]JobRow, error) {
	out := []JobRow{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		job, err := sqliteJob(ctx, tx, jobID)
		if err != nil {
			return err
		}
		out, err = sqliteJobRowPage(ctx, tx, job, from, to, -1, out)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: rows of job %s: %w", jobID, err)
	}
	return out, nil
}

// sqliteJobRowPage appends to dst the rows with from <= seq < to, at most
// limit of them (-1: all), ordered by seq.
func sqliteJobRowPage(ctx context.Context, tx *sql.Tx, job *jobRef, from, to, limit int, dst []JobRow) ([]JobRow, error) {
	rows, err := tx.QueryContext(ctx, sqliteJobRowPageSQL, job.num, from, to, limit)
	if err != nil {
		return dst, err
	}
	defer rows.Close()
	var seq int64
	var p string
	for rows.Next() {
		if err := rows.Scan(&seq, &p); err != nil {
			return dst, err
		}
		r, err := parseSQLiteJobRow(p)
		if err != nil {
			return dst, err
		}
		job.settle(&r)
		dst = append(dst, r)
	}
	return dst, rows.Err()
}

// sqliteJobRowPageSQL reads the rows of job ?1 with ?2 <= seq < ?3 from
// both tables (a row is in one), at most ?4 of them, by seq: SQLite merges
// the two key-ordered scans.
var sqliteJobRowPageSQL = `SELECT seq, ` + sqlitePackedJobRow + ` FROM job_rows WHERE job = ?1 AND seq >= ?2 AND seq < ?3
	UNION ALL
	SELECT seq, ` + sqlitePackedJobInput + ` FROM job_input WHERE job = ?1 AND seq >= ?2 AND seq < ?3
	ORDER BY 1 LIMIT ?4`

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

// StreamJobRows reads keyset pages of jobPageSize rows (seq > the last one
// seen), each in its own short read, and hands a page to fn once it is
// read, so no statement is open while fn runs.
func (s *sqliteStore) StreamJobRows(ctx context.Context, jobID string, fn func(JobRow) error) error {
	job, err := sqliteJob(ctx, s.r, jobID)
	if err != nil {
		return fmt.Errorf("store: stream rows of job %s: %w", jobID, err)
	}
	page := make([]JobRow, 0, jobPageSize)
	from := 0
	for {
		page = page[:0]
		err := s.read(ctx, func(tx *sql.Tx) (err error) {
			page, err = sqliteJobRowPage(ctx, tx, job, from, maxSeq, jobPageSize, page)
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
		if len(page) < jobPageSize {
			return nil
		}
		from = page[len(page)-1].Seq + 1
	}
}

// maxSeq bounds a Seq from above: every stored Seq is below it.
const maxSeq = 1<<63 - 1

// UpdateJobRows stages the rows, rewrites them with one UPDATE … FROM,
// moves their counts and writes the mappings, in one transaction with the
// key's record.
func (s *sqliteStore) UpdateJobRows(ctx context.Context, key, jobID string, rows []JobRow, mappings []Mapping) (res ApplyResult, err error) {
	return s.updateJobRows(ctx, key, jobID, rows, mappings, nil)
}

// ApplyPlannedJobRows: see Store.
func (s *sqliteStore) ApplyPlannedJobRows(ctx context.Context, key, jobID string, from, to int, rows []JobRow, mappings []Mapping) (ApplyResult, error) {
	return s.updateJobRows(ctx, key, jobID, rows, mappings, &seqRange{from, to})
}

func (s *sqliteStore) updateJobRows(ctx context.Context, key, jobID string, rows []JobRow, mappings []Mapping, planned *seqRange) (res ApplyResult, err error) {
	now := time.Now()
	rows, err = prepareJobUpdates(rows, now)
	if err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	defer tx.Rollback()
	if key != "" {
		prev, found, err := sqliteClaimKey(ctx, tx, key, kindJobRows)
		if err != nil {
			return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
		}
		if found {
			if err := json.Unmarshal(prev, &res); err != nil {
				return res, fmt.Errorf("store: update rows of job %s: key %q: %w", jobID, key, err)
			}
			res.Replayed = true
			return res, nil
		}
	}
	job, err := sqliteJob(ctx, tx, jobID)
	if err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	ms, err := prepareJobMappings(mappings, job.connectionID, now)
	if err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	if err := sqliteWriteJobRows(ctx, tx, job, rows); err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	if planned != nil {
		if err := sqliteApplyPlans(ctx, tx, job, *planned, now); err != nil {
			return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
		}
	}
	if res, err = sqliteWriteMappings(ctx, tx, ms); err != nil {
		return ApplyResult{}, fmt.Errorf("store: update rows of job %s: mappings: %w", jobID, err)
	}
	if key != "" {
		if err := sqliteSaveKey(ctx, tx, key, res); err != nil {
			return ApplyResult{}, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return ApplyResult{}, fmt.Errorf("store: update rows of job %s: commit: %w", jobID, err)
	}
	return res, nil
}

// sqliteApplyPlans gives each planned row of r without an outcome its plan
// as outcome, with one UPDATE over the key's range, and moves its count.
func sqliteApplyPlans(ctx context.Context, tx *sql.Tx, job *jobRef, r seqRange, now time.Time) error {
	const cond = ` WHERE job = ? AND seq >= ? AND seq < ? AND outcome = '' AND plan <> ''`
	counts, err := tx.QueryContext(ctx, `SELECT plan, moves, reason, count(*) FROM job_rows`+cond+` GROUP BY plan, moves, reason`, job.num, r.from, r.to)
	if err != nil {
		return fmt.Errorf("read plans: %w", err)
	}
	deltas := jobDeltas{}
	for counts.Next() {
		var k jobStatus
		var moves int64
		var n int
		if err := counts.Scan(&k.plan, &moves, &k.reason, &n); err != nil {
			counts.Close()
			return fmt.Errorf("read plans: %w", err)
		}
		k.moves = moves != 0
		deltas.planApplied(k, n)
	}
	if err := errors.Join(counts.Err(), counts.Close()); err != nil {
		return fmt.Errorf("read plans: %w", err)
	}
	if len(deltas) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE job_rows SET outcome = plan, updated_at = ?`+cond,
		utcMicro(now).UnixMicro(), job.num, r.from, r.to); err != nil {
		return fmt.Errorf("apply plans: %w", err)
	}
	return sqliteWriteCounts(ctx, tx, job, deltas)
}

// sqliteMoveInput moves the staged rows still in job_input into job_rows
// and returns how many it moved.
func sqliteMoveInput(ctx context.Context, tx *sql.Tx, job *jobRef) (int, error) {
	res, err := tx.ExecContext(ctx, sqliteMoveJobInput, job.num)
	if err != nil {
		return 0, fmt.Errorf("move uploaded rows: %w", err)
	}
	moved, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("move uploaded rows: %w", err)
	}
	if moved > 0 {
		if _, err := tx.ExecContext(ctx, sqliteDropJobInput, job.num); err != nil {
			return 0, fmt.Errorf("move uploaded rows: %w", err)
		}
	}
	return int(moved), nil
}

// sqliteWriteJobRows rewrites rows (sorted by Seq) of job inside tx, with
// their counts; every one must be stored, in job_rows or job_input.
func sqliteWriteJobRows(ctx context.Context, tx *sql.Tx, job *jobRef, rows []JobRow) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, sqliteJobRowsIn); err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.job_rows_in`); err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	stage := newSQLiteBatch(tx, sqliteStageJobRows)
	defer stage.close()
	width := 1 + len(jobRowUpdateCols)
	args := make([]any, 0, sqliteJobChunk*width)
	deltas := jobDeltas{}
	for start := 0; start < len(rows); start += sqliteJobChunk {
		chunk := rows[start:min(start+sqliteJobChunk, len(rows))]
		args = args[:0]
		for i := range chunk {
			r := &chunk[i]
			args = append(args, int64(r.Seq),
				r.SlackUserID, r.SlackEmail, r.SlackName, r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail,
				string(r.Plan), string(r.Outcome), r.Reason, sqliteBool(r.Moves), r.UpdatedAt.UnixMicro())
			deltas[statusOf(r)]++
		}
		st, err := stage.stmt(ctx, len(chunk))
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
	}

	// The rows' statuses before: what the counts lose. Every row must be
	// found.
	old, err := tx.QueryContext(ctx, sqliteStagedStatus, job.num)
	if err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	found := 0
	for old.Next() {
		var k jobStatus
		var moves int64
		var n int
		if err := old.Scan(&k.outcome, &k.plan, &moves, &k.reason, &n); err != nil {
			old.Close()
			return fmt.Errorf("read statuses: %w", err)
		}
		k.moves = moves != 0
		deltas[k] -= n
		found += n
	}
	if err := errors.Join(old.Err(), old.Close()); err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	if found > 0 {
		if _, err := tx.ExecContext(ctx, sqliteUpdateJobRows, job.num); err != nil {
			return fmt.Errorf("update: %w", err)
		}
	}
	// The rest are still in job_input (validation's first write of them):
	// they move whole into job_rows, from a fresh status.
	if found < len(rows) {
		moved, err := sqliteMoveInput(ctx, tx, job)
		if err != nil {
			return err
		}
		deltas[freshStatus] -= moved
		if found+moved != len(rows) {
			var missing int64
			if err := tx.QueryRowContext(ctx, `SELECT seq FROM temp.job_rows_in AS u
				WHERE NOT EXISTS (SELECT 1 FROM job_rows WHERE job = ? AND seq = u.seq) ORDER BY seq LIMIT 1`, job.num).Scan(&missing); err != nil {
				return fmt.Errorf("%d of %d rows found: %w", found+moved, len(rows), err)
			}
			return fmt.Errorf("row seq %d is not in the job", missing)
		}
	}
	if err := sqliteWriteCounts(ctx, tx, job, deltas); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.job_rows_in`); err != nil {
		return fmt.Errorf("unstage: %w", err)
	}
	return nil
}

// JobCounts reads the job's counts (job_counts).
func (s *sqliteStore) JobCounts(ctx context.Context, jobID string) (JobCounts, error) {
	var out JobCounts
	err := s.read(ctx, func(tx *sql.Tx) error {
		job, err := sqliteJob(ctx, tx, jobID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT outcome, plan, moves, reason, n FROM job_counts WHERE job = ?`, job.num)
		if err != nil {
			return err
		}
		defer rows.Close()
		c := newJobCounter(job)
		for rows.Next() {
			var outcome, plan, reason string
			var moves int64
			var n int
			if err := rows.Scan(&outcome, &plan, &moves, &reason, &n); err != nil {
				return err
			}
			c.add(Outcome(outcome), Outcome(plan), moves != 0, reason, n)
		}
		out = c.counts()
		return rows.Err()
	})
	if err != nil {
		return JobCounts{}, fmt.Errorf("store: count rows of job %s: %w", jobID, err)
	}
	return out, nil
}

// The kinds of change SettleJobInvitations makes to an invited row.
const (
	settleLinked  = 1 // the member's mapping is linked to the row's user
	settleExpired = 2 // the invitation no longer stands
)

// sqliteSettleIn holds, during a SettleJobInvitations, the invited rows to
// change: their kind of change and their status before.
const sqliteSettleIn = `CREATE TEMP TABLE IF NOT EXISTS settle_in (seq INTEGER PRIMARY KEY,
	kind INTEGER NOT NULL, plan TEXT NOT NULL, moves INTEGER NOT NULL, reason TEXT NOT NULL)`

// sqliteSettleClassify finds the invited rows of job ?1 to change at ?3,
// probing each member's mapping in connection ?2 once: linked to the row's
// Salesforce user (settleLinked); invited to it and not expired (no
// change); anything else, no mapping included, is an invitation that no
// longer stands (settleExpired), unless the row says so already (reason
// ?4). It reads the covering index job_rows_invited alone, in member order,
// so the probes walk mappings' primary key in order.
const sqliteSettleClassify = `INSERT INTO temp.settle_in (seq, kind, plan, moves, reason)
	SELECT seq, kind, plan, moves, reason FROM (
		SELECT jr.seq AS seq, jr.plan AS plan, jr.moves AS moves, jr.reason AS reason, coalesce((SELECT CASE
				WHEN m.salesforce_user_id <> jr.salesforce_user_id THEN 2
				WHEN m.state = 'linked' THEN 1
				WHEN m.state = 'invited' AND (m.invite_expires_at IS NULL OR m.invite_expires_at > ?3) THEN 0
				ELSE 2 END
			FROM mappings m WHERE m.connection_id = ?2 AND m.slack_user_id = jr.slack_user_id), 2) AS kind
		FROM job_rows jr INDEXED BY job_rows_invited
		WHERE jr.job = ?1 AND jr.outcome = 'invited')
	WHERE kind = 1 OR (kind = 2 AND reason <> ?4)`

// SettleJobInvitations classifies the job's invited rows into settle_in,
// then changes each kind with one UPDATE by primary key, and moves the
// counts, in one transaction.
func (s *sqliteStore) SettleJobInvitations(ctx context.Context, jobID string, now time.Time) (linked, expired, waiting int, err error) {
	now = utcMicro(now)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
	}
	defer tx.Rollback()
	if linked, expired, waiting, err = sqliteSettle(ctx, tx, jobID, now); err != nil {
		return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: commit: %w", jobID, err)
	}
	return linked, expired, waiting, nil
}

// sqliteSettle is SettleJobInvitations' work inside tx.
func sqliteSettle(ctx context.Context, tx *sql.Tx, jobID string, now time.Time) (linked, expired, waiting int, err error) {
	job, err := sqliteJob(ctx, tx, jobID)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, q := range []string{sqliteSettleIn, `DELETE FROM temp.settle_in`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, 0, 0, fmt.Errorf("stage: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, sqliteSettleClassify, job.num, job.connectionID, now.UnixMicro(), JobInvitationExpired); err != nil {
		return 0, 0, 0, fmt.Errorf("classify: %w", err)
	}
	n := [3]int{}
	for kind, set := range map[int]string{
		settleLinked:  `outcome = 'linked', reason = ''`,
		settleExpired: `reason = ?3`,
	} {
		res, err := tx.ExecContext(ctx, `UPDATE OR ROLLBACK job_rows SET `+set+`, updated_at = ?2
			WHERE job = ?1 AND seq IN (SELECT seq FROM temp.settle_in WHERE kind = ?4)`,
			job.num, now.UnixMicro(), JobInvitationExpired, kind)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("update: %w", err)
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return 0, 0, 0, fmt.Errorf("update: %w", err)
		}
		n[kind] = int(affected)
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, plan, moves, reason, count(*) FROM temp.settle_in GROUP BY kind, plan, moves, reason`)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("counts: %w", err)
	}
	deltas := jobDeltas{}
	for rows.Next() {
		var kind, moves int64
		var k jobStatus
		var cnt int
		if err := rows.Scan(&kind, &k.plan, &moves, &k.reason, &cnt); err != nil {
			rows.Close()
			return 0, 0, 0, fmt.Errorf("counts: %w", err)
		}
		k.outcome, k.moves = OutcomeInvited, moves != 0
		deltas[k] -= cnt
		if kind == settleLinked {
			k.outcome, k.reason = OutcomeLinked, ""
		} else {
			k.reason = JobInvitationExpired
		}
		deltas[k] += cnt
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, 0, 0, fmt.Errorf("counts: %w", err)
	}
	if err := sqliteWriteCounts(ctx, tx, job, deltas); err != nil {
		return 0, 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.settle_in`); err != nil {
		return 0, 0, 0, fmt.Errorf("unstage: %w", err)
	}
	waiting, err = sqliteCount(ctx, tx, job, `outcome = 'invited' AND reason <> ?2`, JobInvitationExpired)
	return n[settleLinked], n[settleExpired], waiting, err
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
	if job.cancelled {
		return 0, nil
	}
	n, err := sqliteCount(ctx, tx, job, `outcome = ''`)
	if err != nil {
		return 0, fmt.Errorf("store: cancel job %s: %w", jobID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET cancel_reason = ?, cancelled_at = ? WHERE num = ?`,
		reason, time.Now().UnixMicro(), job.num); err != nil {
		return 0, fmt.Errorf("store: cancel job %s: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: cancel job %s: commit: %w", jobID, err)
	}
	return n, nil
}
