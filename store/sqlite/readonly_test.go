package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A missing database is named as given and, when that is relative, by the
// absolute path it was looked for at, so an operator in the wrong directory
// sees where.
func TestOpenReadOnlyNamesTheMissingFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		name, path, want string
	}{
		{"absolute", filepath.Join(dir, "a.db"), "no database at " + filepath.Join(dir, "a.db")},
		{"relative", "./sportel.db", "no database at ./sportel.db (" + filepath.Join(dir, "sportel.db") + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenReadOnly(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Fatal("OpenReadOnly opened a missing database")
			}
			if !errors.Is(err, ErrNoDatabase) || err.Error() != tt.want {
				t.Errorf("OpenReadOnly: %v, want %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "sportel.db")); err == nil {
				t.Error("a database file was created")
			}
		})
	}
}
