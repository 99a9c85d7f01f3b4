package audit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sync"
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
			return fmt.Errorf("got record %d (%s), want %d", e.Index, e.Record.RequestID, next) // fn may run off the test goroutine
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

// TestReadRecordsEndsAtTornTail: a half-written frame after the latest
// checkpoint (the gateway appending, or a crash) ends the read cleanly; the
// same damage inside the signed part is tampering.
func TestReadRecordsEndsAtTornTail(t *testing.T) {
	dir := writeLog(t, 30, testOptions())
	path, data, spans, i := segFrames(t, dir, 29)
	writeFile(t, path, append(bytes.Clone(data), data[spans[i].off:spans[i].off+11]...))
	n := 0
	if err := ReadRecords(dir, func(Entry) error { n++; return nil }, nil); err != nil || n != 30 {
		t.Fatalf("read over a torn tail: %d records, %v; want 30 and no error", n, err)
	}
	writeFile(t, path, data[:spans[i].off+11]) // cut inside signed record 29
	n = 0
	if err := ReadRecords(dir, func(Entry) error { n++; return nil }, nil); !errors.Is(err, ErrTampered) || n != 29 {
		t.Fatalf("read over a cut signed record: %d records, %v; want 29 and ErrTampered", n, err)
	}
}

// TestVerifySurvivesConcurrentRetention: retention pruning the oldest
// segments while verify reads the log must not look like tampering: the
// walk notices that prune.json moved and starts again.
func TestVerifySurvivesConcurrentRetention(t *testing.T) {
	opts := testOptions()
	opts.Mode = ModeBatch
	opts.SegmentMaxRecords = 2500
	dir := writeLog(t, 10000, opts)
	wr, err := (&walker{dir: dir}).walk()
	if err != nil || wr.problem != nil {
		t.Fatal(err, wr.problem)
	}
	// What retention writes when it deletes the first three segments.
	pruned := pruneState{Version: 1, Size: wr.segments[2].end(), Hashes: wr.segments[2].endHashes}
	prune := sync.OnceFunc(func() {
		if err := writePruneState(dir, pruned); err != nil {
			t.Error(err)
		}
		for _, s := range wr.segments[:3] {
			if err := os.Remove(s.path); err != nil {
				t.Error(err)
			}
		}
	})
	calls := 0
	res, err := Verify(dir, VerifyOptions{Keys: []string{testVKey(t)}, Progress: func(n uint64) {
		calls++
		if n == progressEvery { // reading segment 1; segment 2 vanishes before it is read
			prune()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Intact() || res.Pruned != 7500 || res.Records != 10000 || calls < 3 {
		t.Fatalf("verify across a prune = %+v (%d progress calls)", res, calls)
	}
	keys := []string{testVKey(t)}
	if p, err := Prove(dir, 9000, keys); err != nil || CheckProof(p, keys) != nil {
		t.Fatalf("prove after the prune: %v", err)
	}
	// Someone deleting a segment without retention is still caught.
	if err := os.Remove(wr.segments[3].path); err != nil {
		t.Fatal(err)
	}
	if res := mustVerify(t, dir); res.Intact() {
		t.Fatal("a deleted segment went unnoticed")
	}
}
