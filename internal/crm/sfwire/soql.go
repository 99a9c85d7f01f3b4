package sfwire

import (
	"errors"
	"strings"
)

// TokenKind classifies a SOQL token.
type TokenKind int

// SOQL token kinds.
const (
	TokIdent  TokenKind = iota // field, object, keyword, date literal such as TODAY
	TokString                  // 'quoted', with backslash escapes
	TokNumber                  // 42, 3.5, 2024-01-31, 2024-01-31T00:00:00Z
	TokOp                      // = != <> < > <= >=
	TokPunct                   // ( ) ,
)

// Token is one SOQL token; Start and End are byte offsets into the query.
type Token struct {
	Kind       TokenKind
	Start, End int
	Text       string // the raw text, quotes included for strings
}

// ErrMalformedQuery reports a query the lexer cannot split. Its message never
// carries the query.
var ErrMalformedQuery = errors.New("unexpected token: unterminated string or unknown character in query")

// Lex splits a SOQL query into tokens.
func Lex(q string) ([]Token, error) {
	var out []Token
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			j := i + 1
			for ; j < len(q); j++ {
				if q[j] == '\\' {
					j++
					continue
				}
				if q[j] == '\'' {
					break
				}
			}
			if j >= len(q) {
				return nil, ErrMalformedQuery
			}
			out = append(out, Token{TokString, i, j + 1, q[i : j+1]})
			i = j + 1
		case isIdentStart(c):
			j := i + 1
			for j < len(q) && (isIdentStart(q[j]) || isDigit(q[j]) || q[j] == '.' || q[j] == ':') {
				j++
			}
			out = append(out, Token{TokIdent, i, j, q[i:j]})
			i = j
		case isDigit(c) || (c == '-' && i+1 < len(q) && isDigit(q[i+1])):
			j := i + 1
			for j < len(q) && (isDigit(q[j]) || isIdentStart(q[j]) || strings.IndexByte(".:+-", q[j]) >= 0) {
				j++
			}
			out = append(out, Token{TokNumber, i, j, q[i:j]})
			i = j
		case c == '(' || c == ')' || c == ',':
			out = append(out, Token{TokPunct, i, i + 1, q[i : i+1]})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			j := i + 1
			if j < len(q) && (q[j] == '=' || (c == '<' && q[j] == '>')) {
				j++
			}
			if q[i:j] == "!" {
				return nil, ErrMalformedQuery
			}
			out = append(out, Token{TokOp, i, j, q[i:j]})
			i = j
		default:
			return nil, ErrMalformedQuery
		}
	}
	return out, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Is reports whether t is the keyword kw (case-insensitive).
func (t Token) Is(kw string) bool { return t.Kind == TokIdent && strings.EqualFold(t.Text, kw) }

// StringValue unquotes a string token.
func StringValue(raw string) string {
	s := raw[1 : len(raw)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case '_', '%':
			b.WriteByte('\\')
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// Quote makes a SOQL string literal of s.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
