package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// PutToken saves the plaintext behind a deterministic token. A token already
// saved keeps its first plaintext (the same token always means the same value).
func (t *Tx) PutToken(ctx context.Context, tenant, token, typ string, value []byte) error {
	_, err := t.exec(ctx, `INSERT OR IGNORE INTO tokens(tenant, token, type, value) VALUES (?, ?, ?, ?)`,
		tenant, token, typ, seal(t.s.aead, value, aad('t', tenant, token)))
	if err != nil {
		return fmt.Errorf("store: write token: %w", err)
	}
	return nil
}

// Token returns the plaintext behind a token, or ErrNotFound.
func (s *Store) Token(ctx context.Context, tenant, token string) ([]byte, error) {
	var c []byte
	err := s.readRow(ctx, `SELECT value FROM tokens WHERE tenant=? AND token=?`, tenant, token).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: read token: %w", err)
	}
	return open(s.aead, c, aad('t', tenant, token))
}

// Tokens returns the plaintexts of those of tokens this store holds.
func (s *Store) Tokens(ctx context.Context, tenant string, tokens []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(tokens))
	for start := 0; start < len(tokens); start += 500 {
		chunk := tokens[start:min(start+500, len(tokens))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, tenant)
		for _, t := range chunk {
			args = append(args, t)
		}
		q := `SELECT token, value FROM tokens WHERE tenant=? AND token IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		rows, err := s.r.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("store: read tokens: %w", err)
		}
		for rows.Next() {
			var tok string
			var c []byte
			if err := rows.Scan(&tok, &c); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: read tokens: %w", err)
			}
			v, err := open(s.aead, c, aad('t', tenant, tok))
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[tok] = v
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: read tokens: %w", err)
		}
	}
	return out, nil
}
