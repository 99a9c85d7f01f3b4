package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/examples"
	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/llmtest"
)

// TestServeHelperProcess is the gateway process of the serve tests: the
// test binary re-runs itself with SOVEREIGN_SERVE_ARGS set.
func TestServeHelperProcess(t *testing.T) {
	args := os.Getenv("SOVEREIGN_SERVE_ARGS")
	if args == "" {
		t.Skip("helper process for the serve tests")
	}
	os.Exit(run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
}

// served is a running `sovereign serve` process.
type served struct {
	cmd  *exec.Cmd
	addr string // http://127.0.0.1:port
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

func (s *served) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// startServe runs serve in dir with args, and waits until it listens.
func startServe(t *testing.T, dir string, env []string, args ...string) *served {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), "SOVEREIGN_SERVE_ARGS="+strings.Join(append([]string{"serve"}, args...), "\x1f"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.logs.WriteString(line + "\n")
			s.mu.Unlock()
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "serving" {
				addr <- l.Addr
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	select {
	case s.addr = <-addr:
	case <-s.done:
		_ = cmd.Wait()
		t.Fatalf("serve exited before listening:\n%s", s.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen:\n%s", s.log())
	}
	return s
}

// stop sends SIGTERM and returns the exit code.
func (s *served) stop(t *testing.T) int {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-s.done
	err := s.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func do(t *testing.T, method, url, key string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeQuickstart: serve without a config starts on the embedded quick
// start with no upstream and no environment, answers what it can, refuses
// chat with a clear 503, and shuts down cleanly on SIGTERM with an intact
// audit log that recorded the requests.
func TestServeQuickstart(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, dir, []string{"SOVEREIGN_DEMO_KEY="}, "--listen", "127.0.0.1:0")
	keyFile := filepath.Join(dir, examples.QuickstartKeyFile)
	st, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("demo key file mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(keyFile)
	key := strings.TrimSpace(string(b))
	const chat = `{"model":"regional","messages":[{"role":"user","content":"Mail ann.canary@example.com"}]}`
	for _, c := range []struct {
		method, path, key, body string
		status                  int
		has                     string
	}{
		{"GET", "/healthz", "", "", 200, "ok"},
		{"GET", "/readyz", "", "", 503, "no healthy upstream"},
		{"GET", "/v1/models", key, "", 200, `"id":"regional"`},
		{"GET", "/v1/models", "wrong", "", 401, "invalid_api_key"},
		{"POST", "/v1/chat/completions", key, chat, 503, "no_healthy_upstream"},
		{"POST", "/v1/inspect", key, chat, 200, `"type":"email"`},
		{"GET", "/metrics", "", "", 200, "sovereign_requests_total"},
	} {
		status, body := do(t, c.method, s.addr+c.path, c.key, c.body)
		if status != c.status || !strings.Contains(body, c.has) {
			t.Errorf("%s %s: %d %s, want %d with %q", c.method, c.path, status, body, c.status, c.has)
		}
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM:\n%s", code, s.log())
	}
	logs := s.log()
	if strings.Contains(logs, key) || strings.Contains(logs, "canary") {
		t.Errorf("the log holds the key or request data:\n%s", logs)
	}
	res, err := audit.Verify(filepath.Join(dir, ".sovereign", "audit"), audit.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Intact() || res.Records != 2 {
		t.Fatalf("audit log after shutdown: %+v", res)
	}
}

// TestServeThreeRegions runs examples/three-regions.yaml against echo
// upstreams: a forwarded request, readiness, and a SIGTERM that lets a slow
// request in flight finish before the process exits.
func TestServeThreeRegions(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile("../../examples/three-regions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for port, region := range map[string]string{"18081": "eu", "18082": "uk", "18083": "us"} {
		u := llmtest.Start(llmtest.Options{Name: region, Delay: map[bool]time.Duration{true: 500 * time.Millisecond}[region == "us"]})
		t.Cleanup(u.Close)
		text = strings.ReplaceAll(text, "http://127.0.0.1:"+port+"/v1", u.URL())
	}
	if err := os.WriteFile(filepath.Join(dir, "three.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, dir, []string{"SOVEREIGN_DEMO_KEY=demo-key"}, "--config", "three.yaml", "--listen", "127.0.0.1:0")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if status, _ := do(t, "GET", s.addr+"/readyz", "", ""); status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	status, body := do(t, "POST", s.addr+"/v1/chat/completions", "demo-key",
		`{"model":"regional","messages":[{"role":"user","content":"hello from the eu"}]}`)
	if status != 200 || !strings.Contains(body, `"system_fingerprint":"eu"`) {
		t.Fatalf("chat: %d %s", status, body)
	}
	// A slow request (the us upstream waits 500ms) is in flight at SIGTERM.
	type result struct {
		status int
		body   string
	}
	slow := make(chan result, 1)
	go func() {
		st, b := do(t, "POST", s.addr+"/v1/chat/completions", "demo-key",
			`{"model":"us-frontier","messages":[{"role":"user","content":"hello from the us"}]}`)
		slow <- result{st, b}
	}()
	time.Sleep(200 * time.Millisecond)
	if code := s.stop(t); code != 0 {
		t.Fatalf("exit %d:\n%s", code, s.log())
	}
	r := <-slow
	if r.status != 200 || !strings.Contains(r.body, "hello from the us") {
		t.Fatalf("in-flight request: %d %s", r.status, r.body)
	}
}

// TestServeMountsCRM: with a salesforce section, serve mounts the CRM face
// at /services/data/ next to the LLM face, and closes it on shutdown.
func TestServeMountsCRM(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile("testdata/serve/salesforce.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sf.yaml"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	key32 := strings.Repeat("ab", 32)
	s := startServe(t, dir, []string{"SOVEREIGN_DEMO_KEY=demo-key", "SF_SECRET=sf-secret", "EU_STORE_KEY=" + key32, "SHOP_KEY=" + strings.Repeat("cd", 32)},
		"--config", "sf.yaml", "--listen", "127.0.0.1:0")
	if !strings.Contains(s.log(), `"faces":"llm,crm"`) {
		t.Errorf("serving line does not name the crm face:\n%s", s.log())
	}
	for _, c := range []struct {
		path, key string
		status    int
		has       string
	}{
		{"/services/data/", "", 200, `"label":"Sovereign"`},
		{"/services/data/v62.0/sobjects/Contact/003000000000001", "", 401, "INVALID_SESSION_ID"},
		{"/v1/models", "demo-key", 200, `"id":"regional"`},
	} {
		status, body := do(t, "GET", s.addr+c.path, c.key, "")
		if status != c.status || !strings.Contains(body, c.has) {
			t.Errorf("GET %s: %d %s, want %d with %q", c.path, status, body, c.status, c.has)
		}
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("exit %d:\n%s", code, s.log())
	}
	if _, err := os.Stat(filepath.Join(dir, ".sovereign", "crm")); err != nil {
		t.Errorf("no regional store was opened: %v", err)
	}
}
