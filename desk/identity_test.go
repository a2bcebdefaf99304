package desk_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// rawMail is a citizen's mail as the relay hands it over; received is the
// relay's trace header, which changes on each delivery.
func rawMail(received, from, replyTo, msgID, body string) []byte {
	s := received + "From: " + from + "\nTo: dkp@mkrs-ks.org\n"
	if replyTo != "" {
		s += "Reply-To: " + replyTo + "\n"
	}
	s += "Subject: Pyetje\n"
	if msgID != "" {
		s += "Message-ID: <" + msgID + ">\n"
	}
	s += "Content-Type: text/plain; charset=utf-8\n\n" + body
	return []byte(s)
}

// reencoded is raw as a relay passes it on to a server without 8BITMIME:
// the body in cte ("quoted-printable" or "base64"), the rest as it was.
func reencoded(raw []byte, cte string) []byte {
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	var b bytes.Buffer
	b.Write(head)
	b.WriteString("\nContent-Transfer-Encoding: " + cte + "\n\n")
	switch cte {
	case "quoted-printable":
		w := quotedprintable.NewWriter(&b)
		w.Write(body)
		w.Close()
	case "base64":
		enc := base64.StdEncoding.EncodeToString(body)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\n")
	}
	return b.Bytes()
}

const (
	relay1 = "Received: from mx1.example by imap.mkrs-ks.org; Mon, 30 Nov 2026 10:10:10 +0100\n"
	relay2 = "Received: from mx2.example by imap.mkrs-ks.org; Mon, 30 Nov 2026 12:00:00 +0100\n"
)

func TestMessageIdentity(t *testing.T) {
	const bodyA = "A është e hapur biblioteka kombëtare të shtunën në mëngjes?\n"
	const bodyB = "Kur fillon regjistrimi për kampin veror të të rinjve?\n"
	type delivery struct {
		raw []byte
		// legacy makes the delivery as a version before the sender and
		// body were in the key took it in: keyed "msgid:<id>".
		legacy bool
		want   inquiry.Disposition
	}
	tests := []struct {
		name       string
		deliveries []delivery
		tickets    int
	}{
		{"same Message-ID from two senders", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "form@site.example", bodyA), want: inquiry.Filed},
			{raw: rawMail(relay1, "besa@example.net", "", "form@site.example", bodyB), want: inquiry.Filed},
		}, 2},
		{"same Message-ID and text from two senders", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "form@site.example", bodyA), want: inquiry.Filed},
			{raw: rawMail(relay1, "besa@example.net", "", "form@site.example", bodyA), want: inquiry.Filed},
		}, 2},
		{"the same mail delivered twice", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "a1@example.net", bodyA), want: inquiry.Filed},
			{raw: rawMail(relay2, "arta@example.net", "", "a1@example.net", bodyA), want: inquiry.Duplicate},
		}, 1},
		{"a legacy key still matches the same mail", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "a1@example.net", bodyA), legacy: true, want: inquiry.Filed},
			{raw: rawMail(relay2, "arta@example.net", "", "a1@example.net", bodyA), want: inquiry.Duplicate},
		}, 1},
		{"a legacy key of a contact form's mail matches its Reply-To", []delivery{
			{raw: rawMail(relay1, "form@site.example", "arta@example.net", "fixed@site.example", bodyA), legacy: true, want: inquiry.Filed},
			{raw: rawMail(relay2, "form@site.example", "arta@example.net", "fixed@site.example", bodyA), want: inquiry.Duplicate},
		}, 1},
		{"a legacy key does not swallow another sender's mail", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "form@site.example", bodyA), legacy: true, want: inquiry.Filed},
			{raw: rawMail(relay1, "besa@example.net", "", "form@site.example", bodyB), want: inquiry.Filed},
			{raw: rawMail(relay2, "besa@example.net", "", "form@site.example", bodyB), want: inquiry.Duplicate},
		}, 2},
		{"a legacy key of a contact form does not swallow another citizen's form", []delivery{
			{raw: rawMail(relay1, "form@site.example", "arta@example.net", "fixed@site.example", bodyA), legacy: true, want: inquiry.Filed},
			{raw: rawMail(relay1, "form@site.example", "besa@example.net", "fixed@site.example", bodyA), want: inquiry.Filed},
		}, 2},
		{"a legacy key of a form without Reply-To does not swallow the form's later submissions", []delivery{
			{raw: rawMail(relay1, "form@site.example", "", "fixed@site.example", bodyA), legacy: true, want: inquiry.Filed},
			{raw: rawMail(relay1, "form@site.example", "", "fixed@site.example", bodyB), want: inquiry.Filed},
			{raw: rawMail(relay2, "form@site.example", "", "fixed@site.example", bodyA), want: inquiry.Duplicate},
		}, 2},
		{"a legacy key of a form does not swallow the same citizen's new request", []delivery{
			{raw: rawMail(relay1, "form@site.example", "arta@example.net", "fixed@site.example", bodyA), legacy: true, want: inquiry.Filed},
			{raw: rawMail(relay1, "form@site.example", "arta@example.net", "fixed@site.example", bodyB), want: inquiry.Filed},
		}, 2},
		{"no Message-ID: the same mail delivered twice", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "", bodyA), want: inquiry.Filed},
			{raw: rawMail(relay2, "arta@example.net", "", "", bodyA), want: inquiry.Duplicate},
		}, 1},
		{"no Message-ID: two senders, the same text", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "", bodyA), want: inquiry.Filed},
			{raw: rawMail(relay1, "besa@example.net", "", "", bodyA), want: inquiry.Filed},
		}, 2},
		{"the same mail re-encoded quoted-printable by a relay", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "a1@example.net", bodyA), want: inquiry.Filed},
			{raw: reencoded(rawMail(relay2, "arta@example.net", "", "a1@example.net", bodyA), "quoted-printable"), want: inquiry.Duplicate},
			// Marked under its own key: its redelivery is known by it.
			{raw: reencoded(rawMail(relay1, "arta@example.net", "", "a1@example.net", bodyA), "quoted-printable"), want: inquiry.Duplicate},
		}, 1},
		{"the same mail re-encoded base64, the re-encoded copy first", []delivery{
			{raw: reencoded(rawMail(relay2, "arta@example.net", "", "a1@example.net", bodyA), "base64"), want: inquiry.Filed},
			{raw: rawMail(relay1, "arta@example.net", "", "a1@example.net", bodyA), want: inquiry.Duplicate},
		}, 1},
		{"a re-encoded copy of a mail an earlier version took in", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "a1@example.net", bodyA), legacy: true, want: inquiry.Filed},
			{raw: reencoded(rawMail(relay2, "arta@example.net", "", "a1@example.net", bodyA), "quoted-printable"), want: inquiry.Duplicate},
		}, 1},
		{"a contact form's fixed Message-ID, another citizen's text re-encoded", []delivery{
			{raw: rawMail(relay1, "form@site.example", "arta@example.net", "fixed@site.example", bodyA), want: inquiry.Filed},
			{raw: reencoded(rawMail(relay1, "form@site.example", "besa@example.net", "fixed@site.example", bodyA), "quoted-printable"), want: inquiry.Filed},
			{raw: reencoded(rawMail(relay1, "form@site.example", "arta@example.net", "fixed@site.example", bodyB), "base64"), want: inquiry.Filed},
		}, 3},
		{"another sender's re-encoded mail with the same Message-ID and text", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "form@site.example", bodyA), want: inquiry.Filed},
			{raw: reencoded(rawMail(relay1, "besa@example.net", "", "form@site.example", bodyA), "quoted-printable"), want: inquiry.Filed},
		}, 2},
		{"no Message-ID: the old raw-hash key still matches the same bytes", []delivery{
			{raw: rawMail(relay1, "arta@example.net", "", "", bodyA), legacy: true, want: inquiry.Filed},
			{raw: rawMail(relay1, "arta@example.net", "", "", bodyA), want: inquiry.Duplicate},
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for i, dl := range tt.deliveries {
				m := parse.Parse(dl.raw, f.now, parse.Options{})
				if dl.legacy {
					m.SourceID = m.LegacySourceID
				}
				if !strings.HasPrefix(m.SourceID, "mail:") && !strings.HasPrefix(m.SourceID, "nomsgid:") && !dl.legacy {
					t.Fatalf("delivery %d: SourceID %q is not the sender-and-body key", i+1, m.SourceID)
				}
				if got := f.handle(m); got != dl.want {
					t.Errorf("delivery %d: %s, want %s", i+1, got, dl.want)
				}
			}
			if n := len(f.tickets()); n != tt.tickets {
				t.Errorf("%d tickets, want %d", n, tt.tickets)
			}
		})
	}
}

// An old-style key stored for machine mail (no ticket) holds the same
// bounce back, but not a person's mail that reuses its Message-ID.
func TestLegacyKeyWithoutTicket(t *testing.T) {
	f := newFixture(t)
	bounce := &inquiry.Message{MessageID: "b1@mx.example", From: inquiry.Address{Address: "MAILER-DAEMON@mx.example"},
		Subject: "Undelivered Mail", Text: "delivery failed", Automation: inquiry.Machine}
	bounce.Channel = inquiry.ChannelEmail
	bounce.SourceID = "msgid:b1@mx.example"
	bounce.LegacySourceID = bounce.SourceID
	if got := f.handle(bounce); got != inquiry.Recorded {
		t.Fatalf("bounce: %s, want recorded", got)
	}
	again := *bounce
	again.SourceID = "mail:b1@mx.example|mailer-daemon@mx.example|00"
	if got := f.handle(&again); got != inquiry.Duplicate {
		t.Errorf("the bounce again under the new key: %s, want duplicate", got)
	}
	person := citizen("b1@mx.example", "arta@example.net", "Pyetje", "A është e hapur biblioteka të shtunën?")
	person.Channel = inquiry.ChannelEmail
	person.SourceID = "mail:b1@mx.example|arta@example.net|01"
	person.LegacySourceID = "msgid:b1@mx.example"
	if got := f.handle(person); got != inquiry.Filed {
		t.Errorf("a person's mail with the bounce's Message-ID: %s, want filed", got)
	}
}

// A copy of a mail re-encoded on another route is the mail already taken
// in, whatever became of its ticket and whether it opened it or followed
// it up.
func TestReencodedCopyOfAFollowUp(t *testing.T) {
	f := newFixture(t)
	first := parse.Parse(rawMail(relay1, "arta@example.net", "", "a1@example.net", "Kërkoj kontratën e stadiumit të Prizrenit.\n"), f.now, parse.Options{})
	if got := f.handle(first); got != inquiry.Filed {
		t.Fatalf("first: %s", got)
	}
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
	reply := func(received string) []byte {
		raw := rawMail(received, "arta@example.net", "", "r1@example.net", "Edhe raportin e pranimit të punimeve, ju lutem. Faleminderit.\n")
		return bytes.Replace(raw, []byte("Subject: Pyetje\n"), []byte("Subject: Re: Pyetje\nIn-Reply-To: <"+ack.MessageID+">\n"), 1)
	}
	if got := f.handle(parse.Parse(reply(relay1), f.now, parse.Options{})); got != inquiry.Attached {
		t.Fatalf("follow-up: %s, want attached", got)
	}
	if _, err := f.desk.Close(context.Background(), "DKP-2026-000001", inquiry.Granted, "dërguar", "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(3 * 24 * time.Hour)
	for _, cte := range []string{"quoted-printable", "base64"} {
		if got := f.handle(parse.Parse(reencoded(reply(relay2), cte), f.now, parse.Options{})); got != inquiry.Duplicate {
			t.Errorf("the follow-up in %s days later: %s, want duplicate", cte, got)
		}
	}
	if got := f.handle(parse.Parse(reencoded(rawMail(relay2, "arta@example.net", "", "a1@example.net", "Kërkoj kontratën e stadiumit të Prizrenit.\n"), "base64"), f.now, parse.Options{})); got != inquiry.Duplicate {
		t.Errorf("the first mail in base64 after its ticket closed: %s, want duplicate", got)
	}
	tk := f.ticket("DKP-2026-000001")
	if tk.State != inquiry.Closed {
		t.Errorf("ticket %s, want it left closed", tk.State)
	}
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := countEntries(entries, inquiry.EntryInbound); n != 2 {
		t.Errorf("%d inbound entries, want 2", n)
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}
