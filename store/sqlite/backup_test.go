package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/store"
	"sportel/store/sqlite"
)

// A backup of a live store, taken while the daemon holds the instance lock
// and another connection keeps filing tickets, is a consistent database
// with at least the tickets committed before it began, readable by its
// owner alone.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	const before = 50
	for i := range before {
		inTx(t, s, func(tx store.Tx) error {
			return tx.CreateTicket(newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0))
		})
	}
	unlock, err := s.LockInstance()
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	// The daemon's writes, on a connection of their own.
	writer, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := before + 1; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			err := writer.WithTx(ctx, func(tx store.Tx) error {
				return tx.CreateTicket(newTicket(fmt.Sprintf("DKP-2026-%06d", n), t0))
			})
			if err != nil {
				t.Errorf("write during the backup: %v", err)
				return
			}
			written.Add(1)
		}
	})
	// Let the writer get going before the backup starts.
	for written.Load() < 5 {
		time.Sleep(time.Millisecond)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	err = sqlite.Backup(ctx, path, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	after := before + int(written.Load())

	fi, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want -rw-------", fi.Mode().Perm())
	}
	if got := rawQueryString(t, dest, `PRAGMA integrity_check`); got != "ok" {
		t.Errorf("integrity_check of the copy: %q", got)
	}
	copied, err := sqlite.Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	n, err := copied.CountTickets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n < before+5 || n > after {
		t.Errorf("copy has %d tickets, want between %d (committed before the backup) and %d (at its end)", n, before+5, after)
	}
	t.Logf("copy has %d tickets; %d at the start of the backup, %d at its end", n, before+5, after)
}

func TestBackupRefuses(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	inTx(t, s, func(tx store.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001", t0)) })
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("yesterday's backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	if db, err := sql.Open("sqlite", other); err != nil {
		t.Fatal(err)
	} else if _, err := db.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	tests := []struct {
		name      string
		src, dest string
		wantErr   string
		destAfter string // the content dest must keep; "" when it must not exist
	}{
		{"an existing file is never overwritten", path, existing, "exists", "yesterday's backup"},
		{"a missing database is not created empty", filepath.Join(dir, "typo.db"), filepath.Join(dir, "b1.db"), "no such file", ""},
		{"an in-memory store has no file", ":memory:", filepath.Join(dir, "b2.db"), "only a database file", ""},
		{"a file that is no database leaves no copy", existing, filepath.Join(dir, "b3.db"), "not a database", ""},
		// SQLite reads both as databases; a copy would be a backup of nothing.
		{"an empty file is no Sportel store", empty, filepath.Join(dir, "b4.db"), "not a Sportel database", ""},
		{"another program's database is no Sportel store", other, filepath.Join(dir, "b5.db"), "not a Sportel database", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sqlite.Backup(ctx, tt.src, tt.dest)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Backup: %v, want an error containing %q", err, tt.wantErr)
			}
			got, rerr := os.ReadFile(tt.dest)
			switch {
			case tt.destAfter == "" && !os.IsNotExist(rerr):
				t.Errorf("%s left behind (%v)", tt.dest, rerr)
			case tt.destAfter != "" && string(got) != tt.destAfter:
				t.Errorf("%s now holds %q, want it untouched", tt.dest, got)
			}
			if _, err := os.Stat(filepath.Join(dir, "typo.db")); !os.IsNotExist(err) {
				t.Errorf("a database was created at the mistyped path (%v)", err)
			}
		})
	}
}

func rawQueryString(t *testing.T, path, query string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s string
	if err := db.QueryRow(query).Scan(&s); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}

// A backup killed half way — a second Ctrl-C, the OOM killer, a power cut —
// leaves nothing at its destination: an admin would find a file there
// looking like last night's backup, and learn on the day of the restore
// that it is cut off. The backup runs in a child process (this test binary
// again), killed once the copy has begun to be written.
func TestBackupKilledLeavesNoBackup(t *testing.T) {
	if src := os.Getenv("SPORTEL_TEST_BACKUP_SRC"); src != "" {
		if err := sqlite.Backup(context.Background(), src, os.Getenv("SPORTEL_TEST_BACKUP_DEST")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("writes a 96 MB database")
	}
	s, path := openTemp(t)
	inTx(t, s, func(tx store.Tx) error { return tx.CreateTicket(newTicket("DKP-2026-000001", t0)) })
	// Bulk, so the copy takes long enough to be caught in the middle.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE bulk (b BLOB); INSERT INTO bulk SELECT randomblob(1 << 20) FROM generate_series(1, 96)`); err != nil {
		// generate_series is an extension: a recursive CTE does the same.
		if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS bulk (b BLOB);
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 96) INSERT INTO bulk SELECT randomblob(1 << 20) FROM n`); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	dir := t.TempDir()
	dest := filepath.Join(dir, "sportel-2026-12-05.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackupKilledLeavesNoBackup$")
	cmd.Env = append(os.Environ(), "SPORTEL_TEST_BACKUP_SRC="+path, "SPORTEL_TEST_BACKUP_DEST="+dest)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	writing := func() bool {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && fi.Size() > 0 {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(time.Minute)
	for !writing() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	_ = cmd.Process.Kill()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != -1 {
		t.Skipf("the backup ended (%v) before it could be killed", err)
	}
	if fi, err := os.Stat(dest); err == nil {
		t.Errorf("a killed backup left %s (%d bytes), which looks like a backup", dest, fi.Size())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), filepath.Base(dest)+".partial-") {
			t.Errorf("a killed backup left %s", e.Name())
		}
	}
}
