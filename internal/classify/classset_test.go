package classify

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Every class set must be the set it is defined as, and its nibble form
// (what the vector code reads) the same set as its table.
func TestClassSets(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if triggers.in[c] != (trigger[c] != 0) || boundaries.in[c] != isBoundary(b) ||
			stringSpecials.in[c] != (b == '"' || b == '\\' || b < 0x20) ||
			stringNotPlain.in[c] != (b == '\\' || b < 0x20 || b >= 0x80) {
			t.Fatalf("byte %#x: the sets differ from their definitions", c)
		}
	}
	for name, cs := range classSets() {
		for c := 0; c < 256; c++ {
			if got := cs.lo[c&15]&cs.hi[c>>4] != 0; got != cs.in[c] {
				t.Fatalf("%s: nibble form says %v for %#x, table %v", name, got, c, cs.in[c])
			}
		}
	}
}

func classSets() map[string]*classSet {
	return map[string]*classSet{"trigger": triggers, "boundary": boundaries,
		"string specials": stringSpecials, "string not plain": stringNotPlain}
}

// Long strings: every special byte (a quote, an escape, a control
// character, a non-ASCII rune) at every offset must end or mark the string
// exactly as the byte loop does, in the eight-byte loop and from the masks.
func TestStringEndLongStrings(t *testing.T) {
	specials := []string{`"`, `\n`, `\"`, `\u00e9`, "\x01", "\x1f", "é", `\\`}
	var j jsonState
	for n := 0; n < 300; n++ {
		for _, sp := range specials {
			body := []byte(`"` + strings.Repeat("a", n) + sp + strings.Repeat("b", 90) + `"` + strings.Repeat(" ", 70))
			wantEnd, wantFlags, wantErr := stringEndSlow(body, 0, 1, 0)
			j.reset()
			for _, way := range []string{"stringEnd", "jsonState.stringEnd"} {
				gotEnd, gotFlags, gotErr := stringEnd(body, 0)
				if way != "stringEnd" {
					gotEnd, gotFlags, gotErr = j.stringEnd(body, 0)
				}
				if gotEnd != wantEnd || gotFlags != wantFlags || (gotErr == nil) != (wantErr == nil) {
					t.Fatalf("%q after %d bytes: %s = %d, %b, %v; byte loop = %d, %b, %v",
						sp, n, way, gotEnd, gotFlags, gotErr, wantEnd, wantFlags, wantErr)
				}
			}
		}
	}
}

// The walker's string ends, read off the window's masks (plainEnd, then
// stringEnd), must agree exactly with the byte loop on every string of a
// body: strings of every length, crossing chunks and windows, with quotes,
// escapes, control and non-ASCII bytes anywhere, up to the body's last byte.
func TestStringEndMasked(t *testing.T) {
	pieces := []string{"a", "b", "Z", "9", " ", `\"`, `\n`, `\\`, `\u00e9`, "é", "€", "\x01", "\x1f", "\x7f"}
	rng := rand.New(rand.NewPCG(11, 12))
	var j jsonState // reused, as pooled scanners are: stale masks must not matter
	for round := range 2000 {
		var body strings.Builder
		var starts []int
		for body.Len() < 40+rng.IntN(6000) {
			starts = append(starts, body.Len())
			body.WriteByte('"')
			n := rng.IntN(40)
			if rng.IntN(20) == 0 {
				n = rng.IntN(3000) // past a chunk, sometimes past the window
			}
			for range n {
				if rng.IntN(8) == 0 {
					body.WriteString(pieces[rng.IntN(len(pieces))])
				} else {
					body.WriteByte(byte('a' + rng.IntN(26)))
				}
			}
			body.WriteByte('"')
			body.WriteString([]string{",", ":", " ", ",\n  ", ""}[rng.IntN(5)])
		}
		b := []byte(body.String())
		if round%2 == 1 {
			b = b[:len(b)-1-rng.IntN(3)] // cut the last string: unterminated
		}
		j.reset()
		for _, i := range starts {
			if i >= len(b) {
				break
			}
			e, flags, err := j.plainEnd(i), uint8(0), error(nil)
			if e == 0 {
				e, flags, err = j.stringEnd(b, i)
			}
			wantEnd, wantFlags, wantErr := stringEndSlow(b, i, i+1, 0)
			if e != wantEnd || flags != wantFlags || (err == nil) != (wantErr == nil) {
				t.Fatalf("round %d, string at %d of %d: got %d, %b, %v; byte loop %d, %b, %v",
					round, i, len(b), e, flags, err, wantEnd, wantFlags, wantErr)
			}
			if err != nil {
				break
			}
		}
	}
	if !haveVectorMasks {
		t.Log("no AVX2 here: only the scalar path was tested")
	}
}

// halfLetters returns n random bytes, half of them lower-case letters.
func halfLetters(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for k := range b {
		b[k] = byte(rng.IntN(256))
		if rng.IntN(2) == 0 {
			b[k] = 'a' + byte(rng.IntN(26))
		}
	}
	return b
}

// classMasks must mark exactly the members of every set, chunk by chunk:
// every byte value at every position of a chunk, and random slices; the
// vector code and its scalar twin alike, and never past the whole chunks.
func TestClassMasks(t *testing.T) {
	check := func(name string, cs *classSet, b []byte) {
		t.Helper()
		n := len(b) / 32
		for _, way := range []string{"masks", "scalar"} {
			out := make([]uint32, n+1)
			out[n] = 0xdeadbeef
			if way == "masks" {
				cs.masks(b, out)
			} else {
				classMasksScalar(b, cs, out)
			}
			for k := range n {
				for j := range 32 {
					if got := out[k]&(1<<j) != 0; got != cs.in[b[32*k+j]] {
						t.Fatalf("%s, %s: len %d chunk %d byte %d (%#x): mask says %v", name, way, len(b), k, j, b[32*k+j], got)
					}
				}
			}
			if out[n] != 0xdeadbeef {
				t.Fatalf("%s, %s: len %d: wrote past the whole chunks", name, way, len(b))
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for name, cs := range classSets() {
		b := make([]byte, 64)
		for pos := range b {
			for c := range 256 {
				clear(b)
				b[pos] = byte(c)
				check(name, cs, b)
			}
		}
		for range 500 {
			check(name, cs, halfLetters(rng, rng.IntN(400)))
		}
	}
	if !haveVectorMasks {
		t.Log("no AVX2 here: only the scalar path was tested")
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
