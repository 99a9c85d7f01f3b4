package crm

import (
	"net/http"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

// rewriteSOQL makes a query fit the org's minimized data:
//   - local-only fields leave the SELECT list (the region fills them in);
//   - string literals compared with =, !=, <>, IN or NOT IN against a
//     tokenized field become their tokens (both forms when the field is kept
//     for some subjects and tokenized for others), so equality filters work;
//   - filters the org cannot answer (LIKE or ranges on tokenized fields, any
//     filter on masked, pseudonymized or dropped fields) are refused.
//
// Only the top-level FROM object's bare field names are rewritten; fields
// reached through relationships (Account.Email__c) and subqueries pass
// unchanged. It returns the query, the local-only fields removed, or a
// Salesforce-shaped refusal.
func (f *Face) rewriteSOQL(q string, tk tokenizer) (string, []string, *failure) {
	toks, err := sfwire.Lex(q)
	if err != nil {
		return "", nil, &failure{status: http.StatusBadRequest, code: sfwire.CodeMalformedQuery, msg: err.Error()}
	}
	malformed := func(msg string) *failure {
		return &failure{status: http.StatusBadRequest, code: sfwire.CodeMalformedQuery, msg: msg}
	}
	// Find the top-level SELECT ... FROM Object.
	depth, from := 0, -1
	for i, t := range toks {
		switch {
		case t.Kind == sfwire.TokPunct && t.Text == "(":
			depth++
		case t.Kind == sfwire.TokPunct && t.Text == ")":
			depth--
		case depth == 0 && t.Is("FROM"):
			from = i
		}
		if from >= 0 {
			break
		}
	}
	if len(toks) == 0 || !toks[0].Is("SELECT") || from < 0 || from+1 >= len(toks) {
		return "", nil, malformed("unexpected token: expecting SELECT ... FROM object")
	}
	obj, ok := f.policy[toks[from+1].Text]
	if !ok {
		return "", nil, &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidType, msg: "sObject type '" + toks[from+1].Text + "' is not supported."}
	}
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	var local []string
	handled := map[int]bool{} // string literals the rewrite accounted for

	// SELECT list: drop local-only fields (with their comma).
	var keep []sfwire.Token
	depth = 0
	for i := 1; i < from; i++ {
		t := toks[i]
		if t.Kind == sfwire.TokPunct && t.Text == "(" {
			depth++
		}
		if t.Kind == sfwire.TokPunct && t.Text == ")" {
			depth--
		}
		if depth == 0 && t.Kind == sfwire.TokIdent {
			if r, ok := obj.fields[t.Text]; ok && r.localOnly() && !(i+1 < from && toks[i+1].Text == "(") {
				local = append(local, t.Text)
				continue
			}
		}
		keep = append(keep, t)
	}
	if len(local) > 0 {
		var b strings.Builder
		prevComma := true
		for _, t := range keep {
			isComma := t.Kind == sfwire.TokPunct && t.Text == ","
			if isComma && prevComma {
				continue
			}
			if b.Len() > 0 && !isComma && !(t.Kind == sfwire.TokPunct && t.Text == ")") && !strings.HasSuffix(b.String(), "(") {
				b.WriteByte(' ')
			}
			b.WriteString(t.Text)
			prevComma = isComma
		}
		list := strings.TrimSuffix(strings.TrimSpace(b.String()), ",")
		if list == "" {
			list = "Id"
		}
		edits = append(edits, edit{toks[1].Start, toks[from-1].End, list})
	}

	// Filters after FROM, outside subqueries.
	sub := 0
	for i := from + 2; i < len(toks); i++ {
		t := toks[i]
		if t.Kind == sfwire.TokPunct && t.Text == "(" && i+1 < len(toks) && toks[i+1].Is("SELECT") {
			sub++
		}
		if sub > 0 {
			if t.Kind == sfwire.TokPunct && t.Text == ")" {
				sub--
			}
			continue
		}
		if t.Kind != sfwire.TokIdent {
			continue
		}
		rule, ok := obj.fields[t.Text]
		if !ok || i+1 >= len(toks) {
			continue
		}
		acts := rule.actions()
		clear := slices.Contains(acts, config.FieldKeep)
		tokd := slices.Contains(acts, config.FieldTokenize)
		hidden := slices.ContainsFunc(acts, func(a string) bool {
			return a == config.FieldMask || a == config.FieldDrop || a == config.FieldPseudonymize
		})
		next := toks[i+1]
		isFilter := next.Kind == sfwire.TokOp || next.Is("IN") || next.Is("LIKE") || next.Is("NOT") || next.Is("INCLUDES") || next.Is("EXCLUDES")
		if !isFilter {
			continue
		}
		if !clear && !tokd || (hidden && !clear && !tokd) {
			return "", nil, malformed("field " + t.Text + " does not reach the org in clear (policy: " + strings.Join(acts, "/") + "); it cannot be filtered")
		}
		if !tokd {
			// Kept in clear: the org holds the value, the filter may
			// name it.
			markLiterals(toks, i+1, handled)
			continue
		}
		markLiterals(toks, i+1, handled)
		variants := func(lit sfwire.Token) []string {
			v := sfwire.StringValue(lit.Text)
			var out []string
			if clear {
				out = append(out, lit.Text)
			}
			return append(out, sfwire.Quote(format(tk.token(rule.tokenType(), v), rule.typ == "email" || (rule.typ == "" && emailLike.MatchString(v)))))
		}
		switch {
		case next.Kind == sfwire.TokOp && (next.Text == "=" || next.Text == "!=" || next.Text == "<>"):
			if i+2 >= len(toks) || toks[i+2].Kind != sfwire.TokString {
				continue // null or a number: nothing to tokenize
			}
			vs := variants(toks[i+2])
			neg := next.Text != "="
			var text string
			switch {
			case len(vs) == 1 && !neg:
				text = t.Text + " = " + vs[0]
			case len(vs) == 1:
				text = t.Text + " != " + vs[0]
			case !neg:
				text = t.Text + " IN (" + strings.Join(vs, ", ") + ")"
			default:
				text = t.Text + " NOT IN (" + strings.Join(vs, ", ") + ")"
			}
			edits = append(edits, edit{t.Start, toks[i+2].End, text})
			i += 2
		case next.Is("IN") || (next.Is("NOT") && i+2 < len(toks) && toks[i+2].Is("IN")):
			j := i + 2
			if next.Is("NOT") {
				j++
			}
			if j >= len(toks) || toks[j].Text != "(" {
				return "", nil, malformed("unexpected token: expecting '(' after IN")
			}
			var vs []string
			k := j + 1
			for ; k < len(toks) && toks[k].Text != ")"; k++ {
				switch toks[k].Kind {
				case sfwire.TokString:
					vs = append(vs, variants(toks[k])...)
				case sfwire.TokPunct:
				default:
					vs = append(vs, toks[k].Text)
				}
			}
			if k >= len(toks) {
				return "", nil, malformed("unexpected token: expecting ')'")
			}
			edits = append(edits, edit{toks[j].Start, toks[k].End, "(" + strings.Join(vs, ", ") + ")"})
			i = k
		default:
			return "", nil, malformed("field " + t.Text + " is tokenized before the org; only =, !=, IN and NOT IN can filter it")
		}
	}
	// Any other string literal (a subquery, a relationship field, an
	// undeclared field) would carry its value to the org as is: refuse it
	// when the classifier finds personal data, secrets or business IP in it.
	for i, t := range toks {
		if t.Kind != sfwire.TokString || handled[i] {
			continue
		}
		for _, fd := range f.classifier.Text([]byte(sfwire.StringValue(t.Text)), nil) {
			if fd.Class != classify.ClassPublic {
				return "", nil, malformed("a filter value holds " + string(fd.Type) + " data compared with a field the gateway cannot map to the org's tokens; filter on a declared field of " + obj.name)
			}
		}
	}
	if len(edits) == 0 {
		return q, local, nil
	}
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(q[last:e.start])
		b.WriteString(e.text)
		last = e.end
	}
	b.WriteString(q[last:])
	return b.String(), local, nil
}

// markLiterals marks the string literals of the filter that starts at
// toks[i] (an operator and a value, or IN and a list) as handled.
func markLiterals(toks []sfwire.Token, i int, handled map[int]bool) {
	for j := i; j < len(toks) && j < i+3; j++ {
		if toks[j].Kind == sfwire.TokString {
			handled[j] = true
			return
		}
		if toks[j].Text == "(" {
			for k := j + 1; k < len(toks) && toks[k].Text != ")"; k++ {
				if toks[k].Kind == sfwire.TokString {
					handled[k] = true
				}
			}
			return
		}
	}
}
