package classify

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// raceEnabled is set by race_test.go in -race builds.
var raceEnabled bool

func TestNewRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"threshold above one", Config{Threshold: 1.5}, "threshold must be in [0,1]"},
		{"negative threshold", Config{Threshold: -0.1}, "threshold must be in [0,1]"},
		{"bad pattern", Config{Business: []BusinessRule{{ID: "p", Patterns: []string{"("}}}}, `business rule "p" pattern 0`},
		{"rule without id", Config{Business: []BusinessRule{{Terms: []string{"x"}}}}, "has no id"},
		{"duplicate id", Config{Business: []BusinessRule{{ID: "a", Terms: []string{"x"}}, {ID: "a", Terms: []string{"y"}}}}, "defined twice"},
		{"empty rule", Config{Business: []BusinessRule{{ID: "a"}}}, "no terms, patterns or keys"},
		{"empty term", Config{Business: []BusinessRule{{ID: "a", Terms: []string{" "}}}}, "empty term"},
		{"punctuation term", Config{Business: []BusinessRule{{ID: "a", Terms: []string{"--"}}}}, "no letter or digit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want ErrConfig containing %q", err, tc.want)
			}
		})
	}
}

func TestThreshold(t *testing.T) {
	body := []byte("Dear Sophie, call 030 12345678 or mail sophie@example.com")
	for _, tc := range []struct {
		threshold float64
		want      []Type
	}{
		{0.3, []Type{PersonName, Phone, Email}},
		{0.8, []Type{Phone, Email}},
		{0.95, nil},
	} {
		e, err := New(Config{Threshold: tc.threshold})
		if err != nil {
			t.Fatal(err)
		}
		var got []Type
		for _, f := range e.Text(body, nil) {
			if f.Confidence < tc.threshold {
				t.Fatalf("finding below threshold %v: %+v", tc.threshold, f)
			}
			got = append(got, f.Type)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("threshold %v: %v, want %v", tc.threshold, got, tc.want)
		}
	}
}

// Context is not looked up for a candidate that could not reach the
// threshold with it, nor is negative context for one already below it: the
// candidates on the threshold's edge keep exactly the confidence the words
// around give them. A national number starts at 0.35; "call" adds 0.35,
// "order" takes 0.4.
func TestContextAtTheThreshold(t *testing.T) {
	for _, tc := range []struct {
		text      string
		threshold float64
		want      float64 // 0: nothing found
	}{
		{"Please call me on 612 948 497 tomorrow.", 0.7, 0.7},
		{"Please call me on 612 948 497 tomorrow.", 0.71, 0},
		{"Please ship it to 612 948 497 tomorrow.", 0.35, 0.35},
		{"Please ship it to 612 948 497 tomorrow.", 0.36, 0},
		{"My order 612 948 497, call me.", 0.3, 0.3},
		{"My order 612 948 497, call me.", 0.31, 0},
		{"My order 612 948 497, thanks.", 0.05, 0},
	} {
		e, err := New(Config{Threshold: tc.threshold})
		if err != nil {
			t.Fatal(err)
		}
		got := e.Text([]byte(tc.text), nil)
		switch {
		case tc.want == 0 && len(got) != 0:
			t.Errorf("%q at %v: %v, want nothing", tc.text, tc.threshold, got)
		case tc.want != 0 && (len(got) != 1 || got[0].Type != Phone || got[0].Confidence != tc.want):
			t.Errorf("%q at %v: %v, want one phone at %v", tc.text, tc.threshold, got, tc.want)
		}
	}
}

func TestMalformedJSON(t *testing.T) {
	e, _ := New(Config{})
	canary := "canary-4111111111111111@example.com"
	for _, body := range []string{`{"a":"` + canary, `{"a" "` + canary + `"}`, `[1,2,` + canary + `]`, `{"a":"x"} trailing ` + canary, "{\"a\":\"\x01" + canary + "\"}"} {
		fs, err := e.JSON([]byte(body), nil)
		if !errors.Is(err, ErrMalformedJSON) {
			t.Fatalf("JSON(%q) error = %v, want ErrMalformedJSON", body, err)
		}
		if len(fs) != 0 {
			t.Fatalf("findings on malformed JSON: %v", fs)
		}
		if strings.Contains(err.Error(), "canary") || strings.Contains(err.Error(), "4111") {
			t.Fatalf("error carries body data: %v", err)
		}
	}
	// Scan falls back to text for a body that only looks like JSON.
	if fs := e.Scan([]byte(`{"note": broken `+canary), nil); len(fs) == 0 {
		t.Fatal("Scan found nothing in a malformed JSON body scanned as text")
	}
	deep := strings.Repeat("[", maxDepth+1) + `"` + canary + `"` + strings.Repeat("]", maxDepth+1)
	if _, err := e.JSON([]byte(deep), nil); !errors.Is(err, ErrMalformedJSON) || !errors.Is(err, ErrTooDeep) ||
		strings.Contains(err.Error(), "canary") || strings.Contains(err.Error(), "4111") {
		t.Fatalf("deep nesting: %v", err)
	}
	if _, err := e.JSON([]byte(`{"a":"x"`), nil); errors.Is(err, ErrTooDeep) {
		t.Fatalf("a truncated body is too deep: %v", err)
	}
}

// A byte order mark before a body is skipped (RFC 8259 lets a parser), and
// spans count it.
func TestByteOrderMark(t *testing.T) {
	e, _ := New(Config{})
	body := []byte("\ufeff {\"Email\":\"anna@example.com\"}")
	fs := e.Scan(body, nil)
	if len(fs) != 1 || fs[0].Path != "$.Email" || string(body[fs[0].Start:fs[0].End]) != "anna@example.com" {
		t.Fatalf("findings %v", fs)
	}
}

func TestFindingLogValueHasNoData(t *testing.T) {
	e, _ := New(Config{})
	// Two findings are keys: a map by email address, by phone. The last is
	// a key of JSON inside a string, whose path is the string's.
	body := []byte(`{"Email":"canary.value@example.com","note":"card 4111 1111 1111 1111",` +
		`"by_email":{"canary.key@example.com":{"score":3}},"by_phone":{"+49 30 41114111":true},` +
		`"args":"{\"canary.nested@example.com\":1}"}`)
	fs, err := e.JSON(body, nil)
	if err != nil || len(fs) != 5 {
		t.Fatalf("findings %v, %v", fs, err)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	for _, f := range fs {
		log.Info("finding", "finding", f)
	}
	out := buf.String()
	for _, secret := range []string{"canary", "example.com", "4111"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log line carries %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, `"type":"email"`) || !strings.Contains(out, `"path":"$.Email"`) ||
		!strings.Contains(out, `"path":"$.by_email[*]"`) || !strings.Contains(out, `"path":"$.by_phone[*]"`) ||
		!strings.Contains(out, `"path":"$.args"`) {
		t.Fatalf("log line lacks the finding's type and path: %s", out)
	}
}

// LogPath leaves out the keys a path quotes, whatever they hold, and keeps
// the rest of the path as it is.
func TestLogPath(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"$.records[0].Email", "$.records[0].Email"},
		{`$["anna@example.com"]`, "$[*]"},
		{`$.by_phone["+49 30 12345678"].ok`, "$.by_phone[*].ok"},
		{`$["a\"]b"][2]["Mailing Address"].x`, "$[*][2][*].x"},
		{`$["unterminated`, "$[*]"},
		{"", ""},
	} {
		if got := (Finding{Path: c.path}).LogPath(); got != c.want {
			t.Errorf("LogPath(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

// A scan that finds nothing allocates nothing: clean prose, a clean JSON
// body, and catalog text full of numbers that are not personal data.
func TestCleanScanAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items; allocation counts mean nothing under -race")
	}
	e, _ := New(Config{Business: []BusinessRule{{ID: "s", Terms: []string{"Acme Supplies"}, Keys: []string{"cost"}}}})
	bodies := map[string][]byte{
		"prose":   synth.Generate(synth.Prose, 16<<10, 1),
		"catalog": synth.Generate(synth.Catalog, 16<<10, 1),
		"json":    []byte(`{"model":"regional","messages":[{"role":"user","content":"Where is my parcel? It was due three days ago."}],"temperature":0.2}`),
		// Addresses of no one are candidates that find nothing.
		"loopback": []byte("listening on 127.0.0.1:8080 and [::1]:8080, bound to 0:0:0:0:0:0:0:1 and ::ffff:127.0.0.1"),
		// Codes' names before numbers that the words after them refuse.
		"amounts": []byte("Opłata za PIN wynosi 2500 zł. PIN number 1000 to 2000. Your PIN is 1000 to 9999. TAN 1500 pcs."),
	}
	for name, body := range bodies {
		if fs := e.Scan(body, nil); len(fs) != 0 {
			t.Fatalf("%s: expected no findings, got %s", name, describe(body, fs))
		}
		e.Scan(body, nil) // warm the pool
		if n := testing.AllocsPerRun(20, func() { e.Scan(body, nil) }); n != 0 {
			t.Errorf("%s: %v allocations per clean scan, want 0", name, n)
		}
	}
}

// A dense body grows a nil dst a few times, sized by the findings' density,
// not a dozen times by doubling: the gateway passes nil. A megabyte of
// customer records (20,000 findings) took 32 allocations with append's
// doubling and the paths' doubling chunks, and takes 8 or 9: its 13,600
// distinct paths go past the path cache. A body whose paths the cache has
// (pathcache.go) allocates only for dst.
func TestDenseScanAllocatesAFewTimes(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items; allocation counts mean nothing under -race")
	}
	e, _ := New(Config{})
	// A collection in the middle of a megabyte scan can empty the pools,
	// and the next scan then allocates a walker: an eleventh allocation
	// once in CI, where the scans themselves make nine. What is counted
	// here is the scan's growth, so the collector waits.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, c := range []struct {
		kind      synth.Kind
		size      int
		maxAllocs float64
	}{
		{synth.Customers, 1 << 20, 10},
		{synth.Chat, 1 << 20, 6},
		{synth.Customers, 64 << 10, 2},
		{synth.Orders, 1 << 10, 1},
	} {
		body := synth.Generate(c.kind, c.size, 1)
		e.Scan(body, nil) // warm the pool
		if n := testing.AllocsPerRun(5, func() { e.Scan(body, nil) }); n > c.maxAllocs {
			t.Errorf("%s %d: %v allocations per scan, want at most %v", c.kind, c.size, n, c.maxAllocs)
		}
	}
}

// The findings do not depend on the dst they are appended to: nil, one
// with room for all of them, or one that already holds findings, which
// stay as they were.
func TestFindingsDoNotDependOnDst(t *testing.T) {
	e, _ := New(Config{})
	held := []Finding{{Type: Email, Class: ClassPersonal, Start: 1, End: 2}, {Type: Phone, Class: ClassPersonal, Start: 3, End: 4}}
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		for _, size := range []int{1 << 10, 256 << 10} {
			body := synth.Generate(k, size, 3)
			want := e.Scan(body, nil)
			if len(want) == 0 {
				t.Fatalf("%s %d: no findings", k, size)
			}
			if got := e.Scan(body, make([]Finding, 0, 2*len(want))); !slices.Equal(got, want) {
				t.Fatalf("%s %d: findings differ with a roomy dst", k, size)
			}
			got := e.Scan(body, slices.Clone(held))
			if !slices.Equal(got[:len(held)], held) || !slices.Equal(got[len(held):], want) {
				t.Fatalf("%s %d: findings differ after held ones, or the held ones changed", k, size)
			}
		}
	}
}

// Generated PII-dense payloads hold what the generator put in them.
func TestSyntheticPayloadsAreFound(t *testing.T) {
	e, _ := New(Config{})
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		body := synth.Generate(k, 8<<10, 2)
		fs, err := e.JSON(body, nil)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		checkFindings(t, body, fs)
		seen := map[Type]int{}
		for _, f := range fs {
			seen[f.Type]++
		}
		for _, want := range []Type{Email, Phone, PersonName, PostalAddress, Postcode} {
			if seen[want] == 0 {
				t.Errorf("%s: no %s found (%v)", k, want, seen)
			}
		}
	}
}

// The walker remembers keys by their first and last eight bytes and their
// length; keys longer than 16 bytes that share those must still be told
// apart, whichever comes first and however often they alternate.
func TestKeyMemoTellsKeysApart(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	const real, lookalike = "MailingPostalCode", "MailingPXstalCode" // same first and last eight bytes
	var body strings.Builder
	body.WriteString(`{"records":[`)
	var want []string
	for r := range 40 {
		key := lookalike
		if r%3 == 1 {
			key = real
			want = append(want, fmt.Sprintf("$.records[%d].%s", r, real))
		}
		if r > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"%s":"89939"}`, key)
	}
	body.WriteString(`]}`)
	var got []string
	for _, f := range e.Scan([]byte(body.String()), nil) {
		if f.Type != Postcode {
			t.Errorf("unexpected %s at %s", f.Type, f.Path)
		}
		got = append(got, f.Path)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("postcodes found at\n%v\nwant\n%v", got, want)
	}
}

// TestRoundConf checks roundConf against math.Round on every confidence a
// detector can produce (sums of hundredths, and the halves between them)
// and on values just around each half.
func TestRoundConf(t *testing.T) {
	for k := 0; k <= 2000; k++ {
		for _, c := range []float64{float64(k) / 2000, math.Nextafter(float64(k)/2000, 0), math.Nextafter(float64(k)/2000, 1),
			float64(k/20)/100 + 0.005, 0.85 + 0.15, 0.35 + 0.35, 0.7 + 0.15 + 0.1} {
			if got, want := roundConf(c), math.Round(c*100)/100; got != want {
				t.Fatalf("roundConf(%v) = %v, math.Round gives %v", c, got, want)
			}
		}
	}
}

// TermStart: where a stream holds back for a business term begun.
func TestTermStart(t *testing.T) {
	e, err := New(Config{Business: []BusinessRule{{ID: "s", Terms: []string{"Acme Supplies", "#conf"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, held string }{
		{"We buy from Acme ", "Acme "},
		{"We buy from ACME Sup", "ACME Sup"},
		{"We buy from Ac", "Ac"},
		{"We buy from Acme Supplies", "Acme Supplies"}, // whole, may go on: one piece later
		{"We buy from Acme Supplies now", ""},
		{"We buy from Acmex ", ""},
		{"Say #co", "co"}, // the punctuation a term starts with is checked on the match
		{"plain words ", ""},
		{"", ""},
	} {
		b := []byte(c.text)
		if got := string(b[e.TermStart(b):]); got != c.held {
			t.Errorf("TermStart(%q) holds %q, want %q", c.text, got, c.held)
		}
	}
	plain, _ := New(Config{})
	if n := plain.TermStart([]byte("Acme ")); n != 5 {
		t.Errorf("without business rules TermStart = %d, want 5", n)
	}
}

// NameStart: where a stream holds back for a name begun.
func TestNameStart(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ text, held string }{
		{"Dear Will ", "Will "},
		{"Dear Anna", "Anna"},
		{"Dear Wi", "Wi"},       // a capitalized word that may still grow
		{"Dear Hello", "Hello"}, // so is any, last in text
		{"Dear Hello ", ""},     // but once it has ended, only a listed one
		{"Thanks, Jean-Luc ", "Jean-Luc "},
		{"Write to Dr. ", "Dr. "},
		{"Dear Anna Schmidt ", ""}, // "Schmidt" is no first name: nothing held once it has ended
		{"Hello ", ""},
		{"dear will ", ""},
		{"Dear Will  ", ""},
		{"", ""},
	} {
		b := []byte(c.text)
		if got := string(b[e.NameStart(b):]); got != c.held {
			t.Errorf("NameStart(%q) holds %q, want %q", c.text, got, c.held)
		}
	}
}

// A body's findings do not depend on what the engine scanned before it:
// every JSON case of the corpus, scanned in shuffled orders on one engine
// with one scanner (Serial: the pool hands the same one back), gives what
// a fresh engine gives. The keys of an object still open once lost their
// memo slots to the keys inside it, and a contact's name was read by its
// account's kind: found on a body's second scan, not its first.
func TestFindingsDoNotDependOnEarlierBodies(t *testing.T) {
	var bodies [][]byte
	for _, cf := range loadCaseFiles(t) {
		if len(cf.Business) > 0 {
			continue
		}
		for _, c := range cf.Cases {
			if c.JSON != "" {
				bodies = append(bodies, []byte(c.JSON))
			}
		}
	}
	bodies = append(bodies,
		[]byte(`{"zz":1,"request_id":"r1","Contact":{"Account":{"Name":"Acme GmbH"},"Name":"Anna Schmidt"}}`),
		[]byte(`{"zz":1,"request_id":"r1","Contact":{"Account":{"Id":"001"},"Name":"Anna Schmidt"}}`),
		[]byte(`{"Account":{"Name":"Acme GmbH"}}`))
	want := make([][]Finding, len(bodies))
	for i, b := range bodies {
		fresh, _ := New(Config{Serial: true})
		want[i], _ = fresh.JSON(b, nil)
	}
	if len(want[len(want)-3]) != 1 || len(want[len(want)-1]) != 0 {
		t.Fatalf("a contact's name alone: %v; an account's: %v", want[len(want)-3], want[len(want)-1])
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 4 {
		e, _ := New(Config{Serial: true})
		order := rng.Perm(len(bodies))
		for _, i := range order {
			got, _ := e.JSON(bodies[i], nil)
			if !slices.Equal(got, want[i]) {
				t.Fatalf("round %d, %s:\n got %v\nwant %v", round, bodies[i], got, want[i])
			}
		}
	}
}

// A pooled scanner keeps no body data: reset clears the copies it made of a
// segment (blankEscapes) and a nested walk's findings, whose paths are the
// body's keys.
func TestResetKeepsNoBodyData(t *testing.T) {
	e, _ := New(Config{Serial: true})
	s := e.get()
	// The last escaped value is shorter than the one with the canary: its
	// copy reuses the buffer, and the canary is past its length.
	body := []byte(`{"note":"{\"email\":\"canary@example.com\"}","log":"{\\\"x\\\":\\\"y\\\"} canary\\nsecret","z":"{\\\"a\\\":1} x"}`)
	if _, err := s.json(body, nil); err != nil {
		t.Fatal(err)
	}
	if len(s.unesc) == 0 || len(s.nestBuf) == 0 {
		t.Fatalf("the scan made no copy (%d) or nested findings (%d): the test tests nothing", len(s.unesc), len(s.nestBuf))
	}
	e.put(s)
	if bytes.Contains(s.unesc[:cap(s.unesc)], []byte("canary")) {
		t.Errorf("unesc keeps %q", s.unesc[:cap(s.unesc)])
	}
	for _, f := range s.nestBuf[:cap(s.nestBuf)] {
		if f.Path != "" || f.End != 0 {
			t.Errorf("nestBuf keeps %+v", f)
		}
	}
}
