package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// sqliteLoadChunks reads, in tx (a reader's or the writer's), the stored
// chunks of job with the given numbers (sorted, each once), one statement
// per run of consecutive numbers. Chunks not stored yet are absent.
func sqliteLoadChunks(ctx context.Context, tx *sql.Tx, job *sqlcore.JobRef, nos []int) (map[int]*jobChunk, error) {
	out := make(map[int]*jobChunk, len(nos))
	for start := 0; start < len(nos); {
		end := start + 1
		for end < len(nos) && nos[end] == nos[end-1]+1 {
			end++
		}
		err := sqliteEachChunk(ctx, tx, job, nos[start], nos[end-1], -1, func(c *jobChunk) error {
			out[c.no] = c
			return nil
		})
		if err != nil {
			return nil, err
		}
		start = end
	}
	return out, nil
}

// sqliteEachChunk hands fn, in order, each stored chunk of job numbered
// first to last, at most limit of them (-1: all).
func sqliteEachChunk(ctx context.Context, tx *sql.Tx, job *sqlcore.JobRef, first, last, limit int, fn func(*jobChunk) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.chunk, d.data, c.status FROM job_chunks c
		JOIN job_chunk_data d ON d.job = c.job AND d.chunk = c.chunk
		WHERE c.job = ? AND c.chunk >= ? AND c.chunk <= ? ORDER BY c.chunk LIMIT ?`, job.Num, first, last, limit)
	if err != nil {
		return fmt.Errorf("read chunks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var no int
		var data, status sql.RawBytes // decoded before the next row: no copy but the chunk's strings
		if err := rows.Scan(&no, &data, &status); err != nil {
			return fmt.Errorf("read chunks: %w", err)
		}
		c := &jobChunk{no: no}
		if c.rows, err = decodeJobChunk(data, status, nil); err != nil {
			return fmt.Errorf("chunk %d of job %d: %w", no, job.Num, err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read chunks: %w", err)
	}
	return nil
}

// sqliteChunkWriter writes chunks back inside the writer's transaction,
// reusing its statements and buffers.
type sqliteChunkWriter struct {
	job                      *sqlcore.JobRef
	data, status, statusOnly *sql.Stmt
	buf                      []byte
}

func newSQLiteChunkWriter(ctx context.Context, tx *sql.Tx, job *sqlcore.JobRef) (*sqliteChunkWriter, error) {
	w := &sqliteChunkWriter{job: job}
	for _, st := range []struct {
		to **sql.Stmt
		q  string
	}{
		{&w.data, `INSERT INTO job_chunk_data (job, chunk, data) VALUES (?, ?, ?)
			ON CONFLICT (job, chunk) DO UPDATE SET data = excluded.data`},
		{&w.status, `INSERT INTO job_chunks (job, chunk, rows, invited, status) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (job, chunk) DO UPDATE SET rows = excluded.rows, invited = excluded.invited, status = excluded.status`},
		{&w.statusOnly, `UPDATE job_chunks SET invited = ?3, status = ?4 WHERE job = ?1 AND chunk = ?2`},
	} {
		var err error
		if *st.to, err = tx.PrepareContext(ctx, st.q); err != nil {
			w.close()
			return nil, fmt.Errorf("prepare chunk write: %w", err)
		}
	}
	return w, nil
}

func (w *sqliteChunkWriter) close() {
	for _, st := range []*sql.Stmt{w.data, w.status, w.statusOnly} {
		if st != nil {
			st.Close()
		}
	}
}

// write stores what changed of c: all of it, or its status alone.
func (w *sqliteChunkWriter) write(ctx context.Context, c *jobChunk) error {
	if !c.dirty && !c.statusDirty {
		return nil
	}
	var err error
	if c.dirty {
		if w.buf, err = encodeChunkData(w.buf[:0], c.rows); err != nil {
			return fmt.Errorf("chunk %d: %w", c.no, err)
		}
		if _, err := w.data.ExecContext(ctx, w.job.Num, c.no, w.buf); err != nil {
			return fmt.Errorf("write chunk %d: %w", c.no, err)
		}
	}
	if w.buf, err = encodeChunkStatus(w.buf[:0], c.rows); err != nil {
		return fmt.Errorf("chunk %d: %w", c.no, err)
	}
	if c.dirty {
		_, err = w.status.ExecContext(ctx, w.job.Num, c.no, len(c.rows), c.invited(), w.buf)
	} else {
		_, err = w.statusOnly.ExecContext(ctx, w.job.Num, c.no, c.invited(), w.buf)
	}
	if err != nil {
		return fmt.Errorf("write status of chunk %d: %w", c.no, err)
	}
	c.dirty, c.statusDirty = false, false
	return nil
}

// chunkNumbers lists, sorted and once each, the chunks that hold rows
// (sorted by Seq) and, when r is set, the chunks its range spans.
func chunkNumbers(rows []store.JobRow, r *sqlcore.SeqRange) []int {
	var nos []int
	for i := range rows {
		if no := chunkOf(rows[i].Seq); len(nos) == 0 || nos[len(nos)-1] != no {
			nos = append(nos, no)
		}
	}
	if r != nil && r.To > r.From {
		for no := chunkOf(r.From); no <= chunkOf(r.To-1); no++ {
			nos = append(nos, no)
		}
		slices.Sort(nos)
		nos = slices.Compact(nos)
	}
	return nos
}

// AppendJobRows adds the rows to their chunks, keeping those already
// stored, and counts those it added, in one transaction.
func (s *sqliteStore) AppendJobRows(ctx context.Context, jobID string, rows []store.JobRow) error {
	rows, err := sqlcore.PrepareJobRows(rows)
	if err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	for i := range rows { // only the file's values are stored
		r := &rows[i]
		rows[i] = store.JobRow{Seq: r.Seq, Line: r.Line, SlackKey: r.SlackKey, SalesforceKey: r.SalesforceKey}
	}
	err = s.writeJobChunks(ctx, jobID, chunkNumbers(rows, nil), func(_ *sql.Tx, _ *sqlcore.JobRef, chunks map[int]*jobChunk) (sqlcore.JobDeltas, error) {
		added := 0
		for start := 0; start < len(rows); {
			no := chunkOf(rows[start].Seq)
			end := start + 1
			for end < len(rows) && chunkOf(rows[end].Seq) == no {
				end++
			}
			c := chunks[no]
			if c == nil {
				c = &jobChunk{no: no}
				chunks[no] = c
			}
			added += c.add(rows[start:end])
			start = end
		}
		return sqlcore.JobDeltas{sqlcore.FreshStatus: added}, nil
	})
	if err != nil {
		return fmt.Errorf("store: append rows of job %s: %w", jobID, err)
	}
	return nil
}

// writeJobChunks runs change on the chunks numbered nos (read in the
// writer's transaction, which change may read through; it may add chunks
// to the map), then writes back
// the chunks it changed and its deltas to the counts, and commits.
func (s *sqliteStore) writeJobChunks(ctx context.Context, jobID string, nos []int,
	change func(tx *sql.Tx, job *sqlcore.JobRef, chunks map[int]*jobChunk) (sqlcore.JobDeltas, error)) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	job, err := sqliteJob(ctx, tx, jobID)
	if err != nil {
		return err
	}
	if err := sqliteChangeChunks(ctx, tx, job, nos, change); err != nil {
		return err
	}
	return tx.Commit()
}

// sqliteChangeChunks is writeJobChunks' work inside tx.
func sqliteChangeChunks(ctx context.Context, tx *sql.Tx, job *sqlcore.JobRef, nos []int,
	change func(tx *sql.Tx, job *sqlcore.JobRef, chunks map[int]*jobChunk) (sqlcore.JobDeltas, error)) error {
	chunks, err := sqliteLoadChunks(ctx, tx, job, nos)
	if err != nil {
		return err
	}
	deltas, err := change(tx, job, chunks)
	if err != nil {
		return err
	}
	w, err := newSQLiteChunkWriter(ctx, tx, job)
	if err != nil {
		return err
	}
	defer w.close()
	written := make([]int, 0, len(chunks))
	for no := range chunks {
		written = append(written, no)
	}
	slices.Sort(written) // in key order: appends at the end of the table's index
	for _, no := range written {
		if err := w.write(ctx, chunks[no]); err != nil {
			return err
		}
	}
	return sqliteWriteCounts(ctx, tx, job, deltas)
}

// JobRows reads the chunks the range spans, in one read transaction.
func (s *sqliteStore) JobRows(ctx context.Context, jobID string, from, to int) ([]store.JobRow, error) {
	out := []store.JobRow{}
	if to <= from {
		return out, nil
	}
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

// sqliteJobRowPage appends to dst the rows with from <= seq < to, ordered
// by seq, reading at most chunks chunks (-1: all), with the job's
// cancellation applied.
func sqliteJobRowPage(ctx context.Context, tx *sql.Tx, job *sqlcore.JobRef, from, to, chunks int, dst []store.JobRow) ([]store.JobRow, error) {
	last := chunkOf(to - 1)
	err := sqliteEachChunk(ctx, tx, job, chunkOf(from), last, chunks, func(c *jobChunk) error {
		for _, r := range c.rows {
			if r.Seq >= from && r.Seq < to {
				job.Settle(&r)
				dst = append(dst, r)
			}
		}
		return nil
	})
	return dst, err
}

// jobPageChunks is how many chunks one page of StreamJobRows reads: pages
// of at most jobPageSize rows.
const jobPageChunks = sqlcore.JobPageSize / jobChunkRows

// StreamJobRows reads pages of jobPageChunks chunks (from the chunk after
// the last one seen), each in its own short read, and hands a page to fn
// once it is read, so no statement is open while fn runs.
func (s *sqliteStore) StreamJobRows(ctx context.Context, jobID string, fn func(store.JobRow) error) error {
	job, err := sqliteJob(ctx, s.r, jobID)
	if err != nil {
		return fmt.Errorf("store: stream rows of job %s: %w", jobID, err)
	}
	page := make([]store.JobRow, 0, sqlcore.JobPageSize)
	for from := 0; ; {
		page = page[:0]
		err := s.read(ctx, func(tx *sql.Tx) (err error) {
			page, err = sqliteJobRowPage(ctx, tx, job, from, sqlcore.MaxSeq, jobPageChunks, page)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: stream rows of job %s: %w", jobID, err)
		}
		if len(page) == 0 {
			return nil
		}
		if s.pageHook != nil {
			s.pageHook(len(page))
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		from = (chunkOf(page[len(page)-1].Seq) + 1) * jobChunkRows
	}
}

// UpdateJobRows rewrites the rows in their chunks, moves their counts and
// writes the mappings, in one transaction with the key's record.
func (s *sqliteStore) UpdateJobRows(ctx context.Context, key, jobID string, rows []store.JobRow, mappings []store.Mapping) (res store.ApplyResult, err error) {
	return s.updateJobRows(ctx, key, jobID, rows, mappings, nil)
}

// ApplyPlannedJobRows: see Store.
func (s *sqliteStore) ApplyPlannedJobRows(ctx context.Context, key, jobID string, from, to int, rows []store.JobRow, mappings []store.Mapping) (store.ApplyResult, error) {
	return s.updateJobRows(ctx, key, jobID, rows, mappings, &sqlcore.SeqRange{From: from, To: to})
}

func (s *sqliteStore) updateJobRows(ctx context.Context, key, jobID string, rows []store.JobRow, mappings []store.Mapping, planned *sqlcore.SeqRange) (res store.ApplyResult, err error) {
	now := time.Now()
	rows, err = sqlcore.PrepareJobUpdates(rows, now)
	if err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	// The mappings are made ready before the writer's transaction: a job's
	// connection never changes. Validation's writes carry none.
	write := newSQLiteMappingWrite(nil, nil)
	if len(mappings) > 0 {
		known, err := sqliteJob(ctx, s.r, jobID)
		if err != nil {
			return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
		}
		ms, err := sqlcore.PrepareJobMappings(mappings, known.ConnectionID, now)
		if err != nil {
			return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
		}
		nums, err := s.connNums(ctx, ms)
		if err != nil {
			return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
		}
		write = newSQLiteMappingWrite(ms, nums)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	defer tx.Rollback()
	if key != "" {
		prev, found, err := sqliteClaimKey(ctx, tx, key, sqlcore.KindJobRows)
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
	err = sqliteChangeChunks(ctx, tx, job, chunkNumbers(rows, planned), func(_ *sql.Tx, _ *sqlcore.JobRef, chunks map[int]*jobChunk) (sqlcore.JobDeltas, error) {
		deltas := sqlcore.JobDeltas{}
		if err := rewriteJobRows(chunks, rows, deltas); err != nil {
			return nil, err
		}
		if planned != nil {
			applyPlans(chunks, *planned, sqlcore.UTCMicro(now), deltas)
		}
		return deltas, nil
	})
	if err != nil {
		return res, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
	}
	if res, err = write.write(ctx, tx); err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: update rows of job %s: mappings: %w", jobID, err)
	}
	if key != "" {
		if err := sqliteSaveKey(ctx, tx, key, res); err != nil {
			return store.ApplyResult{}, fmt.Errorf("store: update rows of job %s: %w", jobID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return store.ApplyResult{}, fmt.Errorf("store: update rows of job %s: commit: %w", jobID, err)
	}
	return res, nil
}

// rewriteJobRows writes each row's validation fields, plan, outcome,
// reason, moves and time over its stored row in chunks, moving the counts;
// every row must be stored.
func rewriteJobRows(chunks map[int]*jobChunk, rows []store.JobRow, deltas sqlcore.JobDeltas) error {
	for i := range rows {
		r := &rows[i]
		c := chunks[chunkOf(r.Seq)]
		at := -1
		if c != nil {
			at = c.find(r.Seq)
		}
		if at < 0 {
			return fmt.Errorf("row seq %d is not in the job", r.Seq)
		}
		old := &c.rows[at]
		deltas[sqlcore.StatusOf(old)]--
		deltas[sqlcore.StatusOf(r)]++
		if old.SlackUserID != r.SlackUserID || old.SlackEmail != r.SlackEmail || old.SlackName != r.SlackName ||
			old.SalesforceUserID != r.SalesforceUserID || old.SalesforceUsername != r.SalesforceUsername || old.SalesforceEmail != r.SalesforceEmail {
			old.SlackUserID, old.SlackEmail, old.SlackName = r.SlackUserID, r.SlackEmail, r.SlackName
			old.SalesforceUserID, old.SalesforceUsername, old.SalesforceEmail = r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail
			c.dirty = true
		}
		old.Plan, old.Outcome, old.Reason, old.Moves, old.UpdatedAt = r.Plan, r.Outcome, r.Reason, r.Moves, r.UpdatedAt
		c.statusDirty = true
	}
	return nil
}

// applyPlans gives each row of r that has a plan and no outcome its plan
// as outcome, at now, moving the counts.
func applyPlans(chunks map[int]*jobChunk, r sqlcore.SeqRange, now time.Time, deltas sqlcore.JobDeltas) {
	for _, c := range chunks {
		for i := range c.rows {
			row := &c.rows[i]
			if row.Seq < r.From || row.Seq >= r.To || row.Outcome != store.OutcomeNone || row.Plan == store.OutcomeNone {
				continue
			}
			deltas.PlanApplied(sqlcore.StatusOf(row), 1)
			row.Outcome, row.UpdatedAt = row.Plan, now
			c.statusDirty = true
		}
	}
}

// settleChunks is how many chunks with invitations one transaction of
// SettleJobInvitations settles: the writer is held for a few of them at a
// time, not for the whole job.
const settleChunks = 10

// SettleJobInvitations looks at the job's chunks with invited rows, a few
// per transaction: it reads the members' mappings (in the job's
// connection) and changes the rows, their chunks and the counts. A settle
// cut short by a crash has settled some chunks, and the next one does the
// rest: each change is what the mappings of now say.
func (s *sqliteStore) SettleJobInvitations(ctx context.Context, jobID string, now time.Time) (linked, expired, waiting int, err error) {
	now = sqlcore.UTCMicro(now)
	job, err := sqliteJob(ctx, s.r, jobID)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
	}
	for after := -1; ; {
		var nos []int
		rows, err := s.r.QueryContext(ctx, `SELECT chunk FROM job_chunks WHERE job = ? AND chunk > ? AND invited > 0 ORDER BY chunk LIMIT ?`,
			job.Num, after, settleChunks)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
		}
		for rows.Next() {
			var no int
			if err := rows.Scan(&no); err != nil {
				rows.Close()
				return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
			}
			nos = append(nos, no)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
		}
		if len(nos) == 0 {
			break
		}
		l, e, err := s.settleChunks(ctx, jobID, job.ConnectionID, nos, now)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
		}
		linked, expired, after = linked+l, expired+e, nos[len(nos)-1]
	}
	waiting, err = sqliteCount(ctx, s.r, job, `outcome = 'invited' AND reason <> ?2`, store.JobInvitationExpired)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: settle invitations of job %s: %w", jobID, err)
	}
	return linked, expired, waiting, nil
}

// settleChunks settles the invited rows of the chunks nos in one
// transaction. A row whose member's mapping is linked to the row's
// Salesforce user becomes linked; one whose invitation no longer stands
// (no mapping, another user, not invited, or expired at now) stays invited
// with Reason JobInvitationExpired.
func (s *sqliteStore) settleChunks(ctx context.Context, jobID, connectionID string, nos []int, now time.Time) (linked, expired int, err error) {
	conn, err := s.connNum(ctx, connectionID)
	if err != nil {
		return 0, 0, err
	}
	err = s.writeJobChunks(ctx, jobID, nos, func(tx *sql.Tx, _ *sqlcore.JobRef, chunks map[int]*jobChunk) (sqlcore.JobDeltas, error) {
		type invitedRow struct {
			r *store.JobRow
			c *jobChunk
		}
		var invited []invitedRow
		for _, c := range chunks {
			for i := range c.rows {
				if c.rows[i].Outcome == store.OutcomeInvited {
					invited = append(invited, invitedRow{&c.rows[i], c})
				}
			}
		}
		// In member order: the probes walk the mappings' primary key in order.
		slices.SortFunc(invited, func(a, b invitedRow) int { return strings.Compare(a.r.SlackUserID, b.r.SlackUserID) })
		ids := make([]string, len(invited))
		for i, x := range invited {
			ids[i] = x.r.SlackUserID
		}
		current, err := sqliteGetMappings(ctx, txInList(tx), connectionID, conn, ids)
		if err != nil {
			return nil, err
		}
		deltas := sqlcore.JobDeltas{}
		for _, x := range invited {
			r := x.r
			m, ok := current[r.SlackUserID]
			switch {
			case ok && m.SalesforceUserID == r.SalesforceUserID && m.State == store.StateLinked:
				deltas[sqlcore.StatusOf(r)]--
				r.Outcome, r.Reason, r.UpdatedAt = store.OutcomeLinked, "", now
				deltas[sqlcore.StatusOf(r)]++
				linked++
			case ok && m.SalesforceUserID == r.SalesforceUserID && m.State == store.StateInvited &&
				(m.InviteExpiresAt.IsZero() || m.InviteExpiresAt.After(now)):
				continue // still waiting for its member
			case r.Reason != store.JobInvitationExpired:
				deltas[sqlcore.StatusOf(r)]--
				r.Reason, r.UpdatedAt = store.JobInvitationExpired, now
				deltas[sqlcore.StatusOf(r)]++
				expired++
			default:
				continue
			}
			x.c.statusDirty = true
		}
		return deltas, nil
	})
	if err != nil {
		return 0, 0, err
	}
	return linked, expired, nil
}
