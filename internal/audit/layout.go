package audit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Directory layout (format version 1):
//
//	DIR/FORMAT                      "sovereign-audit 1\n"
//	DIR/LOCK                        flock held by the one writer process
//	DIR/segments/seg-<20 digits>.log  frames; the number is the first index
//	DIR/checkpoint                  latest signed checkpoint (atomic replace)
//	DIR/checkpoints.log             every signed checkpoint, framed like records
//	DIR/checkpoint.pub              verifier key (signed-note vkey text)
//	DIR/signing.key                 generated Ed25519 key, only if none given
//	DIR/prune.json                  compact range of the pruned prefix
//	DIR/torn/                       bytes cut off by crash recovery, kept
const (
	formatFile      = "FORMAT"
	lockFile        = "LOCK"
	segmentsDir     = "segments"
	checkpointFile  = "checkpoint"
	historyFile     = "checkpoints.log"
	pubKeyFile      = "checkpoint.pub"
	signingKeyFile  = "signing.key"
	pruneFile       = "prune.json"
	tornDir         = "torn"
	segmentPrefix   = "seg-"
	segmentSuffix   = ".log"
	formatFileValue = "sovereign-audit 1\n"
)

// segmentName is the file name of the segment whose first index is first.
func segmentName(first uint64) string {
	return fmt.Sprintf("%s%020d%s", segmentPrefix, first, segmentSuffix)
}

// segmentFile is one segment on disk.
type segmentFile struct {
	path  string
	first uint64 // from the file name; the header must agree
}

// listSegments returns the segment files of dir in index order.
func listSegments(dir string) ([]segmentFile, error) {
	ents, err := os.ReadDir(filepath.Join(dir, segmentsDir))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list segments: %w", err)
	}
	var segs []segmentFile
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, segmentPrefix) || !strings.HasSuffix(name, segmentSuffix) {
			continue
		}
		num := strings.TrimSuffix(strings.TrimPrefix(name, segmentPrefix), segmentSuffix)
		first, err := strconv.ParseUint(num, 10, 64)
		if err != nil || len(num) != 20 {
			return nil, fmt.Errorf("segment %q: bad name", name)
		}
		segs = append(segs, segmentFile{path: filepath.Join(dir, segmentsDir, name), first: first})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].first < segs[j].first })
	return segs, nil
}

// checkFormat refuses a directory written in another layout version.
func checkFormat(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, formatFile))
	if err != nil {
		return fmt.Errorf("audit dir: %w", err)
	}
	if string(b) != formatFileValue {
		return fmt.Errorf("audit dir: unsupported format %q", strings.TrimSpace(string(b)))
	}
	return nil
}
