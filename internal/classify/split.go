package classify

import (
	"errors"
	"math"
	"runtime"
	"strconv"
	"unsafe"
)

// Splitting a large JSON body between two cores.
//
// A gateway's large bodies are arrays of records ({"records":[...]}, a chat's
// "messages"), and a record is classified the same wherever the walk
// starts, given the keys above it. So when the walker enters an array with
// splitMin bytes or more after it, and fewer large scans run than there are
// cores, it guesses an element start a little past the middle of the rest
// of the body ("}" "," "{" and the first element's first key), and a helper
// scanner walks from there to the array's end
// on another goroutine, with a copy of the walker's stack. The guess is
// checked, not trusted: the walker goes on from the array's start, and only
// if it arrives at the guessed offset as the start of an element of that
// same array, with the frames above as the helper copied them, does it take
// the helper's findings (their paths renumbered) and jump to where the
// helper ended. Anywhere else (the guess was inside a string, or in a
// nested array), it stops the helper and walks on alone. The findings and
// errors are those of one walk: TestSplitAgrees and FuzzSplit compare them.
//
// Nothing the walker keeps between values changes what a value yields,
// except the frames' keys and flags, which the check compares: the key
// memo and its predictions only save work (FuzzKeyPrediction), and the
// helper starts with its own.

// splitMin is the size of the rest of a body from which part of an array
// goes to a helper. On the 2-vCPU development machine, `go test -bench`
// scanned 64 KiB of customer records 8% slower split than with one walker
// (the helper starts late, with a cold key memo), 256 KiB 10-20% faster, 1
// MiB 35-60%. A variable, so that tests split small bodies.
var splitMin = 128 << 10

// splitShare is where in the rest of the body, from the array's start, the
// helper's part begins: past the middle, by less the larger the body (a
// tenth at splitMin, a fortieth at 16 times that), since the helper starts
// late and with a cold key memo. Tried in turn: 0.6 was best of 0.6 - 0.7
// at 128 KiB, 0.55 of 0.5 - 0.6 at 256 KiB; 0.5 and 0.55 even at 1 MiB.
func splitShare(rest int) float64 {
	return 0.5 + 0.1*math.Sqrt(float64(splitMin)/float64(max(rest, splitMin)))
}

// Splits returns how many walks the engine has split between two cores so
// far (the helper's work taken), for tests and operators.
func (e *Engine) Splits() int64 { return e.joined.Load() }

// splitSearch is how far past the middle the walker looks for an element
// start to guess.
const splitSearch = 16 << 10

// errSplitStopped ends a helper whose start the walker did not confirm.
var errSplitStopped = errors.New("classify: split stopped")

// split is one helper's walk of an array's second half.
type split struct {
	at     int // offset of the element the helper starts at
	depth  int // len(stack) with the array's frame on top
	frames []frame
	prefix string // the path of the frames above the array, as the helper renders it
	h      *scanner
	stop   chan struct{} // closed by the walker: the helper is not wanted
	done   chan struct{} // closed by the helper when it ends
	end    int           // the helper's results, read after done
	err    error
	// panicked is what the helper panicked with, if it did: joinSplit
	// panics with it on the walker's goroutine, where the gateway's
	// recover turns it into a refused request, as it would a panic of
	// one walker.
	panicked any
}

// helperHook, when set, runs first in every helper; a test makes it panic.
var helperHook func()

// maySplit reports whether the walker, at the first element i of the array
// on top of its stack, should hand half of it to a helper.
func (s *scanner) maySplit(b []byte, i int) bool {
	return s.sp == nil && s.large && !s.helper && len(b)-i >= splitMin &&
		int(s.eng.large.Load()) < runtime.GOMAXPROCS(0)
}

// startSplit guesses an element start in the rest of the array at i and
// starts a helper there.
func (s *scanner) startSplit(b []byte, i int) {
	at := elementStart(b, i+int(float64(len(b)-i)*splitShare(len(b)-i)), firstKey(b, i))
	if at < 0 {
		return
	}
	s.eng.started.Add(1)
	j := &s.js
	sp := &split{at: at, depth: len(j.stack), frames: append([]frame(nil), j.stack...),
		stop: make(chan struct{}), done: make(chan struct{})}
	h := s.eng.getHelper()
	h.helper, h.inJSON, h.sp = true, true, sp
	h.dst, h.dstBase, h.bodyLen = h.spareDst[:0], 0, len(b)
	hj := &h.js
	hj.body = b
	// The helper's paths are all written anew by renumber, so its arena,
	// unlike a walker's, is never handed out and can be reused.
	hj.arena, h.spareArena = h.spareArena[:0], nil
	hj.stack = append(hj.stack[:0], j.stack...)
	for k := range hj.stack {
		// Slots of the walker's key memo mean nothing in the helper's:
		// its predictions start afresh (they only save work).
		hj.stack[k].keySlot, hj.stack[k].parentKey = 0, 0
	}
	hj.stack[sp.depth-1].index = 0
	hj.pfxN, hj.dirty, hj.winN = -1, 0, 0
	sp.prefix = string(hj.appendFrames([]byte("$"), hj.stack[:sp.depth-1]))
	sp.h = h
	s.sp = sp
	go func() {
		defer func() {
			sp.panicked = recover()
			close(sp.done)
		}()
		if helperHook != nil {
			helperHook()
		}
		sp.end, sp.err = h.valueFrom(b, at, sp.depth-1)
	}()
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

// helperStopped reports, to a helper between two elements of its array,
// whether the walker has given up on it.
func (s *scanner) helperStopped() bool {
	select {
	case <-s.sp.stop:
		return true
	default:
		return false
	}
}

// stopSplit stops the helper, waits for it, and drops its work, a panic
// too: it walked from a guess that one walker would not have walked from.
func (s *scanner) stopSplit() {
	sp := s.sp
	close(sp.stop)
	<-sp.done
	s.sp = nil
	if sp.panicked == nil {
		s.eng.putHelper(sp.h) // a helper that panicked may be in any state: not reused
	}
}

// getHelper returns the engine's spare helper scanner, or a pooled one. A
// helper is kept apart from the pool, with its findings' and paths'
// buffers: a megabyte's helper otherwise allocated a megabyte of findings
// a scan, and the collections that set off emptied the pool.
func (e *Engine) getHelper() *scanner {
	if h := e.spareHelper.Swap(nil); h != nil {
		h.eng = e
		return h
	}
	return e.get()
}

// putHelper keeps h as the engine's spare helper, its buffers emptied.
func (e *Engine) putHelper(h *scanner) {
	clear(h.dst) // no paths of this body kept alive
	dst, arena := h.dst[:0], h.js.arena[:0]
	if cap(dst) > 1<<16 || cap(arena) > 1<<20 {
		dst, arena = nil, nil // an outsized body's: not worth keeping
	}
	h.reset()
	h.spareDst, h.spareArena = dst, arena
	e.spareHelper.Store(h)
}

// joinSplit is called when the walker arrives at the helper's start as an
// element of the split array. If the frames above the array are as the
// helper copied them, and the helper did not change them, it appends the
// helper's findings, pops the array and returns where and how the helper
// ended, and true; otherwise it drops the helper's work and returns false.
func (s *scanner) joinSplit() (int, error, bool) {
	sp, j := s.sp, &s.js
	<-sp.done
	s.sp = nil
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
// key memo's slots (keySlot, parentKey, hadKey). joinSplit compares the
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
