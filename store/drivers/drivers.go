// Package drivers opens a store by driver name. It is the one place that
// knows every driver, so neither store nor its consumers import one.
package drivers

import (
	"context"
	"errors"
	"fmt"

	"sportel/store"
	"sportel/store/postgres"
	"sportel/store/sqlite"
)

// Options say which driver to open and how.
type Options struct {
	Driver string // "sqlite" or "postgres"
	// DSN is a file path (or ":memory:") for sqlite; a libpq connection
	// string or postgres:// URL for postgres.
	DSN string
	// Synchronous is SQLite's commit durability: "full" (default) or
	// "normal". PostgreSQL's is the server's synchronous_commit.
	Synchronous string
}

// Open opens the store named by opts.Driver and applies its migrations.
func Open(ctx context.Context, opts Options) (store.Store, error) {
	switch opts.Driver {
	case "sqlite", "":
		st, err := sqlite.OpenWith(ctx, opts.DSN, sqlite.Options{Synchronous: opts.Synchronous})
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", opts.DSN, err)
		}
		return st, nil
	case "postgres":
		st, err := postgres.Open(ctx, opts.DSN)
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		return st, nil
	default:
		return nil, fmt.Errorf("open store: driver %q is not available in this build", opts.Driver)
	}
}

// ReadStore is a store opened for reading: the operator's reading commands
// (and anything else that must not write) take it.
type ReadStore interface {
	store.Reader
	Close() error
}

// OpenReadOnly opens the store named by opts for reading only. It never
// creates a database (a missing SQLite file is an error naming it), never
// migrates, and refuses a schema older or newer than this program's with an
// error that says so; every write through it fails.
func OpenReadOnly(ctx context.Context, opts Options) (ReadStore, error) {
	switch opts.Driver {
	case "sqlite", "":
		st, err := sqlite.OpenReadOnly(ctx, opts.DSN)
		if errors.Is(err, sqlite.ErrNoDatabase) {
			return nil, fmt.Errorf("%w: `sportel run` creates it; give the right --db, or run where the configuration's store.dsn points", err)
		}
		if err != nil {
			return nil, fmt.Errorf("open store read-only: %w", err)
		}
		return st, nil
	case "postgres":
		st, err := postgres.OpenReadOnly(ctx, opts.DSN)
		if err != nil {
			return nil, fmt.Errorf("open store read-only: %w", err)
		}
		return st, nil
	default:
		return nil, fmt.Errorf("open store: driver %q is not available in this build", opts.Driver)
	}
}

// Backup writes a consistent copy of the store named by opts to dest, a new
// file, while a daemon may be running on it.
func Backup(ctx context.Context, opts Options, dest string) error {
	switch opts.Driver {
	case "sqlite", "":
		return sqlite.Backup(ctx, opts.DSN, dest)
	case "postgres":
		return errors.New("back up store: a PostgreSQL store is backed up with pg_dump (see README, Backup)")
	default:
		return fmt.Errorf("back up store: driver %q is not available in this build", opts.Driver)
	}
}
