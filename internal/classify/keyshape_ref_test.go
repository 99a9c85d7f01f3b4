package classify

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The byte-by-byte shape tests the word-at-a-time ones (swar.go) replaced,
// kept as their reference.

func refCapitalizedWord(b []byte) bool {
	if len(b) < 2 || len(b) > 15 || !isUpper(b[0]) {
		return false
	}
	for _, c := range b[1:] {
		if !isLower(c) {
			return false
		}
	}
	return true
}

func refPlainEmail(b []byte) bool {
	at, digits, dots := -1, 0, 0
	for k, c := range b {
		if cl := charClass[c]; cl&(cLower|cDigit) != 0 {
			digits += int(cl & cDigit)
			continue
		}
		switch c {
		case '.':
			if k == 0 || b[k-1] == '.' || b[k-1] == '@' || k == len(b)-1 {
				return false
			}
			if at >= 0 {
				dots++
			}
		case '@':
			if at >= 0 || k == 0 || b[k-1] == '.' {
				return false
			}
			at = k
		default:
			return false
		}
	}
	if at < 0 || dots == 0 || digits > 4 {
		return false
	}
	// The top-level domain: two or more letters.
	t := len(b)
	for t > at && b[t-1] != '.' {
		t--
	}
	if len(b)-t < 2 {
		return false
	}
	for _, c := range b[t:] {
		if !isLower(c) {
			return false
		}
	}
	return true
}

func refIsoTimestamp(b []byte) bool {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return false
	}
	for _, k := range [...]uint8{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(b[k]) {
			return false
		}
	}
	return isoTimestampTail(b) // the tail is unchanged
}

func refIsoBirthDate(b []byte) bool {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' || !refAllDigits(b[:4]) || !refAllDigits(b[5:7]) || !refAllDigits(b[8:]) {
		return false
	}
	return plausibleDOB(atoi(b[8:]), atoi(b[5:7]), atoi(b[:4]))
}

func refAllDigits(d []byte) bool {
	for _, c := range d {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// shapePairs are the word-at-a-time shape tests and their references.
var shapePairs = []struct {
	name      string
	fast, ref func([]byte) bool
}{
	{"capitalizedWord", capitalizedWord, refCapitalizedWord},
	{"plainEmail", plainEmail, refPlainEmail},
	{"plainIdentifier", plainIdentifier, plainIdentifierBytes}, // the bytes are its own slow path
	{"isoTimestamp", isoTimestamp, refIsoTimestamp},
	{"isoBirthDate", isoBirthDate, refIsoBirthDate},
	{"allDigits", allDigits, refAllDigits},
}

// checkShapes fails where a shape test and its reference disagree on v,
// read both alone and inside a larger buffer (a value is a slice of a
// body, with bytes after it).
func checkShapes(t *testing.T, v []byte) {
	t.Helper()
	inBody := append(append([]byte(`"`), v...), `"}]}`...)[1 : 1+len(v)]
	for _, p := range shapePairs {
		want := p.ref(v)
		if p.name == "plainEmail" && len(v) > 64 {
			// Not plain to the shortcut, which asks of values up to 48
			// bytes: "no" sends a value to the detectors, always safe.
			want = false
		}
		if got := p.fast(v); got != want {
			t.Fatalf("%s(%q) = %v, the reference says %v", p.name, v, got, want)
		}
		if got := p.fast(inBody); got != want {
			t.Fatalf("%s(%q) inside a body = %v, the reference says %v", p.name, v, got, want)
		}
	}
}

// shapeSeeds are values near every shape's edges.
var shapeSeeds = []string{
	"", "a", "Ab", "Anna", "Julien", "Maximilianusxyz", "Maximilianusxyzw", "AnnA", "anna", "Ann`", "Ann{",
	"Léa", "Ann\x80", "J\xffa", "anna@example.com", "julien.girard@example.co.uk", "a@b.cd", "a@b.c",
	"@example.com", "anna@@example.com", "anna.@example.com", "anna@.example.com", "anna..b@example.com",
	".anna@example.com", "anna@example.com.", "anna@examplecom", "a1b2c3d4@example.com", "a1b2c3d4e5@example.com",
	"anna@example.c0m", "anna@example.de", "Anna@example.com", "anna_b@example.com", "anna@exämple.com",
	"00373cJ9DZkvldQsbo", "SKU-190457", "sku-190457", "SKU--1", "-SKU1", "SKU1-", "DE89370400440532013000",
	"DE8937040044053201", "DE8937040044053", "DE89370400440532", "DE893704004405", "ab12",
	"2026-03-07T00:44:39.000+0000", "2026-03-07T00:44:39Z", "2026-03-07T00:44:39",
	"2026-03-07T00:44:39+01:00", "2026-03-07 00:44:39", "2026-03-07T00:44:3x", "2026/03/07T00:44:39",
	"2026-03-07T00:44:39.0000000000Z", "1966-11-23", "1966-13-23", "1966-11-2", "1966-11-2a", "19661123",
	"12345", "1234a", "0", "٣", "１２３",
}

// The word-at-a-time shapes answer as the byte loops did, value by value.
func TestShapesMatchTheirReference(t *testing.T) {
	for _, v := range shapeSeeds {
		checkShapes(t, []byte(v))
	}
	// Random values over the bytes the shapes tell apart, at every length
	// from 0 to 70, and each seed with one byte changed.
	const alphabet = "aAzZ09@.-_+:T `{/@\x80\xff\xc3\xa9"
	rng := rand.New(rand.NewPCG(9, 10))
	for n := 0; n <= 70; n++ {
		for range 300 {
			v := make([]byte, n)
			for k := range v {
				v[k] = alphabet[rng.IntN(len(alphabet))]
			}
			checkShapes(t, v)
		}
	}
	for _, seed := range shapeSeeds {
		for k := range len(seed) {
			for _, c := range []byte(alphabet) {
				v := []byte(seed)
				v[k] = c
				checkShapes(t, v)
			}
		}
	}
}

func FuzzKeyShapes(f *testing.F) {
	for _, v := range shapeSeeds {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		checkShapes(t, bytes.Clone(v))
	})
}
