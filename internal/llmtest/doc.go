// Package llmtest is an in-process OpenAI-compatible upstream for tests and
// demos. It answers /v1/chat/completions (JSON and SSE), /v1/embeddings and
// /v1/models, and records every request it receives, so a test can prove what
// an upstream saw (and, above all, what it never saw).
//
// The default reply echoes the last user message, which lets an end-to-end
// test check that placeholders sent upstream come back restored. Faults are
// switched on at run time: a fixed status, dropped connections, slow replies.
package llmtest
