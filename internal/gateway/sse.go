package gateway

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
)

// restoreStream relays an upstream SSE stream to the caller event by event.
// For every chunk it restores placeholders in each choice's delta.content
// (and tool-call arguments) with one StreamRestorer per choice, which holds
// back only the tail that may still become a placeholder; it flushes that
// tail with the choice's finish_reason. Output findings are redacted when
// the policy blocks them (guard.go) and counted for the record. The record
// is appended before [DONE] is relayed: if it cannot be, the caller gets an
// error event and no [DONE] (exchange.fail).
func (x *exchange) restoreStream() *apiError {
	resp := x.up.resp
	defer resp.Body.Close()
	h := x.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	x.wrote = true
	x.w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(x.w)
	_ = rc.Flush()
	return x.relay(resp.Body, x.w, func() { _ = rc.Flush() })
}

// relay copies the SSE stream src to dst event by event, restoring and
// guarding each chunk, and flushes after each event.
func (x *exchange) relay(src io.Reader, dst io.Writer, flush func()) *apiError {
	st := &stream{x: x}
	br := bufio.NewReaderSize(src, 16<<10)
	maxLine := int(min(x.s.cfg.Limits.MaxResponseBytes, 16<<20))
	var out []byte
	for {
		line, err := readLine(br, maxLine)
		if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
			if errors.Is(err, io.EOF) {
				break // upstream ended without [DONE]: still flush and record
			}
			if e := x.canceled(); e != nil {
				return e
			}
			e := newError(http.StatusBadGateway, codeUpstreamFailed, "the upstream stream broke off")
			e.Cause = err
			return e
		}
		var done bool
		var e *apiError
		out, done, e = st.line(out, line)
		if e != nil {
			return e
		}
		if len(line) == 0 || done { // end of an event: send it now
			if _, err := dst.Write(out); err != nil {
				return newError(499, codeCanceled, "the client closed the request")
			}
			// Flush unless the next event has already arrived: events that
			// come together leave together, with one write and one wake-up.
			if done || br.Buffered() == 0 {
				flush()
			}
			out = out[:0]
		}
		if done {
			return nil
		}
	}
	out, e := st.flushAll(out)
	if e != nil {
		return e
	}
	if e := st.end(); e != nil {
		return e
	}
	_, _ = dst.Write(out)
	flush()
	return nil
}

// readLine returns the next line without its line ending.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		buf := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(buf) > max {
				return nil, errors.New("stream line too long")
			}
			line, err = br.ReadSlice('\n')
			buf = append(buf, line...)
		}
		line = buf
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, err
}

// stream is the state of one relayed stream.
type stream struct {
	x       *exchange
	choices []*choiceState // by index
	meta    chunkMeta      // of the last chunk, for synthetic chunks
}

type chunkMeta struct {
	ID      json.RawMessage `json:"id,omitempty"`
	Object  json.RawMessage `json:"object,omitempty"`
	Created json.RawMessage `json:"created,omitempty"`
	Model   json.RawMessage `json:"model,omitempty"`
}

// line handles one SSE line, appending what to send to out.
func (s *stream) line(out, line []byte) ([]byte, bool, *apiError) {
	payload, ok := bytes.CutPrefix(line, []byte("data:"))
	if !ok {
		return append(append(out, line...), '\n'), false, nil
	}
	payload = bytes.TrimPrefix(payload, []byte(" "))
	if string(payload) == "[DONE]" {
		out, e := s.flushAll(out)
		if e != nil {
			return out, true, e
		}
		if e := s.end(); e != nil {
			return out, true, e
		}
		return append(out, "data: [DONE]\n\n"...), true, nil
	}
	chunk, e := s.chunk(payload)
	if e != nil {
		return out, false, e
	}
	out = append(out, "data: "...)
	out = append(out, chunk...)
	return append(out, '\n'), false, nil
}

// end classifies what the model said and records the request; a failed
// append fails the stream before [DONE].
func (s *stream) end() *apiError {
	x := s.x
	for _, c := range s.choices {
		if c != nil && len(c.seen) > 0 {
			x.noteOutput(x.s.classify.Text(c.seen, nil))
		}
	}
	if err := x.commit(); err != nil {
		return errAuditUnavailable(err)
	}
	return nil
}

func (s *stream) choice(i int) *choiceState {
	if i < 0 || i > 127 {
		return nil
	}
	for len(s.choices) <= i {
		s.choices = append(s.choices, nil)
	}
	if s.choices[i] == nil {
		s.choices[i] = newChoiceState(s.x)
	}
	return s.choices[i]
}

func errInvalidEvent() *apiError {
	return newError(http.StatusBadGateway, codeUpstreamInvalid, "the upstream sent a stream event that is not a valid chunk")
}

// chunkView is what the relay reads of a chunk, in one typed decode.
type chunkView struct {
	chunkMeta
	Choices []struct {
		Index        *int            `json:"index"`
		Delta        deltaView       `json:"delta"`
		FinishReason json.RawMessage `json:"finish_reason"`
	} `json:"choices"`
}

type deltaView struct {
	Content   *string         `json:"content"`
	ToolCalls json.RawMessage `json:"tool_calls"`
}

// chunk restores and guards one chat.completion.chunk. A chunk whose text
// comes out as it went in is relayed byte for byte; one that changes is
// re-encoded. Chunks with tool calls take the general path (chunkTools).
func (s *stream) chunk(payload []byte) ([]byte, *apiError) {
	var cv chunkView
	if err := json.Unmarshal(payload, &cv); err != nil {
		return nil, errInvalidEvent()
	}
	s.meta = cv.chunkMeta
	for _, ch := range cv.Choices {
		if ch.Index == nil {
			return nil, errInvalidEvent()
		}
		if len(ch.Delta.ToolCalls) > 0 && string(ch.Delta.ToolCalls) != "null" {
			return s.chunkTools(payload)
		}
		if cs := s.choice(*ch.Index); cs != nil && len(cs.tools) > 0 {
			return s.chunkTools(payload) // held tool arguments to flush
		}
	}
	var changed map[int]string // choice position → new content
	for i, ch := range cv.Choices {
		cs := s.choice(*ch.Index)
		if cs == nil {
			return nil, errInvalidEvent()
		}
		finished := len(ch.FinishReason) > 0 && string(ch.FinishReason) != "null"
		text, out := "", ""
		if d := ch.Delta; d.Content != nil {
			text = *d.Content
			if len(cs.seen) < seenLimit {
				cs.seen = append(cs.seen, text[:min(len(text), seenLimit-len(cs.seen))]...)
			}
			var err error
			if out, err = cs.content.write(text); err != nil {
				return nil, asAPIError(err)
			}
		}
		if finished {
			tail, err := cs.content.flush()
			if err != nil {
				return nil, asAPIError(err)
			}
			out += tail
		}
		if out != text {
			if changed == nil {
				changed = map[int]string{}
			}
			changed[i] = out
		}
	}
	if changed == nil {
		return payload, nil
	}
	return rewriteContent(payload, changed)
}

// rewriteContent re-encodes a chunk with choices[i].delta.content replaced.
func rewriteContent(payload []byte, content map[int]string) ([]byte, *apiError) {
	var top map[string]json.RawMessage
	var choices []map[string]json.RawMessage
	if json.Unmarshal(payload, &top) != nil || json.Unmarshal(top["choices"], &choices) != nil {
		return nil, errInvalidEvent()
	}
	for i, text := range content {
		var d map[string]json.RawMessage
		if raw := choices[i]["delta"]; len(raw) > 0 && string(raw) != "null" {
			if json.Unmarshal(raw, &d) != nil {
				return nil, errInvalidEvent()
			}
		}
		if d == nil {
			d = map[string]json.RawMessage{}
		}
		var err error
		if d["content"], err = marshalNoEscape(text); err != nil {
			return nil, errInternal(err)
		}
		if choices[i]["delta"], err = marshalNoEscape(d); err != nil {
			return nil, errInternal(err)
		}
	}
	var err error
	if top["choices"], err = marshalNoEscape(choices); err != nil {
		return nil, errInternal(err)
	}
	out, err := marshalNoEscape(top)
	if err != nil {
		return nil, errInternal(err)
	}
	return out, nil
}

// chunkTools rewrites a chunk that carries tool calls, field by field.
func (s *stream) chunkTools(payload []byte) ([]byte, *apiError) {
	invalid := errInvalidEvent
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		return nil, invalid()
	}
	s.meta = chunkMeta{ID: top["id"], Object: top["object"], Created: top["created"], Model: top["model"]}
	raw, ok := top["choices"]
	if !ok || string(raw) == "null" {
		return payload, nil
	}
	var choices []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &choices); err != nil {
		return nil, invalid()
	}
	changed := false
	for _, ch := range choices {
		var idx int
		if err := json.Unmarshal(ch["index"], &idx); err != nil {
			return nil, invalid()
		}
		cs := s.choice(idx)
		if cs == nil {
			return nil, invalid()
		}
		finished := len(ch["finish_reason"]) > 0 && string(ch["finish_reason"]) != "null"
		d, err := cs.delta(ch["delta"], finished)
		var ae *apiError
		if errors.As(err, &ae) {
			return nil, ae // the output policy failed: not the upstream's fault
		}
		if err != nil {
			return nil, invalid()
		}
		if d != nil {
			ch["delta"] = d
			changed = true
		}
	}
	if !changed {
		return payload, nil
	}
	b, err := marshalNoEscape(choices)
	if err != nil {
		return nil, errInternal(err)
	}
	top["choices"] = b
	out, err := marshalNoEscape(top)
	if err != nil {
		return nil, errInternal(err)
	}
	return out, nil
}

// flushAll emits, as one synthetic chunk per choice, whatever is still held
// back when a stream ends without finish_reason.
func (s *stream) flushAll(out []byte) ([]byte, *apiError) {
	for i, c := range s.choices {
		if c == nil {
			continue
		}
		content, tools, err := c.flush()
		if err != nil {
			return out, asAPIError(err)
		}
		if content == "" && len(tools) == 0 {
			continue
		}
		d := map[string]any{}
		if content != "" {
			d["content"] = content
		}
		if len(tools) > 0 {
			d["tool_calls"] = tools
		}
		ch := map[string]any{"index": i, "delta": d, "finish_reason": nil}
		b, err := marshalNoEscape(struct {
			chunkMeta
			Choices []any `json:"choices"`
		}{s.meta, []any{ch}})
		if err != nil {
			continue
		}
		out = append(out, "data: "...)
		out = append(out, b...)
		out = append(out, "\n\n"...)
	}
	return out, nil
}

// asAPIError keeps an *apiError (the output policy failing) and turns any
// other error into an internal one.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return errInternal(err)
}

// marshalNoEscape encodes v without HTML escaping, so restored text keeps
// its '<', '>' and '&' as the model wrote them.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// sortedToolIndexes returns the keys of m in order.
func sortedToolIndexes[V any](m map[int]V) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
