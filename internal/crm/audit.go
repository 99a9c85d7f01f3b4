package crm

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

// Audit outcomes of the CRM face.
const (
	outcomeForwarded = "forwarded" // the minimal record goes to the org, now or through the outbox
	outcomeBlocked   = "blocked"
	outcomeError     = "error"          // the gateway failed (policy, store): nothing was written
	outcomeRefused   = "upstream_error" // the org refused it while the client waited; undone
)

// audit appends the decision for one item: which fields cross, which stay,
// by name; never a value. Items refused for malformed input are not
// decisions and are not recorded; errCode marks a gateway failure.
func (rq *request) audit(ctx context.Context, it *item, errCode string) error {
	if errCode == "" && it.fail != nil && it.fail.code != sfwire.CodeInsufficient && it.fail.code != codePolicyBlocked {
		return nil
	}
	f := rq.f
	rec := &audit.Record{
		Time: f.now().UTC(), RequestID: rq.rid, Tenant: rq.caller.Tenant, Client: rq.caller.Client.ID,
		SubjectJurisdiction: it.jur, Purpose: rq.caller.Purpose, Face: "crm", Operation: "sobject." + it.op,
		Destination: audit.Destination{Name: f.dest.Name, Region: f.dest.Region, Jurisdiction: f.destJur,
			Vendor: f.dest.Vendor, Mechanism: it.mech},
		PolicyHash: f.policyHash, BytesIn: int64(it.bytesIn),
	}
	if it.localID != "" {
		rec.SubjectRef = audit.HMAC(f.subjectKey, rq.caller.Tenant+"/"+it.localID)
	}
	switch {
	case errCode != "":
		rec.Action, rec.Outcome, rec.Error = "block", outcomeError, errCode
	case it.fail != nil:
		rec.Action, rec.Outcome, rec.Error = "block", outcomeBlocked, it.fail.code
		if it.min != nil {
			rec.Rules = it.min.rules
		}
	case it.op == opDelete:
		rec.Action, rec.Outcome = "allow", outcomeForwarded
		rec.Fields = &audit.FieldOutcome{Object: it.object}
	default:
		o := it.min.outcome
		rec.Fields = &o
		rec.Findings = it.min.findings.List()
		rec.Rules = it.min.rules
		rec.Action, rec.Outcome = it.min.action.String(), outcomeForwarded
		if rec.Action == "allow" && len(o.Tokenized)+len(o.Masked)+len(o.Dropped) > 0 {
			rec.Action = "pseudonymize" // the field policy changed what crosses
		}
		rec.BytesOut = int64(len(mustJSON(it.min.central)))
	}
	rec.LatencyMicros = f.now().Sub(rq.start).Microseconds()
	it.auditRec = rec
	if err := f.sink.Append(ctx, rec); err != nil {
		f.log.Error("crm audit append failed", slog.String("request_id", rq.rid), slog.String("error", err.Error()))
		return fmt.Errorf("%w: %w", errAudit, err)
	}
	return nil
}

// auditRejected records that the org refused a write that was then undone.
func (rq *request) auditRejected(ctx context.Context, it *item) {
	if it.auditRec == nil {
		return
	}
	r := *it.auditRec
	r.Time, r.Outcome, r.Error = rq.f.now().UTC(), outcomeRefused, it.out.code
	r.LatencyMicros = rq.f.now().Sub(rq.start).Microseconds()
	if err := rq.f.sink.Append(ctx, &r); err != nil {
		rq.f.log.Error("crm audit append failed", slog.String("request_id", rq.rid), slog.String("error", err.Error()))
	}
}

// auditLate records that an item the decision let through was refused
// inside the commit (nothing was written or sent).
func (rq *request) auditLate(ctx context.Context, it *item) {
	if it.auditRec == nil {
		return
	}
	r := *it.auditRec
	r.Time, r.Outcome, r.Action, r.Error = rq.f.now().UTC(), outcomeBlocked, "block", it.fail.code
	r.LatencyMicros = rq.f.now().Sub(rq.start).Microseconds()
	if err := rq.f.sink.Append(ctx, &r); err != nil {
		rq.f.log.Error("crm audit append failed", slog.String("request_id", rq.rid), slog.String("error", err.Error()))
	}
}
