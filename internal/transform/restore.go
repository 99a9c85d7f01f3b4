package transform

import (
	"bytes"
	"encoding/json"
)

// form picks which form of an original a restore writes.
type form uint8

const (
	formRaw  form = iota // as in the request body
	formText             // decoded
	formJSON             // escaped for a JSON string
)

func (e *entry) in(f form) []byte {
	switch f {
	case formText:
		return []byte(e.text)
	case formJSON:
		return e.json
	}
	return e.raw
}

// Restore appends src to dst with every known placeholder replaced by the
// original bytes exactly as they were in the request body, so that
// Restore(Apply(x)) == x for a pseudonymized body.
func (v *Vault) Restore(dst, src []byte) []byte { return v.replace(dst, src, formRaw) }

// RestoreText appends src, decoded text (an SSE delta's content, say), with
// every known placeholder replaced by the decoded original value.
func (v *Vault) RestoreText(dst, src []byte) []byte { return v.replace(dst, src, formText) }

// match reports the entry whose placeholder starts src, if any, and its
// length.
func (v *Vault) match(src []byte) (*entry, int) {
	end := min(len(src), v.maxLen)
	j := bytes.IndexByte(src[:end], '>')
	if j < 0 {
		return nil, 0
	}
	i, ok := v.byPlaceholder[string(src[:j+1])]
	if !ok {
		return nil, 0
	}
	return &v.entries[i], j + 1
}

// replace scans src once, left to right; a placeholder never contains '<'
// after its first byte, so no two placeholders can overlap.
func (v *Vault) replace(dst, src []byte, f form) []byte {
	if len(v.entries) == 0 {
		return append(dst, src...)
	}
	last, i := 0, 0
	for {
		k := bytes.IndexByte(src[i:], '<')
		if k < 0 {
			break
		}
		p := i + k
		if e, n := v.match(src[p:]); e != nil {
			dst = append(dst, src[last:p]...)
			dst = append(dst, e.in(f)...)
			i = p + n
			last = i
			continue
		}
		i = p + 1
	}
	return append(dst, src[last:]...)
}

// RestoreJSON appends the JSON document src to dst with placeholders inside
// its strings replaced by the originals, escaped so the document stays
// valid. Placeholders that an upstream escaped ("\u003cEMAIL_1\u003e", as
// Go's encoding/json writes '<' and '>') are found too: such a string is
// decoded, restored and encoded again. Bytes outside strings are copied.
func (v *Vault) RestoreJSON(dst, src []byte) []byte {
	if len(v.entries) == 0 {
		return append(dst, src...)
	}
	last := 0
	for i := 0; i < len(src); {
		q := bytes.IndexByte(src[i:], '"')
		if q < 0 {
			break
		}
		start := i + q + 1
		end := stringEnd(src, start)
		content := src[start:end]
		if bytes.IndexByte(content, '\\') < 0 {
			if bytes.IndexByte(content, '<') >= 0 {
				dst = append(dst, src[last:start]...)
				dst = v.replace(dst, content, formJSON)
				last = end
			}
		} else if mayHoldPlaceholder(content) {
			if restored, ok := v.restoreEscaped(content); ok {
				dst = append(dst, src[last:start]...)
				dst = appendJSONEscaped(dst, restored)
				last = end
			}
		}
		i = end + 1
	}
	return append(dst, src[last:]...)
}

// stringEnd returns the index of the quote closing the JSON string whose
// content starts at start, or len(src) when it is not closed.
func stringEnd(src []byte, start int) int {
	for i := start; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(src)
}

// mayHoldPlaceholder reports whether escaped JSON string content can hold a
// '<', literally or as \u003c.
func mayHoldPlaceholder(content []byte) bool {
	return bytes.IndexByte(content, '<') >= 0 ||
		bytes.Contains(content, []byte(`\u003c`)) || bytes.Contains(content, []byte(`\u003C`))
}

// restoreEscaped decodes escaped string content and restores it; ok is
// false when nothing was restored (or it does not decode).
func (v *Vault) restoreEscaped(content []byte) (string, bool) {
	quoted := make([]byte, 0, len(content)+2)
	quoted = append(append(append(quoted, '"'), content...), '"')
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", false
	}
	out := v.replace(nil, []byte(s), formText)
	if string(out) == s {
		return "", false
	}
	return string(out), true
}
