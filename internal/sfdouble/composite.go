package sfdouble

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

// composite serves POST /composite by running each subrequest against the
// double itself; with allOrNone a failure restores the state from before.
func (c *call) composite() {
	var req sfwire.CompositeRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		jsonParserError(c.w)
		return
	}
	if len(req.CompositeRequest) > sfwire.MaxComposite {
		sfwire.WriteErrors(c.w, http.StatusBadRequest, sfwire.Error{Message: "Composite request contains more than 25 subrequests", ErrorCode: sfwire.CodeLimitExceeded})
		return
	}
	var snap *snapshot
	if req.AllOrNone {
		snap = c.d.snapshot()
	}
	auth := c.r.Header.Get("Authorization")
	resp, failed := sfwire.RunComposite(c.r.Context(), &req, func(ctx context.Context, method, url string, _ map[string]string, body []byte) (int, map[string]string, []byte) {
		if !strings.HasPrefix(url, "/services/data/") {
			return http.StatusNotFound, nil, []byte(`[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND","fields":[]}]`)
		}
		r := httptest.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		r.Header.Set("Authorization", auth)
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		c.d.data(rec, r)
		hdr := map[string]string{}
		if loc := rec.Header().Get("Location"); loc != "" {
			hdr["Location"] = loc
		}
		return rec.Code, hdr, rec.Body.Bytes()
	})
	if failed >= 0 && snap != nil {
		c.d.restore(snap)
	}
	c.wrote = failed < 0 || snap == nil
	sfwire.WriteJSON(c.w, http.StatusOK, resp)
}
