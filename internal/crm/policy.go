package crm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// objectPolicy is one sObject's compiled field policy.
type objectPolicy struct {
	name               string
	jurisdictionField  string
	classifyUndeclared bool
	fields             map[string]fieldRule
}

// fieldRule is one declared field's rule.
type fieldRule struct {
	typ         string // finding type, free_text, plain, or "" (by content)
	action      string
	byMechanism map[string]string
}

// ruleNoMechanism is reported in audit records when a field the policy would
// keep in clear was tokenized because no transfer mechanism covers it.
const ruleNoMechanism = "crm.no_mechanism"

// action returns the central action for a field under mechanism mech, and
// whether the no-mechanism guard changed it.
func (r fieldRule) actionFor(mech string) (string, bool) {
	a := r.action
	if m, ok := r.byMechanism[mech]; ok {
		a = m
	}
	if a == config.FieldKeep && mech == config.MechanismNone && r.personal() {
		if r.typ == config.FieldTypeFreeText {
			return config.FieldPseudonymize, true
		}
		return config.FieldTokenize, true
	}
	return a, false
}

// personal reports whether the field's type says it holds data about a
// person (or a secret): everything but plain and business.
func (r fieldRule) personal() bool {
	return r.typ != config.FieldTypePlain && r.typ != "business" && r.typ != ""
}

// localOnly reports whether the field never reaches the org under any
// mechanism, so reads must not ask the org for it.
func (r fieldRule) localOnly() bool {
	if r.action != config.FieldDrop {
		return false
	}
	for _, a := range r.byMechanism {
		if a != config.FieldDrop {
			return false
		}
	}
	return true
}

// actions lists every action the field can get.
func (r fieldRule) actions() []string {
	out := []string{r.action}
	for _, a := range r.byMechanism {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if r.action == config.FieldKeep && r.personal() && !slices.Contains(out, config.FieldTokenize) {
		out = append(out, config.FieldTokenize) // the no-mechanism guard
	}
	return out
}

// tokenType is the type mixed into a field's deterministic token.
func (r fieldRule) tokenType() string {
	if r.typ == "" {
		return "value"
	}
	return r.typ
}

func compilePolicy(sf *config.Salesforce) (map[string]*objectPolicy, string) {
	out := make(map[string]*objectPolicy, len(sf.Objects))
	for name, o := range sf.Objects {
		op := &objectPolicy{name: name, jurisdictionField: o.JurisdictionField,
			classifyUndeclared: o.Undeclared == config.UndeclaredClassify, fields: map[string]fieldRule{}}
		for fname, f := range o.Fields {
			op.fields[fname] = fieldRule{typ: f.Type, action: f.Action, byMechanism: f.ByMechanism}
		}
		out[name] = op
	}
	// The policy hash names the field policy in force in every audit record.
	b, _ := json.Marshal(sf.Objects) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	return out, hex.EncodeToString(sum[:16])
}
