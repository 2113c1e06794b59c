package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Statistics of tables that grow from empty within a job. The planner
// plans from a table's statistics; a table created empty has none until
// an ANALYZE, and autovacuum may be off (it is on this project's machines)
// or minutes late. Without them, looking up 10,000 Salesforce users among a
// connection's mappings was planned as a scan of the connection's every
// mapping, filtered (an index condition on connection_id alone): a cost
// per batch that grew with the table, 41 s a lookup at 100,000 mappings
// (bin/bench import -postgres, 2026-12-04). After an ANALYZE the same
// lookups were index probes, and the job wrote 650,000 mappings in the
// next 50 s.
//
// So the store analyzes a table itself when its writes have grown it by
// as much as it held at its last ANALYZE (at least analyzeMinRows): the
// statistics are never more than twice off, at the price of a logarithmic
// number of ANALYZEs (a million rows: about seven), each a sample of at
// most 30,000 rows (the default statistics target). They run in the
// background, one at a time per table, so no write waits for one.

// analyzeMinRows is the growth that first triggers an ANALYZE: below it a
// table is small enough for any plan.
const analyzeMinRows = 10000

// analyzer counts each table's rows written since its last ANALYZE.
type analyzer struct {
	pool *pgPool
	mu   sync.Mutex
	t    map[string]*tableGrowth
	wg   sync.WaitGroup
	// done, when set (tests), sees each ANALYZE that ran.
	done func(table string)
}

// tableGrowth is one table's count.
type tableGrowth struct {
	written, base int64
	running       bool
}

func newAnalyzer(pool *pgPool) *analyzer {
	return &analyzer{pool: pool, t: map[string]*tableGrowth{}}
}

// grew records n rows written into table (after the commit that wrote
// them) and starts an ANALYZE of it when they amount to what it held.
func (a *analyzer) grew(table string, n int64) {
	if n <= 0 {
		return
	}
	a.mu.Lock()
	g := a.t[table]
	if g == nil {
		g = &tableGrowth{}
		a.t[table] = g
	}
	g.written += n
	if g.running || g.written < max(analyzeMinRows, g.base) {
		a.mu.Unlock()
		return
	}
	g.running, g.written = true, 0
	a.wg.Add(1)
	a.mu.Unlock()
	go func() {
		defer a.wg.Done()
		rows := a.analyze(table)
		a.mu.Lock()
		g.running = false
		if rows >= 0 {
			g.base = rows
		}
		a.mu.Unlock()
		if a.done != nil {
			a.done(table)
		}
	}()
}

// analyze runs ANALYZE on table and returns the rows it counted (-1 on
// failure: statistics are an optimisation, and the next growth retries).
func (a *analyzer) analyze(table string) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var rows float64 = -1
	_ = a.pool.with(ctx, func(c *pgx.Conn) error {
		if _, err := c.Exec(ctx, `ANALYZE `+pgx.Identifier{table}.Sanitize()); err != nil {
			return err
		}
		return c.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, table).Scan(&rows)
	})
	return int64(rows)
}

// wait waits for the ANALYZEs running (Close).
func (a *analyzer) wait() { a.wg.Wait() }
