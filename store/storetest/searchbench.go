package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/mailgen"
	"sportel/store"
)

// BenchSearch measures TicketFilter.Text on s, filled with n tickets of
// realistic mail (FillSearch). Drivers' benchmarks call it.
func BenchSearch(b *testing.B, s store.Store, n int) {
	FillSearch(b, s, n)
	RunSearch(b, s)
}

// FillSearch files n tickets of realistic mail (internal/mailgen: Albanian
// with and without ë/ç, Serbian Latin and Cyrillic, English), each with its
// inbound message and every third with an officer's answer.
func FillSearch(b *testing.B, s store.Store, n int) {
	g := mailgen.New(rand.New(rand.NewPCG(7, 11)), "dkp@mkrs.example", t0)
	const chunk = 200
	for start := 0; start < n; start += chunk {
		inTx(b, s, func(tx store.Tx) error {
			for i := start; i < min(start+chunk, n); i++ {
				m := g.Next()
				tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0.Add(time.Duration(i)*time.Minute))
				tk.Subject, tk.Sender.Address = m.Subject, m.From
				if err := tx.CreateTicket(tk); err != nil {
					return err
				}
				body := strings.Join(m.Own, "\n\n")
				if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: m.From, Subject: m.Subject, Text: body, CreatedAt: tk.ReceivedAt}); err != nil {
					return err
				}
				if i%3 == 0 {
					answer := "Përshëndetje, ju dërgojmë përgjigjen për kërkesën tuaj. Me respekt, Divizioni për Komunikim Publik"
					if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryAnswer, Author: "officer1", Text: answer, CreatedAt: tk.ReceivedAt}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
}

// RunSearch runs the search benchmarks on a store FillSearch filled.
func RunSearch(b *testing.B, s store.Store) {
	ctx := context.Background()
	for _, q := range []struct{ name, text string }{
		{"rare word", "intervistë"},
		{"folded rare word", "interviste ministrin"},
		{"common words", "qasje dokumente"},
		{"prefix", "kontrat"},
		{"Serbian Latin folded", "zahtev"},
		{"frequent word (a third of all)", "pergjigjen"},
		{"no match", "ksilofonisti"},
	} {
		b.Run(q.name, func(b *testing.B) {
			f := inquiry.TicketFilter{Text: q.text}
			var hits int
			for b.Loop() {
				ts, err := s.ListTickets(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				hits = len(ts)
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
}
