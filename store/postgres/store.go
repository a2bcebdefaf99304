// Package postgres is Sportel's PostgreSQL store on pgx v5 (pgxpool).
//
// It uses pgx's own pool rather than database/sql: timestamptz, bytea,
// arrays (= ANY($1) instead of IN lists) and SQLSTATEs come through as Go
// values without an adapter, and every connection caches its prepared
// statements by itself. Several processes may share one database: jobs are
// claimed with FOR UPDATE SKIP LOCKED, ticket numbers come from a counter
// row that the filing transaction locks until it commits, and migrations
// take an advisory lock. SQL is kept one method per function, grouped by
// table, so a new contract method is one more function.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"sportel/store"
)

const (
	// callTimeout bounds one statement, so a stuck database never hangs the daemon.
	callTimeout = 10 * time.Second
	// txTimeout bounds a whole WithTx: a transaction holds row locks
	// (the ticket counter) that other filers wait for.
	txTimeout = 30 * time.Second
	// defaultMaxConns is the pool's size unless the DSN sets pool_max_conns.
	defaultMaxConns = 16
	// migrateTimeout bounds the migrations, which run at start and may
	// build an index over years of mail.
	migrateTimeout = 10 * time.Minute
	// migrateLock is the advisory lock key migrations run under ("sportel").
	migrateLock = 0x73706f7274656c
)

var (
	_ store.Store = (*Store)(nil)
	_ store.Tx    = (*Tx)(nil)
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the PostgreSQL driver of store.Store. It is safe for concurrent
// use, also by several processes on one database.
type Store struct {
	pool        *pgxpool.Pool
	callTimeout time.Duration
	txTimeout   time.Duration
}

// querier is what both the pool and a transaction offer, so reads are
// written once.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Open connects to the database named by dsn (a libpq keyword/value string
// or a postgres:// URL) and applies any migrations not yet recorded.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, where, err := connect(ctx, dsn, false)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("open postgres %s: %w", where, err)
	}
	return s, nil
}

// OpenReadOnly connects for reading only: it never migrates, its sessions
// are read-only (default_transaction_read_only), and the schema must be
// exactly the one this program's migrations make. The operator's reading
// commands use it.
func OpenReadOnly(ctx context.Context, dsn string) (*Store, error) {
	s, where, err := connect(ctx, dsn, true)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchema(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("open postgres %s: %w", where, err)
	}
	return s, nil
}

// connect opens the pool and checks the server answers; where names the
// database for errors.
func connect(ctx context.Context, dsn string, readOnly bool) (*Store, string, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, "", errors.New("open postgres: empty DSN")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("open postgres: parse DSN: %w", dsnError(err))
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		// pgx's default is the number of CPUs (at least 4): on a small
		// machine the outbox's workers, intake and the probes would queue
		// for connections. SQLite's pool is as large.
		cfg.MaxConns = defaultMaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = callTimeout
	}
	// Every statement's timestamps are bound as UTC instants; the session
	// zone only matters to someone reading with psql.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if readOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("open postgres: %w", err)
	}
	s := &Store{pool: pool, callTimeout: callTimeout, txTimeout: txTimeout}
	pctx, cancel := s.callCtx(ctx)
	err = pool.Ping(pctx)
	cancel()
	if err != nil {
		pool.Close()
		err = fmt.Errorf("open postgres %s: connect: %w", where(cfg), err)
		var pe *pgconn.PgError
		switch {
		case unreachable(err):
			// `sportel run` waits for such a server rather than exit.
			err = fmt.Errorf("%w: %w", store.ErrConnLost, err)
		case errors.As(err, &pe) && busyStates[pe.Code]:
			err = fmt.Errorf("%w: %w", store.ErrBusy, err)
		}
		return nil, "", err
	}
	return s, where(cfg), nil
}

// checkSchema compares the database's schema version with this program's.
func (s *Store) checkSchema(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].version
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_version') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if !exists {
		return errors.New("not a Sportel database (no schema_version table): `sportel run` creates the schema")
	}
	var newest *int
	if err := s.pool.QueryRow(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&newest); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	v := 0
	if newest != nil {
		v = *newest
	}
	switch {
	case v < known:
		return fmt.Errorf("%w: `sportel run` upgrades it when it starts; reading commands never change the database", &store.OlderSchemaError{Have: v, Want: known})
	case v > known:
		return fmt.Errorf("database schema version %d is newer than this program knows (%d): use the newer sportel", v, known)
	}
	return nil
}

// dsnError is pgx's complaint about a DSN without the DSN: its redaction of
// the password is best effort, and a URL's parse error quotes it whole.
func dsnError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("not a valid URL: %w", ue.Err)
	}
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "`: "); ok {
		msg = after
	}
	return errors.New(msg)
}

// where names a database for errors, without the password.
func where(cfg *pgxpool.Config) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
}

// Close closes the pool; it waits for connections in use to come back.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
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

// migrate applies every embedded migration not yet in schema_version, in
// order of their numbers, all
// in one transaction under an advisory lock: two instances starting at once
// apply each migration once, and a failed one leaves nothing behind.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var applied []int
	err = s.withTxTimeout(ctx, migrateTimeout, func(tx *Tx) error {
		// Another instance may hold the lock while it migrates: wait for
		// as long as the transaction may last, not one statement.
		if _, err := tx.tx.Exec(tx.ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
			return fmt.Errorf("take the migration lock (another process holds it while it applies migrations): %w", err)
		}
		ctx, cancel := tx.callCtx()
		defer cancel()
		if _, err := tx.tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TIMESTAMPTZ NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
		rows, err := tx.tx.Query(ctx, `SELECT version FROM schema_version`)
		if err != nil {
			return fmt.Errorf("read schema versions: %w", err)
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return fmt.Errorf("read schema versions: %w", err)
		}
		done := map[int]bool{}
		for _, v := range versions {
			done[v] = true
		}
		if known := ms[len(ms)-1].version; len(versions) > 0 && slices.Max(versions) > known {
			return fmt.Errorf("database schema version %d is newer than this program knows (%d)", slices.Max(versions), known)
		}
		// Every migration not recorded, not only those above the newest:
		// numbers are reserved ahead for work in progress, so one may land
		// after a higher one was applied.
		for _, m := range ms {
			if done[m.version] {
				continue
			}
			// A migration may build an index over every message kept (the
			// search index, 0003): it has the transaction's whole time.
			_, err := tx.tx.Exec(tx.ctx, m.sql)
			if err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			if _, err := tx.tx.Exec(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, now())`,
				m.version, m.name); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
			applied = append(applied, m.version)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		slog.InfoContext(ctx, "applied database migrations", slog.Any("versions", applied))
	}
	return nil
}

// WithTx runs fn in one READ COMMITTED transaction. An error from fn, or a
// panic, rolls it back; fn's error is returned unchanged, but for being
// marked store.ErrBusy when the server was busy. fn runs once: a deadlock
// PostgreSQL breaks fails the call (busy) rather than running fn again.
func (s *Store) WithTx(ctx context.Context, fn func(store.Tx) error) (err error) {
	defer markBusy(&err)
	return s.withTx(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s *Store) withTx(ctx context.Context, fn func(*Tx) error) error {
	return s.withTxTimeout(ctx, s.txTimeout, fn)
}

// withTxTimeout is withTx bounded by timeout instead of txTimeout.
func (s *Store) withTxTimeout(ctx context.Context, timeout time.Duration, fn func(*Tx) error) (err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pgTx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	done := false
	defer func() {
		// Runs on error and while a panic unwinds. The rollback must
		// happen even when ctx is what ended the transaction.
		if done {
			return
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.callTimeout)
		defer cancel()
		// A statement ctx cut off closes its connection, and the server
		// rolls back with it: that rollback failing says nothing more.
		if rbErr := pgTx.Rollback(rctx); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) && !pgTx.Conn().IsClosed() && err != nil {
			err = errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
	}()
	if err := fn(&Tx{tx: pgTx, ctx: ctx, timeout: s.callTimeout}); err != nil {
		return err
	}
	done = true
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}
