package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache holds statements prepared once per database handle: SQLite
// parses a statement far slower than it runs a small one. The writer has a
// single connection, which a transaction holds, so its statements are
// prepared between transactions: the first use of a query runs unprepared
// and queues it (prepareQueued).
type stmtCache struct {
	db     *sql.DB
	lazy   bool     // prepare on first use (readers); else queue (writer)
	m      sync.Map // query → *sql.Stmt
	queued sync.Map // query → struct{}
}

func (c *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	if st, ok := c.m.Load(q); ok {
		return st.(*sql.Stmt)
	}
	if !c.lazy {
		c.queued.Store(q, struct{}{})
		return nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	if prev, loaded := c.m.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	return st
}

// prepareQueued prepares the queries first used since the last call. It
// runs outside any transaction; a failure leaves the query unprepared.
func (c *stmtCache) prepareQueued(ctx context.Context) {
	c.queued.Range(func(k, _ any) bool {
		q := k.(string)
		c.queued.Delete(q)
		if st, err := c.db.PrepareContext(ctx, q); err == nil {
			if _, loaded := c.m.LoadOrStore(q, st); loaded {
				st.Close()
			}
		}
		return true
	})
}

func (c *stmtCache) close() {
	c.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// exec runs a statement inside the transaction, prepared when it can be.
func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.s.ws.get(ctx, q); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// queryRow runs a query inside the transaction, prepared when it can be.
func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.s.ws.get(ctx, q); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// readRow runs a query on the readers, prepared once.
func (s *Store) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.rs.get(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.r.QueryRowContext(ctx, q, args...)
}
