package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// storeDown is the real store while a switch says the database is down:
// every call of the outbox's fails, as a stopped PostgreSQL's do.
type storeDown struct {
	outbox.JobStore
	down atomic.Bool
	// finishFails counts the completion commits that failed.
	finishFails atomic.Int32
}

var errDown = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

func (s *storeDown) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error) {
	if s.down.Load() {
		return nil, errDown
	}
	return s.JobStore.ClaimJobs(ctx, owner, now, lease, limit)
}

func (s *storeDown) ClaimJobsBy(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int, tr store.Transport) ([]inquiry.Job, error) {
	if s.down.Load() {
		return nil, errDown
	}
	return s.JobStore.ClaimJobsBy(ctx, owner, now, lease, limit, tr)
}

func (s *storeDown) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	if s.down.Load() {
		return nil, errDown
	}
	return s.JobStore.RenewLeases(ctx, owner, ids, until)
}

func (s *storeDown) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) ([]int64, error) {
	if s.down.Load() {
		s.finishFails.Add(1)
		return nil, errDown
	}
	return s.JobStore.FinishJobs(ctx, owner, sent, now)
}

func (s *storeDown) ReleaseJob(ctx context.Context, id int64, owner string) error {
	if s.down.Load() {
		return errDown
	}
	return s.JobStore.ReleaseJob(ctx, id, owner)
}

func (s *storeDown) RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) error {
	if s.down.Load() {
		return errDown
	}
	return s.JobStore.RetryJob(ctx, id, owner, next, errText)
}

func (s *storeDown) FailJob(ctx context.Context, id int64, owner string, errText string, now time.Time) error {
	if s.down.Load() {
		return errDown
	}
	return s.JobStore.FailJob(ctx, id, owner, errText, now)
}

func (s *storeDown) NextJobAt(ctx context.Context) (time.Time, bool, error) {
	if s.down.Load() {
		return time.Time{}, false, errDown
	}
	return s.JobStore.NextJobAt(ctx)
}

func (s *storeDown) GetState(ctx context.Context, key string) (string, bool, error) {
	if s.down.Load() {
		return "", false, errDown
	}
	return s.JobStore.GetState(ctx, key)
}

func (s *storeDown) SetState(ctx context.Context, key, value string) error {
	if s.down.Load() {
		return errDown
	}
	return s.JobStore.SetState(ctx, key, value)
}

// The store going down while a mail is sent, and staying down through
// many claim polls, renewal ticks and completion retries, is said once at
// error level and once when it answers again; the mail is recorded, sent
// once. With more mail queued, the sends held back for the outage are not
// said again as completions held up by a lock: neither while it lasts
// (the default lease, long enough that the workers wait for the store all
// through it), nor after it while the completions wait out their retry's
// backoff (the store back just after the seventh failed commit, whose
// retry comes 2.5 to 5 s later; meanwhile the claims, every 20 ms, find it
// answering, and the workers, their shortest leases gone stale in the
// outage, have new jobs to wait with).
func TestStoreOutageLoggedOnce(t *testing.T) {
	tests := []struct {
		name          string
		jobs, workers int
		lease         time.Duration
		// downFor failed completion commits; 0: for 2.5 s.
		downFor int32
		// anyWarning: a send may meet the outage after its lease went a
		// third unconfirmed (the shortest lease, on a loaded machine), and
		// that is said at warn; the lock's line never is.
		anyWarning bool
	}{
		{"one mail", 1, 1, outbox.MinLease, 0, false},
		{"sends held back", 8, 2, 0, 0, false},
		{"completions waiting out their backoff", 8, 2, outbox.MinLease, 7, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.now = time.Now()
			srv, m := smtpServer(t)
			js := &storeDown{JobStore: f.store}
			var wentDown atomic.Bool
			srv.SetReject(func(string) error {
				if wentDown.CompareAndSwap(false, true) {
					js.down.Store(true) // while the relay has the first mail
				}
				time.Sleep(100 * time.Millisecond)
				return nil
			})
			for i := range tc.jobs {
				f.addMail(fmt.Sprintf("arben%d@example.net", i), fmt.Sprintf("sportel.ack.outage%d@mkrs.example", i))
			}
			logs := testutil.NewLogBuffer(t)
			ob := outbox.New(js, m, nil, outbox.Config{Workers: tc.workers, Lease: tc.lease, Poll: 20 * time.Millisecond}, logs.Logger(slog.LevelInfo))
			testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
			testutil.Eventually(t, "a mail on the relay", 10*time.Second, func() (bool, error) { return srv.Count() >= 1, nil })
			if tc.downFor == 0 {
				// Many polls (20 ms), a renewal tick (1 s at the shortest
				// lease) and completion retries.
				time.Sleep(2500 * time.Millisecond)
			} else {
				testutil.Eventually(t, "completion commits failed", 30*time.Second, func() (bool, error) {
					return js.finishFails.Load() >= tc.downFor, nil
				})
			}
			js.down.Store(false)
			f.waitJobsDone(t, tc.jobs, 20*time.Second)
			testutil.Eventually(t, "the recovery logged", 10*time.Second, func() (bool, error) {
				return strings.Contains(logs.String(), "store answers again"), nil
			})
			got := logs.String()
			if n := strings.Count(got, "level=ERROR"); n != 1 || !strings.Contains(got, "store failing") {
				t.Errorf("%d error lines, want one saying the store fails:\n%s", n, got)
			}
			if n := strings.Count(got, "level=WARN"); n != 0 && !tc.anyWarning {
				t.Errorf("%d warnings during the outage, want none beside the one error:\n%s", n, got)
			}
			if strings.Contains(got, "completions not recorded") {
				t.Errorf("the outage said again as completions held up by a lock:\n%s", got)
			}
			if n := strings.Count(got, "store answers again"); n != 1 {
				t.Errorf("%d recovery lines, want 1:\n%s", n, got)
			}
			if n := srv.Count(); n != tc.jobs {
				t.Errorf("%d mails on the relay, want %d", n, tc.jobs)
			}
		})
	}
}
