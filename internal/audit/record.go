package audit

import (
	"context"
	"time"
)

// Record is one transfer decision. It says what was decided about a request,
// never what the request held: finding counts, not finding values; field
// names, not field values. Identifiers that must be correlatable across
// records (a data subject, an external id) are HMACs under the deployment key.
type Record struct {
	Time                time.Time     `json:"time"`
	RequestID           string        `json:"request_id"`
	Tenant              string        `json:"tenant"`
	Client              string        `json:"client"`
	SubjectJurisdiction string        `json:"subject_jurisdiction"`
	Purpose             string        `json:"purpose,omitempty"`
	Face                string        `json:"face"`      // "llm", "crm", ...
	Operation           string        `json:"operation"` // "chat.completions", "sobject.create", ...
	Destination         Destination   `json:"destination"`
	Findings            []Count       `json:"findings,omitempty"`
	Fields              *FieldOutcome `json:"fields,omitempty"` // CRM: which fields crossed, which stayed
	Action              string        `json:"action"`           // allow, pseudonymize, redact, block
	Rules               []string      `json:"rules,omitempty"`  // ids of the rules that decided
	PolicyHash          string        `json:"policy_hash"`
	SubjectRef          string        `json:"subject_ref,omitempty"` // HMAC of a subject identifier
	BytesIn             int64         `json:"bytes_in"`
	BytesOut            int64         `json:"bytes_out"`
	LatencyMicros       int64         `json:"latency_us"`
	Outcome             string        `json:"outcome"`                   // one of the Outcome constants
	Error               string        `json:"error,omitempty"`           // public error code, never a message with data
	OutputFindings      []Count       `json:"output_findings,omitempty"` // LLM face: found in the upstream's answer
}

// Outcomes of a request, the values of Record.Outcome that the report tells
// apart.
const (
	OutcomeForwarded     = "forwarded"      // sent to the destination
	OutcomeBlocked       = "blocked"        // refused by policy; nothing left
	OutcomeError         = "error"          // failed inside the gateway; nothing left
	OutcomeUpstreamError = "upstream_error" // the destination failed or refused it (data may have reached it)
	OutcomeDryRun        = "dry_run"        // decided only (inspect); nothing left
)

// Destination is where the data went or would have gone.
type Destination struct {
	Name         string `json:"name,omitempty"`
	Region       string `json:"region,omitempty"`
	Jurisdiction string `json:"jurisdiction,omitempty"`
	Vendor       string `json:"vendor,omitempty"`
	Mechanism    string `json:"mechanism,omitempty"` // none, adequacy, scc, dpf, bcr
}

// Count is the number of findings of one type and class in a request.
type Count struct {
	Type  string `json:"type"`
	Class string `json:"class"`
	N     int    `json:"n"`
}

// FieldOutcome lists, by field name only, what happened to a CRM record's fields.
type FieldOutcome struct {
	Object    string   `json:"object"`
	Kept      []string `json:"kept,omitempty"`      // sent as is
	Tokenized []string `json:"tokenized,omitempty"` // sent as tokens
	Masked    []string `json:"masked,omitempty"`
	Dropped   []string `json:"dropped,omitempty"` // stayed in the regional store only
}

// Sink receives decision records. Append returns only once the record is as
// durable as the sink's mode promises; an error means the request must be
// blocked (fail closed). Health reports a sink that can no longer write.
type Sink interface {
	Append(ctx context.Context, r *Record) error
	Health() error
	Close() error
}
