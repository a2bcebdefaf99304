package storetest

import (
	"math/rand/v2"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// History is a store's years of use, as FillHistory writes them.
type History struct {
	Tickets, Open, Failed int
}

// FillHistory files n tickets received evenly from from to to, as years of
// use leave them: a third general questions, a fifth press inquiries, the
// rest document requests with deadlines; a fifth by Telegram; one in
// twenty bulk and one in forty spam mail; every ticket closed except those
// of the last three weeks and one in two hundred older ones left open
// (some never acted on, some overdue); one failed send in five hundred
// tickets. It is deterministic, so benchmarks on two versions read the
// same store. The digest and figures benchmarks use it to show what
// reading only what they need saves.
func FillHistory(tb testing.TB, s store.Store, n int, from, to time.Time) History {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(2026, 5))
	outcomes := []inquiry.Outcome{inquiry.Granted, inquiry.Granted, inquiry.Granted, inquiry.PartlyGranted, inquiry.Refused, inquiry.NotHeld, inquiry.Withdrawn}
	langs := []inquiry.Language{inquiry.Albanian, inquiry.Albanian, inquiry.Albanian, inquiry.SerbianLatin, inquiry.SerbianCyrl, inquiry.English}
	officers := []string{"jusuf", "zamira", "osman", "arta"}
	step := to.Sub(from) / time.Duration(n)
	var h History
	seq := map[int]int{}
	const chunk = 500
	for start := 0; start < n; start += chunk {
		inTx(tb, s, func(tx store.Tx) error {
			for i := start; i < min(start+chunk, n); i++ {
				received := from.Add(time.Duration(i)*step + time.Duration(rnd.Int64N(int64(step))))
				// Filed moments later, now and then hours later (mail
				// taken in after the daemon was down).
				created := received.Add(time.Duration(rnd.IntN(300)) * time.Second)
				if rnd.IntN(50) == 0 {
					created = created.Add(time.Duration(1+rnd.IntN(20)) * time.Hour)
				}
				year := received.Year()
				seq[year]++
				tk := &inquiry.Ticket{
					Number: inquiry.FormatNumber("DKP", year, seq[year]), Channel: inquiry.ChannelEmail,
					Sender:   inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"},
					Subject:  "Kërkesë për dokumente",
					Language: langs[rnd.IntN(len(langs))], Category: inquiry.DocumentRequest, Classifier: "builtin", Confidence: 0.9,
					OfficerID: officers[rnd.IntN(len(officers))], Acted: true, State: inquiry.Closed,
					ReceivedAt: received, CreatedAt: created, UpdatedAt: created,
				}
				switch r := rnd.IntN(30); {
				case r < 10:
					tk.Category = inquiry.GeneralQuestion
				case r < 16:
					tk.Category = inquiry.PressInquiry
				}
				if rnd.IntN(5) == 0 {
					tk.Channel, tk.ChatID, tk.Sender = inquiry.ChannelTelegram, int64(1000+rnd.IntN(5000)), inquiry.Address{Name: "Arben"}
				}
				if tk.Category == inquiry.DocumentRequest {
					tk.DueAt = received.Add(7 * 24 * time.Hour)
				}
				open := to.Sub(received) < 21*24*time.Hour || rnd.IntN(200) == 0
				switch r := rnd.IntN(40); {
				case r < 2:
					tk.State, tk.Category, tk.DueAt, tk.Acted = inquiry.BulkMail, inquiry.GeneralQuestion, time.Time{}, false
					open = false
				case r < 3:
					tk.State, tk.Category, tk.DueAt, tk.Acted = inquiry.SpamMail, inquiry.GeneralQuestion, time.Time{}, false
					open = false
				case open && r < 20:
					tk.State, tk.Acted = inquiry.Assigned, rnd.IntN(2) == 0
				case open:
					tk.State = inquiry.Answered
					tk.AnsweredAt = received.Add(time.Duration(1+rnd.IntN(72)) * time.Hour)
				default:
					tk.AnsweredAt = received.Add(time.Duration(1+rnd.IntN(120)) * time.Hour)
					tk.ClosedAt = tk.AnsweredAt.Add(time.Duration(rnd.IntN(48)) * time.Hour)
					tk.UpdatedAt = tk.ClosedAt
					tk.Outcome = inquiry.Resolved
					if tk.Category == inquiry.DocumentRequest {
						tk.Outcome = outcomes[rnd.IntN(len(outcomes))]
						tk.DecidedAt = tk.AnsweredAt
						if tk.Outcome == inquiry.Refused || tk.Outcome == inquiry.PartlyGranted {
							tk.Ground = "personal_data"
						}
					}
				}
				if open {
					h.Open++
				}
				if err := tx.CreateTicket(tk); err != nil {
					return err
				}
				h.Tickets++
				if rnd.IntN(500) == 0 {
					at := created.Add(time.Hour)
					if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "arta@example.org",
						State: inquiry.JobFailed, Attempts: 8, NextAt: at, CreatedAt: at, FinishedAt: at, LastError: "550 mailbox unavailable",
						Mail: &inquiry.Mail{MessageID: tk.Number + ".ack@mkrs.example", Date: at, Subject: "x", Text: "x"}}); err != nil {
						return err
					}
					h.Failed++
				}
			}
			return nil
		})
	}
	return h
}
