package desk_test

import (
	"context"
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
