package audit

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// benchRecords are a few realistic records reused by the benchmarks.
var benchRecords = func() []*Record {
	rs := make([]*Record, 64)
	for i := range rs {
		rs[i] = testRecord(i)
	}
	return rs
}()

func benchAppend(b *testing.B, mode Mode, parallel bool) {
	opts := testOptions()
	opts.Mode = mode
	opts.SegmentMaxRecords = 0
	opts.CheckpointEvery = DefaultOptions.CheckpointEvery
	l, err := Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.SetParallelism(16) // 16 goroutines per core: a busy gateway
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if err := l.Append(ctx, benchRecords[i%len(benchRecords)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	} else {
		for i := 0; i < b.N; i++ {
			if err := l.Append(ctx, benchRecords[i%len(benchRecords)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Batch mode counts only once everything is on disk.
	if err := l.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAppendBatch: batch mode, many concurrent callers, time includes
// the final fsync of everything appended.
func BenchmarkAppendBatch(b *testing.B) { benchAppend(b, ModeBatch, true) }

// BenchmarkAppendBatchSlowFsync: batch mode when each fsync takes 20ms (a busy or networked disk); the writer must keep writing meanwhile.
func BenchmarkAppendBatchSlowFsync(b *testing.B) {
	slowFsyncs(b, 20*time.Millisecond)
	benchAppend(b, ModeBatch, true)
}

// BenchmarkAppendSyncParallel: sync mode, many concurrent callers sharing
// group commits; ns/op is the amortized cost per request.
func BenchmarkAppendSyncParallel(b *testing.B) { benchAppend(b, ModeSync, true) }

// BenchmarkAppendSyncSerial: sync mode, one caller; ns/op is the latency a
// lone request pays (one write + one fsync).
func BenchmarkAppendSyncSerial(b *testing.B) { benchAppend(b, ModeSync, false) }

var (
	verifyOnce sync.Once
	verifyDir  string
)

const verifyRecords = 200_000

// benchLog returns a log of verifyRecords records, built once per run.
func benchLog(b *testing.B) string {
	verifyOnce.Do(func() {
		d, err := os.MkdirTemp("", "audit-bench-verify-")
		if err != nil {
			b.Fatal(err)
		}
		opts := testOptions()
		opts.Mode = ModeBatch
		opts.SegmentMaxRecords = 0
		opts.CheckpointEvery = DefaultOptions.CheckpointEvery
		l, err := Open(d, opts)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < verifyRecords; i++ {
			if err := l.Append(context.Background(), benchRecords[i%len(benchRecords)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		verifyDir = d
	})
	if verifyDir == "" {
		b.Fatal("no benchmark log")
	}
	return verifyDir
}

// BenchmarkVerify verifies a log of 200,000 records (built once, in batch
// mode) per iteration.
func BenchmarkVerify(b *testing.B) {
	dir := benchLog(b)
	keys := []string{testVKey(b)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Verify(dir, VerifyOptions{Keys: keys})
		if err != nil || !res.Intact() || res.Records != verifyRecords {
			b.Fatalf("verify: %v %+v", err, res)
		}
	}
	b.ReportMetric(float64(b.N)*verifyRecords/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReport builds the Art. 30 report over the same 200,000 records
// (decoding every record, unlike verify).
func BenchmarkReport(b *testing.B) {
	dir := benchLog(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := BuildReport(dir, TimeRange{}, testBase, nil)
		if err != nil || rep.Records != verifyRecords {
			b.Fatalf("report: %v", err)
		}
	}
	b.ReportMetric(float64(b.N)*verifyRecords/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkEncodePayload(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := EncodePayload(uint64(i), benchRecords[i%len(benchRecords)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePayload(b *testing.B) {
	p, err := EncodePayload(12345, benchRecords[3])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for i := 0; i < b.N; i++ {
		if _, err := DecodePayload(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMain removes the verify benchmark's shared log after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if verifyDir != "" {
		os.RemoveAll(verifyDir)
	}
	os.Exit(code)
}
