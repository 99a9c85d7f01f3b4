package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
	"github.com/sovereign-gateway/sovereign/internal/store"
)

// composite serves POST /composite: up to 25 subrequests run in order through
// this face (each one minimized, stored and audited like a direct call), with
// @{ref} references resolved from earlier answers. With allOrNone, a failure
// halts the rest and what earlier subrequests did is compensated through the
// face: created records are deleted, updated fields get their earlier values
// back. Deletes are not undone (the regional record is erased).
func (rq *request) composite() {
	var req sfwire.CompositeRequest
	if err := json.Unmarshal(rq.body, &req); err != nil {
		rq.refuse(http.StatusBadRequest, sfwire.CodeJSONParser, `malformed JSON: expecting {"compositeRequest":[...]}`)
		return
	}
	if len(req.CompositeRequest) > sfwire.MaxComposite {
		rq.refuse(http.StatusBadRequest, sfwire.CodeLimitExceeded, "Composite request contains more than 25 subrequests")
		return
	}
	var calls []subcall
	exec := func(ctx context.Context, method, u string, hdr map[string]string, body []byte) (int, map[string]string, []byte) {
		c := subcall{method: method, url: u}
		if req.AllOrNone {
			c.undoURL, c.undo = rq.snapshot(ctx, method, u, body)
		}
		status, h, b := rq.internal(ctx, method, u, hdr, body)
		c.status, c.body = status, b
		calls = append(calls, c)
		return status, h, b
	}
	resp, failed := sfwire.RunComposite(rq.r.Context(), &req, exec)
	if failed >= 0 && req.AllOrNone {
		done := calls[:min(failed, len(calls))]
		for i := len(done) - 1; i >= 0; i-- {
			rq.compensate(done[i])
		}
	}
	sfwire.WriteJSON(rq.w, http.StatusOK, resp)
}

// subcall is one subrequest that ran, with what undoes it.
type subcall struct {
	method, url string
	status      int
	body        []byte
	undoURL     string // PATCH here with undo to restore the fields it changed
	undo        []byte
}

// writeRe matches a single-record write: sobjects/{type}[/{id} | /{field}/{value}].
var writeRe = regexp.MustCompile(`^(/services/data/v[0-9]{2}\.[0-9]/sobjects/([A-Za-z0-9_]+))(?:/([^/?]+)(?:/([^/?]+))?)?/?$`)

// snapshot returns, for an update or upsert of a record the region holds,
// the PATCH that gives the fields the subrequest sets their current values.
func (rq *request) snapshot(ctx context.Context, method, u string, body []byte) (string, []byte) {
	m := writeRe.FindStringSubmatch(u)
	if method != http.MethodPatch || m == nil || m[3] == "" {
		return "", nil
	}
	obj := rq.f.policy[m[2]]
	var fields map[string]json.RawMessage
	if obj == nil || json.Unmarshal(body, &fields) != nil {
		return "", nil
	}
	var rec *store.Record
	if m[4] == "" {
		id, _ := url.PathUnescape(m[3])
		_, rec, _ = rq.f.locate(ctx, id)
	} else {
		field, _ := url.PathUnescape(m[3])
		value, _ := url.PathUnescape(m[4])
		field = obj.canonical(field)
		if rule, ok := obj.fields[field]; ok {
			if reg, owner, err := rq.f.externalOwner(ctx, rq.caller.Tenant, obj, field, externalKey(rq.f.tenants[rq.caller.Tenant], rule, value)); err == nil && owner != "" {
				rec, _ = reg.st.Record(ctx, owner)
			}
		}
	}
	if rec == nil || rec.Deleted || rec.Tenant != rq.caller.Tenant {
		return "", nil
	}
	undo := map[string]json.RawMessage{}
	for k := range fields {
		k = obj.canonical(k)
		if k == "attributes" || strings.EqualFold(k, "Id") || (m[4] != "" && k == obj.canonical(m[3])) {
			continue
		}
		if v, ok := rec.Fields[k]; ok {
			undo[k] = v
		} else {
			undo[k] = json.RawMessage("null")
		}
	}
	return m[1] + "/" + rec.LocalID, mustJSON(undo)
}

// compensate undoes one successful subrequest.
func (rq *request) compensate(c subcall) {
	ctx := rq.r.Context()
	m := writeRe.FindStringSubmatch(c.url)
	if m == nil || c.status >= 300 {
		return
	}
	var res sfwire.SaveResult
	created := c.status == http.StatusCreated && json.Unmarshal(c.body, &res) == nil && res.ID != nil
	switch {
	case created:
		rq.internal(ctx, http.MethodDelete, m[1]+"/"+*res.ID, nil, nil)
	case c.undo != nil:
		rq.internal(ctx, http.MethodPatch, c.undoURL, nil, c.undo)
	}
}

// nestedRe matches Composite itself: a subrequest cannot nest another.
var nestedRe = regexp.MustCompile(`^/services/data/v[0-9]{2}\.[0-9]/composite/?(\?.*)?$`)

// internal runs one call through the face with the caller's credentials.
func (rq *request) internal(ctx context.Context, method, u string, hdr map[string]string, body []byte) (int, map[string]string, []byte) {
	if !strings.HasPrefix(u, "/services/data/") || nestedRe.MatchString(u) {
		return http.StatusBadRequest, nil, mustJSON([]sfwire.Error{{Message: rq.withRID("a composite subrequest must be a record, collection or query call under /services/data/"), ErrorCode: sfwire.CodeInvalidField, Fields: []string{}}})
	}
	r := httptest.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if len(body) > 0 {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, h := range []string{"Authorization", resolve.HeaderJurisdiction, resolve.HeaderPurpose} {
		if v := rq.r.Header.Get(h); v != "" {
			r.Header.Set(h, v)
		}
	}
	for k, v := range hdr {
		if !strings.EqualFold(k, "Authorization") {
			r.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	rq.f.ServeHTTP(rec, r)
	out := map[string]string{}
	if v := rec.Header().Get(HeaderDelivery); v != "" {
		out[HeaderDelivery] = v
	}
	return rec.Code, out, rec.Body.Bytes()
}
