package gateway

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/classify"
)

// metrics is a small Prometheus text exposition. Label values are only ever
// names from the config or stable enums (faces, actions, outcomes, finding
// types): never request data.
type metrics struct {
	requests counterVec // face, operation, action, outcome
	findings counterVec // type, class, direction
	upstream histogramVec
	healthy  gaugeVec // destination, endpoint
	audit    atomic.Int64
	memo     func() classify.MemoStats
}

func newMetrics(memo func() classify.MemoStats) *metrics {
	return &metrics{memo: memo,
		requests: counterVec{name: "sovereign_requests_total", help: "Requests by face, operation, action and outcome.",
			labels: []string{"face", "operation", "action", "outcome"}},
		findings: counterVec{name: "sovereign_findings_total", help: "Findings by type, class and direction (request or response).",
			labels: []string{"type", "class", "direction"}},
		upstream: histogramVec{name: "sovereign_upstream_latency_seconds", help: "Upstream exchange latency until response headers, by destination.",
			labels: []string{"destination", "result"}, buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}},
		healthy: gaugeVec{name: "sovereign_upstream_healthy", help: "1 when an upstream endpoint takes traffic.",
			labels: []string{"destination", "endpoint"}},
	}
}

func (m *metrics) write(w io.Writer) {
	m.requests.write(w)
	m.findings.write(w)
	m.upstream.write(w)
	m.healthy.write(w)
	fmt.Fprintf(w, "# HELP sovereign_audit_healthy 1 while the audit log accepts records.\n# TYPE sovereign_audit_healthy gauge\nsovereign_audit_healthy %d\n", m.audit.Load())
	st := m.memo()
	fmt.Fprintf(w, "# HELP sovereign_classify_memo_lookups_total Long request values looked up in the classifier's memo, by result: each hit is a classification saved.\n"+
		"# TYPE sovereign_classify_memo_lookups_total counter\n"+
		"sovereign_classify_memo_lookups_total{result=\"hit\"} %d\nsovereign_classify_memo_lookups_total{result=\"miss\"} %d\n", st.Hits, st.Misses)
}

func (m *metrics) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.write(w)
	})
}

// labelKey joins label values; they never contain the separator (names).
func labelKey(vals []string) string { return strings.Join(vals, "\xff") }

func formatLabels(names []string, key string, extra ...string) string {
	vals := strings.Split(key, "\xff")
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escapeLabel(vals[i]))
		b.WriteByte('"')
	}
	for i := 0; i+1 < len(extra); i += 2 {
		b.WriteString(`,` + extra[i] + `="` + extra[i+1] + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

type counterVec struct {
	name, help string
	labels     []string
	m          sync.Map // key → *atomic.Uint64
}

func (c *counterVec) add(n uint64, vals ...string) {
	k := labelKey(vals)
	v, ok := c.m.Load(k)
	if !ok {
		v, _ = c.m.LoadOrStore(k, new(atomic.Uint64))
	}
	v.(*atomic.Uint64).Add(n)
}

func (c *counterVec) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
	for _, k := range sortedKeys(&c.m) {
		v, _ := c.m.Load(k)
		fmt.Fprintf(w, "%s%s %d\n", c.name, formatLabels(c.labels, k), v.(*atomic.Uint64).Load())
	}
}

type gaugeVec struct {
	name, help string
	labels     []string
	m          sync.Map // key → *atomic.Int64
}

func (g *gaugeVec) set(v int64, vals ...string) {
	k := labelKey(vals)
	p, ok := g.m.Load(k)
	if !ok {
		p, _ = g.m.LoadOrStore(k, new(atomic.Int64))
	}
	p.(*atomic.Int64).Store(v)
}

func (g *gaugeVec) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", g.name, g.help, g.name)
	for _, k := range sortedKeys(&g.m) {
		v, _ := g.m.Load(k)
		fmt.Fprintf(w, "%s%s %d\n", g.name, formatLabels(g.labels, k), v.(*atomic.Int64).Load())
	}
}

type histogramVec struct {
	name, help string
	labels     []string
	buckets    []float64
	m          sync.Map // key → *histogram
}

type histogram struct {
	counts []atomic.Uint64 // per bucket, not cumulative; last is +Inf
	sumNs  atomic.Int64
}

func (h *histogramVec) observe(d time.Duration, vals ...string) {
	k := labelKey(vals)
	p, ok := h.m.Load(k)
	if !ok {
		p, _ = h.m.LoadOrStore(k, &histogram{counts: make([]atomic.Uint64, len(h.buckets)+1)})
	}
	hist := p.(*histogram)
	s := d.Seconds()
	i := sort.SearchFloat64s(h.buckets, s)
	hist.counts[i].Add(1)
	hist.sumNs.Add(int64(d))
}

func (h *histogramVec) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
	for _, k := range sortedKeys(&h.m) {
		p, _ := h.m.Load(k)
		hist := p.(*histogram)
		var cum uint64
		for i := range hist.counts {
			cum += hist.counts[i].Load()
			le := "+Inf"
			if i < len(h.buckets) {
				le = strconv.FormatFloat(h.buckets[i], 'g', -1, 64)
			}
			fmt.Fprintf(w, "%s_bucket%s %d\n", h.name, formatLabels(h.labels, k, "le", le), cum)
		}
		sum := float64(hist.sumNs.Load()) / float64(time.Second)
		if math.IsNaN(sum) {
			sum = 0
		}
		fmt.Fprintf(w, "%s_sum%s %g\n%s_count%s %d\n", h.name, formatLabels(h.labels, k), sum, h.name, formatLabels(h.labels, k), cum)
	}
}

func sortedKeys(m *sync.Map) []string {
	var ks []string
	m.Range(func(k, _ any) bool {
		ks = append(ks, k.(string))
		return true
	})
	sort.Strings(ks)
	return ks
}
