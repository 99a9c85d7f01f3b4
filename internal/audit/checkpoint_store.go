package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// checkpointSet is every checkpoint a directory holds, verified.
type checkpointSet struct {
	latest     []byte       // signed note text of DIR/checkpoint
	latestC    Checkpoint   // its content
	hasLatest  bool         // DIR/checkpoint exists and verifies
	checks     []Checkpoint // latest and history, by size, deduplicated
	problems   []Problem    // forged or conflicting checkpoints
	warnings   []Problem
	historyEnd int64 // byte length of the valid part of checkpoints.log
}

// readVerifierKeys returns the keys in DIR/checkpoint.pub.
func readVerifierKeys(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, pubKeyFile))
	if err != nil {
		return nil, fmt.Errorf("read verifier key: %w", err)
	}
	keys := ParseVerifierKeys(string(b))
	if len(keys) == 0 {
		return nil, errors.New("read verifier key: file holds no key")
	}
	return keys, nil
}

// loadCheckpoints reads DIR/checkpoint and DIR/checkpoints.log and verifies
// every note under keys.
func loadCheckpoints(dir string, keys []string) (*checkpointSet, error) {
	cs := &checkpointSet{}
	all := map[uint64]Checkpoint{}
	add := func(c Checkpoint, where string) {
		if prev, ok := all[c.Size]; ok && !sameRoot(prev.Root, c.Root) {
			cs.problems = append(cs.problems, Problem{Index: -1, Kind: KindCheckpoint,
				Detail: fmt.Sprintf("two signed checkpoints of size %d have different roots (%s)", c.Size, where)})
			return
		}
		all[c.Size] = c
	}
	msg, err := os.ReadFile(filepath.Join(dir, checkpointFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read checkpoint: %w", err)
	default:
		c, err := OpenCheckpoint(msg, keys...)
		if err != nil {
			cs.problems = append(cs.problems, Problem{Index: -1, Kind: KindSignature, Detail: "checkpoint: " + err.Error()})
		} else {
			cs.latest, cs.latestC, cs.hasLatest = msg, c, true
			add(c, checkpointFile)
		}
	}
	hist, err := os.ReadFile(filepath.Join(dir, historyFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read checkpoint history: %w", err)
	}
	off := 0
	for n := 0; off < len(hist); n++ {
		payload, size, err := readFrame(hist[off:])
		if err != nil {
			// Only a crash mid-append leaves a bad last entry; anything else
			// stays visible as a warning and the entry is not trusted.
			cs.warnings = append(cs.warnings, Problem{Index: -1, Kind: KindTornTail,
				Detail: fmt.Sprintf("%s: entry %d unreadable (%v); ignored", historyFile, n, err)})
			break
		}
		c, err := OpenCheckpoint(payload, keys...)
		if err != nil {
			cs.problems = append(cs.problems, Problem{Index: -1, Kind: KindSignature,
				Detail: fmt.Sprintf("%s entry %d: %v", historyFile, n, err)})
		} else {
			add(c, historyFile)
		}
		off += size
	}
	cs.historyEnd = int64(off)
	for _, c := range all {
		cs.checks = append(cs.checks, c)
	}
	sort.Slice(cs.checks, func(i, j int) bool { return cs.checks[i].Size < cs.checks[j].Size })
	return cs, nil
}

// problemText joins problems for an error message.
func problemText(ps []Problem) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "; ")
}
