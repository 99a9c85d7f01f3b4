package crm

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// authenticator gets and caches the org's access token with the OAuth 2.0
// JWT bearer or client credentials flow. Gateway clients never see it.
type authenticator struct {
	cfg    config.SalesforceAuth
	key    *rsa.PrivateKey
	client *http.Client
	now    func() time.Time

	mu    sync.Mutex
	token string
}

// errAuth is an upstream authentication failure; its message carries the
// OAuth error code only.
var errAuth = errors.New("salesforce authentication failed")

func newAuthenticator(cfg config.SalesforceAuth, client *http.Client, now func() time.Time) (*authenticator, error) {
	a := &authenticator{cfg: cfg, client: client, now: now}
	if cfg.Flow == config.AuthJWTBearer {
		k, err := config.ParseRSAPrivateKey(cfg.PrivateKey.Value())
		if err != nil {
			return nil, fmt.Errorf("crm: salesforce private key: %w", err)
		}
		a.key = k
	}
	return a, nil
}

// get returns the cached token or fetches one.
func (a *authenticator) get(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" {
		return a.token, nil
	}
	tok, err := a.fetch(ctx)
	if err != nil {
		return "", err
	}
	a.token = tok
	return tok, nil
}

// invalidate drops tok if it is still the cached one (a 401 answered it).
func (a *authenticator) invalidate(tok string) {
	a.mu.Lock()
	if a.token == tok {
		a.token = ""
	}
	a.mu.Unlock()
}

func (a *authenticator) fetch(ctx context.Context) (string, error) {
	form := url.Values{}
	switch a.cfg.Flow {
	case config.AuthJWTBearer:
		assertion, err := a.assertion()
		if err != nil {
			return "", err
		}
		form.Set("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
		form.Set("assertion", assertion)
	default:
		form.Set("grant_type", "client_credentials")
		form.Set("client_id", a.cfg.ClientID)
		form.Set("client_secret", string(a.cfg.ClientSecret.Value()))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("crm: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return "", &transientError{code: "TOKEN_UNREACHABLE", err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	_ = json.Unmarshal(body, &out)
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return "", &transientError{code: "TOKEN_UNAVAILABLE", err: fmt.Errorf("token endpoint answered %d", resp.StatusCode)}
	case resp.StatusCode != http.StatusOK || out.AccessToken == "":
		return "", fmt.Errorf("%w: %d %s", errAuth, resp.StatusCode, safeCode(out.Error))
	}
	return out.AccessToken, nil
}

// assertion signs the RS256 JWT: iss the connected app, sub the integration
// user, aud the login URL, valid for three minutes.
func (a *authenticator) assertion() (string, error) {
	aud := a.cfg.Audience
	if aud == "" {
		u, _ := url.Parse(a.cfg.TokenURL)
		aud = u.Scheme + "://" + u.Host
	}
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{"iss": a.cfg.ClientID, "sub": a.cfg.Username, "aud": aud, "exp": a.now().Add(3 * time.Minute).Unix()})
	signing := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, a.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("crm: sign assertion: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// safeCode keeps an upstream error code only when it looks like one.
func safeCode(s string) string {
	if len(s) > 64 {
		return "(code too long)"
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "(code not shown)"
		}
	}
	return s
}
