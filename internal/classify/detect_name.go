package classify

import (
	"bufio"
	"bytes"
	"embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Person names: a capitalized word from the first-name lists (en, de, fr, es,
// it, nl, sv, pl) followed by capitalized words (a surname, middle names,
// particles such as "van der"), or capitalized words after a title ("Mr",
// "Frau", "Mme", "Sra."). A first name alone is weak and needs context
// ("Dear Anna", "name: Anna"); names that are also everyday words ("Will",
// "May", "Grace") need a surname or context.

//go:embed names/*.txt
var nameFiles embed.FS

const (
	nameFirst uint8 = 1 << iota
	nameSurname
	nameAmbiguous
	nameTitle
	nameStop // capitalized words that end a name: months, weekdays, company forms, places
)

var names struct {
	once   sync.Once
	dict   map[string]uint8
	filter nameFilter
}

func loadNames() {
	names.once.Do(func() {
		d := make(map[string]uint8, 2048)
		load := func(file string, flag uint8) {
			data, err := nameFiles.ReadFile("names/" + file)
			if err != nil {
				panic("classify: embedded name list missing: " + file)
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" || line[0] == '#' {
					continue
				}
				// Multi-word surnames ("van den berg") are found through
				// their particles; the last word is the one looked up.
				if k := strings.LastIndexByte(line, ' '); k >= 0 {
					line = line[k+1:]
				}
				d[line] |= flag
			}
		}
		load("first.txt", nameFirst)
		load("surnames.txt", nameSurname)
		load("ambiguous.txt", nameFirst|nameAmbiguous)
		for _, t := range []string{"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau",
			"mme", "mlle", "monsieur", "madame", "sr", "sra", "srta", "señor", "señora", "señorita", "don", "doña",
			"sig", "signor", "signora", "signorina", "dott", "dott.ssa", "dhr", "mevr", "mevrouw", "meneer", "pan",
			"pani", "fru", "fröken"} {
			d[t] |= nameTitle
		}
		for _, w := range []string{"street", "road", "avenue", "lane", "inc", "ltd", "llc", "gmbh", "ag", "sa", "srl",
			"bv", "ab", "corp", "company", "group", "hotel", "bank", "university", "hospital", "airport", "park",
			"square", "station", "church", "school", "monday", "tuesday", "wednesday", "thursday", "friday",
			"saturday", "sunday", "the", "and", "of", "for", "in", "on", "at", "to", "is", "was", "has", "had",
			"will", "can", "did", "does", "please", "thanks", "thank", "team", "support", "service", "customer",
			"order", "store", "shop", "edition", "collection", "series", "pro", "max", "plus", "mini", "ultra"} {
			d[w] |= nameStop
		}
		for m := range monthNames {
			d[m] |= nameStop
		}
		names.dict = d
		for w := range d {
			if len(w) >= 2 {
				// Keys are folded; text words are checked with their
				// first two bytes folded the same way (non-ASCII words
				// by their raw bytes, so add the capitalized form too).
				names.filter.add([]byte(w))
				r, size := utf8.DecodeRuneInString(w)
				names.filter.add(append(utf8.AppendRune(nil, unicode.ToUpper(r)), w[size:]...))
			}
		}
	})
}

// nameWordEnd returns the end of a name word at i: letters of any script,
// inner hyphens and apostrophes ("Jean-Luc", "O'Brien", "D'Angelo").
func nameWordEnd(b []byte, i int) int {
	j := i
	for j < len(b) {
		c := b[j]
		if isAlpha(c) {
			j++
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRune(b[j:])
			if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
				break
			}
			j += size
			continue
		}
		if (c == '-' || c == '\'') && j > i && j+1 < len(b) && (isAlpha(b[j+1]) || b[j+1] >= 0x80) {
			j++
			continue
		}
		break
	}
	return j
}

// foldName lower-cases a word into buf; nil if it does not fit.
func foldName(buf *[64]byte, w []byte) []byte {
	if len(w) > len(buf)-4 {
		return nil
	}
	out := buf[:0]
	for k := 0; k < len(w); {
		c := w[k]
		if c < 0x80 {
			out = append(out, lowerASCII(c))
			k++
			continue
		}
		r, size := utf8.DecodeRune(w[k:])
		out = utf8.AppendRune(out, unicode.ToLower(r))
		k += size
		if len(out) > len(buf)-4 {
			return nil
		}
	}
	return out
}

func (s *scanner) nameFlags(b []byte, i, e int) uint8 {
	if e-i < 2 || !names.filter.has(b[i:e]) {
		return 0
	}
	var buf [64]byte
	w := foldName(&buf, b[i:e])
	if w == nil {
		return 0
	}
	return names.dict[string(w)]
}

// nameFilter answers "could this word be in the dictionary?" from its first
// two letters (ASCII folded) and its length, before any hashing: most
// capitalized words in prose ("The", "Your", "Thanks") are not.
type nameFilter [1 << 14 / 64]uint64

func nameFilterKey(w []byte) uint32 {
	return (uint32(lowerASCII(w[0]))*31+uint32(lowerASCII(w[1])))*16 + uint32(min(len(w), 15))
}

func (f *nameFilter) add(w []byte) {
	k := nameFilterKey(w) % (1 << 14)
	f[k/64] |= 1 << (k % 64)
}

func (f *nameFilter) has(w []byte) bool {
	k := nameFilterKey(w) % (1 << 14)
	return f[k/64]&(1<<(k%64)) != 0
}

// nameAt handles a capitalized word at i.
func (s *scanner) nameAt(b []byte, i int) int {
	e := nameWordEnd(b, i)
	if e == i {
		return i + 1
	}
	f := s.nameFlags(b, i, e)
	if f == 0 || f&nameStop != 0 && f&nameFirst == 0 {
		return e
	}
	if f&nameTitle != 0 {
		k := e
		if k < len(b) && b[k] == '.' {
			k++
		}
		if end, _ := s.nameTail(b, k); end > k {
			s.add(PersonName, "", k+1, end, s.ctxUp(k+1, end, 0.8, kwName, 0.1))
			return end
		}
		return e
	}
	if f&nameFirst == 0 {
		return e
	}
	end, surname := s.nameTail(b, e)
	ambiguous := f&nameAmbiguous != 0
	switch {
	case end > e:
		conf := 0.7
		if surname {
			conf = 0.85
		} else if ambiguous {
			conf = 0.4
		}
		s.add(PersonName, "", i, end, s.ctxUp(i, end, conf, kwName, 0.15))
		return end
	default:
		conf := 0.4
		if ambiguous {
			conf = 0.2
		}
		s.add(PersonName, "", i, e, s.ctxUp(i, e, conf, kwName, 0.3))
		return e
	}
}

// nameTail reads the capitalized words that continue a name from the space
// at k: one word always, further ones only when the lists know them or a
// particle leads them ("van der Berg", "de la Cruz"). It returns the end (k
// if there is none) and whether a listed surname was among them.
func (s *scanner) nameTail(b []byte, k int) (int, bool) {
	end, surname := k, false
	for words := 0; words < 3 && k < len(b) && b[k] == ' '; words++ {
		j := k + 1
		particle := false
		for p := 0; p < 2; p++ {
			pe := nameWordEnd(b, j)
			if pe == j || isCap(b, j) || pe >= len(b) || b[pe] != ' ' {
				break
			}
			var buf [32]byte
			if lw := lowerWord(&buf, b[j:pe]); lw == nil || !particles[string(lw)] {
				break
			}
			j = pe + 1
			particle = true
		}
		if !isCap(b, j) {
			break
		}
		we := nameWordEnd(b, j)
		if we-j < 2 || allUpper(b[j:we]) {
			break
		}
		f := s.nameFlags(b, j, we)
		if f&(nameStop|nameTitle) != 0 || words > 0 && f&(nameFirst|nameSurname) == 0 && !particle {
			break
		}
		surname = surname || f&nameSurname != 0
		end, k = we, we
	}
	return end, surname
}

func allUpper(w []byte) bool {
	for _, c := range w {
		if isLower(c) {
			return false
		}
	}
	return true
}

// startsWithFirstName reports whether v's first word is a listed first name
// (for generic "name" keys, which also hold products and companies).
func (s *scanner) startsWithFirstName(v []byte) bool {
	e := nameWordEnd(v, 0)
	return e > 0 && s.nameFlags(v, 0, e)&nameFirst != 0
}
