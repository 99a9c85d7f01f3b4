package sfdouble

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

// query serves GET /query?q=SOQL.
func (c *call) query() {
	q := c.r.URL.Query().Get("q")
	if q == "" {
		sfwire.WriteErrors(c.w, http.StatusBadRequest, sfwire.Error{Message: "A query string has to be specified", ErrorCode: sfwire.CodeMalformedQuery})
		return
	}
	pq, err := parseQuery(q, c.d.opts.Objects)
	if err != nil {
		sfwire.WriteErrors(c.w, http.StatusBadRequest, *err)
		return
	}
	all := c.d.run(pq, c.version)
	if pq.count {
		sfwire.WriteJSON(c.w, http.StatusOK, QueryResult{TotalSize: len(all), Done: true, Records: []map[string]any{}})
		return
	}
	c.page(all, len(all))
}

// QueryResult is a page of query results.
type QueryResult struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl,omitempty"`
	Records        []map[string]any `json:"records"`
}

func (c *call) page(recs []map[string]any, total int) {
	out := QueryResult{TotalSize: total, Done: true}
	batch := c.d.opts.QueryBatch
	if len(recs) > batch {
		c.d.mu.Lock()
		c.d.seq++
		cur := fmt.Sprintf("01gx%011d-%d", c.d.seq, batch)
		c.d.cursors[cur] = recs[batch:]
		c.d.mu.Unlock()
		recs = recs[:batch]
		out.Done = false
		out.NextRecordsURL = "/services/data/v" + c.version + "/query/" + cur
	}
	if recs == nil {
		recs = []map[string]any{}
	}
	out.Records = recs
	sfwire.WriteJSON(c.w, http.StatusOK, out)
}

// queryMore serves GET /query/{locator}.
func (c *call) queryMore(cur string) {
	c.d.mu.Lock()
	recs, ok := c.d.cursors[cur]
	delete(c.d.cursors, cur)
	c.d.mu.Unlock()
	if !ok {
		sfwire.WriteErrors(c.w, http.StatusBadRequest, sfwire.Error{Message: "invalid query locator", ErrorCode: "INVALID_QUERY_LOCATOR"})
		return
	}
	c.page(recs, len(recs))
}

type parsedQuery struct {
	typ     string
	fields  []string
	count   bool
	where   cond
	orderBy string
	desc    bool
	limit   int
	offset  int
}

// cond is a WHERE condition evaluated on a record's fields.
type cond func(id string, f map[string]any) bool

type parser struct {
	toks []sfwire.Token
	i    int
	obj  Object
	typ  string
}

func malformed(msg string) *sfwire.Error {
	return &sfwire.Error{Message: msg, ErrorCode: sfwire.CodeMalformedQuery}
}

func parseQuery(q string, objects map[string]Object) (*parsedQuery, *sfwire.Error) {
	toks, err := sfwire.Lex(q)
	if err != nil {
		return nil, malformed(err.Error())
	}
	p := &parser{toks: toks}
	pq := &parsedQuery{limit: -1}
	if !p.kw("SELECT") {
		return nil, malformed("unexpected token: expecting SELECT")
	}
	for {
		t, ok := p.next()
		if !ok || t.Kind != sfwire.TokIdent {
			return nil, malformed("unexpected token in field list")
		}
		if t.Is("COUNT") && p.punct("(") && p.punct(")") {
			pq.count = true
		} else {
			pq.fields = append(pq.fields, t.Text)
		}
		if !p.punct(",") {
			break
		}
	}
	if !p.kw("FROM") {
		return nil, malformed("unexpected token: expecting FROM")
	}
	t, ok := p.next()
	if !ok || t.Kind != sfwire.TokIdent {
		return nil, malformed("unexpected token: expecting an object name")
	}
	pq.typ = t.Text
	obj, known := objects[pq.typ]
	if !known {
		return nil, &sfwire.Error{Message: "sObject type '" + pq.typ + "' is not supported.", ErrorCode: sfwire.CodeInvalidType}
	}
	p.obj, p.typ = obj, pq.typ
	for _, f := range pq.fields {
		if e := p.field(f, false); e != nil {
			return nil, e
		}
	}
	if p.kw("WHERE") {
		c, e := p.or()
		if e != nil {
			return nil, e
		}
		pq.where = c
	}
	if p.kw("ORDER") {
		if !p.kw("BY") {
			return nil, malformed("unexpected token: expecting BY")
		}
		t, ok := p.next()
		if !ok || t.Kind != sfwire.TokIdent {
			return nil, malformed("unexpected token in ORDER BY")
		}
		if e := p.field(t.Text, false); e != nil {
			return nil, e
		}
		pq.orderBy = t.Text
		if p.kw("DESC") {
			pq.desc = true
		} else {
			p.kw("ASC")
		}
	}
	for _, kw := range []string{"LIMIT", "OFFSET"} {
		if p.kw(kw) {
			t, ok := p.next()
			n, err := strconv.Atoi(t.Text)
			if !ok || err != nil || n < 0 {
				return nil, malformed("unexpected token: expecting a number after " + kw)
			}
			if kw == "LIMIT" {
				pq.limit = n
			} else {
				pq.offset = n
			}
		}
	}
	if p.i < len(p.toks) {
		return nil, malformed("unexpected token: '" + p.toks[p.i].Text + "'")
	}
	return pq, nil
}

func (p *parser) next() (sfwire.Token, bool) {
	if p.i >= len(p.toks) {
		return sfwire.Token{}, false
	}
	p.i++
	return p.toks[p.i-1], true
}

func (p *parser) kw(k string) bool {
	if p.i < len(p.toks) && p.toks[p.i].Is(k) {
		p.i++
		return true
	}
	return false
}

func (p *parser) punct(s string) bool {
	if p.i < len(p.toks) && p.toks[p.i].Kind == sfwire.TokPunct && p.toks[p.i].Text == s {
		p.i++
		return true
	}
	return false
}

func (p *parser) field(name string, filter bool) *sfwire.Error {
	if name == "Id" {
		return nil
	}
	kind, ok := p.obj.Fields[name]
	if !ok {
		return &sfwire.Error{Message: fmt.Sprintf("No such column '%s' on entity '%s'.", name, p.typ), ErrorCode: sfwire.CodeInvalidField}
	}
	if filter && kind == Text {
		return &sfwire.Error{Message: fmt.Sprintf("field '%s' can not be filtered in query call", name), ErrorCode: sfwire.CodeInvalidField}
	}
	return nil
}

func (p *parser) or() (cond, *sfwire.Error) {
	l, e := p.and()
	for e == nil && p.kw("OR") {
		var r cond
		if r, e = p.and(); e == nil {
			a, b := l, r
			l = func(id string, f map[string]any) bool { return a(id, f) || b(id, f) }
		}
	}
	return l, e
}

func (p *parser) and() (cond, *sfwire.Error) {
	l, e := p.not()
	for e == nil && p.kw("AND") {
		var r cond
		if r, e = p.not(); e == nil {
			a, b := l, r
			l = func(id string, f map[string]any) bool { return a(id, f) && b(id, f) }
		}
	}
	return l, e
}

func (p *parser) not() (cond, *sfwire.Error) {
	if p.kw("NOT") {
		c, e := p.not()
		if e != nil {
			return nil, e
		}
		return func(id string, f map[string]any) bool { return !c(id, f) }, nil
	}
	if p.punct("(") {
		c, e := p.or()
		if e != nil {
			return nil, e
		}
		if !p.punct(")") {
			return nil, malformed("unexpected token: expecting ')'")
		}
		return c, nil
	}
	return p.cmp()
}

func (p *parser) cmp() (cond, *sfwire.Error) {
	t, ok := p.next()
	if !ok || t.Kind != sfwire.TokIdent {
		return nil, malformed("unexpected token: expecting a field")
	}
	name := t.Text
	if e := p.field(name, true); e != nil {
		return nil, e
	}
	get := func(id string, f map[string]any) any {
		if name == "Id" {
			return id
		}
		return f[name]
	}
	negate := p.kw("NOT")
	if p.kw("IN") {
		if !p.punct("(") {
			return nil, malformed("unexpected token: expecting '('")
		}
		var vals []any
		for {
			v, e := p.literal()
			if e != nil {
				return nil, e
			}
			vals = append(vals, v)
			if !p.punct(",") {
				break
			}
		}
		if !p.punct(")") {
			return nil, malformed("unexpected token: expecting ')'")
		}
		return func(id string, f map[string]any) bool {
			x := get(id, f)
			for _, v := range vals {
				if compare(x, v) == 0 {
					return !negate
				}
			}
			return negate
		}, nil
	}
	if negate {
		return nil, malformed("unexpected token: NOT")
	}
	if p.kw("LIKE") {
		v, e := p.literal()
		s, ok := v.(string)
		if e != nil || !ok {
			return nil, malformed("unexpected token: LIKE needs a string")
		}
		re := likeRe(s)
		return func(id string, f map[string]any) bool {
			x, ok := get(id, f).(string)
			return ok && re.MatchString(x)
		}, nil
	}
	op, ok := p.next()
	if !ok || op.Kind != sfwire.TokOp {
		return nil, malformed("unexpected token: expecting an operator")
	}
	v, e := p.literal()
	if e != nil {
		return nil, e
	}
	return func(id string, f map[string]any) bool {
		c := compare(get(id, f), v)
		switch op.Text {
		case "=":
			return c == 0
		case "!=", "<>":
			return c != 0
		case "<":
			return c == -1
		case ">":
			return c == 1
		case "<=":
			return c == -1 || c == 0
		default: // >=
			return c == 1 || c == 0
		}
	}, nil
}

func (p *parser) literal() (any, *sfwire.Error) {
	t, ok := p.next()
	if !ok {
		return nil, malformed("unexpected end of query")
	}
	switch {
	case t.Kind == sfwire.TokString:
		return sfwire.StringValue(t.Text), nil
	case t.Kind == sfwire.TokNumber:
		if f, err := strconv.ParseFloat(t.Text, 64); err == nil {
			return f, nil
		}
		return t.Text, nil // a date or datetime literal
	case t.Is("NULL"):
		return nil, nil
	case t.Is("TRUE"):
		return true, nil
	case t.Is("FALSE"):
		return false, nil
	}
	return nil, malformed("unexpected token: '" + t.Text + "'")
}

// compare returns -1, 0 or 1, or 2 when the values do not compare.
func compare(a, b any) int {
	if a == nil || b == nil {
		if a == nil && b == nil {
			return 0
		}
		return 2
	}
	if fa, ok := toFloat(a); ok {
		if fb, ok := toFloat(b); ok {
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
	}
	sa, sb := fmt.Sprint(a), fmt.Sprint(b)
	if ba, ok := a.(bool); ok {
		if bb, ok := b.(bool); ok && ba == bb {
			return 0
		}
		return 2
	}
	return strings.Compare(sa, sb)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case interface{ Float64() (float64, error) }:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func likeRe(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteString(regexp.QuoteMeta(s[i : i+1]))
			}
		default:
			b.WriteString(regexp.QuoteMeta(s[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// run evaluates a parsed query over the stored records.
func (d *Double) run(pq *parsedQuery, version string) []map[string]any {
	d.mu.Lock()
	var hits []*Record
	for _, id := range d.order {
		r, ok := d.records[id]
		if !ok || r.Type != pq.typ || (pq.where != nil && !pq.where(id, r.Fields)) {
			continue
		}
		hits = append(hits, r)
	}
	d.mu.Unlock()
	if pq.orderBy != "" {
		sort.SliceStable(hits, func(i, j int) bool {
			c := compare(hits[i].Fields[pq.orderBy], hits[j].Fields[pq.orderBy])
			if pq.desc {
				return c == 1
			}
			return c == -1
		})
	}
	if pq.offset > 0 {
		hits = hits[min(pq.offset, len(hits)):]
	}
	if pq.limit >= 0 && len(hits) > pq.limit {
		hits = hits[:pq.limit]
	}
	out := make([]map[string]any, 0, len(hits))
	for _, r := range hits {
		m := map[string]any{"attributes": map[string]string{"type": r.Type, "url": "/services/data/v" + version + "/sobjects/" + r.Type + "/" + r.ID}}
		for _, f := range pq.fields {
			if f == "Id" {
				m["Id"] = r.ID
			} else {
				m[f] = r.Fields[f]
			}
		}
		out = append(out, m)
	}
	return out
}
