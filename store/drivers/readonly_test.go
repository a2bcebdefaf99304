package drivers_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/drivers"
)

// fileTicket opens opts for writing (migrating it) and files one ticket.
func fileTicket(t *testing.T, opts drivers.Options) {
	t.Helper()
	ctx := context.Background()
	st, err := drivers.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := inquiryTime()
	err = st.WithTx(ctx, func(tx store.Tx) error {
		return tx.CreateTicket(&inquiry.Ticket{Number: "DKP-2026-000001", Channel: inquiry.ChannelEmail, Subject: "Kërkesë",
			State: inquiry.Assigned, ReceivedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenReadOnlySQLite(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string) // nil: no file at all
		wantErr string
	}{
		{"missing file", nil, "no database at "},
		{"not a Sportel database", func(t *testing.T, path string) { testutil.ExecSQL(t, "sqlite", path, `CREATE TABLE other (x INTEGER)`) }, "not a Sportel database"},
		{"older schema", func(t *testing.T, path string) {
			fileTicket(t, drivers.Options{Driver: "sqlite", DSN: path})
			testutil.ExecSQL(t, "sqlite", path, `DELETE FROM schema_version WHERE version = (SELECT MAX(version) FROM schema_version)`)
		}, "is older than this program's"},
		{"newer schema", func(t *testing.T, path string) {
			fileTicket(t, drivers.Options{Driver: "sqlite", DSN: path})
			testutil.ExecSQL(t, "sqlite", path, `INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 'x')`)
		}, "is newer than this program knows"},
		{"current schema", func(t *testing.T, path string) { fileTicket(t, drivers.Options{Driver: "sqlite", DSN: path}) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dir with #% signs", "sportel.db")
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			var before []byte
			if tt.prepare != nil {
				tt.prepare(t, path)
				before = schemaOf(t, path)
			}
			st, err := drivers.OpenReadOnly(ctx, drivers.Options{Driver: "sqlite", DSN: path})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("OpenReadOnly = %v, want an error naming %s and containing %q", err, path, tt.wantErr)
				}
				if tt.prepare == nil {
					if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("a missing database was created (stat: %v)", err)
					}
				} else if after := schemaOf(t, path); string(after) != string(before) {
					t.Errorf("the schema changed:\n%s\nbecame\n%s", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ts, err := st.ListTickets(ctx, inquiry.TicketFilter{Text: "kerkese"})
			if err != nil || len(ts) != 1 {
				t.Fatalf("ListTickets = %d tickets, %v; want the one filed", len(ts), err)
			}
			w, ok := st.(store.Store)
			if !ok {
				t.Fatal("the SQLite read store is not a store.Store")
			}
			if err := w.SetState(ctx, "k", "v"); err == nil || !strings.Contains(err.Error(), "readonly") {
				t.Errorf("a write through the read-only store = %v, want a read-only error", err)
			}
		})
	}
}

// schemaOf is the database's schema and versions, to show nothing changed.
func schemaOf(t *testing.T, path string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s string
	if err := db.QueryRow(`SELECT group_concat(sql, ';') FROM sqlite_schema`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	var v sql.NullInt64
	_ = db.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&v) // no table: NULL
	return []byte(fmt.Sprintf("%s|%d", s, v.Int64))
}

func TestOpenReadOnlyPostgres(t *testing.T) {
	ctx := context.Background()
	exec := func(t *testing.T, dsn string, qs ...string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, q := range qs {
			if _, err := conn.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	tests := []struct {
		name    string
		prepare func(t *testing.T, dsn string)
		wantErr string
	}{
		{"empty database", func(*testing.T, string) {}, "not a Sportel database"},
		{"older schema", func(t *testing.T, dsn string) {
			fileTicket(t, drivers.Options{Driver: "postgres", DSN: dsn})
			exec(t, dsn, `DELETE FROM schema_version WHERE version = (SELECT MAX(version) FROM schema_version)`)
		}, "is older than this program's"},
		{"current schema", func(t *testing.T, dsn string) { fileTicket(t, drivers.Options{Driver: "postgres", DSN: dsn}) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := cluster.Database(t)
			tt.prepare(t, dsn)
			st, err := drivers.OpenReadOnly(ctx, drivers.Options{Driver: "postgres", DSN: dsn})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("OpenReadOnly = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ts, err := st.ListTickets(ctx, inquiry.TicketFilter{Text: "kerkese"})
			if err != nil || len(ts) != 1 {
				t.Fatalf("ListTickets = %d tickets, %v; want the one filed", len(ts), err)
			}
			if err := st.(store.Store).SetState(ctx, "k", "v"); err == nil || !strings.Contains(err.Error(), "read-only") {
				t.Errorf("a write through the read-only store = %v, want a read-only error", err)
			}
		})
	}
}

func inquiryTime() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) }

// A reading command beside a running daemon sees what the daemon commits.
func TestOpenReadOnlyBesideAWriter(t *testing.T) {
	ctx := context.Background()
	opts := drivers.Options{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "sportel.db")}
	w, err := drivers.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	file := func(n int) {
		t.Helper()
		now := inquiryTime()
		if err := w.WithTx(ctx, func(tx store.Tx) error {
			return tx.CreateTicket(&inquiry.Ticket{Number: fmt.Sprintf("DKP-2026-%06d", n), Channel: inquiry.ChannelEmail,
				Subject: "Kërkesë", State: inquiry.Assigned, ReceivedAt: now, UpdatedAt: now})
		}); err != nil {
			t.Fatal(err)
		}
	}
	file(1)
	r, err := drivers.OpenReadOnly(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for want := 1; want <= 2; want++ {
		if n, err := r.CountTickets(ctx); err != nil || n != want {
			t.Errorf("reader counts %d tickets (%v), want %d", n, err, want)
		}
		file(want + 1)
	}
}
