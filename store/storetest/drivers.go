package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"sportel/internal/pgtest"
	"sportel/store"
	"sportel/store/drivers"
)

// Driver opens an empty store of one driver, for a test or benchmark that
// runs against each.
type Driver struct {
	Name string
	Open func(tb testing.TB) store.Store
}

// Drivers are SQLite in a temporary file and PostgreSQL in a fresh database
// of cluster (skipped, with the reason, without PostgreSQL).
func Drivers(cluster *pgtest.Cluster) []Driver {
	open := func(tb testing.TB, opts drivers.Options) store.Store {
		st, err := drivers.Open(context.Background(), opts)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { st.Close() })
		return st
	}
	return []Driver{
		{"sqlite", func(tb testing.TB) store.Store {
			return open(tb, drivers.Options{Driver: "sqlite", DSN: filepath.Join(tb.TempDir(), "sportel.db")})
		}},
		{"postgres", func(tb testing.TB) store.Store {
			return open(tb, drivers.Options{Driver: "postgres", DSN: cluster.Database(tb)})
		}},
	}
}
