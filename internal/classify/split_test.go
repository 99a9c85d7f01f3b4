package classify

import (
	"fmt"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// splitPair returns an engine that splits bodies from min bytes on and one
// that walks every body alone, with procs Ps (so at most procs parts to a
// split); splitMin and the Ps are restored when t ends.
func splitPair(t testing.TB, min, procs int) (splitting, serial *Engine) {
	t.Helper()
	old, oldProcs := splitMin, runtime.GOMAXPROCS(0)
	splitMin = min
	runtime.GOMAXPROCS(procs)
	t.Cleanup(func() {
		splitMin = old
		runtime.GOMAXPROCS(oldProcs)
	})
	return enginePair(t, Config{}, func(e *Engine) { e.serial = true })
}

func loadSplitCases(t testing.TB) []bodyCase {
	return loadBodyCases(t, "testdata/split/bodies.jsonl")
}

// checkSplitAgrees fails unless both engines give body the same findings
// and the same error, and returns how many splits the splitting engine
// joined.
func checkSplitAgrees(t testing.TB, name string, splitting, serial *Engine, body []byte) int64 {
	t.Helper()
	_, joined := checkSplit(t, name, splitting, serial, body)
	return joined
}

// checkSplit is checkSplitAgrees, returning the helpers started too.
func checkSplit(t testing.TB, name string, splitting, serial *Engine, body []byte) (started, joined int64) {
	t.Helper()
	before, startedBefore := splitting.joined.Load(), splitting.started.Load()
	want, wantErr := serial.JSON(body, nil)
	got, err := splitting.JSON(body, nil)
	if n := splitting.live.Load(); n != 0 {
		t.Fatalf("%s: %d helpers still running after the walk", name, n)
	}
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%s: error %v split, %v alone", name, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("%s: finding %d is %+v split, %+v alone", name, i, got[i], want[i])
			}
		}
		t.Fatalf("%s: %d findings split, %d alone", name, len(got), len(want))
	}
	return splitting.started.Load() - startedBefore, splitting.joined.Load() - before
}

// TestSplitAgrees walks bodies built to mislead the split (an element start
// inside a string or a nested array, an array that ends early, flags set
// above the array, errors on either side of the guess) and generated
// payloads, split and alone.
func TestSplitAgrees(t *testing.T) {
	splitting, serial := splitPair(t, 256, 2)
	started, joined := map[string]int64{}, map[string]int64{}
	for _, c := range loadSplitCases(t) {
		started[c.Name], joined[c.Name] = checkSplit(t, c.Name, splitting, serial, []byte(c.Body))
	}
	// The cases where the guess is an element of the array must have
	// been split, or the test compares two serial walks; those built to
	// mislead it must have started a helper whose work was dropped.
	for _, name := range []string{"records", "records, spaced", "top-level array", "service accounts", "short array first",
		"service account above the array", "malformed in the second half", "deep holder", "mixed elements"} {
		if joined[name] == 0 {
			t.Errorf("%s: the body was not split", name)
		}
	}
	for _, name := range []string{"element start inside a string", "nested records with the same first key"} {
		if started[name] == 0 || joined[name] != 0 {
			t.Errorf("%s: %d helpers started, %d joined; want a helper started and dropped", name, started[name], joined[name])
		}
	}
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		for _, size := range []int{4 << 10, 48 << 10} {
			for seed := uint64(1); seed <= 2; seed++ {
				name := fmt.Sprintf("%s/%d/%d", k, size, seed)
				if checkSplitAgrees(t, name, splitting, serial, synth.Generate(k, size, seed)) == 0 {
					t.Errorf("%s: the body was not split", name)
				}
			}
		}
	}
}

// TestSplitInPartsAgrees is TestSplitAgrees with four and eight Ps: arrays
// split into up to as many parts, each walker checking its successor's
// start and a stop running down the chain.
func TestSplitInPartsAgrees(t *testing.T) {
	for _, procs := range []int{4, 8} {
		splitting, serial := splitPair(t, 256, procs)
		for _, c := range loadSplitCases(t) {
			checkSplitAgrees(t, fmt.Sprintf("%s, %d Ps", c.Name, procs), splitting, serial, []byte(c.Body))
		}
		for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
			body := synth.Generate(k, 48<<10, 1)
			name := fmt.Sprintf("%s, %d Ps", k, procs)
			if started, joined := checkSplit(t, name, splitting, serial, body); joined < 2 || started < int64(procs)-1 {
				t.Errorf("%s: %d helpers started, %d joined; want %d started and most joined", name, started, joined, procs-1)
			}
		}
	}
}

// TestSplitAtDefaultSize checks that a body a quarter over splitMin is
// split by default, and agrees, and that one under it is not.
func TestSplitAtDefaultSize(t *testing.T) {
	splitting, serial := splitPair(t, splitMin, 2)
	body := synth.Generate(synth.Customers, splitMin+splitMin/4, 1)
	if n := checkSplitAgrees(t, "customers of 1.25 splitMin", splitting, serial, body); n != 1 {
		t.Fatalf("%d splits, want 1", n)
	}
	if n := checkSplitAgrees(t, "customers 64 KiB", splitting, serial, synth.Generate(synth.Customers, 64<<10, 1)); n != 0 {
		t.Fatalf("a body under splitMin was split %d times", n)
	}
}

// TestSerialNeverSplits checks Config.Serial.
func TestSerialNeverSplits(t *testing.T) {
	_, _ = splitPair(t, 256, 2) // for splitMin and the Ps
	e, err := New(Config{Serial: true})
	if err != nil {
		t.Fatal(err)
	}
	e.JSON(synth.Generate(synth.Customers, 64<<10, 1), nil)
	if n := e.joined.Load(); n != 0 {
		t.Fatalf("a serial engine split %d times", n)
	}
	for _, serial := range []bool{false, true} {
		e, err := FromConfig(config.Classify{Serial: serial})
		if err != nil {
			t.Fatal(err)
		}
		if e.serial != serial {
			t.Errorf("classify.serial %v gave an engine with serial %v", serial, e.serial)
		}
	}
}

// TestSameFrames: the fields of a frame that findings depend on count, the
// key memo's do not.
func TestSameFrames(t *testing.T) {
	base := frame{keyStart: 2, keyEnd: 9, keyPlain: true, hint: hintName}
	for _, c := range []struct {
		name string
		edit func(*frame)
		same bool
	}{
		{"equal", func(*frame) {}, true},
		{"memo slot", func(f *frame) { f.keySlot = 7 }, true},
		{"parent slot", func(f *frame) { f.parentKey = 3 }, true},
		{"had a key", func(f *frame) { f.hadKey = true }, true},
		{"key", func(f *frame) { f.keyStart = 3 }, false},
		{"key end", func(f *frame) { f.keyEnd = 8 }, false},
		{"escaped key", func(f *frame) { f.keyEsc = true }, false},
		{"quoted key", func(f *frame) { f.keyPlain = false }, false},
		{"hint", func(f *frame) { f.hint = hintEmail }, false},
		{"business rule", func(f *frame) { f.biz = 1 }, false},
		{"service account", func(f *frame) { f.serviceAccount = true }, false},
		{"array", func(f *frame) { f.array = true }, false},
	} {
		f := base
		c.edit(&f)
		if got := sameFrames([]frame{{array: true, index: 4}, base}, []frame{{array: true, index: 4}, f}); got != c.same {
			t.Errorf("%s: sameFrames = %v, want %v", c.name, got, c.same)
		}
	}
	if sameFrames([]frame{{array: true, index: 4}}, []frame{{array: true, index: 5}}) {
		t.Error("an array above the split at another element counts as the same")
	}
	if sameFrames([]frame{base}, []frame{base, base}) {
		t.Error("stacks of different depths count as the same")
	}
}

// TestHelperPanicReachesTheCaller: a panic in a helper whose work is
// taken is raised on the caller's goroutine (where the gateway recovers
// it), not in the helper's, which would end the process.
func TestHelperPanicReachesTheCaller(t *testing.T) {
	splitting, _ := splitPair(t, 256, 2)
	helperHook = func() { panic("helper canary") }
	t.Cleanup(func() { helperHook = nil })
	defer func() {
		if r := recover(); r != "helper canary" {
			t.Fatalf("recovered %v, want the helper's panic", r)
		}
	}()
	splitting.JSON(synth.Generate(synth.Customers, 16<<10, 1), nil)
	t.Fatal("no panic")
}

// TestWalkWaitsForItsHelper: when the walk ends before the helper's start
// (here, malformed JSON in the first half), JSON returns only after the
// helper has ended, so that no helper reads a body its caller has taken
// back.
func TestWalkWaitsForItsHelper(t *testing.T) {
	splitting, _ := splitPair(t, 256, 2)
	var ended atomic.Bool
	helperHook = func() {
		time.Sleep(20 * time.Millisecond)
		ended.Store(true)
	}
	t.Cleanup(func() { helperHook = nil })
	var body []byte
	for _, c := range loadSplitCases(t) {
		if c.Name == "malformed in the first half" {
			body = []byte(c.Body)
		}
	}
	started := splitting.started.Load()
	if _, err := splitting.JSON(body, nil); err == nil {
		t.Fatal("no error for malformed JSON")
	}
	if splitting.started.Load() == started {
		t.Fatal("no helper started: the test tests nothing")
	}
	if !ended.Load() {
		t.Fatal("JSON returned before its helper ended")
	}
}

// FuzzSplit: any body, split from 16 bytes on into up to four parts,
// gives the findings and the error of one walk.
func FuzzSplit(f *testing.F) {
	for _, c := range loadSplitCases(f) {
		f.Add([]byte(c.Body))
	}
	f.Add([]byte(`[{"a":"x"},{"b":"anna@example.com"},{"c":1}]`))
	f.Add([]byte(`{"r":[{"a":"},{"},{"b":"+49 30 12345678"}]}`))
	splitting, serial := splitPair(f, 16, 4)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSplitAgrees(t, "fuzz", splitting, serial, body)
	})
}
