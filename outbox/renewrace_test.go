package outbox_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// finishBeforeRenewal is the real store whose lease renewals, once asked,
// wait until the outbox has recorded a completion when waitFinish is set,
// and that completion's answer waits for the renewal's: the renewal of a
// job being sent reaches the store after the job was recorded as sent,
// and answers while the outbox still holds the job.
type finishBeforeRenewal struct {
	outbox.JobStore
	waitFinish bool
	asked      chan struct{} // closed when the first renewal is asked
	finished   chan struct{} // closed when the first completion is recorded
	renewed    chan struct{} // closed when the first renewal has its answer
	askOnce    sync.Once
	finishOnce sync.Once
	renewOnce  sync.Once
}

func (s *finishBeforeRenewal) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) ([]int64, error) {
	lost, err := s.JobStore.FinishJobs(ctx, owner, sent, now)
	s.finishOnce.Do(func() { close(s.finished) })
	if s.waitFinish {
		select {
		case <-s.renewed:
		case <-ctx.Done():
		}
	}
	return lost, err
}

func (s *finishBeforeRenewal) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	s.askOnce.Do(func() { close(s.asked) })
	if s.waitFinish {
		select {
		case <-s.finished:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	lost, err := s.JobStore.RenewLeases(ctx, owner, ids, until)
	s.renewOnce.Do(func() { close(s.renewed) })
	return lost, err
}

// A renewal that reaches the store after the job it renews was sent and
// recorded finds the job no longer pending, and the store reports it lost.
// That is no lease lost to another worker, and the outbox does not say so:
// after a store that stalled for a moment it said it of every job sent
// meanwhile. A job taken by another worker while its send is under way is
// still said lost.
func TestRenewalOfAJobJustSentSaysNothingLost(t *testing.T) {
	const lostLine = "job leases lost to another worker"
	tests := []struct {
		name     string
		recorded bool // the completion is recorded before the renewal reaches the store
		taken    bool // another worker claims the job while its send is under way
		wantLost bool
	}{
		{"recorded before the renewal answered", true, false, false},
		{"taken by another worker during the send", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			srv, m := smtpServer(t)
			id := f.addMail("qytetar@example.net", "sportel.ack.renewrace@mkrs.example")
			atRelay, relay := make(chan struct{}), make(chan struct{})
			var atRelayOnce sync.Once
			srv.SetReject(func(string) error {
				atRelayOnce.Do(func() { close(atRelay) })
				<-relay
				return nil
			})
			js := &finishBeforeRenewal{JobStore: f.store, waitFinish: tt.recorded,
				asked: make(chan struct{}), finished: make(chan struct{}), renewed: make(chan struct{})}
			logs := testutil.NewLogBuffer(t)
			ob := outbox.New(js, m, nil, outbox.Config{Lease: time.Minute}, logs.Logger(slog.LevelInfo))
			ob.SetClock(func() time.Time { return f.now })
			start := time.Now()
			// Renewals only when the test asks for one.
			outbox.SetLeaseClock(ob, func() time.Duration { return time.Since(start) }, make(chan time.Time))
			testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
			select {
			case <-atRelay:
			case <-time.After(20 * time.Second):
				t.Fatal("the send did not reach the relay")
			}
			if tt.taken {
				// The lease ran out by the other worker's clock.
				taken, err := f.store.ClaimJobs(ctx, "other", f.now.Add(2*time.Minute), time.Minute, 10)
				if err != nil || len(taken) != 1 || taken[0].ID != id {
					t.Fatalf("the other worker's claim: %v, %v", taken, err)
				}
			}
			renewed := make(chan struct{})
			go func() {
				defer close(renewed)
				outbox.RenewHeld(ob)
			}()
			wait := func(c <-chan struct{}, what string) {
				t.Helper()
				select {
				case <-c:
				case <-time.After(20 * time.Second):
					t.Fatal(what)
				}
			}
			if tt.recorded {
				// The send goes on once the renewal is on its way, and the
				// renewal reaches the store once the send is recorded.
				wait(js.asked, "no renewal asked")
				close(relay)
				wait(renewed, "the renewal did not end")
			} else {
				// The renewal answers while the send is under way.
				wait(renewed, "the renewal did not end")
				close(relay)
			}
			if tt.recorded {
				select {
				case <-js.finished:
				default:
					t.Fatal("the renewal ended before the completion was recorded: the test did not make its case")
				}
			}
			if got := strings.Contains(logs.String(), lostLine); got != tt.wantLost {
				t.Errorf("logged %q: %v, want %v\n%s", lostLine, got, tt.wantLost, logs.String())
			}
			if tt.recorded {
				f.waitJobsDone(t, 1, 20*time.Second)
			}
		})
	}
}
