package storecopy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

type pgDB struct{ conn *pgx.Conn }

func openPostgres(ctx context.Context, dsn string) (*pgDB, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		// pgx's error may quote the DSN; name only the server.
		return nil, fmt.Errorf("connect: %w", errNoDSN(err, dsn))
	}
	return &pgDB{conn: conn}, nil
}

// errNoDSN keeps a password in dsn out of err's text.
func errNoDSN(err error, dsn string) error {
	msg := err.Error()
	if strings.Contains(msg, dsn) {
		return fmt.Errorf("%s", strings.ReplaceAll(msg, dsn, redact(dsn)))
	}
	return err
}

func (d *pgDB) close() { d.conn.Close(context.Background()) }

func (d *pgDB) columnNames(c column) []string {
	if c.hasNs() {
		return []string{c.name, c.name + "_ns"}
	}
	return []string{c.name}
}

func (d *pgDB) schema(ctx context.Context) (map[string][]string, error) {
	rows, err := d.conn.Query(ctx, `
		SELECT t.table_name, c.column_name
		FROM information_schema.tables t
		JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
		WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY t.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		have[t] = append(have[t], c)
	}
	return have, rows.Err()
}

func (d *pgDB) begin(ctx context.Context, write bool) (transaction, error) {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	if write {
		opts = pgx.TxOptions{}
	}
	tx, err := d.conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if write {
		// No daemon writes while the copy fills the tables, and no second
		// copy: each table is locked until the commit.
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = pgx.Identifier{t.name}.Sanitize()
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
			tx.Rollback(ctx)
			return nil, fmt.Errorf("lock the tables: %w", err)
		}
	}
	return &pgTx{tx: tx, conn: d}, nil
}

type pgTx struct {
	tx   pgx.Tx
	conn *pgDB
}

func (x *pgTx) count(ctx context.Context, t table) (int64, error) {
	var n int64
	err := x.tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+pgx.Identifier{t.name}.Sanitize()).Scan(&n)
	return n, err
}

// pgColumns are the columns of t as PostgreSQL has them, *_ns included.
func (x *pgTx) pgColumns(t table) []string {
	var names []string
	for _, c := range t.cols {
		names = append(names, x.conn.columnNames(c)...)
	}
	return names
}

func (x *pgTx) rows(ctx context.Context, t table) (rowSource, error) {
	names := x.pgColumns(t)
	for i, n := range names {
		names[i] = pgx.Identifier{n}.Sanitize()
	}
	order := "ctid"
	if t.identity {
		order = "id"
	}
	rows, err := x.tx.Query(ctx, fmt.Sprintf(`SELECT %s FROM %s ORDER BY %s`,
		strings.Join(names, ", "), pgx.Identifier{t.name}.Sanitize(), order))
	if err != nil {
		return nil, err
	}
	return &pgRows{t: t, rows: rows}, nil
}

type pgRows struct {
	t    table
	rows pgx.Rows
}

func (r *pgRows) next() bool { return r.rows.Next() }
func (r *pgRows) err() error { return r.rows.Err() }
func (r *pgRows) close()     { r.rows.Close() }

func (r *pgRows) values() ([]any, error) {
	var dest []any
	for _, c := range r.t.cols {
		switch c.kind {
		case text:
			dest = append(dest, new(string))
		case nullText, jsonText:
			dest = append(dest, new(*string))
		case integer:
			dest = append(dest, new(int64))
		case nullInteger:
			dest = append(dest, new(*int64))
		case real:
			dest = append(dest, new(float64))
		case boolean:
			dest = append(dest, new(bool))
		case timeUs:
			dest = append(dest, new(time.Time))
		case nullTimeUs:
			dest = append(dest, new(*time.Time))
		case timeNs, nullTimeNs:
			dest = append(dest, new(*time.Time), new(int16))
		case blob:
			dest = append(dest, new([]byte))
		}
	}
	if err := r.rows.Scan(dest...); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(r.t.cols))
	i := 0
	for _, c := range r.t.cols {
		switch c.kind {
		case timeNs, nullTimeNs:
			ts, ns := *dest[i].(**time.Time), *dest[i+1].(*int16)
			i += 2
			if ts == nil {
				if c.kind == timeNs {
					return nil, fmt.Errorf("column %s: a required time is NULL", c.name)
				}
				out = append(out, (*time.Time)(nil))
				continue
			}
			t := ts.Add(time.Duration(ns)).UTC()
			if c.kind == nullTimeNs {
				out = append(out, &t)
			} else {
				out = append(out, t)
			}
			continue
		case timeUs:
			out = append(out, utc(*dest[i].(*time.Time)))
		case nullTimeUs:
			if p := *dest[i].(**time.Time); p != nil {
				t := p.UTC()
				out = append(out, &t)
			} else {
				out = append(out, (*time.Time)(nil))
			}
		default:
			out = append(out, deref(dest[i]))
		}
		i++
	}
	return out, nil
}

// deref turns a scan destination back into its neutral value.
func deref(p any) any {
	switch v := p.(type) {
	case *string:
		return *v
	case **string:
		return *v
	case *int64:
		return *v
	case **int64:
		return *v
	case *float64:
		return *v
	case *bool:
		return *v
	case *[]byte:
		return *v
	}
	panic(fmt.Sprintf("storecopy: no neutral value for %T", p))
}

// toPostgres is the values store/postgres writes for a neutral value: a
// time cut to the microsecond and the nanoseconds beyond it, text without
// NUL (U+FFFD in its place, as the driver does).
func toPostgres(c column, v any) []any {
	switch c.kind {
	case text:
		return []any{pgText(v.(string))}
	case nullText:
		if p := v.(*string); p != nil {
			return []any{pgText(*p)}
		}
		return []any{nil}
	case jsonText:
		if p := v.(*string); p != nil {
			return []any{*p}
		}
		return []any{nil}
	case nullInteger:
		if p := v.(*int64); p != nil {
			return []any{*p}
		}
		return []any{nil}
	case timeUs:
		return []any{v.(time.Time).UTC().Truncate(time.Microsecond)}
	case nullTimeUs:
		if p := v.(*time.Time); p != nil {
			return []any{p.UTC().Truncate(time.Microsecond)}
		}
		return []any{nil}
	case timeNs:
		t := v.(time.Time).UTC()
		return []any{t.Truncate(time.Microsecond), int16(t.Nanosecond() % 1000)}
	case nullTimeNs:
		p := v.(*time.Time)
		if p == nil {
			return []any{nil, int16(0)}
		}
		t := p.UTC()
		return []any{t.Truncate(time.Microsecond), int16(t.Nanosecond() % 1000)}
	case blob:
		if b := v.([]byte); b != nil {
			return []any{b}
		}
		return []any{nil}
	}
	return []any{v}
}

func pgText(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// copySource feeds rows to COPY FROM in PostgreSQL's spelling.
type copySource struct {
	t    table
	rows rowSource
	cur  []any
	bad  error
}

func (s *copySource) Next() bool {
	if s.bad != nil || !s.rows.next() {
		return false
	}
	vals, err := s.rows.values()
	if err != nil {
		s.bad = err
		return false
	}
	s.cur = s.cur[:0]
	for i, c := range s.t.cols {
		s.cur = append(s.cur, toPostgres(c, vals[i])...)
	}
	return true
}

func (s *copySource) Values() ([]any, error) { return s.cur, nil }

func (s *copySource) Err() error {
	if s.bad != nil {
		return s.bad
	}
	return s.rows.err()
}

func (x *pgTx) write(ctx context.Context, t table, rows rowSource) error {
	// COPY also fills identity columns with the ids given, which keeps
	// every reference between the tables as it was.
	_, err := x.tx.CopyFrom(ctx, pgx.Identifier{t.name}, x.pgColumns(t), &copySource{t: t, rows: rows})
	return err
}

// finish moves each identity counter past the largest copied id, so a
// new ticket, entry or job gets the next number.
func (x *pgTx) finish(ctx context.Context) error {
	for _, t := range tables {
		if !t.identity {
			continue
		}
		name := pgx.Identifier{t.name}.Sanitize()
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM %s`, name)
		if _, err := x.tx.Exec(ctx, q, t.name); err != nil {
			return fmt.Errorf("set the id counter of %s: %w", t.name, err)
		}
	}
	return nil
}

func (x *pgTx) commit(ctx context.Context) error { return x.tx.Commit(ctx) }
func (x *pgTx) rollback()                        { x.tx.Rollback(context.Background()) }
