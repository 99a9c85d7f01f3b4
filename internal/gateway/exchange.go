package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/reqid"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
	"github.com/sovereign-gateway/sovereign/internal/route"
	"github.com/sovereign-gateway/sovereign/internal/transform"
)

// operation is one LLM face endpoint.
type operation struct {
	name string // audit operation: chat.completions, embeddings, inspect
	path string // below the upstream base URL
}

var (
	opChat       = operation{"chat.completions", "/chat/completions"}
	opEmbeddings = operation{"embeddings", "/embeddings"}
	opInspect    = operation{"inspect", ""}
)

// Outcomes of a request, as recorded.
const (
	outcomeForwarded     = "forwarded"
	outcomeBlocked       = "blocked"
	outcomeError         = "error"
	outcomeUpstreamError = "upstream_error"
	outcomeDryRun        = "dry_run"
)

func outcomeFor(e *apiError) string {
	switch {
	case e.Code == codeBlocked:
		return outcomeBlocked
	case e.Code == codeNoHealthy || e.Code == codeUpstreamFailed || e.Code == codeUpstreamLimited || e.Code == codeUpstreamTimeout || e.Code == codeUpstreamRejected || e.Code == codeUpstreamInvalid:
		return outcomeUpstreamError
	}
	return outcomeError
}

// plan is one candidate destination with the decision for it.
type plan struct {
	dest     *route.Destination
	view     policy.Destination
	decision policy.Decision
	body     []byte // outbound body for this decision, built on first use
}

// exchange is one request on its way through the pipeline. body is the
// caller's original: it is never logged and never forwarded as is unless the
// decision allows every finding in it.
type exchange struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	op    operation
	id    string
	start time.Time
	stage string

	ctx    context.Context // the caller's, bounded by the upstream timeout
	cancel context.CancelFunc

	caller   *resolve.Caller
	body     []byte
	env      envelope
	model    *config.Model
	findings []classify.Finding

	plans   []*plan // allowed candidates, in routing order
	refused []*plan // candidates the policy blocks
	chosen  *plan
	vault   *transform.Vault
	sent    int64 // bytes sent upstream
	up      *upstream

	outFindings []classify.Finding

	// pending is a complete answer held until the record is appended, so
	// that a request whose record cannot be written is refused.
	pending     []byte
	pendingType string

	wrote    bool // response headers are out
	abort    bool // cut the connection: a stream failed after it started
	recorded bool
	err      *apiError
	outcome  string
}

func (s *Server) newExchange(w http.ResponseWriter, r *http.Request, op operation) *exchange {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeouts.Upstream)
	return &exchange{s: s, w: w, r: r, op: op, id: reqid.From(r.Context()), start: s.now(), ctx: ctx, cancel: cancel}
}

// finish is the record stage: it appends the decision record (unless a
// stream already did), then releases a held answer. If the record cannot be
// appended the held answer is replaced by a 503 (fail closed).
func (x *exchange) finish() {
	defer x.cancel()
	if !x.recorded && x.caller != nil {
		if err := x.commit(); err != nil && x.pending != nil {
			x.pending = nil
			x.fail(errAuditUnavailable(err))
		}
	}
	x.s.metrics.requests.add(1, "llm", x.op.name, x.actionName(), x.outcomeOrDefault())
	if x.pending != nil && !x.wrote {
		h := x.w.Header()
		h.Set("Content-Type", x.pendingType)
		h.Set("Content-Length", itoa(len(x.pending)))
		x.wrote = true
		x.w.WriteHeader(http.StatusOK)
		_, _ = x.w.Write(x.pending)
	}
	if x.abort {
		panic(http.ErrAbortHandler)
	}
}

func (x *exchange) outcomeOrDefault() string {
	if x.outcome == "" {
		return outcomeError
	}
	return x.outcome
}

// actionName is the decision's action for the record and metrics.
func (x *exchange) actionName() string {
	switch {
	case x.chosen != nil:
		return x.chosen.decision.Action.String()
	case len(x.plans) > 0:
		return x.plans[0].decision.Action.String()
	case len(x.refused) > 0:
		return policy.Block.String()
	}
	return "none"
}

// LogValue keeps a logged exchange to its id, stage, caller and counts:
// it holds the caller's body and its values.
func (x *exchange) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("request_id", x.id), slog.String("operation", x.op.name),
		slog.String("stage", x.stage), slog.Int("body_bytes", len(x.body)), slog.Int("findings", len(x.findings))}
	if x.caller != nil {
		attrs = append(attrs, slog.String("client", x.caller.Client.ID), slog.String("jurisdiction", x.caller.Jurisdiction))
	}
	return slog.GroupValue(attrs...)
}

// LogValue shows a plan's destination and action, never its body.
func (p *plan) LogValue() slog.Value {
	return slog.GroupValue(slog.String("destination", p.view.Name), slog.String("action", p.decision.Action.String()),
		slog.Int("body_bytes", len(p.body)))
}

var (
	_ slog.LogValuer = (*exchange)(nil)
	_ slog.LogValuer = (*plan)(nil)
	_ slog.LogValuer = envelope{}
)
