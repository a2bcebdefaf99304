package desk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// The relay took an officer's answer, so the outbox counts it sent; a
// delivery report that comes back saying it failed is the only word that
// the citizen has nothing. The officer hears it, once however often the
// report comes; a report of the acknowledgement, a delay warning and an
// out-of-office reply to the answer stay silent notes on the ticket.
func TestBouncedAnswerTellsItsOfficer(t *testing.T) {
	tests := []struct {
		name     string
		report   string // a report of the corpus (dsn/ or bounce/), or "" for an out-of-office reply
		ofAnswer bool   // it is about the answer; else the acknowledgement
		wantTold int
	}{
		{"the answer bounced (postfix, 5.1.1)", "dsn/postfix-5.1.1.eml", true, 1},
		{"the answer bounced (Exchange Online)", "dsn/exchange-online.eml", true, 1},
		{"the answer bounced (qmail, as text)", "bounce/qmail-plain.eml", true, 1},
		{"the answer bounced (sendmail, as text)", "bounce/sendmail-oldstyle.eml", true, 1},
		{"the answer bounced (Exim, as text)", "bounce/exim-plain.eml", true, 1},
		{"the answer delayed", "dsn/postfix-delay.eml", true, 0},
		{"the answer delayed (Exim, as text)", "bounce/exim-delay-headers.eml", true, 0},
		{"the acknowledgement bounced", "dsn/postfix-5.1.1.eml", false, 0},
		{"the acknowledgement bounced (as text)", "bounce/qmail-plain.eml", false, 0},
		{"an out-of-office reply to the answer", "", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			notify := fileDocumentRequest(f)
			f.now = f.now.Add(time.Hour)
			answer := parse.Parse(replyMail(notify, "answer@mkrs.example", "Re: "+notify.Subject, "text/plain; charset=utf-8", nil,
				"I nderuar z. Krasniqi,\n\nKontrata mund të shikohet në zyrat e ministrisë.\n\nJusuf Lushaku\n"), f.now, parseOptions())
			if d := f.handle(answer); d != inquiry.Relayed {
				t.Fatalf("the officer's answer: %s, want relayed", d)
			}
			jobs := f.jobs("DKP-2026-000001")
			about := jobsOf(jobs, inquiry.JobAnswer)[0].Mail.MessageID
			if !tt.ofAnswer {
				about = jobsOf(jobs, inquiry.JobAck)[0].Mail.MessageID
			}
			var raw []byte
			if tt.report != "" {
				corpus, err := os.ReadFile(filepath.Join("..", "inbox", "parse", "testdata", "machine", tt.report))
				if err != nil {
					t.Fatal(err)
				}
				raw = []byte(strings.ReplaceAll(string(corpus), "sportel.ack.5f2c91d0@mkrs.example", about))
			} else {
				raw = []byte("From: Arben Krasniqi <arben@example.net>\r\nTo: komunikimi@mkrs.example\r\n" +
					"Subject: Automatic reply: Re: Kërkesë për kontratën [DKP-2026-000001]\r\nAuto-Submitted: auto-replied\r\n" +
					"Message-ID: <ooo.1@example.net>\r\nIn-Reply-To: <" + about + ">\r\nReferences: <" + about + ">\r\n\r\n" +
					"Jam jashtë zyrës deri më 30 nëntor.\r\n")
			}
			f.now = f.now.Add(time.Hour)
			for range 2 { // the same report read again (a restart before the move): told once
				d := f.handle(parse.Parse(raw, f.now, parseOptions()))
				if d != inquiry.Attached && d != inquiry.Duplicate {
					t.Fatalf("the report: %s, want attached to the ticket", d)
				}
			}
			var told []inquiry.Job
			for _, j := range jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobCommandReport) {
				if j.Mail != nil && strings.Contains(j.Mail.Text, "NUK arriti") {
					told = append(told, j)
				}
			}
			if len(told) != tt.wantTold {
				t.Fatalf("the officer told %d times, want %d", len(told), tt.wantTold)
			}
			if tt.wantTold == 0 {
				return
			}
			m := told[0].Mail
			if m.To[0].Address != "jusuf.lushaku@mkrs.example" || !strings.Contains(m.Subject, "DKP-2026-000001") || !strings.Contains(m.Text, "550 ") {
				t.Errorf("told %v, %q:\n%s\nwant Jusuf, naming the ticket and the server's words", m.To, m.Subject, m.Text)
			}
		})
	}
}
