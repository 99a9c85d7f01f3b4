package classify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// scanWith walks body with one scanner of e's, as Engine.JSON does with a
// pooled one: the pool may drop scanners (it does at random under -race),
// and these tests are about what one scanner keeps between scans.
func scanWith(t *testing.T, e *Engine, s *scanner, body []byte) []Finding {
	t.Helper()
	s.eng = e
	s.dst, s.dstBase, s.bodyLen = nil, 0, len(body)
	if err := s.scanJSON(body); err != nil {
		t.Fatal(err)
	}
	fs := s.dst
	s.reset()
	return fs
}

// samePaths reports how many of the findings' paths are the very strings
// (same bytes in memory) of the other scan's, and fails if any path reads
// differently.
func samePaths(t *testing.T, name string, a, b []Finding) int {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d findings, then %d", name, len(a), len(b))
	}
	same := 0
	for k := range a {
		if a[k] != b[k] {
			t.Fatalf("%s: finding %d was %+v, then %+v", name, k, a[k], b[k])
		}
		if unsafe.StringData(a[k].Path) == unsafe.StringData(b[k].Path) {
			same++
		}
	}
	return same
}

// A page of a shape seen before takes its paths from the cache: another
// page of records (other values, the same paths) allocates no path, and
// its paths are the strings the first page's findings hold.
func TestPathCacheServesPagesOfOneShape(t *testing.T) {
	e, err := New(Config{Serial: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		s := newScanner()
		first := scanWith(t, e, s, synth.Generate(k, 64<<10, 1))
		again := scanWith(t, e, s, synth.Generate(k, 64<<10, 1))
		// Seed 2 has other values, other lengths and so other records
		// per page: compare the paths both pages have.
		other := scanWith(t, e, s, synth.Generate(k, 64<<10, 2))
		n := samePaths(t, string(k), first, again)
		t.Logf("%s: %d of %d paths from the cache", k, n, len(first))
		if n < len(first)*98/100 {
			t.Errorf("%s: %d of %d paths came from the cache, want at least 98%%", k, n, len(first))
		}
		kept := map[string]*byte{}
		for _, f := range first {
			kept[f.Path] = unsafe.StringData(f.Path)
		}
		shared, cached := 0, 0
		for _, f := range other {
			if p, ok := kept[f.Path]; ok {
				shared++
				if p == unsafe.StringData(f.Path) {
					cached++
				}
			}
		}
		if shared == 0 || cached < shared*9/10 {
			t.Errorf("%s: of %d paths the pages share, %d came from the cache, want at least 90%%", k, shared, cached)
		}
	}
}

// Paths handed out stay as they were while the cache moves on: through
// generations that clear the table and bodies with more distinct paths
// than it holds, an early scan's findings read the same.
func TestPathsOutliveTheCache(t *testing.T) {
	e, err := New(Config{Serial: true})
	if err != nil {
		t.Fatal(err)
	}
	s := newScanner()
	page := synth.Generate(synth.Customers, 16<<10, 1)
	early := scanWith(t, e, s, page)
	want := slices.Clone(early)
	for k := range want {
		want[k].Path = string([]byte(want[k].Path)) // a copy of its own
	}
	for seed := uint64(1); seed <= 4; seed++ {
		for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
			scanWith(t, e, s, synth.Generate(k, 1<<20, seed))
		}
	}
	if s.js.paths.gen > pathGenBytes+pathChunkMax {
		t.Errorf("the cache's generation holds %d bytes, want at most %d", s.js.paths.gen, pathGenBytes+pathChunkMax)
	}
	for k := range early {
		if early[k] != want[k] {
			t.Fatalf("finding %d changed: %+v, was %+v", k, early[k], want[k])
		}
	}
	// And the page scanned now agrees with what it found then.
	samePaths(t, "customers again", want, scanWith(t, e, s, page))
}

// A body with more distinct paths than the cache holds stops looking them
// up (pathMissesPerScan) and still renders every one right.
func TestPathsPastTheCache(t *testing.T) {
	e, err := New(Config{Serial: true})
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	b = append(b, `{"rows":[`...)
	const rows = 3 * pathMissesPerScan
	for k := range rows {
		if k > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"Email":"user%d@example.com","x\u0079":"call +44 20 7946 0958"}`, k%10)
	}
	b = append(b, "]}"...)
	s := newScanner()
	for range 2 {
		fs := scanWith(t, e, s, b)
		if len(fs) != 2*rows {
			t.Fatalf("%d findings, want %d", len(fs), 2*rows)
		}
		for k, f := range fs {
			want := fmt.Sprintf("$.rows[%d].Email", k/2)
			if k%2 == 1 {
				want = fmt.Sprintf("$.rows[%d].xy", k/2)
			}
			if f.Path != want {
				t.Fatalf("finding %d: path %s, want %s", k, f.Path, want)
			}
		}
	}
}

// A path with a quoted key can hold data ($.by_email["anna@example.com"]):
// such paths are not kept in the cache past their scan, at any depth.
func TestPathCacheKeepsNoQuotedKeys(t *testing.T) {
	e, err := New(Config{Serial: true})
	if err != nil {
		t.Fatal(err)
	}
	s := newScanner()
	body := []byte(`{"by_email":{"anna.canary@example.com":"call +44 20 7946 0958",` +
		`"ben.canary@example.org":{"Phone":"+44 20 7946 0959"}},"tags":["x","mail max@example.net"]}`)
	fs := scanWith(t, e, s, body)
	want := []string{`$.by_email["anna.canary@example.com"]`, `$.by_email["ben.canary@example.org"]`, `$.by_email["ben.canary@example.org"].Phone`, `$.tags[1]`}
	var got []string
	for _, f := range fs {
		if len(got) == 0 || got[len(got)-1] != f.Path {
			got = append(got, f.Path)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	cached := 0
	for _, sl := range s.js.paths.slots {
		if strings.Contains(sl.path, "canary") {
			t.Errorf("the cache keeps %q", sl.path)
		}
		if sl.path != "" {
			cached++
		}
	}
	if cached != 1 {
		t.Errorf("%d paths cached, want 1 ($.tags[1])", cached)
	}
}
