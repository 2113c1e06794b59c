package sandbox

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A small SOQL: the subset sfconnect sends, parsed into a query that is
// checked against the object definitions before it runs.
//
//	SELECT f1, Rel.f2 | COUNT() FROM Obj
//	  [WHERE cond {AND|OR cond}]   cond: f op literal | f [NOT] IN (…) | (cond …)
//	  [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]
//
// Identifiers and keywords are case-insensitive; string comparisons are too,
// as on Salesforce.

// soqlError is a query refused with Salesforce's error code.
type soqlError struct {
	code string // MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE
	msg  string
}

func (e *soqlError) Error() string { return e.code + ": " + e.msg }

func malformed(format string, args ...any) *soqlError {
	return &soqlError{code: "MALFORMED_QUERY", msg: fmt.Sprintf(format, args...)}
}

// ---- lexer ----

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokNumber
	tokSymbol
)

type token struct {
	kind tokKind
	text string // identifier or symbol as written; string literal unescaped
	pos  int
}

func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && (isIdentStart(src[j]) || isDigit(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, token{tokIdent, src[i:j], i})
			i = j
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			j := i + 1
			for j < len(src) && (isDigit(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, token{tokNumber, src[i:j], i})
			i = j
		case c == '\'':
			s, n, err := lexString(src[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, s, i})
			i += n
		case c == '!' || c == '<' || c == '>':
			if i+1 < len(src) && (src[i+1] == '=' || (c == '<' && src[i+1] == '>')) {
				toks = append(toks, token{tokSymbol, src[i : i+2], i})
				i += 2
			} else if c == '!' {
				return nil, malformed("line 1:%d no viable alternative at character '!'", i)
			} else {
				toks = append(toks, token{tokSymbol, src[i : i+1], i})
				i++
			}
		case c == '=' || c == '(' || c == ')' || c == ',':
			toks = append(toks, token{tokSymbol, src[i : i+1], i})
			i++
		default:
			return nil, malformed("line 1:%d no viable alternative at character '%c'", i, c)
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(src)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

// lexString reads a quoted literal that starts at s[0], the opening quote,
// and returns its value and length. Backslash escapes are SOQL's.
func lexString(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(s) {
				return "", 0, malformed("unterminated string literal")
			}
			i++
			switch e := s[i]; e {
			case '\'', '"', '\\':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case '_', '%':
				// Only meaningful to LIKE; kept with the backslash.
				b.WriteByte('\\')
				b.WriteByte(e)
			default:
				return "", 0, malformed("Invalid string literal '\\%c'. Illegal character sequence '\\%c' in string literal.", e, e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, malformed("unterminated string literal")
}

// ---- AST ----

// fieldRef is a resolved field path such as Profile.Name.
type fieldRef struct {
	rels  []*relDef
	field *fieldDef
}

func (f fieldRef) eval(o *org, row any) value {
	for _, r := range f.rels {
		if row = r.get(o, row); row == nil {
			return value{}
		}
	}
	return f.field.get(row)
}

func (f fieldRef) String() string {
	var parts []string
	for _, r := range f.rels {
		parts = append(parts, r.name)
	}
	return strings.Join(append(parts, f.field.name), ".")
}

type cond interface {
	match(o *org, row any) bool
}

type andCond []cond
type orCond []cond

func (c andCond) match(o *org, row any) bool {
	for _, x := range c {
		if !x.match(o, row) {
			return false
		}
	}
	return true
}

func (c orCond) match(o *org, row any) bool {
	for _, x := range c {
		if x.match(o, row) {
			return true
		}
	}
	return false
}

// cmpCond is one comparison; op is =, !=, <, <=, >, >=, in or notin.
type cmpCond struct {
	f    fieldRef
	op   string
	vals []value
	// folded holds an IN list's strings ASCII-lower-cased, made at its
	// first use when the list is long and all strings: a query is parsed
	// per request, and its lists of hundreds of keys were compared one by
	// one with every candidate row.
	folded map[string]bool
	// listChecked: folded was considered (it stays nil for a short list).
	listChecked bool
}

// foldedSetMin is the shortest IN list worth a set.
const foldedSetMin = 16

// inList reports whether v equals a value of the list.
func (c *cmpCond) inList(v value) bool {
	if !c.listChecked {
		c.listChecked = true
		if len(c.vals) >= foldedSetMin && !slices.ContainsFunc(c.vals, func(l value) bool { return l.kind != valString }) {
			c.folded = make(map[string]bool, len(c.vals))
			for _, l := range c.vals {
				c.folded[asciiLower(l.s)] = true
			}
		}
	}
	if c.folded != nil {
		return v.kind == valString && c.folded[asciiLower(v.s)]
	}
	return slices.ContainsFunc(c.vals, func(l value) bool { return valuesEqual(v, l) })
}

// asciiLower lower-cases the ASCII letters of s, as foldCompare compares.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func (c *cmpCond) match(o *org, row any) bool {
	v := c.f.eval(o, row)
	switch c.op {
	case "=":
		return valuesEqual(v, c.vals[0])
	case "!=":
		return !valuesEqual(v, c.vals[0])
	case "in", "notin":
		return c.inList(v) == (c.op == "in")
	}
	if v.kind == valNull || c.vals[0].kind == valNull {
		return false
	}
	r := compareValues(v, c.vals[0])
	switch c.op {
	case "<":
		return r < 0
	case "<=":
		return r <= 0
	case ">":
		return r > 0
	default:
		return r >= 0
	}
}

func valuesEqual(a, b value) bool {
	if a.kind == valNull || b.kind == valNull {
		return a.kind == b.kind
	}
	return compareValues(a, b) == 0
}

// compareValues orders two non-null values of one kind: strings
// case-insensitively, false before true.
func compareValues(a, b value) int {
	if a.kind == valBool {
		switch {
		case a.b == b.b:
			return 0
		case !a.b:
			return -1
		}
		return 1
	}
	return foldCompare(a.s, b.s)
}

// foldCompare compares ASCII case-insensitively without allocating; it is
// on the path of every row of a scan.
func foldCompare(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return cmp.Compare(len(a), len(b))
}

type orderItem struct {
	f          fieldRef
	desc       bool
	nullsFirst bool
}

// soqlQuery is a parsed and resolved query.
type soqlQuery struct {
	obj    *objectDef
	fields []fieldRef // in SELECT order, no duplicates
	count  bool       // SELECT COUNT()
	where  cond
	order  []orderItem
	limit  int // -1: none
	offset int
}

// ---- parser ----

type parser struct {
	toks []token
	i    int
}

// peek returns the current token; past the end it keeps returning EOF.
func (p *parser) peek() token { return p.toks[min(p.i, len(p.toks)-1)] }

// next consumes a token. It always advances, so that p.i-- undoes it.
func (p *parser) next() token {
	t := p.peek()
	p.i++
	return t
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) acceptKeyword(kw string) bool {
	if p.isKeyword(kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectKeyword(kw string) error {
	if !p.acceptKeyword(kw) {
		return p.unexpected()
	}
	return nil
}

func (p *parser) acceptSymbol(sym string) bool {
	if t := p.peek(); t.kind == tokSymbol && t.text == sym {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectSymbol(sym string) error {
	if !p.acceptSymbol(sym) {
		return p.unexpected()
	}
	return nil
}

func (p *parser) unexpected() error {
	t := p.peek()
	if t.kind == tokEOF {
		return malformed("unexpected token: <EOF>")
	}
	text := t.text
	if t.kind == tokString {
		text = "'" + text + "'"
	}
	return malformed("unexpected token: '%s'", text)
}

var reserved = map[string]bool{
	"select": true, "from": true, "where": true, "and": true, "or": true, "not": true,
	"in": true, "order": true, "by": true, "limit": true, "offset": true, "asc": true,
	"desc": true, "nulls": true, "true": true, "false": true, "null": true,
}

// parseSOQL parses and resolves q against the object definitions.
func parseSOQL(q string) (*soqlQuery, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if err := p.expectKeyword("select"); err != nil {
		return nil, err
	}
	query := &soqlQuery{limit: -1}
	var selected []token
	if next := p.toks[min(p.i+1, len(p.toks)-1)]; p.isKeyword("count") && next.kind == tokSymbol && next.text == "(" {
		p.i += 2
		if err := p.expectSymbol(")"); err != nil {
			return nil, err
		}
		query.count = true
	} else {
		for {
			t := p.next()
			if t.kind != tokIdent || reserved[strings.ToLower(t.text)] {
				p.i--
				return nil, p.unexpected()
			}
			selected = append(selected, t)
			if !p.acceptSymbol(",") {
				break
			}
		}
	}
	if err := p.expectKeyword("from"); err != nil {
		return nil, err
	}
	objTok := p.next()
	if objTok.kind != tokIdent || reserved[strings.ToLower(objTok.text)] {
		p.i--
		return nil, p.unexpected()
	}
	obj := objects[strings.ToLower(objTok.text)]
	if obj == nil {
		return nil, &soqlError{code: "INVALID_TYPE", msg: fmt.Sprintf(
			"sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", objTok.text)}
	}
	query.obj = obj
	seen := map[string]bool{}
	for _, t := range selected {
		f, err := resolveField(obj, t.text)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(f.String())
		if seen[key] {
			return nil, malformed("duplicate field selected: %s", f.String())
		}
		seen[key] = true
		query.fields = append(query.fields, f)
	}
	if p.acceptKeyword("where") {
		if query.where, err = p.parseOr(obj); err != nil {
			return nil, err
		}
	}
	if p.acceptKeyword("order") {
		if err := p.expectKeyword("by"); err != nil {
			return nil, err
		}
		for {
			t := p.next()
			if t.kind != tokIdent || reserved[strings.ToLower(t.text)] {
				p.i--
				return nil, p.unexpected()
			}
			f, err := resolveField(obj, t.text)
			if err != nil {
				return nil, err
			}
			item := orderItem{f: f}
			if p.acceptKeyword("desc") {
				item.desc = true
			} else {
				p.acceptKeyword("asc")
			}
			// Salesforce puts nulls first in ascending order, last in descending.
			item.nullsFirst = !item.desc
			if p.acceptKeyword("nulls") {
				switch {
				case p.acceptKeyword("first"):
					item.nullsFirst = true
				case p.acceptKeyword("last"):
					item.nullsFirst = false
				default:
					return nil, p.unexpected()
				}
			}
			query.order = append(query.order, item)
			if !p.acceptSymbol(",") {
				break
			}
		}
	}
	if p.acceptKeyword("limit") {
		if query.limit, err = p.parseInt(); err != nil {
			return nil, err
		}
	}
	if p.acceptKeyword("offset") {
		if query.offset, err = p.parseInt(); err != nil {
			return nil, err
		}
	}
	if p.peek().kind != tokEOF {
		return nil, p.unexpected()
	}
	return query, nil
}

func (p *parser) parseInt() (int, error) {
	t := p.next()
	n, err := strconv.Atoi(t.text)
	if t.kind != tokNumber || err != nil || n < 0 {
		p.i--
		return 0, p.unexpected()
	}
	return n, nil
}

// resolveField resolves a dotted path: every part but the last names a
// relationship.
func resolveField(obj *objectDef, path string) (fieldRef, error) {
	parts := strings.Split(path, ".")
	var f fieldRef
	cur := obj
	for _, rel := range parts[:len(parts)-1] {
		r := cur.rels[strings.ToLower(rel)]
		if r == nil {
			return f, &soqlError{code: "INVALID_FIELD", msg: fmt.Sprintf(
				"Didn't understand relationship '%s' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.", rel)}
		}
		f.rels = append(f.rels, r)
		cur = r.target
	}
	last := parts[len(parts)-1]
	if f.field = cur.field(last); f.field == nil {
		return f, &soqlError{code: "INVALID_FIELD", msg: fmt.Sprintf(
			"No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", last, cur.name)}
	}
	return f, nil
}

func (p *parser) parseOr(obj *objectDef) (cond, error) {
	first, err := p.parseAnd(obj)
	if err != nil {
		return nil, err
	}
	or := orCond{first}
	for p.acceptKeyword("or") {
		c, err := p.parseAnd(obj)
		if err != nil {
			return nil, err
		}
		or = append(or, c)
	}
	if len(or) == 1 {
		return first, nil
	}
	return or, nil
}

func (p *parser) parseAnd(obj *objectDef) (cond, error) {
	first, err := p.parseTerm(obj)
	if err != nil {
		return nil, err
	}
	and := andCond{first}
	for p.acceptKeyword("and") {
		c, err := p.parseTerm(obj)
		if err != nil {
			return nil, err
		}
		and = append(and, c)
	}
	if len(and) == 1 {
		return first, nil
	}
	return and, nil
}

func (p *parser) parseTerm(obj *objectDef) (cond, error) {
	if p.acceptSymbol("(") {
		c, err := p.parseOr(obj)
		if err != nil {
			return nil, err
		}
		return c, p.expectSymbol(")")
	}
	t := p.next()
	if t.kind != tokIdent || reserved[strings.ToLower(t.text)] {
		p.i--
		return nil, p.unexpected()
	}
	f, err := resolveField(obj, t.text)
	if err != nil {
		return nil, err
	}
	c := &cmpCond{f: f}
	switch {
	case p.acceptKeyword("in"):
		c.op = "in"
	case p.acceptKeyword("not"):
		if err := p.expectKeyword("in"); err != nil {
			return nil, err
		}
		c.op = "notin"
	default:
		op := p.next()
		switch {
		case op.kind != tokSymbol:
			p.i--
			return nil, p.unexpected()
		case op.text == "<>":
			c.op = "!="
		case op.text == "=" || op.text == "!=" || op.text == "<" || op.text == "<=" || op.text == ">" || op.text == ">=":
			c.op = op.text
		default:
			p.i--
			return nil, p.unexpected()
		}
	}
	if c.op == "in" || c.op == "notin" {
		if err := p.expectSymbol("("); err != nil {
			return nil, err
		}
		for {
			v, err := p.parseLiteral(f)
			if err != nil {
				return nil, err
			}
			c.vals = append(c.vals, v)
			if !p.acceptSymbol(",") {
				break
			}
		}
		return c, p.expectSymbol(")")
	}
	v, err := p.parseLiteral(f)
	if err != nil {
		return nil, err
	}
	c.vals = []value{v}
	return c, nil
}

// parseLiteral reads a literal and checks it against the field's type, as
// Salesforce does before running anything.
func (p *parser) parseLiteral(f fieldRef) (value, error) {
	t := p.next()
	var v value
	switch {
	case t.kind == tokString && t.text == "":
		// Salesforce stores no empty strings: '' compares as null.
		return value{}, nil
	case t.kind == tokString:
		v = value{kind: valString, s: t.text}
	case t.kind == tokNumber:
		v = value{kind: valNumber, s: t.text}
	case t.kind == tokIdent && strings.EqualFold(t.text, "null"):
		return value{}, nil
	case t.kind == tokIdent && (strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")):
		v = boolValue(strings.EqualFold(t.text, "true"))
	default:
		p.i--
		return v, p.unexpected()
	}
	want := "string and should be enclosed in quotes"
	ok := v.kind == valString
	if f.field.kind == kindBool {
		want, ok = "boolean and should not be enclosed in quotes", v.kind == valBool
	}
	if !ok {
		return v, &soqlError{code: "INVALID_FIELD", msg: fmt.Sprintf(
			"value of filter criterion for field '%s' must be of type %s", f.field.name, want)}
	}
	return v, nil
}

// ---- execution ----

// execute runs the query in org o and returns the matching rows in order.
// It must be called with Sandbox.mu held. It plans just enough to be fast on
// the queries that matter at a million users: an equality (or IN) on an
// indexed field reads the index; a range on Id starts from a binary search
// and, when the order is the natural Id order, stops at LIMIT.
func (q *soqlQuery) execute(o *org) []any {
	t := q.obj.table(o)
	conj := conjuncts(q.where)

	if rows, ok := lookupCandidates(t, conj); ok {
		var out []any
		for _, r := range rows {
			if q.where == nil || q.where.match(o, r) {
				out = append(out, r)
			}
		}
		slices.SortStableFunc(out, func(a, b any) int { return cmp.Compare(q.obj.id(a), q.obj.id(b)) })
		return q.finish(o, out, false)
	}

	from, to := 0, t.Len()
	for _, c := range conj {
		if len(c.f.rels) > 0 || c.f.field.name != "Id" || c.vals[0].kind != valString {
			continue
		}
		switch c.op {
		case ">", ">=":
			from = max(from, t.SeekID(c.vals[0].s, c.op == ">"))
		case "<", "<=":
			to = min(to, t.SeekID(c.vals[0].s, c.op == "<="))
		}
	}
	natural := q.naturalOrder()
	stopAt := -1
	if natural && q.limit >= 0 && !q.count {
		stopAt = q.offset + q.limit
	}
	var out []any
	for i := from; i < to; i++ {
		if stopAt >= 0 && len(out) >= stopAt {
			break
		}
		r := t.Row(i)
		if q.where == nil || q.where.match(o, r) {
			out = append(out, r)
		}
	}
	return q.finish(o, out, natural)
}

// lookupCandidates finds an indexed equality among the top-level conjuncts.
func lookupCandidates(t table, conj []*cmpCond) ([]any, bool) {
	for _, c := range conj {
		if len(c.f.rels) > 0 || (c.op != "=" && c.op != "in") {
			continue
		}
		var rows []any
		seen := map[any]bool{}
		indexed := true
		for _, v := range c.vals {
			if v.kind != valString {
				// Indexes hold no nulls: a null in the list needs a scan.
				indexed = false
				break
			}
			rs, ok := t.Lookup(c.f.field.name, v.s)
			if !ok {
				indexed = false
				break
			}
			for _, r := range rs {
				if !seen[r] {
					seen[r] = true
					rows = append(rows, r)
				}
			}
		}
		if indexed {
			return rows, true
		}
	}
	return nil, false
}

// conjuncts returns the comparisons every matching row must satisfy.
func conjuncts(c cond) []*cmpCond {
	switch x := c.(type) {
	case *cmpCond:
		return []*cmpCond{x}
	case andCond:
		var out []*cmpCond
		for _, e := range x {
			out = append(out, conjuncts(e)...)
		}
		return out
	}
	return nil
}

// naturalOrder reports whether rows in table order (by Id) already satisfy
// ORDER BY.
func (q *soqlQuery) naturalOrder() bool {
	if len(q.order) == 0 {
		return true
	}
	first := q.order[0]
	return len(first.f.rels) == 0 && first.f.field.name == "Id" && !first.desc
}

func (q *soqlQuery) finish(o *org, rows []any, sorted bool) []any {
	if !sorted && len(q.order) > 0 {
		slices.SortStableFunc(rows, func(a, b any) int {
			for _, it := range q.order {
				va, vb := it.f.eval(o, a), it.f.eval(o, b)
				an, bn := va.kind == valNull, vb.kind == valNull
				if an || bn {
					if an && bn {
						continue
					}
					// Null placement does not flip with DESC.
					if an == it.nullsFirst {
						return -1
					}
					return 1
				}
				c := compareValues(va, vb)
				if it.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	if q.offset > 0 {
		if q.offset >= len(rows) {
			return nil
		}
		rows = rows[q.offset:]
	}
	if q.limit >= 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	return rows
}
