package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"sportel/store"
	"sportel/store/sqlite"
)

// A write lock another connection (another process) holds for longer than
// the busy timeout fails the store's writes marked store.ErrBusy, soon
// (Options.BusyTimeout, not the default 10 s), with SQLite's SQLITE_BUSY
// still in the chain: a transaction, a write outside one, the workspace's
// session touch, a claim of jobs. Reads go on meanwhile (WAL). Once the
// lock is let go the same writes succeed; an error that is not SQLite's
// being busy is not marked, and fn's own error is returned unchanged.
func TestBusyIsMarked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sportel.db")
	const busyTimeout = 100 * time.Millisecond
	s, err := sqlite.OpenWith(ctx, path, sqlite.Options{BusyTimeout: busyTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if got := s.WritePragmaForTest(t, "busy_timeout"); got != int(busyTimeout.Milliseconds()) {
		t.Fatalf("busy_timeout %d ms, want %d", got, busyTimeout.Milliseconds())
	}
	now := time.Now()
	if err := s.CreateSession(ctx, &store.WebSession{TokenHash: "hash", OfficerID: "jusuf", CreatedAt: now, LastSeen: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetState(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	holder, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })

	writes := []struct {
		name string
		call func(context.Context) error
	}{
		{"a transaction", func(ctx context.Context) error {
			return s.WithTx(ctx, func(tx store.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001", t0)) })
		}},
		{"a write outside one", func(ctx context.Context) error { return s.SetState(ctx, "k", "w") }},
		{"the workspace's session", func(ctx context.Context) error {
			_, _, err := s.TouchSession(ctx, "hash", time.Now(), store.SessionLimits{Idle: time.Hour})
			return err
		}},
		{"a claim of jobs", func(ctx context.Context) error {
			_, err := s.ClaimJobs(ctx, "w1", time.Now(), time.Minute, 10)
			return err
		}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			if _, err := holder.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err := w.call(ctx)
			took := time.Since(start)
			var se *msqlite.Error
			if !errors.Is(err, store.ErrBusy) || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
				t.Errorf("with the write lock held: %v, want store.ErrBusy over SQLITE_BUSY", err)
			}
			if took > 5*time.Second {
				t.Errorf("failed after %v: the busy timeout of %v was not used", took, busyTimeout)
			}
			if v, ok, err := s.GetState(ctx, "k"); err != nil || !ok || v == "" {
				t.Errorf("a read with the write lock held: %q, %v, %v", v, ok, err)
			}
			if _, err := holder.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
			if err := w.call(ctx); err != nil {
				t.Errorf("with the write lock let go: %v", err)
			}
		})
	}
}

// Open waits 10 s for another process's lock, as before BusyTimeout.
func TestDefaultBusyTimeout(t *testing.T) {
	s, _ := openTemp(t)
	for name, got := range map[string]int{"read": s.PragmaForTest(t, "busy_timeout"), "write": s.WritePragmaForTest(t, "busy_timeout")} {
		if got != 10000 {
			t.Errorf("%s connection: busy_timeout %d ms, want 10000", name, got)
		}
	}
}
