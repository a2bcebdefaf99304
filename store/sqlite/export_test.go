package sqlite

import (
	"context"
	"testing"
)

// PragmaForTest reads an integer PRAGMA on one of the store's connections.
func (s *Store) PragmaForTest(t *testing.T, name string) int {
	t.Helper()
	var v int
	if err := s.db.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// WriteConnsForTest reports the write pool's limit and its open connections.
func (s *Store) WriteConnsForTest() (limit, open int) {
	st := s.wdb.Stats()
	return st.MaxOpenConnections, st.OpenConnections
}

// WritePragmaForTest reads an integer PRAGMA on the write connection.
func (s *Store) WritePragmaForTest(t *testing.T, name string) int {
	t.Helper()
	var v int
	if err := s.wdb.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s on the write connection: %v", name, err)
	}
	return v
}

// RowsForTest counts the rows of table (storetest.RowCounter).
func (s *Store) RowsForTest(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count rows of %s: %v", table, err)
	}
	return n
}
