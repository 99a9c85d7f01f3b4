package classify

import (
	"errors"
	"math"
	"runtime"
	"strconv"
	"unsafe"
)

// Splitting a large JSON body between cores.
//
// A gateway's large bodies are arrays of records ({"records":[...]}, a chat's
// "messages"), and a record is classified the same wherever the walk
// starts, given the keys above it. So when the walker enters an array with
// splitMin bytes or more after it, and fewer large walks run than there are
// cores, it cuts the rest of the body into parts, one a free core, and
// guesses an element start at each cut ("}" "," "{" and the first element's
// first key). A helper scanner walks from each guess to the array's end on
// a goroutine of its own, with a copy of the walker's stack. The guesses
// are checked, not trusted: every walker (the first from the array's
// start) checks the start of the next one. Only if it arrives at that
// offset as the start of an element of the same array, with the frames
// above as the helper copied them, does it take the helper's findings
// (their paths renumbered; they include those the helper took from its own
// successor) and jump to where the helper ended. Anywhere else (the guess
// was inside a string, or in a nested array), it stops the helper, which
// stops its own successor, and walks on. The findings and errors are those
// of one walk: TestSplitAgrees, TestSplitInPartsAgrees and FuzzSplit
// compare them.
//
// Nothing the walker keeps between values changes what a value yields,
// except the frames' keys and flags, which the check compares: the key
// memo and its predictions only save work (FuzzKeyPrediction), and each
// helper starts with its own.

// splitMin is the size of the rest of a body from which part of an array
// goes to a helper. On the 2-vCPU development machine, `go test -bench`
// scanned 64 KiB of customer records 8% slower split than with one walker
// (the helper starts late, with a cold key memo), 256 KiB 10-20% faster, 1
// MiB 35-60%. A variable, so that tests split small bodies.
var splitMin = 128 << 10

// Splits returns how many helpers' work the engine has taken so far (a walk
// split in three parts counts two), for tests and operators.
func (e *Engine) Splits() int64 { return e.joined.Load() }

// splitSearch is how far past a cut the walker looks for an element start
// to guess.
const splitSearch = 16 << 10

// errSplitStopped ends a helper whose start the walker did not confirm.
var errSplitStopped = errors.New("classify: split stopped")

// split is one helper's walk of a part of an array, from at to the array's
// end, or to where it joins its own successor.
type split struct {
	at     int // offset of the element the helper starts at
	depth  int // len(stack) with the array's frame on top
	frames []frame
	prefix string // the path of the frames above the array, as the helper renders it
	h      *scanner
	stop   chan struct{} // closed by the walker before it: the helper is not wanted
	done   chan struct{} // closed by the helper when it and its successors have ended
	end    int           // the helper's results, read after done
	err    error
	// panicked is what the helper panicked with, if it did: joinNext
	// panics with it on the walker's goroutine, and so on up to the
	// caller's, where the gateway's recover turns it into a refused
	// request, as it would a panic of one walker.
	panicked any
}

// helperHook, when set, runs first in every helper; a test makes it panic.
var helperHook func()

// maxSplitParts bounds how many walkers share one array.
const maxSplitParts = 8

// maySplit reports whether the walker, at the first element i of the array
// on top of its stack, may share the array with helpers: it walks a large
// body, is no helper, splits nothing yet, and enough of the body is left.
// Whether cores are free is startSplit's to find out.
func (s *scanner) maySplit(b []byte, i int) bool {
	return s.large && s.next == nil && s.own == nil && len(b)-i >= splitMin
}

// splitParts is how many walkers may share an array with rest bytes after
// its start: one a core that walks no other large body (this walk is
// counted in large), each part at least half of splitMin, at most
// maxSplitParts. Under 2, none.
func (e *Engine) splitParts(rest int) int {
	free := runtime.GOMAXPROCS(0) - int(e.large.Load()) + 1
	return min(maxSplitParts, free, rest/(splitMin/2))
}

// startSplit guesses element starts in the rest of the array at i and
// starts a helper at each: the walker's part ends where the first helper's
// begins, each helper's where the next one's does, the last one's at the
// array's end. Each walker checks its successor's start (joinNext).
func (s *scanner) startSplit(b []byte, i int) {
	rest := len(b) - i
	k := s.eng.splitParts(rest)
	if k < 2 {
		return // every core walks a large body already
	}
	key := firstKey(b, i)
	var ats []int
	for p := 1; p < k; p++ {
		at := elementStart(b, i+int(float64(rest)*splitBoundary(p, k, rest)), key)
		if at > i && (len(ats) == 0 || at > ats[len(ats)-1]) {
			ats = append(ats, at)
		}
	}
	if len(ats) == 0 {
		return
	}
	j := &s.js
	frames := append([]frame(nil), j.stack...)
	depth := len(j.stack)
	prefix := string(j.appendFrames([]byte("$"), frames[:depth-1])) // the helpers render their paths so
	prev := s
	helpers := make([]*scanner, 0, len(ats))
	for _, at := range ats {
		s.eng.started.Add(1)
		sp := &split{at: at, depth: depth, frames: frames, stop: make(chan struct{}), done: make(chan struct{})}
		h := s.eng.getHelper()
		h.inJSON, h.own = true, sp
		h.memoOn, h.scope = s.memoOn, s.scope
		h.dst, h.dstBase, h.bodyLen = h.spareDst[:0], 0, len(b)
		hj := &h.js
		hj.body = b
		// The helper's paths are all written anew by renumber, so its
		// arena, unlike a walker's, is never handed out and can be reused.
		hj.helper, hj.arena, h.spareArena = true, h.spareArena[:0], nil
		hj.stack = append(hj.stack[:0], frames...)
		for k := range hj.stack {
			// Slots of the walker's key memo mean nothing in the
			// helper's: its predictions start afresh (they only save work).
			hj.stack[k].keySlot, hj.stack[k].parentKey = 0, 0
		}
		hj.stack[depth-1].index = 0
		hj.pfxN, hj.dirty, hj.winN = -1, 0, 0
		sp.prefix, sp.h = prefix, h
		prev.next = sp
		prev = h
		helpers = append(helpers, h)
	}
	// Start the helpers once the chain is linked (a helper reads its next),
	// from the list: a running helper may already have dropped its next.
	for _, h := range helpers {
		s.eng.live.Add(1)
		go h.runHelper(b)
	}
}

// runHelper walks a helper's part, then ends its successor's, if it still
// has one: every walker ends its own successor, so a stop reaches down the
// chain.
func (h *scanner) runHelper(b []byte) {
	sp := h.own
	defer func() {
		sp.panicked = recover()
		if h.next != nil {
			h.stopNext()
		}
		h.eng.live.Add(-1)
		close(sp.done)
	}()
	if helperHook != nil {
		helperHook()
	}
	sp.end, sp.err = h.valueFrom(b, sp.at, sp.depth-1)
}

// splitBoundary is where, as a share of the rest of the body, part p of k
// begins: at p/k, moved on by 0.2 * sqrt(splitMin / rest) / k, since the
// helpers start late and with cold key memos. With two parts that is a
// tenth past the middle at splitMin, a fortieth at 16 times that. Tried in
// turn with two parts: 0.6 was best of 0.6 - 0.7 at 128 KiB, 0.55 of
// 0.5 - 0.6 at 256 KiB; 0.5 and 0.55 were even at 1 MiB.
func splitBoundary(p, k, rest int) float64 {
	margin := 0.2 * math.Sqrt(float64(splitMin)/float64(max(rest, splitMin)))
	return (float64(p) + margin) / float64(k)
}

// elementStart returns the offset of the '{' in the first "}" "," "{" (with
// white space between) at or after from, within splitSearch bytes, whose
// object starts with the key key (when not nil: the array's first element's,
// which records repeat and nested objects seldom share); -1 if there is
// none.
func elementStart(b []byte, from int, key []byte) int {
	lim := min(len(b), from+splitSearch)
	for k := from; k < lim; k++ {
		if b[k] != '}' {
			continue
		}
		n := skipSpace(b[:lim], k+1)
		if n >= lim || b[n] != ',' {
			continue
		}
		if n = skipSpace(b[:lim], n+1); n >= lim || b[n] != '{' {
			continue
		}
		if key == nil {
			return n
		}
		q := skipSpace(b[:lim], n+1)
		if q+len(key)+2 <= lim && b[q] == '"' && string(b[q+1:q+1+len(key)]) == string(key) && b[q+1+len(key)] == '"' {
			return n
		}
	}
	return -1
}

// firstKey returns the raw first key of the object at i, or nil if there
// is no object there or its first key holds an escape.
func firstKey(b []byte, i int) []byte {
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	q := skipSpace(b, i+1)
	if q >= len(b) || b[q] != '"' {
		return nil
	}
	for e := q + 1; e < len(b) && e-q <= 64; e++ {
		switch b[e] {
		case '\\':
			return nil
		case '"':
			return b[q+1 : e]
		}
	}
	return nil
}

// stopped reports, to a helper between two elements of its array, whether
// the walker before it has given up on it.
func (s *scanner) stopped() bool {
	select {
	case <-s.own.stop:
		return true
	default:
		return false
	}
}

// stopNext stops the walker's successor, waits for it (and so for the
// successors it stops in turn), and drops its work, a panic too: it walked
// from a guess that one walker would not have walked from.
func (s *scanner) stopNext() {
	sp := s.next
	close(sp.stop)
	<-sp.done
	s.next = nil
	if sp.panicked == nil {
		s.eng.putHelper(sp.h) // a helper that panicked may be in any state: not reused
	}
}

// getHelper returns one of the engine's spare helper scanners, or a pooled
// one. Helpers are kept apart from the pool, with their findings' and
// paths' buffers: a megabyte's helper otherwise allocated a megabyte of
// findings a scan, and the collections that set off emptied the pool.
func (e *Engine) getHelper() *scanner {
	select {
	case h := <-e.spareHelpers:
		h.eng = e
		return h
	default:
		return e.get()
	}
}

// putHelper keeps h as the engine's spare helper, its buffers emptied.
func (e *Engine) putHelper(h *scanner) {
	clear(h.dst) // no paths of this body kept alive
	dst, arena := h.dst[:0], h.js.arena[:0]
	if cap(dst) > 1<<14 || cap(arena) > 256<<10 {
		// Kept, up to seven helpers' buffers are an engine's for good: a
		// megabyte's part (10,000 findings, 880 KB) is, an outsized
		// body's is not.
		dst, arena = nil, nil
	}
	h.reset()
	h.spareDst, h.spareArena = dst, arena
	select {
	case e.spareHelpers <- h:
	default: // as many spares as parts can use: let it go
	}
}

// joinNext is called when a walker arrives at its successor's start as an
// element of the split array. If the frames above the array are as the
// successor copied them, and it did not change them, it appends the
// successor's findings (which hold those of the successors it joined),
// pops the array and returns where and how the successor ended, and true;
// otherwise it drops the successor's work and returns false.
func (s *scanner) joinNext() (int, error, bool) {
	sp, j := s.next, &s.js
	<-sp.done
	s.next = nil
	if sp.panicked != nil {
		panic(sp.panicked)
	}
	defer s.eng.putHelper(sp.h)
	if sp.err == errSplitStopped || !sameFrames(j.stack[:sp.depth-1], sp.frames[:sp.depth-1]) ||
		sp.err == nil && !sameFrames(sp.h.js.stack, sp.frames[:sp.depth-1]) {
		return 0, nil, false
	}
	s.eng.joined.Add(1)
	if sp.err != nil {
		return sp.end, sp.err, true
	}
	found, ok := renumber(sp.h.dst, sp.prefix, j.stack[sp.depth-1].index)
	if !ok {
		return 0, nil, false
	}
	s.dst = append(s.dst, found...)
	j.stack = j.stack[:sp.depth-1]
	j.changed(sp.depth - 1)
	return sp.end, nil, true
}

// sameFrames compares frames by what a value's findings depend on: not the
// key memo's slots (keySlot, parentKey, hadKey). joinNext compares the
// frames above the split array; inside the array the walker cannot change
// them (markServiceAccount marks the object on top, and there that is an
// element of the array or deeper), so the comparison guards against a
// future flag that could, at the cost of a few compares.
func sameFrames(a, b []frame) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		x, y := a[k], b[k]
		if x.array != y.array || x.keyStart != y.keyStart || x.keyEnd != y.keyEnd || x.keyEsc != y.keyEsc ||
			x.keyPlain != y.keyPlain || x.hint != y.hint || x.biz != y.biz || x.serviceAccount != y.serviceAccount ||
			x.array && x.index != y.index {
			return false
		}
	}
	return true
}

// renumber rewrites the helper's findings' paths, prefix[rel]..., to
// prefix[first+rel]...: the helper counted the array's elements from its
// own start. It reports false if a path does not have that shape.
func renumber(fs []Finding, prefix string, first int) ([]Finding, bool) {
	size := 0
	for k := range fs {
		size += len(fs[k].Path) + 8
	}
	buf := make([]byte, 0, size)
	last, lastNew := "", ""
	for k := range fs {
		p := fs[k].Path
		if p == last {
			fs[k].Path = lastNew
			continue
		}
		if len(p) < len(prefix)+3 || p[:len(prefix)] != prefix || p[len(prefix)] != '[' {
			return nil, false
		}
		d := len(prefix) + 1
		e := d
		for e < len(p) && isDigit(p[e]) {
			e++
		}
		rel, err := strconv.Atoi(p[d:e])
		if err != nil || e == len(p) || p[e] != ']' {
			return nil, false
		}
		start := len(buf)
		buf = append(buf, p[:d]...)
		buf = strconv.AppendInt(buf, int64(first+rel), 10)
		buf = append(buf, p[e:]...)
		// buf is only appended to, so the bytes behind a string never
		// change, even when append moves the rest.
		last, lastNew = p, unsafe.String(&buf[start], len(buf)-start)
		fs[k].Path = lastNew
	}
	return fs, true
}
