package crm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// upstream calls the org's REST API with the gateway's own credentials.
type upstream struct {
	base    string // instance URL, no trailing slash
	version string // e.g. 62.0
	client  *http.Client
	auth    *authenticator
	maxBody int64
}

// transientError is a failure worth retrying: the org was unreachable,
// overloaded or down, or the answer never came.
type transientError struct {
	code string
	err  error
}

func (e *transientError) Error() string { return e.code + ": " + e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// reply is an upstream answer.
type reply struct {
	status int
	body   []byte
	header http.Header
}

// do sends one call; path is relative to /services/data/vNN.N (e.g.
// "/sobjects/Contact"). A 401 refreshes the token once and retries. 5xx and
// network failures come back as *transientError.
func (u *upstream) do(ctx context.Context, method, path string, body []byte) (*reply, error) {
	for attempt := 0; ; attempt++ {
		tok, err := u.auth.get(ctx)
		if err != nil {
			return nil, err
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.base+"/services/data/v"+u.version+path, rd)
		if err != nil {
			return nil, fmt.Errorf("crm: upstream request: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = int64(len(body))
		}
		resp, err := u.client.Do(req)
		if err != nil {
			return nil, &transientError{code: "UPSTREAM_UNREACHABLE", err: err}
		}
		rb, err := io.ReadAll(io.LimitReader(resp.Body, u.maxBody+1))
		resp.Body.Close()
		if err != nil {
			return nil, &transientError{code: "UPSTREAM_READ", err: err}
		}
		if int64(len(rb)) > u.maxBody {
			return nil, &transientError{code: "UPSTREAM_TOO_LARGE", err: fmt.Errorf("org answer exceeds %d bytes", u.maxBody)}
		}
		if resp.StatusCode == http.StatusUnauthorized {
			u.auth.invalidate(tok)
			if attempt == 0 {
				continue
			}
			// A fresh token refused too: the gateway's credentials, never
			// the client's session. Retry later; never relay the 401.
			return nil, &transientError{code: "UPSTREAM_UNAUTHORIZED", err: errors.New("org refused a fresh access token")}
		}
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return nil, &transientError{code: fmt.Sprintf("UPSTREAM_%d", resp.StatusCode), err: fmt.Errorf("org answered %d", resp.StatusCode)}
		}
		return &reply{status: resp.StatusCode, body: rb, header: resp.Header}, nil
	}
}
