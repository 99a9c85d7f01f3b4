package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

type applyCase struct {
	Name     string   `yaml:"name"`
	JSON     bool     `yaml:"json"`
	Body     string   `yaml:"body"`
	Findings []string `yaml:"findings"` // "type action needle"
	Want     string   `yaml:"want"`
	Restore  *bool    `yaml:"restore"`
}

func loadApplyCases(t testing.TB) []applyCase {
	t.Helper()
	data, err := os.ReadFile("testdata/apply.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []applyCase
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// spans turns the case's findings into classify findings and actions.
func (c applyCase) spans(t testing.TB) ([]classify.Finding, []policy.Action, bool) {
	t.Helper()
	var fs []classify.Finding
	var as []policy.Action
	redacts := false
	pos := 0
	for _, f := range c.Findings {
		parts := strings.SplitN(f, " ", 3)
		if len(parts) != 3 {
			t.Fatalf("%s: finding %q: want \"type action needle\"", c.Name, f)
		}
		a, err := policy.ParseAction(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		redacts = redacts || a == policy.Redact
		k := strings.Index(c.Body[pos:], parts[2])
		if k < 0 {
			t.Fatalf("%s: needle %q not found after %d", c.Name, parts[2], pos)
		}
		fd := classify.Finding{Type: classify.Type(parts[0]), Class: classify.ClassPersonal, Start: pos + k, End: pos + k + len(parts[2])}
		if c.JSON {
			fd.Path = "$.x"
		}
		fs = append(fs, fd)
		as = append(as, a)
		pos = fd.End
	}
	return fs, as, !redacts
}

func TestApplyCases(t *testing.T) {
	for _, c := range loadApplyCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			body := []byte(c.Body)
			orig := bytes.Clone(body)
			fs, as, restorable := c.spans(t)
			if c.Restore != nil {
				restorable = *c.Restore
			}
			v := NewVault()
			out, err := Apply(body, fs, as, v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(body, orig) {
				t.Fatal("Apply modified its input")
			}
			if string(out) != c.Want {
				t.Fatalf("got  %s\nwant %s", out, c.Want)
			}
			if c.JSON && !json.Valid(out) {
				t.Fatalf("output is not valid JSON: %s", out)
			}
			if restorable {
				if got := v.Restore(nil, out); !bytes.Equal(got, body) {
					t.Errorf("Restore:\n got %s\nwant %s", got, body)
				}
			}
			if c.JSON {
				rj := v.RestoreJSON(nil, out)
				if !json.Valid(rj) {
					t.Fatalf("RestoreJSON output is not valid JSON: %s", rj)
				}
				if restorable && !jsonEqual(t, rj, body) {
					t.Errorf("RestoreJSON:\n got %s\nwant %s", rj, body)
				}
			}
		})
	}
}

func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// TestRestoreForms checks the three forms of an escaped original: raw bytes
// for Restore, decoded text for RestoreText, escaped for RestoreJSON, also
// when the upstream escaped the placeholder's angle brackets.
func TestRestoreForms(t *testing.T) {
	body := []byte(`{"content":"to \"ren\u00e9\"@example.fr"}`)
	raw := `\"ren\u00e9\"@example.fr`
	start := bytes.Index(body, []byte(raw))
	v := NewVault()
	out, err := Apply(body, []classify.Finding{{Type: classify.Email, Start: start, End: start + len(raw), Path: "$.content"}},
		[]policy.Action{policy.Pseudonymize}, v)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"Restore", v.Restore(nil, []byte("x <EMAIL_1> y")), `x ` + raw + ` y`},
		{"RestoreText", v.RestoreText(nil, []byte("x <EMAIL_1> y")), `x "rené"@example.fr y`},
		{"RestoreJSON plain", v.RestoreJSON(nil, out), string(body)},
		{"RestoreJSON escaped brackets", v.RestoreJSON(nil, []byte(`{"c":"hi \u003cEMAIL_1\u003e\n"}`)), `{"c":"hi ` + raw + `\n"}`},
		{"RestoreJSON outside strings untouched", v.RestoreJSON(nil, []byte(`{"<EMAIL_1>":1}`)), `{"` + raw + `":1}`},
		{"RestoreJSON unknown placeholder", v.RestoreJSON(nil, []byte(`{"c":"<EMAIL_2> \u003cEMAIL_3\u003e"}`)), `{"c":"<EMAIL_2> \u003cEMAIL_3\u003e"}`},
		{"RestoreJSON unterminated", v.RestoreJSON(nil, []byte(`{"c":"<EMAIL_1>`)), `{"c":"` + raw},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}

// TestRestoreJSONTextOrigin: a value found in a text body and restored into
// a JSON response is escaped, so the response stays valid.
func TestRestoreJSONTextOrigin(t *testing.T) {
	body := []byte("he said \"ann\"\t<b>@example.com\x01 ok")
	v := NewVault()
	val := "\"ann\"\t<b>@example.com\x01"
	start := bytes.Index(body, []byte(val))
	if _, err := Apply(body, []classify.Finding{{Type: classify.Email, Start: start, End: start + len(val)}},
		[]policy.Action{policy.Pseudonymize}, v); err != nil {
		t.Fatal(err)
	}
	resp := v.RestoreJSON(nil, []byte(`{"choices":[{"message":{"content":"got <EMAIL_1>."}}]}`))
	if !json.Valid(resp) {
		t.Fatalf("not valid JSON: %s", resp)
	}
	var got struct {
		Choices []struct{ Message struct{ Content string } }
	}
	if err := json.Unmarshal(resp, &got); err != nil {
		t.Fatal(err)
	}
	if want := "got " + val + "."; got.Choices[0].Message.Content != want {
		t.Fatalf("got %q want %q", got.Choices[0].Message.Content, want)
	}
}

func TestApplyErrors(t *testing.T) {
	const canary = "canary-7f3a@example.com"
	body := []byte(`{"c":"` + canary + ` and caf\u00e9"}`)
	s := bytes.Index(body, []byte(canary))
	e := s + len(canary)
	esc := bytes.Index(body, []byte(`\u00e9`))
	f := func(start, end int) classify.Finding {
		return classify.Finding{Type: classify.Email, Start: start, End: end, Path: "$.c"}
	}
	tests := []struct {
		name     string
		findings []classify.Finding
		actions  []policy.Action
		vault    bool
		want     error
	}{
		{"block", []classify.Finding{f(s, e)}, []policy.Action{policy.Block}, true, ErrBlocked},
		{"count mismatch", []classify.Finding{f(s, e)}, nil, true, ErrFindings},
		{"out of range", []classify.Finding{f(s, len(body)+1)}, []policy.Action{policy.Redact}, true, ErrFindings},
		{"empty span", []classify.Finding{f(s, s)}, []policy.Action{policy.Redact}, true, ErrFindings},
		{"overlap", []classify.Finding{f(s, e), f(e-3, e+2)}, []policy.Action{policy.Redact, policy.Redact}, true, ErrFindings},
		{"unsorted", []classify.Finding{f(e+1, e+3), f(s, e)}, []policy.Action{policy.Redact, policy.Redact}, true, ErrFindings},
		{"unknown action", []classify.Finding{f(s, e)}, []policy.Action{policy.Action(9)}, true, ErrFindings},
		{"no vault", []classify.Finding{f(s, e)}, []policy.Action{policy.Pseudonymize}, false, ErrFindings},
		{"cut escape", []classify.Finding{f(s, esc+3)}, []policy.Action{policy.Pseudonymize}, true, ErrFindings},
	}
	for _, tt := range tests {
		var v *Vault
		if tt.vault {
			v = NewVault()
		}
		out, err := Apply(body, tt.findings, tt.actions, v)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
			continue
		}
		if out != nil {
			t.Errorf("%s: output returned with error", tt.name)
		}
		if strings.Contains(err.Error(), "canary") || strings.Contains(err.Error(), "caf") {
			t.Errorf("%s: error leaks data: %v", tt.name, err)
		}
	}
}

// TestVaultNeverPrints: fmt and slog see the size of a vault, never a value.
func TestVaultNeverPrints(t *testing.T) {
	const canary = "canary-91b2@example.com"
	body := []byte(canary)
	v := NewVault()
	if _, err := Apply(body, []classify.Finding{{Type: classify.Email, Start: 0, End: len(body)}},
		[]policy.Action{policy.Pseudonymize}, v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		b.Reset()
		fmt.Fprintf(&b, verb, v)
		if strings.Contains(b.String(), "canary") || strings.Contains(b.String(), "63616e617279") {
			t.Errorf("%s leaks: %s", verb, b.String())
		}
	}
	if s := v.LogValue().String(); strings.Contains(s, "canary") {
		t.Errorf("LogValue leaks: %s", s)
	}
	if v.Len() != 1 {
		t.Errorf("Len %d, want 1", v.Len())
	}
}

// TestRestoreEscaped: tool-call arguments are JSON text, so a restored
// value with a quote, a backslash or a newline must keep them valid, whole
// and streamed.
func TestRestoreEscaped(t *testing.T) {
	v := vaultOf(t, []string{"person_name René \"Ren\" Ørsted", "postal_address 1 Main St\\\nSpringfield"})
	args := []byte(`{"to":"<PERSON_NAME_1>","address":"<POSTAL_ADDRESS_1>"}`)
	got := v.RestoreEscaped(nil, args)
	var decoded struct{ To, Address string }
	if err := json.Unmarshal(got, &decoded); err != nil {
		t.Fatalf("restored arguments %s are not JSON: %v", got, err)
	}
	if decoded.To != `René "Ren" Ørsted` || decoded.Address != "1 Main St\\\nSpringfield" {
		t.Fatalf("decoded %+v", decoded)
	}
	for cut := 0; cut <= len(args); cut++ {
		r := v.NewEscapedStreamRestorer()
		out := r.Write(nil, args[:cut])
		out = r.Write(out, args[cut:])
		out = r.Flush(out)
		if !bytes.Equal(out, got) {
			t.Fatalf("cut %d: %s, want %s", cut, out, got)
		}
	}
}
