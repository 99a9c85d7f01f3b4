package classify

import (
	"hash/maphash"
	"unsafe"
)

// pathCache hands out the path strings of a walker's findings, keeping the
// recent ones so that a path seen before costs no allocation. Requests of
// one shape (a page of Salesforce records, a chat's messages) have the same
// paths whatever their values: $.records[17].Email comes back with every
// page. Without it the paths were nearly all a dense scan allocated (22 KB
// for a 64 KiB page of customer records), and the collections that set off
// took about 5% of the scan.
//
// The strings live in the cache's own chunks, which are only appended to,
// so no string's bytes ever change. Memory is bounded: when a generation
// has written pathGenBytes, the table is cleared and the next path starts a
// new chunk; the old chunks stay alive only as long as findings use them.
// A walker keeps at most a generation and a chunk (128 KiB) besides its
// table (96 KiB).
type pathCache struct {
	slots *[pathSlots]pathSlot // allocated on first use
	chunk []byte               // the current chunk, appended to
	gen   int                  // bytes written in this generation
}

type pathSlot struct {
	hash uint64
	path string
}

const (
	// pathSlots, in sets of pathWays, hold the distinct paths of a 64 KiB
	// page of records (840) with few sets overfull; a larger body's
	// paths go round it.
	pathSlots = 4096
	pathWays  = 4
	// Chunks double from the first size to the last: a walker that has
	// seen a megabyte of records (370 KB of paths that do not fit the
	// table) allocates 64 KiB at a time, one that sees chat requests
	// hardly ever allocates at all.
	pathChunkFirst = 4 << 10
	pathChunkMax   = 64 << 10
	pathGenBytes   = 64 << 10
)

var pathSeed = maphash.MakeSeed()

// hashPath is the hash of a path rendered whole.
func hashPath(p []byte) uint64 { return maphash.Bytes(pathSeed, p) }

// set is the set of slots a hash belongs in.
func (c *pathCache) set(h uint64) *[pathWays]pathSlot {
	if c.slots == nil {
		c.slots = new([pathSlots]pathSlot)
	}
	k := int(h>>32) & (pathSlots/pathWays - 1) * pathWays
	return (*[pathWays]pathSlot)(c.slots[k : k+pathWays])
}

// member returns the path pfx + "." + key of hash h, if the cache has it,
// without rendering it: a record's field, nearly every finding.
func (c *pathCache) member(h uint64, pfx, key []byte) (string, bool) {
	set := c.set(h)
	n := len(pfx) + 1 + len(key)
	for w := range set {
		if p := set[w].path; set[w].hash == h && len(p) == n &&
			p[len(pfx)] == '.' && p[:len(pfx)] == string(pfx) && p[len(pfx)+1:] == string(key) {
			return p, true
		}
	}
	return "", false
}

// lookup returns the kept path p of hash h, if the cache has it.
func (c *pathCache) lookup(h uint64, p []byte) (string, bool) {
	set := c.set(h)
	for w := range set {
		if set[w].hash == h && set[w].path == string(p) {
			return set[w].path, true
		}
	}
	return "", false
}

// add copies p into the current chunk and keeps it, in a free way of its
// set or else in the last: where more paths than ways share a set, the
// first ways keep theirs, and only the last way's change scan after scan
// (evicting the oldest made every path of such a set miss every time).
func (c *pathCache) add(h uint64, p []byte) string {
	if cap(c.chunk)-len(c.chunk) < len(p) {
		if c.gen >= pathGenBytes {
			// A new generation: nothing in the table may keep the old
			// chunks alive.
			clear(c.slots[:])
			c.gen = 0
		}
		size := pathChunkFirst
		if cap(c.chunk) > 0 {
			size = min(2*cap(c.chunk), pathChunkMax)
		}
		c.chunk = make([]byte, 0, max(size, len(p)))
	}
	start := len(c.chunk)
	c.chunk = append(c.chunk, p...)
	c.gen += len(p)
	s := unsafe.String(&c.chunk[start], len(p))
	set := c.set(h)
	w := 0
	for w < pathWays-1 && set[w].path != "" {
		w++
	}
	set[w] = pathSlot{hash: h, path: s}
	return s
}
