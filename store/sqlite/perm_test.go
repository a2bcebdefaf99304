package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"sportel/store/sqlite"
)

// The database holds citizens' raw mail: the file and its -wal/-shm are the
// owner's alone, whatever the umask, and files an earlier version left
// readable by others are restricted when the store opens.
func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	// The umask is the process's: a permissive one, as a shell usually
	// has, is what would leave the files readable by everyone.
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)

	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
	}{
		{"new database", func(*testing.T, string) {}},
		{"database an earlier version created 0644", func(t *testing.T, path string) {
			db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TABLE leftover (x INTEGER)`); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
				t.Fatalf("setup: %v, %v, want a 0644 file", fi.Mode(), err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sportel.db")
			tt.prepare(t, path)
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.CountTickets(context.Background()); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Errorf("%s: %v", filepath.Base(p), err)
					continue
				}
				if got := fi.Mode().Perm(); got != 0o600 {
					t.Errorf("%s: mode %v, want -rw-------", filepath.Base(p), got)
				}
			}
		})
	}
}

// SQLite's "attempt to write a readonly database" and "unable to open
// database file" name no file; an admin is told which directory and files
// must be writable. Another error gets no such hint.
func TestOpenNamesWhatMustBeWritable(t *testing.T) {
	tests := []struct {
		name     string
		spoil    func(t *testing.T, path string)
		wantHint bool
	}{
		// As a read-only directory does (tests run as root, whom modes
		// do not stop): SQLite cannot write the shared-memory file.
		{"the -shm cannot be written", func(t *testing.T, path string) {
			if err := os.Mkdir(path+"-shm", 0o700); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 600), 0o600); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sportel.db")
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			tt.spoil(t, path)
			s, err = sqlite.Open(context.Background(), path)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			hinted := strings.Contains(err.Error(), "ReadWritePaths=") && strings.Contains(err.Error(), filepath.Dir(path))
			if hinted != tt.wantHint {
				t.Errorf("error %q: hint %v, want %v", err, hinted, tt.wantHint)
			}
		})
	}
}

// An admin runs commands as root against the service's files: what root
// creates in the service user's directories (a new store, as `store copy`
// makes one; the instance lock `store copy` takes; a backup) is that
// user's, as SQLite makes the -wal and -shm the database owner's, or
// `sportel run` as that user could not open them. In root's own
// directories they stay root's.
func TestFilesRootCreatesBelongToTheDirectorysOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const uid, gid = 65534, 65534 // nobody
	ctx := context.Background()
	tests := []struct {
		name    string
		owner   int // of the store's and the backups' directories
		wantUID uint32
		wantGID uint32
	}{
		{"the service's directory", uid, uid, gid},
		{"root's own directory", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, backups := t.TempDir(), t.TempDir()
			for _, d := range []string{dir, backups} {
				if err := os.Chown(d, tt.owner, tt.owner); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, "sportel.db")
			s, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			unlock, err := s.LockInstance()
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			backup := filepath.Join(backups, "sportel-2026-12-05.db")
			if err := sqlite.Backup(ctx, path, backup); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + ".lock", path + "-wal", path + "-shm", backup} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Errorf("%s: %v", p, err)
					continue
				}
				st := fi.Sys().(*syscall.Stat_t)
				if st.Uid != tt.wantUID || st.Gid != tt.wantGID {
					t.Errorf("%s belongs to %d:%d, want %d:%d", filepath.Base(p), st.Uid, st.Gid, tt.wantUID, tt.wantGID)
				}
			}
		})
	}
}
