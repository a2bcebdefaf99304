package desk_test

import (
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

func TestBOMBeforeFirstLineCommand(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	notify := mailNotification(f)
	f.now = f.now.Add(time.Hour)
	raw := replyMail(notify, "bom@mkrs.example", "Re: "+notify.Subject, "text/plain; charset=utf-8", nil,
		"\ufeff#urgent\n"+commandAnswer+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
	m := parse.Parse(raw, f.now, parseOptions())
	t.Logf("parsed text starts %q", m.Text[:12])
	f.handle(m)
	if tk := f.ticket(ticket1); !tk.Urgent {
		t.Errorf("not urgent")
	}
	for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
		t.Logf("answer %q", j.Mail.Text[:20])
	}
}
