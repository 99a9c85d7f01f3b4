package sfdouble

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

type collectionBody struct {
	AllOrNone bool              `json:"allOrNone"`
	Records   []json.RawMessage `json:"records"`
	IDs       []string          `json:"ids"`
	Fields    []string          `json:"fields"`
}

// collections serves /composite/sobjects[/{type}[/{extField}]].
func (c *call) collections(p []string) {
	if len(p) > 0 && p[0] == "" {
		p = p[:0]
	}
	var body collectionBody
	if len(c.body) > 0 {
		dec := json.NewDecoder(bytes.NewReader(c.body))
		if err := dec.Decode(&body); err != nil {
			jsonParserError(c.w)
			return
		}
	}
	if c.r.Method == http.MethodDelete || c.r.Method == http.MethodGet {
		q := c.r.URL.Query()
		if ids := q.Get("ids"); ids != "" {
			body.IDs = strings.Split(ids, ",")
		}
		body.AllOrNone = q.Get("allOrNone") == "true"
		body.Fields = fieldList(q.Get("fields"))
	}
	if len(body.Records) > sfwire.MaxCollection || len(body.IDs) > sfwire.MaxCollection {
		sfwire.WriteErrors(c.w, http.StatusBadRequest, sfwire.Error{Message: sfwire.MsgCollectionLimit, ErrorCode: sfwire.CodeExceededIDLimit})
		return
	}
	switch {
	case len(p) == 0 && c.r.Method == http.MethodPost:
		c.writeMany(body, func(typ string, f map[string]any) sfwire.SaveResult {
			id, e := c.d.create(typ, f)
			if e != nil {
				return sfwire.SaveResult{Errors: []sfwire.StatusError{*e}}
			}
			return sfwire.Success(id, nil)
		})
	case len(p) == 0 && c.r.Method == http.MethodPatch:
		c.writeMany(body, func(typ string, f map[string]any) sfwire.SaveResult {
			id, _ := f["id"].(string)
			if id == "" {
				id, _ = f["Id"].(string)
			}
			delete(f, "id")
			delete(f, "Id")
			found, e := c.d.update(typ, id, f)
			switch {
			case !found:
				return sfwire.Failure(sfwire.CodeInvalidID, "invalid record id")
			case e != nil:
				return sfwire.SaveResult{Errors: []sfwire.StatusError{*e}}
			}
			return sfwire.Success(id, nil)
		})
	case len(p) == 2 && c.r.Method == http.MethodPatch:
		typ, field := p[0], p[1]
		if _, ok := c.d.opts.Objects[typ]; !ok {
			notFound(c.w)
			return
		}
		c.writeMany(body, func(rt string, f map[string]any) sfwire.SaveResult {
			if rt != typ {
				return sfwire.Failure(sfwire.CodeInvalidType, "record type does not match the URL")
			}
			val, _ := f[field].(string)
			if val == "" {
				return sfwire.Failure(sfwire.CodeRequiredMissing, "External ID field value is missing", field)
			}
			res, ids := c.d.upsert(typ, field, val, f)
			if len(ids) > 1 {
				return sfwire.Failure(sfwire.CodeDuplicateExtID, "Duplicate external id specified: "+val, field)
			}
			return res
		})
	case len(p) == 0 && c.r.Method == http.MethodDelete:
		c.deleteMany(body)
	case len(p) == 1 && (c.r.Method == http.MethodGet || c.r.Method == http.MethodPost):
		if _, ok := c.d.opts.Objects[p[0]]; !ok {
			notFound(c.w)
			return
		}
		out := make([]any, len(body.IDs))
		for i, id := range body.IDs {
			if rec, ok := c.d.get(p[0], id); ok {
				out[i] = c.d.view(rec, c.version, body.Fields)
			}
		}
		sfwire.WriteJSON(c.w, http.StatusOK, out)
	default:
		notFound(c.w)
	}
}

// writeMany applies op to each record; with allOrNone, any failure restores
// the state from before the call.
func (c *call) writeMany(body collectionBody, op func(typ string, f map[string]any) sfwire.SaveResult) {
	var snap *snapshot
	if body.AllOrNone {
		snap = c.d.snapshot()
	}
	results := make([]sfwire.SaveResult, len(body.Records))
	failed := false
	for i, raw := range body.Records {
		var attrs struct {
			Attributes struct {
				Type string `json:"type"`
			} `json:"attributes"`
		}
		f, err := decodeRecord(raw)
		if err != nil || json.Unmarshal(raw, &attrs) != nil {
			results[i] = sfwire.Failure(sfwire.CodeJSONParser, "malformed record")
		} else if _, ok := c.d.opts.Objects[attrs.Attributes.Type]; !ok {
			results[i] = sfwire.Failure(sfwire.CodeInvalidType, "sObject type '"+attrs.Attributes.Type+"' is not supported.")
		} else {
			results[i] = op(attrs.Attributes.Type, f)
		}
		if !results[i].Success {
			failed = true
			if results[i].Errors == nil {
				results[i].Errors = []sfwire.StatusError{}
			}
		}
	}
	if failed && snap != nil {
		c.d.restore(snap)
		rollBack(results)
	}
	c.wrote = !failed || snap == nil
	sfwire.WriteJSON(c.w, http.StatusOK, results)
}

// rollBack marks every successful result as rolled back.
func rollBack(results []sfwire.SaveResult) {
	for i := range results {
		if results[i].Success {
			results[i] = sfwire.Failure(sfwire.CodeRolledBack, sfwire.MsgRolledBack)
		}
		results[i].ID = nil
		results[i].Created = nil
	}
}

func (c *call) deleteMany(body collectionBody) {
	var snap *snapshot
	if body.AllOrNone {
		snap = c.d.snapshot()
	}
	results := make([]sfwire.SaveResult, len(body.IDs))
	failed := false
	for i, id := range body.IDs {
		d := c.d
		d.mu.Lock()
		r, ok := d.records[id]
		d.mu.Unlock()
		if !ok || !d.remove(r.Type, id) {
			results[i] = sfwire.Failure(sfwire.CodeInvalidID, "invalid record id")
			results[i].ID = sfwire.Ptr(id)
			failed = true
			continue
		}
		results[i] = sfwire.Success(id, nil)
	}
	if failed && snap != nil {
		c.d.restore(snap)
		rollBack(results)
	}
	c.wrote = true
	sfwire.WriteJSON(c.w, http.StatusOK, results)
}

type snapshot struct {
	records map[string]*Record
	order   []string
	seq     int
	counts  Counts
}

func (d *Double) snapshot() *snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := &snapshot{records: make(map[string]*Record, len(d.records)), order: append([]string(nil), d.order...), seq: d.seq, counts: d.Counts()}
	for id, r := range d.records {
		s.records[id] = &Record{Type: r.Type, ID: r.ID, Fields: maps.Clone(r.Fields)}
	}
	return s
}

func (d *Double) restore(s *snapshot) {
	d.mu.Lock()
	d.records, d.order, d.seq = s.records, s.order, s.seq
	d.byExt = map[extKey]map[string]bool{}
	for _, r := range d.records {
		d.index(r, true)
	}
	d.mu.Unlock()
	d.countsMu.Lock()
	req, tok, unauth := d.counts.Requests, d.counts.Tokens, d.counts.Unauthorized
	d.counts = s.counts
	d.counts.Requests, d.counts.Tokens, d.counts.Unauthorized = req, tok, unauth
	d.countsMu.Unlock()
}
