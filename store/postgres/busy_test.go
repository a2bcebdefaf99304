package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"sportel/store"
	"sportel/store/postgres"
)

// A lock another session holds for longer than lock_timeout fails the
// store's call marked store.ErrBusy, with PostgreSQL's error (55P03) still
// in the chain: a row being written, a table locked whole, read from or
// written in a transaction, the workspace's session touch. Once the lock
// is let go the same call succeeds; an error that is not the server's
// being busy is not marked, and fn's own error is returned unchanged.
func TestBusyIsMarked(t *testing.T) {
	ctx := context.Background()
	first, dsn := openFresh(t)
	s, err := postgres.Open(ctx, dsn+" lock_timeout=200ms")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := first.SetState(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sess := &store.WebSession{TokenHash: "hash", OfficerID: "jusuf", CreatedAt: now, LastSeen: now}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	holder := rawConn(t, dsn)
	cases := []struct {
		name string
		hold string // what the other session holds, in its transaction
		call func(context.Context) error
	}{
		{"a row being written", `UPDATE kv_state SET value = 'held' WHERE key = 'k'`,
			func(ctx context.Context) error { return s.SetState(ctx, "k", "w") }},
		{"a locked table, read", `LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE`,
			func(ctx context.Context) error { _, _, err := s.TicketByNumber(ctx, "DKP-2026-000001"); return err }},
		{"a locked table, in a transaction", `LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE`,
			func(ctx context.Context) error {
				return s.WithTx(ctx, func(tx store.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001")) })
			}},
		{"the workspace's session", `LOCK TABLE web_sessions IN ACCESS EXCLUSIVE MODE`,
			func(ctx context.Context) error {
				_, _, err := s.TouchSession(ctx, "hash", time.Now(), store.SessionLimits{Idle: time.Hour})
				return err
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := holder.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, c.hold); err != nil {
				t.Fatal(err)
			}
			err = c.call(ctx)
			var pe *pgconn.PgError
			if !errors.Is(err, store.ErrBusy) || !errors.As(err, &pe) || pe.Code != "55P03" {
				t.Errorf("with the lock held: %v, want store.ErrBusy over SQLSTATE 55P03", err)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.call(ctx); err != nil {
				t.Errorf("with the lock let go: %v", err)
			}
		})
	}
}

// A call whose session the server ended under it (pg_terminate_backend, as
// an administrator or a fast shutdown does) fails marked store.ErrConnLost,
// the server's error kept: the store failed, not the call, and a caller
// must not hold it against what it asked (the watcher sets mail aside that
// fails while other writes go through). The next call, on a new
// connection, succeeds.
func TestConnLostIsMarked(t *testing.T) {
	ctx := context.Background()
	s, dsn := openFresh(t)
	admin := rawConn(t, dsn)
	cases := []struct {
		name string
		call func(context.Context) error
	}{
		{"a read", func(ctx context.Context) error { _, err := s.SourcesTaken(ctx, []string{"mail:a"}); return err }},
		{"a transaction", func(ctx context.Context) error {
			return s.WithTx(ctx, func(tx store.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001")) })
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A pooled connection, used a moment ago, so the pool hands it
			// out again without a ping.
			if _, err := s.SourcesTaken(ctx, []string{"mail:warm"}); err != nil {
				t.Fatal(err)
			}
			var ended int
			if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&ended); err != nil {
				t.Fatal(err)
			}
			if ended == 0 {
				t.Fatal("no session of the store to end")
			}
			err := c.call(ctx)
			if err == nil {
				t.Fatal("the call went through on a session the server ended")
			}
			if !errors.Is(err, store.ErrConnLost) || errors.Is(err, store.ErrBusy) {
				t.Errorf("err %v: connection lost %v, busy %v; want lost and not busy", err, errors.Is(err, store.ErrConnLost), errors.Is(err, store.ErrBusy))
			}
			if err := c.call(ctx); err != nil && !errors.Is(err, store.ErrSourceTaken) {
				t.Errorf("the call again, on a new connection: %v", err)
			}
		})
	}
}
