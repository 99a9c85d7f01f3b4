package transform

import "bytes"

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

// RestoreEscaped appends src, decoded text that is itself JSON (a tool
// call's arguments), with every known placeholder replaced by the original
// escaped as JSON string content, so that a value holding a quote, a
// backslash or a newline keeps the arguments valid JSON.
func (v *Vault) RestoreEscaped(dst, src []byte) []byte { return v.replace(dst, src, formJSON) }

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
// valid. Placeholders whose angle brackets an upstream escaped
// ("\u003cEMAIL_1\u003e", as Go's encoding/json writes them) are found too.
// Every other byte is copied as it is.
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
		if bytes.IndexByte(content, '<') >= 0 || bytes.IndexByte(content, '\\') >= 0 {
			dst = append(dst, src[last:start]...)
			dst = v.replaceEscaped(dst, content)
			last = end
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

// replaceEscaped copies escaped JSON string content, replacing placeholders
// written with literal or \u-escaped angle brackets by their JSON form.
func (v *Vault) replaceEscaped(dst, content []byte) []byte {
	last := 0
	for i := 0; i < len(content); {
		step := 1
		switch c := content[i]; {
		case c == '\\' && escapedAngle(content[i:]) == '<':
			step = 6
		case c == '\\':
			i += 2 // an escaped byte (or the start of \uXXXX, whose digits are plain)
			continue
		case c != '<':
			i++
			continue
		}
		if e, n := v.matchEscaped(content[i:]); e != nil {
			dst = append(dst, content[last:i]...)
			dst = append(dst, e.json...)
			i += n
			last = i
			continue
		}
		i += step
	}
	return append(dst, content[last:]...)
}

// escapedAngle returns '<' or '>' when b starts with its \u escape, else 0.
func escapedAngle(b []byte) byte {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' || b[2] != '0' || b[3] != '0' || b[4] != '3' {
		return 0
	}
	switch b[5] {
	case 'c', 'C':
		return '<'
	case 'e', 'E':
		return '>'
	}
	return 0
}

// matchEscaped is match over escaped JSON content: it decodes only the
// escapes of '<' and '>' (a placeholder holds nothing else that JSON
// escapes) and returns the entry and the raw length consumed.
func (v *Vault) matchEscaped(b []byte) (*entry, int) {
	var buf [64]byte
	dec := buf[:0]
	for j := 0; j < len(b) && len(dec) < v.maxLen; {
		c := b[j]
		n := 1
		if c == '\\' {
			if c = escapedAngle(b[j:]); c == 0 {
				return nil, 0
			}
			n = 6
		}
		if c == '<' && len(dec) > 0 {
			return nil, 0
		}
		dec = append(dec, c)
		j += n
		if c == '>' {
			if i, ok := v.byPlaceholder[string(dec)]; ok {
				return &v.entries[i], j
			}
			return nil, 0
		}
	}
	return nil, 0
}
