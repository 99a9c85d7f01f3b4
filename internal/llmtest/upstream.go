package llmtest

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
)

// Request is one request as the upstream received it.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// ContentLength is the announced length (-1 when none was, e.g. a
	// chunked body); TransferEncoding as received.
	ContentLength    int64
	TransferEncoding []string
}

// Fault makes the upstream misbehave on purpose.
type Fault int

// Faults.
const (
	// Healthy answers normally.
	Healthy Fault = iota
	// Unavailable answers every request, health checks included, with 503.
	Unavailable
	// Hangup closes the connection without answering.
	Hangup
	// RejectEcho answers data requests with 400 and an error message that
	// quotes the request body, as some servers do.
	RejectEcho
)

// Options shape the replies.
type Options struct {
	// Name tags replies (the "system_fingerprint" field) so a caller can tell
	// upstreams apart.
	Name string
	// Reply returns the assistant text for a chat request; default Echo.
	Reply func(*ChatRequest) string
	// Chunks splits a streamed reply into content deltas; default ChunkBy(4).
	Chunks func(string) []string
	// Delay is waited before answering a data request (after its body is
	// read); health checks are answered at once.
	Delay time.Duration
	// Interval is waited between streamed content deltas, as a model
	// generating tokens would; zero streams them back to back.
	Interval time.Duration
	// Models lists the model ids GET /v1/models returns.
	Models []string
	// OnRequest, when set, is told every request as it arrives (the demo
	// command prints what each upstream received).
	OnRequest func(Request)
	// ToolCall, when set, answers with a call of the function "reply" whose
	// arguments are {"text": <the reply>} instead of content; streamed, the
	// arguments arrive in the deltas Chunks makes of them.
	ToolCall bool
}

// Upstream is a running double on 127.0.0.1.
type Upstream struct {
	opts  Options
	srv   *httptest.Server
	fault atomic.Int32
	// failNext answers this many data requests with 500 before recovering.
	failNext atomic.Int32

	mu   sync.Mutex
	reqs []Request
	// canceled counts streams cut short because the caller went away.
	canceled atomic.Int32
}

// Canceled reports how many streams ended early because their request's
// context was canceled (the gateway passing on a client that left).
func (u *Upstream) Canceled() int { return int(u.canceled.Load()) }

// Start runs a double on a free loopback port.
func Start(opts Options) *Upstream {
	u := New(opts)
	u.srv = httptest.NewServer(u)
	return u
}

// StartOn runs a double on addr (host:port), for fixed-port demos.
func StartOn(addr string, opts Options) (*Upstream, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	u := New(opts)
	u.srv = httptest.NewUnstartedServer(u)
	u.srv.Listener.Close()
	u.srv.Listener = ln
	u.srv.Start()
	return u, nil
}

// New returns a double to serve with a server of the caller's choice.
func New(opts Options) *Upstream {
	if opts.Reply == nil {
		opts.Reply = Echo
	}
	if opts.Chunks == nil {
		opts.Chunks = ChunkBy(4)
	}
	if opts.Name == "" {
		opts.Name = "llmtest"
	}
	return &Upstream{opts: opts}
}

// URL is the OpenAI base URL, ending in /v1.
func (u *Upstream) URL() string { return u.srv.URL + "/v1" }

// Close stops the server.
func (u *Upstream) Close() { u.srv.Close() }

// SetFault switches a fault on (or Healthy to switch it off).
func (u *Upstream) SetFault(f Fault) { u.fault.Store(int32(f)) }

// FailNext answers the next n data requests (POST) with 500.
func (u *Upstream) FailNext(n int) { u.failNext.Store(int32(n)) }

// Requests returns a copy of every request received, health checks included.
func (u *Upstream) Requests() []Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]Request(nil), u.reqs...)
}

// Calls returns the data requests (POST) received.
func (u *Upstream) Calls() []Request {
	var out []Request
	for _, r := range u.Requests() {
		if r.Method == http.MethodPost {
			out = append(out, r)
		}
	}
	return out
}

// Saw reports whether any request (headers or body) contained s.
func (u *Upstream) Saw(s string) bool {
	for _, r := range u.Requests() {
		if bytes.Contains(r.Body, []byte(s)) {
			return true
		}
		for _, vs := range r.Header {
			for _, v := range vs {
				if bytes.Contains([]byte(v), []byte(s)) {
					return true
				}
			}
		}
	}
	return false
}

// Reset forgets the recorded requests.
func (u *Upstream) Reset() {
	u.mu.Lock()
	u.reqs = nil
	u.mu.Unlock()
}
