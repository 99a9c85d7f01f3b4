package audit

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"time"
)

// maxBatch bounds how many queued appends one group commit takes.
const maxBatch = 4096

// writer is the single goroutine that owns the segment file: it gathers every
// queued append into one write, fsyncs once (sync mode, or a Sync barrier),
// then releases the waiters. In batch mode it fsyncs at most BatchWindow
// after the first unsynced write.
func (l *Log) writer() {
	defer close(l.done)
	defer close(l.ckReq)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var window <-chan time.Time // armed while unsynced records wait (batch mode)
	var dirtySince time.Time    // when the oldest unsynced write happened
	ticker := time.NewTicker(l.opts.CheckpointInterval)
	defer ticker.Stop()
	batch := make([]*pending, 0, 64)
	for {
		select {
		case p, ok := <-l.queue:
			if !ok {
				l.shutdown()
				return
			}
			batch = append(batch[:0], p)
			closing := false
		drain:
			for len(batch) < maxBatch {
				select {
				case q, ok := <-l.queue:
					if !ok {
						closing = true
						break drain
					}
					batch = append(batch, q)
				default:
					break drain
				}
			}
			dirty := l.commit(batch)
			clear(batch)
			switch {
			case !dirty:
				if window != nil { // everything is durable already
					timer.Stop()
					window = nil
				}
			case window == nil:
				dirtySince = time.Now()
				timer.Reset(l.opts.BatchWindow)
				window = timer.C
			case time.Since(dirtySince) >= l.opts.BatchWindow:
				// A busy queue must not starve the timer: the bound holds
				// however many batches arrive in a row.
				timer.Stop()
				window = nil
				l.syncAndCheckpoint(false)
			}
			if closing {
				l.shutdown()
				return
			}
		case <-window:
			window = nil
			l.syncAndCheckpoint(false)
		case <-ticker.C:
			l.rotateIfAged()
			l.syncAndCheckpoint(true)
			l.retain()
		}
	}
}

// commit writes one batch. It reports whether unsynced bytes remain (batch
// mode), so the caller arms the batch window.
func (l *Log) commit(batch []*pending) (dirty bool) {
	err := l.failedErr()
	needSync := l.opts.Mode == ModeSync
	if err == nil {
		for _, p := range batch {
			if p.body == nil {
				needSync = true
				continue
			}
			if err = l.writeRecord(p.body, p.at); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = l.flushBuf()
	}
	if err == nil && needSync {
		err = l.fsync()
	}
	if err != nil {
		l.fail(err)
		err = l.failedErr()
	}
	for _, p := range batch {
		if p.done != nil {
			p.done <- err
		}
	}
	if err != nil {
		return false
	}
	if needSync {
		l.maybeCheckpoint(false)
		return false
	}
	return l.stats.durable.Load() < l.w.tree.End()
}

// writeRecord frames the record at the next index into the write buffer,
// rotating first if the segment is full. at is the record's time.
func (l *Log) writeRecord(body []byte, at time.Time) error {
	w := &l.w
	frameLen := int64(frameOverhead + len(payloadPrefix) + 20 + len(payloadMiddle) + len(body) + 1)
	full := w.segBytes+frameLen > l.opts.SegmentMaxBytes ||
		(l.opts.SegmentMaxRecords > 0 && w.segCount >= l.opts.SegmentMaxRecords) ||
		l.segmentAged(at)
	if full && w.segCount > 0 {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	if w.segCount == 0 {
		w.segStart = at
	}
	start := len(w.buf)
	w.buf = append(w.buf, 0, 0, 0, 0)
	w.buf = appendPayload(w.buf, w.tree.End(), body)
	payload := w.buf[start+4:]
	binary.BigEndian.PutUint32(w.buf[start:], uint32(len(payload)))
	if len(payload) > MaxPayload {
		w.buf = w.buf[:start]
		return fmt.Errorf("record of %d bytes exceeds %d", len(payload), MaxPayload)
	}
	leaf := w.lh.hash(payload)
	w.buf = binary.BigEndian.AppendUint32(w.buf, crc32.Checksum(w.buf[start:], castagnoli))
	if err := w.tree.Append(leaf, nil); err != nil {
		return fmt.Errorf("merkle append: %w", err)
	}
	w.segBytes += int64(len(w.buf) - start)
	w.segCount++
	return nil
}

// flushBuf writes the buffered frames to the segment file.
func (l *Log) flushBuf() error {
	w := &l.w
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.seg.Write(w.buf)
	if cap(w.buf) > 4<<20 {
		w.buf = nil // do not pin a burst's buffer forever
	} else {
		w.buf = w.buf[:0]
	}
	if err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	l.stats.appended.Store(w.tree.End())
	return nil
}

func (l *Log) fsync() error {
	if err := l.w.seg.Sync(); err != nil {
		return fmt.Errorf("fsync segment: %w", err)
	}
	l.stats.durable.Store(l.stats.appended.Load())
	return nil
}

// syncAndCheckpoint fsyncs unsynced records, then checkpoints if due (force:
// the interval elapsed).
func (l *Log) syncAndCheckpoint(force bool) {
	if l.failedErr() != nil {
		return
	}
	if l.stats.durable.Load() < l.stats.appended.Load() {
		if err := l.fsync(); err != nil {
			l.fail(err)
			return
		}
	}
	l.maybeCheckpoint(force)
}

// maybeCheckpoint hands a checkpoint of the durable tree to the checkpointer
// when CheckpointEvery records accumulated, or on force. Only call it when
// every written record is durable.
func (l *Log) maybeCheckpoint(force bool) {
	w := &l.w
	size := w.tree.End()
	if size <= w.lastCkSize || size != l.stats.durable.Load() {
		return
	}
	if !force && int64(size-w.lastCkSize) < l.opts.CheckpointEvery {
		return
	}
	w.lastCkSize = size
	c := Checkpoint{Origin: l.opts.Origin, Size: size, Root: rootOf(w.tree)}
	select {
	case l.ckReq <- c:
	default:
		select { // replace a request the checkpointer has not taken yet
		case <-l.ckReq:
		default:
		}
		l.ckReq <- c
	}
}

// rotate seals the current segment and starts the next one.
func (l *Log) rotate() error {
	w := &l.w
	if err := l.flushBuf(); err != nil {
		return err
	}
	if err := l.fsync(); err != nil {
		return err
	}
	if err := w.seg.Close(); err != nil {
		return fmt.Errorf("close segment: %w", err)
	}
	w.segments = append(w.segments, segmentInfo{
		segmentFile: segmentFile{path: w.seg.Name(), first: w.segFirst},
		count:       uint64(w.segCount),
		bytes:       w.segBytes,
		modTime:     l.opts.Now(),
		endHashes:   append([][]byte(nil), w.tree.Hashes()...),
	})
	return l.createSegment(w.tree.End())
}

// segmentAged reports whether the active segment holds records and its
// first record's time is at least SegmentMaxAge before now. Record times are
// the gateway's clock at the request, so a segment spans at most
// SegmentMaxAge of record time, across restarts too.
func (l *Log) segmentAged(now time.Time) bool {
	w := &l.w
	return l.opts.SegmentMaxAge > 0 && w.segCount > 0 && now.Sub(w.segStart) >= l.opts.SegmentMaxAge
}

// rotateIfAged seals an aged active segment even when no record arrives, so
// retention can delete it on time.
func (l *Log) rotateIfAged() {
	if l.failedErr() != nil || !l.segmentAged(l.opts.Now()) {
		return
	}
	if err := l.rotate(); err != nil {
		l.fail(err)
	}
}

// createSegment creates and opens the segment whose first index is first.
func (l *Log) createSegment(first uint64) error {
	w := &l.w
	dir := filepath.Join(l.dir, segmentsDir)
	f, err := os.OpenFile(filepath.Join(dir, segmentName(first)), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	if _, err := f.Write(segmentHeader(first)); err != nil {
		f.Close()
		return fmt.Errorf("create segment: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("create segment: %w", err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return err
	}
	w.seg, w.segFirst, w.segBytes, w.segCount = wrapSegment(f), first, segmentHeaderSize, 0
	return nil
}

// shutdown runs when the queue is closed and drained.
func (l *Log) shutdown() {
	l.syncAndCheckpoint(true)
	if l.w.seg != nil {
		if err := l.w.seg.Close(); err != nil {
			l.fail(fmt.Errorf("close segment: %w", err))
		}
	}
}

// writeCheckpointFile replaces DIR/checkpoint; tests swap it to inject faults.
var writeCheckpointFile = writeFileAtomic

// checkpointer signs and writes the checkpoints the writer hands over, so the
// writer never waits for the three fsyncs an atomic checkpoint costs.
func (l *Log) checkpointer() {
	defer close(l.ckDone)
	for c := range l.ckReq {
		if err := l.writeCheckpoint(c); err != nil {
			l.fail(err)
		}
	}
	if l.w.hist != nil {
		l.w.hist.Close()
	}
}

// writeCheckpoint signs c, appends it to the history and atomically replaces
// DIR/checkpoint.
func (l *Log) writeCheckpoint(c Checkpoint) error {
	msg, err := signCheckpoint(c, l.signer)
	if err != nil {
		return err
	}
	if l.w.hist == nil {
		path := filepath.Join(l.dir, historyFile)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open checkpoint history: %w", err)
		}
		if err := syncDir(l.dir); err != nil {
			f.Close()
			return err
		}
		l.w.hist = f
	}
	if _, err := l.w.hist.Write(appendFrame(nil, msg)); err != nil {
		return fmt.Errorf("append checkpoint history: %w", err)
	}
	if err := l.w.hist.Sync(); err != nil {
		return fmt.Errorf("fsync checkpoint history: %w", err)
	}
	if err := writeCheckpointFile(filepath.Join(l.dir, checkpointFile), msg, 0o644); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	l.stats.checkpoint.Store(c.Size)
	return nil
}
