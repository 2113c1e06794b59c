package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The query endpoint and its locators: a result larger than one batch is
// kept under a locator and served page by page through nextRecordsUrl
// (/services/data/vNN.N/query/<locator>-<offset>), as Salesforce does.

const (
	defaultBatchSize = 2000
	minBatchSize     = 200
	maxBatchSize     = 2000
	// Locators live 15 minutes after their last use, as on Salesforce. At
	// most maxCursors are kept, holding at most maxCursorRows rows in all
	// (16 bytes each), so that clients that never page to the end cannot
	// exhaust memory: the least recently used locators go first.
	cursorTTL     = 15 * time.Minute
	maxCursors    = 64
	maxCursorRows = 8_000_000
)

type queryCursor struct {
	orgID    string
	query    *soqlQuery
	rows     []any
	batch    int       // the first page's batch size, the default for later ones
	lastUsed time.Time // guarded by cursorStore.mu
}

type cursorStore struct {
	mu sync.Mutex
	m  map[string]*queryCursor
}

func (c *cursorStore) init() { c.m = map[string]*queryCursor{} }

// put stores a cursor and returns its locator, after evicting expired
// cursors and, past the limits, the least recently used ones.
func (c *cursorStore) put(qc *queryCursor, now time.Time) string {
	loc := "01g" + randomAlnum(15)
	c.mu.Lock()
	defer c.mu.Unlock()
	rows := len(qc.rows)
	for k, v := range c.m {
		if now.Sub(v.lastUsed) > cursorTTL {
			delete(c.m, k)
			continue
		}
		rows += len(v.rows)
	}
	for len(c.m) > 0 && (len(c.m) >= maxCursors || rows > maxCursorRows) {
		var oldest string
		for k, v := range c.m {
			if oldest == "" || v.lastUsed.Before(c.m[oldest].lastUsed) {
				oldest = k
			}
		}
		rows -= len(c.m[oldest].rows)
		delete(c.m, oldest)
	}
	c.m[loc] = qc
	return loc
}

func (c *cursorStore) get(loc string, now time.Time) *queryCursor {
	c.mu.Lock()
	defer c.mu.Unlock()
	qc := c.m[loc]
	if qc == nil {
		return nil
	}
	if now.Sub(qc.lastUsed) > cursorTTL {
		delete(c.m, loc)
		return nil
	}
	qc.lastUsed = now
	return qc
}

// batchSize reads Sforce-Query-Options: batchSize=N, clamped to what
// Salesforce allows.
func batchSize(r *http.Request, fallback int) int {
	for _, opt := range strings.Split(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(opt), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return min(max(n, minBatchSize), maxBatchSize)
		}
	}
	return fallback
}

func (s *Sandbox) sfQuery(w http.ResponseWriter, r *http.Request, o *org, version string) {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		sfError(w, http.StatusBadRequest, errMalformedQuery, "A query string has to be specified")
		return
	}
	query, err := parseSOQL(q)
	if err != nil {
		se := err.(*soqlError)
		sfError(w, http.StatusBadRequest, se.code, se.msg)
		return
	}
	s.stats.soqlQuery()
	s.mu.RLock()
	rows := query.execute(o)
	s.mu.RUnlock()
	if query.count {
		writeJSONBytes(w, []byte(`{"totalSize":`+strconv.Itoa(len(rows))+`,"done":true,"records":[]}`))
		return
	}
	qc := &queryCursor{orgID: o.id, query: query, rows: rows, batch: batchSize(r, defaultBatchSize), lastUsed: s.now()}
	s.writePage(w, o, version, qc, "", 0, qc.batch)
}

func (s *Sandbox) sfQueryMore(w http.ResponseWriter, r *http.Request, o *org, version, ref string) {
	i := strings.LastIndexByte(ref, '-')
	var qc *queryCursor
	offset := -1
	if i > 0 {
		if n, err := strconv.Atoi(ref[i+1:]); err == nil {
			offset = n
			qc = s.cursors.get(ref[:i], s.now())
		}
	}
	if qc == nil || qc.orgID != o.id || offset < 0 || offset > len(qc.rows) {
		sfError(w, http.StatusBadRequest, errInvalidLocator, "invalid query locator")
		return
	}
	// A header on a later page wins over the first page's batch size.
	s.writePage(w, o, version, qc, ref[:i], offset, batchSize(r, qc.batch))
}

// writePage renders rows[offset:offset+batch]; a first page that does not
// hold everything registers the cursor.
func (s *Sandbox) writePage(w http.ResponseWriter, o *org, version string, qc *queryCursor, loc string, offset, batch int) {
	end := min(offset+batch, len(qc.rows))
	done := end >= len(qc.rows)
	if !done && loc == "" {
		loc = s.cursors.put(qc, s.now())
	}
	buf := make([]byte, 0, 256*(end-offset)+128)
	buf = append(buf, `{"totalSize":`...)
	buf = strconv.AppendInt(buf, int64(len(qc.rows)), 10)
	buf = append(buf, `,"done":`...)
	buf = strconv.AppendBool(buf, done)
	if !done {
		buf = append(buf, `,"nextRecordsUrl":"/services/data/`...)
		buf = append(buf, version...)
		buf = append(buf, "/query/"...)
		buf = append(buf, loc...)
		buf = append(buf, '-')
		buf = strconv.AppendInt(buf, int64(end), 10)
		buf = append(buf, '"')
	}
	buf = append(buf, `,"records":[`...)
	tree := selectTree(qc.query.fields)
	s.mu.RLock()
	for i, row := range qc.rows[offset:end] {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendRecord(buf, o, version, qc.query.obj, row, tree)
	}
	s.mu.RUnlock()
	buf = append(buf, "]}"...)
	writeJSONBytes(w, buf)
}

// sfRetrieve serves a record's attributes.url:
// /services/data/vNN.N/sobjects/<Type>/<Id>[?fields=a,b].
func (s *Sandbox) sfRetrieve(w http.ResponseWriter, r *http.Request, o *org, version, typ, id string) {
	obj := objects[strings.ToLower(typ)]
	if obj == nil {
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
		return
	}
	var fields []fieldRef
	if fl := r.URL.Query().Get("fields"); fl != "" {
		for _, name := range strings.Split(fl, ",") {
			f, err := resolveField(obj, strings.TrimSpace(name))
			if err != nil {
				se := err.(*soqlError)
				sfError(w, http.StatusBadRequest, se.code, se.msg)
				return
			}
			fields = append(fields, f)
		}
	} else {
		for _, f := range obj.fields {
			fields = append(fields, fieldRef{field: f})
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := obj.table(o)
	var row any
	if rows, ok := t.Lookup("Id", id); ok {
		if len(rows) > 0 {
			row = rows[0]
		}
	} else if i := t.SeekID(id, false); i < t.Len() && strings.EqualFold(obj.id(t.Row(i)), id) {
		row = t.Row(i)
	}
	if row == nil {
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
		return
	}
	writeJSONBytes(w, appendRecord(nil, o, version, obj, row, selectTree(fields)))
}

func writeJSONBytes(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// selectNode is the shape of a rendered record: fields and nested
// relationship objects, in the order the SELECT first names them, which is
// the order Salesforce renders them in.
type selectNode struct {
	items []selectItem
}

type selectItem struct {
	field *fieldDef
	rel   *relDef
	child *selectNode
}

func selectTree(fields []fieldRef) *selectNode {
	root := &selectNode{}
	for _, f := range fields {
		n := root
		for _, rel := range f.rels {
			var child *selectNode
			for _, it := range n.items {
				if it.rel == rel {
					child = it.child
				}
			}
			if child == nil {
				child = &selectNode{}
				n.items = append(n.items, selectItem{rel: rel, child: child})
			}
			n = child
		}
		n.items = append(n.items, selectItem{field: f.field})
	}
	return root
}

// appendRecord renders one record with its attributes, by hand so that the
// field order is the SELECT's and pages of 2,000 records stay cheap.
// Sandbox.mu must be held (relationships read the org).
func appendRecord(buf []byte, o *org, version string, obj *objectDef, row any, n *selectNode) []byte {
	id := obj.id(row)
	buf = append(buf, `{"attributes":{"type":"`...)
	buf = append(buf, obj.name...)
	buf = append(buf, `","url":"/services/data/`...)
	buf = append(buf, version...)
	buf = append(buf, "/sobjects/"...)
	buf = append(buf, obj.name...)
	buf = append(buf, '/')
	buf = appendJSONStringBody(buf, id)
	buf = append(buf, `"}`...)
	for _, it := range n.items {
		buf = append(buf, ',')
		if it.field != nil {
			buf = appendJSONString(buf, it.field.name)
			buf = append(buf, ':')
			buf = appendValue(buf, it.field.get(row))
			continue
		}
		buf = appendJSONString(buf, it.rel.name)
		buf = append(buf, ':')
		if related := it.rel.get(o, row); related != nil {
			buf = appendRecord(buf, o, version, it.rel.target, related, it.child)
		} else {
			buf = append(buf, "null"...)
		}
	}
	return append(buf, '}')
}

func appendValue(buf []byte, v value) []byte {
	switch v.kind {
	case valNull:
		return append(buf, "null"...)
	case valBool:
		return strconv.AppendBool(buf, v.b)
	default:
		return appendJSONString(buf, v.s)
	}
}

func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	buf = appendJSONStringBody(buf, s)
	return append(buf, '"')
}

// appendJSONStringBody escapes s for a JSON string: quotes, backslashes,
// control characters, and invalid UTF-8 as U+FFFD.
func appendJSONStringBody(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, `\ufffd`...)
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return buf
}
