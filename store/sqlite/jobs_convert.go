package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// sqliteMigrationSteps are the Go steps of migrations, run in the
// migration's transaction right after the SQL of their version.
var sqliteMigrationSteps = map[int]func(context.Context, *sql.Tx) error{
	6: sqliteChunkJobRows,
}

// sqliteChunkJobRows packs the rows of job_rows and job_input (schema 5)
// into job_chunks, job by job and chunk by chunk in Seq order.
func sqliteChunkJobRows(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT job, seq, line, slack_key, salesforce_key, slack_user_id, slack_email, slack_name,
			salesforce_user_id, salesforce_username, salesforce_email, plan, outcome, reason, moves, updated_at FROM job_rows
		UNION ALL
		SELECT job, seq, line, slack_key, salesforce_key, '', '', '', '', '', '', '', '', '', 0, NULL FROM job_input
		ORDER BY 1, 2`)
	if err != nil {
		return fmt.Errorf("read job rows: %w", err)
	}
	defer rows.Close()
	var w *sqliteChunkWriter
	defer func() {
		if w != nil {
			w.close()
		}
	}()
	var cur *oldJobChunk
	flush := func() error {
		if cur == nil {
			return nil
		}
		if w == nil || w.job.Num != cur.job {
			if w != nil {
				w.close()
			}
			if w, err = newSQLiteChunkWriter(ctx, tx, &sqlcore.JobRef{Num: cur.job}); err != nil {
				return err
			}
		}
		return w.write(ctx, &cur.jobChunk)
	}
	for rows.Next() {
		var job int64
		var r store.JobRow
		var plan, outcome string
		var moves int64
		var updated sql.NullInt64
		if err := rows.Scan(&job, &r.Seq, &r.Line, &r.SlackKey, &r.SalesforceKey, &r.SlackUserID, &r.SlackEmail, &r.SlackName,
			&r.SalesforceUserID, &r.SalesforceUsername, &r.SalesforceEmail, &plan, &outcome, &r.Reason, &moves, &updated); err != nil {
			return fmt.Errorf("read job rows: %w", err)
		}
		r.Plan, r.Outcome, r.Moves, r.UpdatedAt = store.Outcome(plan), store.Outcome(outcome), moves != 0, sqliteTimeOf(updated)
		if cur == nil || cur.job != job || cur.no != chunkOf(r.Seq) {
			if err := flush(); err != nil {
				return err
			}
			cur = &oldJobChunk{job: job, jobChunk: jobChunk{no: chunkOf(r.Seq), dirty: true}}
		}
		cur.rows = append(cur.rows, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read job rows: %w", err)
	}
	return flush()
}

// oldJobChunk is a chunk being packed, with its job's number.
type oldJobChunk struct {
	job int64
	jobChunk
}
