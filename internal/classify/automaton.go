package classify

import "math/bits"

// automaton is a multi-pattern matcher (Aho-Corasick) compiled into a dense
// DFA over byte classes, with ASCII case folded, that matches terms only
// where they start a word. It matches the tenant's business dictionaries and
// the context keywords. It is written here rather than taken from a library
// because the scanner needs what the Go libraries do not give together: byte
// offsets into a segment, word-start matching, ASCII case folding and no
// allocation per call.
//
// Word starts are built into the automaton: every ASCII byte that is not a
// letter, digit or '_' maps to one "boundary" class, and every term is
// compiled with a boundary in front of it. Scanning starts as if a boundary
// came before the text, and the DFA stays in its root while inside a word,
// where a tight loop skips ahead to the next boundary byte.
//
// A stretching automaton (the business terms) also reads a run of boundary
// bytes inside a term as one: "Acme  Supplies" and "Acme,\n Supplies" match
// "Acme Supplies". The run is a self-loop in the DFA, so it costs the scan
// nothing; only a match of a term with a boundary inside is walked back to
// find its start. walk, which follows the trie (the context keywords), does
// not stretch.
type automaton struct {
	classes [256]uint8
	nclass  int
	// delta[offset+class] is the next state as a row offset (state*nclass),
	// negated when that state ends a term. The root is offset 0.
	delta    []int32
	start    int32   // the state after the boundary that precedes the text
	out      []int32 // by state: nearest term-ending state in its suffix chain (itself included); -1 none
	dictNext []int32 // for a term-ending state: the next one in its suffix chain; -1 none
	termLen  []int32 // by state: length of the term it ends, without the boundary
	termVal  []int32
	// shapes, by state: how the term it ends reads around its core
	// (stretching automata only; nil otherwise).
	shapes   []termShape
	boundary [256]bool // bytes that leave the root: the boundary bytes
	// boundaryStarts: some term starts with a boundary byte, so words
	// starting with one must be walked too.
	boundaryStarts bool
	// trie[offset+class] is the goto transition alone, without failure
	// links: the next state's row offset, negated when that state ends a
	// term, 0 for none (the root has no way in). walk uses it.
	trie []int32
	// first[c] is trie[the state after a boundary + class of c]: the
	// first step into a word, by byte, with no class lookup or bounds check.
	first [256]int32
}

const boundaryClass = 1

func isBoundary(c byte) bool { return c < 0x80 && !isAlnum(c) && c != '_' }

// boundaries is isBoundary as a classSet (built in chars.go's init, after
// the class table isBoundary reads).
var boundaries *classSet

// newAutomaton compiles lower-case terms; vals[i] is reported for terms[i].
// A term listed twice keeps its first value. Nil if there are no terms.
func newAutomaton(terms [][]byte, vals []int32) *automaton {
	return compileAutomaton(terms, vals, nil)
}

// newStretchingAutomaton is newAutomaton whose DFA (each) reads a run of
// boundary bytes inside a term as one boundary. The boundary bytes a term
// starts or ends with ("#confidential", "[internal]") are not compiled:
// they are checked on each occurrence of the rest, byte for byte (so that
// "[internal]" is not ", internal."). Terms of boundary bytes only are
// compiled whole (business config refuses them).
func newStretchingAutomaton(terms [][]byte, vals []int32) *automaton {
	cores := make([][]byte, len(terms))
	shapes := make([]termShape, len(terms))
	for i, t := range terms {
		lead, trail := 0, 0
		for lead < len(t) && isBoundary(t[lead]) {
			lead++
		}
		for trail < len(t)-lead && isBoundary(t[len(t)-1-trail]) {
			trail++
		}
		if lead == len(t) {
			cores[i] = t
			continue
		}
		core := collapseBoundaryRuns(t[lead : len(t)-trail])
		cores[i] = core
		shapes[i] = termShape{lead: t[:lead], trail: t[len(t)-trail:]}
		if innerBoundary(core) {
			shapes[i].core = core
		}
	}
	return compileAutomaton(cores, vals, shapes)
}

// termShape is how an occurrence of a stretching automaton's term reads
// around the part the DFA matches.
type termShape struct {
	core        []byte // the compiled part, when it has a boundary inside; nil otherwise
	lead, trail []byte // the boundary bytes before and after it, matched exactly
}

// collapseBoundaryRuns keeps the first byte of each run of boundary bytes
// in t ("acme  supplies" -> "acme supplies").
func collapseBoundaryRuns(t []byte) []byte {
	out := make([]byte, 0, len(t))
	for i, c := range t {
		if i > 0 && isBoundary(c) && isBoundary(t[i-1]) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// trieNode is a state of the trie newAutomaton builds first.
type trieNode struct {
	next map[uint8]int32 // by class
	term int32           // index into terms + 1; 0 if no term ends here
}

// compileAutomaton builds the automaton; shapes, by term, makes it a
// stretching one.
func compileAutomaton(terms [][]byte, vals []int32, shapes []termShape) *automaton {
	if len(terms) == 0 {
		return nil
	}
	a := &automaton{}
	// Byte classes: 0 for bytes no term uses, 1 for boundaries, then one per
	// distinct byte a term uses (ASCII folded).
	var used [256]bool
	for _, t := range terms {
		for _, c := range t {
			used[c] = true
		}
	}
	var cls [256]uint8
	n := 2
	for c := 0; c < 256; c++ {
		switch {
		case isBoundary(byte(c)):
			cls[c] = boundaryClass
		case used[c] && !isUpper(byte(c)):
			cls[c] = uint8(n)
			n++
		}
	}
	for c := 0; c < 256; c++ {
		a.classes[c] = cls[lowerASCII(byte(c))]
		a.boundary[c] = isBoundary(byte(c))
	}
	a.nclass = n

	nodes := []trieNode{{next: map[uint8]int32{}}}
	depth := []int32{0}
	// loops: the states reached by a boundary inside a term, after a word
	// byte ("acme " in "acme supplies"), where a stretching automaton
	// reads further boundary bytes as the same one.
	loops := []bool{false}
	for ti, t := range terms {
		st := int32(0)
		for k := -1; k < len(t); k++ {
			c := uint8(boundaryClass)
			if k >= 0 {
				c = cls[t[k]]
			}
			nx, ok := nodes[st].next[c]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, trieNode{next: map[uint8]int32{}})
				depth = append(depth, depth[st]+1)
				loops = append(loops, c == boundaryClass && k > 0 && cls[t[k-1]] != boundaryClass)
				nodes[st].next[c] = nx
			}
			st = nx
		}
		if nodes[st].term == 0 {
			nodes[st].term = int32(ti) + 1
		}
	}
	// Breadth first: failure links, dense transitions, outputs.
	ns := len(nodes)
	next := make([]int32, ns*n)
	fail := make([]int32, ns)
	a.out = make([]int32, ns)
	a.dictNext = make([]int32, ns)
	a.termLen = make([]int32, ns)
	a.termVal = make([]int32, ns)
	for i := range a.out {
		a.out[i], a.dictNext[i] = -1, -1
	}
	queue := []int32{0}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		if t := nodes[st].term; t > 0 {
			a.termLen[st] = depth[st] - 1
			a.termVal[st] = vals[t-1]
			a.out[st] = st
			a.dictNext[st] = a.out[fail[st]]
		} else if st != 0 {
			a.out[st] = a.out[fail[st]]
		}
		for k := 0; k < n; k++ {
			nx, ok := nodes[st].next[uint8(k)]
			switch {
			case ok:
				if st != 0 {
					fail[nx] = next[int(fail[st])*n+k]
				}
				next[int(st)*n+k] = nx
				queue = append(queue, nx)
			case st != 0:
				next[int(st)*n+k] = next[int(fail[st])*n+k]
			}
		}
	}
	if shapes != nil {
		a.stretch(nodes, loops, next, shapes)
	}
	a.trie = make([]int32, len(next))
	for st := range nodes {
		for c, nx := range nodes[st].next {
			a.trie[st*n+int(c)] = nx * int32(n)
			if nodes[nx].term > 0 {
				a.trie[st*n+int(c)] = -nx * int32(n)
			}
		}
	}
	for _, t := range terms {
		if len(t) > 0 && isBoundary(t[0]) {
			a.boundaryStarts = true
		}
	}
	a.delta = make([]int32, len(next))
	for k, nx := range next {
		a.delta[k] = nx * int32(n)
		if a.out[nx] >= 0 {
			a.delta[k] = -a.delta[k]
		}
	}
	a.start = next[boundaryClass] * int32(n)
	if root := a.trie[boundaryClass]; root > 0 {
		for c := range 256 {
			a.first[c] = a.trie[root+int32(a.classes[c])]
		}
	}
	return a
}

// stretch makes the states loops marks read a boundary byte as staying
// put, in next (dense transitions by state index), and gives each
// term-ending state its term's shape. A state loops only where the plain
// DFA would go back to the state after a lone boundary (no term starts
// with two boundaries, none ends there), so nothing the plain DFA matches
// is lost; newStretchingAutomaton's cores make that so but for terms of
// boundary bytes only.
func (a *automaton) stretch(nodes []trieNode, loops []bool, next []int32, shapes []termShape) {
	n := a.nclass
	afterBoundary := nodes[0].next[boundaryClass]
	for st, loop := range loops {
		if loop && a.out[st] < 0 && next[st*n+boundaryClass] == afterBoundary {
			next[st*n+boundaryClass] = int32(st)
		}
	}
	a.shapes = make([]termShape, len(nodes))
	for st, nd := range nodes {
		if nd.term > 0 {
			a.shapes[st] = shapes[nd.term-1]
		}
	}
}

// innerBoundary reports whether t has a boundary byte after a word byte.
func innerBoundary(t []byte) bool {
	for i := 1; i < len(t); i++ {
		if isBoundary(t[i]) && !isBoundary(t[i-1]) {
			return true
		}
	}
	return false
}

// shapedSpan returns the span of the occurrence of the term state st ends
// whose compiled part ends at end in b, or false if the boundary bytes the
// term starts or ends with are not there, the same bytes. A compiled part with boundaries
// inside is walked back, each run of boundary bytes read as one.
func (a *automaton) shapedSpan(b []byte, st int32, end int) (int, int, bool) {
	sh := &a.shapes[st]
	start := end - int(a.termLen[st])
	if t := sh.core; t != nil {
		start = end
		for k := len(t) - 1; k >= 0; k-- {
			start--
			if k > 0 && a.boundary[t[k]] && !a.boundary[t[k-1]] {
				for start > 0 && a.boundary[b[start-1]] {
					start--
				}
			}
		}
	}
	if n := len(sh.lead); n > 0 {
		start -= n
		if start < 0 || string(b[start:start+n]) != string(sh.lead) || start > 0 && !a.boundary[b[start-1]] {
			return 0, 0, false
		}
	}
	if n := len(sh.trail); n > 0 {
		if end+n > len(b) || string(b[end:end+n]) != string(sh.trail) {
			return 0, 0, false
		}
		end += n
	}
	return start, end, true
}

// each calls fn(start, end, val) for every term occurrence in b that starts
// a word (at the beginning of b or after a boundary byte), longest first
// among those ending at the same byte, until fn returns true for one of
// them. It allocates nothing.
func (a *automaton) each(b []byte, fn func(start, end int, val int32) bool) {
	a.run(b, 0, len(b), a.start, fn)
}

// run scans b[i:j] from state st (a.start at the beginning of a text, as if a
// boundary came before it), reports occurrences by their offsets in b, and
// returns the state to continue from at j.
func (a *automaton) run(b []byte, i, j int, st int32, fn func(start, end int, val int32) bool) int32 {
	delta, classes, boundary, nclass := a.delta, &a.classes, &a.boundary, int32(a.nclass)
	b = b[:j] // lets the compiler drop the bounds checks on b[i]
	for ; i < len(b); i++ {
		if st == 0 {
			// Inside a word: nothing can start before the next boundary.
			for i < len(b) && !boundary[b[i]] {
				i++
			}
			if i == len(b) {
				return 0
			}
		}
		st = delta[st+int32(classes[b[i]])]
		if st >= 0 {
			continue
		}
		st = -st
		for o := a.out[st/nclass]; o >= 0; o = a.dictNext[o] {
			start, end, ok := i+1-int(a.termLen[o]), i+1, true
			if a.shapes != nil {
				start, end, ok = a.shapedSpan(b, o, end)
			}
			if ok && fn(start, end, a.termVal[o]) {
				break
			}
		}
	}
	return st
}

// walk reports, for every word start p in b[from:to] (the start of b, or
// after a boundary byte), each term that starts at p: fn(p, end, val), in
// order of p, then of end; end may lie beyond to. It follows the trie from
// each word start instead of running the DFA over every byte: most words
// leave the trie within two or three bytes, and those transitions sit in
// the few rows near the root, which stay in cache, while the DFA touches a
// row per byte all over a table far larger than L1. The context keywords
// use it; their matches are few and only wanted near candidates.
func (a *automaton) walk(b []byte, from, to int, fn func(start, end int, val int32) bool) {
	boundary := &a.boundary
	root := a.trie[boundaryClass] // the state after the boundary before a word
	if root <= 0 {
		return // no term starts with a boundary: none can start a word
	}
	p := from
	if to-p >= 64 {
		p = a.walkChunks(b, p, to, fn)
	}
	if p > 0 && !boundary[b[p-1]] {
		p = a.nextWordStart(b, p)
	}
	for p < to {
		a.walkFrom(b, p, root, p, fn)
		if boundary[b[p]] {
			p++ // the next byte follows a boundary too
			continue
		}
		p = a.nextWordStart(b, p)
	}
}

// walkFrom follows the trie from state st over b[k:], reporting the terms
// that started at p.
func (a *automaton) walkFrom(b []byte, k int, st int32, p int, fn func(start, end int, val int32) bool) {
	trie, classes := a.trie, &a.classes
	for ; k < len(b); k++ {
		st = trie[st+int32(classes[b[k]])]
		if st == 0 {
			return
		}
		if st < 0 {
			st = -st
			fn(p, k+1, a.termVal[st/int32(a.nclass)])
		}
	}
}

// walkChunks walks the word starts of b[p:to] in whole 32-byte chunks,
// taking them from boundary bitmasks the vector code computes, so the bytes
// inside words are never looked at one by one. It returns where it stopped.
func (a *automaton) walkChunks(b []byte, p, to int, fn func(start, end int, val int32) bool) int {
	var masks [8]uint32
	// carry: whether the byte before the next chunk is a boundary (the
	// text's start counts as one).
	carry := uint32(1)
	if p > 0 && !a.boundary[b[p-1]] {
		carry = 0
	}
	for to-p >= 32 {
		n := min((to-p)/32, len(masks))
		boundaries.masks(b[p:p+32*n], masks[:n])
		for k, m := range masks[:n] {
			starts := m<<1 | carry // a byte after a boundary starts a word
			if !a.boundaryStarts {
				starts &^= m // no term starts with a boundary byte
			}
			carry = m >> 31
			base := p + 32*k
			for starts != 0 {
				q := base + bits.TrailingZeros32(starts)
				starts &= starts - 1
				// Most words start with a letter no term starts with.
				st := a.first[b[q]]
				if st == 0 {
					continue
				}
				if st < 0 {
					fn(q, q+1, a.termVal[-st/int32(a.nclass)])
					st = -st
				}
				a.walkFrom(b, q+1, st, q, fn)
			}
		}
		p += 32 * n
	}
	return p
}

// nextWordStart returns the first offset after p that follows a boundary
// byte, or len(b).
func (a *automaton) nextWordStart(b []byte, p int) int {
	for p < len(b) && !a.boundary[b[p]] {
		p++
	}
	return p + 1
}
