package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Segment file layout (format version 1), all integers big-endian:
//
//	header: "SOVAUD" | version uint16 | first index uint64      (16 bytes)
//	frame:  length uint32 | payload [length]byte | crc uint32   (repeated)
//
// crc is CRC-32C (Castagnoli) over the length bytes and the payload, so a
// damaged length is caught as well as a damaged payload.
const (
	segmentMagic      = "SOVAUD"
	FormatVersion     = 1 // layout and record format version; bump on any change
	segmentHeaderSize = 16
	frameOverhead     = 8
	// MaxPayload bounds one record's encoding; a larger length field is damage.
	MaxPayload = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Frame errors, told apart with errors.Is.
var (
	ErrShortFrame  = errors.New("frame cut short")
	ErrFrameLength = errors.New("frame length out of range")
	ErrFrameCRC    = errors.New("frame CRC mismatch")
)

// appendFrame appends the frame for payload to dst.
func appendFrame(dst, payload []byte) []byte {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(payload)))
	crc := crc32.Update(0, castagnoli, hdr[:])
	crc = crc32.Update(crc, castagnoli, payload)
	dst = append(dst, hdr[:]...)
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, crc)
}

// readFrame decodes the frame at the start of b. It returns the payload (a
// sub-slice of b) and the frame's total size.
func readFrame(b []byte) (payload []byte, n int, err error) {
	if len(b) < 4 {
		return nil, 0, ErrShortFrame
	}
	length := binary.BigEndian.Uint32(b)
	if length == 0 || length > MaxPayload {
		return nil, 0, fmt.Errorf("%w: %d", ErrFrameLength, length)
	}
	n = int(length) + frameOverhead
	if len(b) < n {
		return nil, 0, ErrShortFrame
	}
	payload = b[4 : 4+length]
	want := binary.BigEndian.Uint32(b[4+length:])
	if crc32.Checksum(b[:4+length], castagnoli) != want {
		return nil, 0, ErrFrameCRC
	}
	return payload, n, nil
}

// segmentHeader returns the header of a segment whose first record is first.
func segmentHeader(first uint64) []byte {
	h := make([]byte, 0, segmentHeaderSize)
	h = append(h, segmentMagic...)
	h = binary.BigEndian.AppendUint16(h, FormatVersion)
	return binary.BigEndian.AppendUint64(h, first)
}

// parseSegmentHeader checks magic and version and returns the first index.
func parseSegmentHeader(b []byte) (uint64, error) {
	if len(b) < segmentHeaderSize {
		return 0, errors.New("segment header cut short")
	}
	if string(b[:6]) != segmentMagic {
		return 0, errors.New("not an audit segment (bad magic)")
	}
	if v := binary.BigEndian.Uint16(b[6:8]); v != FormatVersion {
		return 0, fmt.Errorf("segment format version %d, this build reads %d", v, FormatVersion)
	}
	return binary.BigEndian.Uint64(b[8:16]), nil
}
