package classify

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// stretchedOccurrences is the reference for a stretching automaton's each:
// every (start, end, val) where a term occurs, read byte by byte (ASCII
// case folded, boundary bytes alike): the boundary bytes it starts with one
// for one and the same, after a boundary or at the text's start; then the
// rest, a run of boundary bytes in the text standing for each run inside
// the term; then the boundary bytes it ends with, the same.
func stretchedOccurrences(terms [][]byte, vals []int32, b []byte) [][3]int {
	var out [][3]int
	for ti, t := range terms {
		lead, trail := 0, 0
		for isBoundary(t[lead]) {
			lead++
		}
		for isBoundary(t[len(t)-1-trail]) {
			trail++
		}
		core := collapseBoundaryRuns(t[lead : len(t)-trail])
		for p := 0; p+lead <= len(b); p++ {
			if p > 0 && !isBoundary(b[p-1]) || string(b[p:p+lead]) != string(t[:lead]) {
				continue
			}
			j, ok := p+lead, true
			for k := 0; k < len(core) && ok; k++ {
				if j >= len(b) || a2c(b[j]) != a2c(core[k]) {
					ok = false
					break
				}
				j++
				if isBoundary(core[k]) {
					for j < len(b) && isBoundary(b[j]) {
						j++
					}
				}
			}
			if ok && j+trail <= len(b) && string(b[j:j+trail]) == string(t[len(t)-trail:]) {
				out = append(out, [3]int{p, j + trail, int(vals[ti])})
			}
		}
	}
	return out
}

// a2c compares bytes as the automaton's classes do: boundaries are one,
// ASCII letters fold.
func a2c(c byte) byte {
	if isBoundary(c) {
		return ' '
	}
	return lowerASCII(c)
}

// A stretching automaton must report exactly the occurrences the
// byte-by-byte reference finds.
func TestStretchingAutomatonMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const letters, seps = "abAB", " .,-\n"
	word := func() []byte {
		w := make([]byte, 1+rng.IntN(3))
		for i := range w {
			w[i] = letters[rng.IntN(len(letters))]
		}
		return w
	}
	for round := range 2000 {
		var terms [][]byte
		var vals []int32
		seenTerm := map[string]bool{}
		for range 1 + rng.IntN(6) {
			term := word()
			for range rng.IntN(3) {
				for range 1 + rng.IntN(2) {
					term = append(term, seps[rng.IntN(len(seps))])
				}
				term = append(term, word()...)
			}
			if rng.IntN(4) == 0 {
				term = append([]byte{seps[rng.IntN(2)]}, term...) // "#conf"
			}
			if rng.IntN(4) == 0 {
				term = append(term, seps[1+rng.IntN(2)]) // "inc."
			}
			for i := range term {
				term[i] = lowerASCII(term[i])
			}
			// Terms the automaton reads alike share a state: the first
			// listed wins it, so the reference sees that one only.
			lead, trail := 0, 0
			for isBoundary(term[lead]) {
				lead++
			}
			for isBoundary(term[len(term)-1-trail]) {
				trail++
			}
			var key []byte
			for _, c := range collapseBoundaryRuns(term[lead : len(term)-trail]) {
				key = append(key, a2c(c))
			}
			if seenTerm[string(key)] {
				continue
			}
			seenTerm[string(key)] = true
			terms = append(terms, term)
			vals = append(vals, int32(len(vals)))
		}
		a := newStretchingAutomaton(terms, vals)
		var text []byte
		for len(text) < rng.IntN(80) {
			if rng.IntN(3) == 0 {
				text = append(text, terms[rng.IntN(len(terms))]...)
			} else {
				text = append(text, word()...)
			}
			for range rng.IntN(4) {
				text = append(text, seps[rng.IntN(len(seps))])
			}
		}
		var got [][3]int
		a.each(text, func(s, e int, v int32) bool {
			got = append(got, [3]int{s, e, int(v)})
			return false
		})
		want := stretchedOccurrences(terms, vals, text)
		cmp := func(x, y [3]int) int {
			for i := range x {
				if x[i] != y[i] {
					return x[i] - y[i]
				}
			}
			return 0
		}
		slices.SortFunc(got, cmp)
		slices.SortFunc(want, cmp)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: terms %q in %q:\n got  %v\n want %v", round, terms, text, got, want)
		}
	}
}

// Boundaries that lead or end a term are matched one for one, and a term
// that starts with one is still found right after another term's stretch.
func TestStretchingKeepsEdges(t *testing.T) {
	terms := [][]byte{[]byte("acme supplies"), []byte("#conf"), []byte("inc.")}
	a := newStretchingAutomaton(terms, []int32{0, 1, 2})
	cases := []struct {
		text string
		want [][3]int
	}{
		{"acme   supplies", [][3]int{{0, 15, 0}}},
		{"ACME,\n  Supplies ltd", [][3]int{{0, 16, 0}}},
		{"acme #conf", [][3]int{{5, 10, 1}}},
		{"acme  #conf", [][3]int{{6, 11, 1}}},
		{"x#conf conf", nil},
		{"acme -conf, inc, inc.", [][3]int{{17, 21, 2}}},
		{"inc.. x", [][3]int{{0, 4, 2}}},
		{"acmesupplies", nil},
		{"acme s upplies", nil},
	}
	for _, c := range cases {
		var got [][3]int
		a.each([]byte(c.text), func(s, e int, v int32) bool {
			got = append(got, [3]int{s, e, int(v)})
			return false
		})
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
}

// walkOccurrences is the reference for walk: every (start, end, val) where a
// term starts at a word start in [from, to), read byte by byte (ASCII case
// folded, boundary bytes alike), in order of start, then of end. A term
// listed twice keeps its first value, as the automaton does.
func walkOccurrences(terms [][]byte, vals []int32, b []byte, from, to int) [][3]int {
	var out [][3]int
	for p := from; p < to; p++ {
		if p > 0 && !isBoundary(b[p-1]) {
			continue
		}
		seen := map[string]bool{}
		for ti, t := range terms {
			folded := make([]byte, len(t))
			for k, c := range t {
				folded[k] = a2c(c)
			}
			if seen[string(folded)] || p+len(t) > len(b) {
				seen[string(folded)] = true
				continue
			}
			seen[string(folded)] = true
			match := true
			for k := range t {
				if a2c(b[p+k]) != folded[k] {
					match = false
					break
				}
			}
			if match {
				out = append(out, [3]int{p, p + len(t), int(vals[ti])})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y [3]int) int {
		if x[0] != y[0] {
			return x[0] - y[0]
		}
		return x[1] - y[1]
	})
	return out
}

// walk, which follows the double-array trie, must report exactly the
// occurrences the byte-by-byte reference finds: for the context keywords,
// and for random small dictionaries, over text made of their pieces.
func TestWalkMatchesReference(t *testing.T) {
	loadKeywords()
	var kwTerms [][]byte
	var kwVals []int32
	seen := map[string]bool{}
	for _, l := range keywords.lists {
		for _, w := range l {
			if !seen[w] {
				seen[w] = true
				kwTerms = append(kwTerms, []byte(w))
				kwVals = append(kwVals, int32(len(kwVals)))
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	type dict struct {
		a     *automaton
		terms [][]byte
		vals  []int32
	}
	dicts := []dict{{keywords.ac, kwTerms, kwVals}}
	alphabet := "abcde é-. "
	for range 200 {
		var terms [][]byte
		var vals []int32
		for range 1 + rng.IntN(30) {
			var w []byte
			for range 1 + rng.IntN(6) {
				w = append(w, alphabet[rng.IntN(len(alphabet)-3)]) // letters (and é's bytes) first
			}
			if rng.IntN(4) == 0 {
				w = append(w, alphabet[len(alphabet)-3+rng.IntN(3)])
				w = append(w, alphabet[rng.IntN(5)])
			}
			terms = append(terms, w)
			vals = append(vals, int32(rng.IntN(1000)))
		}
		dicts = append(dicts, dict{newAutomaton(terms, vals), terms, vals})
	}
	for di, d := range dicts {
		texts := 20
		if di == 0 {
			texts = 400 // the keywords: long texts, walked in whole chunks too
		}
		for range texts {
			var b []byte
			for n := rng.IntN(600); len(b) < n; {
				switch rng.IntN(3) {
				case 0:
					b = append(b, d.terms[rng.IntN(len(d.terms))]...)
				case 1:
					b = append(b, alphabet[rng.IntN(len(alphabet))])
				default:
					w := d.terms[rng.IntN(len(d.terms))]
					b = append(b, w[:rng.IntN(len(w)+1)]...)
					b = append(b, "ABCDE"[rng.IntN(5)])
				}
			}
			from := rng.IntN(len(b) + 1)
			to := from + rng.IntN(len(b)-from+1)
			var got [][3]int
			d.a.walk(b, from, to, func(s, e int, v int32) bool { got = append(got, [3]int{s, e, int(v)}); return false })
			want := walkOccurrences(d.terms, d.vals, b, from, to)
			if !slices.Equal(got, want) {
				t.Fatalf("dictionary %d, %q [%d,%d):\n got %v\nwant %v", di, b, from, to, got, want)
			}
		}
	}
}
