package audit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// TestReadRecordsOrderAndStops: records arrive in index order across decode
// chunks; an undecodable record stops the read exactly there, after every
// record before it; an error from fn stops it and is returned as is.
func TestReadRecordsOrderAndStops(t *testing.T) {
	const n, bad = 3 * decodeChunkSize, decodeChunkSize + 17
	opts := testOptions()
	opts.Mode = ModeBatch
	opts.SegmentMaxRecords = 0
	dir := writeLog(t, n, opts)

	next := uint64(0)
	if err := ReadRecords(dir, func(e Entry) error {
		if e.Index != next || e.Record.RequestID != testRecord(int(next)).RequestID {
			t.Fatalf("got record %d (%s), want %d", e.Index, e.Record.RequestID, next)
		}
		next++
		return nil
	}, nil); err != nil || next != n {
		t.Fatalf("read %d records, %v; want %d", next, err, n)
	}

	errStop := errors.New("stop here")
	calls := 0
	err := ReadRecords(dir, func(e Entry) error {
		calls++
		if e.Index == bad {
			return errStop
		}
		return nil
	}, nil)
	if !errors.Is(err, errStop) || calls != bad+1 {
		t.Fatalf("fn error: %v after %d calls, want errStop after %d", err, calls, bad+1)
	}

	// An unknown field with a fixed CRC: the frame reads, the record does
	// not decode.
	path, data, spans, i := segFrames(t, dir, bad)
	frame := data[spans[i].off:spans[i].end]
	j := bytes.Index(frame, []byte(`"tenant":`))
	frame[j+6] = 'T'
	binary.BigEndian.PutUint32(frame[len(frame)-4:], crc32.Checksum(frame[:len(frame)-4], castagnoli))
	writeFile(t, path, data)
	got := 0
	err = ReadRecords(dir, func(e Entry) error { got++; return nil }, nil)
	if !errors.Is(err, ErrPayload) || got != bad {
		t.Fatalf("undecodable record: %v after %d records, want ErrPayload after %d", err, got, bad)
	}
}
