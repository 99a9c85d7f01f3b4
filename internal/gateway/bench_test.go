package gateway

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/llmtest"
	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/transform"
)

// benchPrompt is a 2 KiB support conversation with two e-mail addresses,
// a phone number and a name in it: work for every stage.
var benchPrompt = func() string {
	head := "Customer Anna Schmidt (anna.schmidt@example.com, +49 30 1234 5678) writes about order 4711: " +
		"the parcel arrived damaged and she asks for a replacement; cc returns@example.org. "
	filler := "Please summarize the case, list the next steps for the support agent and draft a polite answer. "
	var b strings.Builder
	b.WriteString(head)
	for b.Len() < 2048 {
		b.WriteString(filler)
	}
	return b.String()[:2048]
}()

// noMemo turns the classifier's memo off (classify.memo_values: -1). A
// benchmark sends one body over and over, which the memo would find again
// every time; a gateway's requests are new but for the messages a
// conversation resends, and classify's BenchmarkChatTurn times those.
func noMemo(config string) string {
	return strings.Replace(config, "\npolicy:\n", "\nclassify:\n  memo_values: -1\npolicy:\n", 1)
}

func benchBody(model string, stream bool) []byte {
	b, _ := chatBody(model, benchPrompt)
	if stream {
		b = bytes.Replace(b, []byte(`{"messages"`), []byte(`{"stream":true,"messages"`), 1)
	}
	return b
}

// benchClient keeps enough idle connections for 32 concurrent callers.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}}

func post(url string, body []byte, key string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Sovereign-Jurisdiction", "EU")
	return benchClient.Do(req)
}

// roundTrip posts and reads the whole answer, and returns how long it took.
func roundTrip(url string, body []byte) (time.Duration, error) {
	t0 := time.Now()
	resp, err := post(url, body, testKey)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	return time.Since(t0), err
}

// firstToken posts a streaming request and returns the time until the
// first delta with content, then reads the stream to its end.
func firstToken(url string, body []byte) (time.Duration, error) {
	t0 := time.Now()
	resp, err := post(url, body, testKey)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	var ttft time.Duration
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if ttft == 0 && bytes.Contains(sc.Bytes(), []byte(`"content":"`)) && !bytes.Contains(sc.Bytes(), []byte(`"content":""`)) {
			ttft = time.Since(t0)
		}
	}
	if ttft == 0 {
		return 0, fmt.Errorf("no content in the stream")
	}
	return ttft, sc.Err()
}

// latencies collects one duration per call, from conc goroutines.
type latencies struct {
	mu           sync.Mutex
	direct, gate []time.Duration
}

func (l *latencies) add(d, g time.Duration) {
	l.mu.Lock()
	l.direct = append(l.direct, d)
	l.gate = append(l.gate, g)
	l.mu.Unlock()
}

func pct(ds []time.Duration, p float64) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(p*float64(len(s))))].Nanoseconds()) / 1e3
}

// report writes p50 and p99 of both paths and their difference, in µs.
func (l *latencies) report(b *testing.B, what string) {
	if len(l.gate) == 0 {
		return
	}
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50", .50}, {"p99", .99}} {
		d, g := pct(l.direct, p.q), pct(l.gate, p.q)
		b.ReportMetric(d, "direct-"+what+"-"+p.name+"-µs")
		b.ReportMetric(g, "gateway-"+what+"-"+p.name+"-µs")
		b.ReportMetric(g-d, "added-"+what+"-"+p.name+"-µs")
	}
}

// run calls measure b.N times over conc goroutines, each iteration one
// request straight to the upstream and one through the gateway, alternated
// so that both see the same machine load.
func run(b *testing.B, conc int, measure func(url string, body []byte) (time.Duration, error), direct, gateway string, db, gb []byte) *latencies {
	l := &latencies{}
	var next atomic.Int64
	var wg sync.WaitGroup
	var fail atomic.Value
	b.ResetTimer()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				d, err := measure(direct, db)
				if err != nil {
					fail.Store(err)
					return
				}
				g, err := measure(gateway, gb)
				if err != nil {
					fail.Store(err)
					return
				}
				l.add(d, g)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, ok := fail.Load().(error); ok {
		b.Fatal(err)
	}
	return l
}

// BenchmarkAddedLatency measures what the gateway adds to a chat
// completion with a 2 KiB prompt, on 127.0.0.1, against calling the same
// upstream directly: allow (EU subject to the EU model, findings sent as
// they are) and pseudonymize (EU subject to the US model), at concurrency
// 1 and 32. One op is one direct and one gateway request.
func BenchmarkAddedLatency(b *testing.B) {
	for _, c := range []struct {
		name, model, region string
	}{{"allow", "regional", "eu"}, {"pseudonymize", "us-frontier", "us"}} {
		for _, conc := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/c=%d", c.name, conc), func(b *testing.B) {
				h := newHarness(b, harnessOptions{yaml: noMemo})
				gw := h.base + "/chat/completions"
				direct := h.up[c.region].URL() + "/chat/completions"
				body := benchBody(c.model, false)
				// The upstream gets the gateway's outbound body shape either way.
				l := run(b, conc, roundTrip, direct, gw, body, body)
				l.report(b, "rt")
			})
		}
	}
}

// BenchmarkStreamTTFT measures the time to the first content delta of a
// streamed chat completion, direct and through the gateway. The upstream
// streams the first 64 bytes of the prompt back in 4-byte deltas 1 ms apart,
// as a fast model would (back to back, a 512-event burst measures CPU
// contention on two cores, not latency); in the pseudonymize case the first
// deltas carry placeholders the gateway restores.
func BenchmarkStreamTTFT(b *testing.B) {
	for _, c := range []struct {
		name, model, region string
	}{{"allow", "regional", "eu"}, {"pseudonymize", "us-frontier", "us"}} {
		b.Run(c.name, func(b *testing.B) {
			h := newHarness(b, harnessOptions{yaml: noMemo, upstream: func(string) llmtest.Options {
				return llmtest.Options{
					Reply:    func(r *llmtest.ChatRequest) string { return llmtest.Echo(r)[:64] },
					Interval: time.Millisecond,
				}
			}})
			body := benchBody(c.model, true)
			l := run(b, 1, firstToken, h.up[c.region].URL()+"/chat/completions", h.base+"/chat/completions", body, body)
			l.report(b, "ttft")
		})
	}
}

// BenchmarkPipelineInProcess is the pipeline alone: the gateway's handler
// called in process, the upstream double answering in process through a
// RoundTripper, no sockets. It is the cost the loopback numbers above
// carry, without their noise.
//
// upstream-µs/op is the double's own time inside the RoundTripper, and
// pipeline-µs/op the rest: what the gateway itself spends per request.
func BenchmarkPipelineInProcess(b *testing.B) {
	up := llmtest.New(llmtest.Options{})
	var upstreamNs atomic.Int64
	inproc := roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		t0 := time.Now()
		defer func() { upstreamNs.Add(int64(time.Since(t0))) }()
		if r.Body == nil {
			r.Body = http.NoBody
		}
		rec := httptest.NewRecorder()
		up.ServeHTTP(rec, r)
		return rec.Result(), nil
	})
	for _, c := range []struct{ name, model string }{{"allow", "regional"}, {"pseudonymize", "us-frontier"}} {
		b.Run(c.name, func(b *testing.B) {
			h := newHarness(b, harnessOptions{yaml: noMemo, transport: inproc})
			handler := h.srv.Handler()
			body := benchBody(c.model, false)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			upstreamNs.Store(0)
			n := 0
			for b.Loop() {
				n++
				req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+testKey)
				req.Header.Set("Sovereign-Jurisdiction", "EU")
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			upUs := float64(upstreamNs.Load()) / 1e3 / float64(n)
			b.ReportMetric(upUs, "upstream-µs/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(n)-upUs, "pipeline-µs/op")
		})
	}
}

// BenchmarkStages times the stages' main calls on the 2 KiB prompt, to
// show where the pipeline's time goes.
func BenchmarkStages(b *testing.B) {
	h := newHarness(b, harnessOptions{yaml: noMemo})
	body := benchBody("us-frontier", false)
	eng, err := NewClassifier(h.cfg)
	if err != nil {
		b.Fatal(err)
	}
	fs, _ := eng.JSON(body, nil)
	m, _ := h.cfg.Model("us-frontier")
	d := h.srv.router.Candidates(m, "EU")[0]
	in := policy.Input{Tenant: "shop", Purpose: "support", Face: "llm", SubjectJurisdiction: "EU",
		Destination: policy.DestinationFor(h.cfg, d.Config, "EU", testNow), Findings: fs}
	dec, _ := h.srv.policy.Decide(&in)
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			if _, e := parseEnvelope(body, opChat, false); e != nil {
				b.Fatal(e)
			}
		}
	})
	b.Run("classify", func(b *testing.B) {
		var dst []classify.Finding
		for b.Loop() {
			dst, _ = eng.JSON(body, dst[:0])
		}
		b.ReportMetric(float64(len(dst)), "findings")
	})
	b.Run("decide", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.srv.policy.Decide(&in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("transform", func(b *testing.B) {
		for b.Loop() {
			if _, err := transform.Apply(body, fs, dec.PerFinding, transform.NewVault()); err != nil {
				b.Fatal(err)
			}
		}
	})
	v := transform.NewVault()
	out, _ := transform.Apply(body, fs, dec.PerFinding, v)
	b.Run("restore", func(b *testing.B) {
		var dst []byte
		for b.Loop() {
			dst = v.RestoreJSON(dst[:0], out)
		}
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// BenchmarkRelay is the SSE relay alone over a 2 KiB answer streamed in
// 4-byte deltas (512 events), with the real classifier guarding the output
// and a vault restoring placeholders: per-event cost is ns/op / 512.
func BenchmarkRelay(b *testing.B) {
	rs := newRelayServer(b)
	eng, err := NewClassifier(rs.cfg)
	if err != nil {
		b.Fatal(err)
	}
	rs.srv.classify = eng
	stream := sseOf(llmtest.ChunkBy(4)(benchPrompt))
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	var out bytes.Buffer
	for b.Loop() {
		h := rs.harness(b)
		h.x.cancel()
		out.Reset()
		if e := h.x.relay(bytes.NewReader(stream), &out, func() {}); e != nil {
			b.Fatal(e)
		}
	}
}
