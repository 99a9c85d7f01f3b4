package gateway

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// stage is one step of the pipeline. It returns an *apiError to stop the
// request; a panic inside it is turned into one (fail closed).
type stage struct {
	name string
	run  func(*exchange) *apiError
}

// pipeline is the order of the stages, written once. record is not a stage
// here: it always runs last, for every outcome, in exchange.finish.
var pipeline = []stage{
	{"resolve", (*exchange).resolve},
	{"classify", (*exchange).classify},
	{"decide", (*exchange).decide},
	{"transform", (*exchange).transform},
	{"route", (*exchange).route},
	{"restore", (*exchange).restore},
}

// dryRun is the inspect face's pipeline: nothing is transformed or sent.
var dryRun = []stage{
	{"resolve", (*exchange).resolve},
	{"classify", (*exchange).classify},
	{"decide", (*exchange).decide},
	{"explain", (*exchange).explain},
}

// face returns the handler of one LLM operation.
func (s *Server) face(op operation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, r, newError(http.StatusMethodNotAllowed, "method_not_allowed", "use POST"))
			return
		}
		stages := s.pipeline
		if op == opInspect {
			stages = dryRun
		}
		x := s.newExchange(w, r, op)
		x.run(stages)
	})
}

// run executes stages in order until one fails, then records the outcome.
func (x *exchange) run(stages []stage) {
	for _, st := range stages {
		if e := x.safely(st); e != nil {
			x.fail(e)
			break
		}
	}
	x.finish()
}

// safely runs one stage, turning a panic into an internal error. The panic
// value may hold request data, so only the stage and stack are logged.
func (x *exchange) safely(st stage) (e *apiError) {
	x.stage = st.name
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			x.s.log.Error("stage panicked", "request_id", x.id, "stage", st.name, "stack", string(debug.Stack()))
			e = errInternal(fmt.Errorf("stage %s panicked", st.name))
		}
	}()
	return st.run(x)
}

// fail answers with e unless the answer has started (a cut stream), and
// remembers the outcome for the record.
func (x *exchange) fail(e *apiError) {
	x.err = e
	if x.outcome == "" || x.outcome == outcomeForwarded {
		x.outcome = outcomeFor(e)
	}
	if x.wrote {
		// Headers are gone: say why in an error event (SDKs surface it), then
		// cut the stream so that nobody takes it for a complete answer.
		x.s.log.Warn("stream failed", "request_id", x.id, "stage", x.stage, "code", e.Code, "cause", causeText(e))
		b, _ := json.Marshal(errorBody{Error: errorDetail{Message: e.Msg, Type: e.Type, Code: e.Code, RequestID: x.id}})
		_, _ = x.w.Write(append(append([]byte("data: "), b...), "\n\n"...))
		_ = http.NewResponseController(x.w).Flush()
		x.abort = true
		return
	}
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelWarn
	}
	attrs := []any{"request_id", x.id, "stage", x.stage, "status", e.Status, "code", e.Code}
	if len(e.Rules) > 0 {
		attrs = append(attrs, "rule", e.Rules)
	}
	if e.Cause != nil {
		attrs = append(attrs, "cause", causeText(e))
	}
	x.s.log.Log(x.r.Context(), level, "request refused", attrs...)
	writeError(x.w, x.r, e)
}

// causeText is the internal cause for a log line, or "".
func causeText(e *apiError) string {
	if e.Cause == nil {
		return ""
	}
	return e.Cause.Error()
}
