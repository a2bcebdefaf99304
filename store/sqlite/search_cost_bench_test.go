package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/mailgen"
	"sportel/store"
)

// BenchmarkIntakeSearchIndex is what the search index costs intake: chunks
// of 32 realistic messages (a ticket, its message, two jobs each) in one
// transaction, as the desk commits them, with the index kept by its
// triggers and with the triggers dropped.
func BenchmarkIntakeSearchIndex(b *testing.B) {
	for _, indexed := range []bool{true, false} {
		name := "indexed"
		if !indexed {
			name = "without index"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s, path := openTemp(b)
			if !indexed {
				db, err := sql.Open("sqlite", path)
				if err != nil {
					b.Fatal(err)
				}
				for _, tr := range []string{"tickets_fts_insert", "tickets_fts_update", "tickets_fts_delete", "entries_fts_insert", "entries_fts_update", "entries_fts_delete"} {
					if _, err := db.Exec(`DROP TRIGGER ` + tr); err != nil {
						b.Fatal(err)
					}
				}
				db.Close()
			}
			g := mailgen.New(rand.New(rand.NewPCG(1, 2)), "dkp@mkrs.example", t0)
			var mails []mailgen.Mail
			for range 256 {
				mails = append(mails, g.Next())
			}
			n := 0
			for b.Loop() {
				err := s.WithTx(ctx, func(tx store.Tx) error {
					for range 32 {
						m := mails[n%len(mails)]
						n++
						tk := newTicket(fmt.Sprintf("DKP-2026-%06d", n), t0.Add(time.Duration(n)*time.Second))
						tk.Subject = m.Subject
						if err := tx.CreateTicket(tk); err != nil {
							return err
						}
						if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: m.From, Subject: m.Subject,
							Text: strings.Join(m.Own, "\n\n"), Raw: m.Raw, CreatedAt: t0}); err != nil {
							return err
						}
						for _, k := range []inquiry.JobKind{inquiry.JobAck, inquiry.JobNotify} {
							if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: k, Recipient: m.From, State: inquiry.JobPending, NextAt: t0, CreatedAt: t0}); err != nil {
								return err
							}
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/msg")
		})
	}
}
