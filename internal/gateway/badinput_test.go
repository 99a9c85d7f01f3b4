package gateway

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

type badCase struct {
	Name       string            `yaml:"name"`
	Path       string            `yaml:"path"`
	Method     string            `yaml:"method"`
	Headers    map[string]string `yaml:"headers"`
	Body       string            `yaml:"body"`
	BodyBase64 string            `yaml:"body_base64"`
	Gzip       bool              `yaml:"gzip"`
	Size       int               `yaml:"size"`
	Chunked    bool              `yaml:"chunked"`
	Config     []struct {
		Old string `yaml:"old"`
		New string `yaml:"new"`
	} `yaml:"config"`
	Status int    `yaml:"status"`
	Code   string `yaml:"code"`
}

func (c *badCase) body(t *testing.T) []byte {
	t.Helper()
	b := []byte(c.Body)
	if c.BodyBase64 != "" {
		var err error
		if b, err = base64.StdEncoding.DecodeString(c.BodyBase64); err != nil {
			t.Fatal(err)
		}
	}
	if c.Size > 0 {
		b = bytes.Replace(b, []byte("PAD"), bytes.Repeat([]byte("a"), c.Size), 1)
	}
	if c.Gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		b = buf.Bytes()
	}
	return b
}

// TestBadInput sends each request of testdata/bad_requests.yaml and checks
// the error: status, code, OpenAI shape, request id, no echo, no upstream.
func TestBadInput(t *testing.T) {
	raw, err := os.ReadFile("testdata/bad_requests.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []badCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	shared := newHarness(t, harnessOptions{})
	for _, tc := range doc.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			h := shared
			if len(tc.Config) > 0 {
				h = newHarness(t, harnessOptions{yaml: func(s string) string {
					for _, r := range tc.Config {
						if !strings.Contains(s, r.Old) {
							t.Fatalf("config has no %q", r.Old)
						}
						s = strings.Replace(s, r.Old, r.New, 1)
					}
					return s
				}})
			}
			before := h.calls()
			method, path := tc.Method, tc.Path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/v1/chat/completions"
			}
			body := tc.body(t)
			var rd io.Reader = bytes.NewReader(body)
			if tc.Chunked {
				rd = io.MultiReader(rd) // hides the length: sent chunked
			}
			req, err := http.NewRequest(method, strings.TrimSuffix(h.base, "/v1")+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testKey)
			req.Header.Set("Sovereign-Jurisdiction", "EU")
			for k, v := range tc.Headers {
				if v == "" {
					req.Header.Del(k)
				} else {
					req.Header.Set(k, v)
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			checkErrorBody(t, resp, got, tc.Status, tc.Code)
			if after := h.calls(); !mapsEqual(before, after) {
				t.Errorf("upstream calls went from %v to %v", before, after)
			}
		})
	}
}

// checkErrorBody checks an OpenAI-shaped error with the request id and no
// canary value in it.
func checkErrorBody(t *testing.T, resp *http.Response, got []byte, status int, code string) {
	t.Helper()
	var eb struct {
		Error struct {
			Message   string  `json:"message"`
			Type      string  `json:"type"`
			Param     *string `json:"param"`
			Code      string  `json:"code"`
			RequestID string  `json:"request_id"`
		} `json:"error"`
	}
	if err := json.Unmarshal(got, &eb); err != nil {
		t.Fatalf("status %d, body %q is not an error object: %v", resp.StatusCode, got, err)
	}
	if resp.StatusCode != status || eb.Error.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, eb.Error.Code, eb.Error.Message, status, code)
	}
	if eb.Error.Message == "" || eb.Error.Type == "" {
		t.Errorf("error without message or type: %s", got)
	}
	if id := resp.Header.Get("X-Request-Id"); id == "" || eb.Error.RequestID != id {
		t.Errorf("request id %q in body, %q in header", eb.Error.RequestID, id)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	if bytes.Contains(got, []byte("canary")) {
		t.Errorf("error echoes request data: %s", got)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestSlowClient is refused once the read timeout passes, and what it sent
// goes nowhere.
func TestSlowClient(t *testing.T) {
	h := newHarness(t, harnessOptions{yaml: func(s string) string {
		return strings.Replace(s, "version: 1\n", "version: 1\ntimeouts: {read_header: 300ms, read: 500ms}\n", 1)
	}})
	addr := strings.TrimPrefix(strings.TrimSuffix(h.base, "/v1"), "http://")
	for _, tc := range []struct {
		name string
		send string // then the client stalls
	}{
		{"stalls in the headers", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"},
		{"stalls in the body", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
			"Authorization: Bearer " + testKey + "\r\nContent-Length: 200\r\n\r\n{\"model\": \"regional\", \"messages\": [{\"content\": \"ann.canary@"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write([]byte(tc.send)); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				// The body was cut by the read timeout: a 408 that says so.
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				checkErrorBody(t, resp, got, http.StatusRequestTimeout, "request_timeout")
			} else if !strings.Contains(tc.name, "headers") {
				t.Fatalf("no answer: %v", err)
			}
			// A client stalling in its headers gets the connection closed.
			if n := h.calls(); n["eu"]+n["uk"]+n["us"] != 0 {
				t.Fatalf("upstreams received %v", n)
			}
		})
	}
}
