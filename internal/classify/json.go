package classify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The JSON walker validates and walks a body in one pass without building a
// tree. Each string value (and each key, and each number) is handed to the
// text scanner as one segment, with the hint its key gives. Strings without
// escapes are scanned in place; escaped ones are decoded into scratch with an
// offset map, so findings still point at the original bytes. The key path of
// a finding is built only when a finding is emitted, so a clean body costs no
// allocation.

// maxDepth bounds nesting; deeper bodies are refused as malformed rather than
// walked (a stack of 10,000 '[' is an attack, not a request).
const maxDepth = 512

// frame is one open container.
type frame struct {
	array bool
	index int // array: index of the current element
	// object: the current member's key, as a raw span of the body (between
	// the quotes, escapes not decoded) and what it says about its value.
	keyStart, keyEnd int
	keyEsc           bool
	keyPlain         bool // the key can follow a '.' in a path
	hint             keyHint
	biz              int
	// serviceAccount: this object has "type": "service_account" (a GCP
	// service-account key file); its key material gets that rule.
	serviceAccount bool
	// Key prediction (memberKey): keySlot is the memo slot + 1 of the
	// current member's key (0: none yet, or not memoized); parentKey is
	// that of the member whose value this object is (0: none); hadKey:
	// the object has had a member.
	keySlot, parentKey uint16
	hadKey             bool
	// keyGen is the memo slot's gen when this key took it: while the
	// object is open, the keys inside it may take the slot.
	keyGen uint32
}

// jsonState is the walker's reusable state.
type jsonState struct {
	body  []byte
	stack []frame
	str   []byte  // decoded string scratch
	smap  []int32 // str's offset map (len(str)+1)
	kbuf  [256]byte
	// pfx is the rendered path of stack[:pfxN]; dirty is the lowest
	// depth changed since (a push, a new key, the next array element).
	// A record's values share their prefix ($.records[7]), rendered once.
	pfx  []byte
	pfxN int
	// pfxEnd[d] is the length of pfx that renders stack[:d].
	pfxEnd []int32
	dirty  int
	pkey   []byte // an escaped key of the path, decoded
	pkmap  []int32
	keys   [keySlots]keyMemo
	// patterns[slot+1] is keys[slot]'s keyPattern (patterns[0]: none).
	patterns [keySlots + 1]keyPattern
	// keyFlip picks which way of a full memo set the next key replaces.
	keyFlip bool
	// rootFirst is the memo slot + 1 of the first key of the last object
	// opened at the top level (or inside top-level arrays).
	rootFirst  uint16
	pbuf       []byte    // the path being rendered
	pfxHash    uint64    // hashPath(pfx)
	pfxQuoted  bool      // pfx has a quoted key
	paths      pathCache // a walker's paths, kept across scans
	pathMisses int       // paths this scan did not find in the cache
	// helper: the walker is a split's helper (split.go), whose paths go
	// into arena instead, renumbered when it is done.
	helper    bool
	arena     []byte
	pathBytes int // the paths in this scan's arena chunks before arena
	// The string masks of the body's 2 KiB from winAt (winN whole 32-byte
	// chunks), computed by vector code ahead of the walk: by chunk, the
	// bytes that end a string's plain run (stop: stringSpecials) and those
	// that keep it from being plain ASCII (bad: stringNotPlain). stop2 and
	// bad2 hold chunk k and chunk k+1 in one word, so that a string
	// crossing into the next chunk is read in one step too. Past the
	// window's end: no special byte, all bad, so that a string reaching
	// there is answered by stringEndMasked.
	winAt, winN int
	stop, bad   [winChunks + 1]uint32
	stop2, bad2 [winChunks]uint64
}

func (j *jsonState) reset() {
	j.body = nil
	j.helper, j.arena, j.pathBytes, j.pathMisses = false, nil, 0, 0
	j.stack = j.stack[:0]
	j.pfxN, j.dirty = -1, 0
	j.winN = 0
	if cap(j.str) > 1<<20 {
		j.str, j.smap = nil, nil
	}
}

// keySlots is the size of the key memo (keyInfo).
const keySlots = 256

// keyMemo is one remembered key. The engine is part of the key because
// pooled scanners are per engine but business keys differ between engines.
type keyMemo struct {
	eng    *Engine
	n      uint8
	hint   keyHint
	plain  bool       // can follow a '.' in a path
	ident  bool       // has the shape of a field name (identifierKey)
	holds  holderKind // of the names in the object this key holds; looked up when first needed
	biz    int
	w0, w1 uint64 // endWords: the whole key when n <= 16
	k      [40]byte
	// next is the slot + 1 of the key that followed this one in its
	// object last time, child that of the first key of the object that
	// was this key's value (0: none): records repeat their keys in order.
	next, child uint16
	// gen counts the keys the slot has held: a frame's key is the slot's
	// still if the gens agree (holderOf).
	gen uint32
}

// keyFacts is what the walker learns from a key.
type keyFacts struct {
	hint         keyHint
	biz          int
	plain, ident bool
}

// syntaxError is a malformed-JSON error that names the offset, never data.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("classify: malformed JSON at byte %d: %s", e.off, e.msg)
}

func (e *syntaxError) Unwrap() error { return ErrMalformedJSON }

// depthError is a syntaxError for nesting deeper than maxDepth.
type depthError struct{ off int }

func (e *depthError) Error() string {
	return fmt.Sprintf("classify: malformed JSON at byte %d: nested deeper than %d levels", e.off, maxDepth)
}

func (e *depthError) Unwrap() error { return ErrTooDeep }

// ErrTooDeep reports a body nested deeper than the walker goes (maxDepth),
// which may be valid JSON: scanned as text, its escapes would hide what it
// holds, so a caller that must not miss anything refuses it (the gateway
// and the CLI do; Engine.Scan, which returns no error, scans it as text,
// at its best). It is an ErrMalformedJSON too.
var ErrTooDeep = fmt.Errorf("%w: nested deeper than %d levels", ErrMalformedJSON, maxDepth)

// bom is the UTF-8 byte order mark, which a body may start with (RFC 8259
// lets a parser ignore it).
const bom = "\xef\xbb\xbf"

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	// Compact JSON has no white space: one comparison answers most calls.
	for i < len(b) && b[i] <= ' ' && isSpace(b[i]) {
		i++
	}
	return i
}

// scanJSON walks body; it returns a *syntaxError if body is not one valid
// JSON value.
func (s *scanner) scanJSON(body []byte) error {
	s.inJSON = true
	j := &s.js
	j.body = body
	j.stack = j.stack[:0]
	j.pfxN, j.dirty = -1, 0
	j.winN = 0
	defer func() {
		if s.next != nil {
			// An error, or a panic, ended the walk before the helper's
			// start: the helpers must not read the body after we return.
			s.stopNext()
		}
	}()
	i := 0
	if hasPrefixAt(body, 0, bom) {
		i = len(bom)
	}
	i, err := s.valueFrom(body, skipSpace(body, i), 0)
	if err != nil {
		return err
	}
	if i = skipSpace(body, i); i != len(body) {
		return &syntaxError{i, "data after the top-level value"}
	}
	return nil
}

// valueFrom walks from i until the stack is down to base frames, and
// returns the offset after that: from the top, one value (base 0), or in a
// split's helper, the rest of an array. Containers are walked with an
// explicit stack, not recursion, so depth costs no Go stack.
func (s *scanner) valueFrom(b []byte, i, base int) (int, error) {
	j := &s.js
	for {
		if i >= len(b) {
			return i, &syntaxError{i, "unexpected end of input"}
		}
		// One value at i.
		switch c := b[i]; {
		case c == '{' || c == '[':
			if len(j.stack) >= maxDepth {
				return i, &depthError{i}
			}
			j.changed(len(j.stack))
			j.stack = append(j.stack, frame{array: c == '[', parentKey: j.holderKey()})
			i = skipSpace(b, i+1)
			if i < len(b) && (b[i] == '}' && c == '{' || b[i] == ']' && c == '[') {
				j.stack = j.stack[:len(j.stack)-1]
				i++
				break
			}
			if c == '{' {
				var err error
				if i, err = s.member(b, i); err != nil {
					return i, err
				}
			} else if s.maySplit(b, i) {
				s.startSplit(b, i)
			}
			continue
		case c == '"':
			e, flags := j.plainEnd(i), uint8(0)
			if e == 0 {
				var err error
				if e, flags, err = j.stringEnd(b, i); err != nil {
					return e, err
				}
			}
			// A string value: its key's hint, then one segment. Done here
			// rather than in a function of its own, which cost a call a
			// value (0.45% of an order scan's instructions).
			s.context()
			s.markServiceAccount(b, i+1, e-1)
			s.stringSegment(b, i+1, e-1, flags)
			i = e
		case c == '-' || isDigit(c):
			e, err := numberEnd(b, i)
			if err != nil {
				return e, err
			}
			s.scalar(b, i, e)
			i = e
		case c == 't':
			if !hasPrefixAt(b, i, "true") {
				return i, &syntaxError{i, "invalid literal"}
			}
			i += 4
		case c == 'f':
			if !hasPrefixAt(b, i, "false") {
				return i, &syntaxError{i, "invalid literal"}
			}
			i += 5
		case c == 'n':
			if !hasPrefixAt(b, i, "null") {
				return i, &syntaxError{i, "invalid literal"}
			}
			i += 4
		default:
			return i, &syntaxError{i, "unexpected character"}
		}
		// After a value: close containers or move to the next element.
		for {
			if len(j.stack) == base {
				return i, nil
			}
			top := &j.stack[len(j.stack)-1]
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, &syntaxError{i, "unexpected end of input"}
			}
			c := b[i]
			if c == ',' {
				i = skipSpace(b, i+1)
				if top.array {
					top.index++
					j.changed(len(j.stack) - 1)
					// An element of an array being split: a helper
					// given up on ends; a walker arriving at its
					// successor's start takes its work.
					if s.own != nil && len(j.stack) == s.own.depth && s.stopped() {
						return i, errSplitStopped
					}
					if s.next != nil && len(j.stack) == s.next.depth {
						if i == s.next.at {
							end, err, ok := s.joinNext()
							if err != nil {
								return end, err
							}
							if ok {
								i = end
								continue
							}
						} else if i > s.next.at {
							s.stopNext() // the guess was no element of this array
						}
					}
				} else {
					var err error
					if i, err = s.member(b, i); err != nil {
						return i, err
					}
				}
				break
			}
			if top.array && c == ']' || !top.array && c == '}' {
				if s.next != nil && len(j.stack) == s.next.depth {
					s.stopNext() // the array ended before the guess
				}
				j.stack = j.stack[:len(j.stack)-1]
				i++
				continue
			}
			return i, &syntaxError{i, "expected ',' or a closing bracket"}
		}
	}
}

// member reads `"key" :` at i, records the key on the top frame, scans the
// key itself as text and returns the offset of the member's value.
func (s *scanner) member(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return i, &syntaxError{i, "expected a string key"}
	}
	j := &s.js
	top := &j.stack[len(j.stack)-1]
	// The key this object had here last time, if it is the one again:
	// most keys of an array of records.
	var link *uint16
	switch {
	case s.eng.noKeyPrediction:
	case top.keySlot != 0:
		link = &j.keys[top.keySlot-1].next
	case top.hadKey:
		// The last key was too long to memoize: nothing to predict from.
	case top.parentKey != 0:
		link = &j.keys[top.parentKey-1].child
	default:
		link = &j.rootFirst
	}
	top.hadKey = true
	if link != nil {
		if slot := *link; slot != 0 {
			if e := j.patterns[slot].at(b, i); e > 0 {
				m := &j.keys[slot-1]
				top.keyStart, top.keyEnd, top.keyEsc = i+1, e-1, false
				top.hint, top.biz, top.keyPlain, top.keySlot, top.keyGen = m.hint, m.biz, m.plain, slot, m.gen
				if top.hint == hintNameMaybe || top.hint == hintValue {
					top.hint = s.hintUnder(top.hint, b, i)
				}
				j.changed(len(j.stack) - 1)
				if e < len(b) && b[e] == ':' { // compact JSON
					return skipSpace(b, e+1), nil
				}
				return s.afterKey(b, e)
			}
		}
	}
	e, flags := j.plainEnd(i), uint8(0)
	if e == 0 {
		var err error
		if e, flags, err = j.stringEnd(b, i); err != nil {
			return e, err
		}
	}
	esc := flags&strEsc != 0
	top.keyStart, top.keyEnd, top.keyEsc = i+1, e-1, esc
	j.changed(len(j.stack) - 1)
	key := b[i+1 : e-1]
	if esc {
		key, _ = j.decode(key, i+1)
	}
	kf, slot := s.keyInfo(key)
	if link != nil && !esc && kf.ident {
		*link = slot // only raw identifiers are predicted (keyPattern)
	}
	top.hint, top.biz, top.keyPlain, top.keySlot = kf.hint, kf.biz, kf.plain, slot
	if slot != 0 {
		top.keyGen = j.keys[slot-1].gen
	}
	if top.hint == hintNameMaybe || top.hint == hintValue {
		top.hint = s.hintUnder(top.hint, b, i)
	}
	// Keys can hold data too ({"anna@example.com": {...}}): scan them as
	// text, with no hint, under the member's path, unless they are plain
	// identifiers (FirstName, shipping_address), which hold none.
	if top.hint == hintNone && !kf.ident {
		s.hint, s.bizRule = hintNone, 0
		s.stringSegment(b, i+1, e-1, flags)
	}
	return s.afterKey(b, e)
}

// afterKey reads the ':' after a key that ends before e and returns the
// offset of the member's value.
func (s *scanner) afterKey(b []byte, e int) (int, error) {
	i := skipSpace(b, e)
	if i >= len(b) || b[i] != ':' {
		return i, &syntaxError{i, "expected ':' after a key"}
	}
	return skipSpace(b, i+1), nil
}

// at checks whether the string at i is the predicted key: it returns the
// offset after its closing quote, or 0. Only raw identifier keys are
// predicted: their bytes hold no quote, backslash or byte >= 0x80, so bytes
// equal to the key's followed by a quote are the whole string, with no
// escape, and no scan to find its end. The key and its quote are compared
// as three masked words; at needs 24 bytes after the opening quote, which
// only keys in a body's last 24 bytes lack.
func (p *keyPattern) at(b []byte, i int) int {
	if p.n == 0 || i+25 > len(b) {
		return 0
	}
	w := b[i+1 : i+25 : i+25]
	// (^ and | bind alike in Go: each difference in its own parentheses.)
	if (binary.LittleEndian.Uint64(w)&p.mask[0]^p.word[0])|
		(binary.LittleEndian.Uint64(w[8:])&p.mask[1]^p.word[1])|
		(binary.LittleEndian.Uint64(w[16:])&p.mask[2]^p.word[2]) != 0 {
		return 0
	}
	return i + 2 + int(p.n)
}

// keyPattern is a predictable memo key with its closing quote, as the
// little-endian words of its bytes and masks that keep only those bytes.
// n is the key's length, 0 when it cannot be predicted: not a raw
// identifier, or too long for three words.
type keyPattern struct {
	word, mask [3]uint64
	n          uint8
}

func newKeyPattern(key []byte, ident bool) keyPattern {
	var p keyPattern
	if !ident || len(key) == 0 || len(key)+1 > 8*len(p.word) {
		return p
	}
	var buf [24]byte
	copy(buf[:], key)
	buf[len(key)] = '"'
	for k := range p.word {
		p.word[k] = binary.LittleEndian.Uint64(buf[8*k:])
		switch left := len(key) + 1 - 8*k; {
		case left >= 8:
			p.mask[k] = ^uint64(0)
		case left > 0:
			p.mask[k] = 1<<(8*left) - 1
		}
	}
	p.n = uint8(len(key))
	return p
}

// holderKey returns the memo slot + 1 of the key whose value is being
// opened: the innermost object member's (array elements inherit the key of
// the array), 0 at the top level.
func (j *jsonState) holderKey() uint16 {
	for k := len(j.stack) - 1; k >= 0; k-- {
		if !j.stack[k].array {
			return j.stack[k].keySlot
		}
	}
	return 0
}

// keyInfo returns what a key says about its value, and its memo slot + 1
// (0 when it is too long to memoize), remembering recent keys: an array of
// records repeats the same keys in every element. The memo is two-way: a
// key lives in slot h or h^1, so two keys of one record that hash alike do
// not evict each other on every element. Its 256 slots hold the 25 keys of
// an order record without a miss; 128 missed one key in sixteen there, and
// a miss costs as much as nine hits.
func (s *scanner) keyInfo(key []byte) (keyFacts, uint16) {
	j := &s.js
	n := len(key)
	if n > len(j.keys[0].k) {
		return s.keyFactsOf(key), 0
	}
	// Most keys are at most 16 bytes: their end words and their length
	// compare them with a memo entry, no byte loop; the same words pick
	// the slot (foldHash's mix, without the middle of longer keys).
	w0, w1 := endWords(key)
	h := foldMix(w0, w1, 0, n) % uint32(len(j.keys))
	if e := &j.keys[h]; e.w0 == w0 && e.w1 == w1 && int(e.n) == n && e.eng == s.eng && (n <= 16 || string(e.k[:n]) == string(key)) {
		return keyFacts{e.hint, e.biz, e.plain, e.ident}, uint16(h) + 1
	}
	if e := &j.keys[h^1]; e.w0 == w0 && e.w1 == w1 && int(e.n) == n && e.eng == s.eng && (n <= 16 || string(e.k[:n]) == string(key)) {
		return keyFacts{e.hint, e.biz, e.plain, e.ident}, uint16(h^1) + 1
	}
	f := s.keyFactsOf(key)
	// Fill the empty way, else replace the other way's key: the one just
	// missed was in neither, so evict alternately.
	if e := &j.keys[h]; e.n != 0 && j.keys[h^1].n == 0 || j.keyFlip {
		h ^= 1
	}
	e := &j.keys[h]
	j.keyFlip = !j.keyFlip
	e.eng, e.n, e.hint, e.biz, e.plain, e.ident, e.w0, e.w1 = s.eng, uint8(n), f.hint, f.biz, f.plain, f.ident, w0, w1
	e.holds = holderUnknown
	e.gen++
	// Links to this slot now lead to another key, which its new pattern
	// refuses (keyPattern.at); the links from it are the old key's.
	e.next, e.child = 0, 0
	copy(e.k[:], key)
	j.patterns[h+1] = newKeyPattern(key, f.ident)
	return f, uint16(h) + 1
}

// keyFactsOf works out what a key says, without the memo.
func (s *scanner) keyFactsOf(key []byte) keyFacts {
	j := &s.js
	f := keyFacts{hint: lookupKey(&j.kbuf, key), plain: plainKey(key), ident: identifierKey(key)}
	if s.eng.biz != nil {
		f.biz = s.eng.biz.keyRule(&j.kbuf, key)
	}
	return f
}

// identifierKey reports keys made of ASCII letters, '_', '-' and '.',
// the shape of field names; anything else (digits, '@', spaces, other
// scripts) may be data.
func identifierKey(k []byte) bool {
	for _, c := range k {
		if !isAlpha(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// context sets the hint and business rule for a value from the innermost
// member key (array elements inherit the key of the array).
func (s *scanner) context() {
	s.hint, s.bizRule = hintNone, 0
	st := s.js.stack
	for k := len(st) - 1; k >= 0; k-- {
		if !st[k].array {
			s.hint, s.bizRule = st[k].hint, st[k].biz
			return
		}
	}
}

// nameUnder decides a generic name key ("name", "owner") of the object at
// stack depth k by the key that holds the object: a customer's name is a
// person's; a product's name is not, though its owner may be. It returns
// the hint the value gets.
func (s *scanner) nameUnder(k int) keyHint {
	st := s.js.stack
	o := k - 1
	for o >= 0 && st[o].array {
		o--
	}
	if o < 0 {
		return hintNameMaybe
	}
	switch s.holderOf(&st[o]) {
	case holderPerson:
		return hintName
	case holderThing:
		if f := &st[k]; !f.keyEsc && objectNameKey(s.js.body[f.keyStart:f.keyEnd]) {
			return hintThingName
		}
	}
	return hintNameMaybe
}

// objectNameKey reports the keys that hold an object's own name
// (objectNames), in any case.
func objectNameKey(k []byte) bool {
	var w [8]byte
	if len(k) > len(w) {
		return false
	}
	for i, c := range k {
		w[i] = lowerASCII(c)
	}
	for _, n := range objectNames {
		if string(w[:len(k)]) == n {
			return true
		}
	}
	return false
}

// holderOf is the holderKind of frame f's current key, kept in the key's
// memo slot once looked up. The slot must still be that key's (its gen
// the frame's): while an object is open, the keys inside it may take its
// key's slot ({"Contact": {"Account": {...}, "Name": ...}}), and a
// contact's name read by the account's kind was a thing's.
func (s *scanner) holderOf(f *frame) holderKind {
	j := &s.js
	var memo *keyMemo
	if f.keySlot != 0 {
		if m := &j.keys[f.keySlot-1]; m.gen == f.keyGen {
			if m.holds != holderUnknown {
				return m.holds
			}
			memo = m
		}
	}
	key := j.body[f.keyStart:f.keyEnd]
	if f.keyEsc {
		key, _ = j.decode(key, f.keyStart)
	}
	h := holderKindOf(&j.kbuf, key)
	if memo != nil {
		memo.holds = h
	}
	return h
}

// markServiceAccount notes {"type": "service_account", ...}, a GCP key
// file, on the object the string value b[start:end] belongs to.
func (s *scanner) markServiceAccount(b []byte, start, end int) {
	if s.hint == hintNotPII && end-start == len("service_account") && string(b[start:end]) == "service_account" {
		if n := len(s.js.stack); n > 0 && !s.js.stack[n-1].array {
			s.js.stack[n-1].serviceAccount = true
		}
	}
}

// stringSegment scans the raw string b[start:end] as one segment.
func (s *scanner) stringSegment(b []byte, start, end int, flags uint8) {
	if start == end {
		return
	}
	if end-start >= memoMin && s.memoOn && s.memoString(b, start, end, flags) {
		return
	}
	if flags&strEsc == 0 {
		s.segment(b[start:end], start, nil, flags&strHigh == 0)
		return
	}
	s.escapedSegment(b, start, end)
}

// escapedSegment scans a raw string with escapes, decoded.
func (s *scanner) escapedSegment(b []byte, start, end int) {
	str, m := s.js.decode(b[start:end], start)
	s.escapedString(str, m)
}

// mappedSegment is segment for a string value, decoded (mapped by omap)
// or not: a decoded one is escapedString's.
func (s *scanner) mappedSegment(b []byte, off int, omap []int32, ascii bool) {
	if omap != nil {
		s.escapedString(b, omap)
		return
	}
	s.segment(b, off, omap, ascii)
}

// escapedString scans a decoded string str (mapped by m) that had escapes:
// JSON inside it, and escapes of its own, first (escaped).
func (s *scanner) escapedString(str []byte, m []int32) {
	if str, done := s.escaped(str, m); !done {
		s.segment(str, 0, m, false)
	}
}

// scalar scans a number (cards and phones are sometimes stored as numbers).
// Numbers of up to three characters hold nothing unless a key says what they
// are; a quantity or an index ("quantity": 2) says they are nothing.
func (s *scanner) scalar(b []byte, start, end int) {
	s.context()
	if end-start < 4 && (s.hint == hintNone || s.hint == hintNotPII) && s.bizRule == 0 {
		return
	}
	// A price, a total or an order number under an identifier key, with no
	// business rules to ask: what keyExplains settles, without the segment
	// around it.
	if s.hint == hintNotPII && s.eng.biz == nil && s.keyExplains(b[start:end]) == keyDone {
		return
	}
	s.segment(b[start:end], start, nil, true)
}

// hintUnder decides the hints a key's place decides: a generic name key's
// (nameUnder), and a value's or a number's key's, whose quote is at i: the
// pair's name says what it is (pairHint), or else the key that holds the
// object ({"phone": {"number": "..."}}, {"email": {"value": "..."}}).
func (s *scanner) hintUnder(h keyHint, b []byte, i int) keyHint {
	if h == hintValue {
		if p := pairHint(b, i); p != hintNone {
			return p
		}
		return s.holderHint()
	}
	return s.nameUnder(len(s.js.stack) - 1)
}

// holderHint is the hint of the key that holds the current object, if it
// names a type; none otherwise.
func (s *scanner) holderHint() keyHint {
	st := s.js.stack
	for k := len(st) - 2; k >= 0; k-- {
		if !st[k].array {
			if h := st[k].hint; h < hintNotPII && h != hintNameMaybe && h != hintValue {
				return h
			}
			return hintNone
		}
	}
	return hintNone
}

// pairHint is the hint of a pair's value key whose quote is at i: a
// credential's if the name before it is one ({"name": "DB_PASSWORD",
// "value": ...}), else none.
func pairHint(b []byte, i int) keyHint {
	var buf [64]byte
	if pairCredential(buf[:0], siblingName(b, i+1)) != nil {
		return hintCredential
	}
	return hintNone
}

// pairName returns the name of the pair whose value is being scanned
// (pairHint found it), as it is in the body; nil if there is none.
func (j *jsonState) pairName() []byte {
	for k := len(j.stack) - 1; k >= 0; k-- {
		if f := &j.stack[k]; !f.array {
			return siblingName(j.body, f.keyStart)
		}
	}
	return nil
}

// plainKey returns the key of the member whose value is being scanned, or
// holds it through arrays ("token" for {"token": ["..."]}), as it is in the
// body; nil when there is none or the key has escapes.
func (j *jsonState) plainKey() []byte {
	for k := len(j.stack) - 1; k >= 0; k-- {
		if f := &j.stack[k]; !f.array {
			if f.keyEsc {
				return nil
			}
			return j.body[f.keyStart:f.keyEnd]
		}
	}
	return nil
}

// inServiceAccount reports whether the current value is inside a GCP
// service-account object.
func (s *scanner) inServiceAccount() bool {
	for k := len(s.js.stack) - 1; k >= 0; k-- {
		if s.js.stack[k].serviceAccount {
			return true
		}
	}
	return false
}

// String flags from stringEnd.
const (
	strEsc  = 1 << iota // has escapes: decode before scanning
	strHigh             // has bytes >= 0x80: may need normalizing
)

// winChunks is the string masks' window, in 32-byte chunks: 2 KiB.
const winChunks = 64

// plainEnd returns the offset after the closing quote of the string at i
// when the string is plain ASCII and ends within the mask chunk it starts
// in or the next (most keys and values), read off the window's masks with
// a shift and a count of trailing zeros; else 0, and stringEnd answers. It
// is small enough to be inlined in the walker.
func (j *jsonState) plainEnd(i int) int {
	off := uint(i + 1 - j.winAt)
	if off >= uint(j.winN)<<5 {
		return 0
	}
	// This chunk and the next: 33 bytes at least from off, so that strings
	// that cross a chunk boundary are answered here too.
	c, sh := off>>5&(winChunks-1), off&31
	stop := j.stop2[c] >> sh
	// stop^(stop-1): the bytes up to the first special one. None of them
	// may be an escape, a control or a non-ASCII byte: the special is the
	// closing quote.
	if stop == 0 || j.bad2[c]>>sh&(stop^(stop-1)) != 0 {
		return 0
	}
	return i + 2 + bits.TrailingZeros64(stop)
}

// stringEnd is the string end for the body being walked: from the window's
// masks where there is vector code, else the function stringEnd.
func (j *jsonState) stringEnd(b []byte, i int) (int, uint8, error) {
	if !haveVectorMasks {
		return stringEnd(b, i)
	}
	return j.stringEndMasked(b, i)
}

// stringEndMasked is stringEnd for the rest: strings that cross a chunk or
// the window, that hold escapes or non-ASCII bytes, and the last bytes of
// the body, where a chunk does not fit.
func (j *jsonState) stringEndMasked(b []byte, i int) (int, uint8, error) {
	k := i + 1
	var flags uint8
	for {
		off := k - j.winAt
		if off < 0 || off>>5 >= j.winN {
			// Past the window: the next 2 KiB, or, with fewer than 32
			// bytes left, the byte loop.
			n := min((len(b)-k)/32, winChunks)
			if n == 0 {
				return stringEndSlow(b, i, k, flags)
			}
			stringSpecials.masks(b[k:k+32*n], j.stop[:n])
			stringNotPlain.masks(b[k:k+32*n], j.bad[:n])
			j.stop[n], j.bad[n] = 0, ^uint32(0)
			for c := range n {
				j.stop2[c] = uint64(j.stop[c]) | uint64(j.stop[c+1])<<32
				j.bad2[c] = uint64(j.bad[c]) | uint64(j.bad[c+1])<<32
			}
			j.winAt, j.winN, off = k, n, 0
		}
		sh := uint(off & 31)
		stop, high := j.stop[off>>5]>>sh, j.bad[off>>5]>>sh
		if stop != 0 {
			n := bits.TrailingZeros32(stop)
			if high&(1<<n-1) != 0 {
				flags |= strHigh
			}
			k += n
			if b[k] == '"' {
				return k + 1, flags, nil
			}
			return stringEndSlow(b, i, k, flags)
		}
		if high != 0 {
			flags |= strHigh
		}
		k += 32 - int(sh)
	}
}

// stringEnd returns the offset after the closing quote of the string at i,
// and whether it has escapes (strEsc) or non-ASCII bytes (strHigh). It
// validates escapes and control characters. Most strings have neither: the
// loop below finds their closing quote eight bytes at a time, and anything
// else goes to stringEndSlow. It is the walker's string end where there is
// no vector code (jsonState.stringEnd).
func stringEnd(b []byte, i int) (int, uint8, error) {
	var high uint64 // OR of the bytes passed over
	k := i + 1
	for k+8 <= len(b) {
		v := binary.LittleEndian.Uint64(b[k:])
		// The lowest flagged byte of these bit tricks is exact (false
		// positives only ever sit above a true one).
		m := hasZeroByte(v^(ones*'"')) | hasZeroByte(v^(ones*'\\')) | hasLessByte(v, 0x20)
		if m == 0 {
			high |= v
			k += 8
			continue
		}
		n := uint(bits.TrailingZeros64(m)) &^ 7
		high |= v & (1<<n - 1)
		k += int(n >> 3)
		if b[k] == '"' {
			var flags uint8
			if high&highBits != 0 {
				flags = strHigh
			}
			return k + 1, flags, nil
		}
		break
	}
	var flags uint8
	if high&highBits != 0 {
		flags = strHigh
	}
	return stringEndSlow(b, i, k, flags)
}

// stringEndSlow goes on from k byte by byte: escapes, control characters,
// the last bytes of the body.
func stringEndSlow(b []byte, i, k int, flags uint8) (int, uint8, error) {
	for k < len(b) {
		c := b[k]
		switch {
		case c == '"':
			return k + 1, flags, nil
		case c == '\\':
			flags |= strEsc
			if k+1 >= len(b) {
				return k, flags, &syntaxError{k, "unterminated escape"}
			}
			switch b[k+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				k += 2
			case 'u':
				if k+6 > len(b) || !isHex(b[k+2]) || !isHex(b[k+3]) || !isHex(b[k+4]) || !isHex(b[k+5]) {
					return k, flags, &syntaxError{k, "invalid \\u escape"}
				}
				k += 6
			default:
				return k, flags, &syntaxError{k, "invalid escape"}
			}
			// Back to eight at a time until the next special byte.
			for k+8 <= len(b) {
				v := binary.LittleEndian.Uint64(b[k:])
				m := hasZeroByte(v^(ones*'"')) | hasZeroByte(v^(ones*'\\')) | hasLessByte(v, 0x20)
				if m != 0 {
					n := uint(bits.TrailingZeros64(m)) &^ 7
					if v&(1<<n-1)&highBits != 0 {
						flags |= strHigh
					}
					k += int(n >> 3)
					break
				}
				if v&highBits != 0 {
					flags |= strHigh
				}
				k += 8
			}
		case c < 0x20:
			return k, flags, &syntaxError{k, "control character in string"}
		default:
			if c >= 0x80 {
				flags |= strHigh
			}
			k++
		}
	}
	return k, flags, &syntaxError{i, "unterminated string"}
}

// stringSpecials are the bytes that end the plain run of a JSON string;
// stringNotPlain those that keep a string from being plain ASCII: escapes,
// control bytes (both refused or decoded by stringEndSlow) and bytes >= 0x80.
var (
	stringSpecials = newClassSet(func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 })
	stringNotPlain = newClassSet(func(c byte) bool { return c == '\\' || c < 0x20 || c >= 0x80 })
)

// numberEnd validates the JSON number at i and returns its end.
func numberEnd(b []byte, i int) (int, error) {
	k := i
	if b[k] == '-' {
		k++
	}
	switch {
	case k < len(b) && b[k] == '0':
		k++
	case k < len(b) && b[k] >= '1' && b[k] <= '9':
		for k < len(b) && isDigit(b[k]) {
			k++
		}
	default:
		return k, &syntaxError{k, "invalid number"}
	}
	if k < len(b) && b[k] == '.' {
		k++
		if k >= len(b) || !isDigit(b[k]) {
			return k, &syntaxError{k, "invalid number"}
		}
		for k < len(b) && isDigit(b[k]) {
			k++
		}
	}
	if k < len(b) && (b[k] == 'e' || b[k] == 'E') {
		k++
		if k < len(b) && (b[k] == '+' || b[k] == '-') {
			k++
		}
		if k >= len(b) || !isDigit(b[k]) {
			return k, &syntaxError{k, "invalid number"}
		}
		for k < len(b) && isDigit(b[k]) {
			k++
		}
	}
	return k, nil
}

// decode unescapes a validated JSON string body raw (at original offset off)
// into scratch. Every decoded byte maps to the original offset of the escape
// or character it came from; the map has one more entry, the end.
func (j *jsonState) decode(raw []byte, off int) ([]byte, []int32) {
	j.str, j.smap = unescape(j.str[:0], j.smap[:0], raw, off)
	return j.str, j.smap
}

// unescape appends the decoded raw to out and its offset map to m.
func unescape(out []byte, m []int32, raw []byte, off int) ([]byte, []int32) {
	for k := 0; k < len(raw); {
		c := raw[k]
		o := int32(off + k)
		if c != '\\' {
			out = append(out, c)
			m = append(m, o)
			k++
			continue
		}
		switch raw[k+1] {
		case 'u':
			r := rune(hex4(raw[k+2:]))
			k += 6
			if utf16.IsSurrogate(r) {
				if k+6 <= len(raw) && raw[k] == '\\' && raw[k+1] == 'u' {
					if r2 := utf16.DecodeRune(r, rune(hex4(raw[k+2:]))); r2 != utf8.RuneError {
						r = r2
						k += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			n := len(out)
			out = utf8.AppendRune(out, r)
			for ; n < len(out); n++ {
				m = append(m, o)
			}
			continue
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default: // '"', '\\', '/'
			c = raw[k+1]
		}
		out = append(out, c)
		m = append(m, o)
		k += 2
	}
	return out, append(m, int32(off+len(raw)))
}

func hex4(b []byte) int {
	v := 0
	for _, c := range b[:4] {
		switch {
		case isDigit(c):
			v = v<<4 | int(c-'0')
		default:
			v = v<<4 | int(c|0x20-'a'+10)
		}
	}
	return v
}

// path renders the key path of the current value: $.records[0].Email, with
// keys that are not plain identifiers quoted: $["first name"]. A walker's
// paths come from its pathCache, which allocates only paths it has not seen
// lately, and those a few at a time.
func (j *jsonState) path() string {
	n := len(j.stack)
	if n == 0 {
		return "$"
	}
	if j.pfxN != n-1 || j.dirty < n-1 {
		// Frames below both the rendered depth and the lowest change are
		// rendered already: $.orders[7] stays while .customer becomes
		// .payment.
		v := min(j.pfxN, j.dirty, n-1)
		if v < 0 {
			j.pfx, j.pfxEnd, v = append(j.pfx[:0], '$'), append(j.pfxEnd[:0], 1), 0
		}
		j.pfx, j.pfxEnd = j.pfx[:j.pfxEnd[v]], j.pfxEnd[:v+1]
		for d := v; d < n-1; d++ {
			j.pfx = j.appendFrames(j.pfx, j.stack[d:d+1])
			j.pfxEnd = append(j.pfxEnd, int32(len(j.pfx)))
		}
		j.pfxN, j.dirty = n-1, n-1
		j.pfxHash = hashPath(j.pfx)
		j.pfxQuoted = bytes.IndexByte(j.pfx, '"') >= 0
	}
	top := &j.stack[n-1]
	if j.helper || j.pathMisses >= pathMissesPerScan || j.pfxQuoted || !top.array && !top.keyPlain {
		// A split's helper, whose paths renumber writes anew; a body
		// with more distinct paths than the cache holds; or a path with a
		// quoted key ($.by_email["anna@example.com"]), which can be data
		// and is not kept past the scan.
		return j.keepNew(top)
	}
	if top.keyPlain && !top.keyEsc {
		// A record's field, nearly every finding: found by the prefix's
		// hash and the key's memo slot, without rendering it first.
		key := j.body[top.keyStart:top.keyEnd]
		var h uint64
		if top.keySlot != 0 {
			h = j.pfxHash ^ uint64(top.keySlot)*0x9e3779b97f4a7c15
		} else {
			h = j.pfxHash ^ hashPath(key)
		}
		if p, ok := j.paths.member(h, j.pfx, key); ok {
			return p
		}
		j.pbuf = append(append(append(j.pbuf[:0], j.pfx...), '.'), key...)
		return j.add(h, j.pbuf)
	}
	p := j.appendFrames(append(j.pbuf[:0], j.pfx...), j.stack[n-1:])
	j.pbuf = p
	h := hashPath(p)
	if s, ok := j.paths.lookup(h, p); ok {
		return s
	}
	return j.add(h, p)
}

// A scan adds the first pathAddsPerScan paths the cache does not have to it;
// past pathMissesPerScan it stops looking: a megabyte of records, whose
// paths would only push each other out, keeps its first ones and renders
// the rest into an arena of its own (keepNew), as fast as without a cache.
const (
	pathAddsPerScan   = pathSlots / 2
	pathMissesPerScan = 2 * pathAddsPerScan
)

// add returns p, of hash h, a path the cache does not have, as a string:
// kept in the cache for the next scans, or, once this scan has added its
// share, copied into the arena.
func (j *jsonState) add(h uint64, p []byte) string {
	j.pathMisses++
	if j.pathMisses <= pathAddsPerScan {
		return j.paths.add(h, p)
	}
	j.grow(len(p))
	start := len(j.arena)
	j.arena = append(j.arena, p...)
	return unsafe.String(&j.arena[start], len(p))
}

// keepNew renders the path of the value under top (its prefix rendered in
// pfx) straight into the arena: a helper's, or, past what the cache takes,
// the walker's, which belongs to this scan only and is dropped, not reused,
// when the scan ends.
func (j *jsonState) keepNew(top *frame) string {
	need := len(j.pfx) + 24
	if !top.array {
		need += top.keyEnd - top.keyStart
	}
	j.grow(need)
	start := len(j.arena)
	a := append(j.arena, j.pfx...)
	if top.keyPlain && !top.keyEsc {
		a = append(append(a, '.'), j.body[top.keyStart:top.keyEnd]...)
	} else {
		a = j.appendFrames(a, j.stack[len(j.stack)-1:])
	}
	j.arena = a
	// The arena is only appended to, so the string's bytes never change.
	return unsafe.String(&j.arena[start], len(a)-start)
}

// grow makes room for need more bytes in the arena. The first chunk is
// sized by the body; the next ones by what the paths so far took over the
// body read so far (at most eight times that), as growDst sizes the
// findings.
func (j *jsonState) grow(need int) {
	if cap(j.arena)-len(j.arena) >= need {
		return
	}
	j.pathBytes += len(j.arena)
	size := min(max(len(j.body)/8, 256), 4096)
	if cap(j.arena) > 0 {
		size = min(2*cap(j.arena), 64<<10)
		at := j.stack[len(j.stack)-1].keyStart
		size = max(size, min(restAtDensity(j.pathBytes, at, len(j.body)), 8*j.pathBytes))
	}
	j.arena = make([]byte, 0, max(size, need))
}

// changed records that the frame at depth d changed.
func (j *jsonState) changed(d int) {
	if d < j.dirty {
		j.dirty = d
	}
}

func (j *jsonState) appendFrames(out []byte, fs []frame) []byte {
	for k := range fs {
		f := &fs[k]
		if f.array {
			out = append(out, '[')
			out = strconv.AppendInt(out, int64(f.index), 10)
			out = append(out, ']')
			continue
		}
		key := j.body[f.keyStart:f.keyEnd]
		if f.keyEsc {
			// Not j.decode: the segment being flushed may still use j.str.
			j.pkey, j.pkmap = unescape(j.pkey[:0], j.pkmap[:0], key, 0)
			key = j.pkey
		}
		if f.keyPlain {
			out = append(out, '.')
			out = append(out, key...)
		} else {
			out = append(out, '[')
			out = strconv.AppendQuote(out, string(key))
			out = append(out, ']')
		}
	}
	return out
}

// plainKey reports whether a key can follow a '.' in a path.
func plainKey(k []byte) bool {
	if len(k) == 0 || isDigit(k[0]) {
		return false
	}
	for _, c := range k {
		if !isAlnum(c) && c != '_' && c != '$' {
			return false
		}
	}
	return true
}
