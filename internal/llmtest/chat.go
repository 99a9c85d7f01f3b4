package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type chatMessage struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
}

type toolCall struct {
	Index    *int         `json:"index,omitempty"` // streamed deltas only
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function toolFunction `json:"function"`
}

type toolFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// toolArguments encodes {"text": reply} the way models write JSON: without
// escaping '<', '>' or '&'.
func toolArguments(reply string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]string{"text": reply})
	return strings.TrimSuffix(b.String(), "\n")
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	FinishReason string      `json:"finish_reason"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type chatCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint"`
	Choices           []chatChoice `json:"choices"`
	Usage             usage        `json:"usage"`
}

type delta struct {
	Role      string     `json:"role,omitempty"`
	Content   *string    `json:"content,omitempty"`
	ToolCalls []toolCall `json:"tool_calls,omitempty"`
}

type chunkChoice struct {
	Index        int     `json:"index"`
	Delta        delta   `json:"delta"`
	FinishReason *string `json:"finish_reason"`
}

type chatChunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint"`
	Choices           []chunkChoice `json:"choices"`
}

func (u *Upstream) chat(w http.ResponseWriter, r *http.Request, body []byte) {
	var req ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON")
		return
	}
	n := max(req.N, 1)
	text := u.opts.Reply(&req)
	tokens := len(body) / 4
	if !req.Stream {
		c := chatCompletion{
			ID: "chatcmpl-llmtest", Object: "chat.completion", Created: 1700000000, Model: req.Model,
			SystemFingerprint: u.opts.Name,
			Usage:             usage{PromptTokens: tokens, CompletionTokens: len(text) / 4, TotalTokens: tokens + len(text)/4},
		}
		for i := range n {
			ch := chatChoice{Index: i, Message: chatMessage{Role: "assistant", Content: &text}, FinishReason: "stop"}
			if u.opts.ToolCall {
				ch.Message.Content = nil
				ch.Message.ToolCalls = []toolCall{{ID: "call_llmtest", Type: "function",
					Function: toolFunction{Name: "reply", Arguments: toolArguments(text)}}}
				ch.FinishReason = "tool_calls"
			}
			c.Choices = append(c.Choices, ch)
		}
		writeJSON(w, c)
		return
	}

	completed := false
	defer func() {
		if !completed && r.Context().Err() != nil {
			u.canceled.Add(1)
		}
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(choices ...chunkChoice) bool {
		b, _ := json.Marshal(chatChunk{ID: "chatcmpl-llmtest", Object: "chat.completion.chunk", Created: 1700000000,
			Model: req.Model, SystemFingerprint: u.opts.Name, Choices: choices})
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		if flusher != nil {
			flusher.Flush()
		}
		return r.Context().Err() == nil
	}
	empty := ""
	zero := 0
	for i := range n {
		d := delta{Role: "assistant", Content: &empty}
		if u.opts.ToolCall {
			d = delta{Role: "assistant", ToolCalls: []toolCall{{Index: &zero, ID: "call_llmtest", Type: "function",
				Function: toolFunction{Name: "reply"}}}}
		}
		if !send(chunkChoice{Index: i, Delta: d}) {
			return
		}
	}
	streamed := text
	if u.opts.ToolCall {
		streamed = toolArguments(text)
	}
	// Choices interleave, as real servers do with n > 1.
	for k, part := range u.opts.Chunks(streamed) {
		if k > 0 && u.opts.Interval > 0 {
			select {
			case <-time.After(u.opts.Interval):
			case <-r.Context().Done():
				return
			}
		}
		for i := range n {
			d := delta{Content: &part}
			if u.opts.ToolCall {
				d = delta{ToolCalls: []toolCall{{Index: &zero, Function: toolFunction{Arguments: part}}}}
			}
			if !send(chunkChoice{Index: i, Delta: d}) {
				return
			}
		}
	}
	stop := "stop"
	if u.opts.ToolCall {
		stop = "tool_calls"
	}
	for i := range n {
		if !send(chunkChoice{Index: i, Delta: delta{}, FinishReason: &stop}) {
			return
		}
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
	completed = true
}
