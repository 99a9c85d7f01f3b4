package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Upstream failure codes.
const (
	codeNoHealthy        = "no_healthy_upstream"
	codeUpstreamFailed   = "upstream_unavailable"
	codeUpstreamRejected = "upstream_rejected"
	codeUpstreamInvalid  = "upstream_invalid_response"
	codeUpstreamLimited  = "upstream_rate_limited"
	codeUpstreamTimeout  = "upstream_timeout"
	codeCanceled         = "client_closed_request"
)

// upstream is the answer route hands to restore.
type upstream struct {
	resp *http.Response
	body []byte // the whole answer, when not streamed
}

// route: send it to a healthy endpoint of an allowed candidate, in order,
// with at most 1+retries attempts; never anywhere else. A transport error, a
// 5xx or a 429 moves on to the next endpoint (re-transforming if the next
// candidate's decision differs); any other 4xx is the answer of every
// upstream and stops.
func (x *exchange) route() *apiError {
	if err := x.s.audit.Health(); err != nil {
		x.s.metrics.audit.Store(0)
		return errAuditUnavailable(err) // nothing leaves that cannot be recorded
	}
	attempts := 1 + x.s.cfg.Health.Retries
	tried, healthy, limited := 0, 0, 0
	now := x.s.router.Now()
	for _, p := range x.plans {
		for _, ep := range p.dest.Healthy(nil, now) {
			healthy++
			if tried == attempts {
				break
			}
			tried++
			body, err := x.bodyFor(p)
			if err != nil {
				return errInternal(err)
			}
			t0 := time.Now()
			resp, err := x.s.router.Send(x.ctx, ep, x.op.path, body, x.env.Stream)
			if err != nil {
				x.s.metrics.upstream.observe(time.Since(t0), p.view.Name, "error")
				if e := x.canceled(); e != nil {
					return e
				}
				x.s.log.Warn("upstream attempt failed", "request_id", x.id, "destination", p.view.Name,
					"endpoint", ep.Index, "cause", err.Error())
				continue
			}
			x.s.metrics.upstream.observe(time.Since(t0), p.view.Name, "ok")
			x.chosen = p
			x.sent += int64(len(body))
			if resp.StatusCode == http.StatusTooManyRequests {
				drainClose(resp.Body)
				limited++
				x.s.log.Warn("upstream rate limited", "request_id", x.id, "destination", p.view.Name, "endpoint", ep.Index)
				continue
			}
			if resp.StatusCode >= 400 {
				return upstreamRejected(p.view.Name, resp)
			}
			up := &upstream{resp: resp}
			if !x.streaming(resp) {
				b, err := readAnswer(resp, x.s.cfg.Limits.MaxResponseBytes)
				resp.Body.Close()
				if err != nil {
					if e := x.canceled(); e != nil {
						return e
					}
					x.s.router.Fail(ep)
					x.s.log.Warn("upstream answer unreadable", "request_id", x.id, "destination", p.view.Name,
						"endpoint", ep.Index, "cause", err.Error())
					continue
				}
				up.body = b
			}
			x.s.router.Succeed(ep)
			x.up = up
			return nil
		}
	}
	names := make([]string, len(x.plans))
	for i, p := range x.plans {
		names[i] = p.view.Name
	}
	switch {
	case healthy == 0:
		return newError(http.StatusServiceUnavailable, codeNoHealthy,
			fmt.Sprintf("no healthy upstream among the destinations the policy allows for this request (%s); nothing was sent elsewhere",
				strings.Join(names, ", ")))
	case limited == tried:
		e := newError(http.StatusTooManyRequests, codeUpstreamLimited,
			fmt.Sprintf("every allowed upstream that was tried is rate limiting (%d attempts among %s); retry later",
				tried, strings.Join(names, ", ")))
		return e
	}
	return newError(http.StatusServiceUnavailable, codeUpstreamFailed,
		fmt.Sprintf("every attempt to reach an allowed upstream failed (%d attempts among %s); nothing was sent elsewhere",
			tried, strings.Join(names, ", ")))
}

// canceled is the error for a caller who went away or for the upstream
// timeout running out, or nil.
func (x *exchange) canceled() *apiError {
	switch {
	case x.r.Context().Err() != nil:
		return newError(499, codeCanceled, "the client closed the request")
	case errors.Is(x.ctx.Err(), context.DeadlineExceeded):
		return newError(http.StatusGatewayTimeout, codeUpstreamTimeout,
			fmt.Sprintf("the upstream did not answer within %s (timeouts.upstream)", x.s.cfg.Timeouts.Upstream))
	}
	return nil
}

// upstreamRejected turns an upstream's 4xx into the caller's error. Statuses
// that say something about the request (400, 404, 413, 422) keep their
// status; others (401, 403: the gateway's own upstream credentials) become
// 502. The upstream's message is not relayed (it may quote the request);
// its error code is, when it is a plain token.
func upstreamRejected(dest string, resp *http.Response) *apiError {
	defer drainClose(resp.Body)
	status := http.StatusBadGateway
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		status = resp.StatusCode
	}
	msg := fmt.Sprintf("upstream %s rejected the request with status %d", dest, resp.StatusCode)
	var body struct {
		Error struct {
			Code any `json:"code"`
		} `json:"error"`
	}
	if b, err := readLimited(resp.Body, 64<<10); err == nil && json.Unmarshal(b, &body) == nil {
		if c, ok := body.Error.Code.(string); ok && plainName(c) {
			msg += " (upstream code " + c + ")"
		}
	}
	return newError(status, codeUpstreamRejected, msg)
}

// streaming reports whether the answer is an SSE stream.
func (x *exchange) streaming(resp *http.Response) bool {
	return x.env.Stream && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

var errTooLargeAnswer = fmt.Errorf("upstream answer exceeds the response limit")

// readAnswer reads a whole upstream answer, into one buffer of the
// announced size when the upstream gives one.
func readAnswer(resp *http.Response, limit int64) ([]byte, error) {
	n := resp.ContentLength
	if n < 0 || n > limit {
		return readLimited(resp.Body, limit)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, b); err != nil {
		return nil, err
	}
	return b, nil
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLargeAnswer
	}
	return b, nil
}

func drainClose(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 64<<10)
	b.Close()
}
