package drivers_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportel/internal/pgtest"
	"sportel/internal/testutil"
	"sportel/store/drivers"
)

// cluster is this package's private PostgreSQL, started by the first test
// that needs it and stopped by TestMain.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	// Nobody listens there: a postgres store that cannot connect fails Open.
	deadAddr := testutil.FreeAddr(t)
	host, port, _ := strings.Cut(deadAddr, ":")
	tests := []struct {
		name    string
		opts    drivers.Options
		wantErr string
	}{
		{"sqlite file", drivers.Options{Driver: "sqlite", DSN: filepath.Join(dir, "a.db")}, ""},
		{"sqlite in memory, normal sync", drivers.Options{Driver: "sqlite", DSN: ":memory:", Synchronous: "normal"}, ""},
		{"unknown driver", drivers.Options{Driver: "oracle", DSN: "x"}, `driver "oracle" is not available`},
		{"bad sync level", drivers.Options{Driver: "sqlite", DSN: filepath.Join(dir, "b.db"), Synchronous: "off"}, "synchronous"},
		{"postgres, nobody listening", drivers.Options{Driver: "postgres",
			DSN: "host=" + host + " port=" + port + " user=sportel password=s3cret dbname=sportel sslmode=disable connect_timeout=5"},
			"open postgres sportel@" + host + ":" + port + "/sportel"},
		{"postgres, empty DSN", drivers.Options{Driver: "postgres"}, "empty DSN"},
		{"postgres, malformed URL", drivers.Options{Driver: "postgres", DSN: "postgres://u:s3cret@db:notaport/x"}, "parse DSN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := drivers.Open(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open: %v, want an error containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("Open's error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if n, err := st.CountTickets(context.Background()); err != nil || n != 0 {
				t.Errorf("a new store counts %d tickets (err %v)", n, err)
			}
		})
	}
}

// A postgres store opens by name and is migrated, ready for use.
func TestOpenPostgres(t *testing.T) {
	dsn := cluster.Database(t)
	ctx := context.Background()
	st, err := drivers.Open(ctx, drivers.Options{Driver: "postgres", DSN: dsn, Synchronous: "full"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.CountTickets(ctx); err != nil || n != 0 {
		t.Errorf("a new store counts %d tickets (err %v)", n, err)
	}
	if err := st.SetState(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := st.GetState(ctx, "k"); v != "v" || !ok || err != nil {
		t.Errorf("GetState = %q, %v, %v", v, ok, err)
	}
	if err := drivers.Backup(ctx, drivers.Options{Driver: "postgres", DSN: dsn}, filepath.Join(t.TempDir(), "b")); err == nil ||
		!strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup of a postgres store = %v, want a pointer to pg_dump", err)
	}
}
