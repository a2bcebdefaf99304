package desk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

const resendText = "Të nderuar, a mund të më tregoni kur hapet thirrja për mbështetjen e projekteve kulturore për vitin 2027?"

// A citizen's client that sends the same mail again (a new Message-ID, the
// same From, subject and words) joins the ticket the first copy opened
// while it is open and recent: no second number, no second notification;
// the acknowledgement goes again, with the same number, once, when the
// first has gone out.
func TestResendJoinsItsTicket(t *testing.T) {
	pdf := func(name string, size int) inquiry.Attachment {
		return inquiry.Attachment{Name: name, ContentType: "application/pdf", Size: int64(size), Content: make([]byte, size)}
	}
	type step struct {
		after time.Duration // f.now moves on by this first
		send  bool          // the outbox sends what is due before this mail
		msg   func(i int) *inquiry.Message
		want  inquiry.Disposition
	}
	first := func(i int) *inquiry.Message {
		return citizen(fmt.Sprintf("m%d@example.net", i), "arta@example.net", "Thirrja për projekte", resendText)
	}
	tests := []struct {
		name    string
		steps   []step
		tickets int
		acks    int // acknowledgements of the first ticket
		again   int // "sent again" notes on it
	}{
		{"resent a minute later, the acknowledgement not sent yet", []step{
			{msg: first, want: inquiry.Filed},
			{after: time.Minute, msg: first, want: inquiry.Attached},
		}, 1, 1, 1},
		{"resent after the acknowledgement went: it goes again, once", []step{
			{msg: first, want: inquiry.Filed},
			{after: 5 * time.Minute, send: true, msg: first, want: inquiry.Attached},
			{after: 5 * time.Minute, send: true, msg: first, want: inquiry.Attached},
		}, 1, 2, 2},
		{"rewrapped and in other case, the same words", []step{
			{msg: first, want: inquiry.Filed},
			{after: time.Minute, msg: func(i int) *inquiry.Message {
				m := first(i)
				m.Subject = "  thirrja për  PROJEKTE "
				m.Text = strings.ReplaceAll(strings.ToUpper(resendText), " ", "\n")
				return m
			}, want: inquiry.Attached},
		}, 1, 1, 1},
		{"resent 23 hours later, the phone offline overnight", []step{
			{msg: first, want: inquiry.Filed},
			{after: 23 * time.Hour, msg: first, want: inquiry.Attached},
		}, 1, 1, 1},
		{"the same words more than a day later are asked again", []step{
			{msg: first, want: inquiry.Filed},
			{after: 25 * time.Hour, msg: first, want: inquiry.Filed},
		}, 2, 1, 0},
		{"other words under the same subject", []step{
			{msg: first, want: inquiry.Filed},
			{after: time.Minute, msg: func(i int) *inquiry.Message {
				m := first(i)
				m.Text = "Edhe një pyetje: sa është shuma maksimale për një projekt?"
				return m
			}, want: inquiry.Filed},
		}, 2, 1, 0},
		{"the same words under another subject", []step{
			{msg: first, want: inquiry.Filed},
			{after: time.Minute, msg: func(i int) *inquiry.Message { m := first(i); m.Subject = "Pyetje tjetër"; return m }, want: inquiry.Filed},
		}, 2, 1, 0},
		{"another sender naming the citizen in Reply-To", []step{
			{msg: first, want: inquiry.Filed},
			{after: time.Minute, msg: func(i int) *inquiry.Message {
				m := first(i)
				m.From = inquiry.Address{Address: "someone@example.org"}
				m.ReplyTo = &inquiry.Address{Address: "arta@example.net"}
				return m
			}, want: inquiry.Filed},
		}, 2, 1, 0},
		{"documents sent one mail at a time under one subject", []step{
			{msg: func(i int) *inquiry.Message {
				m := first(i)
				m.Text, m.Attachments = "", []inquiry.Attachment{pdf("leternjoftimi.pdf", 10)}
				return m
			}, want: inquiry.Filed},
			{after: time.Minute, msg: func(i int) *inquiry.Message {
				m := first(i)
				m.Text, m.Attachments = "", []inquiry.Attachment{pdf("diploma.pdf", 12)}
				return m
			}, want: inquiry.Filed},
		}, 2, 1, 0},
		{"the same files sent again", []step{
			{msg: func(i int) *inquiry.Message {
				m := first(i)
				m.Attachments = []inquiry.Attachment{pdf("kerkesa.pdf", 10)}
				return m
			}, want: inquiry.Filed},
			{after: time.Minute, msg: func(i int) *inquiry.Message {
				m := first(i)
				m.Attachments = []inquiry.Attachment{pdf("kerkesa.pdf", 10)}
				return m
			}, want: inquiry.Attached},
		}, 1, 1, 1},
		{"a contact form submitted twice", []step{
			{msg: func(i int) *inquiry.Message {
				m := first(i)
				m.From, m.NoReplySender = inquiry.Address{Address: "no-reply@web.mkrs.example"}, true
				m.ReplyTo = &inquiry.Address{Address: "arta@example.net"}
				return m
			}, want: inquiry.Filed},
			{after: time.Minute, send: true, msg: func(i int) *inquiry.Message {
				m := first(i)
				m.From, m.NoReplySender = inquiry.Address{Address: "no-reply@web.mkrs.example"}, true
				m.ReplyTo = &inquiry.Address{Address: "arta@example.net"}
				return m
			}, want: inquiry.Attached},
		}, 1, 2, 1},
		{"a sender who asked for no automatic replies", []step{
			{msg: func(i int) *inquiry.Message { m := first(i); m.SuppressAck = true; return m }, want: inquiry.Filed},
			{after: time.Minute, send: true, msg: func(i int) *inquiry.Message { m := first(i); m.SuppressAck = true; return m }, want: inquiry.Attached},
		}, 1, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newQuietFixture(t, t.TempDir()+"/sportel.db")
			for i, s := range tt.steps {
				f.now = f.now.Add(s.after)
				if s.send {
					f.sendDue()
				}
				if got := f.handle(s.msg(i)); got != s.want {
					t.Fatalf("mail %d: %s, want %s", i+1, got, s.want)
				}
			}
			if n := len(f.tickets()); n != tt.tickets {
				t.Fatalf("%d tickets, want %d", n, tt.tickets)
			}
			jobs := f.jobs("DKP-2026-000001")
			acks := jobsOf(jobs, inquiry.JobAck)
			if len(acks) != tt.acks {
				t.Errorf("%d acknowledgements of the first ticket, want %d", len(acks), tt.acks)
			}
			// The first acknowledgement is the ticket's; one sent again
			// says why the number is the same.
			const againLine = "Mesazhi juaj na ka ardhur edhe një herë."
			for i, a := range acks {
				if !strings.HasSuffix(a.Mail.Subject, "[DKP-2026-000001]") || !strings.Contains(a.Mail.Text, "DKP-2026-000001") {
					t.Errorf("acknowledgement %q does not give the first ticket's number", a.Mail.Subject)
				}
				if again := strings.Contains(a.Mail.Text, againLine); again != (i > 0) {
					t.Errorf("acknowledgement %d says it came again: %v, want %v:\n%s", i+1, again, i > 0, a.Mail.Text)
				}
			}
			// One notification of the new ticket, and no digest: the resend
			// says nothing the officer has not been told.
			if n := len(jobsOf(jobs, inquiry.JobNotify)); n != 1 {
				t.Errorf("%d notifications, want 1", n)
			}
			entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
			if err != nil {
				t.Fatal(err)
			}
			notes := sentAgainNotes(entries)
			for _, e := range notes {
				if e.SourceID == "" || e.MessageID == "" || !strings.Contains(strings.ToLower(strings.Join(strings.Fields(e.Text), " ")), strings.ToLower(resendText[:30])) {
					t.Errorf("the resend's note does not keep the mail: %+v", e)
				}
			}
			if again := len(notes); again != tt.again {
				t.Errorf("%d sent-again notes, want %d", again, tt.again)
			}
			if n := countEntries(entries, inquiry.EntryInbound); n != 1 {
				t.Errorf("%d inbound entries on the first ticket, want 1 (a resend is no new message)", n)
			}
		})
	}
}

// A resend taken in again (the process stopped before the mailbox moved
// it) is a duplicate, and a reply to the acknowledgement sent for it finds
// the ticket.
func TestResendTakenInTwice(t *testing.T) {
	f := newFixture(t)
	raw := func(received, msgID string) []byte {
		return rawMail(received, "arta@example.net", "", msgID, resendText+"\n")
	}
	if got := f.handle(parse.Parse(raw(relay1, "a1@example.net"), f.now, parse.Options{})); got != inquiry.Filed {
		t.Fatalf("first: %s", got)
	}
	f.now = f.now.Add(2 * time.Minute)
	if got := f.handle(parse.Parse(raw(relay1, "a2@example.net"), f.now, parse.Options{})); got != inquiry.Attached {
		t.Fatalf("resend: %s, want attached", got)
	}
	if got := f.handle(parse.Parse(raw(relay2, "a2@example.net"), f.now, parse.Options{})); got != inquiry.Duplicate {
		t.Fatalf("the resend redelivered: %s, want duplicate", got)
	}
	reply := citizen("r1@example.net", "arta@example.net", "Re: Pyetje", "A keni ndonjë lajm?")
	reply.InReplyTo = []string{"a2@example.net"}
	if got := f.handle(reply); got != inquiry.Attached {
		t.Fatalf("a reply to the resend: %s, want attached", got)
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

// The ack cap holds for an acknowledgement sent again: an address at its
// day's limit gets none, and the record says why.
func TestResendAckMeetsTheCap(t *testing.T) {
	f := newFixtureConfig(t, nil, func(c *desk.Config) { c.AckPerDay = 1 })
	f.handle(citizen("m1@example.net", "arta@example.net", "Thirrja", resendText))
	f.sendDue()
	f.now = f.now.Add(time.Minute)
	if got := f.handle(citizen("m2@example.net", "arta@example.net", "Thirrja", resendText)); got != inquiry.Attached {
		t.Fatalf("resend: %s, want attached", got)
	}
	if n := len(jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)); n != 1 {
		t.Errorf("%d acknowledgements, want 1 (the cap is 1 a day)", n)
	}
	entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := entries[len(entries)-1]; !strings.Contains(last.Text, "not acknowledged again: rate limit") {
		t.Errorf("last entry %q does not say the cap held the acknowledgement", last.Text)
	}
}

// sentAgainNotes are the "sent again" notes among a ticket's entries.
func sentAgainNotes(entries []inquiry.Entry) []inquiry.Entry {
	var notes []inquiry.Entry
	for _, e := range entries {
		if e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "sent again by ") {
			notes = append(notes, e)
		}
	}
	return notes
}
