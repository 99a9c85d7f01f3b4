package audit

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// pruneState is DIR/prune.json: what is left of the records that retention
// deleted. Hashes is the compact range of [0, Size): the roots of the perfect
// subtrees covering the pruned prefix, left to right. With it the tree over
// the retained records still yields the roots that checkpoints signed, so the
// log stays verifiable; any change to it shows as a root mismatch.
type pruneState struct {
	Version    int      `json:"version"`
	Size       uint64   `json:"size"`
	Hashes     [][]byte `json:"hashes"`
	Checkpoint string   `json:"checkpoint,omitempty"` // latest signed note at prune time
}

// newRangeFactory returns a compact range factory whose RFC 6962 node hasher
// reuses one SHA-256 state (rfc6962's allocates four times per node). The
// ranges it makes must stay on one goroutine, as the writer's and a walk's do.
func newRangeFactory() *compact.RangeFactory {
	h := sha256.New()
	return &compact.RangeFactory{Hash: func(left, right []byte) []byte {
		h.Reset()
		h.Write([]byte{rfc6962.RFC6962NodeHashPrefix})
		h.Write(left)
		h.Write(right)
		return h.Sum(make([]byte, 0, sha256.Size))
	}}
}

// readPruneState returns the pruned prefix, or an empty one.
func readPruneState(dir string) (pruneState, error) {
	b, err := os.ReadFile(filepath.Join(dir, pruneFile))
	if errors.Is(err, fs.ErrNotExist) {
		return pruneState{Version: 1}, nil
	}
	if err != nil {
		return pruneState{}, fmt.Errorf("read prune state: %w", err)
	}
	var p pruneState
	if err := json.Unmarshal(b, &p); err != nil {
		return pruneState{}, fmt.Errorf("read prune state: %w", err)
	}
	if p.Version != 1 {
		return pruneState{}, fmt.Errorf("prune state version %d unsupported", p.Version)
	}
	if _, err := p.tree(); err != nil {
		return pruneState{}, err
	}
	return p, nil
}

// tree returns a compact range [0, Size) to continue hashing from.
func (p pruneState) tree() (*compact.Range, error) {
	hashes := make([][]byte, len(p.Hashes))
	for i, h := range p.Hashes {
		if len(h) != hasher.Size() {
			return nil, errors.New("prune state: bad hash length")
		}
		hashes[i] = append([]byte(nil), h...)
	}
	r, err := newRangeFactory().NewRange(0, p.Size, hashes)
	if err != nil {
		return nil, fmt.Errorf("prune state: %w", err)
	}
	return r, nil
}

func writePruneState(dir string, p pruneState) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("write prune state: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, pruneFile), append(b, '\n'), 0o644)
}

// rootOf returns the Merkle root of a range starting at 0.
func rootOf(r *compact.Range) []byte {
	if r.End() == 0 {
		return hasher.EmptyRoot()
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		// A range built here always begins at 0.
		panic(err)
	}
	return root
}
