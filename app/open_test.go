package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Open loads the classifier beside the store: when the store cannot be
// opened, Open says why, and a later Open of a good store works.
func TestOpenStoreFailure(t *testing.T) {
	s := newMemStack(t)
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := s.cfg.Store.DSN
	s.cfg.Store.DSN = filepath.Join(notADir, "sportel.db")
	a, err := Open(context.Background(), s.cfg, s.logs.Logger(slog.LevelInfo))
	if err == nil {
		a.Close()
		t.Fatal("Open on a database path under a regular file succeeded")
	}
	if !strings.Contains(err.Error(), "sportel.db") {
		t.Errorf("Open error %q does not name the database", err)
	}
	s.cfg.Store.DSN = good
	s.open() // fails the test if it cannot open
}
