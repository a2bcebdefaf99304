package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// An officer's answer or legal notice that fails for good never reached
// the citizen, while the officer believes it did: its officer is told
// (Undelivered) before the failure is recorded, and while that cannot be
// queued the job is tried again rather than failed without a word. The
// outbox's own mail (acknowledgements, notifications) fails as before.
func TestUndeliveredAnswerTellsItsOfficer(t *testing.T) {
	refused := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	blocked := permanent{errors.New("telegram: Forbidden: bot was blocked by the user (403)")}
	tests := []struct {
		name      string
		kind      inquiry.JobKind
		chat      bool  // a Telegram message; else a mail the relay refuses with 550
		tellErr   error // what telling the officer returns
		wantTold  int
		wantState inquiry.JobState
		wantWhy   string
	}{
		{"mail answer refused by the relay", inquiry.JobAnswer, false, nil, 1, inquiry.JobFailed, "no such user"},
		{"legal notice refused by the relay", inquiry.JobNotice, false, nil, 1, inquiry.JobFailed, "no such user"},
		{"telegram answer to a citizen who blocked the bot", inquiry.JobAnswer, true, nil, 1, inquiry.JobFailed, "blocked"},
		{"answer whose officer cannot be told now", inquiry.JobAnswer, false, errors.New("database is locked"), 1, inquiry.JobPending, "no such user"},
		{"acknowledgement", inquiry.JobAck, false, nil, 0, inquiry.JobFailed, "no such user"},
		{"officer's notification", inquiry.JobNotify, false, nil, 0, inquiry.JobFailed, "no such user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			srv, m := smtpServer(t)
			srv.SetReject(func(string) error { return refused })
			chat := &chatRecorder{fail: blocked}
			j := inquiry.Job{TicketID: f.ticket.ID, Kind: tt.kind, Recipient: "arben@example.net", NextAt: f.now, CreatedAt: f.now}
			if tt.chat {
				j.Chat = &inquiry.ChatMessage{ChatID: 4242, Text: "Kontrata gjendet në arkivin e ministrisë.", Officer: "jusuf"}
			} else {
				j.Mail = &inquiry.Mail{MessageID: "sportel." + string(tt.kind) + ".7@mkrs.example", Date: f.now,
					From: inquiry.Address{Address: "komunikimi@mkrs.example"}, To: []inquiry.Address{{Address: "arben@example.net"}},
					Subject: "Re: Kërkesë [DKP-2026-000001]", Text: "Kontrata gjendet në arkivin e ministrisë."}
			}
			f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
			var told []string
			tell := func(_ context.Context, tj inquiry.Job, reason string, tooLarge bool) error {
				if tj.ID != j.ID || tooLarge {
					t.Errorf("told of job %d, too large %v; want %d, not too large", tj.ID, tooLarge, j.ID)
				}
				told = append(told, reason)
				return tt.tellErr
			}
			ob := outbox.New(f.store, m, chat, outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour, Lease: time.Minute,
				Undelivered: tell}, testutil.DiscardLogger())
			ob.SetClock(func() time.Time { return f.now })
			if err := ob.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			if len(told) != tt.wantTold {
				t.Fatalf("the officer told %d times (%q), want %d", len(told), told, tt.wantTold)
			}
			for _, why := range told {
				if !strings.Contains(why, tt.wantWhy) {
					t.Errorf("told %q, want the refusal's words (%q)", why, tt.wantWhy)
				}
			}
			got := f.job(j.ID)
			if got.State != tt.wantState || !strings.Contains(got.LastError, tt.wantWhy) {
				t.Errorf("job %s (%q), want %s with the refusal's words", got.State, got.LastError, tt.wantState)
			}
			if tt.tellErr != nil && !strings.Contains(got.LastError, "could not be told") {
				t.Errorf("job's error %q does not say its officer could not be told", got.LastError)
			}
		})
	}
}
