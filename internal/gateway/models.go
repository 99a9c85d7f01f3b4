package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/resolve"

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
	c, e := s.modelsCaller(w, r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	list := struct {
		Object string       `json:"object"`
		Data   []modelEntry `json:"data"`
	}{Object: "list", Data: []modelEntry{}}
	at := s.now()
	for i := range s.cfg.Models {
		if m := &s.cfg.Models[i]; s.reachable(c, m, at) {
			list.Data = append(list.Data, modelEntry{ID: m.Name, Object: "model", OwnedBy: "sovereign"})
		}
	}
	writeJSON(w, list)
}

// model answers GET /v1/models/{model}.
func (s *Server) model(w http.ResponseWriter, r *http.Request) {
	c, e := s.modelsCaller(w, r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	m, ok := s.cfg.Model(r.PathValue("model"))
	if !ok || !s.reachable(c, m, s.now()) {
		writeError(w, r, newError(http.StatusNotFound, "model_not_found",
			"no such model for this caller; GET /v1/models lists those you may use"))
		return
	}
	writeJSON(w, modelEntry{ID: m.Name, Object: "model", OwnedBy: "sovereign"})
}

func (s *Server) modelsCaller(w http.ResponseWriter, r *http.Request) (*resolve.Caller, *apiError) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		return nil, newError(http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
	}
	c, err := s.resolver.Request(r.Header)
	if err != nil {
		return nil, resolveError(err)
	}
	return c, nil
}

// reachable reports whether the policy lets some destination of m take a
// request from c that holds no findings.
func (s *Server) reachable(c *resolve.Caller, m *config.Model, at time.Time) bool {
	for _, d := range s.router.Candidates(m, c.Jurisdiction) {
		dec, err := s.policy.Decide(&policy.Input{
			Tenant: c.Tenant, Purpose: c.Purpose, Face: "llm", SubjectJurisdiction: c.Jurisdiction,
			Destination: policy.DestinationFor(s.cfg, d.Config, c.Jurisdiction, at),
		})
		if err == nil && dec.Action != policy.Block {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}
