package storecopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"sportel/store/sqlite"
)

// sqliteTimeLayout is store/sqlite's: RFC 3339, UTC, nine fraction digits.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// instanceLocker is the SQLite store's daemon lock (sqlite.Store).
type instanceLocker interface {
	LockInstance() (unlock func() error, err error)
}

type sqliteDB struct {
	st     io.Closer
	unlock func() error
	db     *sql.DB
}

// openSQLite reaches the store st has opened at path, under its instance
// lock; a source is opened read-only (its snapshot is one transaction,
// and the lock keeps a daemon from writing meanwhile).
func openSQLite(ctx context.Context, path string, st io.Closer, readOnly bool) (*sqliteDB, error) {
	l, ok := st.(instanceLocker)
	if !ok {
		st.Close()
		return nil, errors.New("the sqlite store has no instance lock")
	}
	unlock, err := l.LockInstance()
	if err != nil {
		st.Close()
		return nil, err
	}
	dsn := path + "?_pragma=busy_timeout(10000)&_txlock=immediate"
	if readOnly {
		abs, err := filepath.Abs(path)
		if err != nil {
			unlock()
			st.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		// The driver passes mode=ro to SQLite only in a file: URI.
		dsn = "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		unlock()
		st.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: the transaction and everything in it share it.
	db.SetMaxOpenConns(1)
	return &sqliteDB{st: st, unlock: unlock, db: db}, nil
}

func (d *sqliteDB) close() {
	d.db.Close()
	d.unlock()
	d.st.Close()
}

func (d *sqliteDB) columnNames(c column) []string { return []string{c.name} }

func (d *sqliteDB) schema(ctx context.Context) (map[string][]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	have := map[string][]string{}
	for _, n := range names {
		cols, err := d.db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, n)
		if err != nil {
			return nil, err
		}
		have[n] = []string{}
		for cols.Next() {
			var c string
			if err := cols.Scan(&c); err != nil {
				cols.Close()
				return nil, err
			}
			have[n] = append(have[n], c)
		}
		cols.Close()
		if err := cols.Err(); err != nil {
			return nil, err
		}
	}
	return have, nil
}

func (d *sqliteDB) begin(ctx context.Context, write bool) (transaction, error) {
	// The target's _txlock=immediate takes the write lock at BEGIN; the
	// read-only source's transaction is its snapshot, and the instance
	// lock keeps a daemon from writing to it meanwhile.
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &sqliteTx{tx: tx}, nil
}

type sqliteTx struct{ tx *sql.Tx }

func (x *sqliteTx) count(ctx context.Context, t table) (int64, error) {
	var n int64
	err := x.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteSQLite(t.name)).Scan(&n)
	return n, err
}

func (x *sqliteTx) rows(ctx context.Context, t table) (rowSource, error) {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = quoteSQLite(c.name)
	}
	q := fmt.Sprintf(`SELECT %s FROM %s ORDER BY rowid`, strings.Join(names, ", "), quoteSQLite(t.name))
	rows, err := x.tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &sqliteRows{t: t, rows: rows}, nil
}

type sqliteRows struct {
	t    table
	rows *sql.Rows
}

func (r *sqliteRows) next() bool { return r.rows.Next() }
func (r *sqliteRows) err() error { return r.rows.Err() }
func (r *sqliteRows) close()     { r.rows.Close() }

func (r *sqliteRows) values() ([]any, error) {
	raw := make([]any, len(r.t.cols))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	out := make([]any, len(raw))
	for i, c := range r.t.cols {
		v, err := fromSQLite(c.kind, raw[i])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.name, err)
		}
		out[i] = v
	}
	return out, nil
}

// fromSQLite turns what the driver scanned (int64, float64, string,
// []byte or nil) into the neutral value of kind k.
func fromSQLite(k kind, v any) (any, error) {
	switch k {
	case text:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want text, got %T", v)
		}
		return s, nil
	case nullText, jsonText:
		if v == nil {
			return (*string)(nil), nil
		}
		switch s := v.(type) {
		case string:
			return &s, nil
		case []byte:
			str := string(s)
			return &str, nil
		}
		return nil, fmt.Errorf("want text, got %T", v)
	case integer, boolean:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("want an integer, got %T", v)
		}
		if k == boolean {
			return n != 0, nil
		}
		return n, nil
	case nullInteger:
		if v == nil {
			return (*int64)(nil), nil
		}
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("want an integer, got %T", v)
		}
		return &n, nil
	case real:
		switch f := v.(type) {
		case float64:
			return f, nil
		case int64:
			return float64(f), nil
		}
		return nil, fmt.Errorf("want a number, got %T", v)
	case timeNs, timeUs, nullTimeNs, nullTimeUs:
		if v == nil {
			if k == nullTimeNs || k == nullTimeUs {
				return (*time.Time)(nil), nil
			}
			return nil, errors.New("a required time is NULL")
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a time, got %T", v)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, err
		}
		if k == nullTimeNs || k == nullTimeUs {
			return &t, nil
		}
		return t, nil
	case blob:
		if v == nil {
			return []byte(nil), nil
		}
		switch b := v.(type) {
		case []byte:
			return b, nil
		case string:
			return []byte(b), nil
		}
		return nil, fmt.Errorf("want bytes, got %T", v)
	}
	return nil, fmt.Errorf("unknown kind %d", k)
}

// toSQLite is the value store/sqlite writes for a neutral value.
func toSQLite(k kind, v any) any {
	switch k {
	case boolean:
		if v.(bool) {
			return int64(1)
		}
		return int64(0)
	case nullText, jsonText:
		if p := v.(*string); p != nil {
			return *p
		}
		return nil
	case nullInteger:
		if p := v.(*int64); p != nil {
			return *p
		}
		return nil
	case timeNs, timeUs:
		return v.(time.Time).UTC().Format(sqliteTimeLayout)
	case nullTimeNs, nullTimeUs:
		if p := v.(*time.Time); p != nil {
			return p.UTC().Format(sqliteTimeLayout)
		}
		return nil
	case blob:
		if b := v.([]byte); b != nil {
			return b
		}
		return nil
	}
	return v
}

func (x *sqliteTx) write(ctx context.Context, t table, rows rowSource) error {
	names := make([]string, len(t.cols))
	marks := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i], marks[i] = quoteSQLite(c.name), "?"
	}
	stmt, err := x.tx.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`,
		quoteSQLite(t.name), strings.Join(names, ", "), strings.Join(marks, ", ")))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, len(t.cols))
	for rows.next() {
		vals, err := rows.values()
		if err != nil {
			return err
		}
		for i, c := range t.cols {
			args[i] = toSQLite(c.kind, vals[i])
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return rows.err()
}

// finish indexes the copied tickets and entries for search, which the
// Store otherwise does at its own commits. SQLite numbers INTEGER PRIMARY
// KEYs from the largest one there, so there is nothing else to do.
func (x *sqliteTx) finish(ctx context.Context) error {
	return sqlite.IndexPendingSearch(ctx, x.tx)
}

func (x *sqliteTx) commit(context.Context) error { return x.tx.Commit() }
func (x *sqliteTx) rollback()                    { x.tx.Rollback() }

func quoteSQLite(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
