package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/sovereign-gateway/sovereign/internal/reqid"
)

// apiError is what a caller sees when a request fails: a status, an
// OpenAI-style type and code, and a message that says what is wrong without
// echoing request data. The cause, if any, is for logs only.
type apiError struct {
	Status int
	Type   string // invalid_request_error, authentication_error, permission_error, ...
	Code   string // stable, machine-readable
	Msg    string
	Param  string
	Rules  []string // policy rules that blocked, when Code is blocked_by_policy
	Cause  error    // never shown to the caller; logged without data
}

func (e *apiError) Error() string { return e.Code + ": " + e.Msg }

func (e *apiError) Unwrap() error { return e.Cause }

// OpenAI error types by status.
func typeFor(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusForbidden:
		return "permission_error"
	case status == http.StatusNotFound:
		return "not_found_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_error"
	case status < 500:
		return "invalid_request_error"
	}
	return "server_error"
}

func newError(status int, code, msg string) *apiError {
	return &apiError{Status: status, Type: typeFor(status), Code: code, Msg: msg}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message   string   `json:"message"`
	Type      string   `json:"type"`
	Param     *string  `json:"param"`
	Code      string   `json:"code"`
	Rules     []string `json:"rules,omitempty"`
	RequestID string   `json:"request_id"`
}

// writeError answers with the OpenAI error JSON shape.
func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	d := errorDetail{Message: e.Msg, Type: e.Type, Code: e.Code, Rules: e.Rules, RequestID: reqid.From(r.Context())}
	if e.Param != "" {
		d.Param = &e.Param
	}
	b, _ := json.Marshal(errorBody{Error: d})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// Errors shared by several stages.
var (
	errInternal = func(cause error) *apiError {
		e := newError(http.StatusInternalServerError, "internal_error",
			"the gateway failed while handling this request; nothing was forwarded after the failure")
		e.Cause = cause
		return e
	}
	errNotFound = newError(http.StatusNotFound, "not_found", "no such endpoint")
)
