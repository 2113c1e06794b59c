package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// A commit leaves its pages in the WAL, for a checkpoint to copy into the
// database file. SQLite's automatic checkpoint runs inside the commit that
// crosses its threshold, holding the one writer while it copies and syncs:
// 4-6% of applying a million mappings (BenchmarkApplyMillion's profile).
// A checkpoint may run beside the writer, on a connection of its own; the
// checkpointer does so, PASSIVE (it waits for no lock, skips what readers
// still need, and is tried again), a moment after the writes, on a core the
// writer is not using. The writer's automatic checkpoint stays, at a higher
// threshold (sqliteParams), for when the checkpointer falls behind.

// sqliteCheckpointEvery is how often the checkpointer looks for pages to
// copy; a look at a WAL with none is a read of its index, no I/O.
const sqliteCheckpointEvery = 200 * time.Millisecond

// sqliteCheckpointer runs PASSIVE checkpoints on its own connection until
// closed.
type sqliteCheckpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done chan struct{}
}

// startSQLiteCheckpointer opens a connection to the database at path (in
// WAL mode already) and checkpoints it every interval.
func startSQLiteCheckpointer(path string, every time.Duration) (*sqliteCheckpointer, error) {
	db, err := sql.Open("sqlite", path+"?"+sqliteParams)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	ctx, stop := context.WithCancel(context.Background())
	c := &sqliteCheckpointer{db: db, stop: stop, done: make(chan struct{})}
	go c.run(ctx, every)
	return c, nil
}

func (c *sqliteCheckpointer) run(ctx context.Context, every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// An error (another process checkpointing, a lock) only
			// leaves the pages for the next pass or the writer's own
			// checkpoint: nothing is lost by not copying them now.
			_, _ = c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// close stops the checkpointer and closes its connection.
func (c *sqliteCheckpointer) close() error {
	c.stop()
	<-c.done
	return c.db.Close()
}
