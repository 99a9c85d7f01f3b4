package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// appendJSONEscaped appends s as the content of a JSON string (no quotes).
// It escapes what JSON requires plus U+2028 and U+2029, and writes invalid
// UTF-8 as U+FFFD like encoding/json; '<', '>' and '&' stay as they are.
func appendJSONEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// errEscape is returned when a JSON finding does not decode as string
// content (a span that cuts an escape sequence in half, say).
var errEscape = errors.New("span is not whole JSON string content")

// decodeJSONContent decodes escaped JSON string content (without quotes).
func decodeJSONContent(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 && bytes.IndexByte(raw, '"') < 0 && !hasControl(raw) {
		return string(raw), nil
	}
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", errEscape // never the decoder's message: it may quote the data
	}
	return s, nil
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// containsString reports whether b contains s, without allocating.
func containsString(b []byte, s string) bool {
	for i := 0; ; {
		k := bytes.IndexByte(b[i:], s[0])
		if k < 0 {
			return false
		}
		i += k
		if len(b)-i < len(s) {
			return false
		}
		if string(b[i:i+len(s)]) == s {
			return true
		}
		i++
	}
}
