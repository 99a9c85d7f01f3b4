package gateway

import (
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
	codeCanceled         = "client_closed_request"
)

// upstream is the answer route hands to restore.
type upstream struct {
	resp *http.Response
	body []byte // the whole answer, when not streamed
}

// route: send it to a healthy endpoint of an allowed candidate, in order,
// with at most 1+retries attempts; never anywhere else. A transport error or
// 5xx moves on to the next endpoint (re-transforming if the next candidate's
// decision differs); a 4xx is the answer for every upstream and stops.
func (x *exchange) route() *apiError {
	if err := x.s.audit.Health(); err != nil {
		x.s.metrics.audit.Store(0)
		return errAuditUnavailable(err) // nothing leaves that cannot be recorded
	}
	attempts := 1 + x.s.cfg.Health.Retries
	tried, healthy := 0, 0
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
				if x.r.Context().Err() != nil {
					return newError(499, codeCanceled, "the client closed the request")
				}
				x.s.log.Warn("upstream attempt failed", "request_id", x.id, "destination", p.view.Name,
					"endpoint", ep.Index, "cause", err.Error())
				continue
			}
			x.s.metrics.upstream.observe(time.Since(t0), p.view.Name, "ok")
			x.chosen = p
			x.sent = int64(len(body))
			if resp.StatusCode >= 400 {
				drainClose(resp.Body)
				e := newError(http.StatusBadGateway, codeUpstreamRejected,
					fmt.Sprintf("upstream %s rejected the request with status %d", p.view.Name, resp.StatusCode))
				return e
			}
			up := &upstream{resp: resp}
			if !x.streaming(resp) {
				b, err := readLimited(resp.Body, x.s.cfg.Limits.MaxResponseBytes)
				resp.Body.Close()
				if err != nil {
					x.s.router.Fail(ep)
					x.s.log.Warn("upstream answer unreadable", "request_id", x.id, "destination", p.view.Name,
						"endpoint", ep.Index, "cause", err.Error())
					if x.r.Context().Err() != nil {
						return newError(499, codeCanceled, "the client closed the request")
					}
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
	if healthy == 0 {
		return newError(http.StatusServiceUnavailable, codeNoHealthy,
			fmt.Sprintf("no healthy upstream among the destinations the policy allows for this request (%s); nothing was sent elsewhere",
				strings.Join(names, ", ")))
	}
	return newError(http.StatusServiceUnavailable, codeUpstreamFailed,
		fmt.Sprintf("every attempt to reach an allowed upstream failed (%d attempts among %s); nothing was sent elsewhere",
			tried, strings.Join(names, ", ")))
}

// streaming reports whether the answer is an SSE stream.
func (x *exchange) streaming(resp *http.Response) bool {
	return x.env.Stream && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
}

var errTooLargeAnswer = fmt.Errorf("upstream answer exceeds the response limit")

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
