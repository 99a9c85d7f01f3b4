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
