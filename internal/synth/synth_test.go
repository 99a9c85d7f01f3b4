package synth

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	for _, k := range Kinds {
		for _, size := range []int{1 << 10, 64 << 10} {
			a := Generate(k, size, 1)
			if len(a) < size || k.JSON() && len(a) > size*2+4096 || !k.JSON() && len(a) != size {
				t.Errorf("%s: %d bytes for size %d", k, len(a), size)
			}
			if k.JSON() && !json.Valid(a) {
				t.Errorf("%s: not valid JSON", k)
			}
			if !bytes.Equal(a, Generate(k, size, 1)) {
				t.Errorf("%s: not deterministic", k)
			}
			if bytes.Equal(a, Generate(k, size, 2)) {
				t.Errorf("%s: seed ignored", k)
			}
		}
	}
}

func TestCheckDigits(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		g := newGen(seed)
		c := card(g)
		d := ""
		for _, r := range c {
			if r != ' ' {
				d += string(r)
			}
		}
		if luhnDigit(d[:15]) != int(d[15]-'0') {
			t.Fatalf("card %s fails Luhn", c)
		}
		iban := strings.ReplaceAll(ibanDE(g), " ", "")
		rem := 0
		for _, c := range iban[4:] + "1314" + iban[2:4] { // D=13, E=14
			rem = (rem*10 + int(c-'0')) % 97
		}
		if len(iban) != 22 || rem != 1 {
			t.Fatalf("iban %q: length %d, mod 97 = %d", iban, len(iban), rem)
		}
	}
}

// TestNoFormatErrors: every template gets as many values as it has verbs
// (the catalog's first template once got one too many, and every catalog
// payload carried "%!(EXTRA int=41)").
func TestNoFormatErrors(t *testing.T) {
	for _, k := range Kinds {
		for seed := uint64(1); seed <= 8; seed++ {
			if b := Generate(k, 64<<10, seed); bytes.Contains(b, []byte("%!")) {
				i := bytes.Index(b, []byte("%!"))
				t.Fatalf("%s seed %d: a format error at byte %d: %q", k, seed, i, b[max(0, i-40):min(len(b), i+40)])
			}
		}
	}
}

func TestConversationResendsEveryMessage(t *testing.T) {
	turns := Conversation(2<<10, 3)
	if len(turns) < 3 {
		t.Fatalf("%d turns, want 3 or more for a 2 KiB conversation", len(turns))
	}
	if last := turns[len(turns)-1]; len(last) < 2<<10 || len(turns[len(turns)-2]) >= 2<<10 {
		t.Fatalf("the last turn is %d bytes, the one before %d: want the first of at least 2048", len(last), len(turns[len(turns)-2]))
	}
	var prev chatRequest
	for i, b := range turns {
		var req chatRequest
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatalf("turn %d: %v", i, err)
		}
		if n := len(req.Messages); n != 2*i+2 || req.Messages[n-1].Role != "user" {
			t.Fatalf("turn %d: %d messages ending with %q, want %d ending with the user's", i, n, req.Messages[n-1].Role, 2*i+2)
		}
		for k, m := range prev.Messages {
			if req.Messages[k] != m {
				t.Fatalf("turn %d: message %d differs from the turn before", i, k)
			}
		}
		prev = req
	}
}
