package postgres

import (
	"context"
	"testing"
)

// RowsForTest counts the rows of table (storetest.RowCounter).
func (s *Store) RowsForTest(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count rows of %s: %v", table, err)
	}
	return n
}
