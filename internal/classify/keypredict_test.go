package classify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"testing"
)

// predictionPair returns an engine made from cfg that predicts keys (the
// default) and one that reads every key in full.
func predictionPair(t testing.TB, cfg Config) (predicting, reading *Engine) {
	t.Helper()
	return enginePair(t, cfg, func(e *Engine) { e.noKeyPrediction = true })
}

// bodyCase is a named body of a JSON-lines case file.
type bodyCase struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

// loadBodyCases reads a JSON-lines file of bodyCase.
func loadBodyCases(t testing.TB, path string) []bodyCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []bodyCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c bodyCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func loadPredictionCases(t testing.TB) []bodyCase {
	return loadBodyCases(t, "testdata/keyprediction/bodies.jsonl")
}

// checkPredictionAgrees scans body with both engines, twice each (the
// second scan starts with the memo and links the first one left), and
// fails unless findings and errors are the same.
func checkPredictionAgrees(t *testing.T, name string, predicting, reading *Engine, body []byte) []Finding {
	t.Helper()
	want, wantErr := reading.JSON(body, nil)
	for round := range 2 {
		got, err := predicting.JSON(body, nil)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("%s (scan %d): error %v with the prediction, %v without", name, round+1, err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("%s (scan %d): finding %d is %v with the prediction, %v without", name, round+1, i, got[i], want[i])
				}
			}
			t.Fatalf("%s (scan %d): %d findings with the prediction, %d without", name, round+1, len(got), len(want))
		}
	}
	return want
}

// Bodies built to mislead the prediction (keys one letter longer or
// shorter, in another case, escaped, too long, reordered, at the end of the
// body) get the same findings with it and without it, as written and
// compacted.
func TestKeyPredictionAgrees(t *testing.T) {
	predicting, reading := predictionPair(t, Config{})
	for _, c := range loadPredictionCases(t) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(c.Body)); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		found := checkPredictionAgrees(t, c.Name, predicting, reading, []byte(c.Body))
		checkPredictionAgrees(t, c.Name+" (compact)", predicting, reading, compact.Bytes())
		if len(found) == 0 {
			t.Errorf("%s: no findings: the comparison checks little", c.Name)
		}
	}
}

// The prediction takes the keys of repeated records: a scan with it reads
// fewer keys in full. Counted through the memo's links, which only the
// prediction sets.
func TestKeyPredictionTakes(t *testing.T) {
	predicting, _ := predictionPair(t, Config{})
	body := []byte(`{"records":[{"Email":"a@example.com","Phone":"+49 30 90182044"},{"Email":"b@example.com","Phone":"+49 30 90182045"}]}`)
	s := predicting.get()
	defer predicting.put(s)
	s.dst = nil
	if err := s.scanJSON(body); err != nil {
		t.Fatal(err)
	}
	links := 0
	for k := range s.js.keys {
		if s.js.keys[k].next != 0 || s.js.keys[k].child != 0 {
			links++
		}
	}
	// "records" -> first key "Email", "Email" -> "Phone".
	if links < 2 {
		t.Fatalf("%d memo entries link to a next key: the prediction never learned the records' keys", links)
	}
	if len(s.dst) != 4 {
		t.Fatalf("want 4 findings (two emails, two phones), got %v", s.dst)
	}
}

// keyPattern.at accepts the predicted key only when the bytes are the key's
// followed by its closing quote.
func TestPredictedKey(t *testing.T) {
	pad := `,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`
	cases := []struct {
		key, text string
		ok        bool
	}{
		{"name", `"name":1` + pad, true},
		{"name", `"names":1` + pad, false},
		{"name", `"nam":1` + pad, false},
		{"name", `"Name":1` + pad, false},
		{"name", `"nam\u0065":1` + pad, false},
		{"MailingPostalCode", `"MailingPostalCode":1` + pad, true},
		{"MailingPostalCode", `"MailingPostalCodes":1` + pad, false},
		{"abcdefghijklmnopqrstuvw", `"abcdefghijklmnopqrstuvw":1` + pad, true}, // 23 bytes: the longest predicted
		{"abcdefghijklmnopqrstuvw", `"abcdefghijklmnopqrstuvx":1` + pad, false},
		// A difference in each of the three words alone.
		{"contact_fo_email", `"contact_do_email":1` + pad, false},
		{"contact_do_email", `"contact_do_email":1` + pad, true},
		{"contact_fo_email", `"cantact_fo_email":1` + pad, false},
		{"contact_do_emails", `"contact_do_emailx":1` + pad, false},
		{"email", `"email":1}`, false}, // fewer than 24 bytes left: not predicted
	}
	for _, c := range cases {
		p := newKeyPattern([]byte(c.key), true)
		e := p.at([]byte(c.text), 0)
		if ok := e > 0; ok != c.ok {
			t.Errorf("key %q, text %s: predicted %v, want %v", c.key, c.text, ok, c.ok)
			continue
		}
		if c.ok && e != len(c.key)+2 {
			t.Errorf("key %q: end %d, want %d", c.key, e, len(c.key)+2)
		}
	}
	for _, key := range []string{"", "abcdefghijklmnopqrstuvwx"} { // empty, and 24 bytes
		if p := newKeyPattern([]byte(key), true); p.n != 0 {
			t.Errorf("key %q should not be predictable", key)
		}
	}
	if p := newKeyPattern([]byte("first name"), false); p.n != 0 {
		t.Error("a key that is not an identifier should not be predictable")
	}
}

// FuzzKeyPrediction: any body gets the same findings and errors with the
// prediction and without it.
func FuzzKeyPrediction(f *testing.F) {
	for _, c := range loadPredictionCases(f) {
		f.Add([]byte(c.Body))
	}
	predicting, reading := predictionPair(f, Config{})
	f.Fuzz(func(t *testing.T, body []byte) {
		checkPredictionAgrees(t, "fuzz", predicting, reading, body)
	})
}

// Records with more keys than the memo holds evict slots that other keys
// still link to: the links then lead to other keys, which the prediction
// must refuse, and slots that change keys must change patterns. Every third
// key is a business key, so that a key read with another's facts changes
// the findings.
func TestKeyPredictionThroughEvictions(t *testing.T) {
	var bizKeys []string
	for k := 0; k < 300; k += 3 {
		bizKeys = append(bizKeys, contactKey(k))
	}
	predicting, reading := predictionPair(t, Config{Business: []BusinessRule{{ID: "contact-list", Keys: bizKeys}}})
	var b bytes.Buffer
	b.WriteString(`{"records":[`)
	for r := range 6 {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for k := range 300 {
			key := k
			if r/2 == 1 {
				// Records 3 and 4 in reverse order: the third relinks
				// every key, the fourth is predicted from those links.
				key = 299 - k
			}
			if k > 0 {
				b.WriteByte(',')
			}
			value := fmt.Sprintf("anna%d@example.com", key)
			if key%3 == 0 {
				value = fmt.Sprintf("net price %d.50", key) // business data by its key alone
			}
			fmt.Fprintf(&b, `%q:%q`, contactKey(key), value)
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	found := checkPredictionAgrees(t, "300 keys a record", predicting, reading, b.Bytes())
	business := 0
	for _, f := range found {
		if f.Type == Business {
			business++
		}
	}
	if business != 600 {
		t.Fatalf("want 600 business findings (100 keys in 6 records), got %d of %d", business, len(found))
	}
	if len(found) != 1800 {
		t.Fatalf("want 1800 findings (600 business, 1200 emails), got %d", len(found))
	}
}

// contactKey is the k-th of TestKeyPredictionThroughEvictions's keys, in
// letters: only identifier keys (no digits) are predicted.
func contactKey(k int) string {
	return "contact_" + string(rune('a'+k/26%26)) + string(rune('a'+k%26)) + "_email"
}
