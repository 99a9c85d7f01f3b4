package classify

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/binary"
	"math/bits"
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
	// nameThing: kinds of products and seasons (productNouns), which end a
	// first name alone, with no name word around it ("Emma Mattress"),
	// but may be the surname of a name given so ("Dear Anna Lampe").
	nameThing
)

var names struct {
	once  sync.Once
	dict  map[string]uint8
	table *wordTable
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
			"order", "store", "shop", "edition", "collection", "series", "pro", "max", "plus", "mini", "ultra",
			// The polite "you", capitalized: "Ich heiße Sie herzlich willkommen".
			"sie", "ihnen", "euch", "dich", "ihre", "ihr", "vous", "usted", "ustedes", "jullie"} {
			d[w] |= nameStop
		}
		for m := range monthNames {
			d[m] |= nameStop
		}
		for _, w := range productNouns {
			d[w] |= nameThing
		}
		names.dict = d
		names.table = newWordTable(d)
	})
}

// productNouns are the kinds of things a shop names after a first name
// ("Emma Mattress", "Sofia Sofa", "Lukas Schreibtisch", "Collezione Giulia
// Autunno"), and the seasons of its collections, in the languages read:
// they end a first name alone (nameThing). None is in the name lists
// ("Summer", "Winter" and "Sommer" are; "Broek" is a surname), nor a
// common surname ("Lampe", "Herbst", "Mesa", "Kruk" are left out).
var productNouns = []string{
	"mattress", "sofa", "chair", "table", "desk", "bed", "lamp", "shelf", "wardrobe", "cabinet", "dress", "shirt",
	"blouse", "jacket", "coat", "sweater", "jumper", "hoodie", "trousers", "jeans", "skirt", "shoes", "sneakers",
	"sandals", "bag", "handbag", "tote", "backpack", "wallet", "necklace", "bracelet", "earrings", "perfume",
	"candle", "mug", "vase", "rug", "cushion", "pillow", "blanket", "towel", "stool", "armchair", "ottoman",
	"sideboard", "bookcase", "matratze", "schreibtisch", "bett", "regal", "kommode", "kleid", "hemd", "bluse",
	"jacke", "pullover", "hose", "schuhe", "tasche", "handtasche", "rucksack", "uhr", "kette", "armband", "kerze",
	"tasse", "teppich", "kissen", "decke", "handtuch", "hocker", "sessel", "matelas", "canapé", "chaise", "lit",
	"étagère", "armoire", "commode", "robe", "chemise", "veste", "manteau", "pull", "pantalon", "jupe",
	"chaussures", "bottes", "sac", "montre", "bougie", "tapis", "coussin", "fauteuil", "tabouret", "colchón",
	"sofá", "silla", "escritorio", "cama", "lámpara", "estantería", "armario", "vestido", "camisa", "chaqueta",
	"abrigo", "pantalón", "falda", "zapatos", "botas", "bolso", "mochila", "reloj", "alfombra", "cojín", "sillón",
	"taburete", "materasso", "divano", "sedia", "tavolo", "scrivania", "letto", "lampada", "mensola", "armadio",
	"vestito", "abito", "camicia", "giacca", "cappotto", "maglione", "pantaloni", "gonna", "scarpe", "stivali",
	"zaino", "orologio", "collana", "tappeto", "cuscino", "poltrona", "sgabello", "matras", "stoel", "tafel",
	"kast", "jurk", "overhemd", "jas", "trui", "schoenen", "laarzen", "tas", "horloge", "kaars", "tapijt",
	"kussen", "madrass", "soffa", "stol", "bord", "skrivbord", "säng", "lampa", "hylla", "garderob", "klänning",
	"skjorta", "jacka", "tröja", "byxor", "kjol", "skor", "stövlar", "väska", "ryggsäck", "klocka", "kudde",
	"fåtölj", "pall", "materac", "kanapa", "krzesło", "stół", "biurko", "łóżko", "półka", "szafa", "sukienka",
	"koszula", "kurtka", "płaszcz", "sweter", "spodnie", "spódnica", "buty", "torba", "torebka", "plecak",
	"zegarek", "świeca", "dywan", "poduszka", "fotel", "spring", "autumn", "frühling", "printemps", "été",
	"automne", "hiver", "verano", "otoño", "invierno", "estate", "autunno", "inverno", "lente", "herfst", "vår",
	"sommar", "höst", "wiosna", "jesień",
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

func (s *scanner) nameFlags(b []byte, i, e int) uint8 {
	if e-i < 2 {
		return 0
	}
	return names.table.lookup(b[i:e])
}

// hyphenatedFlags answers for a double name the lists do not hold whole
// ("Jean-Luc", "Hans-Peter", "Müller-Schmidt"): a first name when every
// part is one (ambiguous when every part is), a surname when a part is one
// and none is a stop word; 0 for other words.
func hyphenatedFlags(w []byte) uint8 {
	h := bytes.IndexByte(w, '-')
	// Double names capitalize every part: "Jean-Luc", not "Long-term".
	if h <= 0 || !isCap(w, h+1) {
		return 0
	}
	all, any := uint8(nameFirst|nameAmbiguous|nameSurname), uint8(0)
	for len(w) > 0 {
		part := w[:h]
		if len(part) < 2 {
			return 0
		}
		f := names.table.lookup(part)
		if f&(nameStop|nameTitle) != 0 {
			return 0
		}
		all &= f
		any |= f
		w = w[min(h+1, len(w)):]
		if h = bytes.IndexByte(w, '-'); h < 0 {
			h = len(w)
		}
	}
	return all&(nameFirst|nameAmbiguous) | any&nameSurname
}

// wordTable is the name dictionary as an open-addressing hash table keyed by
// the folded word: one pass folds and hashes, one probe usually answers.
// It exists because a Go map lookup (string hashing, then the probe) was the
// largest cost of scanning prose, where every sentence starts with a
// capitalized word.
type wordTable struct {
	mask  uint32
	slots []wordSlot
	arena []byte
	// bloom answers "certainly not in the table" from 8 KiB that stay in
	// cache while a long body streams through it; the slots, touched at
	// random, do not (a miss per capitalized word made a 1 MiB body scan at
	// half the speed of a 64 KiB one).
	bloom [1024]uint64
}

func (t *wordTable) bloomAdd(h uint32) {
	t.bloom[h>>6&1023] |= 1 << (h & 63)
	t.bloom[h>>22] |= 1 << (h >> 16 & 63)
}

func (t *wordTable) bloomHas(h uint32) bool {
	return t.bloom[h>>6&1023]&(1<<(h&63)) != 0 && t.bloom[h>>22]&(1<<(h>>16&63)) != 0
}

type wordSlot struct {
	hash  uint32
	off   uint32
	n     uint8
	flags uint8
}

func newWordTable(d map[string]uint8) *wordTable {
	size := uint32(1)
	for size < uint32(len(d))*2 {
		size <<= 1
	}
	t := &wordTable{mask: size - 1, slots: make([]wordSlot, size)}
	for w, f := range d {
		if len(w) > 60 {
			continue
		}
		h := foldHash([]byte(w))
		k := h & t.mask
		for t.slots[k].n != 0 {
			k = (k + 1) & t.mask
		}
		t.slots[k] = wordSlot{hash: h, off: uint32(len(t.arena)), n: uint8(len(w)), flags: f}
		t.bloomAdd(h)
		t.arena = append(t.arena, w...)
	}
	return t
}

// lookup folds w (ASCII fast path, Unicode lower case otherwise) and returns
// its flags, or 0.
func (t *wordTable) lookup(w []byte) uint8 {
	h, ascii := foldHashASCII(w)
	if ascii {
		return t.find(h, w)
	}
	return t.lookupUnicode(w)
}

// foldHash is the hash of the scanner's small tables (names, JSON keys,
// phone numbers): a word with ASCII case folded (every byte ORed with 0x20,
// which lower-cases letters and leaves digits, '-', '\” and '.' alone), the
// same for "Müller" and "müller".
func foldHash(w []byte) uint32 {
	h, _ := foldHashASCII(w)
	return h
}

// foldHashASCII is foldHash, and whether w is all ASCII. It reads the word
// in at most three overlapping loads instead of a byte at a time: the loop
// over the bytes of every capitalized word, ending at a different length
// each time, was the scanner's most mispredicted branch on prose.
func foldHashASCII(w []byte) (uint32, bool) {
	n := len(w)
	a, b := endWords(w)
	var c uint64
	if n > 16 {
		c = binary.LittleEndian.Uint64(w[n/2-4:])
		for k := 8; k < n-8; k += 8 { // words this long are rare
			c ^= bits.RotateLeft64(binary.LittleEndian.Uint64(w[k:]), k)
			if binary.LittleEndian.Uint64(w[k:])&highBits != 0 {
				return 0, false
			}
		}
	}
	return foldMix(a, b, c, n), (a|b|c)&highBits == 0
}

// endWords reads a word's first and last eight bytes (four, for words under
// eight; single bytes under four): with its length, the whole word when it
// is at most 16 bytes long. Two results, not an array: an array went
// through the stack as two 8-byte stores read back as one 16-byte load,
// which the store buffer cannot forward.
func endWords(w []byte) (uint64, uint64) {
	switch n := len(w); {
	case n >= 8:
		return binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[n-8:])
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(w)), uint64(binary.LittleEndian.Uint32(w[n-4:]))
	case n > 0:
		return uint64(w[0]) | uint64(w[n/2])<<8, uint64(w[n-1])
	}
	return 0, 0
}

// foldMix is foldHash's mixing of a word's loads a, b, c (c for words over
// 16 bytes, else 0) and its length, with ASCII case folded.
func foldMix(a, b, c uint64, n int) uint32 {
	const fold = ones * 0x20
	x := (a|fold)*0x9E3779B97F4A7C15 ^ bits.RotateLeft64((b|fold)*0xC2B2AE3D27D4EB4F, 31) ^ (c|fold)*0x165667B19E3779F9 ^ uint64(n)
	x ^= x >> 29
	x *= 0xBF58476D1CE4E5B9
	return uint32(x >> 32)
}

// find probes for hash h and word w, compared with ASCII case folded (a
// folded word compares equal to itself).
func (t *wordTable) find(h uint32, w []byte) uint8 {
	if !t.bloomHas(h) {
		return 0
	}
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		sl := &t.slots[j]
		if sl.n == 0 {
			return 0
		}
		if sl.hash == h && int(sl.n) == len(w) && equalFold(t.arena[sl.off:sl.off+uint32(sl.n)], w) {
			return sl.flags
		}
	}
}

// equalFold compares a lower-case dictionary word with an ASCII word.
func equalFold(lower, w []byte) bool {
	for i, c := range w {
		if lowerASCII(c) != lower[i] {
			return false
		}
	}
	return true
}

func (t *wordTable) lookupUnicode(w []byte) uint8 {
	var buf [64]byte
	if len(w) > len(buf)-4 {
		return 0
	}
	k := buf[:0]
	for i := 0; i < len(w); {
		c := w[i]
		if c < 0x80 {
			k = append(k, lowerASCII(c))
			i++
			continue
		}
		// The letters of Latin-1 and Latin Extended-A ("Müller", "Łukasz"),
		// from a table: unicode.ToLower was half the cost of these words.
		if c-0xC3 < 3 && i+1 < len(w) && w[i+1]&0xC0 == 0x80 {
			if l := latinLower[(int(c)&0x1F)<<6|int(w[i+1]&0x3F)-0xC0]; l[0] != 0 {
				k = append(k, l[0], l[1])
				i += 2
				continue
			}
		}
		r, size := utf8.DecodeRune(w[i:])
		k = utf8.AppendRune(k, unicode.ToLower(r))
		if len(k) > len(buf)-4 {
			return 0
		}
		i += size
	}
	return t.find(foldHash(k), k)
}

// latinLower holds the lower case of U+00C0..U+017F as two UTF-8 bytes, or
// zeros where it is not two bytes long (U+0130 lowers to "i").
var latinLower = func() (t [0x180 - 0xC0][2]byte) {
	for r := rune(0xC0); r < 0x180; r++ {
		if l := unicode.ToLower(r); utf8.RuneLen(l) == 2 {
			utf8.EncodeRune(t[r-0xC0][:], l)
		}
	}
	return t
}()

// nameAt handles a capitalized word at [i,e) of ASCII letters.
func (s *scanner) nameAt(b []byte, i, e int) int {
	if e == i {
		return i + 1
	}
	f := s.nameFlags(b, i, e)
	if f&(nameFirst|nameStop|nameTitle) == 0 && mayBeSelfNamed(b, i) && selfNamed(b, i) { // "Priya", "Ahmed"
		return s.unlistedName(b, i, e)
	}
	if f == 0 || f&nameStop != 0 && f&nameFirst == 0 {
		return e // most capitalized words: nothing more to do
	}
	return s.nameWith(b, i, e, f)
}

// selfIntros are the phrases that can only be followed by their writer's
// name, lower case, each with its space: a name after them is one even if
// the lists do not know it ("My name is Priya Patel", "Mein Name ist Mehmet
// Yılmaz"). Not "I'm" or "this is": "I'm Happy to help", "This is Customer
// Service".
var selfIntros = []string{"my name is ", "my name's ", "mein name ist ", "ich heiße ", "ich heisse ",
	"je m'appelle ", "je m’appelle ", "mon nom est ", "me llamo ", "mi nombre es ", "mi chiamo ",
	"il mio nome è ", "ik heet ", "mijn naam is ", "jag heter ", "mitt namn är ", "nazywam się ",
	"mam na imię "}

// selfIntrosBy holds the selfIntros by the byte before their space;
// selfIntroEnd has a bit per pair of bytes before it (pairBit).
var selfIntrosBy, selfIntroEnd = func() (by [256][]string, end [1024]uint64) {
	for _, p := range selfIntros {
		by[p[len(p)-2]] = append(by[p[len(p)-2]], p)
		x := pairBit(p[len(p)-3], p[len(p)-2])
		end[x>>6] |= 1 << (x & 63)
	}
	return by, end
}()

func pairBit(a, b byte) uint32 { return uint32(a)<<8 | uint32(b) }

// mayBeSelfNamed is selfNamed's test by the two bytes before the space,
// which refuses most capitalized words (after ". ", ", " or most words) at
// once.
func mayBeSelfNamed(b []byte, i int) bool {
	if i < 8 || b[i-1] != ' ' {
		return false
	}
	x := pairBit(b[i-3], b[i-2])
	return selfIntroEnd[x>>6]&(1<<(x&63)) != 0
}

// selfNamed reports a selfIntro ending right before i.
func selfNamed(b []byte, i int) bool {
	for _, p := range selfIntrosBy[b[i-2]] {
		if k := i - len(p); k >= 0 && equalFold([]byte(p), b[k:i]) && (k == 0 || !isAlnum(b[k-1])) {
			return true
		}
	}
	return false
}

// unlistedName reads a name the lists do not know as a first name after a
// selfIntro: the word at [i,e) and, if one follows, a second word with a
// capital that is no stop word ("Priya Patel", "Olena Shevchenko"). It
// returns its end.
func (s *scanner) unlistedName(b []byte, i, e int) int {
	end := e
	if e+2 < len(b) && b[e] == ' ' && isCap(b, e+1) {
		if se := nameWordEnd(b, e+1); se-e-1 >= 2 && s.nameFlags(b, e+1, se)&(nameStop|nameTitle) == 0 {
			end = se
		}
	}
	s.add(PersonName, "", i, end, s.nameCtx(i, end, 0.8, 0.15))
	return end
}

// joinedNameAt is nameAt for a word that may hold a hyphen ("Jean-Luc",
// "Müller-Schmidt"), which a word of ASCII letters alone cannot: a double
// name the lists do not hold whole is read by its parts.
func (s *scanner) joinedNameAt(b []byte, i, e int) int {
	if e == i {
		return i + 1
	}
	if e == i+1 && b[i] == 'I' {
		if k := s.introducedLower(b, e); k > e {
			return k // "I’m anna": the curly apostrophe brought it here
		}
	}
	f := s.nameFlags(b, i, e)
	if f == 0 {
		f = hyphenatedFlags(b[i:e])
	}
	if f&(nameFirst|nameStop|nameTitle) == 0 && mayBeSelfNamed(b, i) && selfNamed(b, i) { // "Priya", "Ahmed"
		return s.unlistedName(b, i, e)
	}
	if f == 0 || f&nameStop != 0 && f&nameFirst == 0 {
		return e
	}
	return s.nameWith(b, i, e, f)
}

// nameWith reads a name from the word at [i,e), whose flags f the lists
// gave.
func (s *scanner) nameWith(b []byte, i, e int, f uint8) int {
	if f&nameTitle != 0 {
		k := e
		if k < len(b) && b[k] == '.' {
			k++
		}
		if end, _, _ := s.nameTail(b, k); end > k {
			s.add(PersonName, "", k+1, end, s.nameCtx(k+1, end, 0.8, 0.1))
			return end
		}
		return e
	}
	if f&nameFirst == 0 {
		if f&nameSurname != 0 {
			return s.surnameFirst(b, i, e)
		}
		return e
	}
	end, surname, thing := s.nameTail(b, e)
	if thing > 0 && !surname && !s.keyDecides() && !s.near(e, thing, kwName, 48, 16) {
		// A kind of product after a first name alone, with neither a key
		// nor a name word around to say it is a person's ("Dear Emma
		// Mattress" is one): "Emma Mattress 90x200 cm", "Collezione
		// Giulia Autunno".
		end = e
	}
	ambiguous := f&nameAmbiguous != 0
	switch {
	case end > e:
		conf := 0.7
		if surname {
			conf = 0.85
		} else if ambiguous {
			conf = 0.4
		}
		s.add(PersonName, "", i, end, s.nameCtx(i, end, conf, 0.15))
		return end
	default:
		conf := 0.4
		if ambiguous {
			conf = 0.2
		}
		s.add(PersonName, "", i, e, s.nameCtx(i, e, conf, 0.3))
		return e
	}
}

// surnameFirst handles a listed surname written in capitals before a first
// name, as forms and French and Polish letters write names ("DUPONT Jean",
// "KOWALSKI Jan"), the surname at [i,e).
func (s *scanner) surnameFirst(b []byte, i, e int) int {
	if e-i < 3 || !allUpper(b[i:e]) || e+3 >= len(b) || b[e] != ' ' || !isCap(b, e+1) {
		return e
	}
	fe := nameWordEnd(b, e+1)
	if allUpper(b[e+1 : fe]) {
		return e
	}
	f := s.nameFlags(b, e+1, fe)
	if f&nameFirst == 0 || f&nameStop != 0 && fe+1 < len(b) && b[fe] == ' ' && isDigit(b[fe+1]) {
		return e // "BROWN April 2024": a month and a year
	}
	// A listed surname makes even an ambiguous first name one, as in
	// nameAt ("Will Smith").
	s.add(PersonName, "", i, fe, s.nameCtx(i, fe, 0.85, 0.15))
	return fe
}

// capitalsName reads a name written in capitals ("ANNA SCHMIDT", as forms
// and shipping labels print it) at the word [i,e): a listed first name, a
// space and a listed surname, both in capitals. Without the case to tell a
// name from other words, both lists must know it. It returns its end, or e.
func (s *scanner) capitalsName(b []byte, i, e int) int {
	if s.nameFlags(b, i, e)&nameFirst == 0 {
		return e
	}
	se := nameWordEnd(b, e+1)
	if se-e-1 < 2 || !allUpper(b[e+1:se]) || s.nameFlags(b, e+1, se)&nameSurname == 0 {
		return e
	}
	s.add(PersonName, "", i, se, s.nameCtx(i, se, 0.8, 0.15))
	return se
}

// introducedLower reads a name typed in lower case after "I'm" or "I am"
// (j is after the "I"), as chats are often typed ("I'm anna schmidt"): a
// listed first name that is no everyday word ("I'm frank" is not Frank),
// and a listed surname after it if there is one. It returns where to go
// on.
func (s *scanner) introducedLower(b []byte, j int) int {
	k := j
	switch {
	case hasPrefixAt(b, k, "'m "):
		k += len("'m ")
	case hasPrefixAt(b, k, "\u2019m "):
		k += len("\u2019m ")
	case hasPrefixAt(b, k, " am "):
		k += len(" am ")
	default:
		return j
	}
	if k >= len(b) || !isLower(b[k]) {
		return j
	}
	fe := nameWordEnd(b, k)
	if f := s.nameFlags(b, k, fe); f&nameFirst == 0 || f&(nameAmbiguous|nameStop|nameTitle) != 0 {
		return j
	}
	end := fe
	if fe+2 < len(b) && b[fe] == ' ' && isLower(b[fe+1]) {
		if se := nameWordEnd(b, fe+1); s.nameFlags(b, fe+1, se)&nameSurname != 0 {
			end = se
		}
	}
	s.add(PersonName, "", k, end, 0.8)
	return end
}

// nameTail reads the capitalized words that continue a name from the space
// at k: one word always, further ones only when the lists know them or a
// particle leads them ("van der Berg", "de la Cruz"). It returns the end (k
// if there is none), whether a listed surname was among them, and, if the
// first is a kind of product (nameThing), where that word ends (else 0).
func (s *scanner) nameTail(b []byte, k int) (end int, surname bool, thing int) {
	end = k
	for words := 0; words < 3 && k < len(b) && b[k] == ' '; words++ {
		j := k + 1
		particle := false
		for p := 0; p < 2; p++ {
			pe := nameWordEnd(b, j)
			if pe == j || isCap(b, j) || pe >= len(b) || b[pe] != ' ' {
				break
			}
			var buf [32]byte
			if lw := lowerWord(&buf, b[j:pe]); lw == nil || !particles.has(lw) {
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
		if f == 0 && we-j >= 5 {
			f = hyphenatedFlags(b[j:we]) // "Müller-Schmidt"
		}
		if f&(nameStop|nameTitle) != 0 || words > 0 && f&(nameFirst|nameSurname) == 0 && !particle {
			break
		}
		surname = surname || f&nameSurname != 0
		if words == 0 && !particle && f&nameThing != 0 {
			thing = we
		}
		end, k = we, we
	}
	return end, surname, thing
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

// NameStart returns where a name of several words may have begun at the
// end of text without being whole yet: a capitalized word last in text
// (it may still grow: "Wi" of "Will"), or one the lists know as a first
// name or a title followed by one space ("Will ", "Dr. "). It returns
// len(text) when there is none. A stream that sends text
// piece by piece holds back from there, so that "Will Smith" is classified
// whole rather than "Will " going out as a word before "Smith" makes it a
// name.
func (e *Engine) NameStart(text []byte) int {
	end := len(text)
	spaced := end > 0 && text[end-1] == ' '
	if spaced {
		end--
	}
	if end > 0 && text[end-1] == '.' {
		end-- // "Dr."
	}
	i := end
	for i > 0 && end-i < 16 && (isAlpha(text[i-1]) || text[i-1] >= 0x80 || text[i-1] == '-' || text[i-1] == '\'') {
		i--
	}
	if end-i < 1 || !wordStartAt(text, i) || !isCap(text, i) || nameWordEnd(text, i) != end {
		return len(text)
	}
	if !spaced && end == len(text) {
		return i // "Wi": a capitalized word may still become "Will"
	}
	f := names.table.lookup(text[i:end])
	if f == 0 {
		f = hyphenatedFlags(text[i:end])
	}
	if f&(nameFirst|nameTitle) == 0 {
		return len(text)
	}
	return i
}
