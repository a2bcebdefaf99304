package sqlite

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:generate env SPORTEL_UPDATE_SCHEMA=1 go test -run ^TestSchemaSnapshotUpToDate$ .

// schemaSnapshot is the schema every migration leaves behind, as SQLite
// keeps it (sqlite_master's statements, in the order they were made): a new
// database is created from it in one step. Replaying the migrations parses
// the whole schema again after each ALTER TABLE and took about 7 ms of CPU
// a database; tests create thousands. TestSchemaSnapshotUpToDate keeps it
// equal to the migrations' result, and `go generate` writes it again.
//
//go:embed schema.sql
var schemaSnapshot string

// snapshotVersion is the newest migration schemaSnapshot includes, from its
// "-- version N" line; 0 when it has none.
func snapshotVersion(snapshot string) int {
	for line := range strings.Lines(snapshot) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "-- version "); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0
			}
			return n
		}
	}
	return 0
}

// createFromSnapshot creates the schema of ms, every migration, in an empty
// database in one step and records each migration as applied. It reports
// false, doing nothing, when the snapshot is not of the newest migration
// (a migration added without `go generate`) or the database holds anything
// besides schema_version: then the migrations are replayed one by one.
func (tx *Tx) createFromSnapshot(ctx context.Context, ms []migration, appliedAt string) (bool, error) {
	if len(ms) == 0 || snapshotVersion(schemaSnapshot) != ms[len(ms)-1].version {
		return false, nil
	}
	var others int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name <> 'schema_version'`).Scan(&others); err != nil {
		return false, fmt.Errorf("look for an existing schema: %w", err)
	}
	if others > 0 {
		return false, nil
	}
	if _, err := tx.tx.ExecContext(ctx, schemaSnapshot); err != nil {
		return false, fmt.Errorf("create the schema: %w", err)
	}
	for _, m := range ms {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, appliedAt); err != nil {
			return false, fmt.Errorf("record migration %s: %w", m.name, err)
		}
	}
	return true, nil
}
