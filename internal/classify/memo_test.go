package classify

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// memoBodies are JSON bodies whose long values the memo takes, and some it
// does not: generated payloads, whole conversations turn by turn, and the
// case corpus's JSON.
func memoBodies(t testing.TB) map[string][]byte {
	t.Helper()
	bodies := map[string][]byte{}
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		for seed := uint64(1); seed <= 3; seed++ {
			bodies[fmt.Sprintf("%s/%d", k, seed)] = synth.Generate(k, 16<<10, seed)
		}
	}
	for seed := uint64(1); seed <= 4; seed++ {
		for i, turn := range synth.Conversation(4<<10, seed) {
			bodies[fmt.Sprintf("conversation/%d/turn%d", seed, i)] = turn
		}
	}
	for name, cf := range loadCaseFiles(t) {
		for i, c := range cf.Cases {
			if c.JSON != "" {
				bodies[fmt.Sprintf("%s/%d", name, i)] = []byte(c.JSON)
			}
		}
	}
	return bodies
}

// The memo changes nothing but the time: every body's findings, scanned
// through it cold (every value looked up and stored) and then again
// (every value it took replayed), are those of a scan without it.
func TestMemoAgreesWithScan(t *testing.T) {
	plain := mustEngine(t, Config{MemoValues: -1})
	e := mustEngine(t, Config{})
	for _, withBiz := range []bool{false, true} {
		if withBiz {
			plain, e = fuzzEngineWith(t, -1), fuzzEngineWith(t, 0)
		}
		for name, body := range memoBodies(t) {
			want, err := plain.JSON(body, nil)
			if err != nil {
				continue // the corpus holds malformed JSON on purpose
			}
			e.ForgetMemo()
			cold, err := e.JSONIn("t", body, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			warm, _ := e.JSONIn("t", body, nil)
			if !slices.Equal(cold, want) || !slices.Equal(warm, want) {
				t.Fatalf("%s (business rules %v): without the memo\n%v\ncold\n%v\nwarm\n%v", name, withBiz, want, cold, warm)
			}
		}
		// Not vacuous: the memo took values, and found them again.
		if st := e.MemoStats(); st.Hits < 100 || st.Misses < 100 {
			t.Fatalf("memo stats %+v: the bodies did not go through it", st)
		}
	}
}

func mustEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A value's findings may depend on where it is, not only on its bytes:
// under which key, inside which object. Each value here goes through one
// engine in every context in turn, so the memo replays it from the others,
// in both orders, and must find what a scan without it finds in each.
func TestMemoAcrossContexts(t *testing.T) {
	const pad = " Thank you for looking into this, and kind regards from the whole team here."
	pem := "-----BEGIN PRIVATE KEY-----\n" + strings.Repeat("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", 4) + "\n-----END PRIVATE KEY-----\n"
	values := []string{pem, pem + pad}
	for _, cf := range loadCaseFiles(t) {
		for _, c := range cf.Cases {
			if c.Text != "" {
				values = append(values, c.Text+pad+pad)
			}
		}
	}
	for seed := uint64(1); seed <= 2; seed++ {
		turns := synth.Conversation(1<<10, seed)
		var req struct{ Messages []struct{ Content string } }
		if err := json.Unmarshal(turns[len(turns)-1], &req); err != nil {
			t.Fatal(err)
		}
		for _, m := range req.Messages {
			values = append(values, m.Content+pad)
		}
	}
	contexts := []string{
		`{"content":%s}`,
		`{"type":"service_account","private_key":"x","content":%s}`,
		`{"type":"service_account","nested":{"x":[%s]}}`,
		`{"a":[{"b":%s}],"c":1}`,
		`{"email":%s}`, `{"password":%s}`, `{"api_key":%s}`, `{"name":%s}`, `{"street":%s}`,
		`{"customer":{"name":%s}}`, `{"product":{"name":%s}}`, `{"sku":%s}`, `{"cost_price":%s}`,
		`{%s:1}`, `[%s]`,
	}
	plain, e := fuzzEngineWith(t, -1), fuzzEngineWith(t, 0)
	for _, v := range values {
		raw, _ := json.Marshal(v)
		escaped := strings.ReplaceAll(string(raw), " ", `\u0020`)
		var bodies []string
		for _, c := range contexts {
			bodies = append(bodies, fmt.Sprintf(c, raw), fmt.Sprintf(c, escaped))
		}
		for _, order := range []string{"forward", "reverse"} {
			e.ForgetMemo()
			for _, body := range bodies {
				want, err := plain.JSON([]byte(body), nil)
				if err != nil {
					t.Fatalf("%s: %v", body, err)
				}
				if got, _ := e.JSONIn("", []byte(body), nil); !slices.Equal(got, want) {
					t.Fatalf("%s, %s: with the memo\n%v\nwithout\n%v", body, order, got, want)
				}
			}
			slices.Reverse(bodies)
		}
	}
	if st := e.MemoStats(); st.Hits < 1000 {
		t.Fatalf("memo stats %+v: the values were not replayed", st)
	}
}

// A value found again is replayed where it is now, under its path now,
// through its escapes now.
func TestMemoReplaysWhereTheValueIs(t *testing.T) {
	const v = "Hello, this is Anna Schmidt. My email is anna.schmidt@example.com and my phone +49 30 901820. Please call me back about the parcel that did not come.\n"
	plain := mustEngine(t, Config{MemoValues: -1})
	e := mustEngine(t, Config{})
	escaped, _ := json.Marshal(v) // "...\n"
	unicode := strings.Replace(string(escaped), `\n`, `\u000a`, 1)
	bodies := []string{
		`{"a":` + string(escaped) + `}`,
		`{"x":[1,{"b":` + string(escaped) + `}],"c":` + unicode + `}`,
		`[` + unicode + `,` + string(escaped) + `]`,
		// Under keys that say what a value is, or is not, it is not the
		// same value.
		`{"note":` + string(escaped) + `,"sku":` + string(escaped) + `,"phone":` + string(escaped) + `}`,
	}
	for i, body := range bodies {
		want, err := plain.JSON([]byte(body), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := e.JSONIn("", []byte(body), nil)
		if !slices.Equal(got, want) {
			t.Fatalf("body %d: got\n%v\nwant\n%v", i, got, want)
		}
		if len(want) < 3 {
			t.Fatalf("body %d: %d findings; the value holds a name, an email and a phone", i, len(want))
		}
	}
	// One value, six times under keys that say nothing: scanned once.
	if st := e.MemoStats(); st.Misses != 1 || st.Hits != 5 {
		t.Fatalf("memo stats %+v, want 1 miss and 5 hits", st)
	}
}

// What the memo does not take, it does not look up or keep.
func TestMemoTakesOnlyValuesItCanReplay(t *testing.T) {
	long := func(s string) string { return s + strings.Repeat(" and nothing more", 8) }
	cases := []struct {
		name         string
		body         string
		hits, misses uint64 // after two scans
	}{
		{"a long value", `{"note":"` + long("Call Anna Schmidt") + `"}`, 1, 1},
		{"a short value", `{"note":"Call Anna Schmidt on +49 30 901820"}`, 0, 0},
		{"a value under a key that names a type", `{"email":"` + long("anna@example.com") + `"}`, 0, 0},
		{"a value under a credential key", `{"password":"` + long("S3cret!x") + `"}`, 0, 0},
		{"a value under a business key", `{"cost_price":"` + long("12.40 EUR") + `"}`, 0, 0},
		{"a value that needs normalizing", `{"note":"` + long("Call ０３０ ９０１８２０ or write to anna@example.com") + `"}`, 0, 2},
		{"a value with more findings than a slot", `{"note":"` + long(strings.Repeat("anna@example.com ", memoCands+1)) + `"}`, 0, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plain, e := fuzzEngineWith(t, -1), fuzzEngineWith(t, 0)
			want, err := plain.JSON([]byte(c.body), nil)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if got, _ := e.JSONIn("", []byte(c.body), nil); !slices.Equal(got, want) {
					t.Fatalf("got\n%v\nwant\n%v", got, want)
				}
			}
			if st := e.MemoStats(); st.Hits != c.hits || st.Misses != c.misses {
				t.Fatalf("memo stats %+v, want %d hits and %d misses", st, c.hits, c.misses)
			}
		})
	}
}

// One caller's values are no other's: a hit would tell the other, by the
// time it takes, that the value was sent.
func TestMemoScopesAreApart(t *testing.T) {
	e := mustEngine(t, Config{})
	body := []byte(`{"messages":[{"role":"user","content":"` + strings.Repeat("My name is Anna Schmidt and I live at Hauptstraße 5. ", 3) + `"}]}`)
	for _, scope := range []string{"tenant-a", "tenant-a", "tenant-b", "", ""} {
		if _, err := e.JSONIn(scope, body, nil); err != nil {
			t.Fatal(err)
		}
	}
	if st := e.MemoStats(); st.Hits != 2 || st.Misses != 3 {
		t.Fatalf("memo stats %+v, want a miss for each scope's first call and a hit for each second", st)
	}
	// Nor do values that share a set in one scope share one in another: a
	// caller who found such values of its own (by timing its lookups)
	// could otherwise fill the set another caller's value goes to, and
	// learn from its own misses whether the other sent it.
	setOf := func(scope string, i int) *memoSlot {
		v := []byte(fmt.Sprintf("value %d, long enough for the memo to take it", i))
		_, set := e.memo.set(e.memo.key(e.memo.scopeOf(scope), v))
		return &set[0]
	}
	bySet := map[*memoSlot][]int{}
	for i := range 4000 {
		set := setOf("tenant-a", i)
		bySet[set] = append(bySet[set], i)
	}
	pairs, still := 0, 0
	for _, vs := range bySet {
		for x := 1; x < len(vs); x++ {
			pairs++
			if setOf("tenant-b", vs[0]) == setOf("tenant-b", vs[x]) {
				still++
			}
		}
	}
	// 2,048 sets: about 1,900 pairs share a set in tenant-a's scope, and
	// about one of them by chance in tenant-b's.
	if pairs < 1000 || still > 20 {
		t.Fatalf("%d of %d values sharing a set in one scope share one in another", still, pairs)
	}
	// JSON uses no memo at all.
	e.JSON(body, nil)
	if st := e.MemoStats(); st.Hits+st.Misses != 5 {
		t.Fatalf("JSON looked the memo up: %+v", st)
	}
}

// ForgetMemo empties the memo at once.
func TestForgetMemo(t *testing.T) {
	e := mustEngine(t, Config{})
	body := synth.Conversation(2<<10, 1)
	last := body[len(body)-1]
	e.JSONIn("", last, nil)
	e.ForgetMemo()
	e.JSONIn("", last, nil)
	if st := e.MemoStats(); st.Hits != 0 || st.Misses == 0 {
		t.Fatalf("memo stats %+v: a value was found after ForgetMemo", st)
	}
}

// A set holds two values; a third takes the place of the one used longer
// ago.
func TestMemoReplacesTheLeastRecentlyUsed(t *testing.T) {
	m := newMemo(1, nil) // one set a shard
	m.ready()
	email, _ := m.nameIndex(string(Email))
	key := func(i uint64) memoKey { return memoKey{h1: i * memoShards, h2: i, n: 200} }
	found := func(k memoKey) bool {
		var out [memoCands]memoCand
		_, ok := m.lookup(k, &out)
		return ok
	}
	m.store(key(1), nil)
	m.store(key(2), []memoCand{{typ: email, start: 1, end: 9, conf: 0.9}})
	if !found(key(1)) { // 1 is now the more recently used
		t.Fatal("value 1 not found")
	}
	m.store(key(3), nil)
	if !found(key(1)) || found(key(2)) || !found(key(3)) {
		t.Fatalf("after a third value: want 1 and 3 kept and 2 replaced; found 1 %v, 2 %v, 3 %v", found(key(1)), found(key(2)), found(key(3)))
	}
	var out [memoCands]memoCand
	m.store(key(2), []memoCand{{typ: email, start: 1, end: 9, conf: 0.9}})
	if n, ok := m.lookup(key(2), &out); !ok || n != 1 || out[0].typ != email || out[0].end != 9 {
		t.Fatalf("value 2 stored again: found %v with %d findings %v", ok, n, out[:n])
	}
	// The key is all of it: another length, scope or second hash is
	// another value.
	for _, k := range []memoKey{{h1: 2 * memoShards, h2: 2, n: 201}, {h1: 2 * memoShards, h2: 2, n: 200, scope: 7}, {h1: 2 * memoShards, h2: 3, n: 200}} {
		if found(k) {
			t.Fatalf("key %+v found as value 2", k)
		}
	}
}

// The memo keeps no byte of a value: its slots hold hashes, offsets,
// confidences, and indexes of types and rules in the engine's own list.
func TestMemoKeepsNoData(t *testing.T) {
	// Its slots' type: numbers only, nothing that could hold bytes or
	// point at them (and nothing the collector has to scan).
	var walk func(reflect.Type, string)
	walk = func(rt reflect.Type, at string) {
		switch rt.Kind() {
		case reflect.Struct:
			for i := range rt.NumField() {
				walk(rt.Field(i).Type, at+"."+rt.Field(i).Name)
			}
		case reflect.Array:
			walk(rt.Elem(), at+"[]")
		case reflect.Bool, reflect.Int, reflect.Int32, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float64:
		default:
			t.Fatalf("memoSlot%s is a %s, which could hold a value's bytes", at, rt.Kind())
		}
	}
	walk(reflect.TypeFor[memoSlot](), "")
	// Its contents after canaries went through it.
	const canary = "Zyxwvut"
	e := mustEngine(t, Config{Business: []BusinessRule{{ID: "suppliers", Terms: []string{"Acme Supplies"}}}})
	names := e.memo.names
	body := `{"note":"` + strings.Repeat("Mr "+canary+" Schmidt, password="+canary+"9!x, key AKIA"+canary+"ABCDEFGHI, Acme Supplies. ", 2) + `"}`
	if fs, _ := e.JSONIn("", []byte(body), nil); len(fs) == 0 {
		t.Fatal("no findings: the canaries went through nothing")
	}
	kept := 0
	for i := range e.memo.shards {
		for _, sl := range e.memo.shards[i].slots {
			for _, c := range sl.cands[:sl.count] {
				kept++
				if strings.Contains(names[c.typ]+names[c.rule], canary) {
					t.Fatalf("the memo keeps %q", names[c.typ]+names[c.rule])
				}
			}
		}
	}
	if kept == 0 {
		t.Fatal("the memo kept no finding of the body")
	}
}

// A clean body scanned through the memo allocates nothing, cold or warm.
func TestMemoAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items; allocation counts mean nothing under -race")
	}
	e := mustEngine(t, Config{})
	body := []byte(`{"messages":[{"role":"user","content":"` + strings.Repeat("Where is my parcel? It was due three days ago. ", 4) + `"}]}`)
	e.JSONIn("", body, nil) // warm the pool
	for _, cold := range []bool{true, false} {
		if n := testing.AllocsPerRun(20, func() {
			if cold {
				e.ForgetMemo()
			}
			e.JSONIn("", body, nil)
		}); n != 0 {
			t.Errorf("cold %v: %v allocations a clean scan, want 0", cold, n)
		}
	}
}

// Walkers on every core share the memo; each finds what a scan without it
// does (run under -race in CI).
func TestMemoConcurrent(t *testing.T) {
	plain := mustEngine(t, Config{MemoValues: -1})
	e := mustEngine(t, Config{MemoValues: 64}) // small: values replace each other
	var convs [][]byte
	for seed := uint64(1); seed <= 8; seed++ {
		convs = append(convs, synth.Conversation(3<<10, seed)...)
	}
	want := make([][]Finding, len(convs))
	for i, b := range convs {
		want[i], _ = plain.JSON(b, nil)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for round := range 20 {
				i := (g*7 + round*3) % len(convs)
				if got, _ := e.JSONIn(fmt.Sprint(g%2), convs[i], nil); !slices.Equal(got, want[i]) {
					t.Errorf("goroutine %d, request %d: got %v, want %v", g, i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzMemo holds the memo to a scan without it, cold and warm, on any
// body; long values are the ones it takes, so the seeds are conversations.
func FuzzMemo(f *testing.F) {
	addCorpusSeeds(f, true)
	for seed := uint64(1); seed <= 3; seed++ {
		turns := synth.Conversation(1<<10, seed)
		f.Add(turns[len(turns)-1])
	}
	plain, e := fuzzEngineWith(f, -1), fuzzEngineWith(f, 64)
	f.Fuzz(func(t *testing.T, body []byte) {
		want, err := plain.JSON(body, nil)
		if err != nil {
			return
		}
		e.ForgetMemo()
		for _, run := range []string{"cold", "warm"} {
			if got, _ := e.JSONIn("", body, nil); !slices.Equal(got, want) {
				t.Fatalf("%s: got\n%v\nwant\n%v", run, got, want)
			}
		}
	})
}

// Every type, secret rule and business rule id has its place in the memo's
// names, found again by nameIndex; nothing else has one.
func TestMemoNames(t *testing.T) {
	var rules []BusinessRule
	for i := range 1000 {
		rules = append(rules, BusinessRule{ID: fmt.Sprintf("rule-%d", i), Terms: []string{fmt.Sprintf("term %d", i)}})
	}
	rules = append(rules, BusinessRule{ID: "email", Terms: []string{"x y"}}) // named like a type
	e := mustEngine(t, Config{Business: rules})
	names := []string{""}
	for typ := range typeRank {
		names = append(names, string(typ))
	}
	names = append(names, SecretRules...)
	for _, r := range rules {
		names = append(names, r.ID)
	}
	for _, n := range names {
		if i, ok := e.memo.nameIndex(n); !ok || e.memo.names[i] != n {
			t.Fatalf("nameIndex(%q) = %d, %v", n, i, ok)
		}
	}
	if len(e.memo.names) != len(names)-1 { // "email" once
		t.Fatalf("%d names, want %d", len(e.memo.names), len(names)-1)
	}
	for _, n := range []string{"nope", "rule-1000", "Email", "rule-"} {
		if i, ok := e.memo.nameIndex(n); ok {
			t.Fatalf("nameIndex(%q) = %d: a name the engine does not report", n, i)
		}
	}
}
