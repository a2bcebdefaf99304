package outbox_test

import (
	"context"
	"errors"
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

// notices records the officers' notices the cap asks for, and the
// episodes they name.
type notices struct {
	held     []int
	episodes []string
}

func (n *notices) notice(_ context.Context, episode string, held int, _ time.Time) error {
	n.held = append(n.held, held)
	n.episodes = append(n.episodes, episode)
	return nil
}

// cappedOutbox is a fresh outbox (a restarted process: a new owner, nothing
// in memory) over f's store, capping acks at perHour.
func (f *fixture) cappedOutbox(m *mailer.Mailer, perHour int, n *notices) *outbox.Outbox {
	ob := outbox.New(f.store, m, nil, outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour,
		Lease: time.Minute, AcksPerHour: perHour, AckCapNotice: n.notice}, testutil.DiscardLogger())
	ob.SetClock(func() time.Time { return f.now })
	return ob
}

func (f *fixture) addNotify(rcpt, messageID string) int64 {
	f.t.Helper()
	j := inquiry.Job{TicketID: f.ticket.ID, Kind: inquiry.JobNotify, Recipient: "zamira", NextAt: f.now, CreatedAt: f.now,
		Mail: &inquiry.Mail{MessageID: messageID, Date: f.now, From: inquiry.Address{Address: "komunikimi@mkrs.example"},
			To: []inquiry.Address{{Address: rcpt}}, Subject: "[DKP-2026-000001]", Text: "x"}}
	f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
	return j.ID
}

func (f *fixture) heldCount() int {
	f.t.Helper()
	n, err := f.store.CountHeldJobs(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// The hourly cap holds acknowledgements back, never drops them, counts
// what the store says was sent (so a restart does not reset it), costs
// held jobs no attempts, and asks for one notice per episode.
func TestAckCapHoldsAcknowledgements(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	srv, m := smtpServer(t)
	var n notices
	var acks []int64
	for i := range 5 {
		acks = append(acks, f.addMail(fmt.Sprintf("victim+%d@example.org", i), fmt.Sprintf("sportel.ack.%d@mkrs.example", i)))
	}
	notify := f.addNotify("zamira@mkrs.example", "sportel.notify.1@mkrs.example")

	steps := []struct {
		name      string
		at        time.Duration // after t0
		addAcks   int           // queued before the drain
		wantMails int           // captured in all, so far
		wantHeld  int
		notices   int // asked for so far
	}{
		{"three acks and the notification go, two are held", 0, 0, 4, 2, 1},
		{"after a restart ten minutes on, still held", 10 * time.Minute, 0, 4, 2, 1},
		{"and again: holding costs no attempts", 20 * time.Minute, 0, 4, 2, 1},
		{"a third time, past max_attempts", 30 * time.Minute, 0, 4, 2, 1},
		{"once the hour has rolled on they go", time.Hour + time.Second, 0, 6, 0, 1},
		{"a new burst hours later is a new episode", 4 * time.Hour, 4, 9, 1, 2},
	}
	for i, st := range steps {
		f.now = t0.Add(st.at)
		for k := range st.addAcks {
			acks = append(acks, f.addMail(fmt.Sprintf("victim+%d%d@example.org", i, k), fmt.Sprintf("sportel.ack.%d.%d@mkrs.example", i, k)))
		}
		if err := f.cappedOutbox(m, 3, &n).Drain(ctx); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := srv.Count(); got != st.wantMails {
			t.Errorf("%s: %d mails sent, want %d", st.name, got, st.wantMails)
		}
		if got := f.heldCount(); got != st.wantHeld {
			t.Errorf("%s: %d held, want %d", st.name, got, st.wantHeld)
		}
		if len(n.held) != st.notices {
			t.Errorf("%s: %d notices asked for, want %d", st.name, len(n.held), st.notices)
		}
	}
	if j := f.job(notify); j.State != inquiry.JobDone {
		t.Errorf("the notification is %s; the cap holds acknowledgements only", j.State)
	}
	for _, id := range acks[:5] {
		if j := f.job(id); j.State != inquiry.JobDone {
			t.Errorf("ack %d is %s (%s), want done", id, j.State, j.LastError)
		}
	}
	sent, _, err := f.store.SentJobs(ctx, inquiry.JobAck, t0.Add(4*time.Hour-time.Minute))
	if err != nil || sent != 3 {
		t.Errorf("acks sent in the last burst's hour: %d (%v), want the cap, 3", sent, err)
	}
}

// The running outbox, its workers sending at once, lets no more than the
// cap through: a send in flight counts before the store records it.
func TestAckCapUnderConcurrentWorkers(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now()
	srv, m := smtpServer(t)
	var n notices
	for i := range 12 {
		f.addMail(fmt.Sprintf("victim+%d@example.org", i), fmt.Sprintf("sportel.ack.%d@mkrs.example", i))
	}
	now := f.now // fixed: held acks are not due again while the test runs
	ob := outbox.New(f.store, m, nil, outbox.Config{Workers: 4, Lease: time.Minute, AcksPerHour: 5, AckCapNotice: n.notice},
		testutil.DiscardLogger())
	ob.SetClock(func() time.Time { return now })
	testutil.RunBackground(t, "Run", 10*time.Second, ob.Run)
	testutil.Eventually(t, "every ack sent or held", 10*time.Second, func() (bool, error) {
		held, err := f.store.CountHeldJobs(context.Background())
		sent, _, serr := f.store.SentJobs(context.Background(), inquiry.JobAck, now.Add(-time.Hour))
		return held+sent == 12, errors.Join(err, serr)
	})
	if got := srv.Count(); got != 5 {
		t.Errorf("%d acks reached the relay, want the cap, 5", got)
	}
	if len(n.held) != 1 {
		t.Errorf("%d notices asked for, want 1", len(n.held))
	}
}

// diesAtSetState is the outbox's store in a process killed as it goes to
// record when the cap held: that write and every later call fail.
type diesAtSetState struct {
	store.Store
	dead atomic.Bool
}

func (d *diesAtSetState) SetState(context.Context, string, string) error {
	d.dead.Store(true)
	return context.Canceled
}

func (d *diesAtSetState) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error) {
	if d.dead.Load() {
		return nil, context.Canceled
	}
	return d.Store.ClaimJobs(ctx, owner, now, lease, limit)
}

func (d *diesAtSetState) GetState(ctx context.Context, key string) (string, bool, error) {
	if d.dead.Load() {
		return "", false, context.Canceled
	}
	return d.Store.GetState(ctx, key)
}

// addAck queues the acknowledgement number i of a flood named name.
func (f *fixture) addAck(name string, i int) {
	f.addMail(fmt.Sprintf("victim%d@example.org", i), fmt.Sprintf("sportel.ack.%s%d@mkrs.example", name, i))
}

// holdAndDie is the first process of a kill test: an outbox over a store
// that dies as notice (given that store) says sends the hour's three
// acknowledgements of flood name, then the cap holds the fourth.
func holdAndDie(t *testing.T, f *fixture, m *mailer.Mailer, name string, notice func(*diesAtSetState) outbox.AckCapNotice) {
	t.Helper()
	ctx := context.Background()
	dying := &diesAtSetState{Store: f.store}
	first := outbox.New(dying, m, nil, outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour,
		Lease: time.Minute, AcksPerHour: 3, AckCapNotice: notice(dying)}, testutil.DiscardLogger())
	first.SetClock(func() time.Time { return f.now })
	for i := range 3 {
		f.addAck(name, i)
	}
	if err := first.Drain(ctx); err != nil { // the hour's three acknowledgements
		t.Fatal(err)
	}
	f.now = t0.Add(time.Minute)
	f.addAck(name, 3)
	_ = first.Drain(ctx) // held, and killed where notice says
	if f.heldCount() != 1 {
		t.Fatalf("%d held, want 1", f.heldCount())
	}
}

// Killed after the officers' notice was queued and before the hold was
// recorded: the restarted process asks again for the same episode, by the
// same name, so the desk queues no second notice (NoticeAckCap's test).
func TestAckCapNoticeAfterAKillNamesTheSameEpisode(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, m := smtpServer(t)
	var notes notices
	holdAndDie(t, f, m, "kill", func(*diesAtSetState) outbox.AckCapNotice { return notes.notice }) // dies recording the hold
	if len(notes.episodes) != 1 {
		t.Fatalf("the first process asked for %d notices, want 1", len(notes.episodes))
	}

	f.now = t0.Add(10 * time.Minute) // restarted; the flood goes on
	f.addAck("kill", 4)
	if err := f.cappedOutbox(m, 3, &notes).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if len(notes.episodes) != 2 || notes.episodes[1] != notes.episodes[0] {
		t.Errorf("notices asked for across the kill name episodes %q, want one name twice", notes.episodes)
	}
	// Recorded now: later holds in the episode ask for nothing.
	f.now = t0.Add(20 * time.Minute)
	f.addAck("kill", 5)
	if err := f.cappedOutbox(m, 3, &notes).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if len(notes.episodes) != 2 {
		t.Errorf("%d notices asked for in one episode after it was recorded, want 2", len(notes.episodes))
	}
}

// Killed after the cap held an acknowledgement and before the officers'
// notice was queued: the held one would go out later and no later hold
// would ask again, so the next start asks for the episode's notice, once.
func TestAckCapNoticeLostToAKillIsAskedAtTheNextStart(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	srv, m := smtpServer(t)
	var notes notices
	holdAndDie(t, f, m, "lost", func(dying *diesAtSetState) outbox.AckCapNotice {
		return func(context.Context, string, int, time.Time) error {
			dying.dead.Store(true) // killed before the notice's transaction commits
			return context.Canceled
		}
	})
	// Restarts: one within the hold, one as it ends, one long after.
	for _, at := range []time.Duration{10 * time.Minute, time.Hour + time.Second, 2 * time.Hour} {
		f.now = t0.Add(at)
		if err := f.cappedOutbox(m, 3, &notes).Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if srv.Count() != 4 {
		t.Errorf("%d mails sent, want all 4", srv.Count())
	}
	if len(notes.held) != 1 || notes.held[0] != 1 {
		t.Errorf("notices asked for %v, want one, of 1 held", notes.held)
	}
}
