package crm

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
)

// minimized is what the field policy made of one record.
type minimized struct {
	central  map[string]json.RawMessage // what the org receives
	tokens   []tokenEntry               // tokens minted, for the regional vault
	outcome  audit.FieldOutcome
	rules    []string
	findings map[[2]string]int // (type, class) → count, for the audit record
}

type tokenEntry struct{ token, typ, value string }

var emailLike = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// minimize applies obj's policy under mechanism mech to a record's fields.
// It never modifies fields.
func (f *Face) minimize(obj *objectPolicy, tk tokenizer, mech string, fields map[string]json.RawMessage) *minimized {
	m := &minimized{central: make(map[string]json.RawMessage, len(fields)), outcome: audit.FieldOutcome{Object: obj.name}}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names) // stable audit lists
	for _, name := range names {
		raw := fields[name]
		rule, declared := obj.fields[name]
		var action string
		switch {
		case declared:
			var forced bool
			action, forced = rule.actionFor(mech)
			if forced && !containsStr(m.rules, ruleNoMechanism) {
				m.rules = append(m.rules, ruleNoMechanism)
			}
		case obj.classifyUndeclared:
			action = config.FieldPseudonymize
		default:
			action = config.FieldDrop
		}
		f.applyAction(m, tk, name, rule, action, raw)
	}
	return m
}

func (f *Face) applyAction(m *minimized, tk tokenizer, name string, rule fieldRule, action string, raw json.RawMessage) {
	o := &m.outcome
	var s string
	isString := len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil
	isNull := string(raw) == "null"
	switch action {
	case config.FieldKeep:
		m.central[name] = raw
		o.Kept = append(o.Kept, name)
	case config.FieldDrop:
		o.Dropped = append(o.Dropped, name)
	case config.FieldTokenize:
		switch {
		case isNull:
			m.central[name] = raw
			o.Tokenized = append(o.Tokenized, name)
		case !isString:
			o.Dropped = append(o.Dropped, name) // a token is a string: the org's number or date field would refuse it
		default:
			bare := tk.token(rule.tokenType(), s)
			m.tokens = append(m.tokens, tokenEntry{bare, rule.tokenType(), s})
			m.central[name] = jsonString(format(bare, rule.typ == "email" || (rule.typ == "" && emailLike.MatchString(s))))
			o.Tokenized = append(o.Tokenized, name)
		}
	case config.FieldMask:
		switch {
		case isString:
			m.central[name] = jsonString(mask(s, rule.typ == "email" || (rule.typ == "" && emailLike.MatchString(s))))
		default:
			m.central[name] = json.RawMessage("null")
		}
		o.Masked = append(o.Masked, name)
	case config.FieldPseudonymize:
		if !isString {
			m.central[name] = raw
			o.Kept = append(o.Kept, name)
			return
		}
		out, n := f.pseudonymize(m, tk, s)
		m.central[name] = jsonString(out)
		if n > 0 {
			o.Tokenized = append(o.Tokenized, name)
		} else {
			o.Kept = append(o.Kept, name)
		}
	}
}

// pseudonymize replaces every finding in text with its token and returns the
// new text and the number of replacements.
func (f *Face) pseudonymize(m *minimized, tk tokenizer, text string) (string, int) {
	buf := []byte(text)
	found := f.classifier.Text(buf, nil)
	if len(found) == 0 {
		return text, 0
	}
	var b strings.Builder
	last, n := 0, 0
	for _, fd := range found {
		if fd.Class == classify.ClassPublic || fd.Start < last || fd.End > len(buf) || fd.Start >= fd.End {
			continue
		}
		if m.findings == nil {
			m.findings = map[[2]string]int{}
		}
		m.findings[[2]string{string(fd.Type), string(fd.Class)}]++
		val := text[fd.Start:fd.End]
		bare := tk.token(string(fd.Type), val)
		m.tokens = append(m.tokens, tokenEntry{bare, string(fd.Type), val})
		b.WriteString(text[last:fd.Start])
		b.WriteString(format(bare, fd.Type == classify.Email))
		last = fd.End
		n++
	}
	b.WriteString(text[last:])
	return b.String(), n
}

// counts renders the findings for an audit record.
func (m *minimized) counts() []audit.Count {
	if len(m.findings) == 0 {
		return nil
	}
	out := make([]audit.Count, 0, len(m.findings))
	for k, n := range m.findings {
		out = append(out, audit.Count{Type: k[0], Class: k[1], N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
