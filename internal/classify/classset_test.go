package classify

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The nibble form must be the same set as the table, and the vector index
// must agree with a byte loop: every byte value at every position of every
// length up to 100, with and without members before it, and random slices.
func TestClassSetIndex(t *testing.T) {
	for c := 0; c < 256; c++ {
		if triggers.in[c] != (trigger[c] != 0) || boundaries.in[c] != isBoundary(byte(c)) {
			t.Fatalf("byte %#x: the sets differ from the tables they copy", c)
		}
	}
	sets := map[string]*classSet{"trigger": triggers, "boundary": boundaries, "string": stringSpecials}
	for name, cs := range sets {
		for c := 0; c < 256; c++ {
			if got := cs.lo[c&15]&cs.hi[c>>4] != 0; got != cs.in[c] {
				t.Fatalf("%s: nibble form says %v for %#x, table %v", name, got, c, cs.in[c])
			}
		}
		exact := func(b []byte) int {
			for i, c := range b {
				if cs.in[c] {
					return i
				}
			}
			return len(b)
		}
		// want checks the vector loop on its own too (index would hide its
		// false positives behind the scalar loop) and returns the answer.
		want := func(b []byte) int {
			w := exact(b)
			if haveVectorIndex && len(b) >= 32 {
				whole := len(b) - len(b)%32
				if got := indexClassVector(b, cs); got != min(w, whole) {
					t.Fatalf("%s: vector loop on %d bytes says %d, want %d", name, len(b), got, min(w, whole))
				}
			}
			return w
		}
		var filler byte // a byte outside the set
		for cs.in[filler] {
			filler++
		}
		for n := 0; n <= 100; n++ {
			b := make([]byte, n)
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					for k := range b {
						b[k] = filler
					}
					b[pos] = byte(c)
					if got, w := cs.index(b), want(b); got != w {
						t.Fatalf("%s: len %d, byte %#x at %d: index %d, want %d", name, n, c, pos, got, w)
					}
				}
			}
		}
		rng := rand.New(rand.NewPCG(7, 9))
		for range 20000 {
			b := make([]byte, rng.IntN(300))
			for k := range b {
				b[k] = filler
				if rng.IntN(40) == 0 {
					b[k] = byte(rng.IntN(256))
				}
			}
			if got, w := cs.index(b), want(b); got != w {
				t.Fatalf("%s: random slice of %d: index %d, want %d", name, len(b), got, w)
			}
		}
	}
	if !haveVectorIndex {
		t.Log("no AVX2 here: only the scalar path was tested")
	}
}

// stringEnd takes the vector path on long strings: every special byte (a
// quote, an escape, a control character, a non-ASCII rune) at every offset
// of a long string must end or mark it exactly as the byte loop does.
func TestStringEndLongStrings(t *testing.T) {
	specials := []string{`"`, `\n`, `\"`, `\u00e9`, "\x01", "\x1f", "é", `\\`}
	for n := 0; n < 300; n++ {
		for _, sp := range specials {
			body := []byte(`"` + strings.Repeat("a", n) + sp + strings.Repeat("b", 90) + `"` + strings.Repeat(" ", 70))
			gotEnd, gotFlags, gotErr := stringEnd(body, 0)
			wantEnd, wantFlags, wantErr := stringEndSlow(body, 0, 1, 0)
			// Non-ASCII must be reported; strings that end within the first
			// vector step must not be reported non-ASCII when they are not.
			short := wantErr == nil && wantEnd <= 32
			if gotEnd != wantEnd || (gotErr == nil) != (wantErr == nil) || gotFlags&strEsc != wantFlags&strEsc ||
				wantFlags&strHigh != 0 && gotFlags&strHigh == 0 || short && gotFlags != wantFlags {
				t.Fatalf("%q after %d bytes: stringEnd = %d, %b, %v; byte loop = %d, %b, %v",
					sp, n, gotEnd, gotFlags, gotErr, wantEnd, wantFlags, wantErr)
			}
		}
	}
}

// classMasks must mark exactly the members, chunk by chunk.
func TestClassMasks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := make([]byte, rng.IntN(400))
		for k := range b {
			b[k] = byte(rng.IntN(256))
			if rng.IntN(2) == 0 {
				b[k] = 'a' + byte(rng.IntN(26))
			}
		}
		out := make([]uint32, len(b)/32+1)
		out[len(out)-1] = 0xdeadbeef
		boundaries.masks(b, out)
		for k := range len(b) / 32 {
			for j := range 32 {
				if got := out[k]&(1<<j) != 0; got != boundaries.in[b[32*k+j]] {
					t.Fatalf("len %d chunk %d byte %d (%#x): mask says %v", len(b), k, j, b[32*k+j], got)
				}
			}
		}
		if out[len(out)-1] != 0xdeadbeef {
			t.Fatalf("len %d: wrote past the whole chunks", len(b))
		}
	}
}

// The chunked walk must report the same keyword hits, in the same order, as
// a walk from every word start one by one.
func TestWalkChunksAgree(t *testing.T) {
	loadKeywords()
	a := keywords.ac
	words := []string{"phone", "tel", "geboren", "date of birth", "order", "the", "a", "iban", "customer", "x",
		"Telefonnummer", "né le", "ss#", "anna", "—", "é", "  ", ",", "(", "\n", "123"}
	rng := rand.New(rand.NewPCG(5, 6))
	type hit struct {
		s, e int
		v    int32
	}
	for range 3000 {
		var sb strings.Builder
		for sb.Len() < rng.IntN(600) {
			sb.WriteString(words[rng.IntN(len(words))])
			if rng.IntN(3) > 0 {
				sb.WriteByte(" .,;:-/"[rng.IntN(7)])
			}
		}
		b := []byte(sb.String())
		from := rng.IntN(len(b) + 1)
		to := from + rng.IntN(len(b)-from+1)
		var got, want []hit
		a.walk(b, from, to, func(s, e int, v int32) bool { got = append(got, hit{s, e, v}); return false })
		root := a.trie[boundaryClass]
		for p := from; p < to; p++ {
			if p == 0 || a.boundary[b[p-1]] {
				a.walkFrom(b, p, root, p, func(s, e int, v int32) bool { want = append(want, hit{s, e, v}); return false })
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%q [%d,%d): %d hits, want %d", b, from, to, len(got), len(want))
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("%q [%d,%d): hit %d is %v, want %v", b, from, to, k, got[k], want[k])
			}
		}
	}
}
