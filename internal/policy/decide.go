package policy

import (
	"errors"
	"fmt"
	"slices"

	"cel.dev/cel-go/common/types"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
)

// ErrInput reports an Input that cannot be decided on (a missing subject
// jurisdiction, an unknown mechanism). ErrEval reports a rule that failed at
// run time. Either way the caller blocks the request.
var (
	ErrInput = errors.New("policy: invalid input")
	ErrEval  = errors.New("policy: rule evaluation failed")
)

var mechanisms = []string{
	config.MechanismDomestic, config.MechanismAdequacy, config.MechanismSCC,
	config.MechanismDPF, config.MechanismBCR, config.MechanismNone,
}

// Decide evaluates the rules for in: once per distinct (type, class, rule)
// of its findings, or once with an empty finding when there are none. Each
// finding gets the strictest action of the rules that match its key; the
// request gets the strictest over its findings. On error the Decision blocks
// everything, and the caller must fail closed.
func (e *Engine) Decide(in *Input) (Decision, error) {
	if err := validateInput(in); err != nil {
		return blockAll(in), err
	}
	var keyBuf [16]findingKey
	keys := distinctKeys(in.Findings, keyBuf[:0])

	var ent *cacheEntry
	var ck []byte
	if e.cache != nil {
		var ckBuf [256]byte
		ck = appendCacheKey(ckBuf[:0], in, keys)
		ent = e.cache.get(ck)
	}
	if ent == nil {
		var err error
		if ent, err = e.evaluate(in, keys); err != nil {
			return blockAll(in), err
		}
		if e.cache != nil {
			e.cache.put(ck, ent)
		}
	}

	d := Decision{Action: ent.action, Rules: slices.Clone(ent.rules)}
	if len(in.Findings) > 0 {
		d.PerFinding = make([]Action, len(in.Findings))
		for i, f := range in.Findings {
			k, _ := slices.BinarySearchFunc(keys, keyOf(f), cmpKey)
			d.PerFinding[i] = ent.keyActions[k]
		}
	}
	return d, nil
}

// evaluate runs every rule in every context and records the outcome.
func (e *Engine) evaluate(in *Input, keys []findingKey) (*cacheEntry, error) {
	act := &activation{in: in}
	act.types, act.classes, act.rules = requestSets(keys)
	contexts := keys
	if len(contexts) == 0 {
		contexts = []findingKey{{}} // request-level only
	}
	ctxActions := make([]Action, len(contexts))
	matched := make([]bool, len(e.rules)) // rule i matched in some context
	for c, k := range contexts {
		act.key = k
		for i := range e.rules {
			r := &e.rules[i]
			if r.action < ctxActions[c] || (r.action == ctxActions[c] && matched[i]) {
				continue // its outcome cannot change the decision or its rule list
			}
			v, _, err := r.prg.Eval(act)
			if err != nil {
				return nil, fmt.Errorf("%w: rule %s: %w", ErrEval, r.id, err)
			}
			b, ok := v.(types.Bool)
			if !ok {
				return nil, fmt.Errorf("%w: rule %s: result is %s, not bool", ErrEval, r.id, v.Type().TypeName())
			}
			if b {
				matched[i] = true
				ctxActions[c] = max(ctxActions[c], r.action)
			}
		}
	}
	ent := &cacheEntry{}
	for _, a := range ctxActions {
		ent.action = max(ent.action, a)
	}
	for i, r := range e.rules {
		if matched[i] && r.action == ent.action {
			ent.rules = append(ent.rules, r.id)
		}
	}
	if len(keys) > 0 {
		ent.keyActions = ctxActions
	}
	return ent, nil
}

func validateInput(in *Input) error {
	switch {
	case in == nil:
		return fmt.Errorf("%w: no input", ErrInput)
	case in.SubjectJurisdiction == "":
		return fmt.Errorf("%w: subject jurisdiction is unknown", ErrInput)
	case in.Destination.Jurisdiction == "":
		return fmt.Errorf("%w: destination %q has no jurisdiction", ErrInput, in.Destination.Name)
	case !slices.Contains(mechanisms, in.Destination.Mechanism):
		return fmt.Errorf("%w: destination %q: unknown transfer mechanism %q", ErrInput, in.Destination.Name, in.Destination.Mechanism)
	case (in.Destination.Mechanism == config.MechanismDomestic) != (in.Destination.Jurisdiction == in.SubjectJurisdiction):
		return fmt.Errorf("%w: destination %q: mechanism %q contradicts jurisdictions %s → %s",
			ErrInput, in.Destination.Name, in.Destination.Mechanism, in.SubjectJurisdiction, in.Destination.Jurisdiction)
	}
	return nil
}

// blockAll is the decision returned with an error, so that a caller that
// forgets the error still blocks.
func blockAll(in *Input) Decision {
	d := Decision{Action: Block}
	if in != nil && len(in.Findings) > 0 {
		d.PerFinding = make([]Action, len(in.Findings))
		for i := range d.PerFinding {
			d.PerFinding[i] = Block
		}
	}
	return d
}

func keyOf(f classify.Finding) findingKey {
	return findingKey{typ: f.Type, class: f.Class, rule: f.Rule}
}

func cmpKey(a, b findingKey) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// distinctKeys appends the distinct keys of findings to dst, sorted.
func distinctKeys(findings []classify.Finding, dst []findingKey) []findingKey {
	for _, f := range findings {
		k := keyOf(f)
		i, found := slices.BinarySearchFunc(dst, k, cmpKey)
		if !found {
			dst = slices.Insert(dst, i, k)
		}
	}
	return dst
}
