package transform

import "bytes"

// StreamRestorer restores placeholders in a stream of decoded text fragments
// (the content of SSE deltas) where a placeholder may be split across
// fragments at any byte. It holds back only a tail that could still become a
// placeholder: at most MaxPlaceholderLen()-1 bytes, never the whole stream.
// Its output equals RestoreText (or RestoreEscaped) over the concatenated
// fragments.
//
// One StreamRestorer serves one stream (one choice index) and is not safe
// for concurrent use.
type StreamRestorer struct {
	v    *Vault
	form form
	held []byte
}

// NewStreamRestorer returns a restorer reading placeholders from v that
// writes the decoded originals, like RestoreText.
func (v *Vault) NewStreamRestorer() *StreamRestorer { return &StreamRestorer{v: v, form: formText} }

// NewEscapedStreamRestorer returns a restorer that writes the originals
// escaped as JSON string content, like RestoreEscaped: for streamed tool
// call arguments, which are JSON text.
func (v *Vault) NewEscapedStreamRestorer() *StreamRestorer {
	return &StreamRestorer{v: v, form: formJSON}
}

// Write appends to dst what can be emitted once fragment has arrived:
// fragment with placeholders restored, minus a tail that is a proper prefix
// of a placeholder, which is held until the next Write or Flush.
func (s *StreamRestorer) Write(dst, fragment []byte) []byte {
	v := s.v
	if len(v.entries) == 0 {
		return append(dst, fragment...)
	}
	data := fragment
	if len(s.held) > 0 {
		s.held = append(s.held, fragment...)
		data = s.held
	}
	last, i := 0, 0
	for {
		k := bytes.IndexByte(data[i:], '<')
		if k < 0 {
			break
		}
		p := i + k
		if e, n := v.match(data[p:]); e != nil {
			dst = append(dst, data[last:p]...)
			dst = append(dst, e.in(s.form)...)
			i = p + n
			last = i
			continue
		}
		if v.isProperPrefix(data[p:]) {
			dst = append(dst, data[last:p]...)
			s.hold(data[p:])
			return dst
		}
		i = p + 1
	}
	dst = append(dst, data[last:]...)
	s.held = s.held[:0]
	return dst
}

// Flush appends whatever is held back; call it when the stream ends.
func (s *StreamRestorer) Flush(dst []byte) []byte {
	dst = append(dst, s.held...)
	s.held = s.held[:0]
	return dst
}

// Held returns how many bytes are held back now.
func (s *StreamRestorer) Held() int { return len(s.held) }

// hold keeps tail, which may alias s.held (append moves like copy does).
func (s *StreamRestorer) hold(tail []byte) {
	s.held = append(s.held[:0], tail...)
}

// isProperPrefix reports whether b is shorter than, and a prefix of, some
// placeholder. A '>' in b rules it out: '>' only ends a placeholder, and
// match has already said b does not start with one.
func (v *Vault) isProperPrefix(b []byte) bool {
	if len(b) >= v.maxLen || bytes.IndexByte(b, '>') >= 0 {
		return false
	}
	for i := range v.entries {
		ph := v.entries[i].placeholder
		if len(b) < len(ph) && ph[:len(b)] == string(b) {
			return true
		}
	}
	return false
}
