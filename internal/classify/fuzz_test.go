package classify

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every parser in the package: the JSON walker, the text
// scanner, the normalizer and the mapping of spans through escapes and
// normalization. Seeds come from the case corpus.

func fuzzEngine(t testing.TB) *Engine { return fuzzEngineWith(t, 0) }

// fuzzEngineWith is fuzzEngine with a memo of memo values (Config.MemoValues).
func fuzzEngineWith(t testing.TB, memo int) *Engine {
	t.Helper()
	e, err := New(Config{MemoValues: memo, Business: []BusinessRule{
		{ID: "suppliers", Terms: []string{"Acme Supplies", "internal only", "[internal]", "Acme Inc."}, Keys: []string{"cost_price"}},
		{ID: "pricing", Patterns: []string{`PR-\d{6}`}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func addCorpusSeeds(f *testing.F, json bool) {
	for _, cf := range loadCaseFiles(f) {
		for _, c := range cf.Cases {
			switch {
			case json && c.JSON != "":
				f.Add([]byte(c.JSON))
			case !json && c.Text != "":
				f.Add([]byte(c.Text))
			}
		}
	}
}

// depth returns the maximum nesting of a valid JSON body.
func depth(b []byte) int {
	d, m := 0, 0
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			d++
			m = max(m, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return m
}

func FuzzJSONWalker(f *testing.F) {
	addCorpusSeeds(f, true)
	f.Add([]byte(`{"a":[1,2,{"b":"\ud83d\ude00 x@y.de"}],"c":null,"d":-1.5e+10}`))
	f.Add([]byte(`[[[[]]]]`))
	f.Add([]byte(`{"a":"\u12"}`))
	e := fuzzEngine(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fs, err := e.JSON(body, nil)
		valid := json.Valid(body)
		if valid && depth(body) <= maxDepth && err != nil {
			t.Fatalf("valid JSON refused: %v", err)
		}
		if !valid && err == nil {
			t.Fatalf("invalid JSON accepted")
		}
		if err != nil {
			if len(fs) != 0 {
				t.Fatalf("error with %d findings", len(fs))
			}
			if strings.ContainsAny(err.Error(), "@") {
				t.Fatalf("error message may carry data: %v", err)
			}
			return
		}
		checkFindings(t, body, fs)
		for _, x := range fs {
			if !strings.HasPrefix(x.Path, "$") {
				t.Fatalf("finding without a path: %+v", x)
			}
		}
		// The engine's scanners have cached the paths of every input so
		// far (pathcache.go); a scanner with none finds the same.
		if fresh := scanWith(t, e, newScanner(), body); !slices.Equal(fresh, fs) {
			t.Fatalf("a fresh scanner found %v, the pooled one %v", fresh, fs)
		}
	})
}

func FuzzText(f *testing.F) {
	addCorpusSeeds(f, false)
	e := fuzzEngine(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fs := e.Text(body, nil)
		checkFindings(t, body, fs)
		// Scanning is a pure function of the body.
		if again := e.Text(body, nil); !slices.Equal(fs, again) {
			t.Fatalf("two scans differ")
		}
	})
}

// FuzzLongText puts each body across the first block boundary of a long
// segment (blockSize), as text and as a JSON string's value, where
// detectBlocks hands a candidate from one block to the next: a body that
// ran to the end from the block before once indexed past it.
func FuzzLongText(f *testing.F) {
	addCorpusSeeds(f, false)
	f.Add([]byte("x ORD1234567"))
	f.Add([]byte("Regards, Anna Schmidt"))
	e := fuzzEngine(f)
	filler := bytes.Repeat([]byte("plain words and more words "), blockSize/27+1)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, lead := range []int{blockSize - 8, blockSize - len(body)/2 - 1} {
			if lead < 0 || lead > len(filler) {
				continue
			}
			long := append(filler[:lead:lead], body...)
			checkFindings(t, long, e.Text(long, nil))
			js, err := json.Marshal(map[string]string{"content": string(long)})
			if err != nil {
				t.Fatal(err)
			}
			if fs, err := e.JSON(js, nil); err == nil {
				checkFindings(t, js, fs)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	addCorpusSeeds(f, false)
	f.Add([]byte("a\u200bb\u00adc\uff11\u2010\u00a0\u0301"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var n normScratch
		const off = 7
		out, m := n.normalize(b, off, nil)
		if len(m) != len(out)+1 {
			t.Fatalf("map has %d entries for %d bytes", len(m), len(out))
		}
		if int(m[len(m)-1]) != off+len(b) {
			t.Fatalf("map ends at %d, want %d", m[len(m)-1], off+len(b))
		}
		for i := range m {
			if m[i] < off || int(m[i]) > off+len(b) {
				t.Fatalf("map[%d] = %d outside [%d,%d]", i, m[i], off, off+len(b))
			}
			if i > 0 && m[i] < m[i-1] {
				t.Fatalf("map not monotonic at %d", i)
			}
		}
		if !needsNormalization(out) && utf8.Valid(b) {
			// Normalizing is idempotent: what came out needs nothing more.
			return
		}
		if utf8.Valid(b) && needsNormalization(out) {
			var n2 normScratch
			out2, _ := n2.normalize(out, 0, nil)
			if string(out2) != string(out) {
				t.Fatalf("normalize not idempotent: %q -> %q -> %q", b, out, out2)
			}
		}
	})
}

// FuzzEscapedSpans checks span mapping through JSON escapes: the same text,
// embedded in a JSON string with some characters \u-escaped, yields the same
// findings (by decoded value), with spans on the escaped bytes.
func FuzzEscapedSpans(f *testing.F) {
	addCorpusSeeds(f, false)
	e := fuzzEngine(f)
	f.Fuzz(func(t *testing.T, text []byte) {
		if !utf8.Valid(text) {
			return
		}
		var body strings.Builder
		body.WriteString(`{"t":"`)
		for i, r := range string(text) {
			if i%3 == 0 || r < 0x20 || r == '"' || r == '\\' {
				if r > 0xFFFF {
					r1, r2 := utf16Pair(r)
					body.WriteString(`\u` + hex16(r1) + `\u` + hex16(r2))
				} else {
					body.WriteString(`\u` + hex16(r))
				}
				continue
			}
			body.WriteRune(r)
		}
		body.WriteString(`"}`)
		b := []byte(body.String())
		fs, err := e.JSON(b, nil)
		if err != nil {
			t.Fatalf("JSON: %v (%q)", err, b)
		}
		checkFindings(t, b, fs)
		want := e.Text(text, nil)
		if len(fs) != len(want) {
			t.Fatalf("%d findings in JSON, %d in text", len(fs), len(want))
		}
		for i := range fs {
			var got string
			if err := json.Unmarshal([]byte(`"`+string(b[fs[i].Start:fs[i].End])+`"`), &got); err != nil {
				t.Fatalf("span %d does not cover whole escapes: %q", i, b[fs[i].Start:fs[i].End])
			}
			if w := string(text[want[i].Start:want[i].End]); got != w || fs[i].Type != want[i].Type {
				t.Fatalf("finding %d: JSON %s %q, text %s %q", i, fs[i].Type, got, want[i].Type, w)
			}
		}
	})
}

func hex16(r rune) string {
	s := strconv.FormatInt(int64(r), 16)
	return strings.Repeat("0", 4-len(s)) + s
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

// needsNormalization must agree with NFKC (and the drop and map rules) on
// every input: when it says no, normalizing changes nothing.
func FuzzNeedsNormalization(f *testing.F) {
	addCorpusSeeds(f, false)
	f.Add([]byte("x²y ĳ ŀ ſ é ł ś Ü"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) || needsNormalization(b) {
			return
		}
		var n normScratch
		if out, _ := n.normalize(b, 0, nil); string(out) != string(b) {
			t.Fatalf("needsNormalization(%q) = false, but normalize gives %q", b, out)
		}
	})
}
