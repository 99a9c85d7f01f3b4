package classify

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// DefaultThreshold is the confidence at or above which a candidate counts as a
// finding when Config.Threshold is zero.
const DefaultThreshold = 0.5

// Config configures an Engine. The zero value is valid: built-in detectors,
// no business rules, threshold DefaultThreshold.
type Config struct {
	// Threshold is the minimum confidence in [0,1] for a finding to be
	// reported; zero means DefaultThreshold.
	Threshold float64
	// Business lists the tenant's business-IP rules.
	Business []BusinessRule
	// Serial walks every body on the calling goroutine. By default, a JSON
	// body of 128 KiB or more whose walk starts while fewer such walks run
	// than there are cores has its first large array of objects walked in
	// parts, one a free core, on goroutines of their own, with the same
	// findings (split.go).
	Serial bool
	// MemoValues is how many long JSON string values the engine remembers
	// the findings of, so that a value sent again (the earlier turns of a
	// conversation, which every chat request resends) is not scanned again
	// (memo.go). Zero means DefaultMemoValues; a negative number, none.
	MemoValues int
}

// BusinessRule is one tenant-defined business-IP rule. Its ID is reported as
// the finding's Rule.
type BusinessRule struct {
	ID string
	// Terms is a dictionary matched case-insensitively on whole words
	// ("Acme Supplies", "internal only").
	Terms []string
	// Patterns are Go regular expressions, compiled at New.
	Patterns []string
	// Keys are JSON key names whose values are business data ("cost_price").
	Keys []string
}

// Engine classifies bodies. It is immutable after New and safe for concurrent
// use; all patterns and automata are compiled once, at New.
type Engine struct {
	threshold float64
	biz       *bizMatcher
	memo      *memo     // nil: none
	pool      sync.Pool // *scanner scratch, so a clean scan allocates nothing
	serial    bool
	// large counts the walks of bodies of splitMin bytes or more under
	// way: while there are as many as cores, none splits.
	large atomic.Int32
	// spareHelpers holds splits' helper scanners between splits (getHelper).
	spareHelpers chan *scanner
	// started and joined count the helpers started and those whose work
	// was taken (Splits), live those running: for the tests.
	started, joined atomic.Int64
	live            atomic.Int32

	// noKeyShortcut runs the detectors on every value (keyExplains): the
	// tests compare the shortcut with it.
	noKeyShortcut bool
	// noKeyPrediction reads every key in full (member): the tests compare
	// the prediction with it.
	noKeyPrediction bool
}

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("classify: invalid config")

// ErrMalformedJSON reports a body that is not valid JSON. Its message never
// contains body data.
var ErrMalformedJSON = errors.New("classify: malformed JSON")

// New compiles cfg into an Engine.
func New(cfg Config) (*Engine, error) {
	th := cfg.Threshold
	if th == 0 {
		th = DefaultThreshold
	}
	if th < 0 || th > 1 {
		return nil, fmt.Errorf("%w: threshold must be in [0,1]", ErrConfig)
	}
	if cfg.MemoValues > MaxMemoValues {
		return nil, fmt.Errorf("%w: MemoValues must be at most %d", ErrConfig, MaxMemoValues)
	}
	loadPhones()
	loadNames()
	loadKeywords()
	biz, err := newBizMatcher(cfg.Business)
	if err != nil {
		return nil, err
	}
	e := &Engine{threshold: th, biz: biz, serial: cfg.Serial, spareHelpers: make(chan *scanner, maxSplitParts-1)}
	if cfg.MemoValues >= 0 {
		var ids []string
		if biz != nil {
			ids = biz.rules
		}
		e.memo = newMemo(cmp.Or(cfg.MemoValues, DefaultMemoValues), ids)
	}
	e.pool.New = func() any { return newScanner() }
	return e, nil
}

// Scan classifies body, JSON-aware if body (after leading whitespace) is a JSON
// object or array that parses, as text otherwise. Findings are appended to dst
// (which may be nil) sorted by Start, without overlaps.
func (e *Engine) Scan(body []byte, dst []Finding) []Finding {
	if LooksJSON(body) {
		out, err := e.JSON(body, dst)
		if err == nil {
			return out
		}
	}
	return e.Text(body, dst)
}

// Text classifies body as plain text.
func (e *Engine) Text(body []byte, dst []Finding) []Finding {
	s := e.get()
	defer e.put(s)
	s.dst, s.dstBase, s.bodyLen = dst, len(dst), len(body)
	s.scanText(body)
	return s.dst
}

// JSON classifies a JSON body, walking it without building a tree. Findings
// carry the key path of the value they were found in. It returns dst unchanged
// and an error wrapping ErrMalformedJSON if body is not valid JSON.
func (e *Engine) JSON(body []byte, dst []Finding) ([]Finding, error) {
	s := e.get()
	defer e.put(s)
	return s.json(body, dst)
}

// JSONIn is JSON for a caller that resends values, as chat clients resend
// a conversation, named scope: long string values remembered from its
// earlier calls are not scanned again (Config.MemoValues; memo.go), and no
// other scope's are used, so that no caller can learn from the time a call
// takes what another sent. JSON uses no memo: most bodies (records, a
// conversation's first turn) hold nothing seen before, and a lookup costs
// a hash of the value.
func (e *Engine) JSONIn(scope string, body []byte, dst []Finding) ([]Finding, error) {
	s := e.get()
	defer e.put(s)
	if e.memo != nil {
		e.memo.ready()
		s.memoOn, s.scope = true, e.memo.scopeOf(scope)
	}
	return s.json(body, dst)
}

func (s *scanner) json(body []byte, dst []Finding) ([]Finding, error) {
	e := s.eng
	n := len(dst)
	s.dst, s.dstBase, s.bodyLen = dst, n, len(body)
	if len(body) >= splitMin && !e.serial {
		e.large.Add(1)
		defer e.large.Add(-1)
		s.large = true
	}
	if err := s.scanJSON(body); err != nil {
		clear(s.dst[n:])
		return dst[:n], err
	}
	return s.dst, nil
}

func (e *Engine) get() *scanner {
	s := e.pool.Get().(*scanner)
	s.eng = e
	return s
}

func (e *Engine) put(s *scanner) {
	s.reset()
	e.pool.Put(s)
}

// FromConfig builds the engine a gateway config's classify section asks
// for: its threshold and the tenant's business rules. Every face uses it, so
// they all classify alike.
func FromConfig(c config.Classify) (*Engine, error) {
	cc := Config{Threshold: c.Threshold, Serial: c.Serial, MemoValues: c.MemoValues}
	for _, b := range c.Business {
		cc.Business = append(cc.Business, BusinessRule{ID: b.ID, Terms: b.Terms, Patterns: b.Patterns, Keys: b.Keys})
	}
	return New(cc)
}

// LooksJSON reports whether body starts, after a byte order mark and
// whitespace, with '{' or '[': a body Scan walks as JSON if it parses.
func LooksJSON(body []byte) bool {
	if hasPrefixAt(body, 0, bom) {
		body = body[len(bom):]
	}
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		default:
			return false
		}
	}
	return false
}

// compilePatterns compiles business patterns; errors name the rule, not the data.
func compilePatterns(id string, pats []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(pats))
	for i, p := range pats {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("%w: business rule %q pattern %d: %w", ErrConfig, id, i, err)
		}
		out = append(out, re)
	}
	return out, nil
}
