package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
)

// composite serves POST /composite: up to 25 subrequests run in order through
// this face (each one minimized, stored and audited like a direct call), with
// @{ref} references resolved from earlier answers. With allOrNone, a failure
// halts the rest and the records earlier subrequests created are deleted
// again; earlier updates are not undone (see README).
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
	type done struct {
		method, url string
		status      int
		body        []byte
	}
	var calls []done
	exec := func(ctx context.Context, method, u string, hdr map[string]string, body []byte) (int, map[string]string, []byte) {
		status, h, b := rq.internal(ctx, method, u, hdr, body)
		calls = append(calls, done{method, u, status, b})
		return status, h, b
	}
	resp, failed := sfwire.RunComposite(rq.r.Context(), &req, exec)
	if failed >= 0 && req.AllOrNone {
		for _, c := range calls[:min(failed, len(calls))] {
			m := createdRe.FindStringSubmatch(c.url)
			if c.method != http.MethodPost || c.status != http.StatusCreated || m == nil {
				continue
			}
			var res sfwire.SaveResult
			if json.Unmarshal(c.body, &res) == nil && res.ID != nil {
				rq.internal(rq.r.Context(), http.MethodDelete, strings.TrimSuffix(m[0], "/")+"/"+*res.ID, nil, nil)
			}
		}
	}
	sfwire.WriteJSON(rq.w, http.StatusOK, resp)
}

// nestedRe matches Composite itself: a subrequest cannot nest another.
var nestedRe = regexp.MustCompile(`^/services/data/v[0-9]{2}\.[0-9]/composite/?(\?.*)?$`)

var createdRe = regexp.MustCompile(`^/services/data/v[0-9]{2}\.[0-9]/sobjects/[A-Za-z0-9_]+/?$`)

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
