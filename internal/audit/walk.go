package audit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/transparency-dev/merkle/compact"
)

// Problem kinds, stable names shown by verify.
const (
	KindFrameCRC    = "crc"               // a frame's checksum does not match
	KindFrameLength = "frame-length"      // a frame's length field is out of range
	KindShortFrame  = "short-frame"       // a frame is cut off at the end of its file
	KindPayload     = "payload"           // a frame holds no valid record payload
	KindIndex       = "index"             // a record sits at the wrong position
	KindSegment     = "segment"           // a segment file is missing, misnamed or damaged
	KindRoot        = "root-mismatch"     // records do not hash to a signed root
	KindTruncated   = "truncated"         // fewer records than a checkpoint signs
	KindSignature   = "signature"         // a checkpoint's signature does not verify
	KindCheckpoint  = "checkpoint"        // a checkpoint is missing or malformed
	KindPruneState  = "prune-state"       // prune.json is unreadable
	KindTornTail    = "torn-tail"         // (warning) damaged unsigned tail, as a crash leaves
	KindUnsigned    = "unsigned-tail"     // (warning) records after the latest checkpoint
	KindUncheckable = "pruned-checkpoint" // (warning) checkpoint older than the pruned prefix
)

// Problem is one defect found in a log. Index is the first record index that
// is bad, or -1 when the defect is not about a record (a bad signature). For
// KindRoot the bad record lies in [Index, RangeEnd).
type Problem struct {
	Index    int64  `json:"index"`
	Kind     string `json:"kind"`
	Detail   string `json:"detail"`
	Segment  string `json:"segment,omitempty"`
	Offset   int64  `json:"offset,omitempty"`
	RangeEnd int64  `json:"range_end,omitempty"`
}

func (p Problem) String() string {
	s := p.Kind
	if p.Index >= 0 {
		s = fmt.Sprintf("record %d: %s", p.Index, p.Kind)
	}
	s += ": " + p.Detail
	if p.Segment != "" {
		s += fmt.Sprintf(" (%s offset %d)", p.Segment, p.Offset)
	}
	return s
}

// segmentInfo is what a walk learned about one segment.
type segmentInfo struct {
	segmentFile
	count     uint64
	bytes     int64
	modTime   time.Time
	endHashes [][]byte // compact range [0, first+count) after this segment
}

func (s segmentInfo) end() uint64 { return s.first + s.count }

// progressEvery is how many records a walk reads between progress calls;
// the caller decides how often to print.
const progressEvery = 1 << 12

// walker streams every record of a directory through the Merkle tree.
type walker struct {
	dir      string
	checks   []Checkpoint // verified checkpoints, sorted by size
	onRecord func(index uint64, payload []byte) error
	visitor  compact.VisitFn
	stopAt   uint64 // stop once the tree has this many leaves; 0: read all
	progress func(records uint64)
}

type walkResult struct {
	prune    pruneState
	tree     *compact.Range
	segments []segmentInfo
	problem  *Problem
	badSeg   int   // segment holding a frame problem, -1 if none
	badOff   int64 // its offset
	matched  uint64
	checked  int
	warnings []Problem
}

// next is the index the next record would get.
func (r *walkResult) next() uint64 { return r.tree.End() }

// walk reads the log. A defect ends the walk and is returned in problem; an
// error is returned only for failures outside the data (I/O, callbacks).
func (w *walker) walk() (*walkResult, error) {
	res := &walkResult{badSeg: -1}
	if w.progress != nil {
		defer func() { // also when a defect ends the walk early
			if res.tree != nil {
				w.progress(res.next())
			}
		}()
	}
	p, err := readPruneState(w.dir)
	if err != nil {
		res.problem = &Problem{Index: -1, Kind: KindPruneState, Detail: err.Error()}
		res.tree = newRangeFactory().NewEmptyRange(0)
		return res, nil
	}
	res.prune = p
	res.tree, _ = p.tree()
	res.matched = p.Size
	if w.visitor != nil {
		for i, id := range compact.RangeNodes(0, p.Size, nil) {
			w.visitor(id, p.Hashes[i])
		}
	}
	ci := 0
	for ; ci < len(w.checks) && w.checks[ci].Size <= p.Size; ci++ {
		c := w.checks[ci]
		if c.Size < p.Size {
			res.warnings = append(res.warnings, Problem{Index: -1, Kind: KindUncheckable,
				Detail: fmt.Sprintf("checkpoint of size %d predates the pruned prefix (%d records)", c.Size, p.Size)})
			continue
		}
		if !sameRoot(rootOf(res.tree), c.Root) {
			res.problem = &Problem{Index: -1, Kind: KindPruneState,
				Detail: fmt.Sprintf("pruned prefix does not hash to the root signed at size %d", c.Size)}
			return res, nil
		}
		res.checked++
	}
	segs, err := listSegments(w.dir)
	if err != nil {
		return nil, err
	}
	lh := newLeafHasher()
	var modTime time.Time
	for si, seg := range segs {
		if w.stopAt > 0 && res.next() >= w.stopAt {
			break
		}
		next := res.next()
		name := filepath.Base(seg.path)
		if seg.first != next {
			if seg.first > next && pruneMoved(w.dir, p) {
				return nil, errPrunedDuringWalk
			}
			detail := fmt.Sprintf("segment starts at index %d, expected %d", seg.first, next)
			if seg.first > next {
				detail += fmt.Sprintf(": records %d..%d are missing", next, seg.first-1)
			}
			res.problem = &Problem{Index: int64(next), Kind: KindSegment, Detail: detail, Segment: name}
			return res, nil
		}
		data, err := os.ReadFile(seg.path)
		if err == nil {
			var st os.FileInfo
			if st, err = os.Stat(seg.path); err == nil {
				modTime = st.ModTime()
			}
		}
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && pruneMoved(w.dir, p) {
				return nil, errPrunedDuringWalk
			}
			return nil, fmt.Errorf("read segment: %w", err)
		}
		if len(data) < segmentHeaderSize {
			// A crash while creating a segment leaves a short header.
			res.problem = &Problem{Index: int64(next), Kind: KindShortFrame, Detail: "segment header cut short", Segment: name}
			res.badSeg, res.badOff = si, 0
			res.segments = append(res.segments, segmentInfo{segmentFile: seg, bytes: int64(len(data)), modTime: modTime})
			return res, nil
		}
		first, err := parseSegmentHeader(data)
		if err == nil && first != seg.first {
			err = fmt.Errorf("header says first index %d, file name says %d", first, seg.first)
		}
		if err != nil {
			res.problem = &Problem{Index: int64(next), Kind: KindSegment, Detail: err.Error(), Segment: name}
			res.badSeg, res.badOff = si, 0
			return res, nil
		}
		info := segmentInfo{segmentFile: seg, bytes: int64(len(data)), modTime: modTime}
		off := segmentHeaderSize
		for off < len(data) {
			if w.stopAt > 0 && res.next() >= w.stopAt {
				break
			}
			idx := res.next()
			payload, n, err := readFrame(data[off:])
			if err != nil {
				kind := KindFrameCRC
				switch {
				case errors.Is(err, ErrShortFrame):
					kind = KindShortFrame
				case errors.Is(err, ErrFrameLength):
					kind = KindFrameLength
				}
				res.problem = &Problem{Index: int64(idx), Kind: kind, Detail: err.Error(), Segment: name, Offset: int64(off)}
				res.badSeg, res.badOff = si, int64(off)
				res.segments = append(res.segments, info)
				return res, nil
			}
			got, err := payloadIndex(payload)
			if err != nil {
				res.problem = &Problem{Index: int64(idx), Kind: KindPayload, Detail: err.Error(), Segment: name, Offset: int64(off)}
				return res, nil
			}
			if got != idx {
				how := "deleted or moved"
				if got < idx {
					how = "inserted, duplicated or moved"
				}
				res.problem = &Problem{Index: int64(idx), Kind: KindIndex, Segment: name, Offset: int64(off),
					Detail: fmt.Sprintf("expected record %d, found record %d (a record was %s)", idx, got, how)}
				return res, nil
			}
			if err := res.tree.Append(lh.hash(payload), w.visitor); err != nil {
				return nil, fmt.Errorf("merkle append: %w", err)
			}
			if w.onRecord != nil {
				if err := w.onRecord(idx, payload); err != nil {
					return nil, err
				}
			}
			off += n
			info.count++
			if w.progress != nil && res.next()%progressEvery == 0 {
				w.progress(res.next())
			}
			for ; ci < len(w.checks) && w.checks[ci].Size == res.next(); ci++ {
				c := w.checks[ci]
				if !sameRoot(rootOf(res.tree), c.Root) {
					res.problem = &Problem{Index: int64(res.matched), Kind: KindRoot, RangeEnd: int64(c.Size),
						Detail: fmt.Sprintf("records %d..%d do not hash to the root signed at size %d: one of them was modified, inserted or deleted with its checksum rewritten",
							res.matched, c.Size-1, c.Size)}
					return res, nil
				}
				res.matched = c.Size
				res.checked++
			}
		}
		info.endHashes = append([][]byte(nil), res.tree.Hashes()...)
		res.segments = append(res.segments, info)
	}
	if w.stopAt == 0 && ci < len(w.checks) {
		last := w.checks[len(w.checks)-1]
		res.problem = &Problem{Index: int64(res.next()), Kind: KindTruncated,
			Detail: fmt.Sprintf("the log ends at %d records but a checkpoint signs %d: records %d..%d are missing",
				res.next(), last.Size, res.next(), last.Size-1)}
	}
	return res, nil
}

// errPrunedDuringWalk says retention deleted segments while a walk read the
// log (verify, prove and export may run beside the gateway). Verify and
// Prove start again; ReadRecords, which already delivered records, reports it.
var errPrunedDuringWalk = errors.New("retention deleted segments while the log was read; run again")

// pruneMoved reports whether prune.json now covers more records than p did:
// a segment that vanished mid-walk was pruned, not deleted by someone else.
func pruneMoved(dir string, p pruneState) bool {
	q, err := readPruneState(dir)
	return err == nil && q.Size > p.Size
}

// walkRetrying runs w.walk, starting again (a few times) when retention
// pruned the log under it. Only for walks whose callbacks can run twice.
func (w *walker) walkRetrying() (*walkResult, error) {
	for attempt := 1; ; attempt++ {
		res, err := w.walk()
		if !errors.Is(err, errPrunedDuringWalk) || attempt == 3 {
			return res, err
		}
	}
}

// signedSize is the largest size any known checkpoint signs.
func signedSize(checks []Checkpoint) uint64 {
	if len(checks) == 0 {
		return 0
	}
	return checks[len(checks)-1].Size
}

// isTornTail reports whether the walk's problem is damage that a crash can
// leave: a bad frame in the last segment, at or beyond every signed size.
// Records there were never covered by a checkpoint; in sync mode they were
// never acknowledged either, since an fsynced frame cannot tear.
func (r *walkResult) isTornTail(checks []Checkpoint) bool {
	p := r.problem
	if p == nil || r.badSeg < 0 || r.badSeg != len(r.segments)-1 || p.Index < 0 {
		return false
	}
	if p.Kind != KindFrameCRC && p.Kind != KindShortFrame && p.Kind != KindFrameLength {
		return false
	}
	segs, err := listSegments(filepathDirOf(r.segments[r.badSeg].path))
	if err != nil || len(segs) != len(r.segments) {
		return false
	}
	return uint64(p.Index) >= signedSize(checks)
}

// filepathDirOf returns the log directory of a segment path.
func filepathDirOf(segPath string) string { return filepath.Dir(filepath.Dir(segPath)) }

// leafHasher computes RFC 6962 leaf hashes reusing one SHA-256 state.
type leafHasher struct{ h hash.Hash }

func newLeafHasher() *leafHasher { return &leafHasher{h: sha256.New()} }

func (l *leafHasher) hash(payload []byte) []byte {
	l.h.Reset()
	l.h.Write([]byte{0})
	l.h.Write(payload)
	return l.h.Sum(make([]byte, 0, sha256.Size))
}
