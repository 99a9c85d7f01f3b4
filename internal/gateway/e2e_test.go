package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/llmtest"
)

type routingCase struct {
	Name         string `yaml:"name"`
	Jurisdiction string `yaml:"jurisdiction"`
	Purpose      string `yaml:"purpose"`
	Model        string `yaml:"model"`
	Message      string `yaml:"message"`
	Config       []struct {
		Old string `yaml:"old"`
		New string `yaml:"new"`
	} `yaml:"config"`
	Extra      map[string]string `yaml:"extra"`
	Down       []string          `yaml:"down"`
	Failing    []string          `yaml:"failing"`
	Received   []string          `yaml:"received"`
	AnsweredBy string            `yaml:"answered_by"`
	Action     string            `yaml:"action"`
	Sees       []string          `yaml:"sees"`
	Never      []string          `yaml:"never"`
	Reply      string            `yaml:"reply"`
	Status     int               `yaml:"status"`
	Code       string            `yaml:"code"`
	Rules      []string          `yaml:"rules"`
}

func loadRoutingCases(t *testing.T) []routingCase {
	t.Helper()
	b, err := os.ReadFile("testdata/routing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []routingCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) == 0 {
		t.Fatal("no cases")
	}
	return doc.Cases
}

// TestRouting runs testdata/routing.yaml through the official SDK, as JSON
// and as a stream, and checks what each regional upstream received.
func TestRouting(t *testing.T) {
	for _, tc := range loadRoutingCases(t) {
		for _, stream := range []bool{false, true} {
			name := tc.Name + map[bool]string{false: "/json", true: "/stream"}[stream]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				runRoutingCase(t, tc, stream)
			})
		}
	}
}

func runRoutingCase(t *testing.T, tc routingCase, stream bool) {
	down := map[string]bool{}
	for _, r := range tc.Down {
		down[r] = true
	}
	h := newHarness(t, harnessOptions{
		noUp: down,
		yaml: func(s string) string {
			for _, r := range tc.Config {
				if !strings.Contains(s, r.Old) {
					t.Fatalf("config has no %q", r.Old)
				}
				s = strings.ReplaceAll(s, r.Old, r.New)
			}
			return s
		},
	})
	for _, r := range tc.Failing {
		h.up[r].FailNext(1000)
	}
	opts := []option.RequestOption{subject(tc.Jurisdiction)}
	if tc.Purpose != "" {
		opts = append(opts, option.WithHeader("Sovereign-Purpose", tc.Purpose))
	}
	for k, v := range tc.Extra {
		opts = append(opts, option.WithJSONSet(k, v))
	}
	model := tc.Model
	if model == "" {
		model = "regional"
	}
	c := h.client(opts...)
	params := openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(tc.Message)},
	}
	var resp *http.Response
	var reply string
	var err error
	if stream {
		s := c.Chat.Completions.NewStreaming(context.Background(), params, option.WithResponseInto(&resp))
		var acc openai.ChatCompletionAccumulator
		for s.Next() {
			acc.AddChunk(s.Current())
		}
		err = s.Err()
		if err == nil && len(acc.Choices) > 0 {
			reply = acc.Choices[0].Message.Content
		}
	} else {
		var comp *openai.ChatCompletion
		comp, err = c.Chat.Completions.New(context.Background(), params, option.WithResponseInto(&resp))
		if err == nil {
			reply = comp.Choices[0].Message.Content
		}
	}

	if tc.Status != 0 {
		e := sdkError(t, err)
		if e.StatusCode != tc.Status || e.Code != tc.Code {
			t.Fatalf("got %d %s (%s), want %d %s", e.StatusCode, e.Code, e.Message, tc.Status, tc.Code)
		}
		for _, r := range tc.Rules {
			if !strings.Contains(e.Message, r) {
				t.Errorf("error %q does not name rule %s", e.Message, r)
			}
		}
		if id := e.Response.Header.Get("X-Request-Id"); id == "" || !strings.Contains(e.RawJSON(), id) {
			t.Errorf("error body %s does not carry the request id %q", e.RawJSON(), id)
		}
		if strings.Contains(e.RawJSON(), "canary") {
			t.Errorf("error body echoes request data: %s", e.RawJSON())
		}
		if len(tc.Rules) > 0 {
			rec := h.record(e.Response.Header.Get("X-Request-Id"))
			for _, r := range tc.Rules {
				if !slices.Contains(rec.Rules, r) || rec.Outcome != outcomeBlocked || rec.Action != "block" {
					t.Errorf("record %+v does not name rule %s as blocking", rec, r)
				}
			}
		}
	} else {
		if err != nil {
			t.Fatalf("request failed: %v", err)
		}
		want := tc.Reply
		if want == "" {
			want = tc.Message
		}
		if reply != want {
			t.Errorf("reply %q, want %q", reply, want)
		}
		if got := resp.Header.Get("Sovereign-Destination"); got != "llm-"+tc.AnsweredBy {
			t.Errorf("answered by %q, want llm-%s", got, tc.AnsweredBy)
		}
		if tc.Action != "" && resp.Header.Get("Sovereign-Action") != tc.Action {
			t.Errorf("action %q, want %s", resp.Header.Get("Sovereign-Action"), tc.Action)
		}
		rec := h.record(resp.Header.Get("X-Request-Id"))
		if rec.Outcome != outcomeForwarded || rec.Destination.Name != "llm-"+tc.AnsweredBy {
			t.Errorf("record: outcome %s destination %s", rec.Outcome, rec.Destination.Name)
		}
	}

	for _, u := range h.up {
		for _, c := range u.Calls() {
			if c.ContentLength != int64(len(c.Body)) || len(c.TransferEncoding) != 0 {
				t.Errorf("upstream got a body of %d bytes with content length %d, transfer encoding %v",
					len(c.Body), c.ContentLength, c.TransferEncoding)
			}
		}
	}
	for region, n := range h.calls() {
		if want := slices.Contains(tc.Received, region); want != (n > 0) {
			t.Errorf("upstream %s received %d requests, want received=%v", region, n, want)
		}
	}
	for _, s := range tc.Sees {
		if !slices.ContainsFunc(tc.Received, func(r string) bool { return h.up[r].Saw(s) }) {
			t.Errorf("no receiving upstream saw %q", s)
		}
	}
	for _, s := range tc.Never {
		if got := h.sawAnywhere(s); len(got) > 0 {
			t.Errorf("upstreams %v saw %q", got, s)
		}
	}
}

// TestStreamRestoreAtEverySplit streams a reply whose placeholders the
// upstream splits into two deltas at every byte position, and requires the
// caller to get the original values back each time.
func TestStreamRestoreAtEverySplit(t *testing.T) {
	const msg = "Dear <x> ann.canary@example.com, cc dave.canary@example.org & ann.canary@example.com"
	var at atomic.Int64
	h := newHarness(t, harnessOptions{upstream: func(string) llmtest.Options {
		return llmtest.Options{Chunks: func(s string) []string { return llmtest.SplitAt(int(at.Load()))(s) }}
	}})
	c := h.client(subject("EU"))
	params := openai.ChatCompletionNewParams{
		Model:    "us-frontier",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(msg)},
	}
	collect := func() string {
		t.Helper()
		got, err := streamText(c, params)
		if err != nil {
			t.Fatalf("split at %d: %v", at.Load(), err)
		}
		return got
	}
	collect()
	// What the us upstream received, and so echoes: the pseudonymized text.
	calls := h.up["us"].Calls()
	if len(calls) != 1 {
		t.Fatalf("us upstream got %d calls", len(calls))
	}
	sent := llmtest.Echo(mustChat(t, calls[0].Body))
	if strings.Contains(sent, "canary") || !strings.Contains(sent, "<EMAIL_2>") {
		t.Fatalf("upstream saw %q", sent)
	}
	for i := 0; i <= len(sent); i++ {
		at.Store(int64(i))
		if got := collect(); got != msg {
			t.Fatalf("split at %d of %q: got %q, want %q", i, sent, got, msg)
		}
	}
}

func mustChat(t testing.TB, body []byte) *llmtest.ChatRequest {
	t.Helper()
	var r llmtest.ChatRequest
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestToolCallRestore: placeholders inside a tool call's arguments come
// back as the originals, escaped so that the arguments stay valid JSON,
// whole and streamed in small deltas. The values are business terms with a
// quote and a backslash, pseudonymized by a rule added for the test.
func TestToolCallRestore(t *testing.T) {
	const msg = `Status of Project "Falcon" and Falcon\Wing for ann.canary@example.com`
	h := newHarness(t, harnessOptions{
		upstream: func(string) llmtest.Options { return llmtest.Options{ToolCall: true, Chunks: llmtest.ChunkBy(3)} },
		yaml: func(s string) string {
			s = strings.Replace(s, "\npolicy:\n  rules:\n", `
classify:
  business:
    - {id: codename, terms: ['Project "Falcon"', 'Falcon\Wing']}
policy:
  rules:
    - {id: codenames-as-placeholders, when: 'finding.class == "business"', action: pseudonymize}
`, 1)
			return s
		},
	})
	c := h.client(subject("EU"))
	params := openai.ChatCompletionNewParams{
		Model:    "regional",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(msg)},
	}
	check := func(how, args string) {
		t.Helper()
		var got struct{ Text string }
		if err := json.Unmarshal([]byte(args), &got); err != nil {
			t.Fatalf("%s: arguments %q are not JSON: %v", how, args, err)
		}
		if got.Text != msg {
			t.Fatalf("%s: arguments text %q, want %q", how, got.Text, msg)
		}
	}
	comp, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	check("json", comp.Choices[0].Message.ToolCalls[0].Function.Arguments)

	s := c.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	for s.Next() {
		acc.AddChunk(s.Current())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	check("stream", acc.Choices[0].Message.ToolCalls[0].Function.Arguments)
	calls := h.up["eu"].Calls()
	if len(calls) != 2 {
		t.Fatalf("eu upstream got %d calls", len(calls))
	}
	for _, call := range calls {
		if bytes.Contains(call.Body, []byte("Falcon")) || !bytes.Contains(call.Body, []byte("<BUSINESS_2>")) {
			t.Fatalf("eu upstream saw %s", call.Body)
		}
	}
}
