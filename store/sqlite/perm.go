package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// fileMode is the mode of the database and its -wal/-shm: the database holds
// citizens' raw mail, so only its owner may read it.
const fileMode = 0o600

// createPrivate creates the database file with fileMode when it does not
// exist yet, so it never exists with the process's umask applied. SQLite
// then gives the -wal and -shm it creates the database file's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return giveToOwnerOf(path, filepath.Dir(path))
}

// giveToOwnerOf gives a file this process created to the owner of like
// (its directory, or the database it belongs to) when the process runs as
// root: an admin's `sportel store copy` or `backup` as root into
// /var/lib/sportel would otherwise leave files, 0600, that the service's
// user cannot open, and `sportel run` would then fail to start. SQLite
// does the same for the -wal and -shm it creates. Files in root's own
// directories stay root's.
func giveToOwnerOf(path, like string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(like)
	if err != nil {
		return fmt.Errorf("give %s to the owner of %s: %w", path, like, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return nil
	}
	if err := os.Chown(path, int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("give %s to the owner of %s: %w", path, like, err)
	}
	return nil
}

// tightenModes takes group and other permissions off the database and its
// -wal/-shm. Earlier versions created them with the umask's mode (0644 as a
// rule), and SQLite copies the database file's mode to the files beside it.
func tightenModes(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue // -wal and -shm come and go with the connections
		}
		if err != nil {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		mode := fi.Mode().Perm()
		if mode&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, mode&^0o077); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", p, err)
		}
		slog.Warn("database file was readable by others: restricted to its owner",
			"file", p, "was", mode.String(), "now", (mode &^ 0o077).String())
	}
	return nil
}

// withWriteHint adds to an error of opening the database what an admin
// can do about it when SQLite said it could not open or write a file:
// SQLite's own words ("unable to open database file", "attempt to write a
// readonly database") name no file. An existing database needs its -wal
// and -shm created and written beside it, which a directory the process
// may not write refuses: a read-only mount, a systemd unit whose
// ReadWritePaths leaves it out, files left owned by root after a first
// start as root.
func withWriteHint(path string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
	default:
		return err
	}
	dir := filepath.Dir(path)
	base := filepath.Base(path)
	return fmt.Errorf("%w (sportel writes %s, %s-wal and %s-shm in %s: the directory and those files must be writable by the user sportel runs as; "+
		"under systemd the directory must be in ReadWritePaths=, and files left owned by root after a start as root need chown)", err, base, base, base, dir)
}
