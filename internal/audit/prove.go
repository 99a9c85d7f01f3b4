package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
)

// ProofFormat names the proof JSON layout.
const ProofFormat = "sovereign-audit-proof/v1"

// Proof shows that one record is in the log that a signed checkpoint
// describes. It is self-contained: CheckProof needs only the proof and the
// verifier key, not the log.
type Proof struct {
	Format     string   `json:"format"`
	Index      uint64   `json:"index"`
	Payload    string   `json:"payload"`   // the record's exact payload bytes
	LeafHash   []byte   `json:"leaf_hash"` // RFC 6962 leaf hash of Payload
	TreeSize   uint64   `json:"tree_size"`
	Root       []byte   `json:"root"`
	Proof      [][]byte `json:"proof"`      // RFC 6962 inclusion path, leaf to root
	Checkpoint string   `json:"checkpoint"` // signed note whose body names TreeSize and Root
}

// Prove builds an inclusion proof for the record at index against the
// latest checkpoint of dir. keys are the trusted verifier keys (empty:
// DIR/checkpoint.pub).
func Prove(dir string, index uint64, keys []string) (*Proof, error) {
	if err := checkFormat(dir); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		var err error
		if keys, err = readVerifierKeys(dir); err != nil {
			return nil, err
		}
	}
	cs, err := loadCheckpoints(dir, keys)
	if err != nil {
		return nil, err
	}
	if !cs.hasLatest {
		return nil, fmt.Errorf("%w: no valid checkpoint", ErrTampered)
	}
	cp := cs.latestC
	if index >= cp.Size {
		return nil, fmt.Errorf("record %d is not covered by the latest checkpoint (%d records); retry after the next checkpoint", index, cp.Size)
	}
	nodes, err := proof.Inclusion(index, cp.Size)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	want := make(map[compact.NodeID]int, len(nodes.IDs))
	for i, id := range nodes.IDs {
		want[id] = i
	}
	hashes := make([][]byte, len(nodes.IDs))
	visit := func(id compact.NodeID, h []byte) {
		if i, ok := want[id]; ok {
			hashes[i] = append([]byte(nil), h...)
		}
	}
	var payload []byte
	w := &walker{dir: dir, checks: []Checkpoint{cp}, stopAt: cp.Size, visitor: visit,
		onRecord: func(i uint64, p []byte) error {
			if i == index {
				payload = bytes.Clone(p)
			}
			return nil
		}}
	wr, err := w.walkRetrying()
	if err != nil {
		return nil, err
	}
	if wr.problem != nil {
		return nil, fmt.Errorf("%w: %s", ErrTampered, wr.problem)
	}
	if index < wr.prune.Size {
		return nil, fmt.Errorf("record %d was deleted by retention (records before %d are pruned)", index, wr.prune.Size)
	}
	if wr.next() < cp.Size || payload == nil {
		return nil, fmt.Errorf("%w: the log holds fewer records than its checkpoint", ErrTampered)
	}
	for i, h := range hashes {
		if h == nil {
			return nil, fmt.Errorf("inclusion proof: node %v not found", nodes.IDs[i])
		}
	}
	path, err := nodes.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	p := &Proof{Format: ProofFormat, Index: index, Payload: string(payload), LeafHash: LeafHash(payload),
		TreeSize: cp.Size, Root: cp.Root, Proof: path, Checkpoint: string(cs.latest)}
	if err := CheckProof(p, keys); err != nil {
		return nil, fmt.Errorf("built proof does not check: %w", err)
	}
	return p, nil
}

// CheckProof verifies a proof offline: the checkpoint's signature under one of
// keys, that it names the proof's size and root, that the payload hashes to
// the leaf and sits at the index, and the inclusion path.
func CheckProof(p *Proof, keys []string) error {
	if p.Format != ProofFormat {
		return fmt.Errorf("proof format %q, want %q", p.Format, ProofFormat)
	}
	c, err := OpenCheckpoint([]byte(p.Checkpoint), keys...)
	if err != nil {
		return err
	}
	if c.Size != p.TreeSize || !sameRoot(c.Root, p.Root) {
		return errors.New("proof: tree size or root differs from the signed checkpoint")
	}
	idx, err := payloadIndex([]byte(p.Payload))
	if err != nil {
		return fmt.Errorf("proof: %w", err)
	}
	if idx != p.Index {
		return fmt.Errorf("proof: payload is record %d, not %d", idx, p.Index)
	}
	if !bytes.Equal(LeafHash([]byte(p.Payload)), p.LeafHash) {
		return errors.New("proof: leaf hash does not match the payload")
	}
	if err := proof.VerifyInclusion(hasher, p.Index, p.TreeSize, p.LeafHash, p.Proof, p.Root); err != nil {
		return fmt.Errorf("proof: %w", err)
	}
	return nil
}

// ParseProof decodes proof JSON strictly.
func ParseProof(b []byte) (*Proof, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Proof
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("parse proof: %w", err)
	}
	return &p, nil
}
