package crm

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

type soqlCase struct {
	Q     string   `yaml:"q"`
	Want  string   `yaml:"want"`
	Local []string `yaml:"local"`
	Error string   `yaml:"error"`
}

func loadSOQLCases(t testing.TB) []soqlCase {
	data, err := os.ReadFile("testdata/soql.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []soqlCase
	if err := yaml.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// soqlFace is a face with the test policy, without stores or an org: the
// rewriter needs only the policy and a tenant's tokenizer.
func soqlFace(t testing.TB) (*Face, tokenizer) {
	cfg := loadTestConfig(t, t.TempDir(), "http://127.0.0.1:1", "", "")
	pol, _ := compilePolicy(cfg.Salesforce)
	eng, err := classify.New(classify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &Face{policy: pol, classifier: eng}, tokenizer{key: []byte("soql-test-tenant-key-32-bytes!!!")}
}

var tokRe = regexp.MustCompile(`\{\{tok:([a-z_]+):([^}]*)\}\}`)

func TestRewriteSOQL(t *testing.T) {
	f, tk := soqlFace(t)
	for _, c := range loadSOQLCases(t) {
		got, local, fail := f.rewriteSOQL(c.Q, tk)
		if c.Error != "" {
			if fail == nil || fail.code != c.Error {
				t.Errorf("%q: got %q %v, want refusal %s", c.Q, got, fail, c.Error)
			}
			continue
		}
		want := tokRe.ReplaceAllStringFunc(c.Want, func(m string) string {
			p := tokRe.FindStringSubmatch(m)
			return format(tk.token(p[1], p[2]), p[1] == "email")
		})
		if fail != nil || got != want || !slices.Equal(local, c.Local) {
			t.Errorf("%q:\n got  %q %v %v\n want %q %v", c.Q, got, local, fail, want, c.Local)
		}
	}
}

// FuzzRewriteSOQL: the rewriter never panics; what it sends lexes, and no
// string compared with a tokenized-only field (Email) leaves in clear.
func FuzzRewriteSOQL(f *testing.F) {
	for _, c := range loadSOQLCases(f) {
		f.Add(c.Q)
	}
	face, tk := soqlFace(f)
	f.Fuzz(func(t *testing.T, q string) {
		out, _, fail := face.rewriteSOQL(q, tk)
		if fail != nil {
			if fail.status != 400 || strings.Contains(fail.msg, "'") && len(q) > 0 && strings.Contains(fail.msg, q) {
				t.Fatalf("refusal %+v", fail)
			}
			return
		}
		toks, err := sfwire.Lex(out)
		if err != nil {
			t.Fatalf("rewritten query does not lex: %q → %q", q, out)
		}
		depth := 0
		for i := 0; i+2 < len(toks); i++ {
			switch toks[i].Text {
			case "(":
				depth++
			case ")":
				depth--
			}
			if depth != 0 || toks[i].Text != "Email" || toks[i+1].Kind != sfwire.TokOp || toks[i+2].Kind != sfwire.TokString {
				continue
			}
			if v := sfwire.StringValue(toks[i+2].Text); v != "" && !tokenRe.MatchString(v) {
				t.Fatalf("a clear value compared with Email reaches the org: %q → %q", q, out)
			}
		}
	})
}
