// Package resolve is the first pipeline stage: it answers "who is this for?".
//
// In: the request's Authorization header and the Sovereign-Jurisdiction and
// Sovereign-Purpose headers. Out: the calling client and its tenant, the data
// subject's jurisdiction and the purpose, or an error that maps to 401 or 403.
package resolve

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// Header names callers use to say whose data a request carries and why.
const (
	HeaderJurisdiction = "Sovereign-Jurisdiction"
	HeaderPurpose      = "Sovereign-Purpose"
)

// Caller is the resolved identity of a request.
type Caller struct {
	Client       *config.Client
	Tenant       string
	Jurisdiction string // the data subject's jurisdiction id
	Purpose      string
}

// Error is a resolve failure: Status is 401 or 403, Code a stable
// machine-readable code, and Msg safe to show the caller (it never echoes
// the key).
type Error struct {
	Status int
	Code   string
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Sentinel codes.
const (
	CodeMissingKey          = "missing_api_key"
	CodeInvalidKey          = "invalid_api_key"
	CodeJurisdiction        = "jurisdiction_not_allowed"
	CodeUnknownJurisdiction = "unknown_jurisdiction"
	CodePurpose             = "purpose_not_allowed"
)

// Resolver maps requests to callers under one config.
type Resolver struct{ cfg *config.Config }

// New returns a resolver for cfg.
func New(cfg *config.Config) *Resolver { return &Resolver{cfg: cfg} }

// Request resolves an HTTP request's headers.
func (r *Resolver) Request(h http.Header) (*Caller, error) {
	key, ok := BearerToken(h.Get("Authorization"))
	if !ok {
		return nil, &Error{Status: http.StatusUnauthorized, Code: CodeMissingKey,
			Msg: "missing API key: send it as 'Authorization: Bearer <key>'"}
	}
	return r.Resolve(key, h.Get(HeaderJurisdiction), h.Get(HeaderPurpose))
}

// Resolve authenticates key and checks the requested jurisdiction and purpose
// (empty means the client's default).
func (r *Resolver) Resolve(key, jurisdiction, purpose string) (*Caller, error) {
	cl, ok := r.cfg.ClientByKeyHash(sha256.Sum256([]byte(key)))
	if !ok {
		return nil, &Error{Status: http.StatusUnauthorized, Code: CodeInvalidKey, Msg: "invalid API key"}
	}
	j, err := r.jurisdiction(cl, strings.TrimSpace(jurisdiction))
	if err != nil {
		return nil, err
	}
	p := strings.TrimSpace(purpose)
	if p == "" {
		p = cl.DefaultPurpose
	}
	if p == "" {
		return nil, &Error{Status: http.StatusForbidden, Code: CodePurpose,
			Msg: fmt.Sprintf("no purpose given: send the %s header (allowed: %s)", HeaderPurpose, strings.Join(cl.Purposes, ", "))}
	}
	if !slices.Contains(cl.Purposes, p) {
		return nil, &Error{Status: http.StatusForbidden, Code: CodePurpose,
			Msg: fmt.Sprintf("purpose %q is not allowed for this client (allowed: %s)", safeToken(p), strings.Join(cl.Purposes, ", "))}
	}
	return &Caller{Client: cl, Tenant: cl.Tenant, Jurisdiction: j, Purpose: p}, nil
}

// jurisdiction accepts an ISO 3166 alpha-2 country code or a jurisdiction id.
func (r *Resolver) jurisdiction(cl *config.Client, given string) (string, error) {
	if given == "" {
		if cl.DefaultJurisdiction == "" {
			return "", &Error{Status: http.StatusForbidden, Code: CodeJurisdiction,
				Msg: fmt.Sprintf("no data subject jurisdiction given and the client has no default: send the %s header", HeaderJurisdiction)}
		}
		return cl.DefaultJurisdiction, nil
	}
	id := given
	if _, ok := r.cfg.Jurisdiction(id); !ok {
		j, ok := r.cfg.JurisdictionOfCountry(strings.ToUpper(given))
		if !ok {
			return "", &Error{Status: http.StatusForbidden, Code: CodeUnknownJurisdiction,
				Msg: fmt.Sprintf("%s %q is neither a configured jurisdiction nor a country of one", HeaderJurisdiction, safeToken(given))}
		}
		id = j
	}
	if !slices.Contains(cl.Jurisdictions, id) {
		return "", &Error{Status: http.StatusForbidden, Code: CodeJurisdiction,
			Msg: fmt.Sprintf("data subjects of jurisdiction %s are not allowed for this client", id)}
	}
	return id, nil
}

// BearerToken extracts the token from an Authorization header value.
func BearerToken(v string) (string, bool) {
	scheme, tok, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// safeToken echoes a header value only when it is short and plain, so an
// error message can never carry data the caller put in a header by mistake.
func safeToken(s string) string {
	if len(s) > 32 {
		return "(value too long to show)"
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "(value not shown)"
		}
	}
	return s
}

// AsError unwraps a resolve *Error.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
