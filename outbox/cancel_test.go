package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/store"
)

// A reminder whose ticket closes while the outbox is sending it (the
// cancel is committed while the relay is answering RCPT): if the relay
// accepts it, it went out and is recorded as sent; if it answers 451, or
// 550, it is left cancelled, never tried again, and never counted as a
// failed send.
func TestCancelWhileSending(t *testing.T) {
	tests := []struct {
		name      string
		answer    *smtp.SMTPError // nil: accepted
		wantState inquiry.JobState
		wantErr   []string // in the job's last error
		wantMails int
	}{
		{"accepted: recorded as sent", nil, inquiry.JobDone, []string{"cancelled: ticket closed"}, 1},
		{"451: not retried",
			&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"},
			inquiry.JobCancelled, []string{"cancelled: ticket closed; the send in flight failed:", "451"}, 0},
		{"550: cancelled, not failed",
			&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
			inquiry.JobCancelled, []string{"cancelled: ticket closed; the send in flight failed:", "550"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			srv, m := smtpServer(t)
			j := inquiry.Job{
				TicketID: f.ticket.ID, Kind: inquiry.JobReminder, Recipient: "zamira", NextAt: f.now, CreatedAt: f.now,
				Mail: &inquiry.Mail{
					MessageID: "sportel.reminder.1@mkrs.example", Date: f.now,
					From:    inquiry.Address{Address: "komunikimi@mkrs.example"},
					To:      []inquiry.Address{{Address: "zamira@mkrs.example"}},
					Subject: "[DKP-2026-000001] Kujtesë", Text: "Afati është sot.",
				},
			}
			f.inTx(func(tx store.Tx) error {
				_, err := tx.AddJobOnce("reminder:DKP-2026-000001:test", &j)
				return err
			})
			var mu sync.Mutex
			var cancelled int
			var cancelErr error
			srv.SetReject(func(string) error {
				// The ticket closes while the relay is at RCPT.
				err := f.store.WithTx(ctx, func(tx store.Tx) error {
					n, err := tx.CancelJobs(f.ticket.ID, inquiry.JobReminder, "cancelled: ticket closed", f.now)
					mu.Lock()
					cancelled += n
					mu.Unlock()
					return err
				})
				mu.Lock()
				cancelErr = errors.Join(cancelErr, err)
				mu.Unlock()
				if tt.answer == nil {
					return nil
				}
				return tt.answer
			})
			ob := f.outbox(m, nil)
			var failed []bool
			ob.Failed = func(_ inquiry.Job, _ error, final bool) { failed = append(failed, final) }
			if err := ob.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			n, cerr := cancelled, cancelErr
			mu.Unlock()
			if cerr != nil || n != 1 {
				t.Fatalf("cancel during the send: %d cancelled, %v; want the job in flight", n, cerr)
			}
			srv.SetReject(nil)

			// Days later nothing is due: the 451 is not retried.
			f.now = f.now.Add(48 * time.Hour)
			if err := ob.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			got := f.job(j.ID)
			if got.State != tt.wantState {
				t.Errorf("job %s (%q), want %s", got.State, got.LastError, tt.wantState)
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(got.LastError, part) {
					t.Errorf("job's last error %q does not say %q", got.LastError, part)
				}
			}
			if n := len(srv.Mails()); n != tt.wantMails {
				t.Errorf("%d mails reached the relay, want %d", n, tt.wantMails)
			}
			// Neither a send that went out nor one nobody wants any more
			// is a failed send for the administrator's alerts.
			if len(failed) != 0 {
				t.Errorf("Failed called %d times (final: %v), want none", len(failed), failed)
			}
			if stats, err := f.store.QueueStats(ctx, f.now); err != nil || stats.PendingJobs != 0 || stats.FailedJobs != 0 {
				t.Errorf("QueueStats = %+v, %v; want nothing pending or failed", stats, err)
			}
		})
	}
}
