package outbox_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
)

// renewalsFail is a job store whose lease renewals fail while down is set:
// this instance has lost the database (a failover, a network cut) while
// another has not.
type renewalsFail struct {
	outbox.JobStore
	down *atomic.Bool
}

func (r renewalsFail) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	if r.down.Load() {
		return nil, errors.New("renew: connection refused")
	}
	return r.JobStore.RenewLeases(ctx, owner, ids, until)
}

// A slow send whose lease runs out unrenewed (its instance lost the
// database for longer than a lease) is cut off before the relay accepts
// it: another instance has claimed the job and sends it, and the mail
// reaches the relay once. It used to go out twice with no process dying.
func TestSendCutOffWhenItsLeaseRunsOut(t *testing.T) {
	f := newFixture(t)
	id := f.addMail("arben@example.net", "sportel.answer.1@mkrs.example")
	var mu sync.Mutex
	var relayed []string
	down := new(atomic.Bool)
	started, bSent := make(chan struct{}), make(chan struct{})
	slow := senderFunc(func(ctx context.Context, m *inquiry.Mail) error {
		close(started)
		down.Store(true) // a's database goes away during the send
		defer down.Store(false)
		select { // the relay takes its time; a send honours its context
		case <-ctx.Done():
			return ctx.Err()
		case <-bSent:
		case <-time.After(20 * time.Second):
		}
		mu.Lock()
		relayed = append(relayed, "a")
		mu.Unlock()
		return nil
	})
	fast := senderFunc(func(ctx context.Context, m *inquiry.Mail) error {
		mu.Lock()
		relayed = append(relayed, "b")
		mu.Unlock()
		return nil
	})
	cfg := outbox.Config{Workers: 1, Lease: outbox.MinLease, Poll: 200 * time.Millisecond}
	obA := outbox.New(renewalsFail{f.store, down}, slow, nil, cfg, testutil.DiscardLogger())
	obB := outbox.New(f.store, fast, nil, cfg, testutil.DiscardLogger())
	obB.Sent = func(inquiry.Job) { close(bSent) }
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = obA.Run(ctx) })
	<-started
	wg.Go(func() { _ = obB.Run(ctx) })
	testutil.Eventually(t, "the job done", 30*time.Second, func() (bool, error) {
		return f.job(id).State == inquiry.JobDone, nil
	})
	time.Sleep(500 * time.Millisecond) // a's send, had it gone on, would end now
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(relayed) != 1 {
		t.Errorf("the answer reached the relay %d times (by %v); no process died", len(relayed), relayed)
	}
}

type senderFunc func(ctx context.Context, m *inquiry.Mail) error

func (f senderFunc) SendMail(ctx context.Context, m *inquiry.Mail) error { return f(ctx, m) }
