package gateway

import (
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// guardWindow is how much earlier output a guard rescans with each new
// fragment, so that a finding split across fragments is still seen.
const guardWindow = 256

// guard redacts, in one streamed text, what the model adds that the policy
// blocks toward the chosen destination (a credential, say). It sees each
// fragment together with the last guardWindow bytes before it; a finding
// that reaches into the new fragment is cut out of it. What it guarantees:
// a blocked finding that arrives whole in one fragment never reaches the
// caller; one split across fragments is cut from the first fragment in
// which the classifier recognizes it, so a prefix too short to recognize
// may already have been sent.
type guard struct {
	x    *exchange
	tail []byte
}

func (g *guard) apply(frag []byte) ([]byte, error) {
	if len(frag) == 0 {
		return frag, nil
	}
	win := make([]byte, 0, len(g.tail)+len(frag))
	win = append(append(win, g.tail...), frag...)
	off := len(g.tail)
	g.tail = append(g.tail[:0], win[max(0, len(win)-guardWindow):]...)

	fs := g.x.s.classify.Text(win, nil)
	n := 0
	for _, f := range fs {
		if f.End > off { // reaches into the new fragment
			fs[n] = f
			n++
		}
	}
	fs = fs[:n]
	if len(fs) == 0 {
		return frag, nil
	}
	actions, e := g.x.outputActions(fs)
	if e != nil {
		return nil, e
	}
	var out []byte
	prev := 0 // in frag
	for i, f := range fs {
		if actions[i] != policy.Redact {
			continue
		}
		start, end := f.Start-off, f.End-off
		if start >= prev {
			out = append(out, frag[prev:start]...)
			out = append(out, '[')
			out = append(out, strings.ToUpper(string(f.Type))...)
			out = append(out, ']')
		}
		prev = max(prev, end)
	}
	if out == nil && prev == 0 {
		return frag, nil
	}
	return append(out, frag[prev:]...), nil
}
