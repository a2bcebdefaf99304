package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// relayByID records which instance handed each Message-ID to the relay.
type relayByID struct {
	mu   sync.Mutex
	byID map[string][]string
}

type sendFunc func(ctx context.Context, m *inquiry.Mail) error

func (f sendFunc) SendMail(ctx context.Context, m *inquiry.Mail) error { return f(ctx, m) }

func (r *relayByID) sender(who string) outbox.MailSender {
	return sendFunc(func(ctx context.Context, m *inquiry.Mail) error {
		time.Sleep(200 * time.Millisecond) // a relay's pace
		r.mu.Lock()
		r.byID[m.MessageID] = append(r.byID[m.MessageID], who)
		r.mu.Unlock()
		return nil
	})
}

// Two instances on one PostgreSQL database whose hosts' clocks disagree by
// 40 seconds (NTP stopped on one VM) send each mail once: their outboxes
// judge leases by the database's clock as each measured it. By their own
// clocks the fast one took the slow one's jobs as expired, and 31–34 of 40
// acknowledgements went out twice.
func TestOutboxLeasesGoByTheDatabasesClock(t *testing.T) {
	dsn := pgCluster.Database(t)
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	ctx := context.Background()
	now := time.Now()
	const n = 40
	if err := a.WithTx(ctx, func(tx store.Tx) error {
		for i := range n {
			to := fmt.Sprintf("c%d@example.net", i)
			if err := tx.AddJob(&inquiry.Job{Kind: inquiry.JobAck, Recipient: to, NextAt: now, CreatedAt: now,
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("ack-%d@mkrs.example", i), Date: now,
					From: inquiry.Address{Address: "komunikimi@mkrs.example"}, To: []inquiry.Address{{Address: to}}, Subject: "Re: Pyetje", Text: "Faleminderit."}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	relay := &relayByID{byID: map[string][]string{}}
	instance := func(st store.Store, name string, hostOffset time.Duration) *outbox.Outbox {
		host := func() time.Time { return time.Now().Add(hostOffset) }
		c := &clockWatch{db: st.(databaseClock), now: host, log: testutil.DiscardLogger()}
		c.check(ctx)
		ob := outbox.New(st, relay.sender(name), nil, outbox.Config{Workers: 2}, testutil.DiscardLogger())
		ob.SetClock(c.leaseClock)
		return ob
	}
	obA := instance(a, "a", 0)
	obB := instance(b, "b", 40*time.Second) // host B runs 40 s fast
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = obA.Run(rctx) })
	wg.Go(func() { _ = obB.Run(rctx) })
	testutil.Eventually(t, "every job done", 60*time.Second, func() (bool, error) {
		jobs, err := a.ListJobs(ctx, inquiry.JobPending, 0)
		return len(jobs) == 0, err
	})
	cancel()
	wg.Wait()
	relay.mu.Lock()
	defer relay.mu.Unlock()
	twice := 0
	for id, who := range relay.byID {
		if len(who) > 1 {
			twice++
			t.Logf("%s reached the relay %d times (by %v)", id, len(who), who)
		}
	}
	if twice > 0 || len(relay.byID) != n {
		t.Errorf("%d of %d acknowledgements sent more than once, %d sent in all", twice, n, len(relay.byID))
	}
}
