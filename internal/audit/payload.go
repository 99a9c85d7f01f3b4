package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/transparency-dev/merkle/rfc6962"
)

// A record's payload (format version 1) is canonical JSON:
//
//	{"v":1,"i":<index>,"r":<record>}
//
// where <record> is encoding/json's output for Record with Time in UTC. The
// field order is fixed by the Record struct, so the same record always encodes
// to the same bytes; the decoder rejects any payload that does not re-encode
// to itself. The index binds a record to its position, so a deleted, inserted
// or reordered frame is named exactly. The Merkle leaf hash is the RFC 6962
// leaf hash, SHA-256(0x00 || payload).
var (
	payloadPrefix = []byte(`{"v":1,"i":`)
	payloadMiddle = []byte(`,"r":`)
)

// ErrPayload marks a payload that is not a valid version-1 record.
var ErrPayload = errors.New("invalid record payload")

// Entry is a decoded record with its position in the log.
type Entry struct {
	Index  uint64
	Record Record
}

// invalidUTF8Escape is what encoding/json writes for a byte that is not valid
// UTF-8. It decodes to U+FFFD, which encodes back as raw bytes, so a record
// holding invalid UTF-8 would not re-encode to itself.
var invalidUTF8Escape = []byte(`\ufffd`)

// encodeRecord returns the canonical JSON of r (the "r" member of a payload).
// Invalid UTF-8 in any string is replaced by U+FFFD, so that every record the
// log writes decodes again (export and report decode strictly).
func encodeRecord(r *Record) ([]byte, error) {
	c := *r
	c.Time = c.Time.UTC()
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encode audit record: %w", err)
	}
	if bytes.Contains(b, invalidUTF8Escape) {
		// Rare (also hit by a literal backslash-u-fffd, harmlessly): one
		// decode turns every replacement into U+FFFD, after which the
		// encoding is canonical.
		var v Record
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("encode audit record: %w", err)
		}
		if b, err = json.Marshal(&v); err != nil {
			return nil, fmt.Errorf("encode audit record: %w", err)
		}
	}
	return b, nil
}

// appendPayload appends the payload for record JSON body at index to dst.
func appendPayload(dst []byte, index uint64, body []byte) []byte {
	dst = append(dst, payloadPrefix...)
	dst = strconv.AppendUint(dst, index, 10)
	dst = append(dst, payloadMiddle...)
	dst = append(dst, body...)
	return append(dst, '}')
}

// EncodePayload returns the canonical payload of r at index.
func EncodePayload(index uint64, r *Record) ([]byte, error) {
	body, err := encodeRecord(r)
	if err != nil {
		return nil, err
	}
	return appendPayload(nil, index, body), nil
}

// payloadIndex reads the index of a payload without decoding the record; it is
// what verify uses, so it must stay cheap.
func payloadIndex(p []byte) (uint64, error) {
	if !bytes.HasPrefix(p, payloadPrefix) {
		return 0, fmt.Errorf("%w: bad prefix", ErrPayload)
	}
	rest := p[len(payloadPrefix):]
	n := 0
	for n < len(rest) && n < 21 && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || (n > 1 && rest[0] == '0') {
		return 0, fmt.Errorf("%w: bad index", ErrPayload)
	}
	idx, err := strconv.ParseUint(string(rest[:n]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: bad index", ErrPayload)
	}
	if !bytes.HasPrefix(rest[n:], payloadMiddle) {
		return 0, fmt.Errorf("%w: bad separator", ErrPayload)
	}
	return idx, nil
}

// DecodePayload decodes a version-1 payload. It accepts only canonical
// payloads: the result re-encodes to exactly p.
func DecodePayload(p []byte) (Entry, error) {
	idx, err := payloadIndex(p)
	if err != nil {
		return Entry{}, err
	}
	body := p[len(payloadPrefix):]
	body = body[bytes.IndexByte(body, ',')+len(payloadMiddle):]
	if len(body) == 0 || body[len(body)-1] != '}' {
		return Entry{}, fmt.Errorf("%w: unterminated", ErrPayload)
	}
	body = body[:len(body)-1]
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var e Entry
	e.Index = idx
	if err := dec.Decode(&e.Record); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrPayload, err)
	}
	if dec.More() {
		return Entry{}, fmt.Errorf("%w: trailing data", ErrPayload)
	}
	again, err := encodeRecord(&e.Record)
	if err != nil || !bytes.Equal(again, body) {
		return Entry{}, fmt.Errorf("%w: not canonical", ErrPayload)
	}
	return e, nil
}

// hasher is the RFC 6962 SHA-256 tree hasher used for leaves and nodes.
var hasher = rfc6962.DefaultHasher

// LeafHash is the RFC 6962 leaf hash of a payload.
func LeafHash(payload []byte) []byte { return hasher.HashLeaf(payload) }
