package sfdouble

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

// token is POST /services/oauth2/token for the JWT bearer and client
// credentials flows.
func (d *Double) token(w http.ResponseWriter, r *http.Request) {
	if d.down.Load() {
		sfwire.WriteJSON(w, http.StatusServiceUnavailable, oauthError{"temporarily_unavailable", "service unavailable"})
		return
	}
	if err := r.ParseForm(); err != nil {
		sfwire.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "malformed form"})
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		if msg := d.checkAssertion(r.PostForm.Get("assertion")); msg != "" {
			sfwire.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_grant", msg})
			return
		}
	case "client_credentials":
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if d.opts.ClientSecret == "" || id != d.opts.ClientID ||
			subtle.ConstantTimeCompare([]byte(secret), []byte(d.opts.ClientSecret)) != 1 {
			sfwire.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_client", "invalid client credentials"})
			return
		}
	default:
		sfwire.WriteJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant type not supported"})
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := "00Dx0000000double!" + hex.EncodeToString(b[:])
	d.mu.Lock()
	d.tokens[tok] = true
	d.mu.Unlock()
	d.count(func(c *Counts) { c.Tokens++ })
	instance := "http://" + r.Host
	sfwire.WriteJSON(w, http.StatusOK, map[string]string{
		"access_token": tok, "instance_url": instance, "id": instance + "/id/00Dx0000000double/005x0000000double",
		"token_type": "Bearer", "issued_at": strconv.FormatInt(time.Now().UnixMilli(), 10), "scope": "api",
		"signature": base64.StdEncoding.EncodeToString(b[:]),
	})
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// checkAssertion verifies an RS256 JWT bearer assertion; it returns the
// OAuth error description, or "" when the assertion is good.
func (d *Double) checkAssertion(a string) string {
	if d.opts.PublicKey == nil {
		return "jwt bearer flow not enabled"
	}
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		return "invalid assertion"
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	pb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return "invalid assertion"
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hb, &hdr) != nil || hdr.Alg != "RS256" {
		return "invalid assertion algorithm"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(d.opts.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return "invalid signature"
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(pb, &claims) != nil {
		return "invalid assertion claims"
	}
	switch {
	case claims.Iss != d.opts.ClientID:
		return "client identifier invalid"
	case claims.Sub != d.opts.Username:
		return "user hasn't approved this consumer"
	case d.opts.Audience != "" && claims.Aud != d.opts.Audience:
		return "audience is invalid"
	case claims.Exp < time.Now().Unix():
		return "expired authorization code"
	}
	return ""
}
