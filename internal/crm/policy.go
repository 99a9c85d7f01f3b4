package crm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// objectPolicy is one sObject's compiled field policy.
type objectPolicy struct {
	name               string
	jurisdictionField  string
	classifyUndeclared bool
	fields             map[string]fieldRule
	// byLower maps lowercased field names to their declared spelling:
	// Salesforce field names are case-insensitive.
	byLower map[string]string
	// externalIDs are the declared fields the org (and the gateway) can
	// upsert on, sorted.
	externalIDs []string
}

// fieldRule is one declared field's rule.
type fieldRule struct {
	typ         string // finding type, free_text, plain, or "" (by content)
	action      string
	byMechanism map[string]string
	externalID  bool
}

// canonical returns the declared spelling of a field name, or name itself.
func (o *objectPolicy) canonical(name string) string {
	if _, ok := o.fields[name]; ok {
		return name
	}
	if c, ok := o.byLower[strings.ToLower(name)]; ok {
		return c
	}
	return name
}

// actionFor returns the central action for a field under mechanism mech.
func (r fieldRule) actionFor(mech string) string {
	if m, ok := r.byMechanism[mech]; ok {
		return m
	}
	return r.action
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

// actions lists every action the field can get, the transfer policy's
// included: it may tokenize a kept personal value or keep any value in the
// region.
func (r fieldRule) actions() []string {
	out := []string{r.action}
	for _, a := range r.byMechanism {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if r.typ != config.FieldTypePlain && !slices.Contains(out, config.FieldDrop) && !r.localOnly() {
		out = append(out, config.FieldDrop)
	}
	if slices.Contains(out, config.FieldKeep) && r.personal() && !slices.Contains(out, config.FieldTokenize) {
		out = append(out, config.FieldTokenize)
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
			classifyUndeclared: o.Undeclared == config.UndeclaredClassify, fields: map[string]fieldRule{}, byLower: map[string]string{}}
		for fname, f := range o.Fields {
			op.fields[fname] = fieldRule{typ: f.Type, action: f.Action, byMechanism: f.ByMechanism, externalID: f.ExternalID}
			op.byLower[strings.ToLower(fname)] = fname
			if f.ExternalID {
				op.externalIDs = append(op.externalIDs, fname)
			}
		}
		slices.Sort(op.externalIDs)
		out[name] = op
	}
	// The policy hash names the field policy in force in every audit record.
	b, _ := json.Marshal(sf.Objects) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	return out, hex.EncodeToString(sum[:16])
}
