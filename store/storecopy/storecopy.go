// Package storecopy moves a whole store from one database to another —
// SQLite to PostgreSQL or back — table by table from an explicit list
// (tables.go), in one transaction on the target, verified by counting
// every table on both sides before the commit.
package storecopy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"sportel/store"
	"sportel/store/drivers"
)

// kind is how a column's value crosses between the drivers.
type kind int

const (
	text        kind = iota
	nullText         // text or NULL
	integer          // any integer
	nullInteger      // integer or NULL
	real
	boolean    // SQLite: 0/1
	timeNs     // SQLite: RFC 3339 text; PostgreSQL: timestamptz + NAME_ns
	nullTimeNs // as timeNs, or NULL
	timeUs     // SQLite: RFC 3339 text; PostgreSQL: timestamptz alone
	nullTimeUs // as timeUs, or NULL
	blob       // bytes or NULL
	jsonText   // JSON text or NULL; PostgreSQL: json (kept verbatim)
)

type column struct {
	name string
	kind kind
}

// hasNs: PostgreSQL keeps the nanoseconds beyond the microsecond in a
// column of their own.
func (c column) hasNs() bool { return c.kind == timeNs || c.kind == nullTimeNs }

type table struct {
	name string
	cols []column
	// identity: PostgreSQL numbers id itself (GENERATED ALWAYS AS
	// IDENTITY); after the copy its counter is moved past the copied ids.
	identity bool
}

// Endpoint is one side of a copy.
type Endpoint struct {
	Driver string // sqlite or postgres
	DSN    string // a file path, or a PostgreSQL connection string
}

// ParseEndpoint reads "sqlite:PATH" or "postgres:DSN" (the DSN a
// key=value string or a postgres:// URL).
func ParseEndpoint(s string) (Endpoint, error) {
	driver, dsn, ok := strings.Cut(s, ":")
	if !ok || dsn == "" || (driver != "sqlite" && driver != "postgres") {
		return Endpoint{}, fmt.Errorf("%q: want sqlite:PATH or postgres:DSN", redact(s))
	}
	return Endpoint{Driver: driver, DSN: dsn}, nil
}

// String names the endpoint without a password.
func (e Endpoint) String() string { return e.Driver + ":" + redact(e.DSN) }

// TableCount is how many rows of a table were copied.
type TableCount struct {
	Table string
	Rows  int64
}

// Copy copies every table of from into to, a new or empty store, and
// returns the rows copied per table. The source is opened read-only and
// never migrated: one older than this program is refused. The target is
// migrated first (it may be a new file or an empty database); a target with
// any row in it is refused. The source is read in one snapshot, the target written in one
// transaction, committed only when every table counts on the target what
// it counted on the source. A SQLite store a daemon is running on is
// refused (its instance lock is taken for the copy).
func Copy(ctx context.Context, from, to Endpoint) (counts []TableCount, err error) {
	if from == to {
		return nil, errors.New("copy store: source and target are the same")
	}
	if from.Driver == "sqlite" {
		// Opening a missing file would create an empty store and copy it.
		if _, err := os.Stat(from.DSN); err != nil {
			return nil, fmt.Errorf("copy store: source: %w", err)
		}
	}
	if to.Driver == "sqlite" {
		if _, statErr := os.Stat(to.DSN); errors.Is(statErr, fs.ErrNotExist) {
			// Deferred first, so it runs after the target is closed: a new
			// file left migrated and empty would be taken for a store by
			// the next copy or by `sportel run`.
			defer func() {
				if err != nil {
					err = removeNewSQLite(to.DSN, err)
				}
			}()
		}
	}
	src, err := openSource(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("copy store: source %s: %w", from, err)
	}
	defer src.close()
	dst, err := open(ctx, to)
	if err != nil {
		return nil, fmt.Errorf("copy store: target %s: %w", to, err)
	}
	defer dst.close()

	for _, side := range []struct {
		name string
		db   database
	}{{"source", src}, {"target", dst}} {
		have, err := side.db.schema(ctx)
		if err != nil {
			return nil, fmt.Errorf("copy store: read the %s's tables: %w", side.name, err)
		}
		if err := checkSchema(have, side.db.columnNames); err != nil {
			return nil, fmt.Errorf("copy store: the %s %w", side.name, err)
		}
	}

	rtx, err := src.begin(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("copy store: begin reading the source: %w", err)
	}
	defer rtx.rollback()
	wtx, err := dst.begin(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("copy store: begin writing the target: %w", err)
	}
	defer wtx.rollback()

	for _, t := range tables {
		n, err := wtx.count(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("copy store: count %s on the target: %w", t.name, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("copy store: the target is not empty (%s has %d rows); store copy fills only a new, empty store", t.name, n)
		}
	}

	for _, t := range tables {
		want, err := rtx.count(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("copy store: count %s on the source: %w", t.name, err)
		}
		rows, err := rtx.rows(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("copy store: read %s: %w", t.name, err)
		}
		err = wtx.write(ctx, t, rows)
		rows.close()
		if err != nil {
			return nil, fmt.Errorf("copy store: write %s: %w", t.name, err)
		}
		got, err := wtx.count(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("copy store: count %s on the target: %w", t.name, err)
		}
		if got != want {
			return nil, fmt.Errorf("copy store: %s: the source has %d rows, the target %d after the copy; nothing was committed", t.name, want, got)
		}
		counts = append(counts, TableCount{Table: t.name, Rows: got})
	}
	if err := wtx.finish(ctx); err != nil {
		return nil, fmt.Errorf("copy store: %w", err)
	}
	if err := wtx.commit(ctx); err != nil {
		return nil, fmt.Errorf("copy store: commit the target: %w", err)
	}
	return counts, nil
}

// removeNewSQLite removes the SQLite file a failed copy created at path,
// with its log, shared memory and lock files, and says so in err.
func removeNewSQLite(path string, err error) error {
	var failed []error
	removed := false
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal", path + ".lock"} {
		rmErr := os.Remove(p)
		switch {
		case rmErr == nil:
			removed = removed || p == path
		case !errors.Is(rmErr, fs.ErrNotExist):
			failed = append(failed, rmErr)
		}
	}
	switch {
	case len(failed) > 0:
		return fmt.Errorf("%w (and removing the new file it created failed: %w)", err, errors.Join(failed...))
	case removed:
		return fmt.Errorf("%w (the new file %s it created was removed)", err, path)
	}
	return err
}

// checkSchema compares a database's tables and columns with the list: a
// table or column it does not know fails the copy, so a migration that
// forgot storecopy is caught (by the tests) rather than lost.
func checkSchema(have map[string][]string, names func(column) []string) error {
	var problems []string
	known := map[string]bool{}
	for _, t := range tables {
		known[t.name] = true
		cols, ok := have[t.name]
		if !ok {
			problems = append(problems, fmt.Sprintf("has no table %s", t.name))
			continue
		}
		var want []string
		for _, c := range t.cols {
			want = append(want, names(c)...)
		}
		for _, c := range cols {
			if _, skip := notCopiedColumns[t.name+"."+c]; !slices.Contains(want, c) && !skip {
				problems = append(problems, fmt.Sprintf("has column %s.%s, which store copy does not know", t.name, c))
			}
		}
		for _, c := range want {
			if !slices.Contains(cols, c) {
				problems = append(problems, fmt.Sprintf("lacks column %s.%s", t.name, c))
			}
		}
	}
	var unknown []string
	for name := range have {
		if _, skip := notCopied[name]; !known[name] && !skip {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		problems = append(problems, fmt.Sprintf("has table %s, which store copy does not know", name))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s (add it to store/storecopy/tables.go)", strings.Join(problems, "; "))
	}
	return nil
}

// database is one side, opened by its driver (the target migrated, the
// source's schema checked) and then reached directly.
type database interface {
	schema(ctx context.Context) (map[string][]string, error)
	columnNames(c column) []string
	begin(ctx context.Context, write bool) (transaction, error)
	close()
}

type transaction interface {
	count(ctx context.Context, t table) (int64, error)
	rows(ctx context.Context, t table) (rowSource, error)
	write(ctx context.Context, t table, rows rowSource) error
	// finish runs after the last table: PostgreSQL moves its identity
	// counters past the copied ids.
	finish(ctx context.Context) error
	commit(ctx context.Context) error
	rollback()
}

// rowSource yields a table's rows as neutral values, one per column of
// the list: string, *string, int64, *int64, float64, bool, time.Time,
// *time.Time, []byte.
type rowSource interface {
	next() bool
	values() ([]any, error)
	err() error
	close()
}

// open opens the target through its driver, which creates or migrates it.
func open(ctx context.Context, e Endpoint) (database, error) {
	st, err := drivers.Open(ctx, drivers.Options{Driver: e.Driver, DSN: e.DSN})
	if err != nil {
		return nil, err
	}
	switch e.Driver {
	case "sqlite":
		return openSQLite(ctx, e.DSN, st, false)
	case "postgres":
		// Migrated; the copy has a connection of its own.
		err := noDaemon(ctx, st)
		st.Close()
		if err != nil {
			return nil, err
		}
		return openPostgres(ctx, e.DSN)
	}
	st.Close()
	return nil, fmt.Errorf("driver %q", e.Driver)
}

// openSource opens the source read-only: a copy never changes its source,
// so a source older than this program is refused rather than migrated in
// place (an admin copying a backup, or keeping the old store to go back
// to, would find it upgraded). The driver checks the schema version.
func openSource(ctx context.Context, e Endpoint) (database, error) {
	st, err := drivers.OpenReadOnly(ctx, drivers.Options{Driver: e.Driver, DSN: e.DSN})
	var older *store.OlderSchemaError
	if errors.As(err, &older) {
		return nil, fmt.Errorf("its schema version %d is older than this program's (%d), and store copy never changes its source: "+
			"run this version's `sportel run` on it once (it upgrades the store when it starts), stop it, then copy", older.Have, older.Want)
	}
	if err != nil {
		return nil, err
	}
	switch e.Driver {
	case "sqlite":
		return openSQLite(ctx, e.DSN, st, true)
	case "postgres":
		// Checked; the copy has a connection of its own.
		err := noDaemon(ctx, st)
		st.Close()
		if err != nil {
			return nil, err
		}
		return openPostgres(ctx, e.DSN)
	}
	st.Close()
	return nil, fmt.Errorf("driver %q", e.Driver)
}

// leaseHolder is the PostgreSQL store's leader lease (postgres.Store).
type leaseHolder interface {
	LeaseHolder(ctx context.Context) (holder string, until time.Time, err error)
}

// noDaemon refuses a PostgreSQL database a `sportel run` is running on, as
// the instance lock refuses a SQLite file: from a source, what the daemons
// write after the copy's snapshot (mail taken in, answers, sends) would be
// missing from the copy, and the mail it took in already moved out of the
// mailbox; on a target they would write beside the copy. Where daemons
// run, one of them holds the leader lease within seconds.
func noDaemon(ctx context.Context, st any) error {
	l, ok := st.(leaseHolder)
	if !ok {
		return fmt.Errorf("the store %T has no leader lease", st)
	}
	holder, until, err := l.LeaseHolder(ctx)
	if err != nil {
		return err
	}
	if holder != "" {
		return fmt.Errorf("a `sportel run` is running on it (%s holds the leader lease until %s): stop every daemon on this database first",
			holder, until.UTC().Format(time.RFC3339))
	}
	return nil
}

// redact hides a password in a DSN (password=..., or user:pass@ in a URL).
func redact(dsn string) string {
	fields := strings.Fields(dsn)
	for i, f := range fields {
		if k, _, ok := strings.Cut(f, "="); ok && strings.EqualFold(k, "password") {
			fields[i] = k + "=xxx"
		}
	}
	dsn = strings.Join(fields, " ")
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if user, _, ok := strings.Cut(rest[:at], ":"); ok {
				dsn = dsn[:i+3] + user + ":xxx" + rest[at:]
			}
		}
	}
	return dsn
}

// utc is how both drivers keep times.
func utc(t time.Time) time.Time { return t.UTC() }
