package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/llmtest"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// testKey is the demo client's key in every harness.
const testKey = "sk-sovereign-test-client-key"

// regions of examples/three-regions.yaml and their upstream ports there.
var regionPorts = map[string]string{"eu": "18081", "uk": "18082", "us": "18083"}

// testNow is the harness clock: inside the EU→UK adequacy decision.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// harness is a gateway on 127.0.0.1 in front of one recording upstream per
// region, configured from examples/three-regions.yaml, with the real policy
// engine and a real audit log in a temporary directory.
type harness struct {
	t        testing.TB
	cfg      *config.Config
	srv      *Server
	base     string // gateway base URL, ending in /v1
	up       map[string]*llmtest.Upstream
	sink     *recordingSink
	auditDir string
	logs     *lockedBuffer
}

type harnessOptions struct {
	file       string              // config file; default ../../examples/three-regions.yaml
	yaml       func(string) string // edits the config text before loading
	upstream   func(region string) llmtest.Options
	classifier func(*classify.Engine) Classifier // wraps the engine built from the config
	policy     func(Policy) Policy               // wraps the compiled engine
	sink       func(audit.Sink) audit.Sink
	transport  http.RoundTripper
	pipeline   func([]stage) []stage
	noUp       map[string]bool // regions without a running upstream
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	if o.file == "" {
		o.file = "../../examples/three-regions.yaml"
	}
	h := &harness{t: t, up: map[string]*llmtest.Upstream{}, logs: &lockedBuffer{}}
	raw, err := os.ReadFile(o.file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for region, port := range regionPorts {
		url := "http://127.0.0.1:1/v1" // nothing listens on port 1
		if !o.noUp[region] {
			uo := llmtest.Options{Name: "llm-" + region, Models: []string{"regional"}}
			if o.upstream != nil {
				uo = o.upstream(region)
				if uo.Name == "" {
					uo.Name = "llm-" + region
				}
			}
			u := llmtest.Start(uo)
			t.Cleanup(u.Close)
			h.up[region] = u
			url = u.URL()
		}
		text = strings.ReplaceAll(text, "http://127.0.0.1:"+port+"/v1", url)
	}
	h.auditDir = t.TempDir()
	text = strings.Replace(text, "audit:\n", "audit:\n  dir: "+h.auditDir+"\n", 1)
	text = strings.Replace(text, "version: 1\n", "version: 1\nhealth: {interval: 1h}\n", 1)
	if o.yaml != nil {
		text = o.yaml(text)
	}
	env := config.Env{
		LookupEnv: func(k string) (string, bool) {
			if k == "SOVEREIGN_DEMO_KEY" {
				return testKey, true
			}
			return "", false
		},
		ReadFile: os.ReadFile,
	}
	h.cfg, err = config.Parse([]byte(text), o.file, env)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := policy.Compile(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var pol Policy = eng
	if o.policy != nil {
		pol = o.policy(eng)
	}
	log, err := audit.Open(h.auditDir, audit.Options{Mode: audit.ModeBatch})
	if err != nil {
		t.Fatal(err)
	}
	h.sink = &recordingSink{Sink: log}
	var sink audit.Sink = h.sink
	if o.sink != nil {
		sink = o.sink(sink)
	}
	eng2, err := NewClassifier(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var cls Classifier = eng2
	if o.classifier != nil {
		cls = o.classifier(eng2)
	}
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.srv, err = New(Options{Config: h.cfg, Policy: pol, Classifier: cls, Audit: sink,
		Logger: logger, Transport: o.transport, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if o.pipeline != nil {
		h.srv.pipeline = o.pipeline(append([]stage(nil), h.srv.pipeline...))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := log.Close(); err != nil {
			t.Errorf("audit close: %v", err)
		}
	})
	<-h.srv.Router().Checked()
	h.base = "http://" + ln.Addr().String() + "/v1"
	return h
}

// client is the official OpenAI SDK pointed at the gateway, with no retries
// so that every request the test makes is one request.
func (h *harness) client(opts ...option.RequestOption) openai.Client {
	base := []option.RequestOption{
		option.WithBaseURL(h.base + "/"), option.WithAPIKey(testKey), option.WithMaxRetries(0),
		option.WithRequestTimeout(20 * time.Second),
	}
	return openai.NewClient(append(base, opts...)...)
}

// subject is the header that names the data subject's jurisdiction.
func subject(j string) option.RequestOption { return option.WithHeader("Sovereign-Jurisdiction", j) }

// calls counts the data requests (POST) each region's upstream received.
func (h *harness) calls() map[string]int {
	out := map[string]int{}
	for r, u := range h.up {
		out[r] = len(u.Calls())
	}
	return out
}

// sawAnywhere reports the regions whose upstream received s in any request.
func (h *harness) sawAnywhere(s string) []string {
	var out []string
	for r, u := range h.up {
		if u.Saw(s) {
			out = append(out, r)
		}
	}
	return out
}

// post sends a raw request to the gateway (for what the SDK cannot send).
func (h *harness) post(path string, header http.Header, body []byte) (*http.Response, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(h.base, "/v1")+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp, buf.Bytes()
}

// records returns the decision records appended so far.
func (h *harness) records() []audit.Record { return h.sink.list() }

// lastRecord waits for the record of request id (the record stage may still
// be running when the answer has arrived: streams end after it, not before).
func (h *harness) record(id string) audit.Record {
	h.t.Helper()
	for range 200 {
		for _, r := range h.records() {
			if r.RequestID == id {
				return r
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("no record for request %s", id)
	return audit.Record{}
}

// recordingSink keeps a copy of every record appended to the sink it wraps.
type recordingSink struct {
	audit.Sink
	mu   sync.Mutex
	recs []audit.Record
}

func (s *recordingSink) Append(ctx context.Context, r *audit.Record) error {
	if err := s.Sink.Append(ctx, r); err != nil {
		return err
	}
	s.mu.Lock()
	s.recs = append(s.recs, *r)
	s.mu.Unlock()
	return nil
}

func (s *recordingSink) list() []audit.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]audit.Record(nil), s.recs...)
}

// lockedBuffer is a log destination shared by handler goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sdkError unwraps the SDK's error for a status and code check.
func sdkError(t testing.TB, err error) *openai.Error {
	t.Helper()
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an API error, got %v", err)
	}
	return e
}

// chatBody is a one-message chat completion request body.
func chatBody(model, text string) ([]byte, error) {
	return json.Marshal(map[string]any{"model": model, "messages": []map[string]string{{"role": "user", "content": text}}})
}

// streamText sends params as a stream through c and returns the content of
// every delta, in order.
func streamText(c openai.Client, params openai.ChatCompletionNewParams) (string, error) {
	s := c.Chat.Completions.NewStreaming(context.Background(), params)
	var got strings.Builder
	for s.Next() {
		for _, ch := range s.Current().Choices {
			got.WriteString(ch.Delta.Content)
		}
	}
	return got.String(), s.Err()
}
