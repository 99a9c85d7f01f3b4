package audit

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Mode says when Append returns relative to the record reaching the disk.
type Mode string

const (
	// ModeSync answers Append only after the record is written and fsynced
	// (group commit: concurrent appends share one fsync).
	ModeSync Mode = "sync"
	// ModeBatch answers Append once the record is queued in order; a
	// background fsync covering it starts at most Options.BatchWindow after
	// it is written.
	ModeBatch Mode = "batch"
)

// Options configures a Log. Start from DefaultOptions and override fields; the
// gateway config maps its YAML onto this struct.
type Options struct {
	// Mode is ModeSync or ModeBatch.
	Mode Mode
	// BatchWindow bounds, in batch mode, the time between a record's write and
	// the start of the fsync that covers it. Ignored in sync mode.
	BatchWindow time.Duration
	// QueueSize bounds the records waiting for the writer; a full queue makes
	// Append wait (backpressure) until its context ends.
	QueueSize int
	// SegmentMaxBytes rotates to a new segment file once the current one
	// reaches this size.
	SegmentMaxBytes int64
	// SegmentMaxRecords rotates to a new segment after this many records; 0
	// means no limit by count.
	SegmentMaxRecords int64
	// SegmentMaxAge rotates to a new segment once the active one's first
	// record is this old, with or without new records (checked at least every
	// CheckpointInterval). Retention deletes whole sealed segments, so this
	// bounds how long a record outlives Retention.
	SegmentMaxAge time.Duration
	// CheckpointEvery signs a checkpoint after this many new records.
	CheckpointEvery int64
	// CheckpointInterval signs a checkpoint at least this often while new
	// records arrive.
	CheckpointInterval time.Duration
	// Retention deletes whole sealed segments whose newest record is older than
	// this; 0 keeps everything.
	Retention time.Duration
	// Origin is the first line of every checkpoint and the signer's key name,
	// e.g. "sovereign.audit/eu-prod". It must not contain spaces or '+'.
	Origin string
	// SigningKey signs checkpoints. When nil, Open loads DIR/signing.key, or
	// generates it (mode 0600) on first open; production should pass a key.
	SigningKey ed25519.PrivateKey
	// Now is the clock (tests inject one); nil means time.Now.
	Now func() time.Time
}

// DefaultOptions are the settings used for any zero field of Options.
var DefaultOptions = Options{
	Mode:               ModeBatch,
	BatchWindow:        10 * time.Millisecond,
	QueueSize:          8192,
	SegmentMaxBytes:    64 << 20,
	SegmentMaxAge:      24 * time.Hour,
	CheckpointEvery:    1024,
	CheckpointInterval: 10 * time.Second,
	Origin:             "sovereign.audit/default",
}

// withDefaults fills zero fields from DefaultOptions and validates the rest.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions
	if o.Mode == "" {
		o.Mode = d.Mode
	}
	if o.BatchWindow == 0 {
		o.BatchWindow = d.BatchWindow
	}
	if o.QueueSize == 0 {
		o.QueueSize = d.QueueSize
	}
	if o.SegmentMaxBytes == 0 {
		o.SegmentMaxBytes = d.SegmentMaxBytes
	}
	if o.SegmentMaxAge == 0 {
		o.SegmentMaxAge = d.SegmentMaxAge
	}
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = d.CheckpointEvery
	}
	if o.CheckpointInterval == 0 {
		o.CheckpointInterval = d.CheckpointInterval
	}
	if o.Origin == "" {
		o.Origin = d.Origin
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	var errs []error
	if o.Mode != ModeSync && o.Mode != ModeBatch {
		errs = append(errs, fmt.Errorf("mode %q: want %q or %q", o.Mode, ModeSync, ModeBatch))
	}
	if o.BatchWindow < 0 || o.QueueSize < 0 || o.SegmentMaxBytes < 0 || o.SegmentMaxRecords < 0 || o.SegmentMaxAge < 0 ||
		o.CheckpointEvery < 0 || o.CheckpointInterval < 0 || o.Retention < 0 {
		errs = append(errs, errors.New("durations, sizes and counts must not be negative"))
	}
	if o.SegmentMaxBytes < segmentHeaderSize+frameOverhead {
		errs = append(errs, fmt.Errorf("segment max bytes %d is too small", o.SegmentMaxBytes))
	}
	if !validOrigin(o.Origin) {
		errs = append(errs, fmt.Errorf("origin %q: must be non-empty, without spaces or '+'", o.Origin))
	}
	if o.SigningKey != nil && len(o.SigningKey) != ed25519.PrivateKeySize {
		errs = append(errs, fmt.Errorf("signing key has %d bytes, want %d", len(o.SigningKey), ed25519.PrivateKeySize))
	}
	if len(errs) > 0 {
		return o, fmt.Errorf("audit options: %w", errors.Join(errs...))
	}
	return o, nil
}

// validOrigin mirrors the signed-note key name rules, since the origin is also
// the signer's name.
func validOrigin(s string) bool {
	return s != "" && !strings.Contains(s, "+") && strings.IndexFunc(s, unicode.IsSpace) < 0
}
