package postgres_test

import (
	"context"
	"testing"
	"time"
)

// The database's clock is read as the server has it, so instances can
// compare theirs with one clock.
func TestDatabaseNow(t *testing.T) {
	st, _ := openFresh(t)
	before := time.Now()
	db, err := st.DatabaseNow(context.Background())
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	// The cluster runs on this host: its clock is this one's.
	if db.Before(before.Add(-time.Second)) || db.After(after.Add(time.Second)) {
		t.Errorf("database clock %s, host %s–%s", db, before, after)
	}
}
