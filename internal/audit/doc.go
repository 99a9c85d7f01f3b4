// Package audit is the tamper-evident log of transfer decisions. In: decision
// records (never data). Out: append-only segment files under a Merkle tree with
// signed checkpoints, and the tools that verify, export, prove and report on them.
package audit
