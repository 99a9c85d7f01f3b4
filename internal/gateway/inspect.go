package gateway

import (
	"encoding/json"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// inspection is the answer of POST /v1/inspect: what the gateway found and
// decided, never a value from the body. Nothing is forwarded.
type inspection struct {
	RequestID           string             `json:"request_id"`
	Model               string             `json:"model"`
	SubjectJurisdiction string             `json:"subject_jurisdiction"`
	Purpose             string             `json:"purpose"`
	Findings            []classify.Finding `json:"findings"`
	Decision            inspectDecision    `json:"decision"`
	Candidates          []inspectDecision  `json:"candidates"`
	PolicyHash          string             `json:"policy_hash"`
	Forwarded           bool               `json:"forwarded"`
}

type inspectDecision struct {
	Action      string          `json:"action"`
	Rules       []string        `json:"rules"`
	Destination *inspectDest    `json:"destination"`
	Findings    []policy.Action `json:"finding_actions,omitempty"`
}

type inspectDest struct {
	Name         string `json:"name"`
	Region       string `json:"region"`
	Jurisdiction string `json:"jurisdiction"`
	Vendor       string `json:"vendor"`
	Mechanism    string `json:"mechanism"`
	Healthy      bool   `json:"healthy"`
}

func (x *exchange) describe(p *plan, now time.Time) inspectDecision {
	v := p.view
	rules := p.decision.Rules
	if rules == nil {
		rules = []string{}
	}
	return inspectDecision{
		Action: p.decision.Action.String(), Rules: rules, Findings: p.decision.PerFinding,
		Destination: &inspectDest{Name: v.Name, Region: v.Region, Jurisdiction: v.Jurisdiction, Vendor: v.Vendor,
			Mechanism: v.Mechanism, Healthy: len(p.dest.Healthy(nil, now)) > 0},
	}
}

// explain answers the dry run: the findings (types, paths and spans), the
// decision for each candidate and the one the gateway would use (the first
// allowed candidate with a healthy endpoint, else the first allowed).
func (x *exchange) explain() *apiError {
	now := x.s.router.Now()
	in := inspection{
		RequestID: x.id, Model: x.model.Name, SubjectJurisdiction: x.caller.Jurisdiction, Purpose: x.caller.Purpose,
		Findings: x.findings, PolicyHash: x.s.policy.Hash(), Candidates: []inspectDecision{},
	}
	if in.Findings == nil {
		in.Findings = []classify.Finding{}
	}
	for _, d := range x.s.router.Candidates(x.model, x.caller.Jurisdiction) {
		for _, p := range append(append([]*plan{}, x.plans...), x.refused...) {
			if p.dest == d {
				in.Candidates = append(in.Candidates, x.describe(p, now))
			}
		}
	}
	switch {
	case len(x.plans) > 0:
		x.chosen = x.plans[0]
		for _, p := range x.plans {
			if len(p.dest.Healthy(nil, now)) > 0 {
				x.chosen = p
				break
			}
		}
		in.Decision = x.describe(x.chosen, now)
	default:
		in.Decision = inspectDecision{Action: policy.Block.String(), Rules: []string{}}
		if e := x.blocked(); len(e.Rules) > 0 {
			in.Decision.Rules = e.Rules
		}
	}
	b, err := json.Marshal(in)
	if err != nil {
		return errInternal(err)
	}
	x.outcome = outcomeDryRun
	x.pending, x.pendingType = b, "application/json"
	return nil
}
