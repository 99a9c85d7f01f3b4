package sfdouble

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

// sobjects serves /sobjects/{type}[/{id} | /{extField}/{value} | /describe].
func (c *call) sobjects(p []string) {
	if len(p) == 0 || p[0] == "" {
		names := slices.Sorted(maps.Keys(c.d.opts.Objects))
		list := make([]map[string]any, 0, len(names))
		for _, n := range names {
			list = append(list, map[string]any{"name": n, "keyPrefix": c.d.opts.Objects[n].Prefix})
		}
		sfwire.WriteJSON(c.w, http.StatusOK, map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})
		return
	}
	typ := p[0]
	if _, ok := c.d.opts.Objects[typ]; !ok {
		notFound(c.w)
		return
	}
	switch {
	case len(p) == 1 && c.r.Method == http.MethodPost:
		c.create(typ)
	case len(p) == 1 && c.r.Method == http.MethodGet:
		sfwire.WriteJSON(c.w, http.StatusOK, map[string]any{"objectDescribe": map[string]any{"name": typ}, "recentItems": []any{}})
	case len(p) == 2 && p[1] == "describe":
		c.describe(typ)
	case len(p) == 2:
		c.byID(typ, p[1])
	case len(p) == 3:
		val, err := url.PathUnescape(p[2])
		if err != nil {
			notFound(c.w)
			return
		}
		c.byExternal(typ, p[1], val)
	default:
		notFound(c.w)
	}
}

func (c *call) describe(typ string) {
	obj := c.d.opts.Objects[typ]
	fields := []map[string]any{{"name": "Id", "type": "id", "externalId": false}}
	for _, n := range slices.Sorted(maps.Keys(obj.Fields)) {
		fields = append(fields, map[string]any{"name": n, "type": "string", "externalId": slices.Contains(obj.ExternalIDs, n)})
	}
	sfwire.WriteJSON(c.w, http.StatusOK, map[string]any{"name": typ, "keyPrefix": obj.Prefix, "fields": fields})
}

func (c *call) create(typ string) {
	fields, err := decodeRecord(c.body)
	if err != nil {
		jsonParserError(c.w)
		return
	}
	id, serr := c.d.create(typ, fields)
	if serr != nil {
		writeStatusError(c.w, serr)
		return
	}
	c.wrote = true
	sfwire.WriteJSON(c.w, http.StatusCreated, sfwire.Success(id, nil))
}

func writeStatusError(w http.ResponseWriter, e *sfwire.StatusError) {
	sfwire.WriteErrors(w, http.StatusBadRequest, sfwire.Error{Message: e.Message, ErrorCode: e.StatusCode, Fields: e.Fields})
}

func (c *call) byID(typ, id string) {
	switch c.r.Method {
	case http.MethodGet:
		rec, ok := c.d.get(typ, id)
		if !ok {
			notFound(c.w)
			return
		}
		sfwire.WriteJSON(c.w, http.StatusOK, c.d.view(rec, c.version, fieldList(c.r.URL.Query().Get("fields"))))
	case http.MethodPatch:
		fields, err := decodeRecord(c.body)
		if err != nil {
			jsonParserError(c.w)
			return
		}
		delete(fields, "Id")
		found, serr := c.d.update(typ, id, fields)
		switch {
		case !found:
			notFound(c.w)
		case serr != nil:
			writeStatusError(c.w, serr)
		default:
			c.wrote = true
			c.w.WriteHeader(http.StatusNoContent)
		}
	case http.MethodDelete:
		if !c.d.remove(typ, id) {
			notFound(c.w)
			return
		}
		c.wrote = true
		c.w.WriteHeader(http.StatusNoContent)
	default:
		sfwire.WriteErrors(c.w, http.StatusMethodNotAllowed, sfwire.Error{Message: "HTTP Method '" + c.r.Method + "' not allowed. Allowed are GET,PATCH,DELETE", ErrorCode: sfwire.CodeMethodNotAllowed})
	}
}

func (c *call) byExternal(typ, field, val string) {
	obj := c.d.opts.Objects[typ]
	if !slices.Contains(obj.ExternalIDs, field) && field != "Id" {
		sfwire.WriteErrors(c.w, http.StatusNotFound, sfwire.Error{Message: "Provided external ID field does not exist or is not accessible: " + field, ErrorCode: sfwire.CodeNotFound})
		return
	}
	switch c.r.Method {
	case http.MethodGet, http.MethodDelete:
		ids := c.d.match(typ, field, val)
		switch len(ids) {
		case 0:
			notFound(c.w)
		case 1:
			if c.r.Method == http.MethodDelete {
				c.d.remove(typ, ids[0])
				c.wrote = true
				c.w.WriteHeader(http.StatusNoContent)
				return
			}
			rec, _ := c.d.get(typ, ids[0])
			sfwire.WriteJSON(c.w, http.StatusOK, c.d.view(rec, c.version, fieldList(c.r.URL.Query().Get("fields"))))
		default:
			c.multiple(typ, ids)
		}
	case http.MethodPatch:
		fields, err := decodeRecord(c.body)
		if err != nil {
			jsonParserError(c.w)
			return
		}
		res, ids := c.d.upsert(typ, field, val, fields)
		switch {
		case len(ids) > 1:
			c.multiple(typ, ids)
		case !res.Success:
			sfwire.WriteErrors(c.w, http.StatusBadRequest, sfwire.Error{Message: res.Errors[0].Message, ErrorCode: res.Errors[0].StatusCode, Fields: res.Errors[0].Fields})
		case *res.Created:
			c.wrote = true
			sfwire.WriteJSON(c.w, http.StatusCreated, res)
		default:
			c.wrote = true
			sfwire.WriteJSON(c.w, http.StatusOK, res)
		}
	default:
		sfwire.WriteErrors(c.w, http.StatusMethodNotAllowed, sfwire.Error{Message: "HTTP Method '" + c.r.Method + "' not allowed. Allowed are GET,PATCH,DELETE", ErrorCode: sfwire.CodeMethodNotAllowed})
	}
}

// multiple answers 300 with the URLs of the matching records.
func (c *call) multiple(typ string, ids []string) {
	urls := make([]string, len(ids))
	for i, id := range ids {
		urls[i] = "/services/data/v" + c.version + "/sobjects/" + typ + "/" + id
	}
	sfwire.WriteJSON(c.w, http.StatusMultipleChoices, urls)
}

func fieldList(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.Split(s, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// view renders a record as Salesforce does: attributes, Id, then fields
// (all of the schema's fields, null when unset, unless a list is given).
func (d *Double) view(r *Record, version string, fields []string) map[string]any {
	out := map[string]any{
		"attributes": map[string]string{"type": r.Type, "url": "/services/data/v" + version + "/sobjects/" + r.Type + "/" + r.ID},
		"Id":         r.ID,
	}
	if fields == nil {
		fields = slices.Sorted(maps.Keys(d.opts.Objects[r.Type].Fields))
	}
	for _, f := range fields {
		if f == "Id" {
			continue
		}
		out[f] = r.Fields[f]
	}
	return out
}

// Store operations; each takes the lock.

func (d *Double) create(typ string, fields map[string]any) (string, *sfwire.StatusError) {
	delete(fields, "Id")
	if e := d.validate(typ, fields, true); e != nil {
		return "", e
	}
	d.mu.Lock()
	id := d.newID(d.opts.Objects[typ])
	r := &Record{Type: typ, ID: id, Fields: fields}
	d.records[id] = r
	d.order = append(d.order, id)
	d.index(r, true)
	d.mu.Unlock()
	d.count(func(c *Counts) { c.Creates++ })
	return id, nil
}

func (d *Double) get(typ, id string) (*Record, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.records[id]
	if !ok || r.Type != typ {
		return nil, false
	}
	return &Record{Type: r.Type, ID: r.ID, Fields: maps.Clone(r.Fields)}, true
}

func (d *Double) update(typ, id string, fields map[string]any) (bool, *sfwire.StatusError) {
	if _, ok := d.get(typ, id); !ok {
		return false, nil
	}
	if e := d.validate(typ, fields, false); e != nil {
		return true, e
	}
	d.mu.Lock()
	r, ok := d.records[id]
	if ok {
		d.index(r, false)
		maps.Copy(r.Fields, fields)
		d.index(r, true)
	}
	d.mu.Unlock()
	d.count(func(c *Counts) { c.Updates++ })
	return ok, nil
}

func (d *Double) remove(typ, id string) bool {
	d.mu.Lock()
	r, ok := d.records[id]
	if ok && r.Type == typ {
		d.index(r, false)
		delete(d.records, id)
	}
	d.mu.Unlock()
	if ok && r.Type == typ {
		d.count(func(c *Counts) { c.Deletes++ })
		return true
	}
	return false
}

func (d *Double) match(typ, field, val string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if field == "Id" {
		if r, ok := d.records[val]; ok && r.Type == typ {
			return []string{val}
		}
		return nil
	}
	ids := d.byExt[extKey{typ, field, val}]
	out := make([]string, 0, len(ids))
	for _, id := range d.order { // creation order, like the org's 300 answer
		if ids[id] {
			out = append(out, id)
		}
		if len(out) == len(ids) {
			break
		}
	}
	return out
}

// extKey names an external id value of one object type.
type extKey struct{ typ, field, val string }

// index adds (or removes) r's external id values to the lookup upserts use.
// The caller holds d.mu.
func (d *Double) index(r *Record, add bool) {
	for _, f := range d.opts.Objects[r.Type].ExternalIDs {
		v, ok := r.Fields[f].(string)
		if !ok || v == "" {
			continue
		}
		k := extKey{r.Type, f, v}
		if add {
			if d.byExt[k] == nil {
				d.byExt[k] = map[string]bool{}
			}
			d.byExt[k][r.ID] = true
		} else if ids := d.byExt[k]; ids != nil {
			delete(ids, r.ID)
			if len(ids) == 0 {
				delete(d.byExt, k)
			}
		}
	}
}

// upsert creates or updates the record whose field equals val. More than one
// match returns the ids and no result.
func (d *Double) upsert(typ, field, val string, fields map[string]any) (sfwire.SaveResult, []string) {
	d.upsertMu.Lock()
	defer d.upsertMu.Unlock()
	if v, ok := fields[field]; ok && v != val {
		return sfwire.Failure(sfwire.CodeInvalidField, "The external ID field in the body must match the one in the URL", field), nil
	}
	ids := d.match(typ, field, val)
	switch len(ids) {
	case 0:
		if field != "Id" {
			fields[field] = val
		}
		id, e := d.create(typ, fields)
		if e != nil {
			return sfwire.SaveResult{Errors: []sfwire.StatusError{*e}}, nil
		}
		d.count(func(c *Counts) { c.Creates--; c.UpsertCreates++ })
		return sfwire.Success(id, sfwire.Ptr(true)), nil
	case 1:
		delete(fields, "Id")
		if _, e := d.update(typ, ids[0], fields); e != nil {
			return sfwire.SaveResult{Errors: []sfwire.StatusError{*e}}, nil
		}
		d.count(func(c *Counts) { c.Updates--; c.UpsertUpdates++ })
		return sfwire.Success(ids[0], sfwire.Ptr(false)), nil
	default:
		return sfwire.SaveResult{}, ids
	}
}
