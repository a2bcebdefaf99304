package desk_test

import (
	"context"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
)

// A notification's Message-ID is what makes a reply the officer's, and an
// officer who forwards the notification (attached whole) hands it on. A
// mail in the officer's name that the ministry's receiving server says
// failed DMARC for the From domain is not the officer's: nothing is
// relayed, no command runs, and it is set aside with the officer told. A
// verdict that is no fail (mail between the ministry's own mailboxes often
// has none), one about another domain or another server's header changes
// nothing.
func TestForgedOfficerReplyIsNotRelayed(t *testing.T) {
	tests := []struct {
		name string
		// trusted is the configured authserv-id; results the reply's
		// Authentication-Results fields, topmost first.
		trusted string
		results []string
		forged  bool
	}{
		{name: "the trusted server says dmarc fail", trusted: trustedServer,
			results: []string{"mx.mkrs.example; dkim=none; spf=fail smtp.mailfrom=evil.example; dmarc=fail (p=none) header.from=mkrs.example"},
			forged:  true},
		{name: "dmarc fail naming no domain", trusted: trustedServer,
			results: []string{"mx.mkrs.example; dmarc=fail"}, forged: true},
		{name: "a pass forged below the server's fail", trusted: trustedServer,
			results: []string{"mx.mkrs.example; dmarc=fail header.from=mkrs.example", "mx.mkrs.example; dmarc=pass header.from=mkrs.example"},
			forged:  true},

		{name: "the trusted server says dmarc pass", trusted: trustedServer,
			results: []string{"mx.mkrs.example; dmarc=pass header.from=mkrs.example"}},
		{name: "no verdict on internal mail", trusted: trustedServer, results: []string{"mx.mkrs.example; none"}},
		{name: "no header at all", trusted: trustedServer},
		{name: "dmarc fail about another domain", trusted: trustedServer,
			results: []string{"mx.mkrs.example; dmarc=fail header.from=example.net"}},
		{name: "a fail written by another server", trusted: trustedServer,
			results: []string{"mx.evil.example; dmarc=fail header.from=mkrs.example"}},
		{name: "no trusted server configured",
			results: []string{"mx.mkrs.example; dmarc=fail header.from=mkrs.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) { c.TrustedAuthservID = tt.trusted })
			f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			const number = "DKP-2026-000001"
			notify := jobsOf(f.jobs(number), inquiry.JobNotify)[0].Mail
			officer := f.ticket(number).OfficerID

			reply := citizen("forged@evil.example", officerEmail(officer), "Re: "+notify.Subject, "Kontrata nuk jepet.\n\n#close refused personal_data")
			reply.InReplyTo = []string{notify.MessageID}
			reply.AuthResults = tt.results
			d := f.handle(reply)

			tk := f.ticket(number)
			answers := jobsOf(f.jobs(number), inquiry.JobAnswer)
			if !tt.forged {
				if d != inquiry.Relayed || len(answers) != 1 || tk.State != inquiry.Closed {
					t.Fatalf("officer's reply: %s, %d answers, state %s; want relayed and closed", d, len(answers), tk.State)
				}
				return
			}
			if d != inquiry.Quarantined {
				t.Errorf("forged reply: %s, want quarantined", d)
			}
			if len(answers) != 0 || tk.State == inquiry.Closed || tk.State == inquiry.Answered {
				t.Errorf("forged reply acted: %d answers, state %s", len(answers), tk.State)
			}
			set, err := f.store.ListSetAside(context.Background(), inquiry.SetAsideQuarantine, 0)
			if err != nil || len(set) != 1 || !strings.Contains(set[0].Reason, "says dmarc=fail") {
				t.Fatalf("set aside: %+v, %v", set, err)
			}
			jobs, err := f.store.ListJobs(context.Background(), inquiry.JobPending, 0)
			if err != nil {
				t.Fatal(err)
			}
			told := false
			for _, j := range jobs {
				told = told || (j.Kind == inquiry.JobQuarantined && j.Recipient == officer)
			}
			if !told {
				t.Errorf("officer %s, whose address was used, not told", officer)
			}
		})
	}
}

// Nor does a forged out-of-office tell the heads that an officer is away.
func TestForgedOfficerAutoReplyTellsNobody(t *testing.T) {
	for _, forged := range []bool{false, true} {
		f := newFixtureConfig(t, nil, func(c *desk.Config) { c.Officers, c.TrustedAuthservID = headOfficers(), trustedServer })
		const number = "DKP-2026-000001"
		notify := fileDocumentRequest(f)

		away := citizen("away@evil.example", officerEmail(f.ticket(number).OfficerID), "Automatic reply: "+notify.Subject, "Jam jashtë zyrës.")
		away.InReplyTo = []string{notify.MessageID}
		// What the parser says of the subject: the desk reads its word.
		away.Automation, away.AutoReply = inquiry.Machine, "auto-reply subject (automatic reply): "+away.Subject
		away.AuthResults = []string{"mx.mkrs.example; dmarc=pass header.from=mkrs.example"}
		if forged {
			away.AuthResults = []string{"mx.mkrs.example; dmarc=fail header.from=mkrs.example"}
		}
		f.handle(away)
		if n := len(jobsOf(f.jobs(number), inquiry.JobAway)); n != 0 == forged {
			t.Errorf("forged %v: %d mails that the officer is away", forged, n)
		}
	}
}
