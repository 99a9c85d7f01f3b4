package crm

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// clientPlan is a run of a real Salesforce client against the face: its
// steps (client-specific) and the checks of a case file.
type clientPlan struct {
	testCase `yaml:",inline"`
	Calls    []map[string]any `yaml:"calls"`
}

type clientWant struct {
	OK   bool           `yaml:"ok"`
	JSON map[string]any `yaml:"json"`
}

type clientResult struct {
	Name   string          `json:"name"`
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

const jsforceDir = "testdata/jsforce"

// ensureNodeModules installs the pinned client from package-lock.json when
// it is missing (a clean checkout). It fails, never skips: a client test that
// does not run is a test that passes silently.
func ensureNodeModules(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "jsforce", "package.json")); err == nil {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("jsforce client test: npm is not installed (Node 20 with npm is required; see scripts/test-deps.sh): %v", err)
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("jsforce client test: `npm ci` in %s failed (run scripts/test-deps.sh): %v\n%s", dir, err, out)
	}
}

// TestJSForce drives the face with jsforce 3.10.16 (package-lock.json pins
// it and its dependencies).
func TestJSForce(t *testing.T) {
	ensureNodeModules(t, jsforceDir)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("jsforce client test: node is not installed: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(jsforceDir, "plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var plan clientPlan
	if err := yaml.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, harnessOptions{})
	results := runClient(t, plan, func(steps []byte) ([]byte, error) {
		cmd := exec.Command(node, "client.js")
		cmd.Dir = jsforceDir
		cmd.Env = append(os.Environ(), "GATEWAY_URL="+h.gw.URL, "KEY_EU="+keyEUSupport, "KEY_US="+keyUSAnalytics)
		cmd.Stdin = bytes.NewReader(steps)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node client.js: %v\n%s", err, stderr.String())
		}
		return out, nil
	})
	checkClientResults(t, plan, results)
	h.flush()
	checkCase(t, h, plan.testCase, nil)
}

// runClient sends the plan's steps (without their wants) to run and decodes
// one result per step.
func runClient(t *testing.T, plan clientPlan, run func([]byte) ([]byte, error)) []clientResult {
	t.Helper()
	steps := make([]map[string]any, len(plan.Calls))
	for i, s := range plan.Calls {
		c := map[string]any{}
		for k, v := range s {
			if k != "want" {
				c[k] = v
			}
		}
		steps[i] = c
	}
	in, err := json.Marshal(steps)
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(in)
	if err != nil {
		t.Fatal(err)
	}
	var results []clientResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(steps) {
		t.Fatalf("client output (%v): %s", err, out)
	}
	return results
}

func checkClientResults(t *testing.T, plan clientPlan, results []clientResult) {
	t.Helper()
	for i, s := range plan.Calls {
		var want clientWant
		b, _ := yaml.Marshal(s["want"])
		if err := yaml.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		r := results[i]
		if r.OK != want.OK {
			t.Errorf("step %s: ok = %v, want %v (result %s, error %s)", r.Name, r.OK, want.OK, r.Result, r.Error)
			continue
		}
		doc := r.Result
		if !r.OK {
			doc = r.Error
		}
		var v any
		_ = json.Unmarshal(doc, &v)
		for p, w := range want.JSON {
			got, ok := lookupPath(v, p)
			if !ok && w == nil {
				ok = true // jsforce leaves out some nulls
			}
			if !ok || !sameJSON(got, w, nil) {
				t.Errorf("step %s: %s = %v, want %v (in %s)", r.Name, p, got, w, doc)
			}
		}
		if strings.Contains(string(r.Error), orgClientSecret) {
			t.Errorf("step %s: an org credential in the client's error", r.Name)
		}
	}
}
