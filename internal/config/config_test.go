package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.err from the current output")

// testEnv resolves env:NAME from a fixed map and file:PATH relative to testdata.
var testEnv = Env{
	LookupEnv: func(name string) (string, bool) {
		v, ok := map[string]string{"SOVEREIGN_DEMO_KEY": "demo-key", "UPSTREAM_KEY": "sk-upstream"}[name]
		return v, ok
	},
	ReadFile: func(path string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", path)) },
}

func TestGoodConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	files = append(files, "../../examples/three-regions.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(data, f, testEnv)
			if err != nil {
				t.Fatalf("want valid, got:\n%v", err)
			}
			if len(cfg.Jurisdictions) == 0 || cfg.Server.Listen == "" {
				t.Fatalf("config not filled: %+v", cfg)
			}
		})
	}
}

// TestBadConfigs checks each bad fixture against the exact problem list in
// its .err file (regenerate with -update after reading the diff).
func TestBadConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) == 0 {
		t.Fatal("no bad fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(data, filepath.Base(f), testEnv)
			var ps *Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want *Problems, got %v", err)
			}
			got := err.Error() + "\n"
			want := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(exp) {
				t.Errorf("problems differ\n--- got\n%s--- want\n%s", got, exp)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	data, err := os.ReadFile("testdata/good/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(data, "minimal.yaml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	ep := cfg.Destinations[0].Endpoints[0]
	if string(ep.APIKey.Value()) != "sk-upstream" {
		t.Fatalf("secret not resolved")
	}
	for _, s := range []string{ep.APIKey.String(), ep.APIKey.GoString(), ep.APIKey.LogValue().String()} {
		if strings.Contains(s, "sk-upstream") {
			t.Fatalf("secret printed: %s", s)
		}
	}
	if cfg.Clients[0].Key.Value() != nil {
		t.Fatal("raw client key kept after hashing")
	}
	if cfg.Clients[0].KeySHA256 == "" {
		t.Fatal("client key not hashed")
	}
}

func TestMechanism(t *testing.T) {
	data, err := os.ReadFile("../../examples/three-regions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(data, "three-regions.yaml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	dest := func(n string) *Destination { d, _ := cfg.Destination(n); return d }
	cases := []struct {
		from, dest, at, want string
	}{
		{"EU", "llm-eu", "2026-11-22", MechanismDomestic},
		{"EU", "llm-uk", "2026-11-22", MechanismAdequacy},
		{"EU", "llm-uk", "2021-06-27", MechanismNone}, // before the decision
		{"EU", "llm-uk", "2032-01-01", MechanismNone}, // after it lapses
		{"EU", "llm-us", "2026-11-22", MechanismSCC},
		{"UK", "llm-eu", "2026-11-22", MechanismAdequacy},
		{"US", "llm-eu", "2026-11-22", MechanismNone},
	}
	for _, c := range cases {
		if got := cfg.Mechanism(c.from, dest(c.dest), day(c.at)); got != c.want {
			t.Errorf("%s→%s at %s: got %s, want %s", c.from, c.dest, c.at, got, c.want)
		}
	}
	if j, ok := cfg.JurisdictionOfCountry("DE"); !ok || j != "EU" {
		t.Errorf("DE → %q", j)
	}
}
