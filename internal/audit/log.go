package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// Errors returned by a Log, told apart with errors.Is.
var (
	ErrClosed   = errors.New("audit log closed")
	ErrLocked   = errors.New("audit dir is locked by another process")
	ErrTampered = errors.New("audit log failed verification")
	ErrFailed   = errors.New("audit log cannot write") // sticky: the gateway must fail closed
	// ErrRecordTooLarge refuses one record (the request must be refused);
	// the log stays healthy.
	ErrRecordTooLarge = errors.New("audit record too large")
)

// maxRecordBody is the largest record encoding whose payload (prefix, a
// 20-digit index, separator, body, closing brace) fits MaxPayload.
var maxRecordBody = MaxPayload - len(payloadPrefix) - 20 - len(payloadMiddle) - 1

// Log is an append-only, tamper-evident audit log in one directory. It is
// safe for concurrent use. A single writer goroutine group-commits appends.
type Log struct {
	dir    string
	opts   Options
	signer note.Signer
	vkey   string
	lock   *os.File

	mu     sync.RWMutex // guards closed against sends on queue
	closed bool
	queue  chan *pending
	failed atomic.Pointer[error]
	done   chan struct{} // writer exited

	ckReq    chan Checkpoint // latest-wins hand-off to the checkpointer
	ckDone   chan struct{}
	syncDone chan syncResult // background fsync results, to the writer

	stats struct {
		appended   atomic.Uint64 // records written to the file
		durable    atomic.Uint64 // records fsynced
		checkpoint atomic.Uint64 // size of the latest written checkpoint
	}

	w writerState // owned by the writer goroutine
}

// pending is one queued append; a nil body is a Sync barrier.
type pending struct {
	body []byte
	at   time.Time  // the record's time, for age rotation
	done chan error // nil in batch mode
}

// Status is a snapshot for health endpoints and metrics.
type Status struct {
	Records    uint64 // records written (the next index)
	Durable    uint64 // records fsynced
	Checkpoint uint64 // tree size of the latest signed checkpoint
	Err        error  // non-nil once the log cannot write
}

var _ Sink = (*Log)(nil)

// Open opens or creates the log in dir, recovers from a crash (see README:
// torn tail), checks the log against its signed checkpoints and starts the
// writer. It refuses a log whose signed part was tampered with (ErrTampered).
func Open(dir string, opts Options) (*Log, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := initDir(dir); err != nil {
		return nil, err
	}
	lock, err := lockDir(filepath.Join(dir, lockFile))
	if err != nil {
		return nil, err
	}
	l := &Log{dir: dir, opts: o, lock: lock}
	if err := l.open(); err != nil {
		lock.Close()
		return nil, err
	}
	l.queue = make(chan *pending, o.QueueSize)
	l.done = make(chan struct{})
	l.ckReq = make(chan Checkpoint, 1)
	l.ckDone = make(chan struct{})
	l.syncDone = make(chan syncResult, 1)
	go l.checkpointer()
	go l.writer()
	return l, nil
}

// initDir creates the layout of a new log or checks an existing one.
func initDir(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, segmentsDir), 0o755); err != nil {
		return fmt.Errorf("audit dir: %w", err)
	}
	// Make the directories themselves durable, not only the files in them.
	for _, d := range []string{dir, filepath.Dir(filepath.Clean(dir))} {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("audit dir: %w", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, formatFile)); os.IsNotExist(err) {
		if err := writeFileAtomic(filepath.Join(dir, formatFile), []byte(formatFileValue), 0o644); err != nil {
			return fmt.Errorf("audit dir: %w", err)
		}
	}
	return checkFormat(dir)
}

// open loads keys, recovers and verifies the log, and prepares the writer.
func (l *Log) open() error {
	key := l.opts.SigningKey
	if key == nil {
		var err error
		if key, err = loadOrCreateKey(filepath.Join(l.dir, signingKeyFile)); err != nil {
			return err
		}
	}
	signer, vkey, err := newSigner(l.opts.Origin, key)
	if err != nil {
		return err
	}
	l.signer, l.vkey = signer, vkey
	keys, err := l.publishKey()
	if err != nil {
		return err
	}
	cs, err := loadCheckpoints(l.dir, keys)
	if err != nil {
		return err
	}
	if len(cs.problems) > 0 {
		return fmt.Errorf("%w: %s", ErrTampered, problemText(cs.problems))
	}
	if !cs.hasLatest && signedSize(cs.checks) > 0 {
		// The history is appended before DIR/checkpoint is replaced, so a
		// crash can leave an older checkpoint, never none once records
		// were signed (only a crash in a new log's first Open leaves none).
		return fmt.Errorf("%w: %s is missing but %s signs %d records", ErrTampered, checkpointFile, historyFile, signedSize(cs.checks))
	}
	if err := l.recover(cs); err != nil {
		return err
	}
	return nil
}

// publishKey makes sure checkpoint.pub lists this log's verifier key. A new
// key (rotation) is appended, so older checkpoints stay verifiable.
func (l *Log) publishKey() ([]string, error) {
	path := filepath.Join(l.dir, pubKeyFile)
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read verifier key: %w", err)
	}
	keys := ParseVerifierKeys(string(b))
	for _, k := range keys {
		if k == l.vkey {
			return keys, nil
		}
	}
	keys = append(keys, l.vkey)
	text := ""
	for _, k := range keys {
		text += k + "\n"
	}
	if err := writeFileAtomic(path, []byte(text), 0o644); err != nil {
		return nil, fmt.Errorf("write verifier key: %w", err)
	}
	return keys, nil
}

// VerifierKey returns the signed-note verifier key of this log's signer.
func (l *Log) VerifierKey() string { return l.vkey }

// Dir returns the log's directory.
func (l *Log) Dir() string { return l.dir }

// Append adds r to the log. In sync mode it returns once r is fsynced; in
// batch mode once r is queued in order (durable within the batch window). It
// blocks while the queue is full, until ctx ends. An error means the record
// was not accepted and the request must be refused.
func (l *Log) Append(ctx context.Context, r *Record) error {
	if err := l.Health(); err != nil {
		return err
	}
	c := *r
	if c.Time.IsZero() {
		c.Time = l.opts.Now()
	}
	body, err := encodeRecord(&c)
	if err != nil {
		return err
	}
	if len(body) > maxRecordBody {
		// Refused here, so that one oversized record cannot fail the log.
		return fmt.Errorf("%w: %d bytes encoded, at most %d", ErrRecordTooLarge, len(body), maxRecordBody)
	}
	p := &pending{body: body, at: c.Time}
	if l.opts.Mode == ModeSync {
		p.done = make(chan error, 1)
	}
	if err := l.enqueue(ctx, p); err != nil {
		return err
	}
	if p.done == nil {
		return nil
	}
	// Once queued the record will be written whatever ctx says; wait for the
	// verdict so the caller never answers before its record is durable.
	return <-p.done
}

// Sync waits until every record queued before it is fsynced.
func (l *Log) Sync(ctx context.Context) error {
	p := &pending{done: make(chan error, 1)}
	if err := l.enqueue(ctx, p); err != nil {
		return err
	}
	return <-p.done
}

func (l *Log) enqueue(ctx context.Context, p *pending) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	select {
	case l.queue <- p:
		return nil
	default:
	}
	select {
	case l.queue <- p:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("audit append: %w", ctx.Err())
	}
}

// Health returns nil while the log can write, and the reason otherwise.
func (l *Log) Health() error {
	if e := l.failed.Load(); e != nil {
		return *e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	return nil
}

// Status returns counters for health endpoints and metrics.
func (l *Log) Status() Status {
	s := Status{
		Records:    l.stats.appended.Load(),
		Durable:    l.stats.durable.Load(),
		Checkpoint: l.stats.checkpoint.Load(),
	}
	if e := l.failed.Load(); e != nil {
		s.Err = *e
	}
	return s
}

// failedErr returns the sticky write failure, if any (unlike Health it
// ignores Close, so the writer can still drain the queue).
func (l *Log) failedErr() error {
	if e := l.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// fail makes the log refuse every later append (fail closed).
func (l *Log) fail(err error) {
	e := fmt.Errorf("%w: %w", ErrFailed, err)
	l.failed.CompareAndSwap(nil, &e)
}

// Close drains the queue, fsyncs, signs a final checkpoint and releases the
// directory. It returns the error that made the log fail, if any.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	close(l.queue)
	l.mu.Unlock()
	<-l.done
	<-l.ckDone
	l.lock.Close()
	if e := l.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// segmentWriter is what the writer needs of a segment file; tests wrap it to
// inject write and fsync failures.
type segmentWriter interface {
	Write(p []byte) (int, error)
	Sync() error
	Close() error
	Name() string
}

// wrapSegment is a test hook around every segment file the writer opens.
var wrapSegment = func(f *os.File) segmentWriter { return f }

// writerState is the writer goroutine's view of the log.
type writerState struct {
	seg        segmentWriter
	segFirst   uint64
	segStart   time.Time // time of the active segment's first record
	covered    uint64    // records an fsync started so far covers
	dirtySince time.Time // when records beyond covered were first seen; zero if none
	syncing    bool      // a background fsync is in flight (batch mode)
	forceCk    bool      // sign when the fsync in flight finishes
	segBytes   int64
	segCount   int64
	tree       *compact.Range
	segments   []segmentInfo // sealed segments, oldest first
	prune      pruneState
	lastCkSize uint64 // size of the latest checkpoint requested
	buf        []byte
	lh         *leafHasher
	hist       *os.File // checkpoints.log, owned by open and then the checkpointer
}
