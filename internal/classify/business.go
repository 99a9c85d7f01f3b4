package classify

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Business IP: tenant dictionaries (supplier names, "internal only"
// markers), patterns (pricing-rule ids) and JSON key names (cost_price,
// margin__c), loaded from config. All dictionary terms of all rules are
// matched in one pass by an Aho-Corasick automaton, compiled at New into a
// dense DFA over byte classes with ASCII case folded. It is written here
// rather than taken from a library because the scanner needs what the Go
// libraries do not give together: byte offsets into the segment, whole-word
// checks, case folding and no allocation per call.

type bizMatcher struct {
	rules []string // rule ids; a rule's index + 1 is its reference

	// The automaton. State 0 is the root.
	classes  [256]uint8
	nclass   int
	delta    []int32 // delta[state*nclass+class]: next state
	out      []int32 // nearest state in the suffix chain (itself included) that ends a term; -1 none
	dictNext []int32 // for a term-ending state: the next one in its suffix chain; -1 none
	termLen  []int32
	termRule []int32
	leaves   [256]bool // bytes that leave the root

	patterns []bizPattern
	keys     map[string]int // normalized key name -> rule index + 1
}

type bizPattern struct {
	rule int // index + 1
	re   *regexp.Regexp
	lit  []byte // literal prefix: the pattern runs only where it occurs
}

// newBizMatcher compiles the rules; nil when there are none.
func newBizMatcher(rules []BusinessRule) (*bizMatcher, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	m := &bizMatcher{keys: map[string]int{}}
	var terms [][]byte
	var termRules []int32
	seen := map[string]bool{}
	for i, r := range rules {
		if r.ID == "" {
			return nil, fmt.Errorf("%w: business rule %d has no id", ErrConfig, i)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("%w: business rule %q is defined twice", ErrConfig, r.ID)
		}
		seen[r.ID] = true
		if len(r.Terms)+len(r.Patterns)+len(r.Keys) == 0 {
			return nil, fmt.Errorf("%w: business rule %q has no terms, patterns or keys", ErrConfig, r.ID)
		}
		m.rules = append(m.rules, r.ID)
		for _, t := range r.Terms {
			t = strings.TrimSpace(t)
			if t == "" {
				return nil, fmt.Errorf("%w: business rule %q has an empty term", ErrConfig, r.ID)
			}
			terms = append(terms, []byte(strings.ToLower(t)))
			termRules = append(termRules, int32(i))
		}
		res, err := compilePatterns(r.ID, r.Patterns)
		if err != nil {
			return nil, err
		}
		for _, re := range res {
			lit, _ := re.LiteralPrefix()
			m.patterns = append(m.patterns, bizPattern{rule: i + 1, re: re, lit: []byte(lit)})
		}
		for _, k := range r.Keys {
			var buf [256]byte
			nk := normKey(buf[:0], []byte(k))
			if len(nk) == 0 {
				return nil, fmt.Errorf("%w: business rule %q has an empty key", ErrConfig, r.ID)
			}
			m.keys[string(nk)] = i + 1
		}
	}
	m.build(terms, termRules)
	return m, nil
}

// build compiles the terms into the DFA.
func (m *bizMatcher) build(terms [][]byte, rules []int32) {
	if len(terms) == 0 {
		return
	}
	// Byte classes: one per distinct byte used by a term (ASCII folded),
	// one for everything else.
	var used [256]bool
	for _, t := range terms {
		for _, c := range t {
			used[c] = true
		}
	}
	var cls [256]uint8
	n := 1
	for c := 0; c < 256; c++ {
		if used[c] {
			cls[c] = uint8(n)
			n++
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.classes[c] = cls[c+32]
	}
	for c := 0; c < 256; c++ {
		if c < 'A' || c > 'Z' {
			m.classes[c] = cls[c]
		}
	}
	m.nclass = n

	// The trie, as a sparse goto table.
	type node struct {
		next map[uint8]int32
		term int32 // index into terms + 1
	}
	nodes := []node{{next: map[uint8]int32{}}}
	depth := []int32{0}
	for ti, t := range terms {
		st := int32(0)
		for _, c := range t {
			k := cls[c]
			nx, ok := nodes[st].next[k]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint8]int32{}})
				depth = append(depth, depth[st]+1)
				nodes[st].next[k] = nx
			}
			st = nx
		}
		if nodes[st].term == 0 { // first rule to list a term keeps it
			nodes[st].term = int32(ti) + 1
		}
	}
	// Breadth-first: failure links, dense transitions, outputs.
	ns := len(nodes)
	m.delta = make([]int32, ns*n)
	fail := make([]int32, ns)
	m.out = make([]int32, ns)
	m.dictNext = make([]int32, ns)
	m.termLen = make([]int32, ns)
	m.termRule = make([]int32, ns)
	for i := range m.out {
		m.out[i], m.dictNext[i] = -1, -1
	}
	queue := []int32{0}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		if t := nodes[st].term; t > 0 {
			m.termLen[st] = depth[st]
			m.termRule[st] = rules[t-1]
			m.out[st] = st
			if st != 0 {
				m.dictNext[st] = m.out[fail[st]]
			}
		} else if st != 0 {
			m.out[st] = m.out[fail[st]]
		}
		for k := 0; k < n; k++ {
			nx, ok := nodes[st].next[uint8(k)]
			switch {
			case ok:
				if st != 0 {
					fail[nx] = m.delta[int(fail[st])*n+k]
				}
				m.delta[int(st)*n+k] = nx
				queue = append(queue, nx)
			case st != 0:
				m.delta[int(st)*n+k] = m.delta[int(fail[st])*n+k]
			}
		}
	}
	for c := 0; c < 256; c++ {
		m.leaves[c] = m.delta[int(m.classes[c])] != 0
	}
}

// keyRule returns the business rule (index + 1) a JSON key names, or 0.
func (m *bizMatcher) keyRule(buf *[256]byte, key []byte) int {
	if len(m.keys) == 0 || len(key) > len(buf) {
		return 0
	}
	k := normKey(buf[:0], key)
	if n := len(k); n > 1 && k[n-1] == 'c' && len(key) > 3 && string(key[len(key)-3:]) == "__c" {
		if r, ok := m.keys[string(k[:n-1])]; ok {
			return r
		}
	}
	return m.keys[string(k)]
}

// scan adds business candidates for the dictionary terms and patterns in b.
func (m *bizMatcher) scan(s *scanner, b []byte) {
	if m.delta != nil {
		st := int32(0)
		for i := 0; i < len(b); i++ {
			if st == 0 {
				for i < len(b) && !m.leaves[b[i]] {
					i++
				}
				if i == len(b) {
					break
				}
			}
			st = m.delta[int(st)*m.nclass+int(m.classes[b[i]])]
			for o := m.out[st]; o >= 0; o = m.dictNext[o] {
				start := i + 1 - int(m.termLen[o])
				if wordStartAt(b, start) && wordEndAt(b, i+1) {
					s.add(Business, m.rules[m.termRule[o]], start, i+1, 0.9)
					break
				}
			}
		}
	}
	for _, p := range m.patterns {
		if len(p.lit) > 0 && !bytes.Contains(b, p.lit) {
			continue
		}
		for off := 0; off < len(b); {
			loc := p.re.FindIndex(b[off:])
			if loc == nil {
				break
			}
			start, end := off+loc[0], off+loc[1]
			if end > start {
				s.add(Business, m.rules[p.rule-1], start, end, 0.9)
				off = end
			} else {
				off = end + 1
			}
		}
	}
}
