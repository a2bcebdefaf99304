package postgres_test

import (
	"context"
	"testing"

	"sportel/store"
	"sportel/store/postgres"
	"sportel/store/storetest"
)

// Migration 0011: jobs cancelled before cancelled jobs gave up their keys.
func TestUpgradeFreesCancelledKeys(t *testing.T) {
	ctx := context.Background()
	s, dsn := openFresh(t)
	storetest.UpgradeFreesCancelledKeys(t, s,
		func(t *testing.T, id int64, key string) {
			raw := rawConn(t, dsn)
			if _, err := raw.Exec(ctx, `UPDATE jobs SET job_key = $1 WHERE id = $2`, key, id); err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(ctx, `DELETE FROM schema_version WHERE version = 11`); err != nil {
				t.Fatal(err)
			}
		},
		func(t *testing.T) store.Store {
			again, err := postgres.Open(ctx, dsn)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			t.Cleanup(func() { again.Close() })
			return again
		})
}
