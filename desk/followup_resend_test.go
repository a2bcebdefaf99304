package desk_test

import (
	"context"
	"testing"
	"time"

	"sportel/inquiry"
)

// A reply that opens a new ticket linked to the one it answers (closed
// past reopen_days, or kept as spam) and that the citizen's client sends
// twice (a double click in a webmail, a phone that timed out) is one
// request: the copy is kept as "sent again" on the new ticket, as a
// resend of any first mail is, not filed as a third ticket with a second
// acknowledgement and notification.
func TestLinkedReplySentTwiceOpensOneTicket(t *testing.T) {
	const arben = "arben@example.net"
	tests := []struct {
		name  string
		setup func(f *fixture, first *inquiry.Message)
	}{
		{"to a ticket closed past reopen_days", func(f *fixture, first *inquiry.Message) {
			f.handle(first)
			if _, err := f.desk.Close(context.Background(), "DKP-2026-000001", "", "", "zamira"); err != nil {
				f.t.Fatal(err)
			}
			f.now = f.now.Add(20 * 24 * time.Hour)
		}},
		{"to a ticket kept as spam", func(f *fixture, first *inquiry.Message) {
			first.Automation, first.AutomationReason = inquiry.Spam, "X-Spam-Flag: YES"
			f.handle(first)
			f.now = f.now.Add(3 * 24 * time.Hour)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			first := citizen("first@example.net", arben, "Pyetje", "Kur hapet muzeu etnologjik të dielën?")
			tt.setup(f, first)
			reply := func(id string) *inquiry.Message {
				m := citizen(id, arben, "Re: Pyetje [DKP-2026-000001]",
					"Të nderuar, kërkoj edhe kopjen e kontratës për renovimin e muzeut.\n\n> Kur hapet muzeu etnologjik të dielën?")
				m.InReplyTo = []string{"first@example.net"}
				return m
			}
			if d := f.handle(reply("r1@example.net")); d != inquiry.Filed {
				t.Fatalf("the reply: %s, want filed", d)
			}
			f.now = f.now.Add(40 * time.Second)
			if d := f.handle(reply("r2@example.net")); d != inquiry.Attached {
				t.Errorf("its copy: %s, want attached", d)
			}
			if n := len(f.tickets()); n != 2 {
				t.Fatalf("%d tickets, want 2 (the first and the reply's)", n)
			}
			const number = "DKP-2026-000002"
			jobs := f.jobs(number)
			if acks, notes := len(jobsOf(jobs, inquiry.JobAck)), len(jobsOf(jobs, inquiry.JobNotify)); acks != 1 || notes != 1 {
				t.Errorf("%s: %d acknowledgements, %d notifications; want one of each", number, acks, notes)
			}
			entries, err := f.store.Entries(context.Background(), f.ticket(number).ID)
			if err != nil {
				t.Fatal(err)
			}
			if n, again := countEntries(entries, inquiry.EntryInbound), len(sentAgainNotes(entries)); n != 1 || again != 1 {
				t.Errorf("%s: %d messages and %d sent-again notes, want 1 and 1", number, n, again)
			}
		})
	}
}
