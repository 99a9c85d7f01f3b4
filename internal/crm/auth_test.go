package crm

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// orgTokens records the access tokens the org issued and every
// Authorization header it received.
type orgTokens struct {
	mu     sync.Mutex
	issued []string
	auth   []string
	next   http.Handler
}

func (o *orgTokens) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.auth = append(o.auth, r.Header.Get("Authorization"))
	o.mu.Unlock()
	rec := &teeWriter{ResponseWriter: w}
	o.next.ServeHTTP(rec, r)
	if r.URL.Path == "/services/oauth2/token" {
		if _, tok, ok := strings.Cut(rec.body.String(), `"access_token":"`); ok {
			tok, _, _ = strings.Cut(tok, `"`)
			o.mu.Lock()
			o.issued = append(o.issued, tok)
			o.mu.Unlock()
		}
	}
}

type teeWriter struct {
	http.ResponseWriter
	body strings.Builder
}

func (t *teeWriter) Write(b []byte) (int, error) {
	t.body.Write(b)
	return t.ResponseWriter.Write(b)
}

// TestUpstreamAuth runs both OAuth flows: one token for many calls (cache),
// a fresh one after the org expires it (refresh on 401), and neither the
// token nor the connected app's secret ever reaches a gateway client.
func TestUpstreamAuth(t *testing.T) {
	for _, flow := range []string{config.AuthClientCredentials, config.AuthJWTBearer} {
		t.Run(flow, func(t *testing.T) {
			tokens := &orgTokens{}
			h := newHarness(t, harnessOptions{flow: flow, noStart: true,
				orgProxy: func(next http.Handler) http.Handler { tokens.next = next; return tokens }})
			var answers []string
			write := func(last string) string {
				r := h.call(keyEUSupport, "POST", "/services/data/v62.0/sobjects/Contact", `{"LastName":"`+last+`","MailingCountry":"DE"}`, nil)
				if r.status != http.StatusCreated || r.header.Get(HeaderDelivery) != "" {
					t.Fatalf("create: %d %v %s", r.status, r.header, r)
				}
				answers = append(answers, r.String(), strings.Join(headerValues(r.header), " "))
				return extractID(r.body)
			}
			for i := range 5 {
				write("Cached" + string(rune('A'+i)))
			}
			if c := h.double.Counts(); c.Tokens != 1 || c.Unauthorized != 0 {
				t.Fatalf("five writes: %+v, want one token and no 401", c)
			}
			h.double.ExpireTokens()
			id := write("Refreshed")
			g := h.call(keyEUSupport, "GET", "/services/data/v62.0/sobjects/Contact/"+id, "", nil)
			if g.status != 200 {
				t.Fatalf("get after refresh: %d %s", g.status, g)
			}
			answers = append(answers, g.String(), strings.Join(headerValues(g.header), " "))
			if c := h.double.Counts(); c.Tokens != 2 || c.Unauthorized != 1 {
				t.Fatalf("after expiry: %+v, want a second token after exactly one 401", c)
			}
			tokens.mu.Lock()
			defer tokens.mu.Unlock()
			for _, a := range tokens.auth {
				if strings.Contains(a, keyEUSupport) {
					t.Fatal("the gateway client's key reached the org")
				}
			}
			secrets := append([]string{orgClientSecret}, tokens.issued...)
			for _, s := range secrets {
				for _, a := range answers {
					if strings.Contains(a, s) {
						t.Fatalf("a gateway answer holds an org credential")
					}
				}
			}
		})
	}
}

func headerValues(h http.Header) []string {
	var out []string
	for k, vs := range h {
		out = append(out, k+": "+strings.Join(vs, ","))
	}
	return out
}

// TestUpstreamAuthRefused: the org refuses the gateway's credentials (at
// the token endpoint, or every access token it issued). The write is safe
// in the region and queued; the client never sees the org's 401 nor learns
// anything about the gateway's credentials.
func TestUpstreamAuthRefused(t *testing.T) {
	cases := []struct {
		name   string
		opts   harnessOptions
		breakF func(h *harness)
	}{
		{name: "token endpoint refuses the secret", breakF: func(h *harness) {
			h.cfg.Salesforce.Auth.ClientSecret = config.SecretFromValue("env:SF_SECRET", []byte("wrong-secret"))
			h.restart()
		}},
		{name: "the org refuses every token", opts: harnessOptions{orgProxy: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/services/data/") {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnauthorized)
					w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
					return
				}
				next.ServeHTTP(w, r)
			})
		}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.noStart = true
			h := newHarness(t, c.opts)
			if c.breakF != nil {
				c.breakF(h)
			}
			r := h.call(keyEUSupport, "POST", "/services/data/v62.0/sobjects/Contact", `{"LastName":"Queued","MailingCountry":"DE"}`, nil)
			if r.status != http.StatusCreated || r.header.Get(HeaderDelivery) != "queued" {
				t.Fatalf("create with refused org credentials: %d %v %s", r.status, r.header, r)
			}
			if strings.Contains(r.String(), "wrong-secret") || strings.Contains(r.String(), "invalid_client") || strings.Contains(r.String(), "INVALID_SESSION") {
				t.Fatalf("the answer tells about the gateway's credentials: %s", r)
			}
			if n := len(h.double.Records("")); n != 0 {
				t.Fatalf("org has %d records", n)
			}
			if recs := h.regionalRecords("EU"); len(recs) != 1 {
				t.Fatalf("regional store: %v", recs)
			}
		})
	}
}
