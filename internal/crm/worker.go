package crm

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/store"
)

// work is the outbox worker: it delivers due rows of every regional store,
// oldest first, until Close.
func (f *Face) work() {
	defer close(f.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-f.stop
		cancel()
	}()
	t := time.NewTicker(f.sf.Delivery.PollInterval)
	defer t.Stop()
	for {
		if err := f.Flush(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("crm outbox", slog.String("error", err.Error()))
		}
		select {
		case <-f.stop:
			return
		case <-t.C:
		case <-f.wake:
		}
	}
}

// kick wakes the worker (a write was queued for later).
func (f *Face) kick() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Flush delivers every due outbox row now and returns when none is left
// due (rows waiting for a retry time stay).
func (f *Face) Flush(ctx context.Context) error {
	for _, reg := range f.storeList {
		for ctx.Err() == nil {
			rows, err := reg.st.Claim(ctx, 200)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				break
			}
			outs := f.deliver(ctx, reg, rows, false)
			if err := f.settle(ctx, reg, rows, outs, false); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// settle records what happened to delivered rows: done, retry later, or (the
// org refused) undone when the client is still waiting, parked otherwise.
func (f *Face) settle(ctx context.Context, reg *regional, rows []store.OutboxRow, outs []outcome, sync bool) error {
	// Settle even when the caller's context ended: the org has answered.
	ctx = context.WithoutCancel(ctx)
	var done []store.Delivered
	for i := range rows {
		r, o := &rows[i], &outs[i]
		switch o.kind {
		case delivered:
			done = append(done, store.Delivered{RowID: r.ID, LocalID: r.LocalID, SFID: o.sfid})
		case transient:
			attempts := r.Attempts + 1
			if attempts >= f.sf.Delivery.MaxAttempts {
				if err := reg.st.Dead(ctx, r.ID, o.code); err != nil {
					return err
				}
				f.log.Error("crm outbox row parked after max attempts", slog.String("local_id", r.LocalID), slog.String("op", string(r.Op)), slog.String("code", o.code))
				continue
			}
			if err := reg.st.Retry(ctx, r.ID, o.code, f.now().Add(f.backoff(attempts))); err != nil {
				return err
			}
			f.log.Info("crm delivery deferred", slog.String("local_id", r.LocalID), slog.String("op", string(r.Op)), slog.String("code", o.code), slog.Int("attempt", attempts))
		case rejected:
			if sync {
				if err := reg.st.Reject(ctx, r); err != nil {
					return err
				}
				continue
			}
			if err := reg.st.Dead(ctx, r.ID, o.code); err != nil {
				return err
			}
			f.log.Error("crm outbox row refused by the org", slog.String("local_id", r.LocalID), slog.String("op", string(r.Op)), slog.String("code", o.code))
		}
	}
	if len(done) > 0 {
		return reg.st.Done(ctx, done)
	}
	return nil
}

// backoff is exponential with full jitter between MinBackoff and MaxBackoff.
func (f *Face) backoff(attempts int) time.Duration {
	d := f.sf.Delivery.MinBackoff
	for i := 1; i < attempts && d < f.sf.Delivery.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, f.sf.Delivery.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}
