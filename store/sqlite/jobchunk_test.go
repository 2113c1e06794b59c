package sqlite

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

func chunkTestRows() []store.JobRow {
	at := time.Date(2026, 12, 2, 7, 0, 0, 123000, time.UTC)
	rows := []store.JobRow{
		{Seq: 3000, Line: 2, SlackKey: "U1", SalesforceKey: "a@acme.example"},
		{Seq: 3001, Line: 4, SlackKey: "Émile@exemple.fr", SalesforceKey: "005000000000001AAA",
			SlackUserID: "U2", SlackEmail: "émile@exemple.fr", SlackName: "Émile, \"le\" Grand\nII",
			SalesforceUserID: "005000000000001AAA", SalesforceUsername: "e@acme.example", SalesforceEmail: "e@acme.example",
			Plan: store.OutcomeInvited, Outcome: store.OutcomeLinked, Moves: true, UpdatedAt: at},
		{Seq: 3999, Line: 100000, SlackKey: "U3", SalesforceKey: "", Plan: store.OutcomeRefused, Outcome: store.OutcomeRefused,
			Reason: "malformed row: 3 fields", UpdatedAt: at.Add(time.Hour)},
	}
	return rows
}

// encodeJobChunk is a chunk's two values.
func encodeJobChunk(rows []store.JobRow) (data, status []byte, err error) {
	if data, err = encodeChunkData(nil, rows); err != nil {
		return nil, nil, err
	}
	status, err = encodeChunkStatus(nil, rows)
	return data, status, err
}

func TestJobChunkRoundTrip(t *testing.T) {
	rows := chunkTestRows()
	data, status, err := encodeJobChunk(rows)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeJobChunk(data, status, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows back, want %d", len(got), len(rows))
	}
	for i := range rows {
		if got[i] != rows[i] {
			t.Fatalf("row %d back:\n%+v\nwant\n%+v", i, got[i], rows[i])
		}
	}
	empty, emptyStatus, err := encodeJobChunk(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeJobChunk(empty, emptyStatus, nil); err != nil || len(got) != 0 {
		t.Fatalf("empty chunk back: %v, %v", got, err)
	}
}

func TestJobChunkRefusesWhatItCannotStore(t *testing.T) {
	rows := chunkTestRows()
	for name, bad := range map[string][]store.JobRow{
		"out of order": {rows[1], rows[0]},
		"seq twice":    {rows[0], rows[0]},
		"bad plan":     {{Seq: 1, Plan: "maybe"}},
		"bad outcome":  {{Seq: 1, Outcome: "done"}},
	} {
		if _, _, err := encodeJobChunk(bad); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

// Every cut of a stored chunk, and a byte too many, reads as an error; no
// changed byte makes the decoder panic.
func TestJobChunkMalformed(t *testing.T) {
	data, status, err := encodeJobChunk(chunkTestRows())
	if err != nil {
		t.Fatal(err)
	}
	fewer, fewerStatus, err := encodeJobChunk(chunkTestRows()[:2])
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string][2][]byte{
		"data of another count":     {fewer, status},
		"status of another count":   {data, fewerStatus},
		"a byte too many in data":   {append(append([]byte{}, data...), 0), status},
		"a byte too many in status": {data, append(append([]byte{}, status...), 0)},
	} {
		if _, err := decodeJobChunk(c[0], c[1], nil); !errors.Is(err, errBadChunk) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for n := range len(data) {
		if _, err := decodeJobChunk(data[:n], status, nil); !errors.Is(err, errBadChunk) {
			t.Fatalf("data cut at %d of %d: %v", n, len(data), err)
		}
	}
	for n := range len(status) {
		if _, err := decodeJobChunk(data, status[:n], nil); !errors.Is(err, errBadChunk) {
			t.Fatalf("status cut at %d of %d: %v", n, len(status), err)
		}
	}
	for _, v := range [][2]int{{0, len(data)}, {1, len(status)}} {
		for i := range v[1] {
			for _, b := range []byte{0x00, 0x7f, 0x80, 0xff} {
				in := [2][]byte{data, status}
				in[v[0]] = append([]byte{}, in[v[0]]...)
				in[v[0]][i] = b
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("value %d, byte %d set to %#x: panic %v", v[0], i, b, p)
						}
					}()
					_, _ = decodeJobChunk(in[0], in[1], nil)
				}()
			}
		}
	}
}

func TestJobChunkAdd(t *testing.T) {
	c := &jobChunk{no: 0}
	row := func(seq int) store.JobRow {
		return store.JobRow{Seq: seq, Line: seq + 2, SlackKey: fmt.Sprint("U", seq)}
	}
	if n := c.add([]store.JobRow{row(0), row(1), row(5)}); n != 3 || !c.dirty {
		t.Fatalf("first add: %d", n)
	}
	kept := c.rows[1]
	kept.Reason = "validated"
	c.rows[1] = kept
	c.dirty = false
	if n := c.add([]store.JobRow{row(1), row(5)}); n != 0 || c.dirty {
		t.Fatalf("add of rows held: %d added, dirty %v", n, c.dirty)
	}
	if n := c.add([]store.JobRow{row(1), row(3), row(7)}); n != 2 {
		t.Fatalf("add of a mix: %d", n)
	}
	var seqs []int
	for _, r := range c.rows {
		seqs = append(seqs, r.Seq)
	}
	if fmt.Sprint(seqs) != "[0 1 3 5 7]" || c.rows[1].Reason != "validated" {
		t.Fatalf("rows after adds: %v, row 1 %+v", seqs, c.rows[1])
	}
	if c.find(3) != 2 || c.find(4) != -1 {
		t.Fatalf("find: %d %d", c.find(3), c.find(4))
	}
}
