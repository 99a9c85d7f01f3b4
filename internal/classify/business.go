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
// matched in one pass by one automaton (automaton.go), ASCII case folded,
// whole words only, any run of spaces or punctuation inside a term read as
// one ("Acme  Supplies", "Acme,\n Supplies" for "Acme Supplies": text
// pulled from PDFs, spreadsheets and wrapped mail has them). Patterns are Go regular expressions that run only on
// segments holding their literal prefix, if they have one.

type bizMatcher struct {
	rules    []string   // rule ids; a rule's index + 1 is its reference
	terms    *automaton // every dictionary term; its value is the rule index
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
			if !hasWordByte(t) {
				return nil, fmt.Errorf("%w: business rule %q: term %q has no letter or digit", ErrConfig, r.ID, t)
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
	m.terms = newStretchingAutomaton(terms, termRules)
	return m, nil
}

// hasWordByte reports whether t has a byte that is no boundary: a letter,
// a digit, '_' or any byte of a non-ASCII character.
func hasWordByte(t string) bool {
	for i := 0; i < len(t); i++ {
		if !isBoundary(t[i]) {
			return true
		}
	}
	return false
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
	if m.terms != nil {
		m.terms.each(b, func(start, end int, rule int32) bool {
			if !wordStartAt(b, start) || !wordEndAt(b, end) {
				return false
			}
			s.add(Business, m.rules[rule], start, end, 0.9)
			return true
		})
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

// maxTermLookback bounds how far back TermStart looks for a term begun.
const maxTermLookback = 64

// TermStart returns where a business term may have begun at the end of
// text without being whole yet: the first word start, among the last
// maxTermLookback bytes, from which the rest of text is a proper start of a
// dictionary term ("Acme " of "Acme Supplies", ASCII case folded, the
// punctuation a term starts with aside). It returns len(text) when there is
// none. A stream that sends text piece by piece holds back from there, so
// that a term of several words is classified whole.
func (e *Engine) TermStart(text []byte) int {
	if e.biz == nil || e.biz.terms == nil {
		return len(text)
	}
	a := e.biz.terms
	root := a.trie[boundaryClass]
	if root <= 0 {
		return len(text)
	}
	for p := max(0, len(text)-maxTermLookback); p < len(text); p++ {
		if p > 0 && !a.boundary[text[p-1]] || a.boundary[text[p]] {
			continue
		}
		st := root
		for k := p; k < len(text) && st != 0; k++ {
			st = a.trie[st+int32(a.classes[text[k]])]
			if st < 0 {
				st = -st
			}
		}
		if st != 0 {
			return p
		}
	}
	return len(text)
}
