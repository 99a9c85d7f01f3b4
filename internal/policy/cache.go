package policy

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// cache remembers decisions by everything that can change them (see
// appendCacheKey). It is sharded to keep lock hold times short, and each
// shard keeps two generations: when the current one is full it becomes the
// old one and the previous old one is dropped, so the size stays bounded
// while entries in use survive (a hit in the old generation moves the entry
// forward). Cost: at most 2*perShard entries per shard.
type cache struct {
	seed     maphash.Seed
	perShard int
	shards   [cacheShards]cacheShard
	hits     atomic.Uint64
	misses   atomic.Uint64
}

const cacheShards = 16

type cacheShard struct {
	mu       sync.Mutex
	cur, old map[string]*cacheEntry
}

// cacheEntry is an immutable decision for one set of finding keys.
type cacheEntry struct {
	action     Action
	rules      []string
	keyActions []Action // one per distinct finding key, in key order
}

// newCache returns a cache holding at most about size entries.
func newCache(size int) *cache {
	per := max(1, size/(2*cacheShards))
	c := &cache{seed: maphash.MakeSeed(), perShard: per}
	for i := range c.shards {
		c.shards[i].cur = make(map[string]*cacheEntry, per)
	}
	return c
}

func (c *cache) shard(key []byte) *cacheShard {
	return &c.shards[maphash.Bytes(c.seed, key)%cacheShards]
}

func (c *cache) get(key []byte) *cacheEntry {
	s := c.shard(key)
	s.mu.Lock()
	e, ok := s.cur[string(key)]
	if !ok {
		if e, ok = s.old[string(key)]; ok {
			s.insert(string(key), e, c.perShard)
		}
	}
	s.mu.Unlock()
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return e
}

func (c *cache) put(key []byte, e *cacheEntry) {
	s := c.shard(key)
	s.mu.Lock()
	s.insert(string(key), e, c.perShard)
	s.mu.Unlock()
}

func (s *cacheShard) insert(key string, e *cacheEntry, per int) {
	if len(s.cur) >= per {
		s.old = s.cur
		s.cur = make(map[string]*cacheEntry, per)
	}
	s.cur[key] = e
}

func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.old)
		s.mu.Unlock()
	}
	return n
}

// CacheStats reports decision cache hits and misses since Compile, for
// metrics. Both are zero when the cache is disabled.
func (e *Engine) CacheStats() (hits, misses uint64) {
	if e.cache == nil {
		return 0, 0
	}
	return e.cache.hits.Load(), e.cache.misses.Load()
}

// appendCacheKey encodes every input a decision depends on: the request
// fields, the destination and the distinct finding keys (sorted). Findings'
// spans, paths and confidences do not decide and are left out.
func appendCacheKey(dst []byte, in *Input, keys []findingKey) []byte {
	d := &in.Destination
	for _, s := range [...]string{
		in.Tenant, in.Purpose, in.Face, in.SubjectJurisdiction,
		d.Name, d.Kind, d.Region, d.Jurisdiction, d.Vendor, d.Mechanism,
	} {
		dst = appendField(dst, s)
	}
	for _, k := range keys {
		dst = appendField(dst, string(k.typ))
		dst = appendField(dst, string(k.class))
		dst = appendField(dst, k.rule)
	}
	return dst
}
