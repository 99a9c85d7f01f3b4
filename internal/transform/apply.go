package transform

import (
	"errors"
	"fmt"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// Errors from Apply. Their messages name the finding by index and type,
// never by value.
var (
	// ErrBlocked: a finding's action is Block; the gateway must answer 403
	// before transforming.
	ErrBlocked = errors.New("transform: blocked finding reached transform")
	// ErrFindings: findings and actions do not fit the body (counts differ,
	// spans out of range, unsorted or overlapping) or an action is unknown.
	ErrFindings = errors.New("transform: findings do not fit the body")
)

// Apply builds a new body from body with each finding transformed by its
// action: Pseudonymize writes a placeholder such as <EMAIL_1> (the same
// value gets the same placeholder within the vault), Redact writes [EMAIL],
// Allow keeps the bytes. body is never modified. findings must be sorted and
// non-overlapping, actions[i] is the action for findings[i]; v may be nil
// when no action is Pseudonymize.
//
// A finding with a JSON Path covers the raw (escaped) bytes of a JSON
// string; the vault keeps those bytes and their decoded value, and the
// ASCII placeholder keeps the document valid.
func Apply(body []byte, findings []classify.Finding, actions []policy.Action, v *Vault) ([]byte, error) {
	if len(findings) != len(actions) {
		return nil, fmt.Errorf("%w: %d findings but %d actions", ErrFindings, len(findings), len(actions))
	}
	if len(findings) == 0 {
		return append([]byte(nil), body...), nil
	}
	out := make([]byte, 0, len(body)+len(findings)*8)
	prev := 0
	for i, f := range findings {
		if f.Start < prev || f.End <= f.Start || f.End > len(body) {
			return nil, fmt.Errorf("%w: finding %d (%s) spans %d-%d after offset %d in a %d-byte body",
				ErrFindings, i, f.Type, f.Start, f.End, prev, len(body))
		}
		out = append(out, body[prev:f.Start]...)
		raw := body[f.Start:f.End]
		switch actions[i] {
		case policy.Allow:
			out = append(out, raw...)
		case policy.Redact:
			out = append(out, '[')
			if v != nil {
				out = append(out, v.label(f.Type)...)
			} else {
				out = append(out, typeLabel(f.Type)...)
			}
			out = append(out, ']')
		case policy.Pseudonymize:
			if v == nil {
				return nil, fmt.Errorf("%w: finding %d (%s) needs a vault to pseudonymize", ErrFindings, i, f.Type)
			}
			text := string(raw)
			if f.Path != "" {
				var err error
				if text, err = decodeJSONContent(raw); err != nil {
					return nil, fmt.Errorf("%w: finding %d (%s) at %s: %w", ErrFindings, i, f.Type, f.LogPath(), err)
				}
			}
			out = append(out, v.placeholder(f.Type, raw, text, f.Path != "", body)...)
		case policy.Block:
			return nil, fmt.Errorf("%w: finding %d (%s)", ErrBlocked, i, f.Type)
		default:
			return nil, fmt.Errorf("%w: finding %d (%s) has unknown action %d", ErrFindings, i, f.Type, uint8(actions[i]))
		}
		prev = f.End
	}
	return append(out, body[prev:]...), nil
}
