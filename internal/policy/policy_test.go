package policy

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
)

// testEnv resolves the secret references used by the fixtures.
var testEnv = config.Env{
	LookupEnv: func(name string) (string, bool) {
		v, ok := map[string]string{"SOVEREIGN_DEMO_KEY": "demo-key"}[name]
		return v, ok
	},
	ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist },
}

func loadConfig(t testing.TB, path string) *config.Config {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data, filepath.Base(path), testEnv)
	if err != nil {
		t.Fatalf("config %s: %v", path, err)
	}
	return cfg
}

// caseFile is one testdata/decide/*.yaml: a config (a path, or the base
// config with these rules) and the decisions expected from it.
type caseFile struct {
	Config string        `yaml:"config"`
	Rules  []config.Rule `yaml:"rules"`
	At     string        `yaml:"at"`
	Cases  []decideCase  `yaml:"cases"`
}

type decideCase struct {
	Name        string   `yaml:"name"`
	Subject     string   `yaml:"subject"`
	Destination string   `yaml:"destination"`
	Tenant      string   `yaml:"tenant"`
	Purpose     string   `yaml:"purpose"`
	Face        string   `yaml:"face"`
	At          string   `yaml:"at"`
	Findings    []string `yaml:"findings"` // type/class[/rule]
	Action      string   `yaml:"action"`
	Rules       []string `yaml:"rules"`
	PerFinding  []string `yaml:"per_finding"`
}

func (c decideCase) input(t *testing.T, cfg *config.Config, at time.Time) *Input {
	t.Helper()
	d, ok := cfg.Destination(c.Destination)
	if !ok {
		t.Fatalf("unknown destination %q", c.Destination)
	}
	if c.At != "" {
		at = mustDate(t, c.At)
	}
	in := &Input{
		Tenant: or(c.Tenant, "shop"), Purpose: or(c.Purpose, "support"), Face: or(c.Face, "llm"),
		SubjectJurisdiction: c.Subject,
		Destination:         DestinationFor(cfg, d, c.Subject, at),
	}
	for i, f := range c.Findings {
		parts := strings.Split(f, "/")
		if len(parts) < 2 {
			t.Fatalf("finding %q: want type/class[/rule]", f)
		}
		fd := classify.Finding{Type: classify.Type(parts[0]), Class: classify.Class(parts[1]), Start: i * 10, End: i*10 + 5}
		if len(parts) > 2 {
			fd.Rule = parts[2]
		}
		in.Findings = append(in.Findings, fd)
	}
	return in
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestDecideCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/decide/*.yaml")
	if len(files) == 0 {
		t.Fatal("no case files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var cf caseFile
			dec := yaml.NewDecoder(strings.NewReader(string(data)))
			dec.KnownFields(true)
			if err := dec.Decode(&cf); err != nil {
				t.Fatal(err)
			}
			var cfg *config.Config
			if cf.Config != "" {
				cfg = loadConfig(t, cf.Config) // relative to the package directory
			} else {
				cfg = loadConfig(t, "testdata/base.yaml")
				cfg.Policy.Rules = cf.Rules
			}
			at := mustDate(t, cf.At)
			// Every case runs against a cached and an uncached engine, twice,
			// so a cache hit must give what evaluation gave.
			for _, opts := range [][]Option{nil, {WithCacheSize(0)}} {
				eng, err := Compile(cfg, opts...)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range cf.Cases {
					for range 2 {
						got, err := eng.Decide(c.input(t, cfg, at))
						if err != nil {
							t.Fatalf("%s: %v", c.Name, err)
						}
						checkDecision(t, c, got)
					}
				}
			}
		})
	}
}

func checkDecision(t *testing.T, c decideCase, got Decision) {
	t.Helper()
	if got.Action.String() != c.Action {
		t.Errorf("%s: action %s, want %s (rules %v)", c.Name, got.Action, c.Action, got.Rules)
	}
	if !slices.Equal(got.Rules, c.Rules) && (len(got.Rules) > 0 || len(c.Rules) > 0) {
		t.Errorf("%s: rules %v, want %v", c.Name, got.Rules, c.Rules)
	}
	var per []string
	for _, a := range got.PerFinding {
		per = append(per, a.String())
	}
	if !slices.Equal(per, c.PerFinding) {
		t.Errorf("%s: per finding %v, want %v", c.Name, per, c.PerFinding)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/bad/*.err from the current output")

func TestGoodPolicies(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	files = append(files, "../../examples/three-regions.yaml", "testdata/base.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			eng, err := Compile(loadConfig(t, f))
			if err != nil {
				t.Fatalf("want compiled, got:\n%v", err)
			}
			if len(eng.Hash()) != 64 {
				t.Fatalf("hash %q", eng.Hash())
			}
		})
	}
}

// TestBadPolicies checks each bad fixture against the exact problem list in
// its .err file: CEL faults located at the rule's line (regenerate with
// -update after reading the diff).
func TestBadPolicies(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) == 0 {
		t.Fatal("no bad fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := Compile(loadConfig(t, f))
			var ps *config.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("want *config.Problems, got %v", err)
			}
			for _, p := range ps.List {
				if p.Line == 0 {
					t.Errorf("problem without a line: %v", p)
				}
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
