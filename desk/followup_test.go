package desk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/route"
)

// Who may write into a ticket: only mail sent from its requester address
// joins it, whatever its Reply-To says.
func TestFollowUpJoinsOnlyFromTheRequester(t *testing.T) {
	const victim = "arben@example.net"
	type followUp struct {
		from, replyTo string
		// threaded replies to the acknowledgement; else the number is typed
		// into the subject.
		threaded bool
	}
	tests := []struct {
		name string
		// formFrom, when set, files the first ticket through a contact form
		// that writes the citizen into Reply-To.
		formFrom   string
		follow     followUp
		want       inquiry.Disposition
		wantAuthor string
	}{
		{"the requester replies to the acknowledgement",
			"", followUp{from: "Arben@Example.net", threaded: true}, inquiry.Attached, "Arben@Example.net"},
		{"the requester types the number",
			"", followUp{from: victim}, inquiry.Attached, victim},
		{"the requester replies, with another Reply-To",
			"", followUp{from: victim, replyTo: "arben.work@example.org", threaded: true}, inquiry.Attached,
			victim + " (Reply-To: arben.work@example.org)"},
		{"someone else names the requester in Reply-To and types the number",
			"", followUp{from: "mallory@evil.example", replyTo: victim}, inquiry.Filed,
			"mallory@evil.example (Reply-To: " + victim + ")"},
		{"someone else names the requester in Reply-To, threaded",
			"", followUp{from: "mallory@evil.example", replyTo: victim, threaded: true}, inquiry.Filed,
			"mallory@evil.example (Reply-To: " + victim + ")"},
		{"a contact form's citizen replies from their own address",
			"form@site.example", followUp{from: victim, threaded: true}, inquiry.Attached, victim},
		{"the contact form sends again about the same ticket",
			"form@site.example", followUp{from: "form@site.example", replyTo: victim}, inquiry.Filed,
			"form@site.example (Reply-To: " + victim + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			first := citizen("orig@example.net", victim, "Kërkesë", docRequestSQ)
			if tt.formFrom != "" {
				first.From = inquiry.Address{Address: tt.formFrom}
				first.ReplyTo = &inquiry.Address{Address: victim}
			}
			if d := f.handle(first); d != inquiry.Filed {
				t.Fatalf("first mail: %s", d)
			}
			const number = "DKP-2026-000001"
			if s := f.ticket(number).Sender.Address; s != victim {
				t.Fatalf("requester %q, want %q", s, victim)
			}
			ack := jobsOf(f.jobs(number), inquiry.JobAck)[0].Mail

			m := citizen("follow@example.net", tt.follow.from, "Re: Kërkesë ["+number+"]", "Ju lutem anuloni kërkesën time.")
			if !tt.follow.threaded {
				m.Subject = "Odg: " + number
			} else {
				m.InReplyTo = []string{ack.MessageID}
			}
			if tt.follow.replyTo != "" {
				m.ReplyTo = &inquiry.Address{Address: tt.follow.replyTo}
			}
			if d := f.handle(m); d != tt.want {
				t.Fatalf("follow-up: %s, want %s", d, tt.want)
			}

			entries, err := f.store.Entries(context.Background(), f.ticket(number).ID)
			if err != nil {
				t.Fatal(err)
			}
			joined := countEntries(entries, inquiry.EntryInbound) == 2
			if joined != (tt.want == inquiry.Attached) {
				t.Errorf("the requester's ticket has %d inbound entries", countEntries(entries, inquiry.EntryInbound))
			}
			var rec inquiry.Entry
			switch tt.want {
			case inquiry.Attached:
				rec = entries[len(entries)-1]
				for _, e := range entries {
					if e.SourceID == m.SourceID {
						rec = e
					}
				}
			case inquiry.Filed:
				ts := f.tickets()
				if len(ts) != 2 || ts[1].Mentions != number {
					t.Fatalf("tickets %+v: want a second one that mentions %s", ts, number)
				}
				es, err := f.store.Entries(context.Background(), ts[1].ID)
				if err != nil {
					t.Fatal(err)
				}
				rec = es[0]
			}
			if rec.SourceID != m.SourceID || rec.Author != tt.wantAuthor {
				t.Errorf("follow-up recorded as %q by %q, want by %q", rec.SourceID, rec.Author, tt.wantAuthor)
			}
		})
	}
}

// A reload removed the officer a ticket is assigned to; the citizen's
// follow-up still joins the ticket, which goes on the record to the
// officer the routing gives it now, and that officer is told. It used to
// fail ("unknown officer") and be set aside, with nobody told.
func TestFollowUpToARemovedOfficersTicket(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	tk := f.tickets()[0]
	if tk.OfficerID != "jusuf" {
		t.Fatalf("filed to %s, want jusuf", tk.OfficerID)
	}
	ack := jobsOf(f.jobs(tk.Number), inquiry.JobAck)[0].Mail

	// The configuration after the reload: jusuf is gone, document requests
	// go to osman.
	cfg := desk.Config{Mailbox: inquiry.Address{Address: "komunikimi@mkrs.example"}, Prefix: "DKP",
		DocumentDeadlineDays: 7, ReopenDays: 14, Officers: []inquiry.Officer{officers[0], officers[2]}, RefusalGrounds: testGrounds}
	router := route.New([]route.Rule{{Match: route.Match{Category: inquiry.DocumentRequest}, Officer: "osman"}, {Officer: "zamira"}})
	reloaded, err := desk.New(cfg, f.store, nil, router, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	reloaded.SetClock(func() time.Time { return f.now })
	r := citizen("r1@example.net", "arben@example.net", "Re: Kërkesë ["+tk.Number+"]", "Edhe planin dinamik, ju lutem.")
	r.InReplyTo = []string{ack.MessageID}
	r.Channel, r.ReceivedAt, r.SourceID = inquiry.ChannelEmail, f.now, "msgid:r1@example.net"
	disp, err := reloaded.Handle(context.Background(), r)
	if err != nil || disp != inquiry.Attached {
		t.Fatalf("follow-up: %s, %v; want attached", disp, err)
	}
	if got := f.ticket(tk.Number); got.OfficerID != "osman" {
		t.Errorf("ticket with %s, want osman", got.OfficerID)
	}
	var toOsman int
	for _, j := range jobsOf(f.jobs(tk.Number), inquiry.JobNotify) {
		if j.Recipient == "osman" {
			toOsman++
		}
	}
	if toOsman == 0 {
		t.Error("osman was not told about the ticket he now has")
	}
	var noted bool
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "jusuf") && strings.Contains(e.Text, "osman") {
			noted = true
		}
	}
	if !noted {
		t.Error("the reassignment is not on the record")
	}
}

// Another institution's ticket system answers our acknowledgement with its
// own ("Kërkesa juaj është pranuar me numrin 1001"), without a header that
// marks it automatic, and from an address that is not the one we
// acknowledged. Its mail is filed, noting the ticket it names, and its
// officer hears of it; acknowledged, it would be answered again, for a
// ticket each time, until the day's cap.
func TestAnotherTicketSystemsAcknowledgementIsNotAcknowledged(t *testing.T) {
	tests := []struct {
		name string
		// answer is the ticket system's n-th answer to ack.
		answer func(n int, ack *inquiry.Mail) *inquiry.Message
	}{
		{"a new Reply-To for each of its tickets", func(n int, ack *inquiry.Mail) *inquiry.Message {
			m := citizen(fmt.Sprintf("zd%d@akm.example", n), "support@akm.example", fmt.Sprintf("[Ticket #%d] %s", 1000+n, ack.Subject),
				fmt.Sprintf("Kërkesa juaj është pranuar me numrin %d. Do t'ju përgjigjemi së shpejti.", 1000+n))
			m.ReplyTo = &inquiry.Address{Address: fmt.Sprintf("support+id%d@akm.example", 1000+n)}
			m.InReplyTo = []string{ack.MessageID}
			return m
		}},
		// No per-address cap ever stops this one.
		{"a new From for each of its tickets, threaded by References alone", func(n int, ack *inquiry.Mail) *inquiry.Message {
			m := citizen(fmt.Sprintf("otrs%d@akm.example", n), fmt.Sprintf("ticket-%d@akm.example", 1000+n), "Vaš zahtev je primljen: "+ack.Subject,
				fmt.Sprintf("Vaš zahtev je primljen pod brojem %d.", 1000+n))
			m.References = append(append([]string(nil), ack.References...), ack.MessageID)
			return m
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if d := f.handle(citizen("req@akm.example", "info@akm.example", "Kërkesë", docRequestSQ)); d != inquiry.Filed {
				t.Fatalf("request: %s", d)
			}
			var acks []*inquiry.Mail
			answered := 0
			for round := range 20 {
				acks = acks[:0]
				for _, tk := range f.tickets() {
					for _, j := range jobsOf(f.jobs(tk.Number), inquiry.JobAck) {
						acks = append(acks, j.Mail)
					}
				}
				if answered == len(acks) {
					break
				}
				f.now = f.now.Add(2 * time.Minute)
				f.handle(tt.answer(round, acks[answered]))
				answered++
			}
			ts := f.tickets()
			if len(ts) != 2 || len(acks) != 1 {
				t.Fatalf("%d tickets and %d acknowledgements, want 2 and 1", len(ts), len(acks))
			}
			second := ts[1]
			if second.Mentions != ts[0].Number || second.State != inquiry.Assigned {
				t.Errorf("the ticket system's mail: mentions %q, state %s; want it filed, mentioning %s", second.Mentions, second.State, ts[0].Number)
			}
			if n := len(jobsOf(f.jobs(second.Number), inquiry.JobNotify)); n != 1 {
				t.Errorf("%d notifications of the ticket system's mail, want 1", n)
			}
			entries, err := f.store.Entries(context.Background(), second.ID)
			if err != nil {
				t.Fatal(err)
			}
			noted := false
			for _, e := range entries {
				noted = noted || e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "no acknowledgement: it replies to the acknowledgement of "+ts[0].Number)
			}
			if !noted {
				t.Error("the ticket does not say why it was not acknowledged")
			}
		})
	}
}
