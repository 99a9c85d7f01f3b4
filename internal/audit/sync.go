package audit

import (
	"fmt"
	"time"
)

// Batch mode's fsync runs in the background so that a slow disk holds up
// durability, not appends: while the disk flushes, the writer keeps taking
// the queue. One fsync is in flight at a time; the writer state below is
// only touched by the writer goroutine.

// syncResult is what a background fsync reports back to the writer.
type syncResult struct {
	size  uint64 // records the fsync covers
	root  []byte // tree root at size, when a checkpoint is due then
	force bool   // checkpoint even if fewer than CheckpointEvery records are new
	err   error
}

// scheduleSync decides, after a write, a timer tick or a finished fsync,
// when the next background fsync starts: right away once the oldest
// uncovered write is BatchWindow old and none is in flight, else when the
// window timer fires. It returns the window channel to select on.
func (l *Log) scheduleSync(timer *time.Timer, window <-chan time.Time) <-chan time.Time {
	w := &l.w
	if l.failedErr() != nil || w.tree.End() <= w.covered {
		if window != nil {
			timer.Stop()
		}
		return nil
	}
	if w.dirtySince.IsZero() {
		w.dirtySince = time.Now()
	}
	if wait := l.opts.BatchWindow - time.Since(w.dirtySince); wait > 0 {
		if window == nil {
			timer.Reset(wait)
			window = timer.C
		}
		return window
	}
	if window != nil {
		timer.Stop()
	}
	if !w.syncing {
		l.startSync(false)
	} // else the fsync in flight finishes first and calls back here
	return nil
}

// startSync fsyncs the active segment in the background, covering every
// record written so far.
func (l *Log) startSync(force bool) {
	w := &l.w
	size := w.tree.End()
	res := syncResult{size: size, force: force || w.forceCk}
	if l.checkpointDue(size, res.force) {
		res.root = rootOf(w.tree) // the tree moves on while the disk works
	}
	w.syncing, w.forceCk, w.covered, w.dirtySince = true, false, size, time.Time{}
	seg := w.seg
	go func() {
		if err := seg.Sync(); err != nil {
			res.err = fmt.Errorf("fsync segment: %w", err)
		}
		l.syncDone <- res
	}()
}

// finishSync applies a background fsync's result: the records it covers
// are durable (and signed, if due), or the log fails.
func (l *Log) finishSync(res syncResult) {
	l.w.syncing = false
	if res.err != nil {
		l.fail(res.err)
		return
	}
	l.markDurable(res.size)
	if res.root != nil && l.checkpointDue(res.size, res.force) {
		l.requestCheckpoint(res.size, res.root)
	}
}

// awaitSync waits for the background fsync in flight, if any.
func (l *Log) awaitSync() {
	if l.w.syncing {
		l.finishSync(<-l.syncDone)
	}
}

// tick runs every CheckpointInterval: fsync what is not covered yet and
// sign a checkpoint even if fewer than CheckpointEvery records are new.
func (l *Log) tick() {
	w := &l.w
	switch {
	case l.failedErr() != nil:
	case w.syncing:
		w.forceCk = true // the fsync in flight signs when it finishes
	case w.tree.End() > w.covered:
		l.startSync(true)
	default:
		l.maybeCheckpoint(true)
	}
}
