package policy

import (
	"time"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
)

// Destination is where a request would go, as the rules see it.
type Destination struct {
	Name         string
	Kind         string // llm | salesforce
	Region       string
	Jurisdiction string
	Vendor       string
	// Mechanism covers the subject's data going there, as computed by
	// (*config.Config).Mechanism: domestic, adequacy, scc, dpf, bcr or none.
	Mechanism string
}

// DestinationFor builds the policy view of d for data about a subject in
// jurisdiction subject, on day at (adequacy decisions are dated).
func DestinationFor(cfg *config.Config, d *config.Destination, subject string, at time.Time) Destination {
	return Destination{
		Name:         d.Name,
		Kind:         d.Kind,
		Region:       d.Region,
		Jurisdiction: cfg.DestinationJurisdiction(d),
		Vendor:       d.Vendor,
		Mechanism:    cfg.Mechanism(subject, d, at),
	}
}

// Input is everything a decision may depend on. It never holds body data:
// findings carry types, classes and spans only.
type Input struct {
	Tenant              string
	Purpose             string
	Face                string // llm | crm | ...
	SubjectJurisdiction string
	Destination         Destination
	Findings            []classify.Finding
}

// Decision is the outcome of Decide.
type Decision struct {
	// Action is the strictest action over all findings (or of the
	// request-level rules when there are none).
	Action Action
	// Rules are the ids of the rules whose action is Action, in rule order
	// (defaults first). Empty when nothing matched.
	Rules []string
	// PerFinding is the action for each finding, in the order of
	// Input.Findings.
	PerFinding []Action
}
