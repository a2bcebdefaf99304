package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

// forwardFrom is an officer's inline forward of Milica's request, from
// the officer's address `from`, with the header fields `above` on top
// (Authentication-Results, as servers add them) and `replyTo` when set.
func forwardFrom(above, from, replyTo string) []byte {
	h := above + "From: " + from + "\r\nTo: komunikimi@mkrs.example\r\nSubject: Fwd: Zahtev za pristup dokumentima\r\n"
	if replyTo != "" {
		h += "Reply-To: " + replyTo + "\r\n"
	}
	return []byte(h + "Date: Wed, 25 Nov 2026 11:00:00 +0100\r\nMessage-ID: <fwd-auth@mkrs.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Qytetarja më shkroi drejtpërdrejt; ju lutem regjistrojeni.\r\n\r\n---------- Forwarded message ---------\r\n" +
		"From: Milica Jovanović <milica@example.rs>\r\nDate: Mon, Nov 23, 2026 at 9:30 AM\r\nSubject: Zahtev za pristup dokumentima\r\n" +
		"To: <zamira.ahmeti@mkrs.example>\r\n\r\n\r\n" + strings.ReplaceAll(milicaRequest, "\n", "\r\n") + "\r\n")
}

// ar is one Authentication-Results field.
func ar(value string) string { return "Authentication-Results: " + value + "\r\n" }

// An officer's forward is the citizen's ticket, acknowledged to her, only
// when the ministry's receiving server vouched for the officer's address.
// Anything else (the header missing, another server's, the trusted
// server's saying fail or speaking of another domain, a pass forged below
// the server's own, text smuggled into comments or quoted strings) files
// the mail as the officer's own: the forwarded address gets nothing, the
// mail is all on record, and the officer is told why.
func TestOfficerForwardNeedsTheReceivingServersWord(t *testing.T) {
	const zamira = "Zamira Ahmeti <zamira.ahmeti@mkrs.example>"
	tests := []struct {
		name string
		// trusted is the configured authserv-id; from the forward's From.
		trusted, from string
		above         string
		// replyTo is a Reply-To on the forward.
		replyTo string
		// verified: filed as Milica's and acknowledged to her; else why
		// is part of the note that says why not.
		verified bool
		why      string
	}{
		{name: "dmarc, dkim and spf pass", trusted: trustedServer, from: zamira, above: vouchedFor, verified: true},
		{name: "dkim of the From domain, no dmarc checked", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; dkim=pass header.d=mkrs.example header.s=s1"), verified: true},
		{name: "dkim of the organisational domain", trusted: "mx.rks-gov.net", from: "Zamira Ahmeti <zamira.ahmeti@mkrs.rks-gov.net>",
			above: ar("mx.rks-gov.net; dkim=pass header.d=rks-gov.net"), verified: true},
		{name: "spf for the From domain, no dmarc checked", trusted: trustedServer, from: zamira,
			above: ar(`mx.mkrs.example; dkim=none; spf=pass smtp.mailfrom="zamira.ahmeti@mkrs.example"`), verified: true},
		{name: "authserv-id in another case, with a version", trusted: trustedServer, from: zamira,
			above: ar("MX.MKRS.EXAMPLE 1; dmarc=pass header.from=MKRS.example"), verified: true},
		{name: "the mailbox server's own header above the trusted one", trusted: trustedServer, from: zamira,
			above: ar("imap.mkrs.example; none") + vouchedFor, verified: true},

		{name: "no trusted server configured", from: zamira, above: vouchedFor, why: "no trusted receiving server is configured"},
		{name: "no header", trusted: trustedServer, from: zamira, why: "no Authentication-Results header of mx.mkrs.example"},
		{name: "a header from another authserv-id", trusted: trustedServer, from: zamira,
			above: ar("mx.evil.example; dmarc=pass header.from=mkrs.example; dkim=pass header.d=mkrs.example"),
			why:   "no Authentication-Results header of mx.mkrs.example"},
		{name: "an authserv-id that merely starts like the trusted one", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example.evil.net; dmarc=pass header.from=mkrs.example"),
			why:   "no Authentication-Results header of mx.mkrs.example"},
		{name: "the trusted server says dmarc fail", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; dkim=none; spf=fail smtp.mailfrom=zamira.ahmeti@mkrs.example; dmarc=fail (p=reject) header.from=mkrs.example"),
			why:   "says dmarc=fail for mkrs.example"},
		{name: "dmarc fail decides over a dkim pass", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; dkim=pass header.d=mkrs.example; dmarc=fail header.from=mkrs.example"),
			why:   "says dmarc=fail for mkrs.example"},
		{name: "the trusted server says dkim fail and spf softfail", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; dkim=fail (bad signature) header.d=mkrs.example; spf=softfail smtp.mailfrom=mkrs.example"),
			why:   "gives no pass for mkrs.example"},
		{name: "passes for another domain", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=zamira@evil.example; dmarc=pass header.from=evil.example"),
			why:   "gives no pass for mkrs.example"},
		{name: "dkim of a domain that only ends like the From domain", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; dkim=pass header.d=xmkrs.example; dkim=pass header.d=example"),
			why:   "gives no pass for mkrs.example"},
		{name: "spf for a parent domain only", trusted: "mx.rks-gov.net", from: "Zamira Ahmeti <zamira.ahmeti@mkrs.rks-gov.net>",
			above: ar("mx.rks-gov.net; spf=pass smtp.mailfrom=bulk@rks-gov.net"),
			why:   "gives no pass for mkrs.rks-gov.net"},
		{name: "a forged pass below the trusted server's fail", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; dmarc=fail header.from=mkrs.example") + ar("mx.mkrs.example; dmarc=pass header.from=mkrs.example"),
			why:   "says dmarc=fail for mkrs.example"},
		{name: "a forged pass below the trusted server's none", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; none") + ar("imap.mkrs.example; none") + ar("mx.mkrs.example; dkim=pass header.d=mkrs.example"),
			why:   "gives no pass for mkrs.example"},
		{name: "a result smuggled in a comment", trusted: trustedServer, from: zamira,
			above: ar("mx.mkrs.example; spf=pass (domain of a;dkim=pass header.d=mkrs.example;x@evil.example designates 192.0.2.1) smtp.mailfrom=x@evil.example"),
			why:   "gives no pass for mkrs.example"},
		{name: "a result smuggled in a quoted string", trusted: trustedServer, from: zamira,
			above: ar(`mx.mkrs.example; spf=pass smtp.mailfrom="a smtp.mailfrom=b@mkrs.example c"@evil.example`),
			why:   "cannot be read"},
		{name: "no header, and Reply-To the forwarded citizen", trusted: trustedServer, from: zamira, replyTo: "milica@example.rs",
			why: "no Authentication-Results header of mx.mkrs.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			officerAddr := strings.TrimSuffix(tt.from[strings.Index(tt.from, "<")+1:], ">")
			f := newFixtureConfig(t, nil, func(c *desk.Config) {
				c.TrustedAuthservID = tt.trusted
				c.Officers = []inquiry.Officer{officers[0], officers[1], {ID: "zamira", Name: "Zamira Ahmeti", Email: officerAddr}}
			})
			m := parse.Parse(forwardFrom(tt.above, tt.from, tt.replyTo), f.now, parseOptions())
			if m.Forwarded == nil || m.Forwarded.From.Address != "milica@example.rs" {
				t.Fatalf("fixture: the forward is read as %+v", m.Forwarded)
			}
			if d := f.handle(m); d != inquiry.Filed {
				t.Fatalf("forward: %s, want filed", d)
			}
			tickets := f.tickets()
			if len(tickets) != 1 {
				t.Fatalf("%d tickets, want 1", len(tickets))
			}
			tk := tickets[0]
			jobs := f.jobs(tk.Number)
			var acked []string
			for _, j := range jobsOf(jobs, inquiry.JobAck) {
				for _, to := range j.Mail.To {
					acked = append(acked, to.Address)
				}
			}
			entries, err := f.store.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.verified {
				if tk.Sender.Address != "milica@example.rs" || strings.Join(acked, ",") != "milica@example.rs" {
					t.Errorf("ticket of %q acknowledged to %q; want Milica's, acknowledged to her", tk.Sender.Address, acked)
				}
				return
			}

			// Not the citizen's ticket, and nothing to her.
			if !strings.EqualFold(tk.Sender.Address, officerAddr) {
				t.Errorf("ticket of %q; want the officer's own %q", tk.Sender.Address, officerAddr)
			}
			for _, a := range acked {
				if !strings.EqualFold(a, officerAddr) {
					t.Errorf("acknowledgement to %q; want none to anyone but the officer's own address", a)
				}
			}
			for _, j := range jobs {
				if j.Mail != nil && strings.Contains(strings.ToLower(j.Mail.To[0].Address), "milica") {
					t.Errorf("%s job mails %s", j.Kind, j.Mail.To[0].Address)
				}
			}
			// Nothing lost: her words, the officer's, the mail as it came.
			var inbound, note string
			for _, e := range entries {
				switch {
				case e.Kind == inquiry.EntryInbound:
					inbound = e.Text
					if len(e.Raw) == 0 {
						t.Error("the forward's raw mail is not kept")
					}
				case e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "forward not verified"):
					note = e.Text
				}
			}
			if !strings.Contains(inbound, "regjistrojeni") || !strings.Contains(inbound, "rekonstrukciji stadiona u Prizrenu") {
				t.Errorf("the ticket's message is %q; want the whole forward, the officer's words and hers", inbound)
			}
			if !strings.Contains(note, "the citizen was not acknowledged") || !strings.Contains(note, tt.why) || !strings.Contains(note, "milica@example.rs") {
				t.Errorf("note %q; want that milica@example.rs was not acknowledged, because %q", note, tt.why)
			}
			told := jobsOf(jobs, inquiry.JobCommandReport)
			if len(told) != 1 || told[0].Recipient != "zamira" || !strings.Contains(told[0].Mail.Subject, "nuk u verifikua") ||
				!strings.Contains(told[0].Mail.Text, "komunikimi@mkrs.example") || !strings.Contains(told[0].Mail.Text, tk.Number) {
				t.Errorf("the officer was told %+v; want one mail to zamira saying the forward was not verified, with the number and the mailbox", told)
			}
		})
	}
}

// A forward that was not verified leaves the citizen free to be filed: the
// officer's second forward, which the server vouches for, is her ticket
// and her acknowledgement.
func TestOfficerForwardAgainOnceVerified(t *testing.T) {
	f := newForwardFixture(t)
	if d := f.handle(parse.Parse(forwardFrom("", "Zamira Ahmeti <zamira.ahmeti@mkrs.example>", ""), f.now, parseOptions())); d != inquiry.Filed {
		t.Fatalf("unverified forward: %s", d)
	}
	again := forwardFrom(vouchedFor, "Zamira Ahmeti <zamira.ahmeti@mkrs.example>", "")
	again = []byte(strings.Replace(string(again), "<fwd-auth@mkrs.example>", "<fwd-auth-2@mkrs.example>", 1))
	f.now = f.now.Add(10 * time.Minute)
	if d := f.handle(parse.Parse(again, f.now, parseOptions())); d != inquiry.Filed {
		t.Fatalf("verified forward: %s, want filed", d)
	}
	var hers []inquiry.Ticket
	for _, tk := range f.tickets() {
		if tk.Sender.Address == "milica@example.rs" {
			hers = append(hers, tk)
		}
	}
	if len(hers) != 1 {
		t.Fatalf("%d tickets of Milica, want 1", len(hers))
	}
	if acks := jobsOf(f.jobs(hers[0].Number), inquiry.JobAck); len(acks) != 1 || acks[0].Mail.To[0].Address != "milica@example.rs" {
		t.Errorf("acknowledgements %+v; want one to milica@example.rs", acks)
	}
}

// A forward that was not verified and names the citizen's ticket is taken
// in as the officer's own mail about it: kept on her ticket, and she is
// sent nothing.
func TestUnverifiedForwardNamingATicket(t *testing.T) {
	f := newForwardFixture(t)
	if d := f.handle(parse.Parse([]byte(milicaMail), f.now, parseOptions())); d != inquiry.Filed {
		t.Fatalf("her own mail: %s", d)
	}
	tk := f.ticket("DKP-2026-000001")
	raw := zamiraForwardsInline("zamira-fwd-u1@mkrs.example", "Milica Jovanović <milica@example.rs>", "Re: [DKP-2026-000001] Zahtev za pristup dokumentima", "",
		"Poštovani, šaljem i punomoćje koje ste tražili.")
	forged := []byte(strings.TrimPrefix(string(raw), vouchedFor))
	if len(forged) == len(raw) {
		t.Fatal("fixture: the forward carried no Authentication-Results to take out")
	}
	f.now = f.now.Add(time.Hour)
	if d := f.handle(parse.Parse(forged, f.now, parseOptions())); d != inquiry.Attached {
		t.Errorf("unverified forward naming her ticket: %s, want attached", d)
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	if acks := jobsOf(f.jobs(tk.Number), inquiry.JobAck); len(acks) != 1 {
		t.Errorf("%d acknowledgements on her ticket, want her first one only", len(acks))
	}
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, e := range entries {
		kept = kept || (e.Author == "zamira" && strings.Contains(e.Text, "punomoćje"))
	}
	if !kept {
		t.Error("the forward is not kept on her ticket as zamira's")
	}
}
