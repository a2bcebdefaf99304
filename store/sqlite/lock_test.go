package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"sportel/store/sqlite"
)

func TestInstanceLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sportel.db")
	first, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()

	unlock, err := first.LockInstance()
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	if _, err := second.LockInstance(); !errors.Is(err, sqlite.ErrInstanceLocked) {
		t.Fatalf("second lock while the first is held: %v, want ErrInstanceLocked", err)
	}
	// Reading stays open to everyone (the ticket commands need no lock).
	if _, err := second.CountTickets(context.Background()); err != nil {
		t.Errorf("read beside a locked instance: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock2, err := second.LockInstance()
	if err != nil {
		t.Fatalf("lock after the first let go: %v", err)
	}
	if err := unlock2(); err != nil {
		t.Fatal(err)
	}

	mem, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	for range 2 {
		if _, err := mem.LockInstance(); err != nil {
			t.Errorf("in-memory store: %v, want no lock at all", err)
		}
	}
}
