package policy

import (
	"slices"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/sovereign-gateway/sovereign/internal/classify"
)

// The CEL variables a rule may use. Dotted names are single, typed variables:
// a misspelt field ("subject.jursdiction") is a compile error, not a runtime
// surprise. README.md documents each one.
const (
	varTenant       = "tenant"
	varPurpose      = "purpose"
	varFace         = "face"
	varSubjectJur   = "subject.jurisdiction"
	varDestName     = "destination.name"
	varDestKind     = "destination.kind"
	varDestRegion   = "destination.region"
	varDestJur      = "destination.jurisdiction"
	varDestVendor   = "destination.vendor"
	varDestMech     = "destination.mechanism"
	varFindingType  = "finding.type"
	varFindingClass = "finding.class"
	varFindingRule  = "finding.rule"
	varTypes        = "findings.types"
	varClasses      = "findings.classes"
	varRules        = "findings.rules"
)

// newEnv declares every variable with its type.
func newEnv() (*cel.Env, error) {
	str := []string{
		varTenant, varPurpose, varFace, varSubjectJur,
		varDestName, varDestKind, varDestRegion, varDestJur, varDestVendor, varDestMech,
		varFindingType, varFindingClass, varFindingRule,
	}
	opts := make([]cel.EnvOption, 0, len(str)+3)
	for _, name := range str {
		opts = append(opts, cel.Variable(name, cel.StringType))
	}
	for _, name := range []string{varTypes, varClasses, varRules} {
		opts = append(opts, cel.Variable(name, cel.ListType(cel.StringType)))
	}
	return cel.NewEnv(opts...)
}

// findingKey is what the rules can see of one finding. Findings with the same
// key get the same action.
type findingKey struct {
	typ   classify.Type
	class classify.Class
	rule  string
}

func (k findingKey) less(o findingKey) bool {
	if k.typ != o.typ {
		return k.typ < o.typ
	}
	if k.class != o.class {
		return k.class < o.class
	}
	return k.rule < o.rule
}

// activation resolves the variables for one evaluation context: the request
// and one finding key (the zero key when the request has no findings).
type activation struct {
	in                    *Input
	key                   findingKey
	types, classes, rules ref.Val
}

var _ interpreter.Activation = (*activation)(nil)

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case varTenant:
		return a.in.Tenant, true
	case varPurpose:
		return a.in.Purpose, true
	case varFace:
		return a.in.Face, true
	case varSubjectJur:
		return a.in.SubjectJurisdiction, true
	case varDestName:
		return a.in.Destination.Name, true
	case varDestKind:
		return a.in.Destination.Kind, true
	case varDestRegion:
		return a.in.Destination.Region, true
	case varDestJur:
		return a.in.Destination.Jurisdiction, true
	case varDestVendor:
		return a.in.Destination.Vendor, true
	case varDestMech:
		return a.in.Destination.Mechanism, true
	case varFindingType:
		return string(a.key.typ), true
	case varFindingClass:
		return string(a.key.class), true
	case varFindingRule:
		return a.key.rule, true
	case varTypes:
		return a.types, true
	case varClasses:
		return a.classes, true
	case varRules:
		return a.rules, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// requestSets returns the distinct finding types, classes and rules of keys
// as sorted CEL lists; empty strings are left out.
func requestSets(keys []findingKey) (typesV, classesV, rulesV ref.Val) {
	var ts, cs, rs []string
	add := func(list []string, s string) []string {
		if s == "" {
			return list
		}
		for _, x := range list {
			if x == s {
				return list
			}
		}
		return append(list, s)
	}
	for _, k := range keys {
		ts = add(ts, string(k.typ))
		cs = add(cs, string(k.class))
		rs = add(rs, k.rule)
	}
	slices.Sort(ts)
	slices.Sort(cs)
	slices.Sort(rs)
	ad := types.DefaultTypeAdapter
	return types.NewStringList(ad, ts), types.NewStringList(ad, cs), types.NewStringList(ad, rs)
}
