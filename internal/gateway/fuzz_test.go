package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
	"github.com/sovereign-gateway/sovereign/internal/transform"
)

// TestPipelineOrder pins the stage order of shared/DESIGN.md (record runs
// after the stages, in exchange.finish, for every outcome).
func TestPipelineOrder(t *testing.T) {
	var got []string
	for _, st := range pipeline {
		got = append(got, st.name)
	}
	if want := "resolve classify decide transform route restore"; strings.Join(got, " ") != want {
		t.Fatalf("pipeline %v, want %s", got, want)
	}
	got = got[:0]
	for _, st := range dryRun {
		got = append(got, st.name)
	}
	if want := "resolve classify decide explain"; strings.Join(got, " ") != want {
		t.Fatalf("dry run %v, want %s", got, want)
	}
}

// envelopeSeeds are the bodies of testdata/bad_requests.yaml and a few
// good ones.
func envelopeSeeds(f *testing.F) {
	raw, err := os.ReadFile("testdata/bad_requests.yaml")
	if err != nil {
		f.Fatal(err)
	}
	var doc struct {
		Cases []badCase `yaml:"cases"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		f.Fatal(err)
	}
	for _, c := range doc.Cases {
		f.Add([]byte(c.Body))
	}
	for _, s := range []string{
		`{"model":"regional","messages":[{"role":"user","content":"hi"}],"stream":true}`,
		`{"model":"r","input":["a","b"],"user":"u"}`,
		`{"model":"reg\u0069onal","messages":[],"extra":{"a":[1,2,{"b":null}]}}`,
		` {"messages":[], "model":"x"} `,
	} {
		f.Add([]byte(s))
	}
}

// FuzzParseEnvelope: whatever the body, parseEnvelope does not panic and
// never calls a valid JSON object invalid; what it and the classifier's walk
// (which validates what parseEnvelope skips) accept is one valid UTF-8 JSON
// object without duplicate keys whose model is the one the envelope read.
func FuzzParseEnvelope(f *testing.F) {
	envelopeSeeds(f)
	eng, err := classify.New(classify.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []operation{opChat, opEmbeddings, opInspect} {
			env, e := parseEnvelope(body, op, op == opInspect)
			if e != nil {
				if e.Status != 400 || e.Code == "" || e.Msg == "" {
					t.Fatalf("%s: error %+v", op.name, e)
				}
				if e.Param != "" && !plainName(e.Param) {
					t.Fatalf("param %q is not a plain name", e.Param)
				}
				// (json.Unmarshal takes "null" into a map without an error
				// and leaves it nil: that is no object.)
				var obj map[string]json.RawMessage
				if e.Code == "invalid_json" && json.Unmarshal(body, &obj) == nil && obj != nil {
					t.Fatalf("%s: a valid JSON object called invalid: %q", op.name, body)
				}
				continue
			}
			if _, err := eng.JSON(body, nil); err != nil {
				continue // the classify stage refuses it: 400 invalid_json
			}
			if !utf8.Valid(body) || !json.Valid(body) {
				t.Fatalf("%s accepted %q", op.name, body)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal(body, &top); err != nil {
				t.Fatalf("accepted a non-object: %v", err)
			}
			var model string
			if err := json.Unmarshal(top["model"], &model); err != nil || model != env.Model || model == "" {
				t.Fatalf("model %q, envelope %q", top["model"], env.Model)
			}
			if op == opChat && (len(env.Messages) == 0 || env.Messages[0] != '[') {
				t.Fatalf("chat accepted messages %q", env.Messages)
			}
			if out, err := setModel(body, "upstream-name"); err != nil || !json.Valid(out) {
				t.Fatalf("setModel on an accepted body: %v %q", err, out)
			} else {
				var m map[string]json.RawMessage
				_ = json.Unmarshal(out, &m)
				if string(m["model"]) != `"upstream-name"` || len(m) != len(top) {
					t.Fatalf("setModel changed more than the model: %s", out)
				}
			}
		}
	})
}

// relayHarness is an exchange wired for relay: a server on a config, a
// vault holding three values, and a sink that keeps records in memory.
type relayHarness struct {
	x     *exchange
	vault *transform.Vault
	sink  *memSink
}

type memSink struct{ n int }

func (s *memSink) Append(context.Context, *audit.Record) error { s.n++; return nil }
func (s *memSink) Health() error                               { return nil }
func (s *memSink) Close() error                                { return nil }

// noFindings classifies nothing: the relay fuzzers check restoring alone.
type noFindings struct{}

func (noFindings) JSON(_ []byte, dst []classify.Finding) ([]classify.Finding, error) { return dst, nil }
func (noFindings) Text(_ []byte, dst []classify.Finding) []classify.Finding          { return dst }
func (noFindings) JSONIn(_ string, _ []byte, dst []classify.Finding) ([]classify.Finding, error) {
	return dst, nil
}
func (noFindings) MemoStats() classify.MemoStats { return classify.MemoStats{} }

// relayServer is built once per fuzz target: compiling the policy is the
// slow part.
type relayServer struct {
	srv  *Server
	cfg  *config.Config
	sink *memSink
}

func newRelayServer(t testing.TB) *relayServer {
	t.Helper()
	raw, err := os.ReadFile("../../examples/three-regions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := config.Env{LookupEnv: func(string) (string, bool) { return "k", true }, ReadFile: os.ReadFile}
	cfg, err := config.Parse(raw, "three-regions.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := policy.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	srv, err := New(Options{Config: cfg, Policy: eng, Classifier: noFindings{}, Audit: sink, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return &relayServer{srv: srv, cfg: cfg, sink: sink}
}

func (rs *relayServer) harness(t testing.TB) *relayHarness {
	t.Helper()
	srv, cfg := rs.srv, rs.cfg
	rs.sink.n = 0
	text := []byte("ann@example.com bob@example.com +44 20 7946 0018")
	fs := []classify.Finding{
		{Type: classify.Email, Class: classify.ClassPersonal, Start: 0, End: 15},
		{Type: classify.Email, Class: classify.ClassPersonal, Start: 16, End: 31},
		{Type: classify.Phone, Class: classify.ClassPersonal, Start: 32, End: 48},
	}
	v := transform.NewVault()
	if _, err := transform.Apply(text, fs, []policy.Action{policy.Pseudonymize, policy.Pseudonymize, policy.Pseudonymize}, v); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
	x := srv.newExchange(httptest.NewRecorder(), r, opChat)
	d, _ := srv.router.Destination("llm-us")
	cl := &cfg.Clients[0]
	x.caller = &resolve.Caller{Client: cl, Tenant: cl.Tenant, Jurisdiction: "EU", Purpose: "support"}
	x.chosen = &plan{dest: d, view: policy.DestinationFor(cfg, d.Config, "EU", time.Now())}
	x.vault = v
	return &relayHarness{x: x, vault: v, sink: rs.sink}
}

// sseOf writes text as an upstream chat stream, one delta per piece.
func sseOf(pieces []string) []byte {
	var b bytes.Buffer
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n")
	for _, p := range pieces {
		c, _ := json.Marshal(p)
		fmt.Fprintf(&b, `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":%s},"finish_reason":null}]}`+"\n\n", c)
	}
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
	return b.Bytes()
}

// deltas parses a relayed stream back into the content it carries.
func deltas(t *testing.T, out []byte) (string, bool) {
	t.Helper()
	var text strings.Builder
	done := false
	for _, line := range strings.Split(string(out), "\n") {
		payload, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			if line != "" {
				t.Fatalf("unexpected line %q", line)
			}
			continue
		}
		if payload == "[DONE]" {
			done = true
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content *string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(payload), &chunk); err != nil {
			t.Fatalf("relayed event %q is not JSON: %v", payload, err)
		}
		for _, c := range chunk.Choices {
			if c.Delta.Content != nil {
				text.WriteString(*c.Delta.Content)
			}
		}
	}
	return text.String(), done
}

// FuzzRelayRestore: any text, cut into deltas anywhere, relays to exactly
// the one-shot restore of the whole text, with [DONE] and one record.
func FuzzRelayRestore(f *testing.F) {
	f.Add("Hi <EMAIL_1>, meet <EMAIL_2> at <PHONE_1>.", []byte{3, 1, 4, 1, 5})
	f.Add("<<EMAIL_1>><EMAIL_3><EMA", []byte{1, 1, 1, 1, 1, 1, 1})
	f.Add("plain é ü text", []byte{2})
	rs := newRelayServer(f)
	f.Fuzz(func(t *testing.T, text string, cuts []byte) {
		if !utf8.ValidString(text) {
			return // JSON strings carry text; invalid bytes become U+FFFD
		}
		var pieces []string
		rest := text
		for _, c := range cuts {
			if len(rest) == 0 {
				break
			}
			n := min(int(c)%8+1, len(rest))
			for n < len(rest) && !utf8.RuneStart(rest[n]) {
				n++
			}
			pieces = append(pieces, rest[:n])
			rest = rest[n:]
		}
		pieces = append(pieces, rest)
		h := rs.harness(t)
		defer h.x.cancel()
		var out bytes.Buffer
		if e := h.x.relay(bytes.NewReader(sseOf(pieces)), &out, func() {}); e != nil {
			t.Fatalf("relay: %v", e)
		}
		got, done := deltas(t, out.Bytes())
		if want := string(h.vault.RestoreText(nil, []byte(text))); got != want || !done {
			t.Fatalf("pieces %q: got %q (done %v), want %q", pieces, got, done, want)
		}
		if h.sink.n != 1 {
			t.Fatalf("%d records", h.sink.n)
		}
	})
}

// FuzzRelayRaw: whatever an upstream streams, the relay does not panic;
// when it reports success every event it relayed is valid JSON or [DONE].
func FuzzRelayRaw(f *testing.F) {
	f.Add(sseOf([]string{"Hi <EMA", "IL_1>"}))
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":\\\"<EMAIL_2>\\\"}\"}}]}}]}\n\ndata: [DONE]\n\n"))
	f.Add([]byte(": keep-alive\n\nevent: x\ndata: {\"choices\":null}\n\n"))
	f.Add([]byte("data: {not json}\n\n"))
	f.Add([]byte("data: {\"choices\":[{\"index\":999}]}\n\n"))
	f.Add([]byte("data: [DONE]"))
	rs := newRelayServer(f)
	f.Fuzz(func(t *testing.T, stream []byte) {
		h := rs.harness(t)
		defer h.x.cancel()
		var out bytes.Buffer
		if e := h.x.relay(bytes.NewReader(stream), &out, func() {}); e != nil {
			if e.Code == "" || e.Status < 400 {
				t.Fatalf("error %+v", e)
			}
			return
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if payload, ok := strings.CutPrefix(line, "data: "); ok && payload != "[DONE]" && !json.Valid([]byte(payload)) {
				t.Fatalf("relayed invalid JSON %q", payload)
			}
		}
	})
}
