package gateway

import (
	"encoding/json"
	"net/http"

	"github.com/sovereign-gateway/sovereign/internal/policy"
)

type modelEntry struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// models answers GET /v1/models with the models the caller may reach: those
// with at least one destination that the policy does not block for a request
// from this caller that holds no findings.
func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, r, newError(http.StatusMethodNotAllowed, "method_not_allowed", "use GET"))
		return
	}
	c, err := s.resolver.Request(r.Header)
	if err != nil {
		writeError(w, r, resolveError(err))
		return
	}
	at := s.now()
	list := struct {
		Object string       `json:"object"`
		Data   []modelEntry `json:"data"`
	}{Object: "list", Data: []modelEntry{}}
	for i := range s.cfg.Models {
		m := &s.cfg.Models[i]
		for _, d := range s.router.Candidates(m, c.Jurisdiction) {
			dec, err := s.policy.Decide(&policy.Input{
				Tenant: c.Tenant, Purpose: c.Purpose, Face: "llm", SubjectJurisdiction: c.Jurisdiction,
				Destination: policy.DestinationFor(s.cfg, d.Config, c.Jurisdiction, at),
			})
			if err == nil && dec.Action != policy.Block {
				list.Data = append(list.Data, modelEntry{ID: m.Name, Object: "model", OwnedBy: "sovereign"})
				break
			}
		}
	}
	b, _ := json.Marshal(list)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
