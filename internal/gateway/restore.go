package gateway

import (
	"net/http"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/transform"
)

// restore: on the way back, classify what the model said, redact what the
// policy would block toward the chosen destination, and put the original
// values back for the caller. A whole answer is held until the record is
// appended (finish); a stream is restored chunk by chunk (sse.go).
func (x *exchange) restore() *apiError {
	x.outcome = outcomeForwarded
	h := x.w.Header()
	h.Set("Sovereign-Destination", x.chosen.view.Name)
	h.Set("Sovereign-Action", x.chosen.decision.Action.String())
	if x.up.body == nil {
		return x.restoreStream()
	}
	body := x.up.body
	if x.op == opChat {
		var e *apiError
		if body, e = x.guardJSON(body); e != nil {
			return e
		}
		if x.vault != nil {
			body = x.vault.RestoreJSON(make([]byte, 0, len(body)+64), body)
		}
	}
	x.pending, x.pendingType = body, "application/json"
	return nil
}

// guardJSON classifies an upstream's JSON answer before restoring it, so
// that findings are what the model added (placeholders are not findings),
// and redacts those the policy blocks toward the chosen destination
// (credentials, by the default and usual rules).
func (x *exchange) guardJSON(body []byte) ([]byte, *apiError) {
	fs, err := x.s.classify.JSON(body, nil)
	if err != nil {
		return nil, newError(http.StatusBadGateway, codeUpstreamInvalid, "the upstream's answer is not valid JSON")
	}
	x.noteOutput(fs)
	if len(fs) == 0 {
		return body, nil
	}
	actions, e := x.outputActions(fs)
	if e != nil {
		return nil, e
	}
	if !needsTransform(actions) {
		return body, nil
	}
	out, err := transform.Apply(body, fs, actions, nil)
	if err != nil {
		return nil, errInternal(err)
	}
	return out, nil
}

// outputActions maps the policy's decision on output findings to what the
// caller gets: Block becomes Redact (the answer already exists; its blocked
// parts are cut out), everything else passes.
func (x *exchange) outputActions(fs []classify.Finding) ([]policy.Action, *apiError) {
	c := x.caller
	dec, err := x.s.policy.Decide(&policy.Input{
		Tenant: c.Tenant, Purpose: c.Purpose, Face: "llm", SubjectJurisdiction: c.Jurisdiction,
		Destination: x.chosen.view, Findings: fs,
	})
	if err != nil {
		e := newError(http.StatusInternalServerError, "policy_error", "the policy could not decide on the upstream's answer")
		e.Cause = err
		return nil, e
	}
	actions := make([]policy.Action, len(fs))
	for i, a := range dec.PerFinding {
		if a == policy.Block {
			actions[i] = policy.Redact
		}
	}
	return actions, nil
}

func (x *exchange) noteOutput(fs []classify.Finding) {
	x.outFindings = append(x.outFindings, fs...)
	for _, f := range fs {
		x.s.metrics.findings.add(1, string(f.Type), string(f.Class), "response")
	}
}
