package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
)

// ErrNotFound is returned for a record, token or row that is not there.
var ErrNotFound = errors.New("store: not found")

// Record is a data subject's full record as the client sent it: field name →
// raw JSON value (string, number, boolean or null).
type Record struct {
	LocalID      string
	Object       string
	Tenant       string
	Jurisdiction string
	SFID         string // the central org's Id, once known
	Version      int64
	Deleted      bool
	Fields       map[string]json.RawMessage
}

// LogValue shows a record's identity and field names, never its values.
func (r *Record) LogValue() slog.Value {
	names := make([]string, 0, len(r.Fields))
	for n := range r.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return slog.GroupValue(slog.String("local_id", r.LocalID), slog.String("object", r.Object), slog.String("tenant", r.Tenant),
		slog.String("jurisdiction", r.Jurisdiction), slog.String("sf_id", r.SFID), slog.Any("fields", names))
}

var _ slog.LogValuer = (*Record)(nil)

// Tx is a write transaction: everything done through it commits together.
type Tx struct {
	s  *Store
	tx *sql.Tx
}

// Update runs fn in one write transaction and commits when it returns nil.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	defer s.ws.prepareQueued(context.WithoutCancel(ctx))
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(&Tx{s: s, tx: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

const recordCols = `local_id, object, tenant, jurisdiction, COALESCE(sf_id, ''), version, fields, deleted`

// Record reads a record by local id.
func (t *Tx) Record(ctx context.Context, localID string) (*Record, error) {
	return t.s.scanRecord(t.queryRow(ctx, `SELECT `+recordCols+` FROM records WHERE local_id=?`, localID))
}

// RecordBySFID reads a record by the central org's Id.
func (t *Tx) RecordBySFID(ctx context.Context, sfid string) (*Record, error) {
	return t.s.scanRecord(t.queryRow(ctx, `SELECT `+recordCols+` FROM records WHERE sf_id=?`, sfid))
}

// Record reads a record by local id outside a write transaction.
func (s *Store) Record(ctx context.Context, localID string) (*Record, error) {
	return s.scanRecord(s.readRow(ctx, `SELECT `+recordCols+` FROM records WHERE local_id=?`, localID))
}

// RecordBySFID reads a record by the central org's Id.
func (s *Store) RecordBySFID(ctx context.Context, sfid string) (*Record, error) {
	return s.scanRecord(s.readRow(ctx, `SELECT `+recordCols+` FROM records WHERE sf_id=?`, sfid))
}

func (s *Store) scanRecord(row *sql.Row) (*Record, error) {
	var r Record
	var blob []byte
	var deleted int
	err := row.Scan(&r.LocalID, &r.Object, &r.Tenant, &r.Jurisdiction, &r.SFID, &r.Version, &blob, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: read record: %w", err)
	}
	r.Deleted = deleted != 0
	if r.Fields, err = s.openFields(&r, blob); err != nil {
		return nil, err
	}
	return &r, nil
}

// PutRecord inserts or replaces a record; Version must already be the new
// version. The sf_id is kept when r.SFID is empty.
func (t *Tx) PutRecord(ctx context.Context, r *Record) error {
	blob, err := t.s.sealFields(r)
	if err != nil {
		return err
	}
	now := t.s.nowMS()
	var sfid any
	if r.SFID != "" {
		sfid = r.SFID
	}
	_, err = t.exec(ctx, `INSERT INTO records(local_id, object, tenant, jurisdiction, sf_id, version, fields, deleted, created_ms, updated_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(local_id) DO UPDATE SET sf_id=COALESCE(excluded.sf_id, records.sf_id), version=excluded.version,
  fields=excluded.fields, deleted=excluded.deleted, updated_ms=excluded.updated_ms`,
		r.LocalID, r.Object, r.Tenant, r.Jurisdiction, sfid, r.Version, blob, boolInt(r.Deleted), now, now)
	if err != nil {
		return fmt.Errorf("store: write record: %w", err)
	}
	return nil
}

// sealedFields returns the record's stored (sealed) fields blob, for an
// outbox row that may have to put it back.
func (t *Tx) sealedFields(ctx context.Context, localID string) ([]byte, int64, error) {
	var blob []byte
	var v int64
	err := t.queryRow(ctx, `SELECT fields, version FROM records WHERE local_id=?`, localID).Scan(&blob, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	return blob, v, err
}

func (s *Store) sealFields(r *Record) ([]byte, error) {
	sealed := make(map[string][]byte, len(r.Fields))
	for name, v := range r.Fields {
		sealed[name] = seal(s.aead, v, aad('f', r.Tenant, r.Object, r.LocalID, name))
	}
	b, err := json.Marshal(sealed)
	if err != nil {
		return nil, fmt.Errorf("store: encode fields: %w", err)
	}
	return b, nil
}

func (s *Store) openFields(r *Record, blob []byte) (map[string]json.RawMessage, error) {
	var sealed map[string][]byte
	if err := json.Unmarshal(blob, &sealed); err != nil {
		return nil, fmt.Errorf("store: decode fields of %s: %w", r.LocalID, err)
	}
	out := make(map[string]json.RawMessage, len(sealed))
	for name, c := range sealed {
		v, err := open(s.aead, c, aad('f', r.Tenant, r.Object, r.LocalID, name))
		if err != nil {
			return nil, fmt.Errorf("store: field %s of %s: %w", name, r.LocalID, err)
		}
		out[name] = v
	}
	return out, nil
}

// SetSFID records the central org's Id of a record.
func (t *Tx) SetSFID(ctx context.Context, localID, sfid string) error {
	_, err := t.exec(ctx, `UPDATE records SET sf_id=? WHERE local_id=?`, sfid, localID)
	if err != nil {
		return fmt.Errorf("store: set sf id: %w", err)
	}
	return nil
}

// External returns the local id a tokenized external id maps to.
func (t *Tx) External(ctx context.Context, tenant, object, field, token string) (string, error) {
	var id string
	err := t.queryRow(ctx, `SELECT local_id FROM externals WHERE tenant=? AND object=? AND field=? AND token=?`,
		tenant, object, field, token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: read external id: %w", err)
	}
	return id, nil
}

// PutExternal maps a tokenized external id to a local id.
func (t *Tx) PutExternal(ctx context.Context, tenant, object, field, token, localID string) error {
	_, err := t.exec(ctx, `INSERT OR REPLACE INTO externals(tenant, object, field, token, local_id) VALUES (?, ?, ?, ?, ?)`,
		tenant, object, field, token, localID)
	if err != nil {
		return fmt.Errorf("store: write external id: %w", err)
	}
	return nil
}

// DeleteExternal forgets a tokenized external id if it still maps to localID.
func (t *Tx) DeleteExternal(ctx context.Context, tenant, object, field, token, localID string) error {
	_, err := t.exec(ctx, `DELETE FROM externals WHERE tenant=? AND object=? AND field=? AND token=? AND local_id=?`,
		tenant, object, field, token, localID)
	if err != nil {
		return fmt.Errorf("store: delete external id: %w", err)
	}
	return nil
}

// DeleteExternals forgets every external id of a record (it was deleted).
func (t *Tx) DeleteExternals(ctx context.Context, localID string) error {
	if _, err := t.exec(ctx, `DELETE FROM externals WHERE local_id=?`, localID); err != nil {
		return fmt.Errorf("store: delete external ids: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// External returns the local id a tokenized external id maps to.
func (s *Store) External(ctx context.Context, tenant, object, field, token string) (string, error) {
	var id string
	err := s.readRow(ctx, `SELECT local_id FROM externals WHERE tenant=? AND object=? AND field=? AND token=?`,
		tenant, object, field, token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: read external id: %w", err)
	}
	return id, nil
}

// All returns every record of the store, decrypted, in local id order (data
// subject export, tests).
func (s *Store) All(ctx context.Context) ([]Record, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+recordCols+` FROM records ORDER BY local_id`)
	if err != nil {
		return nil, fmt.Errorf("store: read records: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var blob []byte
		var deleted int
		if err := rows.Scan(&r.LocalID, &r.Object, &r.Tenant, &r.Jurisdiction, &r.SFID, &r.Version, &blob, &deleted); err != nil {
			return nil, fmt.Errorf("store: read records: %w", err)
		}
		r.Deleted = deleted != 0
		if r.Fields, err = s.openFields(&r, blob); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read records: %w", err)
	}
	return out, nil
}
