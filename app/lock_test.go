package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"sportel/internal/testutil"
	"sportel/store/sqlite"
)

// A second daemon on the same SQLite file is refused with a clear error,
// while the ticket commands (Open without Run) read beside the first.
func TestSecondRunOnOneDatabaseIsRefused(t *testing.T) {
	s := newMemStack(t)
	first, stop := s.serve()
	defer stop()
	testutil.Eventually(t, "the first daemon to hold the lock", 10*time.Second, func() (bool, error) {
		return first.outbox.Load() != nil, nil
	})
	second := s.open()
	done := make(chan error, 1)
	go func() { done <- second.Run(context.Background()) }()
	select {
	case err := <-done:
		if !errors.Is(err, sqlite.ErrInstanceLocked) {
			t.Fatalf("second Run: %v, want ErrInstanceLocked", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a second daemon started on a database another one holds")
	}
	if _, err := second.Store().CountTickets(context.Background()); err != nil {
		t.Errorf("reading beside a running daemon: %v", err)
	}
}
