package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// finishFailsOnce is the real store whose first FinishJobs fails, as a
// busy or briefly unreachable database does.
type finishFailsOnce struct {
	outbox.JobStore
	failed atomic.Bool
}

func (s *finishFailsOnce) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) ([]int64, error) {
	if s.failed.CompareAndSwap(false, true) {
		return nil, errors.New("database is locked")
	}
	return s.JobStore.FinishJobs(ctx, owner, sent, now)
}

func messageIDs(mails [][]byte) map[string]int {
	seen := map[string]int{}
	for _, data := range mails {
		for _, line := range strings.Split(string(data), "\r\n") {
			if id, ok := strings.CutPrefix(line, "Message-Id: "); ok {
				seen[id]++
			} else if id, ok := strings.CutPrefix(line, "Message-ID: "); ok {
				seen[id]++
			}
		}
	}
	return seen
}

// One failed completion commit (no crash, the process keeps running) must
// not send the mail again: the outcome is known and should be retried.
func TestFinishFailureDoesNotResend(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now()
	srv, m := smtpServer(t)
	id := f.addMail("arben@example.net", "sportel.ack.finish@mkrs.example")
	js := &finishFailsOnce{JobStore: f.store}
	ob := outbox.New(js, m, nil, outbox.Config{Workers: 1, Lease: outbox.MinLease, Poll: 50 * time.Millisecond}, testutil.DiscardLogger())
	testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
	testutil.Eventually(t, "job recorded done", 20*time.Second, func() (bool, error) {
		return f.job(id).State == inquiry.JobDone, nil
	})
	var data [][]byte
	for _, mail := range srv.Mails() {
		data = append(data, mail.Data)
	}
	seen := messageIDs(data)
	for mid, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times after one failed completion commit (no crash); want 1", mid, n)
		}
	}
}

// clockStepped is the real store as seen by a host whose wall clock stepped
// forward by step right after the outbox's first claim (an NTP step, a VM
// resumed): every time the outbox writes to the store from then on is
// step later. The outbox's own timers and its held leases run on Go's
// monotonic clock, which does not step.
type clockStepped struct {
	outbox.JobStore
	step    time.Duration
	stepped atomic.Bool
}

func (s *clockStepped) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error) {
	if s.stepped.Load() {
		now = now.Add(s.step)
	}
	jobs, err := s.JobStore.ClaimJobs(ctx, owner, now, lease, limit)
	if len(jobs) > 0 {
		s.stepped.Store(true)
	}
	return jobs, err
}

func (s *clockStepped) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	if s.stepped.Load() {
		until = until.Add(s.step)
	}
	return s.JobStore.RenewLeases(ctx, owner, ids, until)
}

// A wall clock stepping forward by more than a lease must not make the
// outbox claim, again, a job it is sending right now.
func TestClockStepDoesNotResendAJobInFlight(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now()
	srv, m := smtpServer(t)
	srv.SetReject(func(rcpt string) error {
		if strings.HasPrefix(rcpt, "slow") {
			time.Sleep(3 * time.Second)
		}
		return nil
	})
	f.addMail("slow@example.net", "sportel.ack.slow@mkrs.example")
	for i := range 3 {
		f.addMail("fast"+string(rune('a'+i))+"@example.net", "sportel.ack.fast"+string(rune('a'+i))+"@mkrs.example")
	}
	js := &clockStepped{JobStore: f.store, step: time.Hour}
	// Default lease (30 s, renewed every 10 s).
	ob := outbox.New(js, m, nil, outbox.Config{Workers: 2, Poll: 50 * time.Millisecond}, testutil.DiscardLogger())
	testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
	testutil.Eventually(t, "every job recorded", 20*time.Second, func() (bool, error) {
		done, err := f.store.ListJobs(context.Background(), inquiry.JobDone, 0)
		return len(done) == 4, err
	})
	time.Sleep(3500 * time.Millisecond) // a second copy still on the wire
	var data [][]byte
	for _, mail := range srv.Mails() {
		data = append(data, mail.Data)
	}
	for mid, n := range messageIDs(data) {
		if n != 1 {
			t.Errorf("%s sent %d times after the wall clock stepped forward an hour; want 1", mid, n)
		}
	}
}
