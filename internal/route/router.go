package route

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// Options tune a Router beyond what the config says.
type Options struct {
	// Transport replaces the tuned default (tests).
	Transport http.RoundTripper
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives health changes; default slog.Default().
	Logger *slog.Logger
	// OnHealth is told every health change of an endpoint (metrics).
	OnHealth func(e *Endpoint, healthy bool)
}

// Router holds the destinations of one config and sends requests to them.
type Router struct {
	cfg    *config.Config
	dests  map[string]*Destination
	all    []*Destination
	client *http.Client
	opts   Options

	stopOnce sync.Once
	stop     chan struct{}
	checked  chan struct{}
	wg       sync.WaitGroup
}

// New builds a router for cfg's llm destinations. Call Start to run active
// health checks and Close to stop them.
func New(cfg *config.Config, opts Options) *Router {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Transport == nil {
		opts.Transport = NewTransport(cfg.Timeouts)
	}
	r := &Router{
		cfg:     cfg,
		dests:   map[string]*Destination{},
		client:  &http.Client{Transport: opts.Transport, CheckRedirect: noRedirects},
		opts:    opts,
		stop:    make(chan struct{}),
		checked: make(chan struct{}),
	}
	for i := range cfg.Destinations {
		d := &cfg.Destinations[i]
		if d.Kind != config.KindLLM {
			continue
		}
		rd := newDestination(cfg, d)
		r.dests[d.Name] = rd
		r.all = append(r.all, rd)
	}
	return r
}

// noRedirects keeps a redirecting upstream from sending a body to a place
// outside the allowed set.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// NewTransport returns the pooled transport used for upstreams.
func NewTransport(t config.Timeouts) *http.Transport {
	return &http.Transport{
		Proxy:                 nil, // an environment proxy would be an undeclared destination
		DialContext:           (&net.Dialer{Timeout: t.Connect, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       t.Idle,
		TLSHandshakeTimeout:   t.Connect,
		ExpectContinueTimeout: 0,
		DisableCompression:    true, // bodies are classified and restored as sent
		ForceAttemptHTTP2:     true,
	}
}

// Destinations lists every llm destination, in config order.
func (r *Router) Destinations() []*Destination { return r.all }

// Destination returns the llm destination with this name.
func (r *Router) Destination(name string) (*Destination, bool) {
	d, ok := r.dests[name]
	return d, ok
}

// Candidates returns the destinations serving m, those in the subject's
// jurisdiction first, each group in the model's declared order.
func (r *Router) Candidates(m *config.Model, subject string) []*Destination {
	out := make([]*Destination, 0, len(m.Destinations))
	for _, home := range []bool{true, false} {
		for _, name := range m.Destinations {
			d, ok := r.dests[name]
			if ok && (d.Jurisdiction == subject) == home {
				out = append(out, d)
			}
		}
	}
	return out
}

// AnyHealthy reports whether at least one endpoint can take traffic.
func (r *Router) AnyHealthy() bool {
	now := r.opts.Now()
	for _, d := range r.all {
		for _, e := range d.Endpoints {
			if e.Healthy(now) {
				return true
			}
		}
	}
	return len(r.all) == 0
}

// Now is the router's clock.
func (r *Router) Now() time.Time { return r.opts.Now() }

// ErrUpstreamStatus reports an upstream answer that counts as a failure.
var ErrUpstreamStatus = errors.New("upstream failed")

// Send posts body to path (e.g. "/chat/completions") below e's base URL. The
// body is bytes the gateway owns, sent with an exact Content-Length; none of
// the caller's headers are forwarded. A transport error or a 5xx counts as a
// passive failure of e; the caller must close the response body.
func (r *Router) Send(ctx context.Context, e *Endpoint, path string, body []byte, stream bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build upstream request: %w", err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	req.Header.Set("User-Agent", "sovereign")
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if len(e.apiKey) > 0 {
		req.Header.Set("Authorization", "Bearer "+string(e.apiKey))
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() == nil { // a caller who went away says nothing about the upstream
			r.Fail(e)
		}
		return nil, fmt.Errorf("upstream %s: %w", e.Dest.Name(), err)
	}
	if resp.StatusCode >= 500 {
		r.Fail(e)
		drain(resp.Body)
		return nil, fmt.Errorf("%w: %s answered %d", ErrUpstreamStatus, e.Dest.Name(), resp.StatusCode)
	}
	return resp, nil
}

// Succeed records a good exchange with e.
func (r *Router) Succeed(e *Endpoint) { e.failures.Store(0) }

// Fail records a failed exchange with e and ejects it after eject_after
// consecutive failures.
func (r *Router) Fail(e *Endpoint) {
	if int(e.failures.Add(1)) < r.cfg.Health.EjectAfter {
		return
	}
	e.failures.Store(0)
	until := r.opts.Now().Add(r.cfg.Health.EjectFor).UnixNano()
	if e.ejectedUntil.Swap(until) < r.opts.Now().UnixNano() {
		r.opts.Logger.Warn("upstream ejected", "destination", e.Dest.Name(), "endpoint", e.Index,
			"for", r.cfg.Health.EjectFor.String())
		r.notify(e)
	}
}

func (r *Router) notify(e *Endpoint) {
	if r.opts.OnHealth != nil {
		r.opts.OnHealth(e, e.Healthy(r.opts.Now()))
	}
}

func drain(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 64<<10)
	b.Close()
}
