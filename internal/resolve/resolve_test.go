package resolve

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

func loadConfig(t *testing.T) *config.Config {
	t.Helper()
	data, err := os.ReadFile("../../examples/three-regions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := config.Env{
		LookupEnv: func(n string) (string, bool) { return "demo-key", n == "SOVEREIGN_DEMO_KEY" },
		ReadFile:  os.ReadFile,
	}
	cfg, err := config.Parse(data, "three-regions.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestResolve(t *testing.T) {
	r := New(loadConfig(t))
	cases := []struct {
		name, auth, jur, purpose string
		wantStatus               int
		wantCode, wantJur        string
		wantPurpose              string
	}{
		{name: "defaults", auth: "Bearer demo-key", wantJur: "EU", wantPurpose: "support"},
		{name: "country code", auth: "Bearer demo-key", jur: "de", wantJur: "EU", wantPurpose: "support"},
		{name: "jurisdiction id", auth: "bearer demo-key", jur: "UK", purpose: "analytics", wantJur: "UK", wantPurpose: "analytics"},
		{name: "GB is UK", auth: "Bearer demo-key", jur: "GB", wantJur: "UK", wantPurpose: "support"},
		{name: "no header", wantStatus: 401, wantCode: CodeMissingKey},
		{name: "basic auth", auth: "Basic ZGVtbzprZXk=", wantStatus: 401, wantCode: CodeMissingKey},
		{name: "wrong key", auth: "Bearer nope", wantStatus: 401, wantCode: CodeInvalidKey},
		{name: "unknown country", auth: "Bearer demo-key", jur: "CN", wantStatus: 403, wantCode: CodeUnknownJurisdiction},
		{name: "purpose not allowed", auth: "Bearer demo-key", purpose: "marketing", wantStatus: 403, wantCode: CodePurpose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.auth != "" {
				h.Set("Authorization", c.auth)
			}
			if c.jur != "" {
				h.Set(HeaderJurisdiction, c.jur)
			}
			if c.purpose != "" {
				h.Set(HeaderPurpose, c.purpose)
			}
			got, err := r.Request(h)
			if c.wantStatus != 0 {
				e, ok := AsError(err)
				if !ok || e.Status != c.wantStatus || e.Code != c.wantCode {
					t.Fatalf("got %v (%+v), want %d %s", err, e, c.wantStatus, c.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Jurisdiction != c.wantJur || got.Purpose != c.wantPurpose || got.Tenant != "shop" {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

func TestClientNotAllowedJurisdiction(t *testing.T) {
	cfg := loadConfig(t)
	cfg.Clients[0].Jurisdictions = []string{"EU"}
	_, err := New(cfg).Resolve("demo-key", "US", "")
	if e, ok := AsError(err); !ok || e.Status != 403 || e.Code != CodeJurisdiction {
		t.Fatalf("got %v", err)
	}
}

// An error never echoes what the caller sent in a header beyond a short plain token.
func TestErrorsDoNotEchoData(t *testing.T) {
	r := New(loadConfig(t))
	const canary = "jane.doe@example.com"
	for _, h := range []http.Header{
		{"Authorization": {"Bearer " + canary}},
		{"Authorization": {"Bearer demo-key"}, HeaderJurisdiction: {canary}},
		{"Authorization": {"Bearer demo-key"}, HeaderPurpose: {canary}},
	} {
		_, err := r.Request(h)
		if err == nil || strings.Contains(err.Error(), canary) {
			t.Fatalf("error %v echoes the canary", err)
		}
	}
}
