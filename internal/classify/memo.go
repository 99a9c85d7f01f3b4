package classify

import (
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// The memo remembers the findings of long JSON string values, so that a
// value seen again is not scanned again.
//
// A chat-completions request carries the whole conversation: every turn
// resends every earlier message, so a gateway in front of a model scans
// the first message of a conversation of n turns n times. With the memo, a
// turn costs the scan of what is new in it (the model's last answer and the
// caller's next message) and a hash of the rest.
//
// A value is found again by two 64-bit keyed hashes of its bytes (random
// seeds per engine) and its length, and its findings are replayed: mapped
// to where the value is in this body, under its path in this body. Which
// findings a value has depends on more than its bytes only where its key
// says something (keys.go: the hint, a business key, a credential key's
// words), so only values under keys that say nothing are remembered, and
// a JSON string's bytes are the whole of its input. Values that needed
// normalizing are not remembered (their spans map through a table built
// per scan), nor values with more findings than a slot holds.
//
// What it keeps: the hashes, the length, and per finding its type, rule,
// offsets and confidence. No byte of a value, so it holds nothing a memory
// dump could read a customer's data from. A hit is much faster than a
// miss, so a memo shared by callers would let one learn, by timing,
// whether another sent a value it guesses; the scope of a call (JSONIn) is
// part of the key, and the gateway passes the calling client's.

// DefaultMemoValues is how many values an engine remembers when
// Config.MemoValues is zero: about 1.7 MB.
const DefaultMemoValues = 4096

// MaxMemoValues bounds Config.MemoValues: a million values take about
// 430 MB.
const MaxMemoValues = config.MaxMemoValues

const (
	// memoMin is the shortest value remembered. A hash and a lookup cost
	// about what scanning 8-16 bytes of PII-dense text does, and most
	// record fields are shorter than this, so they pay nothing.
	memoMin = 128
	// memoCands is how many findings a slot holds.
	memoCands = 8
	// memoShards spreads the slots over locks, so that walkers on both
	// cores seldom wait for each other.
	memoShards = 16
)

// memoCand is a remembered finding, in the value's own offsets.
type memoCand struct {
	typ        Type
	rule       string
	start, end int32
	conf       float64
}

// memoKey names a value: its hashes, its length and the call's scope.
type memoKey struct {
	h1, h2, scope uint64
	n             int
}

type memoSlot struct {
	key   memoKey
	epoch uint32 // the memo's epoch when written; any other: empty
	used  uint32 // the shard's clock at the last write or hit
	count int
	cands [memoCands]memoCand
}

type memoShard struct {
	mu           sync.Mutex
	clock        uint32
	hits, misses uint64
	slots        []memoSlot // sets of two
	_            [72]byte   // 128 bytes a shard: locks on cache lines of their own
}

type memo struct {
	seed1, seed2 maphash.Seed
	sets         uint64 // per shard
	epoch        atomic.Uint32
	shards       [memoShards]memoShard
}

func newMemo(values int) *memo {
	m := &memo{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed()}
	m.sets = uint64(max(1, (values+2*memoShards-1)/(2*memoShards)))
	for i := range m.shards {
		m.shards[i].slots = make([]memoSlot, 2*m.sets)
	}
	m.epoch.Store(1) // a zero slot is empty
	return m
}

// scopeOf is the scope of calls made for one caller; 0 is the scope of
// calls for none.
func (m *memo) scopeOf(name string) uint64 {
	if name == "" {
		return 0
	}
	return maphash.String(m.seed1, name) | 1
}

func (m *memo) key(scope uint64, b []byte) memoKey {
	return memoKey{h1: maphash.Bytes(m.seed1, b), h2: maphash.Bytes(m.seed2, b), scope: scope, n: len(b)}
}

// set returns the shard and the two slots a key may be in.
func (m *memo) set(k memoKey) (*memoShard, []memoSlot) {
	sh := &m.shards[k.h1%memoShards]
	i := 2 * ((k.h1 / memoShards) % m.sets)
	return sh, sh.slots[i : i+2 : i+2]
}

// lookup copies a remembered value's findings into out and returns their
// number and true, or false if the value is not remembered.
func (m *memo) lookup(k memoKey, out *[memoCands]memoCand) (int, bool) {
	epoch := m.epoch.Load()
	sh, set := m.set(k)
	sh.mu.Lock()
	for i := range set {
		sl := &set[i]
		if sl.epoch == epoch && sl.key == k {
			n := copy(out[:], sl.cands[:sl.count])
			sh.clock++
			sl.used = sh.clock
			sh.hits++
			sh.mu.Unlock()
			return n, true
		}
	}
	sh.misses++
	sh.mu.Unlock()
	return 0, false
}

// store remembers a value's findings, in place of the less recently used
// value of its set.
func (m *memo) store(k memoKey, cs []memoCand) {
	epoch := m.epoch.Load()
	sh, set := m.set(k)
	sh.mu.Lock()
	sl := pickSlot(set, k, epoch)
	sh.clock++
	sl.key, sl.epoch, sl.used = k, epoch, sh.clock
	sl.count = copy(sl.cands[:], cs)
	sh.mu.Unlock()
}

// pickSlot returns the slot of set to write k to: the one holding k
// already (another walker stored it meanwhile), an empty one, or the one
// used longer ago.
func pickSlot(set []memoSlot, k memoKey, epoch uint32) *memoSlot {
	for i := range set {
		if set[i].epoch == epoch && set[i].key == k {
			return &set[i]
		}
	}
	for i := range set {
		if set[i].epoch != epoch {
			return &set[i]
		}
	}
	if int32(set[0].used-set[1].used) < 0 { // the clock wraps
		return &set[0]
	}
	return &set[1]
}

// forget empties the memo at once: the slots of earlier epochs are empty.
func (m *memo) forget() {
	if m.epoch.Add(1) == 0 {
		m.epoch.Add(1)
	}
}

// ForgetMemo empties the engine's memo at once, so that every value is
// scanned anew: the benchmarks time cold scans with it.
func (e *Engine) ForgetMemo() {
	if e.memo != nil {
		e.memo.forget()
	}
}

// MemoStats counts the lookups of long JSON string values in the memo:
// those found, whose scan was saved, and those scanned.
type MemoStats struct {
	Hits, Misses uint64
}

// MemoStats returns the engine's memo counts since New; zero with no memo.
func (e *Engine) MemoStats() MemoStats {
	var st MemoStats
	if e.memo == nil {
		return st
	}
	for i := range e.memo.shards {
		sh := &e.memo.shards[i]
		sh.mu.Lock()
		st.Hits += sh.hits
		st.Misses += sh.misses
		sh.mu.Unlock()
	}
	return st
}

// memoSegment scans a JSON string value through the memo (for calls with
// memoOn: JSONIn, where e.memo is not nil): it replays a
// remembered value's findings, or scans the value and remembers them. It
// returns false, having done nothing, for a value the memo does not take.
func (s *scanner) memoSegment(b []byte, off int, omap []int32, ascii bool) bool {
	m := s.eng.memo
	if s.hint != hintNone || s.bizRule != 0 || len(b) < memoMin || len(b) > blockSize && omap == nil {
		return false
	}
	k := m.key(s.scope, b)
	if n, ok := m.lookup(k, &s.memoBuf); ok {
		s.begin(b, off, omap)
		if n > 0 {
			path := s.js.path()
			for _, c := range s.memoBuf[:n] {
				s.appendFinding(c.typ, c.rule, int(c.start), int(c.end), c.conf, path)
			}
		}
		return true
	}
	s.memoRec, s.memoN, s.memoBad = true, 0, false
	s.segment(b, off, omap, ascii)
	s.memoRec = false
	if !s.memoBad {
		m.store(k, s.memoBuf[:s.memoN])
	}
	return true
}

// memoNote records a finding of the value being scanned for the memo, in
// the value's offsets; a value with more than a slot holds is not kept.
func (s *scanner) memoNote(t Type, rule string, start, end int, conf float64) {
	if s.memoN == memoCands {
		s.memoBad = true
		return
	}
	s.memoBuf[s.memoN] = memoCand{typ: t, rule: rule, start: int32(start), end: int32(end), conf: conf}
	s.memoN++
}
