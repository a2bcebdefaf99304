package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"sportel/inquiry"
	"sportel/store"
)

// TestSearchIndexDeferredToCommit holds the search index, which migration
// 0009 fills once per transaction instead of per row, to what is
// committed: a subject changed in the transaction that created the ticket,
// or in a later one, is found by its new words only; a search inside the
// transaction sees the transaction's own writes; after each commit no row
// is left waiting and FTS5's own integrity check passes.
func TestSearchIndexDeferredToCommit(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// steps run each in its own transaction, on ticket tk.
		steps []func(tx store.Tx, tk *inquiry.Ticket) error
		found map[string]bool // search text: finds the ticket
	}{
		{
			name: "created with an entry",
			steps: []func(store.Tx, *inquiry.Ticket) error{
				func(tx store.Tx, tk *inquiry.Ticket) error {
					return addEntry(tx, tk, "Leje ndërtimi", "Kërkoj lejen për Čačak")
				},
			},
			found: map[string]bool{"leje": true, "cacak": true, "pasaporte": false},
		},
		{
			name: "subject changed in the creating transaction",
			steps: []func(store.Tx, *inquiry.Ticket) error{
				func(tx store.Tx, tk *inquiry.Ticket) error {
					tk.Subject = "Pasaportë e humbur"
					return tx.UpdateTicket(tk)
				},
			},
			found: map[string]bool{"pasaporte": true, "dokumente": false},
		},
		{
			name: "subject changed in a later transaction",
			steps: []func(store.Tx, *inquiry.Ticket) error{
				func(tx store.Tx, tk *inquiry.Ticket) error { return nil },
				func(tx store.Tx, tk *inquiry.Ticket) error {
					tk.Subject = "Pasaportë e humbur"
					return tx.UpdateTicket(tk)
				},
			},
			found: map[string]bool{"pasaporte": true, "dokumente": false},
		},
		{
			name: "searched inside the transaction that wrote it",
			steps: []func(store.Tx, *inquiry.Ticket) error{
				func(tx store.Tx, tk *inquiry.Ticket) error {
					if err := addEntry(tx, tk, "Ujësjellësi", "Mungon uji në Prizren"); err != nil {
						return err
					}
					got, err := tx.ListTickets(inquiry.TicketFilter{Text: "prizren"})
					if err != nil {
						return err
					}
					if len(got) != 1 || got[0].ID != tk.ID {
						return fmt.Errorf("search inside the transaction found %d tickets, want the one it wrote", len(got))
					}
					return addEntry(tx, tk, "Ujësjellësi", "Sot përsëri pa ujë")
				},
			},
			found: map[string]bool{"prizren": true, "perseri": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, path := openTemp(t)
			tk := newTicket("DKP-2026-000001", t0)
			tk.Subject = "Kërkesë për dokumente"
			for i, step := range tt.steps {
				inTx(t, s, func(tx store.Tx) error {
					if i == 0 {
						if err := tx.CreateTicket(tk); err != nil {
							return err
						}
					}
					return step(tx, tk)
				})
				for _, q := range []string{`SELECT COUNT(*) FROM tickets_fts_pending`, `SELECT COUNT(*) FROM entries_fts_pending`} {
					if n := rawQueryInt(t, path, q); n != 0 {
						t.Errorf("after transaction %d: %s = %d, want 0", i+1, q, n)
					}
				}
			}
			for text, want := range tt.found {
				got, err := s.ListTickets(ctx, inquiry.TicketFilter{Text: text})
				if err != nil {
					t.Fatalf("search %q: %v", text, err)
				}
				if (len(got) == 1) != want || len(got) > 1 {
					t.Errorf("search %q found %d tickets, want found=%v", text, len(got), want)
				}
			}
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{
				`INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 1)`,
				`INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)`,
			} {
				if _, err := db.Exec(q); err != nil {
					t.Errorf("%s: %v", q, err)
				}
			}
		})
	}
}

func addEntry(tx store.Tx, tk *inquiry.Ticket, subject, body string) error {
	return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arta@example.org",
		Subject: subject, Text: body, CreatedAt: t0})
}
