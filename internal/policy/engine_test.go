package policy

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
)

func baseWith(t testing.TB, rules ...config.Rule) *config.Config {
	t.Helper()
	cfg := loadConfig(t, "testdata/base.yaml")
	cfg.Policy.Rules = rules
	return cfg
}

func euToUS(t testing.TB, cfg *config.Config, findings ...classify.Finding) *Input {
	t.Helper()
	d, _ := cfg.Destination("llm-us")
	return &Input{Tenant: "shop", Purpose: "support", Face: "llm", SubjectJurisdiction: "EU",
		Destination: DestinationFor(cfg, d, "EU", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)), Findings: findings}
}

var email = classify.Finding{Type: classify.Email, Class: classify.ClassPersonal, Start: 0, End: 5}

func TestDecideFailsClosed(t *testing.T) {
	cfg := baseWith(t, config.Rule{ID: "oob", When: `findings.types[3] == "x"`, Action: "redact"})
	eng, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	good := euToUS(t, cfg, email, email)
	tests := []struct {
		name string
		edit func(in *Input)
		want error
	}{
		{"runtime error", func(*Input) {}, ErrEval},
		{"no subject", func(in *Input) { in.SubjectJurisdiction = "" }, ErrInput},
		{"no destination jurisdiction", func(in *Input) { in.Destination.Jurisdiction = "" }, ErrInput},
		{"unknown mechanism", func(in *Input) { in.Destination.Mechanism = "trust-me" }, ErrInput},
		{"empty mechanism", func(in *Input) { in.Destination.Mechanism = "" }, ErrInput},
		{"domestic across a border", func(in *Input) { in.Destination.Mechanism = "domestic" }, ErrInput},
		{"scc at home", func(in *Input) { in.SubjectJurisdiction = "US" }, ErrInput},
	}
	for _, tt := range tests {
		in := *good
		tt.edit(&in)
		d, err := eng.Decide(&in)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
		}
		if d.Action != Block || len(d.PerFinding) != 2 || d.PerFinding[0] != Block || d.PerFinding[1] != Block {
			t.Errorf("%s: decision %+v does not block everything", tt.name, d)
		}
	}
	if d, err := eng.Decide(nil); err == nil || d.Action != Block {
		t.Errorf("nil input: %+v %v", d, err)
	}
}

func TestCompileErrors(t *testing.T) {
	if _, err := Compile(nil); !errors.Is(err, ErrCompile) {
		t.Errorf("nil config: %v", err)
	}
	cfg := baseWith(t, config.Rule{ID: "r", When: "true", Action: "permit"}, config.Rule{ID: "e", When: " ", Action: "block"})
	_, err := Compile(cfg)
	var ps *config.Problems
	if !errors.As(err, &ps) || len(ps.List) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
}

func TestHash(t *testing.T) {
	rule := config.Rule{ID: "r", Description: "one", When: `finding.type == "email"`, Action: "redact"}
	hash := func(rules ...config.Rule) string {
		eng, err := Compile(baseWith(t, rules...))
		if err != nil {
			t.Fatal(err)
		}
		return eng.Hash()
	}
	h := hash(rule)
	if h != hash(rule) {
		t.Error("hash differs between compiles")
	}
	described := rule
	described.Description = "another"
	if h != hash(described) {
		t.Error("description changed the hash")
	}
	for name, r := range map[string]config.Rule{
		"id":     {ID: "r2", When: rule.When, Action: rule.Action},
		"when":   {ID: rule.ID, When: `finding.type == "phone"`, Action: rule.Action},
		"action": {ID: rule.ID, When: rule.When, Action: "block"},
	} {
		if hash(r) == h {
			t.Errorf("changing the %s kept the hash", name)
		}
	}
	if hash() == h || len(hash()) != 64 {
		t.Error("defaults-only hash")
	}
}

// TestCacheBounded: many distinct inputs never grow the cache past its bound.
func TestCacheBounded(t *testing.T) {
	const size = 64
	cfg := baseWith(t)
	eng, err := Compile(cfg, WithCacheSize(size))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		in := euToUS(t, cfg, email)
		in.Tenant = fmt.Sprint("t", i)
		if _, err := eng.Decide(in); err != nil {
			t.Fatal(err)
		}
		if n := eng.cache.len(); n > size {
			t.Fatalf("cache holds %d entries, bound %d", n, size)
		}
	}
	in := euToUS(t, cfg, email)
	eng.Decide(in)
	eng.Decide(in)
	if hits, misses := eng.CacheStats(); hits == 0 || misses < 1000 {
		t.Errorf("hits %d misses %d", hits, misses)
	}
}

// TestCacheKeyCoversInputs: inputs that differ only in one field the rules
// can see must not share a cache entry.
func TestCacheKeyCoversInputs(t *testing.T) {
	cfg := baseWith(t,
		config.Rule{ID: "tenant", When: `tenant == "x"`, Action: "pseudonymize"},
		config.Rule{ID: "purpose", When: `purpose == "x"`, Action: "pseudonymize"},
		config.Rule{ID: "face", When: `face == "x"`, Action: "pseudonymize"},
		config.Rule{ID: "name", When: `destination.name == "x"`, Action: "pseudonymize"},
		config.Rule{ID: "kind", When: `destination.kind == "x"`, Action: "pseudonymize"},
		config.Rule{ID: "region", When: `destination.region == "x"`, Action: "pseudonymize"},
		config.Rule{ID: "vendor", When: `destination.vendor == "x"`, Action: "pseudonymize"},
		config.Rule{ID: "rule", When: `finding.rule == "x"`, Action: "pseudonymize"},
	)
	eng, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(in *Input){
		"tenant": func(in *Input) { in.Tenant = "x" }, "purpose": func(in *Input) { in.Purpose = "x" },
		"face": func(in *Input) { in.Face = "x" }, "name": func(in *Input) { in.Destination.Name = "x" },
		"kind": func(in *Input) { in.Destination.Kind = "x" }, "region": func(in *Input) { in.Destination.Region = "x" },
		"vendor": func(in *Input) { in.Destination.Vendor = "x" }, "rule": func(in *Input) { in.Findings[0].Rule = "x" },
	}
	for name, edit := range edits {
		if d, _ := eng.Decide(euToUS(t, cfg, email)); d.Action != Allow {
			t.Fatalf("%s: baseline %v", name, d.Action)
		}
		in := euToUS(t, cfg, email)
		edit(in)
		d, err := eng.Decide(in)
		if err != nil || d.Action != Pseudonymize || len(d.Rules) != 1 || d.Rules[0] != name {
			t.Errorf("%s: got %+v %v", name, d, err)
		}
	}
}

// TestDecideConcurrent runs decisions from many goroutines (run with -race).
func TestDecideConcurrent(t *testing.T) {
	cfg := loadConfig(t, "../../examples/three-regions.yaml")
	eng, err := Compile(cfg, WithCacheSize(8))
	if err != nil {
		t.Fatal(err)
	}
	secret := classify.Finding{Type: classify.Secret, Class: classify.ClassSecret, Rule: "jwt", Start: 6, End: 9}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				fs := []classify.Finding{email}
				want := Pseudonymize
				if (g+i)%3 == 0 {
					fs, want = append(fs, secret), Block
				}
				in := euToUS(t, cfg, fs...)
				in.Tenant = fmt.Sprint("t", i%20)
				d, err := eng.Decide(in)
				if err != nil || d.Action != want {
					t.Errorf("got %v %v, want %v", d.Action, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestDecisionIsACopy: changing a returned decision cannot change the next.
func TestDecisionIsACopy(t *testing.T) {
	cfg := baseWith(t, config.Rule{ID: "r", When: "true", Action: "redact"})
	eng, _ := Compile(cfg)
	d, _ := eng.Decide(euToUS(t, cfg, email))
	d.Rules[0] = "changed"
	d.PerFinding[0] = Allow
	d2, _ := eng.Decide(euToUS(t, cfg, email))
	if d2.Rules[0] != "r" || d2.PerFinding[0] != Redact {
		t.Fatalf("cached decision changed: %+v", d2)
	}
}

func TestActionNames(t *testing.T) {
	for _, a := range []Action{Allow, Pseudonymize, Redact, Block} {
		got, err := ParseAction(a.String())
		if err != nil || got != a {
			t.Errorf("%v: round trip %v %v", a, got, err)
		}
		b, _ := a.MarshalText()
		var u Action
		if err := u.UnmarshalText(b); err != nil || u != a {
			t.Errorf("%v: text round trip %v %v", a, u, err)
		}
	}
	if a, err := ParseAction("permit"); !errors.Is(err, ErrUnknownAction) || a != Block {
		t.Errorf("permit: %v %v", a, err)
	}
	if !(Allow < Pseudonymize && Pseudonymize < Redact && Redact < Block) {
		t.Error("actions are not ordered by strictness")
	}
	if _, err := Action(7).MarshalText(); err == nil {
		t.Error("marshalled an unknown action")
	}
}
