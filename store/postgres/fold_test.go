package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"sportel/inquiry"
	"sportel/store"
)

// A store upgraded to 0006 finds upper-case Cyrillic written before the
// upgrade: the migration rebuilds the search indexes, which held the old
// folding. The count is read with sequential scans off, so the index
// answers rather than a recomputation of the new function.
func TestSearchFoldUpgradeReindexes(t *testing.T) {
	ctx := context.Background()
	s, dsn := openFresh(t)
	raw := rawConn(t, dsn)

	// Back to the state before 0006: the 0003 function, indexes built
	// with it, and 0006 not recorded.
	old, err := os.ReadFile("migrations/0003_search.sql")
	if err != nil {
		t.Fatal(err)
	}
	fn := string(old)
	fn = fn[strings.Index(fn, "CREATE FUNCTION"):]
	fn = "CREATE OR REPLACE" + strings.TrimPrefix(fn[:strings.Index(fn, "$$;")+3], "CREATE")
	for _, q := range []string{fn, `REINDEX INDEX tickets_search`, `DELETE FROM schema_version WHERE version = 6`} {
		if _, err := raw.Exec(ctx, q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	err = s.WithTx(ctx, func(tx store.Tx) error {
		tk := newTicket("DKP-2026-000001")
		tk.Subject = "ЗАХТЕВ ЗА ПРИСТУП"
		return tx.CreateTicket(tk)
	})
	if err != nil {
		t.Fatal(err)
	}

	indexed := func() int {
		t.Helper()
		var n int
		tx, err := raw.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		err = tx.QueryRow(ctx, `SELECT count(*) FROM tickets
			WHERE to_tsvector('simple', sportel_fold(left(subject, 100000))) @@ to_tsquery('simple', 'захтев')`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := indexed(); n != 0 {
		t.Fatalf("before 0006: %d tickets found in lower case, want 0 (the old folding leaves Cyrillic alone)", n)
	}

	up := second(t, dsn) // applies 0006
	if n := indexed(); n != 1 {
		t.Errorf("after 0006: the index finds %d tickets, want 1", n)
	}
	got, err := up.ListTickets(ctx, inquiry.TicketFilter{Text: "захтев"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("ListTickets(захтев) after 0006 = %d tickets, want 1", len(got))
	}
}
