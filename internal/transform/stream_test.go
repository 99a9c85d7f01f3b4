package transform

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

type streamFile struct {
	Values []string `yaml:"values"` // "type value"
	Cases  []struct {
		Name string `yaml:"name"`
		Text string `yaml:"text"`
		Want string `yaml:"want"`
	} `yaml:"cases"`
}

// vaultOf pseudonymizes values ("type value") in a text body and returns
// the filled vault.
func vaultOf(t testing.TB, values []string) *Vault {
	t.Helper()
	var body []byte
	var fs []classify.Finding
	var as []policy.Action
	for _, tv := range values {
		typ, val, ok := strings.Cut(tv, " ")
		if !ok {
			t.Fatalf("value %q: want \"type value\"", tv)
		}
		if len(body) > 0 {
			body = append(body, ' ')
		}
		fs = append(fs, classify.Finding{Type: classify.Type(typ), Start: len(body), End: len(body) + len(val)})
		as = append(as, policy.Pseudonymize)
		body = append(body, val...)
	}
	v := NewVault()
	if _, err := Apply(body, fs, as, v); err != nil {
		t.Fatal(err)
	}
	return v
}

func loadStream(t testing.TB) (streamFile, *Vault) {
	t.Helper()
	data, err := os.ReadFile("testdata/stream.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var sf streamFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sf); err != nil {
		t.Fatal(err)
	}
	return sf, vaultOf(t, sf.Values)
}

// stream feeds fragments through a new restorer, checking the hold-back
// bound after every Write.
func stream(t testing.TB, v *Vault, frags ...[]byte) []byte {
	t.Helper()
	s := v.NewStreamRestorer()
	var out []byte
	for _, f := range frags {
		out = s.Write(out, f)
		if bound := max(0, v.MaxPlaceholderLen()-1); s.Held() > bound {
			t.Fatalf("holding %d bytes, bound is %d", s.Held(), bound)
		}
	}
	out = s.Flush(out)
	if s.Held() != 0 {
		t.Fatal("Flush left bytes held")
	}
	return out
}

// TestStreamSplits cuts every case's text into 2 and 3 fragments at every
// pair of byte positions; the output must equal the one-shot restore.
func TestStreamSplits(t *testing.T) {
	sf, v := loadStream(t)
	for _, c := range sf.Cases {
		t.Run(c.Name, func(t *testing.T) {
			text := []byte(c.Text)
			if got := string(v.RestoreText(nil, text)); got != c.Want {
				t.Fatalf("RestoreText: got %q want %q", got, c.Want)
			}
			if got := string(stream(t, v, text)); got != c.Want {
				t.Fatalf("one fragment: got %q want %q", got, c.Want)
			}
			for i := 0; i <= len(text); i++ {
				if got := string(stream(t, v, text[:i], text[i:])); got != c.Want {
					t.Fatalf("split %d: got %q want %q", i, got, c.Want)
				}
				for j := i; j <= len(text); j++ {
					if got := string(stream(t, v, text[:i], text[i:j], text[j:])); got != c.Want {
						t.Fatalf("split %d,%d: got %q want %q", i, j, got, c.Want)
					}
				}
			}
		})
	}
}

// TestStreamEmitsEarly: text that cannot start a placeholder is emitted at
// once, a possible prefix is held, and a prefix that turns out not to be
// one is emitted unchanged.
func TestStreamEmitsEarly(t *testing.T) {
	_, v := loadStream(t)
	s := v.NewStreamRestorer()
	steps := []struct{ in, out string }{
		{"Hello ", "Hello "},
		{"<EMA", ""},
		{"ZING> world", "<EMAZING> world"},
		{" <EMAIL", " "},
		{"_1", ""},
		{"> and <", "ann@example.com and "},
		{"b>", "<b>"},
		{"<", ""},
	}
	for _, st := range steps {
		if got := string(s.Write(nil, []byte(st.in))); got != st.out {
			t.Fatalf("Write(%q) = %q, want %q", st.in, got, st.out)
		}
	}
	if got := string(s.Flush(nil)); got != "<" {
		t.Fatalf("Flush = %q, want %q", got, "<")
	}
}

// TestStreamEmptyVault passes everything through at once.
func TestStreamEmptyVault(t *testing.T) {
	s := NewVault().NewStreamRestorer()
	if got := string(s.Write(nil, []byte("<EMAIL_1"))); got != "<EMAIL_1" {
		t.Fatalf("got %q", got)
	}
	if s.Held() != 0 {
		t.Fatal("empty vault held bytes")
	}
}
