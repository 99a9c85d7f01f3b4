package crm

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/sfdouble"
)

// Gateway API keys of the clients in testdata/gateway.yaml.
const (
	keyEUSupport   = "key-eu-support-0123456789"
	keyUSAnalytics = "key-us-analytics-0123456789"
	keyEUAnalytics = "key-eu-analytics-0123456789"
	keyAcme        = "key-acme-support-0123456789" // another tenant
)

// The org's connected app, as the double knows it.
const (
	orgClientID     = "sovereign-connected-app"
	orgClientSecret = "org-secret-never-shown-to-clients"
	orgUsername     = "integration@example.com"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSAKey is one RSA key per test binary: generating it is slow.
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaKey = k
	})
	return rsaKey
}

// harness is one gateway with its CRM face, a Salesforce double as the org,
// a real audit log and regional stores in a temporary directory.
type harness struct {
	t      testing.TB
	dir    string
	double *sfdouble.Double
	org    *httptest.Server
	cfg    *config.Config
	audit  *audit.Log
	face   *Face
	gw     *httptest.Server
	opts   harnessOptions
}

type harnessOptions struct {
	flow string // client_credentials (default) or jwt_bearer
	// sink replaces the real audit log as the face's sink when set.
	sink        func(audit.Sink) audit.Sink
	noStart     bool // do not start the outbox worker
	afterCommit func()
	extraYAML   string // appended to the config (policy rules, ...)
	orgProxy    func(http.Handler) http.Handler
	logger      *slog.Logger
	queryBatch  int          // the org's query page size
	httpClient  *http.Client // the face's client to the org
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), opts: o}
	if o.flow == "" {
		h.opts.flow = config.AuthClientCredentials
	}
	key := testRSAKey(t)
	var org http.Handler
	h.org = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { org.ServeHTTP(w, r) }))
	t.Cleanup(h.org.Close)
	// The JWT audience defaults to the token URL's scheme and host: the
	// double checks it.
	h.double = sfdouble.New(sfdouble.Options{ClientID: orgClientID, ClientSecret: orgClientSecret,
		Username: orgUsername, PublicKey: &key.PublicKey, Audience: h.org.URL, QueryBatch: o.queryBatch})
	org = h.double
	if o.orgProxy != nil {
		org = o.orgProxy(org)
	}
	h.cfg = h.loadConfig()
	h.start()
	return h
}

func (h *harness) loadConfig() *config.Config {
	h.t.Helper()
	return loadTestConfig(h.t, h.dir, h.org.URL, h.opts.flow, h.opts.extraYAML)
}

// loadTestConfig fills testdata/gateway.yaml for a data directory and an org.
func loadTestConfig(t testing.TB, dir, orgURL, flow, extra string) *config.Config {
	t.Helper()
	tpl, err := os.ReadFile("testdata/gateway.yaml")
	if err != nil {
		t.Fatal(err)
	}
	auth := `{flow: client_credentials, token_url: "` + orgURL + `/services/oauth2/token", client_id: ` + orgClientID + `, client_secret: env:SF_SECRET}`
	if flow == config.AuthJWTBearer {
		auth = `{flow: jwt_bearer, token_url: "` + orgURL + `/services/oauth2/token", client_id: ` + orgClientID + `, username: "` + orgUsername + `", private_key: env:SF_PEM}`
	}
	doc := strings.NewReplacer("{{DATA_DIR}}", dir, "{{ORG_URL}}", orgURL, "{{AUTH}}", auth).Replace(string(tpl)) + extra
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testRSAKey(t))})
	k32 := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	env := map[string]string{
		"KEY_EU": keyEUSupport, "KEY_US": keyUSAnalytics, "KEY_EUA": keyEUAnalytics, "KEY_ACME": keyAcme, "ACME_KEY": k32(5),
		"AUDIT_HMAC": "audit-hmac-key-for-tests", "EU_KEY": k32(1), "UK_KEY": k32(2), "US_KEY": k32(3),
		"SHOP_KEY": k32(4), "SF_SECRET": orgClientSecret, "SF_PEM": string(pemKey),
	}
	cfg, err := config.Parse([]byte(doc), "gateway.yaml", config.Env{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		ReadFile:  os.ReadFile,
	})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// start opens the audit log and the face and serves it.
func (h *harness) start() {
	h.t.Helper()
	lg, err := audit.Open(filepath.Join(h.dir, "audit"), audit.Options{Mode: audit.ModeBatch})
	if err != nil {
		h.t.Fatal(err)
	}
	h.audit = lg
	var sink audit.Sink = lg
	if h.opts.sink != nil {
		sink = h.opts.sink(lg)
	}
	f, err := New(Options{Config: h.cfg, Audit: sink, AfterCommit: h.opts.afterCommit, Logger: h.opts.logger, HTTPClient: h.opts.httpClient})
	if err != nil {
		h.t.Fatal(err)
	}
	h.face = f
	if !h.opts.noStart {
		f.Start()
	}
	mux := http.NewServeMux()
	mux.Handle(Prefix, f)
	h.gw = httptest.NewServer(mux)
	h.t.Cleanup(h.stop)
}

// stop closes the gateway, the face and the audit log; it may run twice.
func (h *harness) stop() {
	if h.gw == nil {
		return
	}
	h.gw.Close()
	if err := h.face.Close(); err != nil {
		h.t.Errorf("face close: %v", err)
	}
	if err := h.audit.Close(); err != nil {
		h.t.Errorf("audit close: %v", err)
	}
	h.gw = nil
}

// restart stops the face and starts a new one on the same data directory.
func (h *harness) restart() {
	h.stop()
	h.start()
}

// answer is an answer of the gateway.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (r answer) String() string { return string(r.body) }

// call sends one request to the gateway as the client with key; a body is
// sent as application/json.
func (h *harness) call(key, method, path string, body string, hdr map[string]string) answer {
	h.t.Helper()
	all := map[string]string{}
	if body != "" {
		all["Content-Type"] = "application/json"
	}
	for k, v := range hdr {
		all[k] = v
	}
	return h.callBytes(key, method, path, []byte(body), all)
}

// callBytes sends body with exactly the headers given (and the key).
func (h *harness) callBytes(key, method, path string, body []byte, hdr map[string]string) answer {
	h.t.Helper()
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, h.gw.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// regionalRecords returns every live record of the store of jurisdiction
// jur, decrypted, each as its JSON text.
func (h *harness) regionalRecords(jur string) []string {
	h.t.Helper()
	reg := h.face.stores[jur]
	if reg == nil {
		h.t.Fatalf("no store for %s", jur)
	}
	recs, err := reg.st.All(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		if !r.Deleted {
			out = append(out, string(mustJSON(r.Fields)))
		}
	}
	return out
}

// storeFiles returns the raw bytes of every regional store file on disk.
func (h *harness) storeFiles() map[string][]byte {
	h.t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(h.dir, "crm"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.Base(p)] = b
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// auditRecords syncs the audit log and returns every record in it.
func (h *harness) auditRecords() []audit.Record {
	h.t.Helper()
	if err := h.audit.Sync(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	var out []audit.Record
	if err := audit.ReadRecords(h.audit.Dir(), func(e audit.Entry) error {
		out = append(out, e.Record)
		return nil
	}, nil); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// flush delivers the outbox until no row is waiting (retries come due
// after the test config's short backoff), or fails after five seconds.
func (h *harness) flush() {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := h.face.Flush(context.Background()); err != nil {
			h.t.Fatal(err)
		}
		waiting := 0
		for _, reg := range h.face.storeList {
			st, err := reg.st.OutboxStats(context.Background())
			if err != nil {
				h.t.Fatal(err)
			}
			waiting += st.Pending + st.Inflight
		}
		if waiting == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d outbox rows still waiting after 5s", waiting)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func extractID(b []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(b, &v)
	return v.ID
}
