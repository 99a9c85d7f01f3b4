package classify

import (
	"bytes"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"
)

// cand is a candidate match in the current segment's coordinates, before the
// threshold, overlap resolution and span mapping.
type cand struct {
	typ   Type
	rule  string
	start int
	end   int
	conf  float64
}

// scanner holds the per-call state and scratch of one Scan. Scanners are
// pooled by the Engine so a call that finds nothing allocates nothing.
type scanner struct {
	eng *Engine
	dst []Finding
	// dstBase is len(dst) when the scan began, bodyLen the body's length:
	// growDst sizes dst by them.
	dstBase, bodyLen int

	// unesc holds a segment whose escapes were blanked (blankEscapes).
	unesc []byte
	// nested counts the JSON strings this walk is inside (nestedJSON);
	// nestBuf holds a nested walk's findings.
	nested  int
	nestBuf []Finding
	// The segment being scanned: decoded and normalized bytes, and how to map
	// their offsets back to the original body.
	seg  []byte
	off  int     // original offset of seg[0] when omap is nil
	omap []int32 // per-byte original offsets, len(seg)+1 entries; nil: identity
	// hidden: where normalization removed an invisible character from seg
	// (normScratch.hidden); nil when seg was not normalized.
	hidden []int32

	// Splitting a large array between walkers (split.go): in a helper,
	// the split it walks for; the successor whose start this walker checks;
	// whether the scan is of a body large enough to split.
	own   *split
	next  *split
	large bool
	// A spare helper's buffers, kept by Engine.putHelper across scans.
	spareDst   []Finding
	spareArena []byte

	hint    keyHint // what the JSON key of this value says it is
	bizRule int     // business rule index + 1 of an enclosing business key; 0 none
	inJSON  bool

	cands []cand
	run   numRun // the digit run being interpreted

	// Keywords that start at the word starts of seg[kwLo:kwHi].
	kwHits     []kwHit
	kwLo, kwHi int
	phones     phoneMemo
	dig        []byte // digits of the current candidate

	norm normScratch
	js   jsonState
	trig [2048]uint32 // trigger bitmasks of up to 64 KiB (detectMasked)

	// memoOn: this call looks long string values up in the engine's memo
	// (memo.go), in scope; memoBuf is memoSegment's scratch.
	memoOn  bool
	scope   uint64
	memoBuf [memoCands]memoCand
}

func newScanner() *scanner {
	return &scanner{
		cands: make([]cand, 0, 32),
		dig:   make([]byte, 0, 64),
	}
}

func (s *scanner) reset() {
	s.eng = nil
	s.dst = nil
	s.own, s.next, s.large = nil, nil, false
	s.memoOn, s.scope = false, 0
	s.nested = 0
	// No body data stays in a pooled scanner's buffers. A buffer used since
	// the last reset has a length; it is cleared whole, once, and its length
	// goes back to zero, so that resets after a scan that used none clear
	// nothing.
	if len(s.unesc) > 0 {
		clear(s.unesc[:cap(s.unesc)])
		s.unesc = s.unesc[:0]
	}
	if len(s.nestBuf) > 0 {
		clear(s.nestBuf[:cap(s.nestBuf)])
		s.nestBuf = s.nestBuf[:0]
	}
	s.seg = nil
	s.omap = nil
	s.cands = s.cands[:0]
	s.js.reset()
	s.norm.shrink()
}

// scanText classifies a whole body as text.
func (s *scanner) scanText(body []byte) {
	s.inJSON = false
	s.hint = hintNone
	s.bizRule = 0
	body, _ = s.escaped(body, nil)
	s.segment(body, 0, nil, false)
}

// escaped handles what escapes leave in a segment b: JSON inside a JSON
// string, walked (nestedJSON; done), and one-letter escapes left in text,
// blanked (blankEscapes). A JSON string's value holds a backslash, or JSON,
// only if it had an escape: its callers are the text body's and the escaped
// strings' (segment's own lines are kept as the PGO profile knows them: a
// check at its top cost orders 4% in lost inlining).
func (s *scanner) escaped(b []byte, omap []int32) (_ []byte, done bool) {
	if s.inJSON && s.hint != hintNone {
		return b, false // a key says what the value is
	}
	if s.inJSON && s.bizRule == 0 && len(b) > 1 && (b[0] == '{' || b[0] == '[') && s.nestedJSON(b, omap) {
		return b, true
	}
	// Only where an escaped quote says the text is JSON's: a backslash
	// before a letter is a path's or a domain's as often
	// ("\\\\fileserver\\share\\tom.becker@...", "CORP\\nadia.schmidt@...").
	if i := bytes.IndexByte(b, '\\'); i >= 0 && bytes.Contains(b[i:], []byte(`\"`)) {
		b = s.blankEscapes(b, i)
	}
	return b, false
}

// maxNestedJSON is how many JSON strings deep JSON is walked: a tool
// call's arguments are one, a tool's result quoted in them two.
const maxNestedJSON = 3

// nestedJSON walks a decoded string value b (mapped to the body by omap)
// that is itself a JSON object or array, as a tool call's arguments and a
// tool's results are: their keys say what their values are ({"first_name":
// "Anna"}), as in the body. The findings carry the string's own path. It
// returns false, having done nothing, where b does not parse, and the
// caller scans it as text.
func (s *scanner) nestedJSON(b []byte, omap []int32) bool {
	if s.nested >= maxNestedJSON {
		return false
	}
	sub := s.eng.get()
	defer s.eng.put(sub)
	sub.nested = s.nested + 1
	sub.dst, sub.dstBase, sub.bodyLen = s.nestBuf[:0], 0, len(b)
	err := sub.scanJSON(b)
	s.nestBuf = sub.dst[:cap(sub.dst)] // used: reset clears it
	if err != nil {
		return false
	}
	s.begin(b, 0, omap)
	if len(sub.dst) > 0 {
		path := s.js.path()
		for _, f := range sub.dst {
			s.appendFinding(f.Type, f.Rule, f.Start, f.End, f.Confidence, path)
		}
	}
	return true
}

// blankEscapes returns b, or a copy with its JSON escapes of one letter
// blanked (the first backslash at i): JSON inside a JSON string (a tool
// call's arguments, a tool's result) or pasted as text keeps its escapes
// once decoded, and "Contact:\nanna@example.com" read "nanna@example.com"
// and "\nAnna Schmidt" no name. Each escape becomes as many bytes ("\n"
// two spaces, "\"" a space and a quote), so offsets stay as they were;
// "\\" stays, and so do the escapes of more than a letter ("\u00fc").
func (s *scanner) blankEscapes(b []byte, i int) []byte {
	var out []byte
	for ; i+1 < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		var with string
		switch b[i+1] {
		case 'n', 'r', 't', 'b', 'f':
			with = "  "
		case '"':
			with = ` "`
		case '\\':
			i++ // an escaped backslash: what follows it is no escape
			continue
		default:
			continue
		}
		if out == nil {
			out = append(s.unesc[:0], b...)
			s.unesc = out
		}
		copy(out[i:], with)
		i++
	}
	if out == nil {
		return b
	}
	return out
}

// blockSize is how much of a long segment is checked for normalization
// just before it is scanned, so that both passes read it from cache: a
// megabyte read twice from main memory ran at half the speed of 256 KiB.
const blockSize = 64 << 10

// segment scans one run of text: a text body, or one decoded JSON string,
// number or key. omap, when non-nil, maps each byte of b to its original
// offset (len(b)+1 entries); otherwise b starts at original offset off.
// ascii says b is known to hold no byte >= 0x80, so nothing to normalize.
func (s *scanner) segment(b []byte, off int, omap []int32, ascii bool) {
	ans := keyAsks
	if len(b) <= blockSize || omap != nil {
		normalized := !ascii && needsNormalization(b)
		if normalized {
			b, omap = s.norm.normalize(b, off, omap)
			off = 0
		}
		s.begin(b, off, omap)
		if normalized {
			s.hidden = s.norm.hidden
		}
		if s.mayExplain(b) {
			ans = s.keyExplains(b)
			if ans == keyDone && len(s.cands) == 0 && s.eng.biz == nil {
				return // nothing found, nor any business rule to ask
			}
		}
		if ans == keyAsks {
			s.detect(b, 0, len(b))
		}
	} else {
		s.begin(b, off, nil)
		if !s.detectBlocks(b) {
			// Something needs normalizing: start again on the normalized copy.
			nb, nm := s.norm.normalize(b, off, nil)
			s.begin(nb, 0, nm)
			s.hidden = s.norm.hidden
			s.detect(nb, 0, len(nb))
			b = nb
		}
	}
	switch {
	case ans == keyWhole:
		// keyExplains checked the shape keyValue would check.
		if s.eng.biz == nil {
			s.emitWhole(hintType[s.hint], len(b))
			return
		}
		s.add(hintType[s.hint], "", 0, len(b), 0.9)
	case ans == keyDone:
		// The key and the value's shape leave nothing to report.
	case s.bizRule != 0 || s.inJSON && s.hint != hintNone && s.hint < hintNotPII:
		// A business key, or a key that names a type (keyValue).
		s.keyValue(b)
	}
	if s.eng.biz != nil {
		s.eng.biz.scan(s, b)
	}
	if len(s.cands) > 0 {
		s.flush()
	}
}

func (s *scanner) begin(b []byte, off int, omap []int32) {
	s.seg, s.off, s.omap, s.hidden = b, off, omap, nil
	s.cands = s.cands[:0]
	s.kwHits, s.kwLo, s.kwHi = s.kwHits[:0], 0, 0
}

// detectBlocks scans a long segment block by block, checking each block for
// characters that need normalizing right before scanning it. It returns
// false, having found one, so that the caller normalizes and starts over.
func (s *scanner) detectBlocks(b []byte) bool {
	i := 0
	for bs := 0; bs < len(b); bs += blockSize {
		be := min(bs+blockSize, len(b))
		if i >= be {
			continue // a candidate read the whole block (to the body's end)
		}
		// Check whole runes: widen the block to rune starts on both sides.
		cs, ce := max(bs, i), be
		for cs > 0 && !utf8.RuneStart(b[cs]) {
			cs--
		}
		for ce < len(b) && !utf8.RuneStart(b[ce]) {
			ce++
		}
		if cs < ce && needsNormalization(b[cs:ce]) {
			return false
		}
		i = s.detect(b, i, be)
	}
	return true
}

// detect runs the single-pass scanner over b[i:to]: skip bytes that cannot
// start any candidate, dispatch on the ones that can. Candidates may read
// past to; it returns where scanning stopped (to or beyond).
func (s *scanner) detect(b []byte, i, to int) int {
	if to-i >= maskedMin && haveVectorMasks {
		i = s.detectMasked(b, i, to)
		if i >= to {
			return i
		}
	}
	bt := b[:to] // the skip loops' view: the compiler drops their bounds checks
	for i < to {
		for i+16 <= len(bt) {
			w := bt[i : i+16 : i+16]
			if trigger[w[0]]|trigger[w[1]]|trigger[w[2]]|trigger[w[3]]|
				trigger[w[4]]|trigger[w[5]]|trigger[w[6]]|trigger[w[7]]|
				trigger[w[8]]|trigger[w[9]]|trigger[w[10]]|trigger[w[11]]|
				trigger[w[12]]|trigger[w[13]]|trigger[w[14]]|trigger[w[15]] != 0 {
				break
			}
			i += 16
		}
		for i < len(bt) && trigger[bt[i]] == 0 {
			i++
		}
		if i >= to {
			return i
		}
		next := s.dispatch(b, i)
		if next <= i {
			next = i + 1
		}
		i = next
	}
	return i
}

// maskedMin is the run length from which detect finds triggers in bitmasks
// the vector code computes for the whole run at once: from each trigger to
// the next costs a bit scan, not a call or a byte-by-byte loop.
const maskedMin = 32

// detectMasked is detect for long runs: it covers b[i:to]'s whole 32-byte
// chunks, piece by piece, and returns where it stopped (the tail, shorter
// than a chunk, is left to the caller; candidates may have read past to).
func (s *scanner) detectMasked(b []byte, i, to int) int {
	for to-i >= 32 {
		base := i
		n := min((to-base)/32, len(s.trig))
		m := s.trig[:n]
		triggers.masks(b[base:base+32*n], m)
		limit := base + 32*n
		for i < limit {
			k := (i - base) >> 5
			if w := m[k] >> uint((i-base)&31); w != 0 {
				i += bits.TrailingZeros32(w)
			} else {
				for k++; k < n && m[k] == 0; k++ {
				}
				if k == n {
					i = limit
					break
				}
				i = base + 32*k + bits.TrailingZeros32(m[k])
			}
			next := s.dispatch(b, i)
			if next <= i {
				next = i + 1
			}
			i = next
		}
	}
	return i
}

func (s *scanner) dispatch(b []byte, i int) int {
	c := b[i]
	switch {
	case isDigit(c):
		return s.onDigit(b, i)
	case isUpper(c):
		return s.onUpper(b, i)
	case c >= 0x80:
		return s.onHigh(b, i)
	}
	switch c {
	case '@':
		return s.onAt(b, i)
	case '+':
		return s.onPlus(b, i)
	case '(':
		if i+1 < len(b) && b[i+1]|0x20 == 'a' {
			if e := s.onBracket(b, i); e > 0 {
				return e
			}
		}
		return s.onParen(b, i)
	case '[':
		if e := s.onBracket(b, i); e > 0 {
			return e
		}
	case '-':
		return s.onDash(b, i)
	case '_':
		return s.onUnderscore(b, i)
	case '=', ':':
		return s.onAssign(b, i)
	case '~':
		return s.onTilde(b, i)
	}
	return i + 1
}

// add records a candidate, adjusting its confidence by the JSON key.
func (s *scanner) add(t Type, rule string, start, end int, conf float64) {
	if start < 0 || end > len(s.seg) || start >= end {
		return
	}
	conf = s.keyAdjust(t, conf)
	if conf > 0.99 {
		conf = 0.99
	}
	s.cands = append(s.cands, cand{typ: t, rule: rule, start: start, end: end, conf: conf})
}

// meets reports whether a candidate's final confidence reaches the threshold
// (with a little slack for sums such as 0.35+0.35): the one test of it.
func (s *scanner) meets(conf float64) bool { return conf+1e-9 >= s.eng.threshold }

// flush applies the threshold, resolves overlaps, maps spans to the original
// body and appends the findings.
func (s *scanner) flush() {
	if len(s.cands) == 1 { // most values: nothing to filter, sort or sweep
		if s.meets(s.cands[0].conf) {
			s.emit(s.cands)
		}
		return
	}
	c := s.cands[:0]
	for k := range s.cands {
		if s.meets(s.cands[k].conf) {
			if k != len(c) {
				c = append(c, s.cands[k])
			} else {
				c = c[:k+1] // already in place
			}
		}
	}
	if len(c) == 0 {
		return
	}
	// Detectors emit mostly in order; sort only when they did not.
	byStart := func(a, b cand) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	}
	if !slices.IsSortedFunc(c, byStart) {
		slices.SortFunc(c, byStart)
	}
	// Sweep: each candidate either starts after the last kept one ends, or
	// competes with it and the better one stays.
	kept := c[:1]
	for i := 1; i < len(c); i++ {
		x := &c[i] // kept only writes below i
		last := &kept[len(kept)-1]
		if x.start >= last.end {
			if len(kept) == i {
				kept = c[:i+1] // nothing dropped yet: already in place
			} else {
				kept = append(kept, *x)
			}
			continue
		}
		if better(*x, *last) {
			*last = *x
			// The winner may now overlap earlier kept ones; pop them if it
			// beats them too, else drop it.
			for len(kept) >= 2 && kept[len(kept)-2].end > kept[len(kept)-1].start {
				prev, cur := kept[len(kept)-2], kept[len(kept)-1]
				if better(cur, prev) {
					kept[len(kept)-2] = cur
				}
				kept = kept[:len(kept)-1]
			}
		}
	}
	s.emit(kept)
}

// emitWhole appends the finding of a value its key reports whole (keyWhole),
// as add and flush would for the value's one candidate, without keeping it
// first: where no business rules may add another, nothing can compete.
func (s *scanner) emitWhole(t Type, n int) {
	if conf := min(s.keyAdjust(t, 0.9), 0.99); s.meets(conf) {
		s.appendFinding(t, "", 0, n, conf, s.js.path()) // keyWhole is for JSON values only
	}
}

// emit appends the kept candidates as findings, mapped to the original body.
func (s *scanner) emit(kept []cand) {
	path := ""
	if s.inJSON {
		path = s.js.path()
	}
	for k := range kept {
		x := &kept[k]
		s.appendFinding(x.typ, x.rule, x.start, x.end, x.conf, path)
	}
}

// appendFinding appends one finding, its span mapped to the original body.
func (s *scanner) appendFinding(t Type, rule string, start, end int, conf float64, path string) {
	start, end = s.origSpan(start, end)
	if len(s.dst) == cap(s.dst) {
		s.growDst(end)
	}
	s.dst = append(s.dst, Finding{
		Type:       t,
		Class:      classOf(t),
		Rule:       rule,
		Start:      start,
		End:        end,
		Path:       path,
		Confidence: roundConf(conf),
	})
}

// growDst makes room for the findings the rest of the body will likely
// hold, at the density found up to offset at, where append would double:
// the gateway passes a nil dst, and a megabyte of records grew its way to
// 20,000 findings about eighteen times, each time zeroing and copying a
// larger slice of pointers. The room is capped at eight times what was
// found, so that a dense start does not reserve for a sparse rest.
func (s *scanner) growDst(at int) {
	n := len(s.dst) - s.dstBase + 1 // this scan's findings, the new one too
	more := n                       // doubling, where the density says nothing
	if rest := restAtDensity(n, at, s.bodyLen); rest > 0 {
		more = max(rest, n/4) + 8
	}
	more = min(more, 8*n+256)
	grown := make([]Finding, len(s.dst), len(s.dst)+more)
	copy(grown, s.dst)
	s.dst = grown
}

// restAtDensity estimates how much of something the rest of a body of
// total bytes holds, found of it having come in its first at bytes: as
// much per byte, and an eighth more; 0 where at says nothing. The findings
// (growDst) and the paths past what the cache takes (jsonState.grow) are
// sized by it.
func restAtDensity(found, at, total int) int {
	if at <= 0 || at >= total {
		return 0
	}
	return int(int64(found) * int64(total-at) / int64(at) * 9 / 8)
}

// roundConf rounds a confidence to two decimals, as math.Round(c*100)/100
// does for c >= 0 (half away from zero), but with math.Floor, which the
// compiler turns into one instruction where math.Round is a dozen: y-r is
// exact for y >= 0, so the half is decided exactly.
func roundConf(c float64) float64 {
	y := c * 100
	r := math.Floor(y)
	if y-r >= 0.5 {
		r++
	}
	return r / 100
}

// better decides an overlap: the more specific (validated) type wins, then
// the higher confidence, then the longer span.
func better(a, b cand) bool {
	ra, rb := typeRank[a.typ], typeRank[b.typ]
	if ra != rb {
		return ra > rb
	}
	if a.conf != b.conf {
		return a.conf > b.conf
	}
	return a.end-a.start > b.end-b.start
}

var typeRank = map[Type]int{
	Secret:         100,
	PaymentCard:    95,
	IBAN:           95,
	ITFiscalCode:   92,
	FRNIR:          92,
	ESDNI:          90,
	ESNIE:          90,
	UKNINO:         90,
	SEPersonnummer: 88,
	PLPESEL:        86,
	DETaxID:        86,
	UKNHS:          85,
	NLBSN:          84,
	USSSN:          84,
	Email:          82,
	Business:       80,
	Phone:          70,
	IPAddress:      65,
	DateOfBirth:    60,
	PostalAddress:  55,
	Postcode:       50,
	PersonName:     40,
}

func classOf(t Type) Class {
	switch t {
	case Secret:
		return ClassSecret
	case Business:
		return ClassBusiness
	}
	return ClassPersonal
}

// origSpan maps a segment span to original body offsets.
func (s *scanner) origSpan(start, end int) (int, int) {
	if s.omap == nil {
		return s.off + start, s.off + end
	}
	return int(s.omap[start]), mapEnd(s.omap, end)
}

// mapEnd maps an exclusive end offset: a span that ends inside a unit (an
// escape, a normalized rune) is extended to the end of that unit.
func mapEnd(m []int32, end int) int {
	if end <= 0 {
		return int(m[0])
	}
	last := m[end-1]
	k := end
	for k < len(m)-1 && m[k] == last {
		k++
	}
	return int(m[k])
}
