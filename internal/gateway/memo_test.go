package gateway

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
)

// scopeRecorder is the engine, noting the scopes it is asked for.
type scopeRecorder struct {
	*classify.Engine
	mu     sync.Mutex
	scopes []string
}

func (r *scopeRecorder) JSONIn(scope string, body []byte, dst []classify.Finding) ([]classify.Finding, error) {
	r.mu.Lock()
	r.scopes = append(r.scopes, scope)
	r.mu.Unlock()
	return r.Engine.JSONIn(scope, body, dst)
}

// A conversation resends its earlier messages with every turn. The
// classifier's memo finds them again, for the calling client only, and
// changes nothing of what the gateway decides or sends: the same turns
// through a gateway without a memo are recorded with the same findings, and
// the customer's data reaches no upstream through either.
func TestConversationTurnsAreClassifiedOnce(t *testing.T) {
	const customer = "Hello, I am Anna Canarysmith, email anna.canary@example.com, phone +49 30 9876 5432. "
	userTurns := []string{
		customer + "My parcel with order 4711 has not arrived yet and the tracking page shows nothing since Monday.",
		"Thank you. Could you also check whether the second parcel, sent to Hauptstraße 5, 10115 Berlin, is on its way?",
		"And please send the invoice for both to anna.canary@example.com once they are delivered, that would be great.",
	}
	run := func(memo bool) (findings [][]audit.Count, rec *scopeRecorder, h *harness) {
		rec = &scopeRecorder{}
		o := harnessOptions{classifier: func(e *classify.Engine) Classifier { rec.Engine = e; return rec }}
		if !memo {
			o.yaml = noMemo
		}
		h = newHarness(t, o)
		c := h.client(subject("EU"))
		var msgs []openai.ChatCompletionMessageParamUnion
		for _, u := range userTurns {
			msgs = append(msgs, openai.UserMessage(u))
			comp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "us-frontier", Messages: msgs})
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, openai.AssistantMessage(comp.Choices[0].Message.Content))
		}
		for _, r := range h.records() {
			findings = append(findings, r.Findings)
		}
		for _, v := range []string{"Canarysmith", "anna.canary@example.com", "9876 5432", "Hauptstraße 5"} {
			if regions := h.sawAnywhere(v); len(regions) > 0 {
				t.Fatalf("memo %v: %q reached the upstream in %v", memo, v, regions)
			}
		}
		return findings, rec, h
	}
	without, _, _ := run(false)
	with, rec, h := run(true)
	if len(with) != len(userTurns) || !slices.EqualFunc(with, without, slices.Equal) {
		t.Fatalf("findings recorded with the memo %v, without %v", with, without)
	}
	for _, s := range rec.scopes {
		if s != "demo" {
			t.Fatalf("classified in scope %q, want the client's id, demo", s)
		}
	}
	if len(rec.scopes) != len(userTurns) {
		t.Fatalf("%d requests classified in a scope, want %d", len(rec.scopes), len(userTurns))
	}
	// The metric: turn 2 resends the first message and the first answer,
	// turn 3 those and the second turn's two.
	hits, misses := memoMetric(t, h, "hit"), memoMetric(t, h, "miss")
	if st := rec.MemoStats(); hits != st.Hits || misses != st.Misses || hits < 4 {
		t.Fatalf("/metrics: %d hits and %d misses; the engine counted %+v; want 4 hits or more", hits, misses, st)
	}
}

func memoMetric(t *testing.T, h *harness, result string) uint64 {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(h.base, "/v1") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^sovereign_classify_memo_lookups_total\{result="` + result + `"\} (\d+)$`).FindSubmatch(text)
	if m == nil {
		t.Fatalf("/metrics has no memo %s count:\n%s", result, text)
	}
	n, _ := strconv.ParseUint(string(m[1]), 10, 64)
	return n
}
