package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is the signed statement "the log named Origin had Size records
// with Merkle root Root", in the C2SP tlog-checkpoint body format:
//
//	<origin>\n<size>\n<base64 root>\n
//
// wrapped in a C2SP signed note (Ed25519, key name = origin).
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
}

// ErrCheckpointSignature marks a checkpoint whose signature does not verify
// under the expected key.
var ErrCheckpointSignature = errors.New("checkpoint signature invalid")

// body returns the note text of c.
func (c Checkpoint) body() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
}

// parseCheckpointBody parses the C2SP checkpoint text. Extension lines after
// the root are allowed by the spec and ignored.
func parseCheckpointBody(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, errors.New("checkpoint: want origin, size and root lines")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return Checkpoint{}, errors.New("checkpoint: bad size line")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != hasher.Size() {
		return Checkpoint{}, errors.New("checkpoint: bad root line")
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root}, nil
}

// signCheckpoint returns the signed note for c.
func signCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.body()}, s)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies a signed checkpoint note against verifier keys
// (lines of checkpoint.pub: "<name>+<hash>+<base64 key>") and returns its
// content. The checkpoint's origin must be the name of a key that signed it.
func OpenCheckpoint(msg []byte, vkeys ...string) (Checkpoint, error) {
	var vs []note.Verifier
	for _, k := range vkeys {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		v, err := note.NewVerifier(k)
		if err != nil {
			return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return Checkpoint{}, errors.New("no verifier key")
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrCheckpointSignature, err)
	}
	c, err := parseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	for _, sig := range n.Sigs {
		if sig.Name == c.Origin {
			return c, nil
		}
	}
	return Checkpoint{}, fmt.Errorf("%w: origin %q was not signed by a key of that name", ErrCheckpointSignature, c.Origin)
}

// ParseVerifierKeys splits the text of checkpoint.pub into keys.
func ParseVerifierKeys(text string) []string {
	var keys []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			keys = append(keys, l)
		}
	}
	return keys
}

// newSigner turns an Ed25519 key into a signed-note signer named origin, and
// returns the matching verifier key text.
func newSigner(origin string, key ed25519.PrivateKey) (note.Signer, string, error) {
	pub := key.Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		return nil, "", fmt.Errorf("verifier key: %w", err)
	}
	// The signer key text is "PRIVATE+KEY+<name>+<hash>+base64(0x01 || seed)",
	// with the same name and hash as the verifier key.
	_, rest, _ := strings.Cut(vkey, "+")
	hash, _, _ := strings.Cut(rest, "+")
	seed := append([]byte{1}, key.Seed()...)
	skey := "PRIVATE+KEY+" + origin + "+" + hash + "+" + base64.StdEncoding.EncodeToString(seed)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("signer key: %w", err)
	}
	return s, vkey, nil
}

// sameRoot compares two hashes.
func sameRoot(a, b []byte) bool { return bytes.Equal(a, b) }
