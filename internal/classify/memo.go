package classify

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"
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
// findings a value has depends on more than its bytes where its key says
// something (keys.go: the hint, a business key, a credential key's words)
// and inside a GCP service-account object (a private key there is that
// account's), so only values under keys that say nothing, outside such an
// object, are remembered: their bytes are the whole of their input
// (TestMemoAcrossContexts). Values that needed normalizing are not
// remembered (their spans map through a table built per scan), nor values
// with more findings than a slot holds.
//
// What it keeps: the hashes, the length, and per finding the index of its
// type and rule in the engine's list of names, its offsets and confidence.
// No byte of a value, and no pointer, so the collector never scans it. (A
// memory dump that holds the seeds too would let one confirm a value one
// guesses, as it would the gateway's buffers themselves.)
//
// A hit is much faster than a miss, so a memo shared by callers would let
// one learn, by timing, whether another sent a value it guesses. The scope
// of a call (JSONIn; the gateway passes the calling client's id) is part of
// the key, and a keyed hash of it and the value picks the set the value
// goes to, so a caller can neither find another's values nor tell which
// of its own share a set with them.

// DefaultMemoValues is how many values an engine remembers when
// Config.MemoValues is zero: 248 bytes each, about 1 MB, taken at the
// first JSONIn.
const DefaultMemoValues = 4096

// MaxMemoValues bounds Config.MemoValues: a million values take 248 MiB.
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

// memoCand is a remembered finding, in the value's own offsets; typ and
// rule index memo.names.
type memoCand struct {
	typ, rule  uint16
	start, end int32
	conf       float64
}

// memoKey names a value: its hashes, its length and the call's scope; at
// places it in a set.
type memoKey struct {
	h1, h2, scope uint64
	n             int
	at            uint64
}

type memoSlot struct {
	key   memoKey
	epoch uint32 // the memo's epoch when written; any other: empty
	used  uint32 // the shard's clock at the last write or hit
	count int32
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
	// seed1 and seed2 hash values, seedScope names scopes, seedSet
	// places a value of a scope in a set.
	seed1, seed2, seedScope, seedSet maphash.Seed
	sets                             uint64 // per shard
	epoch                            atomic.Uint32
	alloc                            sync.Once // the slots, at the first JSONIn: most engines never call it
	shards                           [memoShards]memoShard
	// names are the types and rules a finding may have (the business
	// rules' ids among them, "" first), and index is an open-addressing
	// table of their positions by nameSlot: a map lookup cost five times
	// as much, for every finding stored.
	names []string
	index []uint16 // len a power of two; 0 empty
}

// nameSlot is where name n's position starts being looked for in index.
func nameSlot(n string, mask int) int {
	h := len(n) * 0x9e37
	if len(n) > 0 {
		h ^= int(n[0])*0x85eb ^ int(n[len(n)-1])*0xc2b3 ^ int(n[len(n)/2])*0x27d5
	}
	return (h ^ h>>7) & mask
}

// nameIndex returns the position of n in names.
func (m *memo) nameIndex(n string) (uint16, bool) {
	if n == "" {
		return 0, true
	}
	mask := len(m.index) - 1
	for i := nameSlot(n, mask); m.index[i] != 0; i = (i + 1) & mask {
		if m.names[m.index[i]] == n {
			return m.index[i], true
		}
	}
	return 0, false
}

// newMemo returns a memo of values slots, for an engine with the business
// rules bizRules.
func newMemo(values int, bizRules []string) *memo {
	m := &memo{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed(), seedScope: maphash.MakeSeed(), seedSet: maphash.MakeSeed()}
	m.sets = uint64(max(1, (values+2*memoShards-1)/(2*memoShards)))
	m.epoch.Store(1) // a zero slot is empty
	var names []string
	for t := range typeRank {
		names = append(names, string(t))
	}
	names = append(names, SecretRules...)
	names = append(names, bizRules...)
	m.names = []string{""}
	m.index = make([]uint16, 64)
	for len(m.index) < 4*len(names) {
		m.index = make([]uint16, 2*len(m.index))
	}
	for _, n := range names {
		if _, ok := m.nameIndex(n); ok || len(m.names) == 1<<16-1 {
			continue // a business rule named like a type or another rule; or too many
		}
		mask := len(m.index) - 1
		i := nameSlot(n, mask)
		for m.index[i] != 0 {
			i = (i + 1) & mask
		}
		m.index[i] = uint16(len(m.names))
		m.names = append(m.names, n)
	}
	return m
}

// ready allocates the slots, once.
func (m *memo) ready() {
	m.alloc.Do(func() {
		for i := range m.shards {
			m.shards[i].slots = make([]memoSlot, 2*m.sets)
		}
	})
}

// scopeOf is the scope of calls made for one caller; 0 is the scope of
// calls for none.
func (m *memo) scopeOf(name string) uint64 {
	if name == "" {
		return 0
	}
	return maphash.String(m.seedScope, name) | 1
}

func (m *memo) key(scope uint64, b []byte) memoKey {
	h1 := maphash.Bytes(m.seed1, b)
	var both [16]byte // maphash.Comparable allocates, built with -tags purego
	binary.LittleEndian.PutUint64(both[:8], h1)
	binary.LittleEndian.PutUint64(both[8:], scope)
	return memoKey{h1: h1, h2: maphash.Bytes(m.seed2, b), scope: scope, n: len(b), at: maphash.Bytes(m.seedSet, both[:])}
}

// set returns the shard and the two slots a key may be in. Where depends
// on the scope too, through a keyed hash of both (the memo's comment says
// why): with the scope mixed in any simpler way (h1 ^ scope), values that
// share a set in one scope would share one in every scope.
func (m *memo) set(k memoKey) (*memoShard, []memoSlot) {
	sh := &m.shards[k.at%memoShards]
	// The high bits of at, scaled to the number of sets: a multiply where
	// a remainder took a division. The low bits picked the shard.
	i, _ := bits.Mul64(k.at, m.sets)
	return sh, sh.slots[2*i : 2*i+2 : 2*i+2]
}

// lookup copies a remembered value's findings into out and returns their
// number and true, or false if the value is not remembered.
func (m *memo) lookup(k memoKey, out *[memoCands]memoCand) (int, bool) {
	sh, set := m.set(k)
	return m.lookupIn(sh, set, k, out)
}

// lookupIn is lookup in k's set, which m.set gave.
func (m *memo) lookupIn(sh *memoShard, set []memoSlot, k memoKey, out *[memoCands]memoCand) (int, bool) {
	epoch := m.epoch.Load()
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
	sh, set := m.set(k)
	m.storeIn(sh, set, k, cs)
}

// storeIn is store in k's set, which m.set gave.
func (m *memo) storeIn(sh *memoShard, set []memoSlot, k memoKey, cs []memoCand) {
	epoch := m.epoch.Load()
	sh.mu.Lock()
	sl := pickSlot(set, k, epoch)
	sh.clock++
	sl.key, sl.epoch, sl.used = k, epoch, sh.clock
	sl.count = int32(copy(sl.cands[:], cs))
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

// memoString scans the raw JSON string b[start:end], of memoMin bytes or
// more, through the memo (for calls with memoOn: JSONIn, where e.memo is
// not nil), as stringSegment would without it. It returns false, having
// done nothing, for a value under a key that says something of it.
func (s *scanner) memoString(b []byte, start, end int, flags uint8) bool {
	if s.hint != hintNone || s.bizRule != 0 || s.inServiceAccount() {
		return false
	}
	if flags&strEsc == 0 {
		return s.memoSegment(b[start:end], start, nil, flags&strHigh == 0)
	}
	str, m := s.js.decode(b[start:end], start)
	if !s.memoSegment(str, 0, m, false) {
		s.segment(str, 0, m, false) // decoded, it is shorter than memoMin
	}
	return true
}

// memoSegment scans a JSON string value through the memo: it replays a
// remembered value's findings, or scans the value and remembers them. It
// returns false, having done nothing, for a value the memo does not take.
func (s *scanner) memoSegment(b []byte, off int, omap []int32, ascii bool) bool {
	m := s.eng.memo
	if len(b) < memoMin || len(b) > blockSize && omap == nil {
		return false
	}
	k := m.key(s.scope, b)
	sh, set := m.set(k)
	if n, ok := m.lookupIn(sh, set, k, &s.memoBuf); ok {
		s.begin(b, off, omap)
		if n > 0 {
			path := s.js.path()
			for _, c := range s.memoBuf[:n] {
				s.appendFinding(Type(m.names[c.typ]), m.names[c.rule], int(c.start), int(c.end), c.conf, path)
			}
		}
		return true
	}
	mark := len(s.dst)
	s.mappedSegment(b, off, omap, ascii)
	found := s.dst[mark:]
	if len(found) > memoCands || len(s.seg) != len(b) || len(b) > 0 && &s.seg[0] != &b[0] {
		return true // too many to keep, or normalized: its spans map through s.norm's table
	}
	for i := range found {
		f := &found[i]
		typ, ok1 := m.nameIndex(string(f.Type))
		rule, ok2 := m.nameIndex(f.Rule)
		if !ok1 || !ok2 {
			return true // a name the memo has no index of: keep nothing
		}
		start, end := f.Start-off, f.End-off
		if omap != nil {
			start, end = segSpan(f.Start, f.End, omap)
		}
		s.memoBuf[i] = memoCand{typ: typ, rule: rule, start: int32(start), end: int32(end), conf: f.Confidence}
	}
	m.storeIn(sh, set, k, s.memoBuf[:len(found)])
	return true
}

// segSpan is origSpan's inverse: the span in the value's own offsets of a
// finding at [start, end) in the body, for a value mapped by omap (one at
// an offset maps by subtracting it). A span starts and ends on a rune of
// the value, and an escape decodes to one rune, so its ends are where omap
// reaches start and end first; replayed through another omap of the same
// bytes (other escapes), they map as a scan's own span would.
func segSpan(start, end int, omap []int32) (int, int) {
	ks, _ := slices.BinarySearch(omap, int32(start))
	ke, _ := slices.BinarySearch(omap, int32(end))
	return ks, ke
}
