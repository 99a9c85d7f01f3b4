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

// batchLinger is how long the batch-mode writer lets records gather after a
// write; it adds at most this much to the durability bound (and to a Sync).
const batchLinger = 500 * time.Microsecond

// writer is the single goroutine that owns the segment file: it gathers every
// queued append into one write, fsyncs once (sync mode, or a Sync barrier),
// then releases the waiters. In batch mode the fsync runs in the background
// (see sync.go), at most BatchWindow after the first write it covers, while
// the writer goes on writing.
func (l *Log) writer() {
	defer close(l.done)
	defer close(l.ckReq)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var window <-chan time.Time // armed while unsynced records wait (batch mode)
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
			l.commit(batch)
			clear(batch)
			if closing {
				l.shutdown()
				return
			}
			window = l.scheduleSync(timer, window)
			if l.opts.Mode == ModeBatch {
				// Linger before listening again: records that arrive now
				// wait in the buffered queue instead of each waking this
				// goroutine (a futex wake per request was the largest
				// cost of an append). They are written at the next pass,
				// within the batch window's bound.
				time.Sleep(batchLinger)
			}
		case <-window:
			window = l.scheduleSync(timer, nil)
		case res := <-l.syncDone:
			l.finishSync(res)
			window = l.scheduleSync(timer, window)
		case <-ticker.C:
			l.rotateIfAged()
			l.tick()
			l.retain()
		}
	}
}

// commit writes one batch, fsyncing it inline in sync mode or when it holds
// a Sync barrier, and releases the waiters.
func (l *Log) commit(batch []*pending) {
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
	if err == nil && needSync {
		l.maybeCheckpoint(false)
	}
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

// fsync makes everything written durable, inline.
func (l *Log) fsync() error {
	if err := l.w.seg.Sync(); err != nil {
		return fmt.Errorf("fsync segment: %w", err)
	}
	l.w.covered, l.w.dirtySince = l.stats.appended.Load(), time.Time{}
	l.markDurable(l.w.covered)
	return nil
}

// markDurable raises the durable count to size (background and inline
// fsyncs may finish in either order).
func (l *Log) markDurable(size uint64) {
	for {
		d := l.stats.durable.Load()
		if size <= d || l.stats.durable.CompareAndSwap(d, size) {
			return
		}
	}
}

// syncAndCheckpoint fsyncs unsynced records inline, then checkpoints if due
// (force: regardless of CheckpointEvery).
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

// maybeCheckpoint checkpoints the whole tree if every written record is
// durable and a checkpoint is due.
func (l *Log) maybeCheckpoint(force bool) {
	w := &l.w
	if size := w.tree.End(); size == l.stats.durable.Load() && l.checkpointDue(size, force) {
		l.requestCheckpoint(size, rootOf(w.tree))
	}
}

// checkpointDue reports whether a durable tree of size records should be
// signed: it grows the signed size, by CheckpointEvery records or on force.
func (l *Log) checkpointDue(size uint64, force bool) bool {
	last := l.w.lastCkSize
	return size > last && (force || int64(size-last) >= l.opts.CheckpointEvery)
}

// requestCheckpoint hands a checkpoint of the durable tree of size records
// with the given root to the checkpointer (latest wins).
func (l *Log) requestCheckpoint(size uint64, root []byte) {
	l.w.lastCkSize = size
	c := Checkpoint{Origin: l.opts.Origin, Size: size, Root: root}
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
	l.awaitSync() // never close a file a background fsync still uses
	if err := l.failedErr(); err != nil {
		return err
	}
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
	l.awaitSync()
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
