package outbox_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
	"sportel/store/drivers"
)

// storeAway is the real store as an instance sees it that has lost the
// database (a failover, a network cut) while away is set: its lease
// renewals fail, and when all is set every other job write fails too.
type storeAway struct {
	outbox.JobStore
	away atomic.Bool
	all  bool
}

var errAway = errors.New("connection refused")

// leaseDriven is a one-worker outbox on js that claims only when poked and
// whose lease clock the test moves, counting the sends it records as sent
// and as failed.
type leaseDriven struct {
	ob           *outbox.Outbox
	js           *storeAway
	mono         atomic.Int64
	sent, failed atomic.Int32
}

func newLeaseDriven(js *storeAway, mail outbox.MailSender, chat outbox.ChatSender, lease time.Duration, log *slog.Logger) *leaseDriven {
	d := &leaseDriven{js: js}
	d.ob = outbox.New(js, mail, chat, outbox.Config{Workers: 1, Lease: lease, Poll: time.Hour}, log)
	outbox.SetLeaseClock(d.ob, func() time.Duration { return time.Duration(d.mono.Load()) }, make(chan time.Time))
	d.ob.Sent = func(inquiry.Job) { d.sent.Add(1) }
	d.ob.Failed = func(inquiry.Job, error, bool) { d.failed.Add(1) }
	return d
}

// missRenewals makes the renewals fail at a third and two thirds of a
// lease after the claim, and has the lease guard look then: a send whose
// lease went unconfirmed so is cut off, unless it is past its point of no
// return.
func (d *leaseDriven) missRenewals(lease time.Duration) {
	d.js.away.Store(true)
	for _, at := range []time.Duration{lease / 3, 2 * lease / 3} {
		d.mono.Store(int64(at))
		outbox.RenewHeld(d.ob)
	}
	outbox.CheckLeases(d.ob)
	d.js.away.Store(false)
}

// failing reports whether a write fails now: a renewal, or another.
func (s *storeAway) failing(renewal bool) bool { return s.away.Load() && (renewal || s.all) }

func (s *storeAway) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	if s.failing(true) {
		return nil, errAway
	}
	return s.JobStore.RenewLeases(ctx, owner, ids, until)
}

func (s *storeAway) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error) {
	if s.failing(false) {
		return nil, errAway
	}
	return s.JobStore.ClaimJobs(ctx, owner, now, lease, limit)
}

func (s *storeAway) ReleaseJob(ctx context.Context, id int64, owner string) error {
	if s.failing(false) {
		return errAway
	}
	return s.JobStore.ReleaseJob(ctx, id, owner)
}

func (s *storeAway) RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) error {
	if s.failing(false) {
		return errAway
	}
	return s.JobStore.RetryJob(ctx, id, owner, next, errText)
}

func (s *storeAway) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) ([]int64, error) {
	if s.failing(false) {
		return nil, errAway
	}
	return s.JobStore.FinishJobs(ctx, owner, sent, now)
}

// holdFirst makes srv hold its first mail transaction at RCPT, before the
// message is written (the mailer writes it only once RCPT is answered),
// until wait returns: a slow relay. held is closed once the first is held,
// after onHold ran; tries counts the transactions.
func holdFirst(t *testing.T, srv *devserver.SMTP, onHold, wait func()) (held <-chan struct{}, tries *atomic.Int32) {
	t.Helper()
	h := make(chan struct{})
	tries = new(atomic.Int32)
	srv.SetReject(func(string) error {
		if tries.Add(1) == 1 {
			onHold()
			close(h)
			wait()
		}
		return nil
	})
	return h, tries
}

func waitClosed(t *testing.T, what string, c <-chan struct{}) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: not within 20s", what)
	}
}

// A send whose lease goes unconfirmed (the renewals failing, or not
// answered) for two thirds of a lease on the monotonic clock is cut off
// before the relay takes the mail in, and the job is given back and sent
// again, as the same mail, with no attempt lost; one whose renewals
// succeed is never cut off, however far the wall clock steps, nor one
// whose renewals fail for less than that. The test drives the monotonic
// clock and the renewals, and the relay holds the first try at RCPT until
// told, so nothing here races a timer.
func TestSendCutOffWhenItsLeaseGoesUnconfirmed(t *testing.T) {
	const lease = 30 * time.Second
	type step struct {
		at    time.Duration // on the outbox's monotonic clock; the claim was at 0
		away  bool          // the store refuses renewals
		renew bool          // a renewal is tried
	}
	tests := []struct {
		name  string
		wall  time.Duration // the outbox's wall clock is off by this once the send is under way
		steps []step
		// wantCut: the first try is cut off and the job sent again.
		wantCut bool
		// wantAttempts is the job's attempts at the end: a cut-off send
		// costs none.
		wantAttempts int
	}{
		{"renewals failing for two thirds of a lease: cut off", 0,
			[]step{{lease / 3, true, true}, {2 * lease / 3, true, true}}, true, 1},
		{"renewals unanswered for two thirds of a lease: cut off", 0,
			[]step{{2 * lease / 3, false, false}}, true, 1},
		{"wall clock stepped back a lease, renewals failing: cut off all the same", -2 * lease,
			[]step{{lease / 3, true, false}, {lease / 3, true, true}, {2 * lease / 3, true, true}}, true, 1},
		{"renewals failing just short of two thirds of a lease, then back: not cut off", 0,
			[]step{{lease / 3, true, true}, {2*lease/3 - time.Millisecond, true, true},
				{2*lease/3 - time.Millisecond, false, true}, {lease, false, true},
				{4 * lease / 3, false, true}, {5 * lease / 3, false, true}, {2 * lease, false, true}}, false, 1},
		{"wall clock stepped an hour ahead, renewals succeeding: not cut off", time.Hour,
			[]step{{lease / 3, false, false}, {lease / 3, false, true}, {2 * lease / 3, false, true}, {lease, false, true},
				{4 * lease / 3, false, true}, {5 * lease / 3, false, true}, {2 * lease, false, true}}, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			// Due an hour ago, so a wall clock set back still finds it due.
			f.now = time.Now().Add(-time.Hour)
			const msgID = "sportel.answer.1@mkrs.example"
			id := f.addMail("arben@example.net", msgID)
			srv, m := smtpServer(t)
			release := make(chan struct{})
			var releaseOnce sync.Once
			letGo := func() { releaseOnce.Do(func() { close(release) }) }
			var wall atomic.Int64
			held, tries := holdFirst(t, srv, func() { wall.Store(int64(tt.wall)) }, func() { <-release })

			js := &storeAway{JobStore: f.store}
			logs := testutil.NewLogBuffer(t)
			// Claims come only when asked for (Poke), so none takes the job
			// in flight again after the wall clock steps forward (which the
			// outbox tolerates: TestClockStepDoesNotResendAJobInFlight),
			// and a renewal is the only news of its lease.
			ob := outbox.New(js, m, nil, outbox.Config{Workers: 1, Lease: lease, Poll: time.Hour}, logs.Logger(slog.LevelInfo))
			ob.SetClock(func() time.Time { return time.Now().Add(time.Duration(wall.Load())) })
			var mono atomic.Int64
			outbox.SetLeaseClock(ob, func() time.Duration { return time.Duration(mono.Load()) }, make(chan time.Time))
			stop := testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
			t.Cleanup(letGo) // before stop, which waits for the send

			waitClosed(t, "the relay holding the first try", held)
			for _, s := range tt.steps {
				mono.Store(int64(s.at))
				js.away.Store(s.away)
				if s.renew {
					outbox.RenewHeld(ob)
				}
				outbox.CheckLeases(ob)
			}
			js.away.Store(false)
			if tt.wantCut {
				// Sent again while the first try is still held: it was
				// cut off, not waited for.
				testutil.Eventually(t, "the job sent again", 20*time.Second, func() (bool, error) {
					ob.Poke() // once it is given back
					return f.job(id).State == inquiry.JobDone, nil
				})
			}
			letGo()
			testutil.Eventually(t, "the job done", 20*time.Second, func() (bool, error) {
				ob.Poke() // were it cut off all the same, it is sent again
				return f.job(id).State == inquiry.JobDone, nil
			})
			stop()

			wantTries := map[bool]int32{false: 1, true: 2}[tt.wantCut]
			if n := tries.Load(); n != wantTries {
				t.Errorf("the relay saw %d tries, want %d (cut off: %v)", n, wantTries, tt.wantCut)
			}
			var data [][]byte
			for _, mail := range srv.Mails() {
				data = append(data, mail.Data)
			}
			if n := messageIDs(data)["<"+msgID+">"]; n != 1 || len(data) != 1 {
				t.Errorf("the relay took in %d mails, %d with the answer's Message-ID; want it once", len(data), n)
			}
			if j := f.job(id); j.Attempts != tt.wantAttempts {
				t.Errorf("job has %d attempts, want %d (a cut-off send costs none)", j.Attempts, tt.wantAttempts)
			}
			out := logs.String()
			if cut := strings.Contains(out, "send cut off"); cut != tt.wantCut {
				t.Errorf("logged a cut-off: %v, want %v", cut, tt.wantCut)
			}
			if tt.wantCut {
				for _, want := range []string{"message_id=" + msgID, "renewals failing", "released, to be sent again as the same mail"} {
					if !strings.Contains(out, want) {
						t.Errorf("the cut-off's log line does not say %q", want)
					}
				}
			}
		})
	}
}

// Two instances share a database; A loses it while a slow relay holds
// its send, and B claims the job once A's lease has run out. A's send is
// cut off by its own timer, on the real clocks, so the relay takes the
// answer in once, from B. Before the cut-off, A's send went on when the
// relay answered and the answer reached it twice with no process dying.
func TestTwoInstancesSendOnceWhenOneCannotRenewItsLease(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "sportel.db")
			if driver == "postgres" {
				dsn = cluster.Database(t)
			}
			open := func() store.Store {
				st, err := drivers.Open(ctx, drivers.Options{Driver: driver, DSN: dsn})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			stA, stB := open(), open()
			f := newFixtureOn(t, stA)
			f.now = time.Now()
			const msgID = "sportel.answer.2@mkrs.example"
			id := f.addMail("arben@example.net", msgID)
			srv, mA := smtpServer(t)
			mB := mailerTo(t, srv)
			jsA := &storeAway{JobStore: stA, all: true}
			// The relay holds A's try until it has taken a copy in: B's,
			// or, were A's not cut off, none, and then A's goes through.
			held, _ := holdFirst(t, srv, func() { jsA.away.Store(true) }, func() {
				wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				_ = srv.WaitCount(wctx, 1)
			})

			logs := testutil.NewLogBuffer(t)
			// Twice the shortest lease: A's cut-off comes 2 s before B may
			// claim, a margin no scheduler delay here comes near.
			cfg := outbox.Config{Workers: 1, Lease: 2 * outbox.MinLease, Poll: 50 * time.Millisecond}
			a := outbox.New(jsA, mA, nil, cfg, logs.Logger(slog.LevelInfo).With("instance", "a"))
			b := outbox.New(stB, mB, nil, cfg, logs.Logger(slog.LevelInfo).With("instance", "b"))
			var sentBy []string
			var mu sync.Mutex
			a.Sent = func(inquiry.Job) { mu.Lock(); sentBy = append(sentBy, "a"); mu.Unlock() }
			b.Sent = func(inquiry.Job) { mu.Lock(); sentBy = append(sentBy, "b"); mu.Unlock() }
			stopA := testutil.RunBackground(t, "a's Run", 60*time.Second, a.Run)
			waitClosed(t, "the relay holding a's try", held)
			stopB := testutil.RunBackground(t, "b's Run", 60*time.Second, b.Run)
			testutil.Eventually(t, "the job done", 30*time.Second, func() (bool, error) {
				j, err := stB.TicketJobs(ctx, f.ticket.ID)
				return err == nil && len(j) == 1 && j[0].ID == id && j[0].State == inquiry.JobDone, err
			})
			// A's database comes back; both stop once their sends in hand
			// are over, so a copy of A's, had it gone on, is in by now.
			jsA.away.Store(false)
			stopA()
			stopB()

			var data [][]byte
			for _, mail := range srv.Mails() {
				data = append(data, mail.Data)
			}
			if n := messageIDs(data)["<"+msgID+">"]; n != 1 {
				t.Errorf("the answer reached the relay %d times; no process died", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(sentBy) != 1 || sentBy[0] != "b" {
				t.Errorf("recorded as sent by %v, want by b alone", sentBy)
			}
			if out := logs.String(); !strings.Contains(out, "send cut off") || !strings.Contains(out, "message_id="+msgID) {
				t.Errorf("a did not log its send cut off, with the Message-ID")
			}
		})
	}
}
