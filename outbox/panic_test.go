package outbox_test

import (
	"context"
	"strings"
	"testing"

	"sportel/inquiry"
	"sportel/outbox"
)

// panickySender crashes on the mail to one recipient, and hands the rest
// to the real mailer.
type panickySender struct {
	outbox.MailSender
	crashFor string
}

func (p panickySender) SendMail(ctx context.Context, m *inquiry.Mail) error {
	if m.To[0].Address == p.crashFor {
		var att []inquiry.Attachment
		_ = att[3] // the kind of bug one odd job finds
	}
	return p.MailSender.SendMail(ctx, m)
}

// A bug met while sending one job fails that job for good, with the reason
// recorded, and the jobs after it go out: a crash would restart the daemon
// into the same job and hold every send behind it.
func TestInternalErrorFailsOneJob(t *testing.T) {
	f := newFixture(t)
	srv, m := smtpServer(t)
	bad := f.addMail("odd@example.net", "sportel.ack.1@mkrs.example")
	good := f.addMail("arben@example.net", "sportel.ack.2@mkrs.example")
	ob := f.outbox(panickySender{MailSender: m, crashFor: "odd@example.net"}, nil)
	if err := ob.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if j := f.job(bad); j.State != inquiry.JobFailed || !strings.Contains(j.LastError, "internal error") || !strings.Contains(j.LastError, "index out of range") {
		t.Errorf("the job it crashed on is %s (%q); want failed with the cause", j.State, j.LastError)
	}
	if j := f.job(good); j.State != inquiry.JobDone {
		t.Errorf("the next job is %s (%q); want done", j.State, j.LastError)
	}
	if n := len(srv.Mails()); n != 1 {
		t.Errorf("%d mails sent, want 1", n)
	}
}
