package outbox_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
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

// countRenewals is the real store, counting lease renewals, with a hook
// run right after each claim: the desk cancelling a ticket's reminders
// just after the outbox claimed one, before its send starts.
type countRenewals struct {
	outbox.JobStore
	renewals   atomic.Int32
	afterClaim func([]inquiry.Job)
}

func (s *countRenewals) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error) {
	jobs, err := s.JobStore.ClaimJobs(ctx, owner, now, lease, limit)
	if err == nil && len(jobs) > 0 && s.afterClaim != nil {
		s.afterClaim(jobs)
	}
	return jobs, err
}

func (s *countRenewals) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	s.renewals.Add(1)
	return s.JobStore.RenewLeases(ctx, owner, ids, until)
}

// A reminder cancelled after the outbox claimed it, before its send
// starts, is not sent: the outbox renews a reminder's lease just before
// its send, and the store reports a cancelled one lost. It is left
// cancelled, its attempt taken back, not counted as a failed send. That
// costs one renewal per reminder; an acknowledgement, never cancelled,
// goes out with no store round trip before its send.
func TestReminderCancelledAfterItsClaimIsNotSent(t *testing.T) {
	tests := []struct {
		name         string
		kind         inquiry.JobKind
		cancel       bool // the ticket's reminders cancelled right after the claim
		wantState    inquiry.JobState
		wantAttempts int
		wantMails    int
		wantRenewals int32
	}{
		{"reminder cancelled after its claim: not sent", inquiry.JobReminder, true, inquiry.JobCancelled, 0, 0, 1},
		{"reminder not cancelled: sent", inquiry.JobReminder, false, inquiry.JobDone, 1, 1, 1},
		{"acknowledgement: sent with no renewal first", inquiry.JobAck, true, inquiry.JobDone, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			srv, m := smtpServer(t)
			const msgID = "sportel.reminder.2@mkrs.example"
			j := inquiry.Job{
				TicketID: f.ticket.ID, Kind: tt.kind, Recipient: "zamira", NextAt: f.now, CreatedAt: f.now,
				Mail: &inquiry.Mail{
					MessageID: msgID, Date: f.now,
					From:    inquiry.Address{Address: "komunikimi@mkrs.example"},
					To:      []inquiry.Address{{Address: "zamira@mkrs.example"}},
					Subject: "[DKP-2026-000001] Kujtesë", Text: "Afati është sot.",
				},
			}
			f.inTx(func(tx store.Tx) error {
				_, err := tx.AddJobOnce("reminder:DKP-2026-000001:claimed", &j)
				return err
			})
			js := &countRenewals{JobStore: f.store}
			var cancelled int
			if tt.cancel {
				js.afterClaim = func([]inquiry.Job) {
					f.inTx(func(tx store.Tx) error {
						n, err := tx.CancelJobs(f.ticket.ID, inquiry.JobReminder, "cancelled: ticket closed", f.now)
						cancelled += n
						return err
					})
				}
			}
			logs := testutil.NewLogBuffer(t)
			ob := outbox.New(js, m, nil, outbox.Config{Lease: time.Minute}, logs.Logger(slog.LevelInfo))
			ob.SetClock(func() time.Time { return f.now })
			start := time.Now()
			// No renewal ticks: a renewal is the send's own.
			outbox.SetLeaseClock(ob, func() time.Duration { return time.Since(start) }, make(chan time.Time))
			var sent, failed int
			ob.Sent = func(inquiry.Job) { sent++ }
			ob.Failed = func(inquiry.Job, error, bool) { failed++ }
			if err := ob.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if wantCancelled := map[bool]int{true: 1}[tt.cancel && tt.kind == inquiry.JobReminder]; cancelled != wantCancelled {
				t.Fatalf("the cancel after the claim ended %d jobs, want %d", cancelled, wantCancelled)
			}
			got := f.job(j.ID)
			if got.State != tt.wantState || got.Attempts != tt.wantAttempts {
				t.Errorf("job %s after %d attempts (%q), want %s after %d", got.State, got.Attempts, got.LastError, tt.wantState, tt.wantAttempts)
			}
			if tt.wantState == inquiry.JobCancelled && got.LastError != "cancelled: ticket closed" {
				t.Errorf("job's last error %q, want the cancel's reason alone", got.LastError)
			}
			mails := make([][]byte, 0, 1)
			for _, mail := range srv.Mails() {
				mails = append(mails, mail.Data)
			}
			if n := messageIDs(mails)["<"+msgID+">"]; n != tt.wantMails || len(mails) != tt.wantMails {
				t.Errorf("the relay took in %d mails, %d with the job's Message-ID; want %d", len(mails), n, tt.wantMails)
			}
			if n := js.renewals.Load(); n != tt.wantRenewals {
				t.Errorf("%d lease renewals, want %d", n, tt.wantRenewals)
			}
			if sent != tt.wantMails || failed != 0 {
				t.Errorf("Sent called %d times, Failed %d; want %d and none", sent, failed, tt.wantMails)
			}
			if cut := strings.Contains(logs.String(), "job cancelled after it was claimed, before its send: not sent"); cut != (tt.wantState == inquiry.JobCancelled) {
				t.Errorf("logged the cancel before the send: %v, want %v", cut, tt.wantState == inquiry.JobCancelled)
			}
			// Days later nothing is due: a cancelled reminder stays so.
			f.now = f.now.Add(48 * time.Hour)
			if err := ob.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Mails()); n != tt.wantMails {
				t.Errorf("after another drain the relay has %d mails, want %d", n, tt.wantMails)
			}
		})
	}
}
