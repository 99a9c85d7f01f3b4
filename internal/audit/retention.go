package audit

import (
	"os"
	"path/filepath"
)

// retain deletes whole sealed segments whose newest record is older than
// Options.Retention (by the segment file's modification time, which is the
// time of its last write). Only segments a written checkpoint covers are
// deleted, and prune.json is written first: it keeps the compact range of the
// deleted prefix, so the remaining records still hash to the signed roots.
// The active segment is never deleted.
func (l *Log) retain() {
	if l.opts.Retention <= 0 || l.failedErr() != nil {
		return
	}
	w := &l.w
	cutoff := l.opts.Now().Add(-l.opts.Retention)
	signed := l.stats.checkpoint.Load()
	n := 0
	for n < len(w.segments) && w.segments[n].modTime.Before(cutoff) && w.segments[n].end() <= signed {
		n++
	}
	if n == 0 {
		return
	}
	last := w.segments[n-1]
	p := pruneState{Version: 1, Size: last.end(), Hashes: last.endHashes}
	if msg, err := os.ReadFile(filepath.Join(l.dir, checkpointFile)); err == nil {
		p.Checkpoint = string(msg)
	}
	if err := writePruneState(l.dir, p); err != nil {
		l.fail(err)
		return
	}
	for _, s := range w.segments[:n] {
		if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
			l.fail(err)
			return
		}
	}
	if err := syncDir(filepath.Join(l.dir, segmentsDir)); err != nil {
		l.fail(err)
		return
	}
	w.prune = p
	w.segments = append(w.segments[:0], w.segments[n:]...)
}
