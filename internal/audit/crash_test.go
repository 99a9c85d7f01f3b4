package audit

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCrashHelperProcess is the child of TestCrashRecovery: it appends under
// load and prints the request id of every acknowledged record, until killed.
func TestCrashHelperProcess(t *testing.T) {
	dir := os.Getenv("AUDIT_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process for TestCrashRecovery")
	}
	opts := testOptions()
	opts.Mode = Mode(os.Getenv("AUDIT_CRASH_MODE"))
	opts.SegmentMaxRecords = 50
	l, err := Open(dir, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	ack := func(ids ...string) {
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			fmt.Fprintln(out, id)
		}
		out.Flush()
	}
	round := os.Getenv("AUDIT_CRASH_ROUND")
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var pending []string
			for i := 0; ; i++ {
				r := testRecord(i)
				r.RequestID = fmt.Sprintf("ack-%s-%d-%d", round, g, i)
				if err := l.Append(context.Background(), r); err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(3)
				}
				if opts.Mode == ModeSync {
					ack(r.RequestID) // durable once Append returns
					continue
				}
				// Batch mode acknowledges durability through Sync.
				pending = append(pending, r.RequestID)
				if len(pending) == 20 {
					if err := l.Sync(context.Background()); err != nil {
						os.Exit(3)
					}
					ack(pending...)
					pending = pending[:0]
				}
			}
		}()
	}
	wg.Wait()
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	for _, mode := range []Mode{ModeSync, ModeBatch} {
		t.Run(string(mode), func(t *testing.T) {
			dir := t.TempDir()
			acked := map[string]bool{}
			for round := 0; round < 3; round++ {
				// Kill at different depths: near the first checkpoint, mid-run, late.
				for _, id := range runCrashChild(t, dir, mode, round, []int{20, 200, 500}[round]) {
					acked[id] = true
				}
				// Restart: Open recovers, then every acknowledged record
				// must be there and the log must verify.
				l, err := Open(dir, testOptions())
				if err != nil {
					t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
				}
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				res := mustVerify(t, dir)
				if !res.Intact() || len(res.Warnings) != 0 {
					t.Fatalf("round %d: verify after crash: %+v", round, res)
				}
				seen := map[string]bool{}
				if err := ReadRecords(dir, func(e Entry) error {
					seen[e.Record.RequestID] = true
					return nil
				}, nil); err != nil {
					t.Fatal(err)
				}
				for id := range acked {
					if !seen[id] {
						t.Fatalf("round %d: acknowledged record %s lost", round, id)
					}
				}
				t.Logf("round %d: %d acknowledged, %d present", round, len(acked), res.Records)
			}
		})
	}
}

// runCrashChild starts the helper, reads acknowledgements until it has at
// least n, kills it with SIGKILL and returns every complete ack line.
func runCrashChild(t *testing.T, dir string, mode Mode, round, n int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "AUDIT_CRASH_DIR="+dir, "AUDIT_CRASH_MODE="+string(mode),
		fmt.Sprintf("AUDIT_CRASH_ROUND=%d", round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		// Only newline-terminated lines count: the kill may cut the last.
		br := bufio.NewReader(stdout)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimSuffix(l, "\n")
		}
	}()
	var acks []string
	timeout := time.After(60 * time.Second)
	for len(acks) < n {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("child exited early: %s", stderr.String())
			}
			acks = append(acks, l)
		case <-timeout:
			_ = cmd.Process.Kill()
			t.Fatalf("child acknowledged only %d records in 60s: %s", len(acks), stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Lines printed before the kill were acknowledged too.
	for l := range lines {
		acks = append(acks, l)
	}
	_ = cmd.Wait()
	return acks
}
