package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// The SQLite store keeps a job's rows packed in chunks: chunk n of a job
// holds its rows with n*jobChunkRows <= Seq < (n+1)*jobChunkRows, encoded
// one after the other in one value (the format below). A job's rows are
// only ever read and written by ranges of Seq (a batch, a page of
// results), never looked up by value, so a row of SQL per file row bought
// nothing but work: each of a million rows was a B-tree insert at upload,
// a move to another table at validation (its values grew from about 60 to
// 220 bytes), an update in place at application and a statement's worth of
// parameters each time. With chunks a batch of 10,000 rows reads and writes
// ten values (BENCHMARKS.md has the figures).

// jobChunkRows is how many consecutive Seqs one chunk holds. A batch of the
// workflow's (10,000 rows by default) is ten chunks; a chunk's value is
// about 150-200 KB.
const jobChunkRows = 1000

// chunkOf is the number of the chunk that holds seq.
func chunkOf(seq int) int { return seq / jobChunkRows }

// jobChunkVersion is the first byte of every encoded chunk.
const jobChunkVersion = 1

// outcomeCodes numbers the outcomes in a chunk; outcomeOf reads them back.
var outcomeCodes = map[store.Outcome]byte{store.OutcomeNone: 0, store.OutcomeLinked: 1, store.OutcomeInvited: 2, store.OutcomeUnchanged: 3, store.OutcomeRefused: 4}

var outcomeOf = [...]store.Outcome{store.OutcomeNone, store.OutcomeLinked, store.OutcomeInvited, store.OutcomeUnchanged, store.OutcomeRefused}

// Row flags of the status encoding.
const (
	chunkRowMoves   = 1 << 0
	chunkRowUpdated = 1 << 1 // an UpdatedAt follows
)

// jobRowTexts are how many text values a row has in a chunk's data.
const jobRowTexts = 8

// A chunk is stored as two values, so that the writes that change only
// where rows stand (application, settling) rewrite about ten bytes a row,
// not the two hundred of the rows themselves:
//
//	data:   version byte, uvarint row count, then for each row: uvarint
//	        Seq (the first row's) or its difference to the previous row's,
//	        uvarint Line, and eight texts, each a uvarint length and its
//	        bytes: SlackKey, SalesforceKey, SlackUserID, SlackEmail,
//	        SlackName, SalesforceUserID, SalesforceUsername,
//	        SalesforceEmail;
//	status: version byte, uvarint row count, then for each row, in the
//	        same order: flags byte, Plan code, Outcome code, varint
//	        UpdatedAt in microseconds (when flagged), uvarint length of
//	        Reason and its bytes.

// encodeChunkData appends the data of rows (sorted by Seq, no Seq twice)
// to dst.
func encodeChunkData(dst []byte, rows []store.JobRow) ([]byte, error) {
	dst = append(dst, jobChunkVersion)
	dst = binary.AppendUvarint(dst, uint64(len(rows)))
	prev := 0
	for i := range rows {
		r := &rows[i]
		if r.Seq < prev || (i > 0 && r.Seq == prev) || r.Line < 0 {
			return nil, fmt.Errorf("row seq %d (line %d) out of order in its chunk", r.Seq, r.Line)
		}
		dst = binary.AppendUvarint(dst, uint64(r.Seq-prev))
		prev = r.Seq
		dst = binary.AppendUvarint(dst, uint64(r.Line))
		for _, s := range [jobRowTexts]string{r.SlackKey, r.SalesforceKey, r.SlackUserID, r.SlackEmail, r.SlackName,
			r.SalesforceUserID, r.SalesforceUsername, r.SalesforceEmail} {
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			dst = append(dst, s...)
		}
	}
	return dst, nil
}

// encodeChunkStatus appends the status of rows to dst.
func encodeChunkStatus(dst []byte, rows []store.JobRow) ([]byte, error) {
	dst = append(dst, jobChunkVersion)
	dst = binary.AppendUvarint(dst, uint64(len(rows)))
	for i := range rows {
		r := &rows[i]
		plan, okPlan := outcomeCodes[r.Plan]
		outcome, okOutcome := outcomeCodes[r.Outcome]
		if !okPlan || !okOutcome {
			return nil, fmt.Errorf("row seq %d: plan %q or outcome %q is not an outcome", r.Seq, r.Plan, r.Outcome)
		}
		var flags byte
		if r.Moves {
			flags |= chunkRowMoves
		}
		if !r.UpdatedAt.IsZero() {
			flags |= chunkRowUpdated
		}
		dst = append(dst, flags, plan, outcome)
		if flags&chunkRowUpdated != 0 {
			dst = binary.AppendVarint(dst, r.UpdatedAt.UnixMicro())
		}
		dst = binary.AppendUvarint(dst, uint64(len(r.Reason)))
		dst = append(dst, r.Reason...)
	}
	return dst, nil
}

// errBadChunk: a stored chunk does not read as the format says.
var errBadChunk = errors.New("malformed job chunk")

// decodeJobChunk appends the rows of a chunk, its data and its status, to
// dst. The texts of the rows share one copy of each value (a string per
// chunk, not per text).
func decodeJobChunk(data, status []byte, dst []store.JobRow) ([]store.JobRow, error) {
	if len(data) == 0 || data[0] != jobChunkVersion || len(status) == 0 || status[0] != jobChunkVersion {
		return dst, fmt.Errorf("%w: unknown version", errBadChunk)
	}
	dtext, stext := string(data), string(status) // the copies the rows' texts point into
	d, st := chunkDecoder{b: data, pos: 1}, chunkDecoder{b: status, pos: 1}
	n, ns := d.uvarint(), st.uvarint()
	if d.err != nil || st.err != nil || n != ns || n > uint64(len(data)) {
		return dst, fmt.Errorf("%w: row count", errBadChunk)
	}
	dst = slices.Grow(dst, int(n))
	seq := 0
	for range n {
		var r store.JobRow
		seq += int(d.uvarint())
		r.Seq = seq
		r.Line = int(d.uvarint())
		for _, p := range [jobRowTexts]*string{&r.SlackKey, &r.SalesforceKey, &r.SlackUserID, &r.SlackEmail, &r.SlackName,
			&r.SalesforceUserID, &r.SalesforceUsername, &r.SalesforceEmail} {
			*p = d.text(dtext)
		}
		flags, plan, outcome := st.byte(), st.byte(), st.byte()
		if st.err != nil || int(plan) >= len(outcomeOf) || int(outcome) >= len(outcomeOf) {
			return dst, fmt.Errorf("%w: status of seq %d", errBadChunk, seq)
		}
		r.Plan, r.Outcome, r.Moves = outcomeOf[plan], outcomeOf[outcome], flags&chunkRowMoves != 0
		if flags&chunkRowUpdated != 0 {
			r.UpdatedAt = time.UnixMicro(st.varint()).UTC()
		}
		r.Reason = st.text(stext)
		if d.err != nil || st.err != nil {
			return dst, fmt.Errorf("%w: seq %d", errBadChunk, seq)
		}
		dst = append(dst, r)
	}
	if d.pos != len(data) || st.pos != len(status) {
		return dst, fmt.Errorf("%w: bytes after the last row", errBadChunk)
	}
	return dst, nil
}

// chunkDecoder reads varints, bytes and texts off an encoded value; the
// first error sticks.
type chunkDecoder struct {
	b   []byte
	pos int
	err error
}

func (d *chunkDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b[min(d.pos, len(d.b)):])
	if n <= 0 {
		d.err = errBadChunk
		return 0
	}
	d.pos += n
	return v
}

func (d *chunkDecoder) varint() int64 {
	v, n := binary.Varint(d.b[min(d.pos, len(d.b)):])
	if n <= 0 {
		d.err = errBadChunk
		return 0
	}
	d.pos += n
	return v
}

func (d *chunkDecoder) byte() byte {
	if d.pos >= len(d.b) {
		d.err = errBadChunk
		return 0
	}
	d.pos++
	return d.b[d.pos-1]
}

// text reads a length and that many bytes, as a substring of s (the value
// as a string).
func (d *chunkDecoder) text(s string) string {
	l := d.uvarint()
	if d.err != nil || l > uint64(len(d.b)-d.pos) {
		d.err = errBadChunk
		return ""
	}
	t := s[d.pos : d.pos+int(l)]
	d.pos += int(l)
	return t
}

// jobChunk is one chunk of a job's rows in memory, sorted by Seq.
type jobChunk struct {
	no   int
	rows []store.JobRow
	// dirty: rows added or their data changed since it was read, to be
	// written back whole; statusDirty: only where rows stand changed, to
	// write back the status alone.
	dirty, statusDirty bool
}

// find returns the index of seq's row in the chunk, or -1.
func (c *jobChunk) find(seq int) int {
	i, ok := slices.BinarySearchFunc(c.rows, seq, func(r store.JobRow, seq int) int { return r.Seq - seq })
	if !ok {
		return -1
	}
	return i
}

// add inserts the rows (sorted by Seq, all of this chunk) that the chunk
// does not hold yet, and returns how many it inserted.
func (c *jobChunk) add(rows []store.JobRow) int {
	if len(c.rows) == 0 || c.rows[len(c.rows)-1].Seq < rows[0].Seq {
		c.rows = append(c.rows, rows...) // the upload's case: rows after those held
		c.dirty = true
		return len(rows)
	}
	merged := make([]store.JobRow, 0, len(c.rows)+len(rows))
	i, j := 0, 0
	for i < len(c.rows) || j < len(rows) {
		switch {
		case j == len(rows) || (i < len(c.rows) && c.rows[i].Seq < rows[j].Seq):
			merged = append(merged, c.rows[i])
			i++
		case i < len(c.rows) && c.rows[i].Seq == rows[j].Seq: // held already: kept as it is
			merged = append(merged, c.rows[i])
			i++
			j++
		default:
			merged = append(merged, rows[j])
			j++
		}
	}
	inserted := len(merged) - len(c.rows)
	if inserted > 0 {
		c.rows, c.dirty = merged, true
	}
	return inserted
}

// invited counts the chunk's rows whose outcome is invited: those that
// SettleJobInvitations looks at.
func (c *jobChunk) invited() int {
	n := 0
	for i := range c.rows {
		if c.rows[i].Outcome == store.OutcomeInvited {
			n++
		}
	}
	return n
}
