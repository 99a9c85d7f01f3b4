package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Op is what an outbox row asks the central org to do.
type Op string

const (
	// OpUpsert creates or updates the record through the sync id field
	// (external id = local id), so a repeated delivery cannot duplicate it.
	OpUpsert Op = "upsert"
	// OpUpsertExternal upserts through the client's external id field; the
	// value sent is ExtValue (already tokenized when the policy says so).
	OpUpsertExternal Op = "upsert_external"
	// OpUpdate patches the record by its central Id, looked up at delivery.
	OpUpdate Op = "update"
	// OpDelete deletes the record by its central Id.
	OpDelete Op = "delete"
)

// Outbox row states.
const (
	StatePending  = "pending"
	StateInflight = "inflight"
	StateDead     = "dead"
)

// OutboxRow is one write waiting to reach the central org.
type OutboxRow struct {
	ID       int64
	IdemKey  string // unique per write: local id and version
	LocalID  string
	Tenant   string
	Object   string
	Op       Op
	ExtField string
	ExtValue string // sealed at rest, like Payload
	Payload  []byte // the minimal JSON record (sealed at rest)
	Attempts int
	// Version is the record version this write produced; PrevVersion and
	// prevFields are what Reject puts back (0 and nil for a create).
	Version     int64
	PrevVersion int64
	prevFields  []byte
}

// LogValue shows a row's identity and state, never its payload or value.
func (r *OutboxRow) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", r.ID), slog.String("local_id", r.LocalID), slog.String("object", r.Object),
		slog.String("op", string(r.Op)), slog.Int("attempts", r.Attempts), slog.Int("payload_bytes", len(r.Payload)))
}

var _ slog.LogValuer = (*OutboxRow)(nil)

// Enqueue adds a row for the record's current state. With claim, the row is
// taken in flight at once for the caller's synchronous attempt; the worker
// skips it unless the process dies (Open puts it back).
func (t *Tx) Enqueue(ctx context.Context, row *OutboxRow, prevFields []byte, claim bool) error {
	state := StatePending
	if claim {
		state = StateInflight
	}
	if row.IdemKey == "" {
		row.IdemKey = row.LocalID + "#" + strconv.FormatInt(row.Version, 10)
	}
	now := t.s.nowMS()
	res, err := t.exec(ctx, `INSERT INTO outbox(idem_key, local_id, tenant, object, op, ext_field, ext_value, payload, state, next_ms, prev_version, prev_fields, created_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.IdemKey, row.LocalID, row.Tenant, row.Object, string(row.Op), row.ExtField, seal(t.s.aead, []byte(row.ExtValue), aad('e', row.IdemKey)),
		seal(t.s.aead, row.Payload, aad('o', row.IdemKey)), state, now, row.PrevVersion, prevFields, now)
	if err != nil {
		return fmt.Errorf("store: enqueue: %w", err)
	}
	row.ID, err = res.LastInsertId()
	row.prevFields = prevFields
	return err
}

// Unfinished reports whether the record has a row still waiting or in flight,
// so a new row for it must not be delivered before that one.
func (t *Tx) Unfinished(ctx context.Context, localID string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE local_id=? AND state IN ('pending','inflight')`, localID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: read outbox: %w", err)
	}
	return n > 0, nil
}

// PrevFields returns the sealed fields blob and version the record had before
// this write, for Enqueue; nil for a record that does not exist yet.
func (t *Tx) PrevFields(ctx context.Context, localID string) ([]byte, int64, error) {
	return t.sealedFields(ctx, localID)
}

// Claim takes up to limit due rows in flight: pending rows whose time has
// come and that have no earlier unfinished row for the same record, so each
// record's writes reach the org in order.
func (s *Store) Claim(ctx context.Context, limit int) ([]OutboxRow, error) {
	// A read first: an idle outbox costs the worker's poll no write
	// transaction.
	var due int
	if err := s.readRow(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE state='pending' AND next_ms<=?)`, s.nowMS()).Scan(&due); err != nil {
		return nil, fmt.Errorf("store: claim: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var out []OutboxRow
	err := s.Update(ctx, func(t *Tx) error {
		rows, err := t.tx.QueryContext(ctx, `SELECT o.id, o.idem_key, o.local_id, o.tenant, o.object, o.op, o.ext_field, o.ext_value,
  o.payload, o.attempts, o.prev_version
FROM outbox o
WHERE o.state='pending' AND o.next_ms<=?
  AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.local_id=o.local_id AND p.id<o.id AND p.state IN ('pending','inflight'))
ORDER BY o.id LIMIT ?`, s.nowMS(), limit)
		if err != nil {
			return fmt.Errorf("store: claim: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r OutboxRow
			var op string
			var sealed, ext []byte
			if err := rows.Scan(&r.ID, &r.IdemKey, &r.LocalID, &r.Tenant, &r.Object, &op, &r.ExtField, &ext,
				&sealed, &r.Attempts, &r.PrevVersion); err != nil {
				return fmt.Errorf("store: claim: %w", err)
			}
			r.Op = Op(op)
			if r.Payload, err = open(s.aead, sealed, aad('o', r.IdemKey)); err != nil {
				return err
			}
			v, err := open(s.aead, ext, aad('e', r.IdemKey))
			if err != nil {
				return err
			}
			r.ExtValue = string(v)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: claim: %w", err)
		}
		for _, r := range out {
			if _, err := t.exec(ctx, `UPDATE outbox SET state='inflight' WHERE id=?`, r.ID); err != nil {
				return fmt.Errorf("store: claim: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// Done removes delivered rows and records each record's central Id.
func (s *Store) Done(ctx context.Context, done []Delivered) error {
	return s.Update(ctx, func(t *Tx) error {
		for _, d := range done {
			if _, err := t.exec(ctx, `DELETE FROM outbox WHERE id=?`, d.RowID); err != nil {
				return fmt.Errorf("store: done: %w", err)
			}
			if d.SFID == "" {
				continue
			}
			// OR IGNORE: an Id another local record already holds (the org
			// matched an existing record) must not wedge the outbox.
			if _, err := t.exec(ctx, `UPDATE OR IGNORE records SET sf_id=? WHERE local_id=? AND COALESCE(sf_id,'')<>?`,
				d.SFID, d.LocalID, d.SFID); err != nil {
				return fmt.Errorf("store: done: %w", err)
			}
		}
		return nil
	})
}

// Delivered is a row the org accepted, with the record's central Id if the
// answer carried one.
type Delivered struct {
	RowID   int64
	LocalID string
	SFID    string
}

// Retry puts a row back to pending for another attempt at next. code is an
// error code, never a message with data.
func (s *Store) Retry(ctx context.Context, id int64, code string, next time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE outbox SET state='pending', attempts=attempts+1, next_ms=?, last_error=? WHERE id=?`,
		next.UnixMilli(), code, id)
	if err != nil {
		return fmt.Errorf("store: retry: %w", err)
	}
	return nil
}

// Dead parks a row the org will not accept: it stays, with its error code,
// for an operator; later rows of the same record wait behind it.
func (s *Store) Dead(ctx context.Context, id int64, code string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE outbox SET state='dead', attempts=attempts+1, last_error=? WHERE id=?`, code, id)
	if err != nil {
		return fmt.Errorf("store: dead: %w", err)
	}
	return nil
}

// Reject undoes a write the org refused while the client waited: the row is
// removed and the record goes back to what it was (a create is removed),
// unless a later write has changed it since.
func (s *Store) Reject(ctx context.Context, row *OutboxRow) error {
	return s.Update(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `DELETE FROM outbox WHERE id=?`, row.ID); err != nil {
			return fmt.Errorf("store: reject: %w", err)
		}
		if row.PrevVersion == 0 {
			if _, err := t.exec(ctx, `DELETE FROM records WHERE local_id=? AND version=?`, row.LocalID, row.Version); err != nil {
				return fmt.Errorf("store: reject: %w", err)
			}
			_, err := t.exec(ctx, `DELETE FROM externals WHERE local_id=? AND NOT EXISTS (SELECT 1 FROM records WHERE local_id=?)`,
				row.LocalID, row.LocalID)
			return err
		}
		_, err := t.exec(ctx, `UPDATE records SET fields=?, version=?, deleted=0, updated_ms=? WHERE local_id=? AND version=?`,
			row.prevFields, row.PrevVersion, s.nowMS(), row.LocalID, row.Version)
		if err != nil {
			return fmt.Errorf("store: reject: %w", err)
		}
		return nil
	})
}

// Release puts rows claimed by a synchronous attempt back to pending at once
// without counting an attempt (the attempt was never made).
func (s *Store) Release(ctx context.Context, ids []int64) error {
	return s.Update(ctx, func(t *Tx) error {
		for _, id := range ids {
			if _, err := t.exec(ctx, `UPDATE outbox SET state='pending' WHERE id=? AND state='inflight'`, id); err != nil {
				return fmt.Errorf("store: release: %w", err)
			}
		}
		return nil
	})
}

// Stats counts outbox rows by state.
type Stats struct {
	Pending, Inflight, Dead int
	// OldestPending is the creation time of the oldest unfinished row.
	OldestPending time.Time
}

// OutboxStats returns the outbox's counts.
func (s *Store) OutboxStats(ctx context.Context) (Stats, error) {
	var st Stats
	rows, err := s.r.QueryContext(ctx, `SELECT state, COUNT(*) FROM outbox GROUP BY state`)
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return st, fmt.Errorf("store: stats: %w", err)
		}
		switch state {
		case StatePending:
			st.Pending = n
		case StateInflight:
			st.Inflight = n
		case StateDead:
			st.Dead = n
		}
	}
	var oldest sql.NullInt64
	err = s.readRow(ctx, `SELECT MIN(created_ms) FROM outbox WHERE state IN ('pending','inflight')`).Scan(&oldest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	if oldest.Valid {
		st.OldestPending = time.UnixMilli(oldest.Int64)
	}
	return st, rows.Err()
}

// SFID returns the central Id of a record, or "" when not yet known.
func (s *Store) SFID(ctx context.Context, localID string) (string, error) {
	var id string
	err := s.readRow(ctx, `SELECT COALESCE(sf_id,'') FROM records WHERE local_id=?`, localID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: read sf id: %w", err)
	}
	return id, nil
}
