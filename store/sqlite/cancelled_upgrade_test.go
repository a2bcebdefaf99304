package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/sqlite"
	"sportel/store/storetest"
)

// Migration 0014: jobs cancelled before cancelled jobs gave up their keys.
func TestUpgradeFreesCancelledKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sportel.db")
	open := func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := open(t)
	storetest.UpgradeFreesCancelledKeys(t, s,
		func(t *testing.T, id int64, key string) {
			testutil.ExecSQL(t, "sqlite", path,
				fmt.Sprintf(`UPDATE jobs SET job_key = '%s' WHERE id = %d`, key, id),
				`DELETE FROM schema_version WHERE version = 14`)
		},
		func(t *testing.T) store.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t)
		})
}
