package audit

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ReadRecords calls fn with every record of dir in index order, from one
// goroutine at a time (not necessarily the caller's). It reads the log as it is, without checking
// signatures (run Verify for that); a damaged frame stops it with an error
// wrapping ErrTampered, after the records before it were delivered, except
// a damaged frame in the unsigned tail of the last segment: that is a write
// in progress (the gateway may be appending) or what a crash left, and the
// log simply ends before it, as Open would cut it. progress,
// if set, gets the number of records read so far (pruned ones included),
// every 4096 records and at the end.
//
// Decoding is the slow part of reading (strict, canonical JSON), so runs of
// records are decoded on every CPU and handed to fn in order.
func ReadRecords(dir string, fn func(Entry) error, progress func(uint64)) error {
	if err := checkFormat(dir); err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *decodeChunk, workers)
	ordered := make(chan *decodeChunk, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				c.decode()
			}
		}()
	}
	var stopped atomic.Pointer[error] // fn's error or the first decode error
	delivered := make(chan error, 1)
	go func() {
		var err error
		for c := range ordered {
			<-c.done
			if err != nil {
				continue // drain what is in flight
			}
			for i := range c.entries {
				if err = fn(c.entries[i]); err != nil {
					break
				}
			}
			if err == nil {
				err = c.err
			}
			if err != nil {
				stopped.Store(&err)
			}
		}
		delivered <- err
	}()
	cur := &decodeChunk{}
	flush := func() {
		if len(cur.payloads) == 0 {
			return
		}
		cur.done = make(chan struct{})
		ordered <- cur // first, so fn sees chunks in order
		work <- cur
		cur = &decodeChunk{}
	}
	w := &walker{dir: dir, progress: progress, onRecord: func(_ uint64, p []byte) error {
		if e := stopped.Load(); e != nil {
			return *e
		}
		cur.payloads = append(cur.payloads, p) // p stays valid: each segment is read into its own buffer
		if len(cur.payloads) == decodeChunkSize {
			flush()
		}
		return nil
	}}
	wr, walkErr := w.walk()
	flush()
	close(ordered)
	close(work)
	wg.Wait()
	if err := <-delivered; err != nil {
		return err // about an earlier record than anything the walk found
	}
	if walkErr != nil {
		return walkErr
	}
	if wr.problem != nil {
		if checks, ok := signedChecks(dir); ok && wr.isTornTail(checks) {
			return nil
		}
		return fmt.Errorf("%w: %s", ErrTampered, wr.problem)
	}
	return nil
}

// signedChecks returns the checkpoints of dir that verify under
// DIR/checkpoint.pub; ok is false when that cannot be known.
func signedChecks(dir string) ([]Checkpoint, bool) {
	keys, err := readVerifierKeys(dir)
	if err != nil {
		return nil, false
	}
	cs, err := loadCheckpoints(dir, keys)
	if err != nil || !cs.hasLatest {
		return nil, false
	}
	return cs.checks, true
}

// decodeChunkSize is how many records one decode task takes: large, since
// each hand-off between goroutines can wait for an OS thread to be scheduled
// (with 256, a loaded 2-core machine read six times slower than one core).
const decodeChunkSize = 256

// decodeChunk is a run of consecutive payloads that one worker decodes.
type decodeChunk struct {
	payloads [][]byte
	entries  []Entry       // decoded, in order, up to the first error
	err      error         // the first decode error
	done     chan struct{} // closed once entries and err are set
}

func (c *decodeChunk) decode() {
	defer close(c.done)
	c.entries = make([]Entry, 0, len(c.payloads))
	for _, p := range c.payloads {
		e, err := DecodePayload(p)
		if err != nil {
			c.err = err
			return
		}
		c.entries = append(c.entries, e)
	}
}

// TimeRange selects records by time: From inclusive, To exclusive; a zero
// bound is open.
type TimeRange struct {
	From, To time.Time
}

// Contains reports whether t is in the range.
func (r TimeRange) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}
