package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/transform"
)

const codeBlocked = "blocked_by_policy"

// decide: may it go there? The policy is asked once per candidate
// destination (the subject's own jurisdiction first), because the answer
// differs per destination: EU data to an EU model may be allowed where the
// same data to a US model must be pseudonymized. Blocked candidates drop
// out; when none is left the request is refused with the rules that said no.
func (x *exchange) decide() *apiError {
	at := x.s.now()
	c := x.caller
	for _, d := range x.s.router.Candidates(x.model, c.Jurisdiction) {
		in := policy.Input{
			Tenant: c.Tenant, Purpose: c.Purpose, Face: "llm", SubjectJurisdiction: c.Jurisdiction,
			Destination: policy.DestinationFor(x.s.cfg, d.Config, c.Jurisdiction, at),
			Findings:    x.findings,
		}
		dec, err := x.s.policy.Decide(&in)
		if err != nil {
			e := newError(http.StatusInternalServerError, "policy_error",
				"the policy could not decide on this request, so it is refused")
			e.Cause = err
			return e
		}
		p := &plan{dest: d, view: in.Destination, decision: dec}
		if dec.Action == policy.Block {
			x.refused = append(x.refused, p)
		} else {
			x.plans = append(x.plans, p)
		}
	}
	if len(x.plans) == 0 && x.op != opInspect {
		return x.blocked()
	}
	return nil
}

// blocked is the refusal when every candidate is blocked: it names the rules
// and the finding types, never the values.
func (x *exchange) blocked() *apiError {
	var rules []string
	var types []string
	for _, p := range x.refused {
		for _, r := range p.decision.Rules {
			if !slices.Contains(rules, r) {
				rules = append(rules, r)
			}
		}
		for i, a := range p.decision.PerFinding {
			if t := string(x.findings[i].Type); a == policy.Block && !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	msg := "blocked by policy"
	if len(rules) > 0 {
		msg += " (rule " + strings.Join(rules, ", ") + ")"
	}
	if len(types) > 0 {
		msg += fmt.Sprintf(": the request holds %s data that may not go to any destination serving this model", strings.Join(types, ", "))
	} else {
		msg += ": no destination serving this model may receive this request"
	}
	e := newError(http.StatusForbidden, codeBlocked, msg+"; nothing was forwarded")
	e.Rules = rules
	return e
}

// transform: make it fit. The outbound body for the first candidate is
// built now; a failover to a candidate with another decision builds its own.
func (x *exchange) transform() *apiError {
	if _, err := x.bodyFor(x.plans[0]); err != nil {
		return errInternal(err)
	}
	return nil
}

// bodyFor returns the outbound body for p's decision: a new buffer with
// each finding allowed, pseudonymized or redacted, and the upstream model
// name. One vault serves the whole request, so a value keeps its
// placeholder across candidates.
func (x *exchange) bodyFor(p *plan) ([]byte, error) {
	if p.body != nil {
		return p.body, nil
	}
	body := x.body
	if needsTransform(p.decision.PerFinding) {
		if x.vault == nil {
			x.vault = transform.NewVault()
		}
		var err error
		if body, err = transform.Apply(x.body, x.findings, p.decision.PerFinding, x.vault); err != nil {
			return nil, fmt.Errorf("transform for %s: %w", p.view.Name, err)
		}
	}
	if x.model.Upstream != x.model.Name {
		var err error
		if body, err = setModel(body, x.model.Upstream); err != nil {
			return nil, err
		}
	}
	p.body = body
	return body, nil
}

func needsTransform(actions []policy.Action) bool {
	for _, a := range actions {
		if a != policy.Allow {
			return true
		}
	}
	return false
}
