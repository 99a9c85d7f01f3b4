package transform

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/sovereign-gateway/sovereign/internal/classify"
)

// Vault holds the placeholders of one request and the original values they
// stand for, in memory, for the life of the request. Apply fills it; the
// restore functions read it.
//
// Apply must not run concurrently with anything else on the same vault.
// Once Apply has returned, Restore, RestoreText, RestoreJSON and
// StreamRestorers (one per stream) may be used from several goroutines.
//
// A Vault never prints its contents: fmt and slog show only how many
// placeholders it holds.
type Vault struct {
	byValue       map[string]int // type "\x00" decoded value → entries index
	byPlaceholder map[string]int // placeholder → entries index
	entries       []entry
	next          map[classify.Type]int // last number handed out per type
	labels        map[classify.Type]string
	maxLen        int // longest placeholder, bounds the stream hold-back
}

// entry is one original value in its three forms.
type entry struct {
	placeholder string
	raw         []byte // the bytes of the request body, possibly JSON-escaped
	text        string // the decoded value
	json        []byte // the value as JSON string content (escaped)
}

// NewVault returns an empty vault.
func NewVault() *Vault {
	return &Vault{
		byValue:       map[string]int{},
		byPlaceholder: map[string]int{},
		next:          map[classify.Type]int{},
		labels:        map[classify.Type]string{},
	}
}

// Len returns the number of placeholders in the vault.
func (v *Vault) Len() int { return len(v.entries) }

// MaxPlaceholderLen returns the length of the longest placeholder; a
// StreamRestorer holds back at most one byte less.
func (v *Vault) MaxPlaceholderLen() int { return v.maxLen }

// label is the upper-case name of a type used in placeholders: email →
// EMAIL, payment_card → PAYMENT_CARD. Bytes other than letters, digits and
// '_' become '_' so a placeholder never contains '<' or '>'.
func (v *Vault) label(t classify.Type) string {
	if l, ok := v.labels[t]; ok {
		return l
	}
	l := typeLabel(t)
	if v.labels != nil {
		v.labels[t] = l
	}
	return l
}

func typeLabel(t classify.Type) string {
	if t == "" {
		return "DATA"
	}
	b := []byte(t)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

// placeholder returns the placeholder for a value of type t, creating it on
// first sight. body is the whole request body: a number whose LABEL_N
// already appears in it is skipped (in any spelling of the brackets, such as
// \u003cEMAIL_1\u003e), so restoring never replaces text the caller wrote.
func (v *Vault) placeholder(t classify.Type, raw []byte, text string, fromJSON bool, body []byte) string {
	key := string(t) + "\x00" + text
	if i, ok := v.byValue[key]; ok {
		return v.entries[i].placeholder
	}
	label := v.label(t)
	n := v.next[t]
	var ph string
	for {
		n++
		core := label + "_" + strconv.Itoa(n)
		ph = "<" + core + ">"
		if _, taken := v.byPlaceholder[ph]; !taken && !containsString(body, core) {
			break
		}
	}
	v.next[t] = n
	e := entry{placeholder: ph, raw: append([]byte(nil), raw...), text: text}
	if fromJSON {
		e.json = e.raw
	} else {
		e.json = appendJSONEscaped(nil, text)
	}
	v.byValue[key] = len(v.entries)
	v.byPlaceholder[ph] = len(v.entries)
	v.entries = append(v.entries, e)
	v.maxLen = max(v.maxLen, len(ph))
	return ph
}

// Format prints only the size of the vault, whatever the verb.
func (v *Vault) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "transform.Vault{placeholders: %d}", v.Len())
}

// LogValue logs only the size of the vault.
func (v *Vault) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("placeholders", v.Len()))
}

var (
	_ fmt.Formatter  = (*Vault)(nil)
	_ slog.LogValuer = (*Vault)(nil)
)
