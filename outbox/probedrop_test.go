package outbox_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/store"
)

// finishHeld is a job store whose completion commits wait while hold is
// set, as behind another process's write lock; it notes the mail jobs its
// probe claims took.
type finishHeld struct {
	outbox.JobStore
	hold    atomic.Bool
	waiting atomic.Bool // a completion commit is waiting on hold
	claimed chan int64
}

func (s *finishHeld) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) ([]int64, error) {
	for s.hold.Load() {
		s.waiting.Store(true)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.waiting.Store(false)
	return s.JobStore.FinishJobs(ctx, owner, sent, now)
}

func (s *finishHeld) ClaimJobsBy(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int, tr store.Transport) ([]inquiry.Job, error) {
	js, err := s.JobStore.ClaimJobsBy(ctx, owner, now, lease, limit, tr)
	for _, j := range js {
		select {
		case s.claimed <- j.ID:
		default:
		}
	}
	return js, err
}

// The relay is down, and the mail that is to probe it when the pause ends
// is claimed while the store records no completions (a Telegram message's
// commit waits behind a lock): its send waits, its lease goes unconfirmed,
// and it is given up unsent. It must give up the probe with it: kept, the
// reservation made every later claim of this outbox leave the mail out, and
// no mail went until a restart, the relay back or not.
func TestProbeGivenUpUnsentLetsTheNextMailProbe(t *testing.T) {
	const chat = int64(1003)
	const pause = 10 * time.Second
	f := newFixture(t)
	f.now = time.Now()
	ra := newRelayAt(t, &relay{password: "pw"}) // not started: down
	m, err := mailer.New(mailer.Options{Addr: ra.addr, Security: mailer.SecurityNone, Username: "sportel@mkrs.example",
		Password: "pw", Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	_, b := fakeTelegram(t, chat, f.store)
	js := &finishHeld{JobStore: f.store, claimed: make(chan int64, 16)}
	ob := outbox.New(js, m, b, outbox.Config{Workers: 1, MaxAttempts: 5, BackoffMin: time.Hour, BackoffMax: time.Hour,
		Lease: outbox.MinLease, Poll: 20 * time.Millisecond, RelayPauseMin: pause, RelayPauseMax: pause}, testutil.DiscardLogger())
	var mono atomic.Int64
	outbox.SetLeaseClock(ob, func() time.Duration { return time.Duration(mono.Load()) }, make(chan time.Time))
	testutil.RunBackground(t, "Run", 60*time.Second, ob.Run)
	// Before Run is stopped (cleanups run last first): a completion waits
	// for the lock however the test ends.
	t.Cleanup(func() { js.hold.Store(false) })

	first := f.addMail("qytetari@example.net", "sportel.ack.probe1@mkrs.example")
	ob.Poke()
	testutil.Eventually(t, "the mail paused, its claim given back", 20*time.Second, func() (bool, error) {
		j := f.job(first)
		return ob.MailPaused() && j.State == inquiry.JobPending && j.Attempts == 0, nil
	})

	// A Telegram message goes; its completion's commit waits.
	js.hold.Store(true)
	f.addChat(inquiry.JobAck, fmt.Sprintf("tg:%d", chat), chat)
	ob.Poke()
	testutil.Eventually(t, "the chat message's completion waiting", 20*time.Second, func() (bool, error) {
		return js.waiting.Load(), nil
	})
	for len(js.claimed) > 0 {
		<-js.claimed
	}
	// The pause is over, and the completion's commit has waited past the
	// record gate's stall: the next claim takes the mail as the probe, and
	// its send waits for the commit.
	mono.Add(int64(pause))
	ob.Poke()
	select {
	case id := <-js.claimed:
		if id != first {
			t.Fatalf("probe claim took job %d, want %d", id, first)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no probe claimed after the pause")
	}
	// Its lease goes unconfirmed (no renewal ticks) past a third of a
	// lease: the waiting send is given up.
	mono.Add(int64(outbox.MinLease))
	time.Sleep(300 * time.Millisecond) // the wait polls every 50 ms
	if j := f.job(first); j.State != inquiry.JobPending {
		t.Fatalf("the probe given up unsent: state %s, want pending", j.State)
	}

	// The store records again and the relay is back: mail goes, the probe
	// given up first (once its lease runs out) and a new one.
	js.hold.Store(false)
	ra.start()
	second := f.addMail("qytetari2@example.net", "sportel.ack.probe2@mkrs.example")
	ob.Poke()
	testutil.Eventually(t, "both mails sent once the relay is back", 30*time.Second, func() (bool, error) {
		ob.Poke()
		return f.job(first).State == inquiry.JobDone && f.job(second).State == inquiry.JobDone, nil
	})
}
