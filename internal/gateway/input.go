package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/sovereign-gateway/sovereign/internal/resolve"
)

// envelope is what the gateway itself reads of a request body; everything
// else passes through (and is classified).
type envelope struct {
	Model    string          `json:"model"`
	Stream   bool            `json:"stream"`
	Messages json.RawMessage `json:"messages"`
	Input    json.RawMessage `json:"input"`
}

// resolve: who is this for?
func (x *exchange) resolve() *apiError {
	c, err := x.s.resolver.Request(x.r.Header)
	if err != nil {
		return resolveError(err)
	}
	x.caller = c
	return nil
}

func resolveError(err error) *apiError {
	if re, ok := resolve.AsError(err); ok {
		return &apiError{Status: re.Status, Type: typeFor(re.Status), Code: re.Code, Msg: re.Msg}
	}
	return errInternal(err)
}

// classify: read the body (bounded), check it is a JSON request for a
// configured model, and find what is in it. Every finding anywhere in the
// body counts: unknown fields pass through, so they are classified too.
func (x *exchange) classify() *apiError {
	if e := x.readBody(); e != nil {
		return e
	}
	if err := json.Unmarshal(x.body, &x.env); err != nil {
		// The decoder's message can quote a byte of the body: not shown.
		return newError(http.StatusBadRequest, "invalid_json", "request body is not a valid JSON object")
	}
	if e := x.checkShape(); e != nil {
		return e
	}
	m, ok := x.s.cfg.Model(x.env.Model)
	if !ok {
		e := newError(http.StatusNotFound, "model_not_found",
			"the requested model is not configured on this gateway; GET /v1/models lists those you may use")
		e.Param = "model"
		return e
	}
	x.model = m
	fs, err := x.s.classify.JSON(x.body, nil)
	if err != nil {
		return newError(http.StatusBadRequest, "invalid_json", "request body is not valid JSON")
	}
	x.findings = fs
	for _, f := range fs {
		x.s.metrics.findings.add(1, string(f.Type), string(f.Class), "request")
	}
	return nil
}

func (x *exchange) readBody() *apiError {
	ct := x.r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send the request body as JSON with 'Content-Type: application/json'")
	}
	limit := x.s.cfg.Limits.MaxBodyBytes
	if x.r.ContentLength > limit {
		return errTooLarge(limit)
	}
	var buf bytes.Buffer
	if x.r.ContentLength > 0 {
		buf.Grow(int(x.r.ContentLength))
	}
	_, err = buf.ReadFrom(http.MaxBytesReader(x.w, x.r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errTooLarge(limit)
	case err != nil && !errors.Is(err, io.EOF):
		return newError(http.StatusBadRequest, "body_read_failed", "the request body could not be read")
	}
	x.body = buf.Bytes()
	return nil
}

func errTooLarge(limit int64) *apiError {
	return newError(http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("request body is larger than the limit of %d bytes", limit))
}

// checkShape asks for the fields an operation cannot do without.
func (x *exchange) checkShape() *apiError {
	missing := func(param string) *apiError {
		e := newError(http.StatusBadRequest, "missing_field", fmt.Sprintf("%s is required", param))
		e.Param = param
		return e
	}
	if x.env.Model == "" {
		return missing("model")
	}
	switch x.op {
	case opChat, opInspect:
		if len(x.env.Messages) == 0 || x.env.Messages[0] != '[' {
			if x.op == opChat || len(x.env.Input) == 0 {
				e := missing("messages")
				e.Msg = "messages is required and must be an array"
				return e
			}
		}
	case opEmbeddings:
		if len(x.env.Input) == 0 || string(x.env.Input) == "null" {
			return missing("input")
		}
	}
	return nil
}
