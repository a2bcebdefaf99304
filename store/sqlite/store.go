// Package sqlite is Sportel's embedded store on modernc.org/sqlite (no cgo).
//
// The SQL is kept close to what PostgreSQL accepts ($n placeholders,
// INSERT ... RETURNING, ON CONFLICT ... DO UPDATE, timestamps as fixed-width
// RFC 3339 UTC text) so the pgx store can share its shape.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers driver "sqlite"

	"sportel/store"
)

const (
	// callTimeout bounds one statement, so a stuck database never hangs the daemon.
	callTimeout = 10 * time.Second
	// txTimeout bounds a whole WithTx: a transaction holds SQLite's write lock.
	txTimeout = 30 * time.Second
	// migrateTimeout bounds one migration, which runs once, at start, and
	// may rebuild an index over years of mail (about 20 MB of text a second).
	migrateTimeout = 10 * time.Minute

	// busyTimeout is how long a statement waits for a lock another process
	// holds unless Options say otherwise.
	busyTimeout = 10 * time.Second

	// connParams follow busy_timeout (connParamsFor), first so the other
	// pragmas wait for locks instead of failing; _txlock=immediate makes
	// BeginTx take the write lock at BEGIN, so two transactions never
	// deadlock upgrading a read lock. temp_store(MEMORY): statement
	// journals (an insert with the search triggers needs one) stay in
	// memory instead of temporary files, which took 27 MB of writes per
	// 1,000 realistic mails.
	connParams = "_pragma=journal_mode(WAL)&_pragma=temp_store(MEMORY)&_pragma=foreign_keys(1)&_txlock=immediate"
)

// connParamsFor is the connections' parameters with a busy timeout of busy.
func connParamsFor(busy time.Duration) string {
	return fmt.Sprintf("_pragma=busy_timeout(%d)&%s", busy.Milliseconds(), connParams)
}

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*Tx)(nil)
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the SQLite driver of store.Store. It is safe for concurrent use.
type Store struct {
	db *sql.DB // reads
	// wdb is one connection for every write. SQLite drops a connection's
	// whole page cache when another connection has written since it last
	// looked; writing through one connection keeps its cache from one
	// transaction to the next instead of reading the tables' pages again.
	wdb         *sql.DB
	callTimeout time.Duration
	txTimeout   time.Duration
	// writer admits one write at a time from this process. SQLite allows
	// one writer anyway; queueing here instead of in the driver's busy
	// handler, which sleeps 1-10 ms per retry, keeps writes back to back.
	writer chan struct{}
	// stmts holds prepared statements by query text. A :memory: database
	// has one connection, which a transaction holds while it would prepare,
	// so it does without.
	stmts           sync.Map
	cacheStatements bool
	path            string // the database file, or ":memory:"
	// syncLevel is the configured synchronous level; curSync the write
	// connection's now ("" unknown), guarded by writer (durability.go).
	syncLevel, curSync string
	// ckpt checkpoints the log in the background; nil for :memory: and
	// read-only stores.
	ckpt *walCheckpointer
	// replayMigrations creates a new database by its migrations, one by
	// one, not from schemaSnapshot (Options.replayMigrations).
	replayMigrations bool
	// fromSnapshot: Open created this database's schema from
	// schemaSnapshot (what the log says of it, and what its test checks).
	fromSnapshot bool
}

// lockWrite waits for this process's turn to write, or for ctx, and makes
// the write durable at the configured level.
func (s *Store) lockWrite(ctx context.Context) (unlock func(), err error) {
	return s.lockWriteAs(ctx, durable)
}

// lockWriteAs is lockWrite for a write that needs only d.
func (s *Store) lockWriteAs(ctx context.Context, d durability) (unlock func(), err error) {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to write: %w", ctx.Err())
	}
	unlock = func() {
		<-s.writer
		s.wrote()
	}
	if err := s.useDurability(ctx, d); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// writerCacheKiB is the writing connection's page cache.
const writerCacheKiB = 8 << 10

// Options tune the database connection.
type Options struct {
	// Synchronous is "full" (the default: every commit waits for the disk
	// and survives a power cut) or "normal" (in WAL mode a commit survives
	// any crash of the process; a power cut may roll back the last ones).
	Synchronous string
	// BusyTimeout is how long a statement waits for a lock another
	// process holds (the write lock, during its transaction) before it
	// fails marked store.ErrBusy; 0 is 10 seconds.
	BusyTimeout time.Duration
	// replayMigrations: see Store.replayMigrations; for the test that
	// keeps the snapshot equal to the migrations.
	replayMigrations bool
}

// Open opens (creating if needed) the database at dsn, a file path or
// ":memory:", with default Options, and applies any migrations not yet
// recorded.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opts Options) (*Store, error) {
	sync := strings.ToUpper(opts.Synchronous)
	switch sync {
	case "":
		sync = "FULL"
	case "NORMAL", "FULL":
	default:
		return nil, fmt.Errorf("open sqlite: synchronous %q: want normal or full", opts.Synchronous)
	}
	if dsn == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	// The driver splits the DSN at the first '?', so such a path cannot be
	// passed through unchanged.
	if strings.ContainsRune(dsn, '?') {
		return nil, fmt.Errorf("open sqlite %q: path must not contain '?'", dsn)
	}
	if dsn != ":memory:" {
		if err := createPrivate(dsn); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		if err := choosePageSize(ctx, dsn); err != nil {
			return nil, fmt.Errorf("open sqlite %q: %w", dsn, err)
		}
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = busyTimeout
	}
	params := connParamsFor(busy)
	db, err := sql.Open("sqlite", dsn+"?"+params+"&_pragma=synchronous("+sync+")")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", dsn, err)
	}
	wdb := db
	if dsn == ":memory:" {
		// Every connection to :memory: is its own database: keep exactly one
		// and never let it be closed as idle.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	} else {
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(4)
		// The writer's page cache holds a batch's pages until its commit:
		// with SQLite's default 2 MB, a chunk of 32 ordinary mails (their
		// raw mail, rows and indexes, about 250 pages) spilled into the
		// log before the commit, which then read those frames back to
		// checksum them again: a quarter of the commit's CPU, on the
		// transaction every other writer waits for.
		wparams := fmt.Sprintf("%s&_pragma=synchronous(%s)&_pragma=wal_autocheckpoint(%d)&_pragma=cache_size(-%d)",
			params, sync, walBackstopPages, writerCacheKiB)
		if wdb, err = sql.Open("sqlite", dsn+"?"+wparams); err != nil {
			db.Close()
			return nil, fmt.Errorf("open sqlite %q: %w", dsn, err)
		}
		// Writes are one at a time (lockWrite), so one connection does
		// them all and keeps its cache.
		wdb.SetMaxOpenConns(1)
		wdb.SetMaxIdleConns(1)
		wdb.SetConnMaxIdleTime(0)
		wdb.SetConnMaxLifetime(0)
	}
	s := &Store{db: db, wdb: wdb, callTimeout: callTimeout, txTimeout: txTimeout, writer: make(chan struct{}, 1), cacheStatements: dsn != ":memory:", path: dsn,
		syncLevel: sync, curSync: sync, replayMigrations: opts.replayMigrations}

	pctx, cancel := s.callCtx(ctx)
	err = db.PingContext(pctx)
	cancel()
	if err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("open sqlite %q: %w", dsn, withWriteHint(dsn, err))
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("open sqlite %q: apply migrations: %w", dsn, withWriteHint(dsn, err))
	}
	if dsn != ":memory:" {
		// Now the -wal and -shm exist (the pool keeps a connection open).
		if err := tightenModes(dsn); err != nil {
			s.closeDBs()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		var pageSize int
		if err := db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
			s.closeDBs()
			return nil, fmt.Errorf("open sqlite %q: page size: %w", dsn, err)
		}
		s.startCheckpoints(pageSize)
	}
	return s, nil
}

// newPageSize is the page size of a database Open creates. SQLite's 4 KiB
// splits a mail of 22 KB (the average of realistic mail) over six overflow
// pages, each a frame of the write-ahead log written with two system calls
// at commit and copied again at checkpoint; 8 KiB pages took realistic
// intake from 1,089-1,356 to 1,311-1,500 mails a second in memory and from
// 1,031-1,175 to 1,183-1,277 on Dovecot (three interleaved rounds each).
// 16 KiB was no better than 8. A database keeps the page size it was
// created with.
const newPageSize = 8192

// choosePageSize gives a database file that is still empty newPageSize. The
// size must be set before the file is first written, and so before
// journal_mode=WAL, which the connections' _pragma parameters would set
// first.
func choosePageSize(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() > 0 {
		return nil
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{fmt.Sprintf("PRAGMA page_size = %d", newPageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("new database: %s: %w", q, err)
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stopCheckpoints()
	s.closeStatements()
	if err := s.closeDBs(); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}

func (s *Store) closeDBs() error {
	err := s.db.Close()
	if s.wdb != s.db {
		err = errors.Join(err, s.wdb.Close())
	}
	return err
}

func (s *Store) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.callTimeout)
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, base, v)
		}
		seen[v] = base
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, in order, every embedded migration not yet in
// schema_version, all in one write transaction that reads the versions
// applied: two processes opening the same file at once apply each
// migration once, and a failed one leaves nothing behind. One commit
// instead of one per migration took creating a database from about 15 ms
// to 10.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var applied []int
	fromSnapshot := false
	// A migration may rebuild an index over every message kept (the search
	// index, 0007): each has migrateTimeout.
	err = s.withTxTimeout(ctx, time.Duration(len(ms))*migrateTimeout, func(tx *Tx) error {
		applied, fromSnapshot = applied[:0], false
		cctx, cancel := tx.callCtx()
		defer cancel()
		if _, err := tx.tx.ExecContext(cctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
		rows, err := tx.tx.QueryContext(cctx, `SELECT version FROM schema_version`)
		if err != nil {
			return fmt.Errorf("read schema versions: %w", err)
		}
		done := map[int]bool{}
		newest := 0
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("read schema versions: %w", err)
			}
			done[v] = true
			newest = max(newest, v)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("read schema versions: %w", err)
		}
		if known := ms[len(ms)-1].version; newest > known {
			return fmt.Errorf("database schema version %d is newer than this program knows (%d)", newest, known)
		}
		if len(done) == 0 && !s.replayMigrations {
			created, err := tx.createFromSnapshot(cctx, ms, formatTime(time.Now()))
			if err != nil {
				return err
			}
			if created {
				fromSnapshot = true
				return nil
			}
		}
		for _, m := range ms {
			if done[m.version] {
				continue
			}
			if _, err := tx.tx.ExecContext(tx.ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			// A fresh call timeout: the migration may have taken minutes.
			rctx, cancel := tx.callCtx()
			_, err := tx.tx.ExecContext(rctx, `INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, formatTime(time.Now()))
			cancel()
			if err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
			applied = append(applied, m.version)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.fromSnapshot = fromSnapshot
	switch {
	case fromSnapshot:
		slog.InfoContext(ctx, "created a new database's schema", slog.Int("version", ms[len(ms)-1].version))
	case len(applied) > 0:
		slog.InfoContext(ctx, "applied database migrations", slog.Any("versions", applied))
	}
	return nil
}

// WithTx runs fn in one write transaction (BEGIN IMMEDIATE). An error from fn,
// or a panic, rolls it back; fn's error is returned unchanged, but for being
// marked store.ErrBusy when the database was busy.
func (s *Store) WithTx(ctx context.Context, fn func(store.Tx) error) (err error) {
	defer markBusy(&err)
	return s.withTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s *Store) withTx(ctx context.Context, fn func(*Tx) error) error {
	return s.withTxTimeout(ctx, s.txTimeout, fn)
}

// withTxTimeout is withTx bounded by timeout instead of txTimeout.
func (s *Store) withTxTimeout(ctx context.Context, timeout time.Duration, fn func(*Tx) error) error {
	return s.withTxAs(ctx, timeout, durable, fn)
}

// withTxAs is withTxTimeout for a transaction that needs only d.
func (s *Store) withTxAs(ctx context.Context, timeout time.Duration, d durability, fn func(*Tx) error) (err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	unlock, err := s.lockWriteAs(ctx, d)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer unlock()
	var own *txStatements
	if s.cacheStatements {
		own = &txStatements{txCtx: ctx}
		// Runs after the transaction has ended (deferred before it) and
		// before unlock: the connection is free and still this process's
		// turn, so wdb never needs a second connection.
		defer func() { s.prepare(ctx, own.missed) }()
	}
	sqlTx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		if ctx.Err() != nil {
			// This process's turn was taken above: BEGIN IMMEDIATE was
			// waiting for another process to let the write lock go.
			return fmt.Errorf("begin transaction: wait for the write lock another process holds: %w", err)
		}
		return fmt.Errorf("begin transaction: %w", err)
	}
	done := false
	defer func() {
		// Runs on error and while a panic unwinds; after Commit it is a no-op.
		if done {
			return
		}
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err != nil {
			err = errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
	}()
	tx := &Tx{tx: stmtTx{tx: sqlTx, store: s, own: own}, ctx: ctx}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.flushSearch(); err != nil {
		return err
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction: unlike
// RFC3339Nano it never drops trailing zeros, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time %q: %w", s, err)
	}
	return t.UTC(), nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// nullInt stores 0 as NULL, for optional references.
func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
