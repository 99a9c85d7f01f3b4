package crm

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
	"github.com/sovereign-gateway/sovereign/internal/store"
)

// Options configures a Face.
type Options struct {
	// Config is the loaded gateway config; its salesforce section is required.
	Config *config.Config
	// Audit receives one decision record per write. Required: a write whose
	// record cannot be appended is refused (fail closed).
	Audit audit.Sink
	// Classifier classifies free text and undeclared fields; nil builds one
	// from Config.Classify.
	Classifier *classify.Engine
	// Policy is the compiled transfer policy; nil compiles Config's.
	Policy *policy.Engine
	// Logger gets structured events without payloads; nil discards.
	Logger *slog.Logger
	// HTTPClient calls the org; nil builds one from the config's timeouts.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AfterCommit, when set, runs after a write's regional commit and before
	// its delivery (crash tests kill the process there).
	AfterCommit func()
}

// Face is the Salesforce face. It is an http.Handler for /services/data/.
// Start runs the outbox worker; Close stops it and closes the stores.
type Face struct {
	cfg        *config.Config
	sf         *config.Salesforce
	dest       *config.Destination
	destJur    string
	policy     map[string]*objectPolicy
	policyHash string
	stores     map[string]*regional // by jurisdiction
	storeList  []*regional
	tenants    map[string]tokenizer
	classifier textClassifier
	decide     *policy.Engine
	resolver   *resolve.Resolver
	up         *upstream
	sink       audit.Sink
	log        *slog.Logger
	now        func() time.Time
	subjectKey []byte
	afterCmt   func()
	maxBody    int64

	startOnce sync.Once
	running   bool
	stop      chan struct{}
	wake      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// textClassifier is what the face needs of the classification engine.
type textClassifier interface {
	Text(body []byte, dst []classify.Finding) []classify.Finding
}

// regional is one jurisdiction's store.
type regional struct {
	jurisdiction string
	region       string
	st           *store.Store
}

// New builds the face: it opens the regional stores (creating them on first
// use) and prepares the upstream client. It does not contact the org.
func New(opts Options) (*Face, error) {
	cfg := opts.Config
	if cfg == nil || cfg.Salesforce == nil {
		return nil, errors.New("crm: config has no salesforce section")
	}
	if opts.Audit == nil {
		return nil, errors.New("crm: an audit sink is required")
	}
	sf := cfg.Salesforce
	dest, ok := cfg.Destination(sf.Destination)
	if !ok || len(dest.Endpoints) == 0 {
		return nil, fmt.Errorf("crm: destination %q is not a salesforce destination with an endpoint", sf.Destination)
	}
	f := &Face{
		cfg: cfg, sf: sf, dest: dest, destJur: cfg.DestinationJurisdiction(dest),
		stores: map[string]*regional{}, tenants: map[string]tokenizer{},
		resolver: resolve.New(cfg), sink: opts.Audit, decide: opts.Policy,
		log: opts.Logger, now: opts.Now, afterCmt: opts.AfterCommit, maxBody: cfg.Limits.MaxBodyBytes,
		stop: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.now == nil {
		f.now = time.Now
	}
	if opts.Classifier != nil {
		f.classifier = opts.Classifier
	} else {
		eng, err := classify.FromConfig(cfg.Classify)
		if err != nil {
			return nil, fmt.Errorf("crm: classifier: %w", err)
		}
		f.classifier = eng
	}
	if f.decide == nil {
		eng, err := policy.Compile(cfg)
		if err != nil {
			return nil, fmt.Errorf("crm: policy: %w", err)
		}
		f.decide = eng
	}
	var fieldHash string
	f.policy, fieldHash = compilePolicy(sf)
	// Audit records name both policies in force: the field policy and the
	// transfer rules.
	sum := sha256.Sum256([]byte(fieldHash + "/" + f.decide.Hash()))
	f.policyHash = hex.EncodeToString(sum[:16])
	for _, tk := range sf.TenantKeys {
		k, err := config.DecodeKey32(tk.Key.Value())
		if err != nil {
			return nil, fmt.Errorf("crm: tenant %s key: %w", tk.Tenant, err)
		}
		f.tenants[tk.Tenant] = tokenizer{key: k}
	}
	if k := cfg.Audit.HMACKey.Value(); len(k) > 0 {
		if err := audit.CheckHMACKey(k); err != nil {
			return nil, fmt.Errorf("crm: %w", err)
		}
		f.subjectKey = k
	} else {
		// Without a deployment key subject references still hide the id, but
		// correlate only within this process's lifetime.
		f.subjectKey = make([]byte, 32)
		_, _ = rand.Read(f.subjectKey)
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{
			Timeout: sf.Delivery.Timeout,
			Transport: &http.Transport{
				DialContext:         (&net.Dialer{Timeout: cfg.Timeouts.Connect}).DialContext,
				MaxIdleConnsPerHost: 32,
				IdleConnTimeout:     cfg.Timeouts.Idle,
			},
		}
	}
	auth, err := newAuthenticator(sf.Auth, client, f.now)
	if err != nil {
		return nil, err
	}
	f.up = &upstream{base: strings.TrimRight(dest.Endpoints[0].URL, "/"), version: sf.APIVersion,
		client: client, auth: auth, maxBody: cfg.Limits.MaxResponseBytes}
	if err := f.openStores(); err != nil {
		f.closeStores()
		return nil, err
	}
	return f, nil
}

func (f *Face) openStores() error {
	dur := store.Batch
	if f.sf.Durability == "full" {
		dur = store.Full
	}
	for _, sc := range f.sf.Stores {
		r, ok := f.cfg.Region(sc.Region)
		if !ok {
			return fmt.Errorf("crm: unknown region %q", sc.Region)
		}
		key, err := config.DecodeKey32(sc.Key.Value())
		if err != nil {
			return fmt.Errorf("crm: store %s key: %w", sc.Region, err)
		}
		st, err := store.Open(context.Background(), store.Options{Path: sc.PathIn(f.cfg.Server.DataDir), Key: key, Durability: dur, Now: f.now})
		if err != nil {
			return fmt.Errorf("crm: store %s: %w", sc.Region, err)
		}
		reg := &regional{jurisdiction: r.Jurisdiction, region: r.ID, st: st}
		f.stores[r.Jurisdiction] = reg
		f.storeList = append(f.storeList, reg)
	}
	return nil
}

func (f *Face) closeStores() error {
	var errs []error
	for _, r := range f.storeList {
		errs = append(errs, r.st.Close())
	}
	return errors.Join(errs...)
}

// Start runs the outbox worker until Close. It returns at once.
func (f *Face) Start() {
	f.startOnce.Do(func() {
		f.running = true
		go f.work()
	})
}

// Close stops the worker (waiting for the delivery in progress) and closes
// the regional stores. Rows not yet delivered stay in the outbox for the
// next start.
func (f *Face) Close() error {
	var err error
	f.closeOnce.Do(func() {
		f.startOnce.Do(func() {}) // from here on Start starts nothing
		close(f.stop)
		if f.running {
			<-f.done
		}
		err = f.closeStores()
	})
	return err
}

// Prefix is where the gateway mounts the face.
const Prefix = "/services/data/"

var _ http.Handler = (*Face)(nil)
