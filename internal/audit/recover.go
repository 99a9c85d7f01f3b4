package audit

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// recover reads the whole log, checks it against every signed checkpoint and
// prepares the writer state.
//
// A torn tail is told apart from tampering like this: a crash can only damage
// bytes that were never fsynced, and a checkpoint is only ever signed over
// fsynced records. So damage to a frame in the last segment at or beyond the
// largest signed size is treated as a torn write: the bytes from that frame
// on are moved to DIR/torn/ (kept, never deleted) and cut from the segment.
// Damage anywhere a checkpoint covers, a log shorter than a checkpoint, or a
// structural defect (wrong index, bad header) is tampering: Open refuses the
// log with ErrTampered and the gateway stays closed.
func (l *Log) recover(cs *checkpointSet) error {
	if err := l.trimHistory(cs.historyEnd); err != nil {
		return err
	}
	var res *walkResult
	for attempt := 0; ; attempt++ {
		var err error
		res, err = (&walker{dir: l.dir, checks: cs.checks}).walk()
		if err != nil {
			return err
		}
		if res.problem == nil {
			break
		}
		if attempt > 0 || !res.isTornTail(cs.checks) {
			return fmt.Errorf("%w: %s", ErrTampered, res.problem)
		}
		if err := l.cutTornTail(res.segments[res.badSeg], res.badOff); err != nil {
			return err
		}
	}
	w := &l.w
	w.tree, w.prune, w.lh = res.tree, res.prune, newLeafHasher()
	if n := len(res.segments); n > 0 {
		last := res.segments[n-1]
		f, err := os.OpenFile(last.path, os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open segment: %w", err)
		}
		// Records recovered beyond the last checkpoint become durable now.
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("fsync segment: %w", err)
		}
		w.seg, w.segFirst, w.segBytes, w.segCount = wrapSegment(f), last.first, last.bytes, int64(last.count)
		w.segStart = firstRecordTime(last.path, l.opts.Now())
		w.segments = res.segments[:n-1]
	} else if err := l.createSegment(res.next()); err != nil {
		return err
	}
	size := res.next()
	l.stats.appended.Store(size)
	l.stats.durable.Store(size)
	w.lastCkSize, w.covered = size, size
	if !cs.hasLatest || cs.latestC.Size != size {
		if err := l.writeCheckpoint(Checkpoint{Origin: l.opts.Origin, Size: size, Root: rootOf(w.tree)}); err != nil {
			return err
		}
	} else {
		l.stats.checkpoint.Store(size)
	}
	l.retain()
	return nil
}

// cutTornTail moves the bytes of seg from off on into DIR/torn/ and
// truncates the segment there (removing it when even its header tore).
func (l *Log) cutTornTail(seg segmentInfo, off int64) error {
	data, err := os.ReadFile(seg.path)
	if err != nil {
		return fmt.Errorf("read torn segment: %w", err)
	}
	dir := filepath.Join(l.dir, tornDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("keep torn tail: %w", err)
	}
	keep := filepath.Join(dir, fmt.Sprintf("%s.%d.torn", filepath.Base(seg.path), off))
	if err := writeFileAtomic(keep, data[off:], 0o644); err != nil {
		return fmt.Errorf("keep torn tail: %w", err)
	}
	if off == 0 {
		if err := os.Remove(seg.path); err != nil {
			return fmt.Errorf("remove torn segment: %w", err)
		}
	} else if err := truncateSync(seg.path, off); err != nil {
		return err
	}
	return syncDir(filepath.Dir(seg.path))
}

// trimHistory cuts a torn entry off the end of checkpoints.log.
func (l *Log) trimHistory(end int64) error {
	path := filepath.Join(l.dir, historyFile)
	st, err := os.Stat(path)
	if os.IsNotExist(err) || (err == nil && st.Size() == end) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint history: %w", err)
	}
	return truncateSync(path, end)
}

func truncateSync(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("truncate: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("truncate: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("truncate: %w", err)
	}
	return nil
}

// firstRecordTime returns the time of a segment's first record, so that age
// rotation counts from it across restarts; def when it cannot be read.
func firstRecordTime(path string, def time.Time) time.Time {
	f, err := os.Open(path)
	if err != nil {
		return def
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, segmentHeaderSize+frameOverhead+MaxPayload))
	if err != nil || len(data) <= segmentHeaderSize {
		return def
	}
	payload, _, err := readFrame(data[segmentHeaderSize:])
	if err != nil {
		return def
	}
	e, err := DecodePayload(payload)
	if err != nil {
		return def
	}
	return e.Record.Time
}
