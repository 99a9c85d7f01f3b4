package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var updateCheck = flag.Bool("update-check", false, "rewrite testdata/check/*.golden from the current output")

type checkCase struct {
	Name       string   `yaml:"name"`
	Dir        string   `yaml:"dir"`
	Args       []string `yaml:"args"`
	Exit       int      `yaml:"exit"`
	Stdout     []string `yaml:"stdout"`
	Stderr     []string `yaml:"stderr"`
	StdoutFile string   `yaml:"stdout_file"`
}

// TestCheck runs the cases of testdata/check/cases.yaml.
func TestCheck(t *testing.T) {
	raw, err := os.ReadFile("testdata/check/cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []checkCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOVEREIGN_DEMO_KEY", "demo-key")
	t.Setenv("UPSTREAM_KEY", "sk-upstream")
	for _, tc := range doc.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			dir := tc.Dir
			if dir == "" {
				dir = "../../internal/config/testdata"
			}
			t.Chdir(filepath.Join(here, dir))
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"check"}, tc.Args...), nil, &stdout, &stderr)
			if code != tc.Exit {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.Exit, &stdout, &stderr)
			}
			for _, s := range tc.Stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, &stdout)
				}
			}
			for _, s := range tc.Stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, &stderr)
				}
			}
			if tc.StdoutFile != "" {
				want := filepath.Join(here, tc.StdoutFile)
				if *updateCheck && strings.HasPrefix(tc.StdoutFile, "testdata/check/") {
					if err := os.WriteFile(want, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				exp, err := os.ReadFile(want)
				if err != nil {
					t.Fatal(err)
				}
				if stdout.String() != string(exp) {
					t.Errorf("output differs\n--- got\n%s--- want\n%s", &stdout, exp)
				}
			}
			if strings.Contains(stdout.String()+stderr.String(), "demo-key") || strings.Contains(stdout.String()+stderr.String(), "sk-upstream") {
				t.Error("a secret was printed")
			}
		})
	}
}
