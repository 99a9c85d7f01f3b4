package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
	"github.com/sovereign-gateway/sovereign/internal/transform"
)

// restore: on the way back, classify what the model said, redact what the
// policy would block toward the chosen destination, and put the original
// values back for the caller. A whole answer is held until the record is
// appended (finish); a stream is restored chunk by chunk (sse.go).
func (x *exchange) restore() *apiError {
	x.outcome = outcomeForwarded
	h := x.w.Header()
	h.Set("Sovereign-Destination", x.chosen.view.Name)
	h.Set("Sovereign-Action", x.chosen.decision.Action.String())
	if x.up.body == nil {
		return x.restoreStream()
	}
	body := x.up.body
	if x.op == opChat {
		var e *apiError
		if body, e = x.guardJSON(body); e != nil {
			return e
		}
		if x.vault != nil {
			body = restoreChat(x.vault, body)
		}
	}
	x.pending, x.pendingType = body, "application/json"
	return nil
}

// guardJSON classifies an upstream's JSON answer before restoring it, so
// that findings are what the model added (placeholders are not findings),
// and redacts those the policy blocks toward the chosen destination
// (credentials, by the default and usual rules).
func (x *exchange) guardJSON(body []byte) ([]byte, *apiError) {
	fs, err := x.s.classify.JSON(body, nil)
	if err != nil {
		return nil, newError(http.StatusBadGateway, codeUpstreamInvalid, "the upstream's answer is not valid JSON")
	}
	x.noteOutput(fs)
	if len(fs) == 0 {
		return body, nil
	}
	actions, e := x.outputActions(fs)
	if e != nil {
		return nil, e
	}
	if !needsTransform(actions) {
		return body, nil
	}
	out, err := transform.Apply(body, fs, actions, nil)
	if err != nil {
		return nil, errInternal(err)
	}
	return out, nil
}

// outputActions maps the policy's decision on output findings to what the
// caller gets: Block becomes Redact (the answer already exists; its blocked
// parts are cut out), everything else passes.
func (x *exchange) outputActions(fs []classify.Finding) ([]policy.Action, *apiError) {
	c := x.caller
	dec, err := x.s.policy.Decide(&policy.Input{
		Tenant: c.Tenant, Purpose: c.Purpose, Face: "llm", SubjectJurisdiction: c.Jurisdiction,
		Destination: x.chosen.view, Findings: fs,
	})
	if err != nil {
		e := newError(http.StatusInternalServerError, "policy_error", "the policy could not decide on the upstream's answer")
		e.Cause = err
		return nil, e
	}
	actions := make([]policy.Action, len(fs))
	for i, a := range dec.PerFinding {
		if a == policy.Block {
			actions[i] = policy.Redact
		}
	}
	return actions, nil
}

func (x *exchange) noteOutput(fs []classify.Finding) {
	x.outFindings = append(x.outFindings, fs...)
	for _, f := range fs {
		x.s.metrics.findings.add(1, string(f.Type), string(f.Class), "response")
	}
}

// restoreChat restores a chat completion answer. Tool call arguments are
// JSON text inside a JSON string: they are restored as documents of their
// own first, so that an original holding a quote or a newline keeps them
// valid; then the rest of the answer.
func restoreChat(v *transform.Vault, body []byte) []byte {
	if bytes.Contains(body, []byte(`"arguments"`)) {
		if b, err := restoreArguments(v, body); err == nil {
			body = b
		}
	}
	return v.RestoreJSON(make([]byte, 0, len(body)+64), body)
}

// restoreArguments rewrites choices[].message.tool_calls[].function.arguments
// (and the legacy function_call.arguments) with their placeholders restored.
func restoreArguments(v *transform.Vault, body []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, err
	}
	var choices []map[string]json.RawMessage
	if err := json.Unmarshal(top["choices"], &choices); err != nil {
		return nil, err
	}
	for _, ch := range choices {
		var msg map[string]json.RawMessage
		if err := json.Unmarshal(ch["message"], &msg); err != nil {
			return nil, err
		}
		var calls []map[string]json.RawMessage
		if raw, ok := msg["tool_calls"]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &calls); err != nil {
				return nil, err
			}
			for _, call := range calls {
				if err := restoreFunction(v, call); err != nil {
					return nil, err
				}
			}
			var err error
			if msg["tool_calls"], err = marshalNoEscape(calls); err != nil {
				return nil, err
			}
		}
		if raw, ok := msg["function_call"]; ok && string(raw) != "null" {
			if err := restoreFunction(v, msg); err != nil {
				return nil, err
			}
		}
		var err error
		if ch["message"], err = marshalNoEscape(msg); err != nil {
			return nil, err
		}
	}
	var err error
	if top["choices"], err = marshalNoEscape(choices); err != nil {
		return nil, err
	}
	return marshalNoEscape(top)
}

// restoreFunction restores holder["function"].arguments (a tool call) or
// holder["function_call"].arguments (the legacy field) in place.
func restoreFunction(v *transform.Vault, holder map[string]json.RawMessage) error {
	key := "function"
	if _, ok := holder[key]; !ok {
		key = "function_call"
	}
	var fn map[string]json.RawMessage
	if err := json.Unmarshal(holder[key], &fn); err != nil {
		return err
	}
	var args string
	if raw, ok := fn["arguments"]; !ok || json.Unmarshal(raw, &args) != nil {
		return nil
	}
	restored := v.RestoreJSON(nil, []byte(args))
	var err error
	if fn["arguments"], err = marshalNoEscape(string(restored)); err != nil {
		return err
	}
	holder[key], err = marshalNoEscape(fn)
	return err
}
