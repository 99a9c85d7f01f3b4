package store

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Durability says when a committed write is on disk.
type Durability string

const (
	// Batch is synchronous=NORMAL in WAL mode: a commit is atomic and
	// survives a process crash at once, and survives a power loss once the
	// WAL is synced (at the next checkpoint, in batches). The default.
	Batch Durability = "batch"
	// Full is synchronous=FULL: every commit fsyncs the WAL before it returns.
	Full Durability = "full"
)

// Options configures Open.
type Options struct {
	Path       string     // SQLite file; its directory is created
	Key        []byte     // the region's 32-byte key (wraps the data key)
	Durability Durability // Batch (default) or Full
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Store is one region's store. It is safe for concurrent use.
type Store struct {
	w    *sql.DB // one connection: SQLite has one writer anyway
	r    *sql.DB // readers (WAL lets them run beside the writer)
	aead cipher.AEAD
	lock *os.File
	now  func() time.Time
	path string
	ws   stmtCache // statements prepared on w
	rs   stmtCache // statements prepared on r
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  local_id TEXT PRIMARY KEY,
  object TEXT NOT NULL,
  tenant TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  sf_id TEXT,
  version INTEGER NOT NULL,
  fields BLOB NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS records_sf ON records(sf_id) WHERE sf_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS tokens (
  tenant TEXT NOT NULL,
  token TEXT NOT NULL,
  type TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (tenant, token)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS externals (
  tenant TEXT NOT NULL,
  object TEXT NOT NULL,
  field TEXT NOT NULL,
  token TEXT NOT NULL,
  local_id TEXT NOT NULL,
  PRIMARY KEY (tenant, object, field, token)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idem_key TEXT NOT NULL UNIQUE,
  local_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  object TEXT NOT NULL,
  op TEXT NOT NULL,
  ext_field TEXT NOT NULL DEFAULT '',
  ext_value BLOB,
  payload BLOB,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  prev_version INTEGER NOT NULL DEFAULT 0,
  prev_fields BLOB,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_ms);
CREATE INDEX IF NOT EXISTS outbox_record ON outbox(local_id, id);
`

// Open opens or creates the store at opts.Path, takes its lock, checks the
// region key and puts back any outbox row a dead process had in flight.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Durability == "" {
		opts.Durability = Batch
	}
	sync := "NORMAL"
	switch opts.Durability {
	case Batch:
	case Full:
		sync = "FULL"
	default:
		return nil, fmt.Errorf("store: durability %q: want batch or full", opts.Durability)
	}
	kek, err := newGCM(opts.Key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	lock, err := lockFile(opts.Path + ".lock")
	if err != nil {
		return nil, err
	}
	s := &Store{lock: lock, now: opts.Now, path: opts.Path}
	if s.now == nil {
		s.now = time.Now
	}
	fail := func(err error) (*Store, error) {
		s.Close()
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+sync+")")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_txlock", "immediate")
	dsn := "file:" + opts.Path + "?" + q.Encode()
	if s.w, err = sql.Open("sqlite", dsn); err != nil {
		return fail(fmt.Errorf("store: %w", err))
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetConnMaxLifetime(0)
	if _, err := s.w.ExecContext(ctx, schema); err != nil {
		return fail(fmt.Errorf("store: schema: %w", err))
	}
	if s.aead, err = s.dataKey(ctx, kek); err != nil {
		return fail(err)
	}
	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout(10000)")
	rq.Add("_pragma", "query_only(1)")
	if s.r, err = sql.Open("sqlite", "file:"+opts.Path+"?"+rq.Encode()); err != nil {
		return fail(fmt.Errorf("store: %w", err))
	}
	s.r.SetMaxOpenConns(4)
	s.ws.db, s.rs.db, s.rs.lazy = s.w, s.r, true
	// The lock says no other process is alive on this file, so rows left in
	// flight belong to a process that died between commit and delivery.
	if _, err := s.w.ExecContext(ctx, `UPDATE outbox SET state='pending' WHERE state='inflight'`); err != nil {
		return fail(fmt.Errorf("store: recover outbox: %w", err))
	}
	return s, nil
}

// dataKey loads the wrapped data key, or makes one on first open.
func (s *Store) dataKey(ctx context.Context, kek cipher.AEAD) (cipher.AEAD, error) {
	var wrapped []byte
	err := s.w.QueryRowContext(ctx, `SELECT v FROM meta WHERE k='dek'`).Scan(&wrapped)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		dek := make([]byte, 32)
		_, _ = rand.Read(dek)
		wrapped = seal(kek, dek, []byte(dekAAD))
		if _, err := s.w.ExecContext(ctx, `INSERT INTO meta(k, v) VALUES ('dek', ?)`, wrapped); err != nil {
			return nil, fmt.Errorf("store: save data key: %w", err)
		}
		return newGCM(dek)
	case err != nil:
		return nil, fmt.Errorf("store: load data key: %w", err)
	}
	dek, err := open(kek, wrapped, []byte(dekAAD))
	if err != nil {
		return nil, ErrWrongKey
	}
	return newGCM(dek)
}

// Path returns the store's file.
func (s *Store) Path() string { return s.path }

// Close closes the database and releases the lock.
func (s *Store) Close() error {
	var errs []error
	s.ws.close()
	s.rs.close()
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}

func (s *Store) nowMS() int64 { return s.now().UnixMilli() }
