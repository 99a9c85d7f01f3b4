package transform

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

var fuzzTypes = []classify.Type{classify.Email, classify.Phone, classify.PaymentCard, classify.PersonName}

// cutPoints turns fuzz bytes into sorted positions in [0, n].
func cutPoints(cuts []byte, n int) []int {
	var ps []int
	prev := 0
	for _, c := range cuts {
		if n == 0 {
			break
		}
		p := prev + int(c)%(n-prev+1)
		ps = append(ps, p)
		prev = p
	}
	return ps
}

// fragments splits b at the cut points.
func fragments(b []byte, cuts []int) [][]byte {
	var fs [][]byte
	prev := 0
	for _, c := range cuts {
		fs = append(fs, b[prev:c])
		prev = c
	}
	return append(fs, b[prev:])
}

func seedApply(f *testing.F) {
	for _, c := range []struct{ body, cuts string }{
		{"mail ann@example.com or bob@example.com", "\x05\x14\x03\x0f"},
		{"<EMAIL_1> ann <EMAIL_1>", "\x0a\x03"},
		{`he said "rené" <b>`, "\x08\x07"},
		{"", ""},
	} {
		f.Add([]byte(c.body), []byte(c.cuts))
	}
}

// FuzzApplyRestore: pseudonymize arbitrary spans of a text body; restoring
// gives the body back, whole and streamed.
func FuzzApplyRestore(f *testing.F) {
	seedApply(f)
	f.Fuzz(func(t *testing.T, body, cuts []byte) {
		pts := cutPoints(cuts, len(body))
		var fs []classify.Finding
		var as []policy.Action
		for i := 0; i+1 < len(pts); i += 2 {
			if pts[i] == pts[i+1] {
				continue
			}
			fs = append(fs, classify.Finding{Type: fuzzTypes[i/2%len(fuzzTypes)], Start: pts[i], End: pts[i+1]})
			as = append(as, policy.Pseudonymize)
		}
		v := NewVault()
		out, err := Apply(body, fs, as, v)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Restore(nil, out); !bytes.Equal(got, body) {
			t.Fatalf("Restore: got %q want %q", got, body)
		}
		if got := stream(t, v, fragments(out, cutPoints(cuts, len(out)))...); !bytes.Equal(got, body) {
			t.Fatalf("stream: got %q want %q", got, body)
		}
	})
}

// FuzzApplyJSON: pseudonymize every other rune-aligned segment of a JSON
// string value; the output is valid JSON and restores to the input.
func FuzzApplyJSON(f *testing.F) {
	f.Add("write to rené@example.fr \"quoted\" <tag> \u2028 & \\ end", []byte("\x09\x0c\x05\x07"))
	f.Add("<EMAIL_1>", []byte("\x01\x03"))
	f.Add("", []byte(""))
	f.Fuzz(func(t *testing.T, s string, cuts []byte) {
		s = strings.ToValidUTF8(s, "?")
		runes := []rune(s)
		pts := cutPoints(cuts, len(runes))
		body := []byte(`{"messages":[{"content":"`)
		var fs []classify.Finding
		var as []policy.Action
		prev := 0
		for i, p := range append(pts, len(runes)) {
			seg, err := json.Marshal(string(runes[prev:p]))
			if err != nil {
				t.Fatal(err)
			}
			seg = seg[1 : len(seg)-1]
			if i%2 == 1 && len(seg) > 0 {
				fs = append(fs, classify.Finding{Type: fuzzTypes[i%len(fuzzTypes)], Start: len(body), End: len(body) + len(seg), Path: "$.messages[0].content"})
				as = append(as, policy.Pseudonymize)
			}
			body = append(body, seg...)
			prev = p
		}
		body = append(body, `"}]}`...)
		v := NewVault()
		out, err := Apply(body, fs, as, v)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON out: %s", out)
		}
		if got := v.Restore(nil, out); !bytes.Equal(got, body) {
			t.Fatalf("Restore: got %s want %s", got, body)
		}
		if got := v.RestoreJSON(nil, out); !bytes.Equal(got, body) {
			t.Fatalf("RestoreJSON: got %s want %s", got, body)
		}
		var doc struct{ Messages []struct{ Content string } }
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		content := []byte(doc.Messages[0].Content)
		if got := v.RestoreText(nil, content); string(got) != s {
			t.Fatalf("RestoreText: got %q want %q", got, s)
		}
		if got := stream(t, v, fragments(content, cutPoints(cuts, len(content)))...); string(got) != s {
			t.Fatalf("stream: got %q want %q", got, s)
		}
	})
}

// FuzzRestoreJSON: any input is handled without panic, and a valid JSON
// document stays valid.
func FuzzRestoreJSON(f *testing.F) {
	for _, s := range []string{
		`{"c":"<EMAIL_1> and \u003cPHONE_1\u003e"}`, `["<EMAIL_1>`, `"\`, `{"<EMAIL_1>":"\"<PHONE_1>\""}`, `"\u003cEMAIL_1\u003`,
	} {
		f.Add([]byte(s))
	}
	v := vaultOf(f, []string{"email ann\"<x>\"@example.com", "phone +44\t20 7946 0018"})
	f.Fuzz(func(t *testing.T, src []byte) {
		out := v.RestoreJSON(nil, src)
		if json.Valid(src) && !json.Valid(out) {
			t.Fatalf("valid in, invalid out: %q → %q", src, out)
		}
		if utf8.Valid(src) && !bytes.Contains(src, []byte("EMAIL")) && !bytes.Contains(src, []byte("PHONE")) && !bytes.Equal(out, src) {
			t.Fatalf("changed without a placeholder: %q → %q", src, out)
		}
	})
}

// FuzzStream: any text cut anywhere streams to the one-shot restore.
func FuzzStream(f *testing.F) {
	f.Add([]byte("Hi <EMAIL_1>, <EMA<PHONE_1>>"), []byte("\x04\x02"))
	f.Add([]byte("<<<<EMAIL_2>"), []byte("\x01\x01\x01"))
	v := vaultOf(f, []string{"email ann@example.com", "email bob@example.com", "phone +1 555 0100", "payment_card 4111111111111111"})
	f.Fuzz(func(t *testing.T, text, cuts []byte) {
		want := v.RestoreText(nil, text)
		if got := stream(t, v, fragments(text, cutPoints(cuts, len(text)))...); !bytes.Equal(got, want) {
			t.Fatalf("got %q want %q", got, want)
		}
	})
}
