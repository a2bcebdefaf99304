package desk

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
)

// composeDesk is a desk that only composes: no store, no classifier.
func composeDesk(t testing.TB) *Desk {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Config{
		Mailbox:                   inquiry.Address{Name: "Divizioni për Komunikim Publik", Address: "komunikimi@mkrs.example"},
		Location:                  loc,
		NotifyAttachmentsMaxBytes: 1 << 20,
		DivisionName:              map[inquiry.Language]string{inquiry.SerbianCyrl: "Одељење за јавну комуникацију"},
	}, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// realisticTickets are n generated mails, parsed, each with the ticket
// filing would open for it (the classification the generator meant).
func realisticTickets(n int, now time.Time) ([]*inquiry.Ticket, []*inquiry.Message) {
	g := mailgen.New(rand.New(rand.NewPCG(7, 11)), "komunikimi@mkrs.example", now.Add(-time.Hour))
	langs := map[mailgen.Language]inquiry.Language{
		mailgen.Albanian: inquiry.Albanian, mailgen.AlbanianASCII: inquiry.Albanian, mailgen.SerbianLatin: inquiry.SerbianLatin,
		mailgen.SerbianCyrillic: inquiry.SerbianCyrl, mailgen.English: inquiry.English,
	}
	tickets := make([]*inquiry.Ticket, n)
	msgs := make([]*inquiry.Message, n)
	for i := range n {
		gm := g.Next()
		m := parse.Parse(gm.Raw, now, parse.Options{})
		t := &inquiry.Ticket{
			ID: int64(i + 1), Number: fmt.Sprintf("DKP-2026-%06d", i+1),
			Channel: m.Channel, Sender: m.From, Subject: m.Subject, MessageID: m.MessageID,
			Language: langs[gm.Language], Category: inquiry.Category(gm.Category),
			Classifier: "builtin", Confidence: 0.87, OfficerID: "jusuf", State: inquiry.Assigned,
			ReceivedAt: now, CreatedAt: now, UpdatedAt: now,
		}
		if t.Category == inquiry.DocumentRequest {
			t.DueAt = now.AddDate(0, 0, 7)
		}
		if m.Attachments != nil {
			m.AttachmentsAt = &inquiry.AttachmentRef{TicketID: t.ID, EntryID: int64(i + 1)}
		}
		tickets[i], msgs[i] = t, m
	}
	return tickets, msgs
}

// BenchmarkComposeAckNotify is what filing a new ticket composes in the
// store's write transaction: the citizen's acknowledgement and the
// officer's notification. One op is one mail.
//
//	go test -run XXX -bench ComposeAckNotify -benchmem ./desk/
func BenchmarkComposeAckNotify(b *testing.B) {
	d := composeDesk(b)
	now := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	tickets, msgs := realisticTickets(1000, now)
	officer := inquiry.Officer{ID: "jusuf", Name: "Jusuf Lushaku", Email: "jusuf.lushaku@mkrs.example"}
	b.ResetTimer()
	for i := range b.N {
		t, m := tickets[i%len(tickets)], msgs[i%len(msgs)]
		if d.ackMail(t, m, m.ReplyAddress(), now) == nil || d.notifyMail(t, officer, m, false, now) == nil {
			b.Fatal("no mail")
		}
	}
}
