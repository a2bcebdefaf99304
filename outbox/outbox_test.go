package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/store"
	"sportel/store/sqlite"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// fixture is a real store holding one ticket, and a clock the outbox reads.
type fixture struct {
	t      *testing.T
	store  store.Store
	ticket inquiry.Ticket
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sportel.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newFixtureOn(t, st)
}

// newFixtureOn is newFixture on a store of the test's choosing.
func newFixtureOn(t *testing.T, st store.Store) *fixture {
	t.Helper()
	f := &fixture{t: t, store: st, now: t0}
	f.ticket = inquiry.Ticket{
		Number: "DKP-2026-000001", Channel: inquiry.ChannelEmail,
		Sender:   inquiry.Address{Address: "arben@example.net"},
		Language: inquiry.Albanian, Category: inquiry.GeneralQuestion, OfficerID: "zamira",
		State: inquiry.Assigned, ReceivedAt: t0, UpdatedAt: t0,
	}
	f.inTx(func(tx store.Tx) error { return tx.CreateTicket(&f.ticket) })
	return f
}

func (f *fixture) inTx(fn func(store.Tx) error) {
	f.t.Helper()
	if err := f.store.WithTx(context.Background(), fn); err != nil {
		f.t.Fatal(err)
	}
}

// addMail queues a mail to rcpt with a fixed Message-ID.
func (f *fixture) addMail(rcpt, messageID string) int64 {
	f.t.Helper()
	j := inquiry.Job{
		TicketID: f.ticket.ID, Kind: inquiry.JobAck, Recipient: rcpt, NextAt: f.now, CreatedAt: f.now,
		Mail: &inquiry.Mail{
			MessageID: messageID, Date: f.now,
			From:    inquiry.Address{Address: "komunikimi@mkrs.example"},
			To:      []inquiry.Address{{Address: rcpt}},
			Subject: "Re: Pyetje [DKP-2026-000001]", Text: "Faleminderit.",
		},
	}
	f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
	return j.ID
}

func (f *fixture) addChat(kind inquiry.JobKind, recipient string, chatID int64) int64 {
	f.t.Helper()
	j := inquiry.Job{
		TicketID: f.ticket.ID, Kind: kind, Recipient: recipient, NextAt: f.now, CreatedAt: f.now,
		Chat: &inquiry.ChatMessage{ChatID: chatID, Text: "DKP-2026-000001"},
	}
	f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
	return j.ID
}

// waitJobsDone waits until the fixture's ticket has n jobs, every one done.
func (f *fixture) waitJobsDone(t *testing.T, n int, within time.Duration) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("every one of %d jobs done", n), within, func() (bool, error) {
		all, err := f.store.TicketJobs(context.Background(), f.ticket.ID)
		if err != nil {
			return false, err
		}
		for _, j := range all {
			if j.State != inquiry.JobDone {
				return false, nil
			}
		}
		return len(all) == n, nil
	})
}

func (f *fixture) job(id int64) inquiry.Job {
	f.t.Helper()
	jobs, err := f.store.TicketJobs(context.Background(), f.ticket.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, j := range jobs {
		if j.ID == id {
			return j
		}
	}
	f.t.Fatalf("no job %d", id)
	return inquiry.Job{}
}

func (f *fixture) outbox(mail outbox.MailSender, chat outbox.ChatSender) *outbox.Outbox {
	ob := outbox.New(f.store, mail, chat, outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour, Lease: time.Minute},
		testutil.DiscardLogger())
	ob.SetClock(func() time.Time { return f.now })
	return ob
}

// smtpServer is a real SMTP server and the real mailer that sends to it.
func smtpServer(t *testing.T) (*devserver.SMTP, *mailer.Mailer) {
	t.Helper()
	srv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, mailerTo(t, srv)
}

// mailerTo is a real mailer, with connections of its own, to srv.
func mailerTo(t *testing.T, srv *devserver.SMTP) *mailer.Mailer {
	t.Helper()
	m, err := mailer.New(mailer.Options{Addr: srv.Addr, Security: mailer.SecurityNone, LoopID: "komunikimi@mkrs.example"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestSendsRetriesAndFails(t *testing.T) {
	tests := []struct {
		name      string
		reject    *smtp.SMTPError
		wantState inquiry.JobState
		wantMails int // mails captured after the first drain
	}{
		{"accepted", nil, inquiry.JobDone, 1},
		{"temporary 451 is retried", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}, inquiry.JobPending, 0},
		{"permanent 550 fails with the server's words", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, inquiry.JobFailed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			srv, m := smtpServer(t)
			if tt.reject != nil {
				srv.SetReject(func(string) error { return tt.reject })
			}
			id := f.addMail("arben@example.net", "sportel.ack.1@mkrs.example")
			ob := f.outbox(m, nil)
			if err := ob.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Mails()); n != tt.wantMails {
				t.Fatalf("%d mails captured, want %d", n, tt.wantMails)
			}
			j := f.job(id)
			if j.State != tt.wantState {
				t.Fatalf("job %s (%s), want %s", j.State, j.LastError, tt.wantState)
			}
			switch tt.wantState {
			case inquiry.JobFailed:
				if !strings.Contains(j.LastError, "no such user") {
					t.Errorf("last error %q lacks the server's words", j.LastError)
				}
			case inquiry.JobPending:
				if !j.NextAt.After(f.now) {
					t.Errorf("retry at %v, not after now %v", j.NextAt, f.now)
				}
				// Once the server accepts and the backoff has passed, the same
				// mail goes out.
				srv.SetReject(nil)
				f.now = j.NextAt.Add(time.Second)
				if err := ob.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				mails := srv.Mails()
				if len(mails) != 1 || !strings.Contains(string(mails[0].Data), j.Mail.MessageID) {
					t.Fatalf("after retry: %d mails; want the one with Message-ID %s", len(mails), j.Mail.MessageID)
				}
				if j := f.job(id); j.State != inquiry.JobDone {
					t.Errorf("after retry the job is %s", j.State)
				}
			}
		})
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFixture(t)
	srv, m := smtpServer(t)
	srv.SetReject(func(string) error { return &smtp.SMTPError{Code: 421, Message: "busy"} })
	id := f.addMail("arben@example.net", "sportel.ack.2@mkrs.example")
	ob := f.outbox(m, nil)
	for range 5 {
		if err := ob.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(2 * time.Hour)
	}
	if j := f.job(id); j.State != inquiry.JobFailed || j.Attempts != 3 {
		t.Errorf("job %s after %d attempts, want failed after 3", j.State, j.Attempts)
	}
}

// chatRecorder is a ChatSender that answers with Telegram-style references.
type chatRecorder struct {
	mu   sync.Mutex
	next int
	fail error
}

func (c *chatRecorder) SendChat(_ context.Context, m *inquiry.ChatMessage) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return "", c.fail
	}
	c.next++
	return fmt.Sprintf("tg:%d:%d", m.ChatID, 900+c.next), nil
}

// A sent Telegram message's reference is recorded with the job's completion,
// so an officer's reply to a notification finds the ticket and the officer.
func TestChatSendRecordsThreadRef(t *testing.T) {
	f := newFixture(t)
	notify := f.addChat(inquiry.JobNotify, "zamira", 555)
	ack := f.addChat(inquiry.JobAck, "tg:777", 777)
	ob := f.outbox(nil, &chatRecorder{})
	if err := ob.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id      int64
		officer string
	}{{notify, "zamira"}, {ack, ""}} {
		j := f.job(tt.id)
		if j.State != inquiry.JobDone || j.SentRef == "" {
			t.Fatalf("job %d: %s, ref %q", tt.id, j.State, j.SentRef)
		}
		ref, ok, err := f.store.ThreadRef(context.Background(), j.SentRef)
		if err != nil || !ok {
			t.Fatalf("thread ref %s: ok=%v err=%v", j.SentRef, ok, err)
		}
		if ref.TicketID != f.ticket.ID || ref.Kind != j.Kind || ref.OfficerID != tt.officer {
			t.Errorf("thread ref %+v, want ticket %d, kind %s, officer %q", ref, f.ticket.ID, j.Kind, tt.officer)
		}
	}
}

type permanent struct{ error }

func (permanent) Permanent() bool { return true }

type rateLimited struct{ after time.Duration }

func (r rateLimited) Error() string             { return "429 too many requests" }
func (r rateLimited) RetryAfter() time.Duration { return r.after }

func TestChatFailures(t *testing.T) {
	tests := []struct {
		name      string
		chat      outbox.ChatSender
		wantState inquiry.JobState
		wantErr   string
		minDelay  time.Duration
	}{
		{"telegram off", nil, inquiry.JobFailed, "telegram is not configured", 0},
		{"permanent", &chatRecorder{fail: permanent{errors.New("403 bot was blocked")}}, inquiry.JobFailed, "blocked", 0},
		{"retry-after beats backoff", &chatRecorder{fail: rateLimited{after: 3 * time.Hour}}, inquiry.JobPending, "429", 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.addChat(inquiry.JobAck, "tg:777", 777)
			if err := f.outbox(nil, tt.chat).Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			j := f.job(id)
			if j.State != tt.wantState || !strings.Contains(j.LastError, tt.wantErr) {
				t.Fatalf("job %s (%q), want %s with %q", j.State, j.LastError, tt.wantState, tt.wantErr)
			}
			if tt.minDelay > 0 && j.NextAt.Sub(f.now) < tt.minDelay {
				t.Errorf("retry in %v, want at least %v", j.NextAt.Sub(f.now), tt.minDelay)
			}
		})
	}
}

// Run sends a job as soon as it is poked, without waiting for the poll.
// idleSignal is the job store with a signal when the outbox, having found
// nothing to claim, asks when the next job is due: it is about to wait.
type idleSignal struct {
	outbox.JobStore
	idle chan struct{}
}

func (s idleSignal) NextJobAt(ctx context.Context) (time.Time, bool, error) {
	select {
	case s.idle <- struct{}{}:
	default:
	}
	return s.JobStore.NextJobAt(ctx)
}

// Run sends a job as soon as it is poked, without waiting for the poll.
func TestRunSendsOnPoke(t *testing.T) {
	f := newFixture(t)
	sent := make(chan inquiry.Job, 1)
	jobs := idleSignal{JobStore: f.store, idle: make(chan struct{}, 1)}
	ob := outbox.New(jobs, nil, &chatRecorder{}, outbox.Config{Poll: time.Hour}, testutil.DiscardLogger())
	ob.Sent = func(j inquiry.Job) { sent <- j }
	testutil.RunBackground(t, "Run", 10*time.Second, ob.Run)
	// Only once the outbox has found the queue empty and gone to wait (an
	// hour) does the job arrive: nothing but the poke can wake it.
	select {
	case <-jobs.idle:
	case <-time.After(10 * time.Second):
		t.Fatal("the outbox never went idle")
	}
	f.now = time.Now()
	id := f.addChat(inquiry.JobAck, "tg:777", 777)
	ob.Poke()
	select {
	case j := <-sent:
		if j.ID != id || j.State != inquiry.JobDone {
			t.Errorf("sent %+v", j)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the poked job was not sent (poll is an hour)")
	}
}

// A slow relay and a backlog larger than the workers: every job is sent
// exactly once. The outbox claims about what it will send soon, renews the
// leases of what it holds, and never lets a queued job's lease lapse into a
// second claim (which, with a lease shorter than the queue's wait, used to
// send the same mail twice).
func TestSlowRelaySendsEachJobOnce(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now()
	srv, m := smtpServer(t)
	const perRecipient = 400 * time.Millisecond
	srv.SetReject(func(string) error { time.Sleep(perRecipient); return nil })
	const jobs = 24
	for i := range jobs {
		f.addMail(fmt.Sprintf("c%d@example.net", i), fmt.Sprintf("sportel.ack.slow%d@mkrs.example", i))
	}
	// Two workers need about 24 × 0.4 s / 2 ≈ 5 s: longer than the lease.
	ob := outbox.New(f.store, m, nil, outbox.Config{Workers: 2, Lease: outbox.MinLease, Poll: 50 * time.Millisecond}, testutil.DiscardLogger())
	testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
	testutil.Eventually(t, "every job sent and recorded", 30*time.Second, func() (bool, error) {
		done, err := f.store.ListJobs(context.Background(), inquiry.JobDone, 0)
		return len(done) == jobs, err
	})
	seen := map[string]int{}
	for _, mail := range srv.Mails() {
		for _, line := range strings.Split(string(mail.Data), "\r\n") {
			if id, ok := strings.CutPrefix(line, "Message-Id: "); ok {
				seen[id]++
			} else if id, ok := strings.CutPrefix(line, "Message-ID: "); ok {
				seen[id]++
			}
		}
	}
	if len(seen) != jobs {
		t.Fatalf("%d distinct Message-IDs on the wire, want %d", len(seen), jobs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
}

// stalledRelay stops reading in the middle of a mail: the send runs until
// the outbox's SendTimeout cuts it off.
type stalledRelay struct{}

func (stalledRelay) SendMail(ctx context.Context, m *inquiry.Mail) error {
	<-ctx.Done()
	return fmt.Errorf("smtp data: write: %w", ctx.Err())
}

// A send cut off by SendTimeout is recorded like any temporary failure:
// its error kept, tried again after the backoff, failed for good once the
// attempts run out. Recorded under the spent send's own time limit it was
// not recorded at all, and the job was sent again at every lease's end.
func TestSendCutOffByItsTimeLimitIsRecorded(t *testing.T) {
	f := newFixture(t)
	id := f.addMail("arben@example.net", "ack-timeout@mkrs.example")
	ob := outbox.New(f.store, stalledRelay{}, nil,
		outbox.Config{MaxAttempts: 2, BackoffMin: time.Minute, BackoffMax: time.Hour, Lease: time.Minute, SendTimeout: 100 * time.Millisecond},
		testutil.DiscardLogger())
	ob.SetClock(func() time.Time { return f.now })
	tests := []struct {
		state    inquiry.JobState
		attempts int
		retried  bool // due again later, after a backoff
	}{
		{inquiry.JobPending, 1, true},
		{inquiry.JobFailed, 2, false},
	}
	for i, tt := range tests {
		if err := ob.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		j := f.job(id)
		if j.State != tt.state || j.Attempts != tt.attempts || !strings.Contains(j.LastError, "deadline exceeded") {
			t.Fatalf("after drain %d: state %s, attempts %d, error %q; want %s, %d, the time limit's error", i+1, j.State, j.Attempts, j.LastError, tt.state, tt.attempts)
		}
		if tt.retried && !j.NextAt.After(f.now) {
			t.Errorf("after drain %d: due again at %s, not after a backoff from %s", i+1, j.NextAt, f.now)
		}
		f.now = f.now.Add(2 * time.Minute)
	}
}
