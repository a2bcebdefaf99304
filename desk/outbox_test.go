package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/desk"
	"sportel/devserver"
	"sportel/inbox/mailer"
	"sportel/inquiry"
)

// outboxFixture sends through the real mailer to a real SMTP server.
func outboxFixture(t *testing.T, f *fixture) (*desk.Outbox, *devserver.SMTP) {
	t.Helper()
	srv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	m, err := mailer.New(mailer.Options{Addr: srv.Addr, Security: mailer.SecurityNone, LoopID: "komunikimi@mkrs.example"})
	if err != nil {
		t.Fatal(err)
	}
	return desk.NewOutbox(f.desk, m, nil, desk.OutboxConfig{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour, Lease: time.Minute}), srv
}

func TestOutboxSendsRetriesAndFails(t *testing.T) {
	tests := []struct {
		name      string
		reject    *smtp.SMTPError // answer to the citizen's address
		wantState inquiry.JobState
		wantMails int // mails captured after the first drain
	}{
		{"accepted", nil, inquiry.JobDone, 2},
		{"temporary 451 is retried", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}, inquiry.JobPending, 1},
		{"permanent 550 fails with the server's words", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, inquiry.JobFailed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ob, srv := outboxFixture(t, f)
			if tt.reject != nil {
				srv.SetReject(func(rcpt string) error {
					if rcpt == "arben@example.net" {
						return tt.reject
					}
					return nil
				})
			}
			f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
			if err := ob.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Mails()); n != tt.wantMails {
				t.Fatalf("%d mails captured, want %d", n, tt.wantMails)
			}
			ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0]
			if ack.State != tt.wantState {
				t.Fatalf("ack job %s (%s), want %s", ack.State, ack.LastError, tt.wantState)
			}
			switch tt.wantState {
			case inquiry.JobFailed:
				if !strings.Contains(ack.LastError, "no such user") {
					t.Errorf("last error %q lacks the server's words", ack.LastError)
				}
			case inquiry.JobPending:
				if !ack.NextAt.After(f.now) {
					t.Errorf("retry at %v, not after now %v", ack.NextAt, f.now)
				}
				// Once the server accepts and the backoff has passed, the same
				// mail goes out.
				srv.SetReject(nil)
				f.now = ack.NextAt.Add(time.Second)
				if err := ob.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				mails := srv.Mails()
				if len(mails) != 2 || !strings.Contains(string(mails[1].Data), ack.Mail.MessageID) {
					t.Fatalf("after retry: %d mails; want the ack with Message-ID %s", len(mails), ack.Mail.MessageID)
				}
			}
		})
	}
}

func TestOutboxGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFixture(t)
	ob, srv := outboxFixture(t, f)
	srv.SetReject(func(string) error { return &smtp.SMTPError{Code: 421, Message: "busy"} })
	f.handle(citizen("orig@example.net", "arben@example.net", "Pyetje", "Kur hapet muzeu?"))
	for range 5 {
		if err := ob.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(2 * time.Hour)
	}
	for _, j := range f.jobs("DKP-2026-000001") {
		if j.State != inquiry.JobFailed || j.Attempts != 3 {
			t.Errorf("job %s: %s after %d attempts, want failed after 3", j.Kind, j.State, j.Attempts)
		}
	}
}

func TestUnknownLanguageGetsAlbanianWithEnglishLine(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("x@example.net", "someone@example.net", "", "???? 12345 !!!"))
	ack := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAck)[0].Mail
	if !strings.Contains(ack.Text, "Faleminderit") || !strings.Contains(ack.Text, "English:") {
		t.Errorf("ack for an unknown language:\n%s", ack.Text)
	}
}
