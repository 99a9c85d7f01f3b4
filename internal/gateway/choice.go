package gateway

import (
	"encoding/json"
	"errors"

	"github.com/sovereign-gateway/sovereign/internal/transform"
)

// seenLimit bounds how much of each choice's text is kept to classify the
// model's output for the record.
const seenLimit = 64 << 10

// choiceState restores and guards one choice of a stream.
type choiceState struct {
	x       *exchange
	content textPipe
	tools   map[int]*textPipe // by tool call index
	seen    []byte            // pre-restore content, up to seenLimit
}

// textPipe is one stream of text: the output guard, then the restorer.
type textPipe struct {
	guard    guard
	restorer *transform.StreamRestorer // nil when nothing was pseudonymized
}

func newChoiceState(x *exchange) *choiceState {
	return &choiceState{x: x, content: newTextPipe(x, false)}
}

// newTextPipe restores decoded text, or, for tool call arguments (JSON
// text), writes the originals JSON-escaped so the arguments stay valid.
func newTextPipe(x *exchange, arguments bool) textPipe {
	p := textPipe{guard: guard{x: x}}
	if x.vault != nil && x.vault.Len() > 0 {
		if arguments {
			p.restorer = x.vault.NewEscapedStreamRestorer()
		} else {
			p.restorer = x.vault.NewStreamRestorer()
		}
	}
	return p
}

func (p *textPipe) write(text string) (string, error) {
	g, err := p.guard.apply([]byte(text))
	if err != nil {
		return "", err
	}
	if p.restorer == nil {
		return string(g), nil
	}
	return string(p.restorer.Write(nil, g)), nil
}

// flush returns what the guard and the restorer still hold.
func (p *textPipe) flush() (string, error) {
	g, err := p.guard.flush()
	if err != nil {
		return "", err
	}
	if p.restorer == nil {
		return string(g), nil
	}
	return string(p.restorer.Flush(p.restorer.Write(nil, g))), nil
}

type toolDelta struct {
	Index    int `json:"index"`
	Function struct {
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// delta rewrites one choice delta; nil means unchanged.
func (c *choiceState) delta(raw json.RawMessage, finished bool) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if !finished {
			return nil, nil
		}
		raw = json.RawMessage(`{}`)
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	changed := false
	if cr, ok := d["content"]; ok && string(cr) != "null" {
		var text string
		if err := json.Unmarshal(cr, &text); err != nil {
			return nil, err
		}
		if len(c.seen) < seenLimit {
			c.seen = append(c.seen, text[:min(len(text), seenLimit-len(c.seen))]...)
		}
		out, err := c.content.write(text)
		if err != nil {
			return nil, err
		}
		if finished {
			tail, err := c.content.flush()
			if err != nil {
				return nil, err
			}
			out += tail
		}
		if out != text {
			if d["content"], err = marshalNoEscape(out); err != nil {
				return nil, err
			}
			changed = true
		}
	} else if finished {
		tail, err := c.content.flush()
		if err != nil {
			return nil, err
		}
		if tail != "" {
			d["content"], _ = marshalNoEscape(tail)
			changed = true
		}
	}
	if tr, ok := d["tool_calls"]; ok && string(tr) != "null" {
		var calls []map[string]json.RawMessage
		if err := json.Unmarshal(tr, &calls); err != nil {
			return nil, err
		}
		toolsChanged := false
		for _, call := range calls {
			ch, err := c.toolCall(call)
			if err != nil {
				return nil, err
			}
			toolsChanged = toolsChanged || ch
		}
		if toolsChanged {
			var err error
			if d["tool_calls"], err = marshalNoEscape(calls); err != nil {
				return nil, err
			}
			changed = true
		}
	}
	if finished {
		tails, err := c.flushTools()
		if err != nil {
			return nil, err
		}
		if len(tails) > 0 {
			b, _ := marshalNoEscape(tails)
			d["tool_calls"] = b
			changed = true
		}
	}
	if !changed {
		return nil, nil
	}
	return marshalNoEscape(d)
}

// toolCall restores a streamed tool call's arguments fragment in place and
// reports whether it changed.
func (c *choiceState) toolCall(call map[string]json.RawMessage) (bool, error) {
	var idx int
	if err := json.Unmarshal(call["index"], &idx); err != nil {
		return false, err
	}
	if idx < 0 || idx > 127 {
		return false, errTooManyTools
	}
	fr, ok := call["function"]
	if !ok || string(fr) == "null" {
		return false, nil
	}
	var fn map[string]json.RawMessage
	if err := json.Unmarshal(fr, &fn); err != nil {
		return false, err
	}
	ar, ok := fn["arguments"]
	if !ok || string(ar) == "null" {
		return false, nil
	}
	var args string
	if err := json.Unmarshal(ar, &args); err != nil {
		return false, err
	}
	if c.tools == nil {
		c.tools = map[int]*textPipe{}
	}
	p, ok := c.tools[idx]
	if !ok {
		np := newTextPipe(c.x, true)
		p = &np
		c.tools[idx] = p
	}
	out, err := p.write(args)
	if err != nil || out == args {
		return false, err
	}
	if fn["arguments"], err = marshalNoEscape(out); err != nil {
		return false, err
	}
	call["function"], err = marshalNoEscape(fn)
	return true, err
}

var errTooManyTools = errors.New("tool call index out of range")

// flushTools returns tool call deltas carrying held-back argument tails.
func (c *choiceState) flushTools() ([]toolDelta, error) {
	var out []toolDelta
	for _, i := range sortedToolIndexes(c.tools) {
		tail, err := c.tools[i].flush()
		if err != nil {
			return nil, err
		}
		if tail != "" {
			td := toolDelta{Index: i}
			td.Function.Arguments = tail
			out = append(out, td)
		}
	}
	return out, nil
}

// flush returns everything still held back for this choice.
func (c *choiceState) flush() (string, []toolDelta, error) {
	content, err := c.content.flush()
	if err != nil {
		return "", nil, err
	}
	tools, err := c.flushTools()
	return content, tools, err
}
