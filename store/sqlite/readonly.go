package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"sportel/store"
)

// ErrNoDatabase is returned (wrapped) by OpenReadOnly when the file is not
// there.
var ErrNoDatabase = errors.New("no database")

// OpenReadOnly opens the database at path for reading only: it never
// creates the file, never migrates it, and every write on it fails. The
// operator's reading commands use it, so one run from the wrong directory
// reports the missing file instead of creating an empty database, and an
// older binary never reads a schema it does not know. The schema must be
// exactly the one this program's migrations make.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("open sqlite %q read-only: want a database file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if abs != path {
				// A relative store.dsn is relative to where the command
				// runs: say where that was.
				return nil, fmt.Errorf("%w at %s (%s)", ErrNoDatabase, path, abs)
			}
			return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
		}
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// A file: URI is the only form in which the driver hands mode=ro to
	// SQLite; the path is escaped so '?', '#' and '%' stay part of it.
	uri := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	s := &Store{db: db, wdb: db, callTimeout: callTimeout, txTimeout: txTimeout, writer: make(chan struct{}, 1), cacheStatements: true, path: path}
	if err := s.checkSchema(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

// checkSchema compares the database's schema version with this program's.
func (s *Store) checkSchema(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].version
	cctx, cancel := s.callCtx(ctx)
	defer cancel()
	var tables int
	if err := s.db.QueryRowContext(cctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'`).Scan(&tables); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if tables == 0 {
		return errors.New("not a Sportel database (no schema_version table)")
	}
	var newest sql.NullInt64
	if err := s.db.QueryRowContext(cctx, `SELECT MAX(version) FROM schema_version`).Scan(&newest); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch v := int(newest.Int64); {
	case v < known:
		return fmt.Errorf("%w: `sportel run` upgrades it when it starts; reading commands never change the database", &store.OlderSchemaError{Have: v, Want: known})
	case v > known:
		return fmt.Errorf("database schema version %d is newer than this program knows (%d): use the newer sportel", v, known)
	}
	return nil
}
