package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestCheckpointReadersNeverSeePartial: DIR/checkpoint is replaced
// atomically, so a reader (verify, prove, a monitor) racing the writer always
// gets a whole, valid signed note.
func TestCheckpointReadersNeverSeePartial(t *testing.T) {
	opts := testOptions()
	opts.CheckpointEvery = 1
	dir := t.TempDir()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{testVKey(t)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			if err := l.Append(context.Background(), testRecord(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	reads, sizes := 0, map[uint64]bool{}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		msg, err := os.ReadFile(filepath.Join(dir, checkpointFile))
		if err != nil {
			t.Fatalf("read %d: %v", reads, err)
		}
		c, err := OpenCheckpoint(msg, keys...)
		if err != nil {
			t.Fatalf("read %d saw a checkpoint that does not verify: %v\n%q", reads, err, msg)
		}
		reads++
		sizes[c.Size] = true
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if len(sizes) < 2 {
		t.Fatalf("%d reads saw only %d checkpoint sizes; the race was not exercised", reads, len(sizes))
	}
}

// TestCheckpointFailureFailsClosed: a checkpoint that cannot be written is
// a write failure like any other.
func TestCheckpointFailureFailsClosed(t *testing.T) {
	opts := testOptions()
	dir := t.TempDir()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	orig := writeCheckpointFile
	t.Cleanup(func() { writeCheckpointFile = orig })
	writeCheckpointFile = func(string, []byte, os.FileMode) error { return errors.New("injected: read-only file system") }
	ctx := context.Background()
	for i := 0; i < int(opts.CheckpointEvery); i++ {
		if err := l.Append(ctx, testRecord(i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	waitFor(t, "unhealthy after a failed checkpoint", func() bool { return l.Health() != nil })
	if err := l.Health(); !errors.Is(err, ErrFailed) {
		t.Fatalf("Health = %v, want ErrFailed", err)
	}
	if err := l.Append(ctx, testRecord(99)); !errors.Is(err, ErrFailed) {
		t.Fatalf("append after a failed checkpoint = %v, want ErrFailed", err)
	}
	if err := l.Close(); !errors.Is(err, ErrFailed) {
		t.Fatalf("Close = %v, want ErrFailed", err)
	}
	writeCheckpointFile = orig
	appendRecords(t, dir, 16, 1, opts) // reopens, signs what is there
	if res := mustVerify(t, dir); !res.Intact() || res.Records != 17 || res.Unsigned != 0 {
		t.Fatalf("verify after recovery = %+v", res)
	}
}
