package classify

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// The key shortcut (keyExplains) must report exactly what the detectors and
// the key report together, for every value it takes.

type keyValueCase struct {
	key, value string
	shortcut   bool
}

func loadKeyValueCases(t testing.TB) []keyValueCase {
	t.Helper()
	var cases []keyValueCase
	dataLines(t, "testdata/keyshortcut/values.tsv", func(n int, line string) {
		parts := strings.Split(line, "\t")
		if len(parts) != 3 || parts[2] != "yes" && parts[2] != "no" {
			t.Fatalf("values.tsv:%d: want key, value, yes|no separated by tabs", n)
		}
		cases = append(cases, keyValueCase{parts[0], parts[1], parts[2] == "yes"})
	})
	return cases
}

// shortcutPair returns an engine with the shortcut and one without.
func shortcutPair(t testing.TB) (fast, slow *Engine) {
	t.Helper()
	return shortcutPairWith(t, Config{})
}

// shortcutPairWith is shortcutPair for engines made from cfg.
func shortcutPairWith(t testing.TB, cfg Config) (fast, slow *Engine) {
	t.Helper()
	return enginePair(t, cfg, func(e *Engine) { e.noKeyShortcut = true })
}

// enginePair returns two engines made from cfg, the second with off
// applied: a default engine and one with a shortcut turned off, for tests
// that compare the two.
func enginePair(t testing.TB, cfg Config, off func(*Engine)) (on, without *Engine) {
	t.Helper()
	on, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	without, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	off(without)
	return on, without
}

// memberBody is {"key": value} inside a record array, as CRM bodies are.
func memberBody(key, value string) []byte {
	b, _ := json.Marshal(map[string]any{"records": []map[string]string{{key: value}}})
	return b
}

// keyExplainsFor runs keyExplains on value as the walker would see it under key.
func keyExplainsFor(e *Engine, key, value string) bool {
	s := newScanner()
	s.eng, s.inJSON = e, true
	var buf [256]byte
	s.hint = lookupKey(&buf, []byte(key))
	s.begin([]byte(value), 0, nil)
	return s.keyExplains([]byte(value)) != keyAsks
}

func checkShortcutAgrees(t *testing.T, fast, slow *Engine, body []byte) {
	t.Helper()
	got, want := fast.Scan(body, nil), slow.Scan(body, nil)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n with the shortcut %v\n detectors alone   %v", body, got, want)
	}
}

func TestKeyShortcutAgrees(t *testing.T) {
	fast, slow := shortcutPair(t)
	taken := 0
	for _, c := range loadKeyValueCases(t) {
		if got := keyExplainsFor(fast, c.key, c.value); got != c.shortcut {
			t.Errorf("%s: %q: shortcut %v, want %v", c.key, c.value, got, c.shortcut)
		}
		if c.shortcut {
			taken++
			// Typed keys report the value; identifier, city and other keys nothing.
			var buf [256]byte
			want := 1
			if h := lookupKey(&buf, []byte(c.key)); h == hintNotPII || h == hintCity || h == hintNone {
				want = 0
			}
			if n := len(fast.Scan(memberBody(c.key, c.value), nil)); n != want {
				t.Errorf("%s: %q: the shortcut reports %d findings, want %d", c.key, c.value, n, want)
			}
		}
		checkShortcutAgrees(t, fast, slow, memberBody(c.key, c.value))
		if isJSONNumber(c.value) {
			// Prices and order numbers come as JSON numbers too.
			checkShortcutAgrees(t, fast, slow, []byte(`{"records":[{"`+c.key+`":`+c.value+`}]}`))
		}
		// The same value as free text, and after other members.
		checkShortcutAgrees(t, fast, slow, []byte(`{"note":"call me","`+c.key+`":`+jsonString(c.value)+`,"x":1}`))
	}
	if taken < 10 {
		t.Fatalf("only %d cases take the shortcut: the test checks nothing", taken)
	}
}

func isJSONNumber(s string) bool {
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil && s != "" && s[0] != '"'
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Above the default threshold the shortcut stays on, and a value it
// reports whole must still meet the threshold; with business rules, whose
// findings can overlap it, its finding goes through the overlap sweep.
func TestKeyShortcutAgreesWithThresholdsAndRules(t *testing.T) {
	for _, cfg := range []Config{
		{Threshold: 0.9},
		{Threshold: 0.95},
		{Threshold: 0.96},
		{Business: []BusinessRule{{ID: "vip", Terms: []string{"Girard", "example.com", "Toulouse"}}}},
	} {
		fast, slow := shortcutPairWith(t, cfg)
		for _, c := range loadKeyValueCases(t) {
			checkShortcutAgrees(t, fast, slow, memberBody(c.key, c.value))
		}
		for _, k := range []synth.Kind{synth.Customers, synth.Orders} {
			checkShortcutAgrees(t, fast, slow, synth.Generate(k, 16<<10, 1))
		}
	}
}

// Whole generated bodies, where the shortcut takes most members, get the
// same findings with it and without it.
func TestKeyShortcutAgreesOnPayloads(t *testing.T) {
	fast, slow := shortcutPair(t)
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		for seed := uint64(1); seed <= 4; seed++ {
			body := synth.Generate(k, 64<<10, seed)
			got, want := fast.Scan(body, nil), slow.Scan(body, nil)
			if len(want) == 0 {
				t.Fatalf("%s/%d: no findings: the comparison checks nothing", k, seed)
			}
			if !reflect.DeepEqual(got, want) {
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("%s/%d: finding %d is %v with the shortcut, %v without", k, seed, i, got[i], want[i])
					}
				}
				t.Fatalf("%s/%d: %d findings with the shortcut, %d without", k, seed, len(got), len(want))
			}
		}
	}
}

// The shortcut is off for a disabled engine: the comparison is real.
func TestKeyShortcutCanBeOff(t *testing.T) {
	fast, slow := shortcutPair(t)
	if !keyExplainsFor(fast, "Email", "anna@example.com") || keyExplainsFor(slow, "Email", "anna@example.com") {
		t.Fatal("the shortcut should be on by default and off on the comparison engine")
	}
}

// Below the default threshold weak candidates of other types count (a
// fiscal code under an order number key keeps 0.45), so the shortcut is off.
func TestKeyShortcutNeedsTheDefaultThreshold(t *testing.T) {
	low, err := New(Config{Threshold: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	if keyExplainsFor(low, "order_number", "RSSMRA85T10A562S") {
		t.Fatal("the shortcut should be off below the default threshold")
	}
	if got := low.Scan(memberBody("order_number", "RSSMRA85T10A562S"), nil); len(got) != 1 || got[0].Type != ITFiscalCode {
		t.Fatalf("at threshold 0.3 the fiscal code should be found: %v", got)
	}
	fast, _ := shortcutPair(t)
	if !keyExplainsFor(fast, "order_number", "RSSMRA85T10A562S") {
		t.Fatal("at the default threshold the identifier key explains the value")
	}
}

// FuzzKeyShortcut: any value under any typed key gets the same findings with
// and without the shortcut.
func FuzzKeyShortcut(f *testing.F) {
	keys := []string{"Email", "MailingPostalCode", "Birthdate", "MailingStreet", "Phone", "FirstName", "Id",
		"CreatedDate", "MailingCity", "ip_address", "unit_price", "card_number", "url"}
	for _, c := range loadKeyValueCases(f) {
		for k, key := range keys {
			if strings.EqualFold(key, c.key) {
				f.Add(uint8(k), c.value)
			}
		}
		f.Add(uint8(3), c.value)
		f.Add(uint8(6), c.value)
		f.Add(uint8(9), c.value)
	}
	fast, slow := shortcutPair(f)
	f.Fuzz(func(t *testing.T, k uint8, value string) {
		checkShortcutAgrees(t, fast, slow, memberBody(keys[int(k)%len(keys)], value))
	})
}
