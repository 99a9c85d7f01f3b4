package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// frameSpan is one frame's place in a segment file.
type frameSpan struct{ off, end int }

// segFrames returns the frames of the segment holding record idx and its path.
func segFrames(t *testing.T, dir string, idx uint64) (string, []byte, []frameSpan, int) {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].first > idx {
			continue
		}
		data, err := os.ReadFile(segs[i].path)
		if err != nil {
			t.Fatal(err)
		}
		var spans []frameSpan
		for off := segmentHeaderSize; off < len(data); {
			_, n, err := readFrame(data[off:])
			if err != nil {
				t.Fatalf("setup: %v", err)
			}
			spans = append(spans, frameSpan{off, off + n})
			off += n
		}
		return segs[i].path, data, spans, int(idx - segs[i].first)
	}
	t.Fatalf("no segment holds %d", idx)
	return "", nil, nil, 0
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// resignAll replaces every checkpoint with one signed by key over the
// current (tampered) records, as an attacker with their own key would.
func resignAll(t *testing.T, dir string, key ed25519.PrivateKey) {
	t.Helper()
	wr, err := (&walker{dir: dir}).walk()
	if err != nil || wr.problem != nil {
		t.Fatalf("resign walk: %v %v", err, wr.problem)
	}
	s, vkey, err := newSigner("sovereign.audit/test", key)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := signCheckpoint(Checkpoint{Origin: "sovereign.audit/test", Size: wr.next(), Root: rootOf(wr.tree)}, s)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, checkpointFile), msg)
	writeFile(t, filepath.Join(dir, historyFile), appendFrame(nil, msg))
	writeFile(t, filepath.Join(dir, pubKeyFile), []byte(vkey+"\n"))
}

func TestTamperDetected(t *testing.T) {
	const k = 40 // the record every case damages; records 25..49 are segment 1
	cases := []struct {
		name      string
		tamper    func(t *testing.T, dir string)
		external  bool   // verify with the key and final checkpoint kept outside dir
		kind      string // expected first problem
		firstBad  int64
		rangeHits bool // KindRoot: [Index, RangeEnd) must contain k
	}{
		{name: "flip a byte", kind: KindFrameCRC, firstBad: k, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, k)
			data[spans[i].off+30] ^= 0x01
			writeFile(t, path, data)
		}},
		{name: "modify and fix checksum", kind: KindRoot, rangeHits: true, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, k)
			s := spans[i]
			frame := data[s.off:s.end]
			j := bytes.Index(frame, []byte(`"bytes_out":`)) + len(`"bytes_out":`)
			frame[j] = '9' // same length, different value
			binary.BigEndian.PutUint32(frame[len(frame)-4:], crc32.Checksum(frame[:len(frame)-4], castagnoli))
			writeFile(t, path, data)
		}},
		{name: "delete a record", kind: KindIndex, firstBad: k, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, k)
			writeFile(t, path, append(data[:spans[i].off:spans[i].off], data[spans[i].end:]...))
		}},
		{name: "insert a record", kind: KindIndex, firstBad: k + 1, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, k)
			s := spans[i]
			out := append(append(append([]byte(nil), data[:s.end]...), data[s.off:s.end]...), data[s.end:]...)
			writeFile(t, path, out)
		}},
		{name: "reorder two records", kind: KindIndex, firstBad: k, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, k)
			a, b := spans[i], spans[i+1]
			out := append([]byte(nil), data[:a.off]...)
			out = append(out, data[b.off:b.end]...)
			out = append(out, data[a.off:a.end]...)
			writeFile(t, path, append(out, data[b.end:]...))
		}},
		{name: "truncate mid-record", kind: KindShortFrame, firstBad: 90, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, 90)
			writeFile(t, path, data[:spans[i].off+7])
		}},
		{name: "truncate whole records", kind: KindTruncated, firstBad: 90, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, 90)
			writeFile(t, path, data[:spans[i].off])
		}},
		{name: "delete a middle segment", kind: KindSegment, firstBad: 25, tamper: func(t *testing.T, dir string) {
			path, _, _, _ := segFrames(t, dir, k)
			os.Remove(path)
		}},
		{name: "delete the last segment", kind: KindTruncated, firstBad: 75, tamper: func(t *testing.T, dir string) {
			path, _, _, _ := segFrames(t, dir, 99)
			os.Remove(path)
		}},
		{name: "forge checkpoint size", kind: KindSignature, firstBad: -1, tamper: func(t *testing.T, dir string) {
			p := filepath.Join(dir, checkpointFile)
			b, _ := os.ReadFile(p)
			writeFile(t, p, bytes.Replace(b, []byte("\n100\n"), []byte("\n90\n"), 1))
		}},
		{name: "delete the checkpoint", kind: KindCheckpoint, firstBad: -1, tamper: func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, checkpointFile))
		}},
		{name: "edit a checkpoint in the history", kind: KindSignature, firstBad: -1, tamper: func(t *testing.T, dir string) {
			p := filepath.Join(dir, historyFile)
			hist, _ := os.ReadFile(p)
			var out []byte
			for off := 0; off < len(hist); {
				payload, n, _ := readFrame(hist[off:])
				out = appendFrame(out, bytes.Replace(payload, []byte("\n16\n"), []byte("\n15\n"), 1))
				off += n
			}
			writeFile(t, p, out)
		}},
		{name: "delete every segment", kind: KindTruncated, firstBad: 0, tamper: func(t *testing.T, dir string) {
			segs, _ := listSegments(dir)
			for _, s := range segs {
				os.Remove(s.path)
			}
		}},
		{name: "checkpoint signed by another key", kind: KindSignature, firstBad: -1, tamper: func(t *testing.T, dir string) {
			s, _, _ := newSigner("sovereign.audit/test", ed25519Key(9))
			msg, _ := signCheckpoint(Checkpoint{Origin: "sovereign.audit/test", Size: 100, Root: make([]byte, 32)}, s)
			writeFile(t, filepath.Join(dir, checkpointFile), msg)
		}},
		{name: "modify and re-sign with own key", external: true, kind: KindRoot, rangeHits: true, tamper: func(t *testing.T, dir string) {
			path, data, spans, i := segFrames(t, dir, k)
			frame := data[spans[i].off:spans[i].end]
			frame[bytes.Index(frame, []byte(`"bytes_out":`))+len(`"bytes_out":`)] = '9'
			binary.BigEndian.PutUint32(frame[len(frame)-4:], crc32.Checksum(frame[:len(frame)-4], castagnoli))
			writeFile(t, path, data)
			resignAll(t, dir, ed25519Key(9))
		}},
		{name: "roll back to an old checkpoint", external: true, kind: KindTruncated, firstBad: 64, tamper: func(t *testing.T, dir string) {
			// Drop records 64.. and every checkpoint above 64: only a
			// checkpoint kept outside the directory can tell.
			path, data, spans, i := segFrames(t, dir, 64)
			writeFile(t, path, data[:spans[i].off])
			p, _, _, _ := segFrames(t, dir, 99)
			os.Remove(p)
			hist, _ := os.ReadFile(filepath.Join(dir, historyFile))
			var keep []byte
			for off := 0; off < len(hist); {
				payload, n, _ := readFrame(hist[off:])
				if strings.Contains(string(payload), "\n64\n") {
					writeFile(t, filepath.Join(dir, checkpointFile), payload)
					keep = hist[:off+n]
				}
				off += n
			}
			writeFile(t, filepath.Join(dir, historyFile), keep)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeLog(t, 100, testOptions())
			final, err := os.ReadFile(filepath.Join(dir, checkpointFile))
			if err != nil {
				t.Fatal(err)
			}
			if res := mustVerify(t, dir); !res.Intact() {
				t.Fatalf("before tampering: %+v", res.Problems)
			}
			tc.tamper(t, dir)
			vo := VerifyOptions{}
			if tc.external {
				vo = VerifyOptions{Keys: []string{testVKey(t)}, Checkpoints: [][]byte{final}}
			} else {
				// Without outside help the directory's own key must do.
				if res, err := Verify(dir, vo); err != nil || res.Intact() {
					t.Fatalf("not detected with DIR/checkpoint.pub: %v %+v", err, res)
				}
				vo.Keys = []string{testVKey(t)}
			}
			res, err := Verify(dir, vo)
			if err != nil {
				t.Fatal(err)
			}
			if res.Intact() {
				t.Fatalf("tampering not detected: %+v", res)
			}
			p := res.Problems[0]
			if p.Kind != tc.kind {
				t.Fatalf("first problem = %v, want kind %s (all: %v)", p, tc.kind, res.Problems)
			}
			if tc.rangeHits {
				if !(p.Index <= k && k < p.RangeEnd) {
					t.Fatalf("root mismatch range [%d, %d) misses record %d", p.Index, p.RangeEnd, k)
				}
			} else if res.FirstBad != tc.firstBad {
				t.Fatalf("first bad = %d, want %d (%v)", res.FirstBad, tc.firstBad, p)
			}
			if !tc.external {
				if _, err := Open(dir, testOptions()); !errors.Is(err, ErrTampered) {
					t.Fatalf("Open of tampered log = %v, want ErrTampered", err)
				}
			}
		})
	}
}

func TestTornTailRecovered(t *testing.T) {
	dir := writeLog(t, 30, testOptions())
	path, data, spans, i := segFrames(t, dir, 29)
	last := data[spans[i].off:spans[i].end]
	// A crash mid-write: the next frame's first bytes, nothing after.
	writeFile(t, path, append(data, last[:11]...))
	res := mustVerify(t, dir)
	if !res.Intact() || len(res.Warnings) != 1 || res.Warnings[0].Kind != KindTornTail || res.Warnings[0].Index != 30 {
		t.Fatalf("verify of torn tail = %+v", res)
	}
	appendRecords(t, dir, 30, 5, testOptions())
	res = mustVerify(t, dir)
	if !res.Intact() || res.Records != 35 || len(res.Warnings) != 0 {
		t.Fatalf("after recovery: %+v", res)
	}
	kept, err := os.ReadDir(filepath.Join(dir, tornDir))
	if err != nil || len(kept) != 1 {
		t.Fatalf("torn bytes not kept: %v %v", kept, err)
	}
}

func TestTornSegmentHeaderRecovered(t *testing.T) {
	opts := testOptions()
	dir := writeLog(t, 25, opts) // exactly one full segment
	writeFile(t, filepath.Join(dir, segmentsDir, segmentName(25)), []byte("SOVA"))
	appendRecords(t, dir, 25, 5, opts)
	if res := mustVerify(t, dir); !res.Intact() || res.Records != 30 {
		t.Fatalf("verify = %+v", res)
	}
}

// TestMissingFirstCheckpointHeals: a crash in a new log's first Open can
// leave the history entry of the empty tree without DIR/checkpoint; that is
// not tampering, and the next Open carries on.
func TestMissingFirstCheckpointHeals(t *testing.T) {
	dir := writeLog(t, 0, testOptions())
	if err := os.Remove(filepath.Join(dir, checkpointFile)); err != nil {
		t.Fatal(err)
	}
	appendRecords(t, dir, 0, 3, testOptions())
	if res := mustVerify(t, dir); !res.Intact() || res.Records != 3 {
		t.Fatalf("verify = %+v", res)
	}
}
