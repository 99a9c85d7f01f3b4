package crm

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// minimized is what the field policy and the transfer policy made of one
// record.
type minimized struct {
	central  map[string]json.RawMessage // what the org receives
	tokens   []tokenEntry               // tokens minted, for the regional vault
	outcome  audit.FieldOutcome
	action   policy.Action // strictest policy action over the crossing fields
	rules    []string      // ids of the rules that decided it, when not allow
	findings audit.Counter // what crossed, by type and class, for the audit record
}

type tokenEntry struct{ token, typ, value string }

// LogValue shows the token and its type, never the value behind it.
func (t tokenEntry) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", t.token), slog.String("type", t.typ))
}

// LogValue shows what crossed by field name, never a value.
func (m *minimized) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("fields", m.outcome), slog.String("action", m.action.String()), slog.Int("tokens", len(m.tokens)))
}

var (
	_ slog.LogValuer = tokenEntry{}
	_ slog.LogValuer = (*minimized)(nil)
)

// subject is whose record it is and where it goes: the policy's view.
type subject struct {
	tenant, purpose, jurisdiction string
	dest                          policy.Destination
	tk                            tokenizer
}

// errPolicy wraps a policy evaluation failure: the write is refused.
var errPolicy = errors.New("crm: policy evaluation failed")

// errPolicyBlock is a request-level block: no field of the record may cross.
var errPolicyBlock = errors.New("crm: the transfer policy blocks this write")

var emailLike = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// plan is one field on its way out.
type plan struct {
	name   string
	rule   fieldRule
	raw    json.RawMessage
	str    string // the value when it is a JSON string
	isStr  bool
	action string // field policy's central action
	// findings are what crosses in this field (a whole-field finding for a
	// typed field, classifier findings inside text); first is their index
	// in the policy input.
	findings []classify.Finding
	first    int
	whole    bool // findings[0] covers the whole value (declared type)
}

// minimize applies obj's field policy and then the transfer policy to a
// record's fields, never modifying fields. The field policy says how each
// field crosses (keep, tokenize, mask, drop, pseudonymize inside text); the
// transfer policy (CEL rules) sees what would cross and may only make it
// stricter: pseudonymize tokenizes a clear value, redact and block keep the
// field in the region (block also removes a whole free-text field). A
// request-level block refuses the write (errPolicyBlock); an evaluation
// failure returns an error wrapping errPolicy.
func (f *Face) minimize(obj *objectPolicy, sj subject, fields map[string]json.RawMessage) (*minimized, error) {
	mech := sj.dest.Mechanism
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names) // stable audit lists and policy input
	plans := make([]plan, 0, len(names))
	var all []classify.Finding
	for _, name := range names {
		p := plan{name: name, raw: fields[name]}
		p.isStr = len(p.raw) > 0 && p.raw[0] == '"' && json.Unmarshal(p.raw, &p.str) == nil
		rule, declared := obj.fields[name]
		p.rule = rule
		switch {
		case declared:
			p.action = rule.actionFor(mech)
		case obj.classifyUndeclared:
			p.action = config.FieldPseudonymize
		default:
			p.action = config.FieldDrop
		}
		p.first = len(all)
		p.findings, p.whole = f.crossing(&p)
		all = append(all, p.findings...)
		plans = append(plans, p)
	}
	in := policy.Input{Tenant: sj.tenant, Purpose: sj.purpose, Face: "crm", SubjectJurisdiction: sj.jurisdiction, Destination: sj.dest}
	req, err := f.decide.Decide(&in)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errPolicy, err)
	}
	if req.Action == policy.Block {
		return &minimized{action: policy.Block, rules: req.Rules}, errPolicyBlock
	}
	in.Findings = all
	dec, err := f.decide.Decide(&in)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errPolicy, err)
	}
	m := &minimized{central: make(map[string]json.RawMessage, len(fields)), outcome: audit.FieldOutcome{Object: obj.name}, action: dec.Action}
	if dec.Action != policy.Allow {
		m.rules = dec.Rules
	}
	for i := range plans {
		p := &plans[i]
		var acts []policy.Action
		if len(p.findings) > 0 {
			acts = dec.PerFinding[p.first : p.first+len(p.findings)]
		}
		f.apply(m, sj.tk, p, acts)
	}
	return m, nil
}

// crossing returns the findings that would reach the org in field p under
// its central action: the declared type for a typed field that crosses as a
// value or a token, classifier findings for text that crosses in clear or
// pseudonymized, nothing for masked or dropped fields.
func (f *Face) crossing(p *plan) ([]classify.Finding, bool) {
	if p.action == config.FieldDrop || p.action == config.FieldMask || string(p.raw) == "null" {
		return nil, false
	}
	typ := p.rule.typ
	switch {
	case typ == config.FieldTypePlain:
		return nil, false
	case typ != "" && typ != config.FieldTypeFreeText:
		return []classify.Finding{{Type: classify.Type(typ), Class: classOf(typ), Start: 0, End: len(p.str), Confidence: 1}}, true
	case p.action == config.FieldTokenize:
		return nil, false // a by-content value that crosses as an opaque token
	}
	text := p.str
	if !p.isStr {
		text = string(p.raw)
	}
	found := f.classifier.Text([]byte(text), nil)
	out := found[:0]
	last := 0
	for _, fd := range found {
		if fd.Class == classify.ClassPublic || fd.Start < last || fd.End > len(text) || fd.Start >= fd.End {
			continue
		}
		out = append(out, fd)
		last = fd.End
	}
	if !p.isStr && len(out) > 0 {
		// A number or boolean that holds personal data cannot be edited
		// inside: it crosses whole or not at all.
		return []classify.Finding{{Type: out[0].Type, Class: out[0].Class, Start: 0, End: len(text), Confidence: out[0].Confidence}}, true
	}
	return out, false
}

// classOf is the data class of a declared field type.
func classOf(typ string) classify.Class {
	switch typ {
	case string(classify.Secret):
		return classify.ClassSecret
	case string(classify.Business):
		return classify.ClassBusiness
	}
	return classify.ClassPersonal
}

// apply writes field p into m under its central action made stricter by
// the policy actions of its findings.
func (f *Face) apply(m *minimized, tk tokenizer, p *plan, acts []policy.Action) {
	strictest := policy.Allow
	for _, a := range acts {
		strictest = max(strictest, a)
	}
	action := p.action
	switch {
	case strictest == policy.Block, p.whole && strictest == policy.Redact:
		action = config.FieldDrop
	case p.whole && strictest == policy.Pseudonymize && action == config.FieldKeep:
		action = config.FieldTokenize
	}
	if action != config.FieldDrop {
		for _, fd := range p.findings {
			m.findings.Add(string(fd.Type), string(fd.Class))
		}
	}
	o := &m.outcome
	switch action {
	case config.FieldKeep:
		if len(p.findings) > 0 && !p.whole && strictest > policy.Allow {
			m.central[p.name] = jsonString(f.rewriteText(m, tk, p, acts, false))
			o.Tokenized = append(o.Tokenized, p.name)
			return
		}
		m.central[p.name] = p.raw
		o.Kept = append(o.Kept, p.name)
	case config.FieldDrop:
		o.Dropped = append(o.Dropped, p.name)
	case config.FieldTokenize:
		switch {
		case string(p.raw) == "null":
			m.central[p.name] = p.raw
			o.Tokenized = append(o.Tokenized, p.name)
		case !p.isStr:
			o.Dropped = append(o.Dropped, p.name) // a token is a string: the org's number or date field would refuse it
		default:
			typ := p.rule.tokenType()
			bare := tk.token(typ, p.str)
			m.tokens = append(m.tokens, tokenEntry{bare, typ, p.str})
			m.central[p.name] = jsonString(format(bare, p.rule.typ == "email" || (p.rule.typ == "" && emailLike.MatchString(p.str))))
			o.Tokenized = append(o.Tokenized, p.name)
		}
	case config.FieldMask:
		if p.isStr {
			m.central[p.name] = jsonString(mask(p.str, p.rule.typ == "email" || (p.rule.typ == "" && emailLike.MatchString(p.str))))
		} else {
			m.central[p.name] = json.RawMessage("null")
		}
		o.Masked = append(o.Masked, p.name)
	case config.FieldPseudonymize:
		if !p.isStr || len(p.findings) == 0 {
			if p.whole {
				o.Dropped = append(o.Dropped, p.name) // a personal number cannot be pseudonymized inside
				return
			}
			m.central[p.name] = p.raw
			o.Kept = append(o.Kept, p.name)
			return
		}
		m.central[p.name] = jsonString(f.rewriteText(m, tk, p, acts, true))
		o.Tokenized = append(o.Tokenized, p.name)
	}
}

// rewriteText replaces the findings inside a text field: with their token
// when pseudonymizing (always, or where the policy says so), with [TYPE]
// where the policy redacts.
func (f *Face) rewriteText(m *minimized, tk tokenizer, p *plan, acts []policy.Action, always bool) string {
	text := p.str
	var b strings.Builder
	last := 0
	for i, fd := range p.findings {
		a := acts[i]
		if a == policy.Allow && !always {
			continue
		}
		b.WriteString(text[last:fd.Start])
		if a == policy.Redact {
			b.WriteString("[" + strings.ToUpper(string(fd.Type)) + "]")
		} else {
			val := text[fd.Start:fd.End]
			bare := tk.token(string(fd.Type), val)
			m.tokens = append(m.tokens, tokenEntry{bare, string(fd.Type), val})
			b.WriteString(format(bare, fd.Type == classify.Email))
		}
		last = fd.End
	}
	b.WriteString(text[last:])
	return b.String()
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
