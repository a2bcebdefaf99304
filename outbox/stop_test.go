package outbox_test

import (
	"context"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
)

// stopsAfterClaim is the job store of an outbox told to stop just after a
// claim: every job it claimed is released before a send starts.
type stopsAfterClaim struct {
	outbox.JobStore
	stop context.CancelFunc
}

func (s stopsAfterClaim) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error) {
	jobs, err := s.JobStore.ClaimJobs(ctx, owner, now, lease, limit)
	s.stop()
	return jobs, err
}

// A graceful stop releases the claims it had not started sending, and a
// release of a job never tried costs it no attempt: stopped more times than
// it may be tried, the job is still sent, as its first attempt.
func TestGracefulStopCostsNoAttempt(t *testing.T) {
	f := newFixture(t)
	id := f.addChat(inquiry.JobAck, "tg:777", 777)
	chat := &chatRecorder{}
	const stops = 5 // more than the fixture's MaxAttempts (3)
	for i := range stops {
		ctx, stop := context.WithCancel(context.Background())
		ob := outbox.New(stopsAfterClaim{JobStore: f.store, stop: stop}, nil, chat,
			outbox.Config{MaxAttempts: 3, Lease: time.Minute, Poll: time.Hour}, testutil.DiscardLogger())
		ob.SetClock(func() time.Time { return f.now })
		if err := ob.Run(ctx); err != nil {
			t.Fatalf("stop %d: Run: %v", i+1, err)
		}
		stop()
		if j := f.job(id); j.State != inquiry.JobPending || j.Attempts != 0 {
			t.Fatalf("after stop %d: job %s with %d attempts, want pending with 0 (it was never tried)", i+1, j.State, j.Attempts)
		}
	}
	// Released, not left under a claim: the next outbox sends it at once.
	if err := f.outbox(nil, chat).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if j := f.job(id); j.State != inquiry.JobDone || j.Attempts != 1 {
		t.Errorf("after the stops, job %s with %d attempts; want done on its first", j.State, j.Attempts)
	}
}
