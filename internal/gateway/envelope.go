package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// envelope is what the gateway itself reads of a request body: the fields
// that decide where it goes and how the answer comes back. Everything else
// passes through untouched (and is classified like the rest).
type envelope struct {
	Model    string
	Stream   bool
	Messages json.RawMessage // chat: a JSON array
	Input    json.RawMessage // embeddings: a string or an array
}

// Top-level request fields of the OpenAI API, per operation. A field outside
// these is "unknown": passed through (and classified) by default, refused
// when server.unknown_fields is reject.
var (
	chatFields = fieldSet("model", "messages", "stream", "stream_options", "audio", "frequency_penalty",
		"function_call", "functions", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens",
		"metadata", "modalities", "n", "parallel_tool_calls", "prediction", "presence_penalty",
		"prompt_cache_key", "reasoning_effort", "response_format", "safety_identifier", "seed",
		"service_tier", "stop", "store", "temperature", "tool_choice", "tools", "top_logprobs", "top_p",
		"user", "verbosity", "web_search_options")
	embeddingFields = fieldSet("model", "input", "encoding_format", "dimensions", "user")
)

func fieldSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func knownFields(op operation) map[string]bool {
	if op == opEmbeddings {
		return embeddingFields
	}
	return chatFields
}

// parseEnvelope checks the top level of a request body and reads the
// envelope. It refuses, with a message that never quotes the body: invalid
// UTF-8, anything but one JSON object, a duplicate field (two "model"s could
// route one way and be read upstream another), a field spelt in another case
// than the API's, a known field of the wrong type, a missing required field
// and, when rejectUnknown, a field the API does not define.
func parseEnvelope(body []byte, op operation, rejectUnknown bool) (envelope, *apiError) {
	var env envelope
	if !utf8.Valid(body) {
		return env, newError(http.StatusBadRequest, "invalid_utf8", "request body is not valid UTF-8")
	}
	invalid := newError(http.StatusBadRequest, "invalid_json", "request body is not valid JSON")
	dec := json.NewDecoder(bytes.NewReader(body))
	t, err := dec.Token()
	if err != nil {
		return env, invalid
	}
	if t != json.Delim('{') {
		return env, newError(http.StatusBadRequest, "invalid_json", "request body must be a JSON object")
	}
	known := knownFields(op)
	seen := make(map[string]bool, 8)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return env, invalid
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return env, invalid
		}
		if seen[key] {
			return env, fieldError("duplicate_field", key, "appears more than once")
		}
		seen[key] = true
		if e := env.set(key, raw, op); e != nil {
			return env, e
		}
		if known[key] {
			continue
		}
		for k := range known {
			if strings.EqualFold(k, key) {
				return env, fieldError("invalid_field", key, "is not a field of this API; field names are case-sensitive (use "+k+")")
			}
		}
		if rejectUnknown {
			return env, fieldError("unknown_field", key, "is not a field of this API and this gateway refuses unknown fields")
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return env, invalid
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return env, newError(http.StatusBadRequest, "invalid_json", "request body holds data after its JSON object")
	}
	return env, env.required(op)
}

// set reads one known field into the envelope, checking its JSON type.
func (env *envelope) set(key string, raw json.RawMessage, op operation) *apiError {
	switch key {
	case "model":
		if raw[0] != '"' || json.Unmarshal(raw, &env.Model) != nil {
			return fieldError("invalid_type", key, "must be a string")
		}
	case "stream":
		if string(raw) == "null" {
			return nil
		}
		if json.Unmarshal(raw, &env.Stream) != nil {
			return fieldError("invalid_type", key, "must be a boolean")
		}
		if env.Stream && op == opEmbeddings {
			return fieldError("invalid_field", key, "is not supported for embeddings")
		}
	case "messages":
		if op == opEmbeddings {
			return nil
		}
		if raw[0] != '[' {
			return fieldError("invalid_type", key, "must be an array")
		}
		env.Messages = raw
	case "input":
		if op == opChat {
			return nil
		}
		if raw[0] != '"' && raw[0] != '[' {
			return fieldError("invalid_type", key, "must be a string or an array")
		}
		env.Input = raw
	}
	return nil
}

// required asks for the fields an operation cannot do without. Inspect takes
// a chat body, or an embeddings body.
func (env *envelope) required(op operation) *apiError {
	missing := func(param, msg string) *apiError {
		e := newError(http.StatusBadRequest, "missing_field", msg)
		e.Param = param
		return e
	}
	if env.Model == "" {
		return missing("model", "model is required")
	}
	switch op {
	case opChat:
		if env.Messages == nil {
			return missing("messages", "messages is required and must be an array")
		}
	case opEmbeddings:
		if env.Input == nil {
			return missing("input", "input is required: a string or an array")
		}
	case opInspect:
		if env.Messages == nil && env.Input == nil {
			return missing("messages", "messages (a chat body) or input (an embeddings body) is required")
		}
	}
	return nil
}

// fieldError names a top-level field in a message, but only when its name
// is plain: a key is caller data too.
func fieldError(code, key, what string) *apiError {
	name := "a field"
	if plainName(key) {
		name = "field " + key
	}
	e := newError(http.StatusBadRequest, code, fmt.Sprintf("%s %s", name, what))
	if plainName(key) {
		e.Param = key
	}
	return e
}

func plainName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
