package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// backupTimeout bounds one backup; VACUUM INTO copies the whole database,
// so it is far longer than a statement's callTimeout.
const backupTimeout = 30 * time.Minute

// Backup writes a consistent copy of the database at path to dest with
// VACUUM INTO: one read transaction, so it runs beside a live daemon (which
// holds the instance lock, not the database) and sees a single committed
// state while that daemon writes on. dest is created with fileMode and must
// not exist: a backup never overwrites anything. The copy is synced to disk
// before Backup returns; on failure nothing is left at dest, and a backup
// killed before it ends leaves at most a DEST.partial-* file beside it.
func Backup(ctx context.Context, path, dest string) (err error) {
	if path == "" || path == ":memory:" {
		return fmt.Errorf("back up %q: only a database file can be backed up", path)
	}
	if strings.ContainsRune(path, '?') {
		return fmt.Errorf("back up %q: path must not contain '?'", path)
	}
	// Opening a missing file would create an empty database and back that
	// up: a mistyped path must fail instead.
	if fi, err := os.Stat(path); err != nil {
		return fmt.Errorf("back up: %w", err)
	} else if !fi.Mode().IsRegular() {
		return fmt.Errorf("back up %s: not a regular file", path)
	}
	// The copy is written under a name of its own beside dest and given
	// dest's name only once it is whole and synced: a backup killed half
	// way (a second Ctrl-C, the OOM killer, a power cut) leaves a file
	// named .partial, never one at dest that looks like a backup and
	// fails only on the day of the restore. Refused here already, so an
	// existing dest costs no copy.
	if _, err := os.Lstat(dest); err == nil {
		return errExists(dest)
	}
	// VACUUM INTO accepts an existing empty file: CreateTemp makes it
	// exclusively, readable by its owner alone (fileMode).
	f, err := os.CreateTemp(filepath.Dir(dest), filepath.Base(dest)+".partial-*")
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("back up to %s: directory %s: no such file or directory", dest, filepath.Dir(dest))
	}
	if err != nil {
		return fmt.Errorf("back up to %s: %w", dest, err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }()
	if err := f.Close(); err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	// Taken as root into the service user's backup directory, the copy is
	// that user's, like the backups its timer takes.
	if err := giveToOwnerOf(tmp, filepath.Dir(tmp)); err != nil {
		return fmt.Errorf("back up: %w", err)
	}

	// No journal_mode or synchronous pragmas: those would change the live
	// database's settings; this connection only reads it.
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(ctx, backupTimeout)
	defer cancel()
	// An empty file or another program's database would be copied as
	// faithfully, and the operator left with a backup of nothing.
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'`).Scan(&tables); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	if tables == 0 {
		return fmt.Errorf("back up %s: not a Sportel database (no schema_version table)", path)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, tmp); err != nil {
		return fmt.Errorf("back up %s to %s: %w", path, dest, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	return publish(tmp, dest)
}

func errExists(dest string) error {
	return fmt.Errorf("back up to %s: the file exists; a backup never overwrites one", dest)
}

// publish gives the finished copy at tmp the name dest, never replacing a
// file there: a hard link fails if dest exists, where a rename would
// replace it. A file system without hard links (FAT on a USB disk) gets a
// rename after a last look that dest is still free.
func publish(tmp, dest string) error {
	err := os.Link(tmp, dest)
	if errors.Is(err, fs.ErrExist) {
		return errExists(dest)
	}
	if err != nil {
		if _, serr := os.Lstat(dest); serr == nil {
			return errExists(dest)
		}
		if err := os.Rename(tmp, dest); err != nil {
			return fmt.Errorf("back up: %w", err)
		}
	}
	// The new name must survive a crash too.
	return syncFile(dest)
}

// syncFile makes the file and its directory entry durable: VACUUM INTO
// does not sync what it writes.
func syncFile(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sync %s: %w", p, err)
		}
	}
	return nil
}
