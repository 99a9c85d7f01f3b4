package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
)

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
// body counts: fields the gateway does not read pass through, so they are
// classified too.
func (x *exchange) classify() *apiError {
	if e := x.readBody(); e != nil {
		return e
	}
	env, e := parseEnvelope(x.body, x.op, x.s.rejectUnknown)
	if e != nil {
		return e
	}
	x.env = env
	m, ok := x.s.cfg.Model(x.env.Model)
	if !ok {
		e := newError(http.StatusNotFound, "model_not_found",
			"the requested model is not configured on this gateway; GET /v1/models lists those you may use")
		e.Param = "model"
		return e
	}
	x.model = m
	// A chat client resends the conversation with every turn: the
	// classifier remembers the client's long values (classify's memo.go),
	// for that client only.
	fs, err := x.s.classify.JSONIn(x.caller.Client.ID, x.body, nil)
	switch {
	case errors.Is(err, classify.ErrMalformedJSON):
		return errInvalidJSON() // the walk validates what parseEnvelope skipped
	case err != nil:
		e := newError(http.StatusInternalServerError, "classify_error",
			"the request could not be classified, so it is refused")
		e.Cause = err
		return e
	}
	x.findings = fs
	for _, f := range fs {
		x.s.metrics.findings.add(1, string(f.Type), string(f.Class), "request")
	}
	return nil
}

// readBody reads the whole request body into a buffer the gateway owns,
// refusing what it cannot classify: other media types, compressed bodies and
// bodies over the limit.
func (x *exchange) readBody() *apiError {
	if e := checkContentType(x.r.Header); e != nil {
		return e
	}
	limit := x.s.cfg.Limits.MaxBodyBytes
	if x.r.ContentLength > limit {
		return errTooLarge(limit)
	}
	body, err := readAll(http.MaxBytesReader(x.w, x.r.Body, limit), x.r.ContentLength)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errTooLarge(limit)
	case err != nil:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			e := newError(http.StatusRequestTimeout, "request_timeout",
				"the request body did not arrive within the read timeout")
			e.Cause = err
			return e
		}
		if x.r.Context().Err() != nil {
			return newError(499, codeCanceled, "the client closed the request")
		}
		e := newError(http.StatusBadRequest, "body_read_failed", "the request body could not be read completely")
		e.Cause = err
		return e
	}
	x.body = body
	return nil
}

// readAll reads r to its end: into one buffer of the announced size when
// there is one (the server's body reader stops at Content-Length; fewer
// bytes is an error), into a growing one otherwise (chunked).
func readAll(r io.Reader, announced int64) ([]byte, error) {
	if announced <= 0 {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(r)
		return buf.Bytes(), err
	}
	b := make([]byte, announced)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// checkContentType accepts application/json (charset utf-8, if given) with
// no content coding: a compressed body cannot be classified as it arrives,
// and decompressing it would let a small upload become a large body.
func checkContentType(h http.Header) *apiError {
	if ce := strings.TrimSpace(h.Get("Content-Encoding")); ce != "" && !strings.EqualFold(ce, "identity") {
		return newError(http.StatusUnsupportedMediaType, "unsupported_content_encoding",
			"compressed request bodies are not accepted: send the JSON body without Content-Encoding")
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send the request body as JSON with 'Content-Type: application/json'")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"the request body must be UTF-8 JSON (charset=utf-8)")
	}
	return nil
}

func errTooLarge(limit int64) *apiError {
	return newError(http.StatusRequestEntityTooLarge, "body_too_large",
		fmt.Sprintf("request body is larger than the limit of %d bytes", limit))
}
