package audit

import (
	"fmt"
	"time"
)

// ReadRecords calls fn with every record of dir in index order. It reads the
// log as it is, without checking signatures (run Verify for that); a damaged
// frame stops it with an error wrapping ErrTampered, after the records before
// it were delivered. progress may be nil.
func ReadRecords(dir string, fn func(Entry) error, progress func(uint64)) error {
	if err := checkFormat(dir); err != nil {
		return err
	}
	w := &walker{dir: dir, progress: progress, onRecord: func(_ uint64, p []byte) error {
		e, err := DecodePayload(p)
		if err != nil {
			return err
		}
		return fn(e)
	}}
	wr, err := w.walk()
	if err != nil {
		return err
	}
	if wr.problem != nil {
		return fmt.Errorf("%w: %s", ErrTampered, wr.problem)
	}
	return nil
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
