package app

import (
	"context"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// Identity of a message through the running daemon (issue #9, part 4): the
// relay delivering one mail twice makes one ticket, a contact form's fixed
// Message-ID from two senders makes two, and a key an earlier version
// stored ("msgid:<id>") still keeps the same mail from a second ticket.
func TestE2EMessageIdentity(t *testing.T) {
	s := newMemStack(t)
	a := s.open()
	// What an earlier version left: a ticket for legacy-1, keyed by its
	// Message-ID alone, its entry written by the sender.
	legacy := inboundMail{from: "Drita Gashi <drita@example.net>", subject: "Pyetje", messageID: "legacy-1@example.net",
		body: "Kur hapet muzeu kombëtar?"}
	now := time.Now()
	err := a.store.WithTx(context.Background(), func(tx store.Tx) error {
		tk := &inquiry.Ticket{Number: "DKP-2026-000900", Channel: inquiry.ChannelEmail, Sender: inquiry.Address{Address: "drita@example.net"},
			MessageID: legacy.messageID, Language: inquiry.Albanian, Category: inquiry.GeneralQuestion, OfficerID: "zamira",
			State: inquiry.Assigned, ReceivedAt: now, UpdatedAt: now}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, SourceID: "msgid:" + legacy.messageID,
			MessageID: legacy.messageID, Author: "drita@example.net", Text: legacy.body, CreatedAt: now}); err != nil {
			return err
		}
		return tx.MarkSource("msgid:"+legacy.messageID, tk.ID, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	redelivered := inboundMail{from: "Arta Berisha <arta@example.net>", subject: "Kërkesë", messageID: "once@example.net",
		body: "Kërkoj kopjen e kontratës për stadiumin."}
	first, second := redelivered, redelivered
	first.headers = []string{"Received: from mx1.example by imap.example; Mon, 30 Nov 2026 10:10:10 +0100"}
	second.headers = []string{"Received: from mx2.example by imap.example; Mon, 30 Nov 2026 12:00:00 +0100"}
	form := func(from, body string) inboundMail {
		return inboundMail{from: from, subject: "Formulari i kontaktit", messageID: "contact-form@site.example", body: body}
	}
	for _, m := range []inboundMail{
		first, second,
		form("besa@example.net", "A keni bursa për të rinjtë?"),
		form("dren@example.net", "Kur fillon kampi veror?"),
		legacy,
	} {
		s.append(m.raw())
	}
	a, stop := s.serve()
	defer stop()
	s.settle(a)
	ts, err := a.store.ListTickets(context.Background(), inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	bySender := map[string]int{}
	for _, tk := range ts {
		bySender[tk.Sender.Address]++
	}
	want := map[string]int{"drita@example.net": 1, "arta@example.net": 1, "besa@example.net": 1, "dren@example.net": 1}
	if len(ts) != 4 {
		t.Errorf("%d tickets, want 4", len(ts))
	}
	for addr, n := range want {
		if bySender[addr] != n {
			t.Errorf("%d tickets from %s, want %d", bySender[addr], addr, n)
		}
	}
}
