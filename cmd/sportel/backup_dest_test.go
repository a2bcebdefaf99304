package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportel/store/drivers"
)

// Where a backup cannot go is said plainly, and nothing is left behind: a
// directory is not "a file that exists", and an empty FILE is no file.
func TestBackupDestinations(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sportel.db")
	st, err := drivers.Open(context.Background(), drivers.Options{Driver: "sqlite", DSN: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "backups")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		dest    string
		code    int
		wantErr string
	}{
		{"a new file", filepath.Join(target, "ok.db"), 0, ""},
		{"a directory", target, 1, "sportel backup: " + target + " is a directory: name a new file in it, e.g. " + filepath.Join(target, "sportel-")},
		{"an empty name", "", 2, "Usage: sportel backup"},
		{"a missing directory", filepath.Join(dir, "nope", "x.db"), 1, "no such file or directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadDir(target)
			code, _, errOut := runCmd(t, "", nil, "backup", "--db", db, c.dest)
			if code != c.code || !strings.Contains(errOut, c.wantErr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, c.code, c.wantErr)
			}
			if after, _ := os.ReadDir(target); c.code != 0 && len(after) != len(before) {
				t.Errorf("a failed backup left files: %v", after)
			}
		})
	}
}
