package audit

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// goldenVectors pins the record encoding and hashing: if any byte of a
// payload, a leaf hash, the root or the checkpoint changes, logs written by
// older builds would no longer verify, so the change needs a new
// FormatVersion and a deliberate -update.
type goldenVectors struct {
	FormatVersion int            `json:"format_version"`
	Leaves        []goldenLeaf   `json:"leaves"`
	Size          int            `json:"size"`
	Root          string         `json:"root"`
	Checkpoint    string         `json:"checkpoint"` // signed with testKey (Ed25519 is deterministic)
	Frames        map[int]string `json:"frames"`     // hex of a few whole frames
}

type goldenLeaf struct {
	Index    int    `json:"index"`
	Payload  string `json:"payload"`
	LeafHash string `json:"leaf_hash"`
}

func TestGoldenVectors(t *testing.T) {
	inPath := filepath.Join("testdata", "golden_records.json")
	if *update {
		if _, err := os.Stat(inPath); os.IsNotExist(err) {
			var recs []*Record
			for i := 0; i < 7; i++ {
				recs = append(recs, testRecord(i))
			}
			b, _ := json.MarshalIndent(recs, "", "  ")
			writeFile(t, inPath, append(b, '\n'))
		}
	}
	b, err := os.ReadFile(inPath)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*Record
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatal(err)
	}
	got := goldenVectors{FormatVersion: FormatVersion, Size: len(recs), Frames: map[int]string{}}
	tree := newRangeFactory().NewEmptyRange(0)
	for i, r := range recs {
		p, err := EncodePayload(uint64(i), r)
		if err != nil {
			t.Fatal(err)
		}
		leaf := LeafHash(p)
		if err := tree.Append(leaf, nil); err != nil {
			t.Fatal(err)
		}
		got.Leaves = append(got.Leaves, goldenLeaf{i, string(p), hex.EncodeToString(leaf)})
		if i < 2 {
			got.Frames[i] = hex.EncodeToString(appendFrame(nil, p))
		}
	}
	root := rootOf(tree)
	got.Root = hex.EncodeToString(root)
	s, _, err := newSigner("sovereign.audit/test", testKey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := signCheckpoint(Checkpoint{Origin: "sovereign.audit/test", Size: uint64(len(recs)), Root: root}, s)
	if err != nil {
		t.Fatal(err)
	}
	got.Checkpoint = string(msg)
	gotJSON, _ := json.MarshalIndent(got, "", "  ")
	gotJSON = append(gotJSON, '\n')
	goldPath := filepath.Join("testdata", "golden_vectors.json")
	if *update {
		writeFile(t, goldPath, gotJSON)
	}
	want, err := os.ReadFile(goldPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(gotJSON) {
		t.Fatalf("encoding drifted from %s (run with -update only for a deliberate format change):\n%s", goldPath, gotJSON)
	}

	// The log on disk must produce exactly the same root and checkpoint.
	dir := t.TempDir()
	opts := testOptions()
	opts.CheckpointEvery = 1 << 20
	writeRecords(t, dir, opts, recs)
	res := mustVerify(t, dir)
	if hex.EncodeToString(res.Root) != got.Root {
		t.Errorf("log root %x, golden %s", res.Root, got.Root)
	}
	cp, _ := os.ReadFile(filepath.Join(dir, checkpointFile))
	if string(cp) != got.Checkpoint {
		t.Errorf("checkpoint on disk:\n%s\ngolden:\n%s", cp, got.Checkpoint)
	}
}

// TestRFC6962Vectors ties the hasher to RFC 6962's published empty root and
// a leaf hash, so the "RFC 6962" claim is checked, not assumed.
func TestRFC6962Vectors(t *testing.T) {
	if got := hex.EncodeToString(hasher.EmptyRoot()); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty root = %s", got)
	}
	if got := hex.EncodeToString(LeafHash([]byte{})); got != "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" {
		t.Errorf("leaf hash of empty = %s", got)
	}
}
