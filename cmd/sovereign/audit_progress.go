package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress prints how far a long read of the audit log got: on a terminal,
// one line rewritten about five times a second; with --progress into a file
// or pipe, a line a second. The library reports every few thousand records;
// progress decides what is worth printing.
type progress struct {
	w     io.Writer
	verb  string
	term  bool
	every time.Duration
	start time.Time

	mu      sync.Mutex
	last    time.Time // last print
	records uint64    // latest count reported
}

// newProgress returns a progress printer when stderr is a terminal or
// --progress was given, and nil otherwise (its methods accept nil).
func newProgress(stderr io.Writer, forced bool, verb string) *progress {
	term := false
	if f, ok := stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			term = true
		}
	}
	if !term && !forced {
		return nil
	}
	p := &progress{w: stderr, verb: verb, term: term, every: time.Second, start: time.Now()}
	if term {
		p.every = 200 * time.Millisecond
	}
	p.last = p.start
	return p
}

// fn returns the callback to hand to the audit package: nil (no progress
// wanted) for a nil *progress, since a method value of a nil pointer would be
// a non-nil func.
func (p *progress) fn() func(uint64) {
	if p == nil {
		return nil
	}
	return p.update
}

// update takes the count of records read so far.
func (p *progress) update(records uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.records = records
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		p.print(false)
	}
}

// finish prints the final count and ends the line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(true)
}

func (p *progress) print(final bool) {
	el := time.Since(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.records) / el
	}
	end := "\n"
	if p.term && !final {
		end = "\r"
	}
	fmt.Fprintf(p.w, "%s %d records (%.0f/s)%s", p.verb, p.records, rate, end)
}
