package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
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
//
// It reads only the top level and skips nested values by their brackets:
// the classifier's JSON walk, which comes next and reads every byte anyway,
// is what rejects malformed JSON inside them (one validating pass, not two).
func parseEnvelope(body []byte, op operation, rejectUnknown bool) (envelope, *apiError) {
	var env envelope
	if !utf8.Valid(body) {
		return env, newError(http.StatusBadRequest, "invalid_utf8", "request body is not valid UTF-8")
	}
	i := skipSpace(body, 0)
	if i == len(body) || body[i] != '{' {
		if i < len(body) && (body[i] == '[' || body[i] == '"' || body[i] == 't' || body[i] == 'f' || body[i] == 'n' || body[i] == '-' || body[i] >= '0' && body[i] <= '9') {
			return env, newError(http.StatusBadRequest, "invalid_json", "request body must be a JSON object")
		}
		return env, errInvalidJSON()
	}
	known := knownFields(op)
	var seen [8]string // most bodies have few fields: no map
	extra := map[string]bool(nil)
	n := 0
	i = skipSpace(body, i+1)
	for first := true; ; first = false {
		if i < len(body) && body[i] == '}' && first {
			i++
			break
		}
		kEnd, ok := stringEnd(body, i)
		if !ok {
			return env, errInvalidJSON()
		}
		key, ok := jsonString(body[i:kEnd])
		if !ok {
			return env, errInvalidJSON()
		}
		i = skipSpace(body, kEnd)
		if i == len(body) || body[i] != ':' {
			return env, errInvalidJSON()
		}
		vStart := skipSpace(body, i+1)
		vEnd, ok := valueEnd(body, vStart)
		if !ok {
			return env, errInvalidJSON()
		}
		dup := false
		for _, k := range seen[:min(n, len(seen))] {
			dup = dup || k == key
		}
		if extra != nil && extra[key] {
			dup = true
		}
		if dup {
			return env, fieldError("duplicate_field", key, "appears more than once")
		}
		if n < len(seen) {
			seen[n] = key
		} else {
			if extra == nil {
				extra = map[string]bool{}
			}
			extra[key] = true
		}
		n++
		if e := env.set(key, body[vStart:vEnd], op); e != nil {
			return env, e
		}
		if !known[key] {
			for k := range known {
				if strings.EqualFold(k, key) {
					return env, fieldError("invalid_field", key, "is not a field of this API; field names are case-sensitive (use "+k+")")
				}
			}
			if rejectUnknown {
				return env, fieldError("unknown_field", key, "is not a field of this API and this gateway refuses unknown fields")
			}
		}
		i = skipSpace(body, vEnd)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
			continue
		}
		if i < len(body) && body[i] == '}' {
			i++
			break
		}
		return env, errInvalidJSON()
	}
	if skipSpace(body, i) != len(body) {
		return env, newError(http.StatusBadRequest, "invalid_json", "request body holds data after its JSON object")
	}
	return env, env.required(op)
}

func errInvalidJSON() *apiError {
	return newError(http.StatusBadRequest, "invalid_json", "request body is not valid JSON")
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string starting at b[i].
func stringEnd(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// valueEnd returns the index after the JSON value starting at b[i],
// following strings and brackets only: the classifier validates the rest.
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				e, ok := stringEnd(b, i)
				if !ok {
					return 0, false
				}
				i = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
		j++
	}
	return j, j > i
}

// jsonString decodes a JSON string literal, quotes included.
func jsonString(raw []byte) (string, bool) {
	if bytes.IndexByte(raw, '\\') < 0 {
		for _, c := range raw {
			if c < 0x20 {
				return "", false
			}
		}
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

// set reads one known field into the envelope, checking its JSON type.
func (env *envelope) set(key string, raw json.RawMessage, op operation) *apiError {
	switch key {
	case "model":
		m, ok := "", false
		if raw[0] == '"' {
			m, ok = jsonString(raw)
		}
		if !ok {
			return fieldError("invalid_type", key, "must be a string")
		}
		env.Model = m
	case "stream":
		switch string(raw) {
		case "null", "false":
			env.Stream = false
		case "true":
			env.Stream = true
		default:
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

// LogValue shows the model and the shape of the body, never its messages.
func (env envelope) LogValue() slog.Value {
	return slog.GroupValue(slog.String("model", env.Model), slog.Bool("stream", env.Stream),
		slog.Int("messages_bytes", len(env.Messages)), slog.Int("input_bytes", len(env.Input)))
}
