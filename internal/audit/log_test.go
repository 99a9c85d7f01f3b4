package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAppendReopenVerify(t *testing.T) {
	eachMode(t, func(t *testing.T, opts Options) {
		dir := t.TempDir()
		appendRecords(t, dir, 0, 60, opts)
		appendRecords(t, dir, 60, 40, opts) // reopen continues the tree
		res := mustVerify(t, dir)
		if !res.Intact() || res.Records != 100 || res.SignedSize != 100 || res.Unsigned != 0 {
			t.Fatalf("verify = %+v", res)
		}
		if res.Segments != 4 { // 25 records per segment
			t.Errorf("segments = %d, want 4", res.Segments)
		}
		var got []uint64
		if err := ReadRecords(dir, func(e Entry) error {
			got = append(got, e.Index)
			if want := testRecord(int(e.Index)); e.Record.RequestID != want.RequestID || !e.Record.Time.Equal(want.Time) {
				t.Errorf("record %d = %+v", e.Index, e.Record)
			}
			return nil
		}, nil); err != nil {
			t.Fatal(err)
		}
		if len(got) != 100 {
			t.Fatalf("read %d records", len(got))
		}
	})
}

func TestConcurrentAppends(t *testing.T) {
	eachMode(t, func(t *testing.T, opts Options) {
		opts.QueueSize = 8 // exercise backpressure
		dir := t.TempDir()
		l, err := Open(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					if err := l.Append(context.Background(), testRecord(g*50+i)); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := l.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if s := l.Status(); s.Durable != 400 || s.Records != 400 || s.Err != nil {
			t.Errorf("status = %+v", s)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if res := mustVerify(t, dir); !res.Intact() || res.Records != 400 {
			t.Fatalf("verify = %+v", res)
		}
	})
}

// TestSyncModeDurableOnReturn: in sync mode every Append that returned is
// fsynced, so once k appends returned at least k records are durable. The
// same check on batch mode with a long window must fail, which shows the
// check can tell the modes apart.
func TestSyncModeDurableOnReturn(t *testing.T) {
	run := func(mode Mode, window time.Duration) (violations int) {
		opts := testOptions()
		opts.Mode, opts.BatchWindow = mode, window
		l, err := Open(t.TempDir(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		var returned, bad atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					if err := l.Append(context.Background(), testRecord(g*25+i)); err != nil {
						t.Error(err)
						return
					}
					if k := returned.Add(1); l.Status().Durable < uint64(k) {
						bad.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return int(bad.Load())
	}
	if v := run(ModeSync, 0); v != 0 {
		t.Fatalf("sync mode: %d appends returned before their record was durable", v)
	}
	if v := run(ModeBatch, time.Hour); v == 0 {
		t.Fatal("batch mode with a 1h window looked durable on return: the check cannot fail")
	}
}

// openBatch opens a batch-mode log with the given window in a temp dir.
func openBatch(t *testing.T, window time.Duration) *Log {
	t.Helper()
	opts := testOptions()
	opts.Mode = ModeBatch
	opts.BatchWindow = window
	l, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBatchModeDurableWithinWindow(t *testing.T) {
	l := openBatch(t, 5*time.Millisecond)
	defer l.Close()
	if err := l.Append(context.Background(), testRecord(0)); err != nil {
		t.Fatal(err)
	}
	// Well before the 10s checkpoint tick could fsync it instead.
	waitFor(t, "fsync within the 5ms batch window", func() bool { return l.Status().Durable >= 1 })
}

func TestCheckpointInterval(t *testing.T) {
	opts := testOptions()
	opts.CheckpointEvery = 1 << 30
	opts.CheckpointInterval = 20 * time.Millisecond
	dir := t.TempDir()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < 3; i++ {
		if err := l.Append(context.Background(), testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for l.Status().Checkpoint < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of 3 records after 2s; status %+v", l.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// faultySegment passes writes and fsyncs through to the segment file until a
// fault is armed, then fails them. Arming it after a record is known to be
// durable makes the fault hit the next write whatever group commit merged.
type faultySegment struct {
	segmentWriter
	failWrite, failSync *atomic.Bool
}

func (f *faultySegment) Write(p []byte) (int, error) {
	if f.failWrite.Load() {
		return 0, errors.New("injected: no space left on device")
	}
	return f.segmentWriter.Write(p)
}

func (f *faultySegment) Sync() error {
	if f.failSync.Load() {
		return errors.New("injected: fsync: input/output error")
	}
	return f.segmentWriter.Sync()
}

// injectFaults makes every segment the log opens a faultySegment and returns
// the switches that arm its faults.
func injectFaults(t *testing.T) (failWrite, failSync *atomic.Bool) {
	t.Helper()
	failWrite, failSync = new(atomic.Bool), new(atomic.Bool)
	orig := wrapSegment
	t.Cleanup(func() { wrapSegment = orig })
	wrapSegment = func(f *os.File) segmentWriter {
		return &faultySegment{segmentWriter: f, failWrite: failWrite, failSync: failSync}
	}
	return failWrite, failSync
}

func TestWriteFailureFailsClosed(t *testing.T) {
	for _, mode := range []Mode{ModeSync, ModeBatch} {
		for _, fault := range []string{"write", "fsync"} {
			t.Run(string(mode)+"/"+fault, func(t *testing.T) {
				failWrite, failSync := injectFaults(t)
				opts := testOptions()
				opts.Mode = mode
				dir := t.TempDir()
				l, err := Open(dir, opts)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if err := l.Append(ctx, testRecord(0)); err != nil {
					t.Fatalf("first append: %v", err)
				}
				if err := l.Sync(ctx); err != nil {
					t.Fatalf("sync before the fault: %v", err)
				}
				map[string]*atomic.Bool{"write": failWrite, "fsync": failSync}[fault].Store(true)

				err = l.Append(ctx, testRecord(1))
				if mode == ModeBatch {
					// Batch mode acknowledged on enqueue; the failure shows
					// at the next fsync point and in Health.
					if err != nil {
						t.Fatalf("batch append = %v, want nil (acknowledged on enqueue)", err)
					}
					err = l.Sync(ctx)
				}
				if !errors.Is(err, ErrFailed) {
					t.Fatalf("append after failure = %v, want ErrFailed", err)
				}
				if err := l.Health(); !errors.Is(err, ErrFailed) {
					t.Errorf("Health = %v, want ErrFailed", err)
				}
				if s := l.Status(); !errors.Is(s.Err, ErrFailed) || s.Durable != 1 {
					t.Errorf("Status = %+v, want Err ErrFailed and 1 durable record", s)
				}
				// Sticky: nothing is accepted any more, even with the disk back.
				failWrite.Store(false)
				failSync.Store(false)
				if err := l.Append(ctx, testRecord(2)); !errors.Is(err, ErrFailed) {
					t.Errorf("later append = %v, want ErrFailed", err)
				}
				if err := l.Sync(ctx); !errors.Is(err, ErrFailed) {
					t.Errorf("later Sync = %v, want ErrFailed", err)
				}
				if err := l.Close(); !errors.Is(err, ErrFailed) {
					t.Errorf("Close = %v, want ErrFailed", err)
				}
				// What was durable before the fault survives; the log reopens
				// and verifies, and the refused record is not in it.
				l, err = Open(dir, opts)
				if err != nil {
					t.Fatalf("reopen after the fault: %v", err)
				}
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				res := mustVerify(t, dir)
				if !res.Intact() || res.Records < 1 || res.Records > 2 {
					t.Fatalf("verify after the fault = %+v", res)
				}
				ids := map[string]bool{}
				if err := ReadRecords(dir, func(e Entry) error { ids[e.Record.RequestID] = true; return nil }, nil); err != nil {
					t.Fatal(err)
				}
				if !ids[testRecord(0).RequestID] || ids[testRecord(2).RequestID] {
					t.Errorf("records after reopen: %v", ids)
				}
			})
		}
	}
}

// TestBatchFsyncFailureTurnsUnhealthy: in batch mode nobody waits for the
// fsync, so the failure must still surface by itself within the window.
func TestBatchFsyncFailureTurnsUnhealthy(t *testing.T) {
	_, failSync := injectFaults(t)
	l := openBatch(t, 5*time.Millisecond)
	failSync.Store(true)
	if err := l.Append(context.Background(), testRecord(0)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Health() == nil {
		if time.Now().After(deadline) {
			t.Fatal("a failed batch-window fsync left the log healthy")
		}
		time.Sleep(time.Millisecond)
	}
	if err := l.Health(); !errors.Is(err, ErrFailed) {
		t.Fatalf("Health = %v, want ErrFailed", err)
	}
	if err := l.Append(context.Background(), testRecord(1)); !errors.Is(err, ErrFailed) {
		t.Fatalf("append after failed fsync = %v, want ErrFailed", err)
	}
	if err := l.Close(); !errors.Is(err, ErrFailed) {
		t.Errorf("Close = %v, want ErrFailed", err)
	}
}

// TestOversizedRecordRefusedAlone: a record too large to frame is refused
// to its caller; it must not fail the log for everyone else.
func TestOversizedRecordRefusedAlone(t *testing.T) {
	eachMode(t, func(t *testing.T, opts Options) {
		dir := t.TempDir()
		l, err := Open(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		huge := testRecord(0)
		huge.Rules = make([]string, MaxPayload/8)
		for i := range huge.Rules {
			huge.Rules[i] = "rule-x"
		}
		if err := l.Append(context.Background(), huge); !errors.Is(err, ErrRecordTooLarge) {
			t.Fatalf("oversized append = %v, want ErrRecordTooLarge", err)
		}
		if err := l.Health(); err != nil {
			t.Fatalf("Health after a refused record = %v", err)
		}
		if err := l.Append(context.Background(), testRecord(1)); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if res := mustVerify(t, dir); !res.Intact() || res.Records != 1 {
			t.Fatalf("verify = %+v", res)
		}
	})
}

func TestAppendAfterClose(t *testing.T) {
	l, err := Open(t.TempDir(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(context.Background(), testRecord(0)); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if err := l.Health(); !errors.Is(err, ErrClosed) {
		t.Errorf("Health after Close = %v, want ErrClosed", err)
	}
}

func TestBackpressureHonoursContext(t *testing.T) {
	opts := testOptions()
	opts.QueueSize = 1
	l, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// With a cancelled context an append may still win a free queue slot;
	// what must never happen is blocking. Fill and check it returns.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 100; i++ {
			_ = l.Append(ctx, testRecord(i))
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Append with a cancelled context blocked")
	}
}

func TestOpenLocksDir(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := Open(dir, testOptions()); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
}

func TestGeneratedKeyAndPubkey(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	opts.SigningKey = nil
	appendRecords(t, dir, 0, 3, opts)
	st, err := os.Stat(filepath.Join(dir, signingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("signing.key mode = %v, want 0600", st.Mode().Perm())
	}
	appendRecords(t, dir, 3, 3, opts) // same generated key on reopen
	res, err := Verify(dir, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Intact() || res.Records != 6 || len(res.VerifierKey) != 1 {
		t.Fatalf("verify = %+v", res)
	}
}

func TestKeyRotationKeepsOldCheckpointsVerifiable(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	appendRecords(t, dir, 0, 20, opts)
	opts.SigningKey = ed25519Key(2)
	appendRecords(t, dir, 20, 20, opts)
	res, err := Verify(dir, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Intact() || len(res.VerifierKey) != 2 || res.SignedSize != 40 {
		t.Fatalf("verify = %+v", res)
	}
}

func TestOptionsValidation(t *testing.T) {
	bad := []Options{
		{Mode: "eventually"},
		{Origin: "has space"},
		{Origin: "has+plus"},
		{SegmentMaxBytes: 10},
		{BatchWindow: -1},
		{SigningKey: make([]byte, 5)},
	}
	for _, o := range bad {
		if _, err := Open(t.TempDir(), o); err == nil {
			t.Errorf("Open(%+v) succeeded, want an options error", o)
		}
	}
}

// TestBatchBackgroundFsync: with fsyncs slower than the window, batch mode
// keeps writing while the disk flushes; rotation waits for the fsync in
// flight, background fsyncs sign checkpoints, and everything verifies.
func TestBatchBackgroundFsync(t *testing.T) {
	slowFsyncs(t, 3*time.Millisecond)
	opts := testOptions()
	opts.Mode = ModeBatch
	opts.BatchWindow = time.Millisecond
	opts.SegmentMaxRecords = 10
	dir := t.TempDir()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if err := l.Append(context.Background(), testRecord(g*100+i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "background fsyncs to make all 400 durable and signed", func() bool {
		s := l.Status()
		return s.Durable == 400 && s.Checkpoint >= 400-uint64(opts.CheckpointEvery)
	})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	res := mustVerify(t, dir)
	if !res.Intact() || res.Records != 400 || res.SignedSize != 400 || res.Segments != 40 {
		t.Fatalf("verify = %+v", res)
	}
}
