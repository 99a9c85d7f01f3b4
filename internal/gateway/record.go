package gateway

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
)

const codeAudit = "audit_unavailable"

func errAuditUnavailable(cause error) *apiError {
	e := newError(http.StatusServiceUnavailable, codeAudit,
		"the audit log cannot record this request, so it is refused; retry later")
	e.Cause = cause
	return e
}

// commit appends the decision record once. A failed append marks the audit
// log unhealthy in metrics; the caller decides what the request still gets.
func (x *exchange) commit() error {
	x.recorded = true
	rec := x.record()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(x.r.Context()), 5*time.Second)
	defer cancel()
	err := x.s.audit.Append(ctx, rec)
	if err != nil {
		x.s.metrics.audit.Store(0)
		x.s.log.Error("audit append failed", "request_id", x.id, "cause", err.Error())
		return err
	}
	return nil
}

// record builds the decision record: counts, names and ids, never values.
func (x *exchange) record() *audit.Record {
	c := x.caller
	rec := &audit.Record{
		Time:                x.start,
		RequestID:           x.id,
		Tenant:              c.Tenant,
		Client:              c.Client.ID,
		SubjectJurisdiction: c.Jurisdiction,
		Purpose:             c.Purpose,
		Face:                "llm",
		Operation:           x.op.name,
		Findings:            counts(x.findings),
		OutputFindings:      counts(x.outFindings),
		Action:              x.actionName(),
		PolicyHash:          x.s.policy.Hash(),
		BytesIn:             int64(len(x.body)),
		BytesOut:            x.sent,
		LatencyMicros:       x.s.now().Sub(x.start).Microseconds(),
		Outcome:             x.outcomeOrDefault(),
	}
	if x.err != nil {
		rec.Error = x.err.Code
	}
	p := x.chosen
	if p == nil && len(x.plans) > 0 {
		p = x.plans[0]
	}
	if p == nil && len(x.refused) > 0 {
		p = x.refused[0]
	}
	if p != nil {
		v := p.view
		rec.Destination = audit.Destination{Name: v.Name, Region: v.Region, Jurisdiction: v.Jurisdiction,
			Vendor: v.Vendor, Mechanism: v.Mechanism}
		rec.Rules = slices.Clone(p.decision.Rules)
	}
	if x.err != nil && len(x.err.Rules) > 0 {
		rec.Rules = slices.Clone(x.err.Rules) // every rule that blocked, over all candidates
	}
	return rec
}

// counts groups findings by type and class, in a stable order.
func counts(fs []classify.Finding) []audit.Count {
	if len(fs) == 0 {
		return nil
	}
	var out []audit.Count
	for _, f := range fs {
		i := slices.IndexFunc(out, func(c audit.Count) bool { return c.Type == string(f.Type) && c.Class == string(f.Class) })
		if i < 0 {
			out = append(out, audit.Count{Type: string(f.Type), Class: string(f.Class)})
			i = len(out) - 1
		}
		out[i].N++
	}
	slices.SortFunc(out, func(a, b audit.Count) int {
		if a.Type != b.Type {
			if a.Type < b.Type {
				return -1
			}
			return 1
		}
		if a.Class < b.Class {
			return -1
		}
		if a.Class > b.Class {
			return 1
		}
		return 0
	})
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
