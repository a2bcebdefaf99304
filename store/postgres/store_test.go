package postgres_test

import (
	"context"
	"os"
	"testing"

	"sportel/internal/pgtest"
	"sportel/store"
	"sportel/store/postgres"
	"sportel/store/storetest"
)

// cluster is this package's private PostgreSQL, started by the first test
// that needs it and stopped by TestMain.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

// openFresh opens the store on a new database and closes it when t ends.
func openFresh(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	dsn := cluster.Database(t)
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s, dsn
}

// TestContract holds the PostgreSQL store to the driver-neutral contract
// the SQLite store passes.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openFresh(t)
		return s
	})
}
