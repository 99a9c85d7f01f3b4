package route

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/llmtest"
)

// load reads testdata/three.yaml with URL_* placeholders replaced.
func load(t *testing.T, urls map[string]string) *config.Config {
	t.Helper()
	b, err := os.ReadFile("testdata/three.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for k, v := range urls {
		s = strings.ReplaceAll(s, k, v)
	}
	s = strings.NewReplacer("URL_US", "http://127.0.0.1:1/v1", "URL_EU1", "http://127.0.0.1:1/v1",
		"URL_EU2", "http://127.0.0.1:1/v1", "URL_UK", "http://127.0.0.1:1/v1").Replace(s)
	env := config.Env{
		LookupEnv: func(k string) (string, bool) { return map[string]string{"EU_KEY": "upstream-secret"}[k], k == "EU_KEY" },
		ReadFile:  os.ReadFile,
	}
	cfg, err := config.Parse([]byte(s), "three.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

var quiet = slog.New(slog.DiscardHandler)

func names(ds []*Destination) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name())
	}
	return strings.Join(out, ",")
}

func TestCandidatesHomeJurisdictionFirst(t *testing.T) {
	cfg := load(t, nil)
	r := New(cfg, Options{Logger: quiet})
	m, _ := cfg.Model("m")
	for _, tc := range []struct{ subject, want string }{
		{"EU", "llm-eu,llm-us,llm-uk"},
		{"UK", "llm-uk,llm-us,llm-eu"},
		{"US", "llm-us,llm-eu,llm-uk"},
		{"CH", "llm-us,llm-eu,llm-uk"},
	} {
		if got := names(r.Candidates(m, tc.subject)); got != tc.want {
			t.Errorf("subject %s: got %s, want %s", tc.subject, got, tc.want)
		}
	}
}

func TestSendOwnsTheRequest(t *testing.T) {
	up := llmtest.Start(llmtest.Options{})
	defer up.Close()
	cfg := load(t, map[string]string{"URL_EU2": up.URL()})
	r := New(cfg, Options{Logger: quiet})
	defer r.Close()
	d, _ := r.Destination("llm-eu")
	body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	resp, err := r.Send(context.Background(), d.Endpoints[1], "/chat/completions", body, false)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	calls := up.Calls()
	if len(calls) != 1 {
		t.Fatalf("upstream got %d calls, want 1", len(calls))
	}
	c := calls[0]
	if c.Path != "/v1/chat/completions" || string(c.Body) != string(body) {
		t.Errorf("upstream got %s %q", c.Path, c.Body)
	}
	if got := c.Header.Get("Authorization"); got != "Bearer upstream-secret" {
		t.Errorf("authorization = %q, want the endpoint's key", got)
	}
	// A body the gateway owns, with its exact length: never chunked, never
	// the caller's stream (shared/DESIGN.md, known pitfalls).
	if c.ContentLength != int64(len(body)) || len(c.TransferEncoding) != 0 {
		t.Errorf("content length %d, transfer encoding %v; want %d and none", c.ContentLength, c.TransferEncoding, len(body))
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
	}))
	defer redir.Close()
	cfg := load(t, map[string]string{"URL_US": redir.URL})
	r := New(cfg, Options{Logger: quiet})
	d, _ := r.Destination("llm-us")
	resp, err := r.Send(context.Background(), d.Endpoints[0], "/chat/completions", []byte(`{}`), false)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if elsewhere.Load() != 0 {
		t.Fatal("a redirect was followed to an undeclared destination")
	}
}

func TestPassiveEjection(t *testing.T) {
	up := llmtest.Start(llmtest.Options{})
	defer up.Close()
	up.SetFault(llmtest.Unavailable)
	cfg := load(t, map[string]string{"URL_US": up.URL()})
	now := time.Unix(1000, 0)
	r := New(cfg, Options{Logger: quiet, Now: func() time.Time { return now }})
	d, _ := r.Destination("llm-us")
	e := d.Endpoints[0]
	for i := range 2 {
		if !e.Healthy(now) {
			t.Fatalf("ejected after %d failures, want after 2", i)
		}
		_, err := r.Send(context.Background(), e, "/chat/completions", []byte(`{}`), false)
		if !errors.Is(err, ErrUpstreamStatus) {
			t.Fatalf("err = %v, want ErrUpstreamStatus", err)
		}
	}
	if e.Healthy(now) {
		t.Fatal("endpoint not ejected after eject_after failures")
	}
	if got := d.Healthy(nil, now); len(got) != 0 {
		t.Fatalf("ejected endpoint offered: %d", len(got))
	}
	now = now.Add(time.Minute)
	if !e.Healthy(now) {
		t.Fatal("endpoint still ejected after eject_for")
	}
}

func TestActiveChecks(t *testing.T) {
	up := llmtest.Start(llmtest.Options{})
	defer up.Close()
	cfg := load(t, map[string]string{"URL_UK": up.URL()})
	var mu sync.Mutex
	var changes []bool
	r := New(cfg, Options{Logger: quiet, OnHealth: func(e *Endpoint, ok bool) {
		mu.Lock()
		changes = append(changes, ok)
		mu.Unlock()
	}})
	d, _ := r.Destination("llm-uk")
	e := d.Endpoints[0]
	r.CheckAll(context.Background())
	if !e.Healthy(time.Now()) {
		t.Fatal("healthy upstream marked down")
	}
	if got := up.Requests(); len(got) == 0 || got[0].Method != http.MethodGet || got[0].Path != "/v1/models" {
		t.Fatalf("health check requests: %+v", got)
	}
	up.SetFault(llmtest.Unavailable)
	r.CheckAll(context.Background())
	if e.Healthy(time.Now()) {
		t.Fatal("failing upstream still healthy")
	}
	up.SetFault(llmtest.Healthy)
	r.CheckAll(context.Background())
	if !e.Healthy(time.Now()) {
		t.Fatal("recovered upstream still down")
	}
	// Every other endpoint points at a closed port: each went down once.
	mu.Lock()
	defer mu.Unlock()
	if len(changes) < 2 {
		t.Fatalf("health changes reported: %v", changes)
	}
}

func TestRoundRobinAcrossHealthyEndpoints(t *testing.T) {
	cfg := load(t, nil)
	r := New(cfg, Options{Logger: quiet})
	d, _ := r.Destination("llm-eu")
	now := time.Now()
	first := map[int]int{}
	for range 10 {
		first[d.Healthy(nil, now)[0].Index]++
	}
	if first[0] != 5 || first[1] != 5 {
		t.Fatalf("first endpoint picks: %v, want 5 and 5", first)
	}
	d.Endpoints[0].activeDown.Store(true)
	for range 4 {
		if got := d.Healthy(nil, now); len(got) != 1 || got[0].Index != 1 {
			t.Fatalf("down endpoint offered")
		}
	}
}
