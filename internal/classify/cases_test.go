package classify

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The detector corpus: testdata/cases/*.yaml. Each file may configure
// business rules; each case has a text or a JSON body and the complete list
// of findings expected (type, rule, the matched original text, path). A case
// with `only` compares just those types.

type caseFile struct {
	Business []BusinessRule `yaml:"business"`
	Cases    []detectCase   `yaml:"cases"`
}

type detectCase struct {
	Name string        `yaml:"name"`
	Text string        `yaml:"text"`
	JSON string        `yaml:"json"`
	Only []Type        `yaml:"only"`
	Want []wantFinding `yaml:"want"`
}

type wantFinding struct {
	Type Type   `yaml:"type"`
	Rule string `yaml:"rule"`
	Text string `yaml:"text"`
	Path string `yaml:"path"`
	// MinConfidence, when set, is the least confidence the finding may
	// have: for cases about context words, not about whether it is found.
	MinConfidence float64 `yaml:"min_confidence"`
}

func (w wantFinding) String() string {
	s := fmt.Sprintf("%s %q", w.Type, w.Text)
	if w.Rule != "" {
		s += " rule=" + w.Rule
	}
	if w.Path != "" {
		s += " path=" + w.Path
	}
	return s
}

// dataLines calls fn with each line of a plain case file that is neither
// blank nor a comment ('#'), and its line number.
func dataLines(t testing.TB, path string, fn func(n int, line string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if line := sc.Text(); line != "" && line[0] != '#' {
			fn(n, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func loadCaseFiles(t testing.TB) map[string]caseFile {
	t.Helper()
	paths, err := filepath.Glob("testdata/cases/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	out := map[string]caseFile{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var cf caseFile
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = cf
	}
	return out
}

func TestDetectorCases(t *testing.T) {
	for file, cf := range loadCaseFiles(t) {
		e, err := New(Config{Business: cf.Business})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, c := range cf.Cases {
			t.Run(strings.TrimSuffix(file, ".yaml")+"/"+c.Name, func(t *testing.T) {
				body, fs := runCase(t, e, c)
				var got []wantFinding
				var confs []float64
				for _, f := range fs {
					if len(c.Only) > 0 && !slices.Contains(c.Only, f.Type) {
						continue
					}
					got = append(got, wantFinding{Type: f.Type, Rule: f.Rule, Text: string(body[f.Start:f.End]), Path: f.Path})
					confs = append(confs, f.Confidence)
				}
				want := slices.Clone(c.Want)
				for i, w := range want {
					if w.Type == Secret && w.Rule == "" {
						t.Fatalf("case wants a secret without a rule")
					}
					want[i].MinConfidence = 0
				}
				if !slices.Equal(got, want) {
					t.Fatalf("findings differ\n got: %v\nwant: %v\n(all: %v)", got, want, describe(body, fs))
				}
				for i, w := range c.Want {
					if confs[i] < w.MinConfidence {
						t.Errorf("%v: confidence %.2f, want at least %.2f", w, confs[i], w.MinConfidence)
					}
				}
			})
		}
	}
}

// runCase classifies the case's body and checks the invariants every result
// must hold, whatever the findings.
func runCase(t *testing.T, e *Engine, c detectCase) ([]byte, []Finding) {
	t.Helper()
	var body []byte
	var fs []Finding
	switch {
	case c.JSON != "" && c.Text != "":
		t.Fatal("case has both text and json")
	case c.JSON != "":
		body = []byte(c.JSON)
		var err error
		if fs, err = e.JSON(body, nil); err != nil {
			t.Fatalf("JSON: %v", err)
		}
	default:
		body = []byte(c.Text)
		fs = e.Text(body, nil)
	}
	checkFindings(t, body, fs)
	return body, fs
}

func describe(body []byte, fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s/%s %.2f %q %s", f.Type, f.Rule, f.Confidence, body[f.Start:f.End], f.Path)
	}
	return b.String()
}

// Every secret rule the corpus expects is one SecretRules lists, and every
// rule SecretRules lists has a case.
func TestSecretRulesListed(t *testing.T) {
	seen := map[string]bool{}
	for _, cf := range loadCaseFiles(t) {
		for _, c := range cf.Cases {
			for _, w := range c.Want {
				if w.Type != Secret {
					continue
				}
				if !slices.Contains(SecretRules, w.Rule) {
					t.Errorf("case %q wants rule %q, which SecretRules does not list", c.Name, w.Rule)
				}
				seen[w.Rule] = true
			}
		}
	}
	for _, r := range SecretRules {
		if !seen[r] {
			t.Errorf("no case wants the secret rule %q", r)
		}
	}
}
