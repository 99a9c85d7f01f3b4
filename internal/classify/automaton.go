package classify

// automaton is a multi-pattern matcher (Aho-Corasick) compiled into a dense
// DFA over byte classes, with ASCII case folded. It matches the tenant's
// business dictionaries and the context keywords. It is written here rather
// than taken from a library because the scanner needs what the Go libraries
// do not give together: byte offsets into a segment, whole-word checks by the
// caller, ASCII case folding and no allocation per call.
type automaton struct {
	classes  [256]uint8
	nclass   int
	delta    []int32 // delta[state*nclass+class]: next state; state 0 is the root
	out      []int32 // nearest term-ending state in the suffix chain (itself included); -1 none
	dictNext []int32 // for a term-ending state: the next one in its suffix chain; -1 none
	termLen  []int32
	termVal  []int32
	leaves   [256]bool // bytes that leave the root
}

// newAutomaton compiles lower-case terms; vals[i] is reported for terms[i].
// A term listed twice keeps its first value. Nil if there are no terms.
func newAutomaton(terms [][]byte, vals []int32) *automaton {
	if len(terms) == 0 {
		return nil
	}
	a := &automaton{}
	// Byte classes: one per distinct byte used by a term (ASCII folded),
	// one (0) for everything else.
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
	for c := 0; c < 256; c++ {
		a.classes[c] = cls[lowerASCII(byte(c))]
	}
	a.nclass = n

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
		if nodes[st].term == 0 {
			nodes[st].term = int32(ti) + 1
		}
	}
	// Breadth first: failure links, dense transitions, outputs.
	ns := len(nodes)
	a.delta = make([]int32, ns*n)
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
			a.termLen[st] = depth[st]
			a.termVal[st] = vals[t-1]
			a.out[st] = st
			if st != 0 {
				a.dictNext[st] = a.out[fail[st]]
			}
		} else if st != 0 {
			a.out[st] = a.out[fail[st]]
		}
		for k := 0; k < n; k++ {
			nx, ok := nodes[st].next[uint8(k)]
			switch {
			case ok:
				if st != 0 {
					fail[nx] = a.delta[int(fail[st])*n+k]
				}
				a.delta[int(st)*n+k] = nx
				queue = append(queue, nx)
			case st != 0:
				a.delta[int(st)*n+k] = a.delta[int(fail[st])*n+k]
			}
		}
	}
	for c := 0; c < 256; c++ {
		a.leaves[c] = a.delta[int(a.classes[c])] != 0
	}
	return a
}

// each calls fn(start, end, val) for every term occurrence in b, longest
// first among those ending at the same byte, until fn returns true for one
// of them. It allocates nothing.
func (a *automaton) each(b []byte, fn func(start, end int, val int32) bool) {
	st := int32(0)
	for i := 0; i < len(b); i++ {
		if st == 0 {
			for i < len(b) && !a.leaves[b[i]] {
				i++
			}
			if i == len(b) {
				return
			}
		}
		st = a.delta[int(st)*a.nclass+int(a.classes[b[i]])]
		for o := a.out[st]; o >= 0; o = a.dictNext[o] {
			if fn(i+1-int(a.termLen[o]), i+1, a.termVal[o]) {
				break
			}
		}
	}
}
