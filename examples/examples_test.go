package examples_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sovereign-gateway/sovereign/examples"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// env resolves the examples' secret references without the process
// environment: SOVEREIGN_DEMO_KEY and the quick start's key file.
var env = config.Env{
	LookupEnv: func(name string) (string, bool) { return "demo-key", name == "SOVEREIGN_DEMO_KEY" },
	ReadFile: func(path string) ([]byte, error) {
		if path == examples.QuickstartKeyFile {
			return []byte("sov-demo-test\n"), nil
		}
		return nil, os.ErrNotExist
	},
}

// TestExamplesLoad: every example loads, its rules compile, and the
// embedded quick start names the key file serve generates.
func TestExamplesLoad(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	if len(files) < 2 {
		t.Fatalf("examples: %v", files)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse(raw, f, env, policy.Check)
		if err != nil {
			t.Errorf("%s:\n%v", f, err)
			continue
		}
		if len(cfg.Models) == 0 || len(cfg.Clients) == 0 {
			t.Errorf("%s: no models or clients", f)
		}
	}
	cfg, err := config.Parse(examples.Quickstart, examples.QuickstartName, env)
	if err != nil {
		t.Fatal(err)
	}
	if ref := cfg.Clients[0].Key.Ref; ref != "file:"+examples.QuickstartKeyFile {
		t.Errorf("the quick start reads its key from %q, serve writes %q", ref, examples.QuickstartKeyFile)
	}
	if filepath.Dir(examples.QuickstartKeyFile) != cfg.Server.DataDir {
		t.Errorf("the demo key %s is not in the data dir %s", examples.QuickstartKeyFile, cfg.Server.DataDir)
	}
	// Without the key file the quick start does not load: serve must create it first.
	noKey := env
	noKey.ReadFile = func(string) ([]byte, error) { return nil, os.ErrNotExist }
	var ps *config.Problems
	if _, err := config.Parse(examples.Quickstart, examples.QuickstartName, noKey); !errors.As(err, &ps) {
		t.Errorf("quick start without its key file: %v", err)
	}
}
