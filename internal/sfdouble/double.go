package sfdouble

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

// Options configures a Double.
type Options struct {
	ClientID     string         // the connected app's consumer key
	ClientSecret string         // accepted by the client_credentials flow
	Username     string         // the JWT bearer flow's sub
	PublicKey    *rsa.PublicKey // verifies JWT bearer assertions; nil refuses that flow
	Audience     string         // the JWT aud expected; empty accepts any
	// Objects are the sObject types served; nil means DefaultObjects.
	Objects map[string]Object
	// QueryBatch is the page size of query results; default 2000.
	QueryBatch int
}

// Double is an in-memory Salesforce org. It is safe for concurrent use.
type Double struct {
	opts Options
	mux  *http.ServeMux

	mu      sync.Mutex
	records map[string]*Record
	byExt   map[extKey]map[string]bool // external id value → ids
	order   []string                   // ids in creation order
	seq     int
	tokens  map[string]bool
	cursors map[string][]map[string]any
	bodies  [][]byte // every request body received on /services/data

	down     atomic.Bool
	dropNext atomic.Int32 // writes to perform and then drop the connection
	counts   Counts
	countsMu sync.Mutex
	upsertMu sync.Mutex // makes match-then-write of an upsert atomic
}

// Record is a stored record.
type Record struct {
	Type   string
	ID     string
	Fields map[string]any
}

// Counts says how many writes the double performed.
type Counts struct {
	Creates, Updates, UpsertCreates, UpsertUpdates, Deletes int
	Tokens                                                  int // tokens issued
	Requests                                                int // data API requests
	Unauthorized                                            int // 401 answers
}

// New returns a double.
func New(opts Options) *Double {
	if opts.Objects == nil {
		opts.Objects = DefaultObjects()
	}
	if opts.QueryBatch == 0 {
		opts.QueryBatch = 2000
	}
	d := &Double{opts: opts, records: map[string]*Record{}, byExt: map[extKey]map[string]bool{}, tokens: map[string]bool{}, cursors: map[string][]map[string]any{}}
	d.mux = http.NewServeMux()
	d.mux.HandleFunc("POST /services/oauth2/token", d.token)
	d.mux.HandleFunc("/services/data/", d.data)
	return d
}

// ServeHTTP serves the org's REST API.
func (d *Double) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.mux.ServeHTTP(w, r) }

// SetDown makes every data and token request answer 503 while down is true.
func (d *Double) SetDown(down bool) { d.down.Store(down) }

// DropAfterWrite makes the next n writes take effect and then drop the
// connection without an answer: the client cannot tell whether they happened.
func (d *Double) DropAfterWrite(n int) { d.dropNext.Store(int32(n)) }

// ExpireTokens invalidates every issued access token (the next call gets 401).
func (d *Double) ExpireTokens() {
	d.mu.Lock()
	clear(d.tokens)
	d.mu.Unlock()
}

// Counts returns the write counters.
func (d *Double) Counts() Counts {
	d.countsMu.Lock()
	defer d.countsMu.Unlock()
	return d.counts
}

func (d *Double) count(f func(c *Counts)) {
	d.countsMu.Lock()
	f(&d.counts)
	d.countsMu.Unlock()
}

// Records returns copies of the stored records of type typ ("" for all), in
// creation order.
func (d *Double) Records(typ string) []Record {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Record
	for _, id := range d.order {
		r, ok := d.records[id]
		if !ok || (typ != "" && r.Type != typ) {
			continue
		}
		out = append(out, Record{Type: r.Type, ID: r.ID, Fields: maps.Clone(r.Fields)})
	}
	return out
}

// Dump returns everything the org holds and every request body it received,
// for tests that grep for values that must never have arrived.
func (d *Double) Dump() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b bytes.Buffer
	for _, id := range d.order {
		if r, ok := d.records[id]; ok {
			j, _ := json.Marshal(r)
			b.Write(j)
			b.WriteByte('\n')
		}
	}
	for _, body := range d.bodies {
		b.Write(body)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

var versionRe = regexp.MustCompile(`^/services/data/v([0-9]{2}\.[0-9])(/.*)?$`)

func (d *Double) data(w http.ResponseWriter, r *http.Request) {
	if d.down.Load() {
		sfwire.WriteErrors(w, http.StatusServiceUnavailable, sfwire.Error{Message: "Service temporarily unavailable", ErrorCode: sfwire.CodeServerUnavailable})
		return
	}
	d.count(func(c *Counts) { c.Requests++ })
	if !d.authorized(r) {
		d.count(func(c *Counts) { c.Unauthorized++ })
		sfwire.WriteErrors(w, http.StatusUnauthorized, sfwire.Error{Message: sfwire.MsgInvalidSession, ErrorCode: sfwire.CodeInvalidSession})
		return
	}
	m := versionRe.FindStringSubmatch(r.URL.Path)
	if m == nil {
		notFound(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		sfwire.WriteErrors(w, http.StatusBadRequest, sfwire.Error{Message: "could not read body", ErrorCode: sfwire.CodeJSONParser})
		return
	}
	if len(body) > 0 {
		d.mu.Lock()
		d.bodies = append(d.bodies, body)
		d.mu.Unlock()
	}
	ctx := &call{d: d, w: w, r: r, version: m[1], body: body}
	ctx.route(strings.Trim(m[2], "/"))
}

func (d *Double) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tokens[tok]
}

// call is one data API request.
type call struct {
	d       *Double
	w       http.ResponseWriter
	r       *http.Request
	version string
	body    []byte
	// wrote is set once a write took effect, for DropAfterWrite.
	wrote bool
}

func (c *call) route(p string) {
	parts := strings.Split(p, "/")
	if p == "" {
		sfwire.WriteJSON(c.w, http.StatusOK, map[string]string{"sobjects": "/services/data/v" + c.version + "/sobjects", "query": "/services/data/v" + c.version + "/query", "composite": "/services/data/v" + c.version + "/composite"})
		return
	}
	switch parts[0] {
	case "sobjects":
		c.sobjects(parts[1:])
	case "composite":
		switch {
		case len(parts) == 1 && c.r.Method == http.MethodPost:
			c.composite()
		case len(parts) >= 2 && parts[1] == "sobjects":
			c.collections(parts[2:])
		default:
			notFound(c.w)
		}
	case "limits":
		sfwire.WriteJSON(c.w, http.StatusOK, map[string]any{
			"DailyApiRequests": map[string]int{"Max": 15000, "Remaining": 15000 - c.d.Counts().Requests},
		})
	case "query", "queryAll":
		if len(parts) == 2 {
			c.queryMore(parts[1])
			return
		}
		c.query()
	default:
		notFound(c.w)
	}
	c.maybeDrop()
}

// maybeDrop hijacks the connection after a write when told to, so the
// client sees a failure for a write that took effect.
func (c *call) maybeDrop() {
	if !c.wrote {
		return
	}
	for {
		n := c.d.dropNext.Load()
		if n <= 0 {
			return
		}
		if c.d.dropNext.CompareAndSwap(n, n-1) {
			break
		}
	}
	panic(http.ErrAbortHandler)
}

func notFound(w http.ResponseWriter) {
	sfwire.WriteErrors(w, http.StatusNotFound, sfwire.Error{Message: sfwire.MsgNotFound, ErrorCode: sfwire.CodeNotFound})
}

// newID makes an 18-character Id with the object's key prefix.
func (d *Double) newID(obj Object) string {
	d.seq++
	return fmt.Sprintf("%s%012dAAA", obj.Prefix, d.seq)
}

// validate checks fields against the schema; create also checks required ones.
func (d *Double) validate(typ string, fields map[string]any, create bool) *sfwire.StatusError {
	obj := d.opts.Objects[typ]
	names := slices.Sorted(maps.Keys(fields))
	for _, name := range names {
		kind, ok := obj.Fields[name]
		if !ok {
			return &sfwire.StatusError{StatusCode: sfwire.CodeInvalidField,
				Message: fmt.Sprintf("No such column '%s' on sobject of type %s", name, typ), Fields: []string{}}
		}
		if kind == Email {
			if s, ok := fields[name].(string); ok && s != "" && !emailRe.MatchString(s) {
				return &sfwire.StatusError{StatusCode: sfwire.CodeInvalidEmail,
					Message: name + ": invalid email address: " + s, Fields: []string{name}}
			}
		}
	}
	if create {
		var missing []string
		for _, f := range obj.Required {
			if v, ok := fields[f]; !ok || v == nil || v == "" {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			return &sfwire.StatusError{StatusCode: sfwire.CodeRequiredMissing,
				Message: "Required fields are missing: [" + strings.Join(missing, ", ") + "]", Fields: missing}
		}
	}
	return nil
}

var emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// decodeRecord parses a record body, dropping attributes and Id.
func decodeRecord(b []byte) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("malformed JSON")
	}
	delete(m, "attributes")
	return m, nil
}

func jsonParserError(w http.ResponseWriter) {
	sfwire.WriteErrors(w, http.StatusBadRequest, sfwire.Error{Message: "Unexpected character: was expecting a JSON value", ErrorCode: sfwire.CodeJSONParser})
}
