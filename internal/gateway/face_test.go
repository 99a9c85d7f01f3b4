package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/llmtest"
)

// TestModels: GET /v1/models lists what the caller may reach, and
// /v1/models/{id} answers for those only, through the SDK.
func TestModels(t *testing.T) {
	h := newHarness(t, harnessOptions{yaml: func(s string) string {
		// A model served only where UK subjects may send nothing at all.
		return strings.Replace(s, "policy:\n  rules:\n", "policy:\n  rules:\n    - {id: no-uk-to-us, when: 'subject.jurisdiction == \"UK\" && destination.jurisdiction == \"US\"', action: block}\n", 1)
	}})
	ctx := context.Background()
	for _, tc := range []struct {
		jur  string
		want []string
	}{
		{"EU", []string{"regional", "us-frontier"}},
		{"UK", []string{"regional"}},
	} {
		c := h.client(subject(tc.jur))
		page, err := c.Models.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range page.Data {
			got = append(got, m.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: models %v, want %v", tc.jur, got, tc.want)
		}
		models := c.Models
		if _, err := models.Get(ctx, "us-frontier"); (err == nil) != slices.Contains(tc.want, "us-frontier") {
			t.Errorf("%s: get us-frontier: %v", tc.jur, err)
		}
	}
	eu := h.client(subject("EU"))
	if _, err := eu.Models.Get(ctx, "nope"); sdkError(t, err).StatusCode != 404 {
		t.Errorf("unknown model: %v", err)
	}
}

// TestEmbeddings: embedding inputs are classified and pseudonymized like
// chat messages.
func TestEmbeddings(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client(subject("EU"))
	res, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "us-frontier",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"ticket from anna.canary@example.com", "no data"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != 2 {
		t.Fatalf("%d embeddings", len(res.Data))
	}
	calls := h.up["us"].Calls()
	if len(calls) != 1 || calls[0].Path != "/v1/embeddings" || h.up["us"].Saw("anna.canary") ||
		!strings.Contains(string(calls[0].Body), "<EMAIL_1>") {
		t.Fatalf("us upstream got %+v", calls)
	}
}

// TestInspect: the dry run names findings by type, path and span, the
// decision per candidate with its rules, and forwards nothing.
func TestInspect(t *testing.T) {
	h := newHarness(t, harnessOptions{noUp: map[string]bool{"eu": true}})
	body, _ := chatBody("regional", "Mail anna.canary@example.com")
	resp, got := h.post("/v1/inspect", http.Header{"Content-Type": {"application/json"},
		"Authorization": {"Bearer " + testKey}, "Sovereign-Jurisdiction": {"DE"}}, body)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, got)
	}
	var in inspection
	if err := json.Unmarshal(got, &in); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "canary") {
		t.Errorf("inspect echoes a value: %s", got)
	}
	if len(in.Findings) != 1 || in.Findings[0].Type != "email" || in.Findings[0].Path != "$.messages[0].content" ||
		string(body[in.Findings[0].Start:in.Findings[0].End]) != "anna.canary@example.com" {
		t.Errorf("findings %+v", in.Findings)
	}
	var cands []string
	for _, c := range in.Candidates {
		cands = append(cands, c.Destination.Name+":"+c.Action+":"+strings.Join(c.Rules, ","))
	}
	want := []string{"llm-eu:allow:", "llm-uk:allow:eu-personal-to-uk-adequacy", "llm-us:pseudonymize:eu-personal-to-us-pseudonymized"}
	if !slices.Equal(cands, want) {
		t.Errorf("candidates %v, want %v", cands, want)
	}
	// llm-eu is down: the gateway would use the uk.
	if in.Decision.Destination.Name != "llm-uk" || in.Forwarded || in.SubjectJurisdiction != "EU" {
		t.Errorf("decision %+v", in.Decision)
	}
	if n := h.calls(); n["uk"]+n["us"] != 0 {
		t.Errorf("inspect forwarded: %v", n)
	}
	if rec := h.record(in.RequestID); rec.Outcome != outcomeDryRun || rec.Operation != "inspect" {
		t.Errorf("record %+v", rec)
	}
}

// TestReadyz: not ready while the audit log cannot write or no upstream is
// healthy, and it says which.
func TestReadyz(t *testing.T) {
	get := func(h *harness) (int, string) {
		resp, err := http.Get(strings.TrimSuffix(h.base, "/v1") + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, b := get(newHarness(t, harnessOptions{})); st != 200 || b != "ready\n" {
		t.Errorf("healthy gateway: %d %q", st, b)
	}
	broken := newHarness(t, harnessOptions{sink: func(s audit.Sink) audit.Sink { return faultySink{Sink: s, healthErr: errInjected} }})
	if st, b := get(broken); st != 503 || !strings.Contains(b, "audit log unhealthy") {
		t.Errorf("audit down: %d %q", st, b)
	}
	down := newHarness(t, harnessOptions{noUp: map[string]bool{"eu": true, "uk": true, "us": true}})
	if st, b := get(down); st != 503 || !strings.Contains(b, "no healthy upstream") {
		t.Errorf("upstreams down: %d %q", st, b)
	}
}

// TestConcurrentRequestsKeepTheirValues: 32 concurrent streams, each with
// its own value behind the same placeholder name, each get their own value
// back: one vault per request.
func TestConcurrentRequestsKeepTheirValues(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	c := h.client(subject("EU"))
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := fmt.Sprintf("Mail user%d.canary@example.com today", i)
			got, err := streamText(c, openai.ChatCompletionNewParams{
				Model: "us-frontier", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(msg)}})
			if err != nil {
				errs <- err
				return
			}
			if got != msg {
				errs <- fmt.Errorf("request %d got %q", i, got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if h.up["us"].Saw("canary") {
		t.Error("the us upstream saw a value")
	}
}

// TestClientCancelReachesUpstream: a caller who leaves mid-stream cancels
// the upstream request, and the record says so.
func TestClientCancelReachesUpstream(t *testing.T) {
	h := newHarness(t, harnessOptions{upstream: func(string) llmtest.Options {
		return llmtest.Options{Interval: 20 * time.Millisecond, Reply: llmtest.Fixed(strings.Repeat("word ", 200))}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	c := h.client(subject("EU"))
	s := c.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{Model: "regional",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")}})
	for i := 0; i < 3 && s.Next(); i++ {
	}
	cancel()
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for h.up["eu"].Canceled() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the upstream stream was not canceled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range 200 {
		if recs := h.records(); len(recs) == 1 {
			if recs[0].Error != codeCanceled {
				t.Fatalf("record %+v", recs[0])
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no record of the canceled request")
}

// TestUpstreamTimeout: an upstream slower than timeouts.upstream is a 504.
func TestUpstreamTimeout(t *testing.T) {
	h := newHarness(t, harnessOptions{
		yaml: func(s string) string {
			return strings.Replace(s, "version: 1\n", "version: 1\ntimeouts: {upstream: 200ms}\n", 1)
		},
		upstream: func(string) llmtest.Options { return llmtest.Options{Delay: 2 * time.Second} },
	})
	c := h.client(subject("EU"))
	_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "us-frontier",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")}})
	if e := sdkError(t, err); e.StatusCode != http.StatusGatewayTimeout || e.Code != codeUpstreamTimeout {
		t.Fatalf("got %d %s", e.StatusCode, e.Code)
	}
}

// TestStreamSeveralChoices: with n = 2 each choice is restored on its own,
// while the upstream interleaves their deltas.
func TestStreamSeveralChoices(t *testing.T) {
	h := newHarness(t, harnessOptions{upstream: func(string) llmtest.Options {
		return llmtest.Options{Chunks: llmtest.ChunkBy(3)}
	}})
	const msg = "Forward to anna.canary@example.com and bob.canary@example.org"
	c := h.client(subject("EU"))
	s := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: "us-frontier", N: openai.Int(2), Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(msg)}})
	got := map[int64]*strings.Builder{0: {}, 1: {}}
	for s.Next() {
		for _, ch := range s.Current().Choices {
			got[ch.Index].WriteString(ch.Delta.Content)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for i, b := range got {
		if b.String() != msg {
			t.Errorf("choice %d: %q", i, b.String())
		}
	}
	if h.up["us"].Saw("canary") {
		t.Error("the us upstream saw a value")
	}
}
