package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// schemaHeader opens schema.sql; its "-- version N" line says which
// migration it reaches.
const schemaHeader = `-- The schema every migration in migrations/ leaves behind, as SQLite keeps it
-- (sqlite_master's statements in the order they were made). Open creates a new
-- database from it in one step. Written by ` + "`go generate ./store/sqlite`" + `; do not edit.
-- version %d
`

// snapshotOf writes the schema of the migrated database s as schema.sql
// holds it: its statements in the order they were made, without SQLite's
// own tables, the full-text indexes' shadow tables (their virtual table
// makes them) and schema_version (migrate makes it).
func snapshotOf(t *testing.T, s *Store, version int) string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT sql FROM sqlite_master
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_version'
			AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')
		ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	fmt.Fprintf(&b, schemaHeader, version)
	for rows.Next() {
		var stmt string
		if err := rows.Scan(&stmt); err != nil {
			t.Fatal(err)
		}
		b.WriteString(stmt)
		b.WriteString(";\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// schemaRows is everything sqlite_master says of a database, shadow
// tables and indexes included, with the migrations it records.
func schemaRows(t *testing.T, s *Store) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	rows, err := s.db.QueryContext(ctx, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, name, table, stmt string
		if err := rows.Scan(&typ, &name, &table, &stmt); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ+" "+name+" on "+table+": "+stmt)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	vrows, err := s.db.QueryContext(ctx, `SELECT version, name FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer vrows.Close()
	for vrows.Next() {
		var v int
		var name string
		if err := vrows.Scan(&v, &name); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("migration %d %s", v, name))
	}
	if err := vrows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A new database made from schema.sql is the one the migrations make,
// statement for statement (shadow tables, indexes and triggers included),
// and records every migration as applied; schema.sql is what the
// migrations leave. With SPORTEL_UPDATE_SCHEMA=1 (go generate) it writes
// schema.sql instead of failing.
func TestSchemaSnapshotUpToDate(t *testing.T) {
	ctx := context.Background()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	newest := ms[len(ms)-1].version
	replayed, err := OpenWith(ctx, filepath.Join(t.TempDir(), "replayed.db"), Options{replayMigrations: true})
	if err != nil {
		t.Fatal(err)
	}
	defer replayed.Close()
	want := snapshotOf(t, replayed, newest)
	if os.Getenv("SPORTEL_UPDATE_SCHEMA") == "1" {
		if err := os.WriteFile("schema.sql", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote schema.sql (version %d); build again to embed it", newest)
		return
	}
	if schemaSnapshot != want {
		t.Fatalf("schema.sql is not what the migrations leave (a migration added or changed?): run go generate ./store/sqlite\ngot:\n%s\nwant:\n%s", schemaSnapshot, want)
	}

	fromSnapshot, err := Open(ctx, filepath.Join(t.TempDir(), "snapshot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fromSnapshot.Close()
	// Open makes a new database from the snapshot, not by replaying: the
	// comparison below would hold either way.
	if !fromSnapshot.fromSnapshot || replayed.fromSnapshot {
		t.Fatalf("made from the snapshot: new database %v, replayed one %v; want true, false", fromSnapshot.fromSnapshot, replayed.fromSnapshot)
	}
	got, wantRows := schemaRows(t, fromSnapshot), schemaRows(t, replayed)
	if !slices.Equal(got, wantRows) {
		t.Errorf("a database made from schema.sql differs from one the migrations made:\ngot:\n%s\nwant:\n%s",
			strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
	if n := len(wantRows); n < len(ms)+20 {
		t.Errorf("only %d schema rows and migrations: the comparison saw too little", n)
	}
}

// A database that has a schema but no recorded migration is not made over
// from the snapshot: its migrations run as they always did, and one that
// clashes with what is there fails the open instead of being skipped.
func TestSnapshotOnlyForAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := OpenWith(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		t.Fatal(err)
	}
	if !s.fromSnapshot {
		t.Fatal("a new database was not made from the snapshot")
	}
	s.Close()
	_, err = Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "apply migration 0001_init.sql") {
		t.Fatalf("open a schema without its migrations recorded: %v, want migration 0001 replayed and failing", err)
	}
}

// createFromSnapshot makes the schema only in an empty database and only
// from a snapshot of the newest migration; otherwise it leaves the
// migrations to run one by one.
func TestCreateFromSnapshot(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	newer := append(slices.Clone(ms), migration{version: ms[len(ms)-1].version + 1, name: "9999_later.sql", sql: "SELECT 1"})
	tests := []struct {
		name        string
		ms          []migration
		keepATable  bool
		wantCreated bool
	}{
		{"an empty database", ms, false, true},
		{"a migration newer than the snapshot", newer, false, false},
		{"a database that holds a table", ms, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var created bool
			err = s.withTx(ctx, func(tx *Tx) error {
				if err := emptyDatabase(ctx, tx, tt.keepATable); err != nil {
					return err
				}
				var err error
				created, err = tx.createFromSnapshot(ctx, tt.ms, "2026-12-05T12:00:00Z")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if created != tt.wantCreated {
				t.Fatalf("created %v, want %v", created, tt.wantCreated)
			}
			var tables, versions int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables); err != nil {
				t.Fatal(err)
			}
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_version`).Scan(&versions); err != nil {
				t.Fatal(err)
			}
			switch {
			case created && (tables < 10 || versions != len(ms)):
				t.Errorf("made %d tables and recorded %d migrations, want the schema and %d", tables, versions, len(ms))
			case !created && !tt.keepATable && (tables != 1 || versions != 0):
				t.Errorf("%d tables and %d migrations recorded, want the empty database left as it was", tables, versions)
			}
		})
	}
}

// emptyDatabase drops every table but schema_version, whose rows it
// deletes (and, with keep, one table more).
func emptyDatabase(ctx context.Context, tx *Tx, keep bool) error {
	rows, err := tx.tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_version'
		AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, n := range names {
		if keep && n == "tickets" {
			continue
		}
		if _, err := tx.tx.ExecContext(ctx, `DROP TABLE "`+n+`"`); err != nil {
			return fmt.Errorf("drop %s: %w", n, err)
		}
	}
	_, err = tx.tx.ExecContext(ctx, `DELETE FROM schema_version`)
	return err
}

// BenchmarkOpenNew opens a new database file: its schema made from the
// snapshot, or by replaying every migration.
func BenchmarkOpenNew(b *testing.B) {
	for _, bm := range []struct {
		name   string
		replay bool
	}{{"snapshot", false}, {"migrations", true}} {
		b.Run(bm.name, func(b *testing.B) {
			dir := b.TempDir()
			for i := range b.N {
				s, err := OpenWith(context.Background(), filepath.Join(dir, fmt.Sprintf("%d.db", i)), Options{replayMigrations: bm.replay})
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}
