// Package transform is the transform and restore stages. In: a body, its
// findings and the policy action for each. Out: a new body where findings are
// pseudonymized (<EMAIL_1>, stable per value within the request) or redacted
// ([EMAIL]), and a per-request Vault that puts the originals back into the
// response, whole (Restore, RestoreJSON) or streamed (StreamRestorer).
package transform
