package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// canaryPanic is what injected panics panic with: a panic value can hold
// anything, so it must never reach a log line or an answer.
const canaryPanic = "fault canary ann.canary@example.com"

// errInjected is what injected errors return. Errors of the gateway's own
// components never carry request data (each package documents it), so their
// text is logged as the cause, for operators; it never reaches the caller.
var errInjected = errors.New("injected fault")

type faultyClassifier struct {
	Classifier
	panics bool
	fails  bool
	bad    func(body []byte) []classify.Finding // findings that do not fit the body
}

func (c faultyClassifier) JSON(body []byte, dst []classify.Finding) ([]classify.Finding, error) {
	switch {
	case c.panics:
		panic(canaryPanic)
	case c.fails:
		return dst, errInjected
	case c.bad != nil:
		return c.bad(body), nil
	}
	return c.Classifier.JSON(body, dst)
}

func (c faultyClassifier) JSONIn(scope string, body []byte, dst []classify.Finding) ([]classify.Finding, error) {
	if c.panics || c.fails || c.bad != nil {
		return c.JSON(body, dst)
	}
	return c.Classifier.JSONIn(scope, body, dst)
}

type faultyPolicy struct {
	Policy
	panics, fails bool
}

func (p faultyPolicy) Decide(in *policy.Input) (policy.Decision, error) {
	if p.panics {
		panic(canaryPanic)
	}
	if p.fails {
		return policy.Decision{Action: policy.Allow}, errInjected // a careless Decision: must still block
	}
	return p.Policy.Decide(in)
}

type faultySink struct {
	audit.Sink
	appendErr, healthErr error
}

func (s faultySink) Append(ctx context.Context, r *audit.Record) error {
	if s.appendErr != nil {
		return s.appendErr
	}
	return s.Sink.Append(ctx, r)
}

func (s faultySink) Health() error {
	if s.healthErr != nil {
		return s.healthErr
	}
	return s.Sink.Health()
}

// faultyTransport fails or panics on data requests; health checks pass.
type faultyTransport struct {
	panics bool
	posts  *atomic.Int32
}

func (t faultyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet {
		return http.DefaultTransport.RoundTrip(r)
	}
	t.posts.Add(1)
	if t.panics {
		panic(canaryPanic)
	}
	return nil, errInjected
}

// faulty wraps the real engine in fc.
func faulty(fc faultyClassifier) func(*classify.Engine) Classifier {
	return func(e *classify.Engine) Classifier {
		fc.Classifier = e
		return fc
	}
}

// panicIn replaces the named stage with one that panics.
func panicIn(name string) func([]stage) []stage {
	return func(st []stage) []stage {
		for i := range st {
			if st[i].name == name {
				st[i].run = func(*exchange) *apiError { panic(canaryPanic) }
			}
		}
		return st
	}
}

// TestFailClosed injects a panic or an error into each stage and requires
// the request to be refused with a request id, no upstream to receive it
// (for faults before route) and no trace of the fault's text anywhere.
func TestFailClosed(t *testing.T) {
	const body = `{"model":"us-frontier","messages":[{"role":"user","content":"Mail ann.canary@example.com"}]}`
	posts := &atomic.Int32{}
	tests := []struct {
		name     string
		opts     harnessOptions
		status   int
		code     string
		upstream bool // the upstream is reached (faults after route)
	}{
		{name: "classify panics", opts: harnessOptions{classifier: faulty(faultyClassifier{panics: true})},
			status: 500, code: "internal_error"},
		{name: "classify fails", opts: harnessOptions{classifier: faulty(faultyClassifier{fails: true})},
			status: 500, code: "classify_error"},
		{name: "decide panics", opts: harnessOptions{policy: func(p Policy) Policy { return faultyPolicy{Policy: p, panics: true} }},
			status: 500, code: "internal_error"},
		{name: "decide fails", opts: harnessOptions{policy: func(p Policy) Policy { return faultyPolicy{Policy: p, fails: true} }},
			status: 500, code: "policy_error"},
		{name: "a rule fails at run time", opts: harnessOptions{yaml: func(s string) string {
			return strings.Replace(s, "policy:\n  rules:\n", "policy:\n  rules:\n    - {id: broken, when: 'findings.types[7] == \"x\"', action: redact}\n", 1)
		}}, status: 500, code: "policy_error"},
		{name: "transform gets findings outside the body", opts: harnessOptions{classifier: faulty(faultyClassifier{
			bad: func(b []byte) []classify.Finding {
				return []classify.Finding{{Type: classify.Email, Class: classify.ClassPersonal, Start: len(b) - 2, End: len(b) + 9, Path: "$"}}
			}})}, status: 500, code: "internal_error"},
		{name: "transform gets overlapping findings", opts: harnessOptions{classifier: faulty(faultyClassifier{
			bad: func(b []byte) []classify.Finding {
				return []classify.Finding{
					{Type: classify.Email, Class: classify.ClassPersonal, Start: 60, End: 70, Path: "$"},
					{Type: classify.Email, Class: classify.ClassPersonal, Start: 65, End: 75, Path: "$"},
				}
			}})}, status: 500, code: "internal_error"},
		{name: "transform panics", opts: harnessOptions{pipeline: panicIn("transform")}, status: 500, code: "internal_error"},
		{name: "route panics", opts: harnessOptions{pipeline: panicIn("route")}, status: 500, code: "internal_error"},
		{name: "the upstream transport panics", opts: harnessOptions{transport: faultyTransport{panics: true, posts: posts}},
			status: 500, code: "internal_error"},
		{name: "the upstream transport fails", opts: harnessOptions{transport: faultyTransport{posts: posts}},
			status: 503, code: "upstream_unavailable"},
		{name: "the audit log is unhealthy", opts: harnessOptions{sink: func(s audit.Sink) audit.Sink {
			return faultySink{Sink: s, healthErr: errInjected}
		}}, status: 503, code: "audit_unavailable"},
		{name: "the audit append fails", opts: harnessOptions{sink: func(s audit.Sink) audit.Sink {
			return faultySink{Sink: s, appendErr: errInjected}
		}}, status: 503, code: "audit_unavailable", upstream: true},
		{name: "restore panics", opts: harnessOptions{pipeline: panicIn("restore")}, status: 500, code: "internal_error", upstream: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			resp, got := h.post("/v1/chat/completions", http.Header{
				"Content-Type": {"application/json"}, "Authorization": {"Bearer " + testKey}, "Sovereign-Jurisdiction": {"EU"},
			}, []byte(body))
			checkErrorBody(t, resp, got, tc.status, tc.code)
			if strings.Contains(string(got), errInjected.Error()) {
				t.Errorf("the fault's cause reached the caller: %s", got)
			}
			if n := h.calls()["us"]; (n > 0) != tc.upstream {
				t.Errorf("us upstream received %d requests, want reached=%v", n, tc.upstream)
			}
			if h.up["eu"].Saw("canary") || h.up["uk"].Saw("canary") || (!tc.upstream && h.up["us"].Saw("canary")) {
				t.Error("an upstream saw the request")
			}
			id := resp.Header.Get("X-Request-Id")
			logs := h.logs.String()
			if !strings.Contains(logs, id) {
				t.Errorf("no log line names request %s", id)
			}
			if strings.Contains(logs, "canary") {
				t.Errorf("the fault's text or the request's data reached the log:\n%s", logs)
			}
		})
	}
}

// TestFailClosedStream: a record that cannot be appended at the end of a
// stream ends it with an error event and without [DONE].
func TestFailClosedStream(t *testing.T) {
	h := newHarness(t, harnessOptions{sink: func(s audit.Sink) audit.Sink { return faultySink{Sink: s, appendErr: errInjected} }})
	const body = `{"model":"regional","stream":true,"messages":[{"role":"user","content":"hello there"}]}`
	req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(h.base, "/v1")+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Error("the stream ended cleanly; want it cut after the error event")
	}
	s := string(got)
	if strings.Contains(s, "[DONE]") || !strings.Contains(s, `"code":"audit_unavailable"`) ||
		!strings.Contains(s, resp.Header.Get("X-Request-Id")) {
		t.Fatalf("stream:\n%s", s)
	}
}
