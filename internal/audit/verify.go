package audit

import (
	"fmt"
	"sort"
)

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Keys are the trusted verifier keys. Empty means DIR/checkpoint.pub,
	// which proves integrity against someone without the signing key but not
	// against someone who replaced the whole directory: auditors should pass
	// the key they were given out of band.
	Keys []string
	// Checkpoints are signed checkpoints kept outside the directory (sent to
	// a regulator, a witness, a ticket). The log must still contain each.
	Checkpoints [][]byte
	// Progress, if set, gets the number of records read so far, every 4096
	// records and at the end.
	Progress func(records uint64)
}

// VerifyResult says whether a log is intact and, if not, where it is not.
type VerifyResult struct {
	Records     uint64    `json:"records"`     // records in the tree, pruned ones included
	Pruned      uint64    `json:"pruned"`      // records deleted by retention
	Segments    int       `json:"segments"`    // segment files read
	SignedSize  uint64    `json:"signed_size"` // largest size a checkpoint signs
	Checked     int       `json:"checkpoints"` // checkpoints whose root was recomputed
	Root        []byte    `json:"root"`        // root over all records read
	FirstBad    int64     `json:"first_bad"`   // first bad record index, -1 if none
	Problems    []Problem `json:"problems"`    // tampering: any makes the log not intact
	Warnings    []Problem `json:"warnings"`    // facts an auditor should know
	Unsigned    uint64    `json:"unsigned"`    // records after the latest checkpoint
	VerifierKey []string  `json:"verifier_keys"`
}

// Intact reports whether verification found no problem.
func (r *VerifyResult) Intact() bool { return len(r.Problems) == 0 }

// Verify recomputes the Merkle tree over every record of dir and checks it
// against every signed checkpoint (DIR/checkpoint, DIR/checkpoints.log and
// opts.Checkpoints). It returns an error only when it cannot run; tampering
// is reported in the result. It does not need the signing key and never
// writes to dir, so it can run while the gateway appends.
func Verify(dir string, opts VerifyOptions) (*VerifyResult, error) {
	if err := checkFormat(dir); err != nil {
		return nil, err
	}
	keys := opts.Keys
	if len(keys) == 0 {
		var err error
		if keys, err = readVerifierKeys(dir); err != nil {
			return nil, err
		}
	}
	res := &VerifyResult{FirstBad: -1, VerifierKey: keys}
	cs, err := loadCheckpoints(dir, keys)
	if err != nil {
		return nil, err
	}
	res.Problems = append(res.Problems, cs.problems...)
	res.Warnings = append(res.Warnings, cs.warnings...)
	checks := cs.checks
	for i, msg := range opts.Checkpoints {
		c, err := OpenCheckpoint(msg, keys...)
		if err != nil {
			res.Problems = append(res.Problems, Problem{Index: -1, Kind: KindSignature,
				Detail: fmt.Sprintf("external checkpoint %d: %v", i+1, err)})
			continue
		}
		checks = mergeCheck(checks, c, res)
	}
	if !cs.hasLatest {
		res.Problems = append(res.Problems, Problem{Index: -1, Kind: KindCheckpoint,
			Detail: "DIR/checkpoint is missing or does not verify"})
	}
	w := &walker{dir: dir, checks: checks, progress: opts.Progress}
	wr, err := w.walkRetrying()
	if err != nil {
		return nil, err
	}
	res.Records = wr.next()
	res.Pruned = wr.prune.Size
	res.Segments = len(wr.segments)
	res.SignedSize = signedSize(checks)
	res.Checked = wr.checked
	res.Root = rootOf(wr.tree)
	res.Warnings = append(res.Warnings, wr.warnings...)
	if p := wr.problem; p != nil {
		if wr.isTornTail(checks) {
			t := *p
			t.Detail = fmt.Sprintf("%s; beyond every signed checkpoint, as a crash mid-write leaves it (opening the log cuts it off and keeps the bytes in torn/)", p.Detail)
			t.Kind = KindTornTail
			res.Warnings = append(res.Warnings, t)
		} else {
			res.Problems = append(res.Problems, *p)
		}
	}
	if res.Records > res.SignedSize {
		res.Unsigned = res.Records - res.SignedSize
		res.Warnings = append(res.Warnings, Problem{Index: int64(res.SignedSize), Kind: KindUnsigned,
			Detail: fmt.Sprintf("%d records after the latest checkpoint are covered by checksums only until the next checkpoint", res.Unsigned)})
	}
	sort.SliceStable(res.Problems, func(i, j int) bool {
		a, b := res.Problems[i].Index, res.Problems[j].Index
		return a >= 0 && (b < 0 || a < b)
	})
	if len(res.Problems) > 0 {
		res.FirstBad = res.Problems[0].Index
	}
	return res, nil
}

// mergeCheck adds c to the sorted checks, flagging a conflicting root.
func mergeCheck(checks []Checkpoint, c Checkpoint, res *VerifyResult) []Checkpoint {
	i := sort.Search(len(checks), func(i int) bool { return checks[i].Size >= c.Size })
	if i < len(checks) && checks[i].Size == c.Size {
		if !sameRoot(checks[i].Root, c.Root) {
			res.Problems = append(res.Problems, Problem{Index: -1, Kind: KindRoot,
				Detail: fmt.Sprintf("an external checkpoint of size %d disagrees with the log's own checkpoint", c.Size)})
		}
		return checks
	}
	out := append(append(append([]Checkpoint(nil), checks[:i]...), c), checks[i:]...)
	return out
}
