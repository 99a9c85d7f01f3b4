package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ChatRequest is the part of a chat completion request the double reads.
type ChatRequest struct {
	Model    string    `json:"model"`
	Stream   bool      `json:"stream"`
	N        int       `json:"n"`
	Messages []Message `json:"messages"`
}

// Message is one chat message; Content is a string or an array of parts.
type Message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// Text returns the message's text: the string content, or its text parts joined.
func (m Message) Text() string {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(m.Content, &parts) != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// Echo replies with the last user message's text.
func Echo(r *ChatRequest) string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Text()
		}
	}
	return ""
}

// Fixed replies with s whatever the request.
func Fixed(s string) func(*ChatRequest) string { return func(*ChatRequest) string { return s } }

// ChunkBy splits a reply into deltas of n bytes (never inside a UTF-8 sequence).
func ChunkBy(n int) func(string) []string {
	return func(s string) []string {
		var out []string
		for len(s) > 0 {
			k := min(n, len(s))
			for k < len(s) && !utf8Start(s[k]) {
				k++
			}
			out = append(out, s[:k])
			s = s[k:]
		}
		return out
	}
}

// SplitAt splits a reply into two deltas at byte i, or at the next rune's
// start when i falls inside one (a delta is a JSON string: whole runes).
func SplitAt(i int) func(string) []string {
	return func(s string) []string {
		i := min(i, len(s))
		for i < len(s) && !utf8Start(s[i]) {
			i++
		}
		return []string{s[:i], s[i:]}
	}
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func (u *Upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body,
		ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding}
	u.mu.Lock()
	u.reqs = append(u.reqs, req)
	u.mu.Unlock()
	if u.opts.OnRequest != nil {
		u.opts.OnRequest(req)
	}

	switch Fault(u.fault.Load()) {
	case Unavailable:
		writeError(w, http.StatusServiceUnavailable, "upstream unavailable")
		return
	case Hangup:
		hangup(w)
		return
	case RejectEcho:
		if r.Method == http.MethodPost {
			writeError(w, http.StatusBadRequest, "invalid request: "+string(body))
			return
		}
	}
	if r.Method == http.MethodPost && u.failNext.Add(-1) >= 0 {
		writeError(w, http.StatusInternalServerError, "injected failure")
		return
	}
	if u.opts.Delay > 0 && r.Method == http.MethodPost {
		select {
		case <-time.After(u.opts.Delay):
		case <-r.Context().Done():
			return
		}
	}

	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
		u.models(w)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
		u.chat(w, r, body)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/embeddings":
		u.embeddings(w, body)
	default:
		writeError(w, http.StatusNotFound, "no such route")
	}
}

func hangup(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(msg)
	fmt.Fprintf(w, `{"error":{"message":%s,"type":"server_error","code":"llmtest_error"}}`, b)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	_, _ = w.Write(b)
}

func (u *Upstream) models(w http.ResponseWriter) {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, m := range u.opts.Models {
		list.Data = append(list.Data, model{ID: m, Object: "model", Created: 1700000000, OwnedBy: u.opts.Name})
	}
	writeJSON(w, list)
}
