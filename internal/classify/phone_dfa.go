package classify

import (
	"errors"
	"regexp/syntax"
	"slices"
)

// Numbering-plan automata. validNSN used to run two anchored regexps per
// candidate (the region's general pattern and the union of its type
// patterns), and in profiles of PII-dense JSON that regexp matching was
// 8-10% of all classification time. A national number is only digits and
// the match is always whole-string, so the two patterns are compiled once,
// at load time, into a single deterministic automaton over '0'..'9' (the
// product of both, accepting where both accept). Matching is then one table
// lookup per digit with no allocation. A region whose patterns use anything
// the construction does not handle, or whose automaton would exceed
// maxDFAStates, keeps its regexps; inputs that are not all digits also go to
// the regexps, so answers are exactly the regexps' answers either way.

// maxDFAStates bounds the states of one region's automaton, during
// construction as well as after minimization, so state numbers fit a uint16.
const maxDFAStates = 1 << 16

// digitDFA is a complete deterministic automaton over the digits '0'..'9'.
// State 0 is dead (never accepts, loops to itself).
type digitDFA struct {
	next   []uint16 // next[s*10+d]: the state after digit d in state s
	accept []uint64 // bit s: state s accepts
	start  uint16
}

// match reports whether the automaton accepts s, a whole-string match. ok is
// false if s holds a byte that is not a digit: the automaton has no answer
// for it.
func (m *digitDFA) match(s []byte) (accept, ok bool) {
	st := uint(m.start)
	for _, b := range s {
		d := uint(b - '0')
		if d > 9 {
			return false, false
		}
		st = uint(m.next[st*10+d])
	}
	return m.accept[st>>6]>>(st&63)&1 != 0, true
}

// states is the number of states, the dead state included.
func (m *digitDFA) states() int { return len(m.next) / 10 }

// bytes is the memory held by the tables.
func (m *digitDFA) bytes() int { return 2*len(m.next) + 8*len(m.accept) }

var errDFATooLarge = errors.New("digit automaton exceeds the state limit")

// buildDigitDFA compiles patterns (Go regexp syntax, Perl flags, as
// regexp.Compile takes them) into one automaton accepting the digit strings
// that every pattern matches. Matching is anchored at both ends whether or
// not the patterns say ^ and $; the patterns here always do.
func buildDigitDFA(patterns []string, limit int) (*digitDFA, error) {
	b := &dfaBuilder{limit: limit, index: map[string]uint32{}}
	for _, p := range patterns {
		re, err := syntax.Parse(p, syntax.Perl)
		if err != nil {
			return nil, err
		}
		prog, err := syntax.Compile(re.Simplify())
		if err != nil {
			return nil, err
		}
		for _, in := range prog.Inst {
			// Only text anchors are understood; line anchors and word
			// boundaries would need more context than a digit.
			if in.Op == syntax.InstEmptyWidth && syntax.EmptyOp(in.Arg)&^(syntax.EmptyBeginText|syntax.EmptyEndText) != 0 {
				return nil, errors.New("unsupported empty-width assertion")
			}
		}
		b.progs = append(b.progs, prog)
		b.seen = append(b.seen, make([]uint32, len(prog.Inst)))
	}
	if err := b.subsets(); err != nil {
		return nil, err
	}
	return b.minimize(), nil
}

// dfaBuilder does the subset construction. A state's kernel is, per
// pattern, the sorted list of instructions that the epsilon closure stops
// at: rune instructions, InstMatch, and end-of-text assertions still
// waiting for the end. Kernels are encoded into one []uint32 with
// kernelSep between patterns.
type dfaBuilder struct {
	progs  []*syntax.Prog
	seen   [][]uint32 // per pattern: instruction visited in closure generation gen
	gen    uint32
	stack  []uint32
	limit  int
	kernel [][]uint32        // by state; state 0 (dead) has none
	index  map[string]uint32 // encoded kernel -> state
	next   []uint32          // next[s*10+d]
	accept []bool
	key    []byte
}

const kernelSep = ^uint32(0)

// closure adds to out the kernel instructions reachable from pc without
// consuming input, where the assertions in flags hold. Instructions already
// visited in the current generation are skipped, so closures from several
// instructions in one generation form a set.
func (b *dfaBuilder) closure(out []uint32, i int, pc uint32, flags syntax.EmptyOp) []uint32 {
	prog, seen := b.progs[i], b.seen[i]
	b.stack = append(b.stack[:0], pc)
	for len(b.stack) > 0 {
		pc := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		if seen[pc] == b.gen {
			continue
		}
		seen[pc] = b.gen
		in := &prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			b.stack = append(b.stack, in.Arg, in.Out)
		case syntax.InstCapture, syntax.InstNop:
			b.stack = append(b.stack, in.Out)
		case syntax.InstEmptyWidth:
			op := syntax.EmptyOp(in.Arg)
			switch {
			case op&^flags == 0:
				b.stack = append(b.stack, in.Out)
			case op&^(flags|syntax.EmptyEndText) == 0:
				out = append(out, pc) // holds only if the input ends here
			}
			// Otherwise it cannot hold here (begin of text after a digit).
		case syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			out = append(out, pc)
		}
	}
	return out
}

// newGen starts a closure generation: every instruction counts as unvisited.
func (b *dfaBuilder) newGen() {
	b.gen++
	if b.gen == 0 { // wrapped: reset the marks
		for _, s := range b.seen {
			clear(s)
		}
		b.gen = 1
	}
}

// parts calls f with each pattern's part of kernel k.
func parts(k []uint32, f func(i int, part []uint32)) {
	i, lo := 0, 0
	for j := 0; j <= len(k); j++ {
		if j == len(k) || k[j] == kernelSep {
			f(i, k[lo:j])
			i, lo = i+1, j+1
		}
	}
}

// state returns the state for kernel k (per pattern, unsorted), adding it
// if new. first marks the start state, which is kept apart because
// begin-of-text holds only there.
func (b *dfaBuilder) state(k []uint32, first bool) (uint32, error) {
	// A pattern with no thread left cannot match: the product is dead.
	dead := false
	parts(k, func(_ int, part []uint32) {
		dead = dead || len(part) == 0
		slices.Sort(part)
	})
	if dead {
		return 0, nil
	}
	b.key = b.key[:0]
	if first {
		b.key = append(b.key, 1)
	}
	for _, pc := range k {
		b.key = append(b.key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	if s, ok := b.index[string(b.key)]; ok {
		return s, nil
	}
	if len(b.kernel) >= b.limit {
		return 0, errDFATooLarge
	}
	s := uint32(len(b.kernel))
	b.index[string(b.key)] = s
	b.kernel = append(b.kernel, slices.Clone(k))
	flags := syntax.EmptyEndText
	if first {
		flags |= syntax.EmptyBeginText
	}
	b.accept = append(b.accept, b.accepts(k, flags))
	return s, nil
}

// accepts reports whether every pattern reaches InstMatch from its part of
// kernel k when the input ends there.
func (b *dfaBuilder) accepts(k []uint32, flags syntax.EmptyOp) bool {
	all := true
	var tmp []uint32
	parts(k, func(i int, part []uint32) {
		b.newGen()
		tmp = tmp[:0]
		for _, pc := range part {
			tmp = b.closure(tmp, i, pc, flags)
		}
		ok := false
		for _, pc := range tmp {
			ok = ok || b.progs[i].Inst[pc].Op == syntax.InstMatch
		}
		all = all && ok
	})
	return all
}

// subsets runs the subset construction from the start state.
func (b *dfaBuilder) subsets() error {
	b.kernel = append(b.kernel, nil) // dead
	b.accept = append(b.accept, false)
	var k []uint32
	for i, prog := range b.progs {
		if i > 0 {
			k = append(k, kernelSep)
		}
		b.newGen()
		k = b.closure(k, i, uint32(prog.Start), syntax.EmptyBeginText)
	}
	start, err := b.state(k, true)
	if err != nil {
		return err
	}
	b.next = make([]uint32, 10, 10*64) // the dead state's row
	if start == 0 {
		return nil
	}
	for s := 1; s < len(b.kernel); s++ {
		for d := range 10 {
			k = k[:0]
			parts(b.kernel[s], func(i int, part []uint32) {
				if i > 0 {
					k = append(k, kernelSep)
				}
				b.newGen()
				for _, pc := range part {
					in := &b.progs[i].Inst[pc]
					switch in.Op {
					case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
						if in.MatchRune(rune('0' + d)) {
							k = b.closure(k, i, in.Out, 0)
						}
					}
				}
			})
			t, err := b.state(k, false)
			if err != nil {
				return err
			}
			b.next = append(b.next, t)
		}
	}
	return nil
}

// minimize merges equivalent states (Moore's partition refinement) and
// numbers the result breadth-first from the start, the dead state first.
func (b *dfaBuilder) minimize() *digitDFA {
	n := len(b.kernel)
	class := make([]uint32, n)
	for s := range n {
		if b.accept[s] {
			class[s] = 1
		}
	}
	classes := 0
	sig := map[[11]uint32]uint32{}
	fresh := make([]uint32, n)
	for {
		clear(sig)
		for s := range n {
			var k [11]uint32
			k[0] = class[s]
			for d := range 10 {
				k[1+d] = class[b.next[s*10+d]]
			}
			c, ok := sig[k]
			if !ok {
				c = uint32(len(sig))
				sig[k] = c
			}
			fresh[s] = c
		}
		class, fresh = fresh, class
		if len(sig) == classes {
			break
		}
		classes = len(sig)
	}
	// Renumber: the dead state's class is 0, then breadth-first from the
	// start state (state 1 of the construction, when it exists).
	rep := make([]int, classes) // a state of each class
	for s := n - 1; s >= 0; s-- {
		rep[class[s]] = s
	}
	num := make([]int32, classes)
	for c := range num {
		num[c] = -1
	}
	num[class[0]] = 0
	order := []uint32{class[0]}
	if n > 1 && class[1] != class[0] {
		num[class[1]] = 1
		order = append(order, class[1])
	}
	for q := 1; q < len(order); q++ {
		s := rep[order[q]]
		for d := range 10 {
			if c := class[b.next[s*10+d]]; num[c] < 0 {
				num[c] = int32(len(order))
				order = append(order, c)
			}
		}
	}
	m := &digitDFA{next: make([]uint16, 10*len(order)), accept: make([]uint64, (len(order)+63)/64)}
	if n > 1 {
		m.start = uint16(num[class[1]])
	}
	for q, c := range order {
		s := rep[c]
		for d := range 10 {
			m.next[q*10+d] = uint16(num[class[b.next[s*10+d]]])
		}
		if b.accept[s] {
			m.accept[q>>6] |= 1 << (q & 63)
		}
	}
	return m
}
