package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
	"github.com/sovereign-gateway/sovereign/internal/route"
)

// Classifier finds what is in a body; *classify.Engine is the one the
// gateway runs with. Findings are sorted by Start and do not overlap.
type Classifier interface {
	JSON(body []byte, dst []classify.Finding) ([]classify.Finding, error)
	// JSONIn is JSON for a caller that resends what it sent before, as
	// chat clients resend the conversation: values remembered from the
	// caller's scope are not classified again.
	JSONIn(scope string, body []byte, dst []classify.Finding) ([]classify.Finding, error)
	Text(body []byte, dst []classify.Finding) []classify.Finding
	MemoStats() classify.MemoStats
}

// Policy decides what may go where; *policy.Engine is the one the gateway
// runs with.
type Policy interface {
	Decide(in *policy.Input) (policy.Decision, error)
	Hash() string
}

var (
	_ Classifier = (*classify.Engine)(nil)
	_ Policy     = (*policy.Engine)(nil)
)

// Options are what a Server is built from. Config, Policy, Classifier and
// Audit are required: a gateway that cannot classify, decide or record does
// not serve.
type Options struct {
	Config     *config.Config
	Policy     Policy
	Classifier Classifier
	Audit      audit.Sink
	// Logger gets JSON-able structured lines, never payloads; default slog.Default().
	Logger *slog.Logger
	// Mounts adds handlers under path prefixes ("/services/data/"); they get
	// request ids, panic recovery and access logs like the LLM face.
	Mounts map[string]http.Handler
	// Transport replaces the tuned upstream transport (tests).
	Transport http.RoundTripper
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Server is the gateway: one config, its pipeline and its HTTP handler.
type Server struct {
	cfg      *config.Config
	policy   Policy
	classify Classifier
	audit    audit.Sink
	// pipeline is the stage order of the LLM operations (pipeline.go);
	// tests swap a stage to inject a fault.
	pipeline      []stage
	rejectUnknown bool
	log           *slog.Logger
	resolver      *resolve.Resolver
	router        *route.Router
	metrics       *metrics
	now           func() time.Time
	handler       http.Handler
}

// New builds a server. It does not listen: use Handler, or Serve.
func New(o Options) (*Server, error) {
	var missing []string
	for name, nilp := range map[string]bool{"Config": o.Config == nil, "Policy": o.Policy == nil,
		"Classifier": o.Classifier == nil, "Audit": o.Audit == nil} {
		if nilp {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("gateway: options missing %s", strings.Join(missing, ", "))
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{
		cfg: o.Config, policy: o.Policy, classify: o.Classifier, audit: o.Audit,
		log: o.Logger, resolver: resolve.New(o.Config), metrics: newMetrics(o.Classifier.MemoStats), now: o.Now,
		pipeline: pipeline, rejectUnknown: o.Config.Server.UnknownFields == config.UnknownFieldsReject,
	}
	s.router = route.New(o.Config, route.Options{
		Transport: o.Transport, Now: o.Now, Logger: o.Logger,
		OnHealth: func(e *route.Endpoint, ok bool) {
			s.metrics.healthy.set(b2i(ok), e.Dest.Name(), strconv.Itoa(e.Index))
		},
	})
	for _, d := range s.router.Destinations() {
		for _, e := range d.Endpoints {
			s.metrics.healthy.set(1, d.Name(), strconv.Itoa(e.Index))
		}
	}
	s.metrics.audit.Store(b2i(o.Audit.Health() == nil))

	mux := http.NewServeMux()
	mux.Handle("/v1/chat/completions", s.face(opChat))
	mux.Handle("/v1/embeddings", s.face(opEmbeddings))
	mux.Handle("/v1/inspect", s.face(opInspect))
	mux.HandleFunc("/v1/models", s.models)
	mux.HandleFunc("/v1/models/{model}", s.model)
	mux.HandleFunc("/healthz", s.healthz)
	mux.HandleFunc("/readyz", s.readyz)
	mux.Handle("/metrics", s.metrics.handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, r, errNotFound) })
	for prefix, h := range o.Mounts {
		if len(prefix) < 3 || prefix[0] != '/' || !strings.HasSuffix(prefix, "/") || strings.HasPrefix(prefix, "/v1/") {
			return nil, fmt.Errorf("gateway: mount %q must be a path prefix like /services/data/, outside /v1/", prefix)
		}
		mux.Handle(prefix, h)
	}
	s.handler = withBasics(o.Logger, mux)
	return s, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Handler is the gateway's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Router exposes the upstream router (health state, for tests and tools).
func (s *Server) Router() *route.Router { return s.router }

// Start begins active health checks of the upstreams.
func (s *Server) Start() { s.router.Start() }

// Close stops health checks and drops idle upstream connections. It does not
// close the audit sink, which the caller owns.
func (s *Server) Close() { s.router.Close() }

// Serve answers on ln until ctx ends, then shuts down gracefully within the
// configured shutdown timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	t := s.cfg.Timeouts
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	s.Start()
	defer s.Close()
	// Serve once the first round of health checks is done (or has had its
	// time), so that readiness and routing start from what was seen, not
	// from the optimistic initial state.
	select {
	case <-s.router.Checked():
	case <-time.After(s.cfg.Health.Timeout + time.Second):
	case <-ctx.Done():
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), t.Shutdown)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		// Streams still running after the grace period are cut.
		_ = hs.Close()
	}
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz is ready when the audit log accepts records and at least one
// upstream takes traffic (the config is loaded, or there would be no server).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	var problems []string
	if err := s.audit.Health(); err != nil {
		problems = append(problems, "audit log unhealthy")
		s.metrics.audit.Store(0)
	} else {
		s.metrics.audit.Store(1)
	}
	select {
	case <-s.router.Checked():
		if !s.router.AnyHealthy() {
			problems = append(problems, "no healthy upstream")
		}
	default:
		problems = append(problems, "upstream health not checked yet")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(strings.Join(problems, "\n") + "\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// NewClassifier builds the classification engine a config asks for: its
// threshold and the tenant's business rules.
func NewClassifier(cfg *config.Config) (*classify.Engine, error) {
	e, err := classify.FromConfig(cfg.Classify)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	return e, nil
}
