package policy

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// hashRules hashes what decides: each rule's id, condition and action, in
// order, length-prefixed so no two rule sets share an encoding. Descriptions
// do not decide and are left out.
func hashRules(srcs []ruleSource) string {
	h := sha256.New()
	var buf []byte
	buf = appendField(buf, "sovereign-policy/v1")
	for _, s := range srcs {
		buf = appendField(buf, s.id)
		buf = appendField(buf, s.when)
		buf = appendField(buf, s.action.String())
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// appendField appends s with its length as a uvarint in front.
func appendField(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}
