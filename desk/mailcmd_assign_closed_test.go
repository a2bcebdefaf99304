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

// "#assign zamira" on a closed ticket: the report must not tell the officer
// that zamira is notified when no notification is queued to her.
func TestAssignByMailOnClosedTicketReportsTruthfully(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	notify := mailNotification(f)
	if _, err := f.desk.CloseWith(context.Background(), ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	raw := replyMail(notify, "asg@mkrs.example", "Re: "+notify.Subject, "", nil,
		"#assign zamira\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
	f.handle(parse.Parse(raw, f.now, parseOptions()))
	jobs := f.jobs(ticket1)
	toZamira := 0
	for _, j := range jobsOf(jobs, inquiry.JobNotify) {
		if j.Recipient == "zamira" {
			toZamira++
		}
	}
	reports := jobsOf(jobs, inquiry.JobCommandReport)
	if len(reports) != 1 {
		t.Fatalf("%d reports", len(reports))
	}
	if toZamira == 0 && strings.Contains(reports[0].Mail.Text, "që njoftohet") {
		t.Errorf("no notification to zamira, but the report says she is notified:\n%s", reports[0].Mail.Text)
	}
}
