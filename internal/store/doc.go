// Package store is the regional store of the CRM path: the full records of one
// region's data subjects, the token vault that alone can reverse their tokens,
// and the outbox that carries minimal records to the central CRM.
//
// In: records (field name → raw JSON value), tokens with their plaintext, and
// outbox rows, written in one SQLite transaction. Out: the same, decrypted, to
// the CRM face of this region only.
//
// One pure-Go SQLite file (modernc.org/sqlite) per region, in WAL mode. Every
// field value, token plaintext and outbox payload is sealed with AES-256-GCM
// under a data key that is itself wrapped by the region's key (envelope
// encryption); the additional data binds each ciphertext to its place
// (tenant, object, local id, field), so a value moved to another row does not
// decrypt. One process owns a store file at a time (an advisory lock).
package store
