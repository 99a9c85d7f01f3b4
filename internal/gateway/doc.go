// Package gateway is Sovereign's HTTP server and the LLM face: an
// OpenAI-compatible API (/v1/chat/completions with SSE, /v1/embeddings,
// /v1/models, /v1/inspect) in front of the pipeline
//
//	resolve → classify → decide → transform → route → restore → record
//
// whose order is written once, in pipeline.go. In: a caller's HTTP request.
// Out: the upstream's answer with placeholders put back, or an OpenAI-shaped
// error with a request id that never echoes request data. Every error or
// panic in a stage blocks the request (fail closed). The server also serves
// /healthz, /readyz and /metrics, and mounts other faces under a prefix.
package gateway
