package desk_test

import (
	"context"
	"testing"

	"sportel/inquiry"
)

// A citizen whose first mail had a Reply-To (the ticket is addressed to
// it) replies to the acknowledgement from the address that mail came
// from: the thread reference joins it to the ticket. The reference proves
// the mail answers ours, and the From is the one that opened the ticket;
// a From the ticket does not know, or a Reply-To naming someone else, is
// still a stranger's mail that only mentions the ticket.
func TestReplyFromTheOpenersFromJoinsTheTicket(t *testing.T) {
	const (
		work = "arta.krasniqi@work.example"
		home = "arta@home.example"
	)
	tests := []struct {
		name    string
		from    string
		replyTo string
		byRef   bool // threaded to the acknowledgement; else the number in the subject only
		want    inquiry.Disposition
	}{
		{"from the first mail's From, no Reply-To", work, "", true, inquiry.Attached},
		{"from the same client: the same From and Reply-To", work, home, true, inquiry.Attached},
		{"from the Reply-To address the ticket is addressed to", home, "", true, inquiry.Attached},
		{"the first mail's From case-folded", "Arta.Krasniqi@Work.Example", "", true, inquiry.Attached},
		{"the first mail's From naming someone else in Reply-To", work, "besa@example.org", true, inquiry.Filed},
		{"an address the ticket does not know", "besa@example.org", "", true, inquiry.Filed},
		{"a stranger naming the citizen in Reply-To", "besa@example.org", home, true, inquiry.Filed},
		{"the first mail's From with the number alone, no thread", work, "", false, inquiry.Filed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			first := citizen("o1@work.example", work, "Kërkesë", docRequestSQ)
			first.ReplyTo = &inquiry.Address{Address: home}
			if got := f.handle(first); got != inquiry.Filed {
				t.Fatalf("first: %s", got)
			}
			ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
			if ack.To[0].Address != home {
				t.Fatalf("acknowledgement to %s, want the Reply-To %s", ack.To[0].Address, home)
			}
			r := citizen("r1@example.net", tt.from, "Re: Kërkesë [DKP-2026-000001]", "Edhe raportin e pranimit të punimeve, ju lutem.")
			if tt.replyTo != "" {
				r.ReplyTo = &inquiry.Address{Address: tt.replyTo}
			}
			if tt.byRef {
				r.Subject = ack.Subject
				r.InReplyTo, r.References = []string{ack.MessageID}, append(append([]string(nil), ack.References...), ack.MessageID)
			}
			if got := f.handle(r); got != tt.want {
				t.Fatalf("reply: %s, want %s", got, tt.want)
			}
			entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
			if err != nil {
				t.Fatal(err)
			}
			wantInbound, wantTickets := 2, 1
			if tt.want == inquiry.Filed {
				wantInbound, wantTickets = 1, 2
				if m := f.ticket("DKP-2026-000002").Mentions; m != "DKP-2026-000001" {
					t.Errorf("the new ticket mentions %q, want DKP-2026-000001", m)
				}
			}
			if n := countEntries(entries, inquiry.EntryInbound); n != wantInbound {
				t.Errorf("%d inbound entries on the ticket, want %d", n, wantInbound)
			}
			if n := len(f.tickets()); n != wantTickets {
				t.Errorf("%d tickets, want %d", n, wantTickets)
			}
		})
	}
}
