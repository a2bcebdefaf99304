package outbox_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
)

// scriptedRelay is a go-smtp server whose answers a test scripts by the
// try (the MAIL FROM commands seen so far, from 1).
type scriptedRelay struct {
	mail func(try int) error
	rcpt func(try int) error
	// data reads the message (it must, unless it drops conn) and answers.
	data func(try int, conn *smtp.Conn, r io.Reader) error

	mu    sync.Mutex
	tries int
	mails [][]byte
}

func (s *scriptedRelay) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &scriptedSession{s: s, conn: c}, nil
}

func (s *scriptedRelay) taken() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mails)
}

type scriptedSession struct {
	s    *scriptedRelay
	conn *smtp.Conn
	try  int
}

func (ss *scriptedSession) Mail(string, *smtp.MailOptions) error {
	ss.s.mu.Lock()
	ss.s.tries++
	ss.try = ss.s.tries
	ss.s.mu.Unlock()
	if ss.s.mail != nil {
		return ss.s.mail(ss.try)
	}
	return nil
}

func (ss *scriptedSession) Rcpt(string, *smtp.RcptOptions) error {
	if ss.s.rcpt != nil {
		return ss.s.rcpt(ss.try)
	}
	return nil
}

func (ss *scriptedSession) Data(r io.Reader) error {
	if ss.s.data != nil {
		if err := ss.s.data(ss.try, ss.conn, r); err != nil {
			return err
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, b)
	ss.s.mu.Unlock()
	return nil
}

func (ss *scriptedSession) Reset()        {}
func (ss *scriptedSession) Logout() error { return nil }

// How the outbox settles a job by what the relay answers, each with the
// real mailer and store: a refusal for good is recorded once and never
// tried again; a temporary one (4xx, a connection closed or hung) is
// retried with backoff until the relay takes the mail, once.
func TestRelayRepliesSettleTheJob(t *testing.T) {
	temp := func(code int, ec smtp.EnhancedCode, msg string) *smtp.SMTPError {
		return &smtp.SMTPError{Code: code, EnhancedCode: ec, Message: msg}
	}
	// firstOnly answers err to the first try only.
	firstOnly := func(err error) func(int) error {
		return func(try int) error {
			if try == 1 {
				return err
			}
			return nil
		}
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name      string
		relay     *scriptedRelay
		greylist  time.Duration // the relay's 451 4.7.1 lasts this long on the outbox's clock
		wantState inquiry.JobState
		wantTries int // MAIL FROM commands in all
		wantMails int // mails the relay took in
	}{
		{"554 after the data: failed once, not retried",
			&scriptedRelay{data: func(int, *smtp.Conn, io.Reader) error {
				return temp(554, smtp.EnhancedCode{5, 7, 1}, "message refused")
			}}, 0, inquiry.JobFailed, 1, 0},
		{"452 at RCPT: retried", &scriptedRelay{rcpt: firstOnly(temp(452, smtp.EnhancedCode{4, 2, 2}, "mailbox full, try later"))},
			0, inquiry.JobDone, 2, 1},
		{"450 at RCPT: retried", &scriptedRelay{rcpt: firstOnly(temp(450, smtp.EnhancedCode{4, 2, 1}, "mailbox busy"))},
			0, inquiry.JobDone, 2, 1},
		{"421 closing at MAIL FROM: retried", &scriptedRelay{mail: firstOnly(temp(421, smtp.EnhancedCode{4, 4, 2}, "closing connection"))},
			0, inquiry.JobDone, 2, 1},
		{"connection dropped in the middle of BDAT: retried, taken in once",
			&scriptedRelay{data: func(try int, c *smtp.Conn, r io.Reader) error {
				if try == 1 {
					io.CopyN(io.Discard, r, 100)
					c.Conn().Close()
				}
				return nil
			}}, 0, inquiry.JobDone, 2, 1},
		{"hangs after MAIL FROM: cut by the command timeout, retried, taken in once",
			&scriptedRelay{mail: func(try int) error {
				if try == 1 {
					<-release
				}
				return nil
			}}, 0, inquiry.JobDone, 2, 1},
		// Default backoff (10 s doubling) and attempts (8) outlast a
		// five-minute greylist.
		{"greylisted for 5 minutes", &scriptedRelay{}, 5 * time.Minute, inquiry.JobDone, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			clock := f.now
			var mu sync.Mutex
			if tt.greylist > 0 {
				tt.relay.rcpt = func(int) error {
					mu.Lock()
					defer mu.Unlock()
					if clock.Sub(f.now) < tt.greylist {
						return temp(451, smtp.EnhancedCode{4, 7, 1}, "greylisted, try again later")
					}
					return nil
				}
			}
			srv := smtp.NewServer(tt.relay)
			srv.Domain = "relay.mkrs.example"
			srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
			ln := testutil.Listen(t)
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
			m, err := mailer.New(mailer.Options{Addr: ln.Addr().String(), Security: mailer.SecurityNone,
				CommandTimeout: 300 * time.Millisecond, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(m.Close)
			id := f.addMail("arben@example.net", "sportel.ack.relay@mkrs.example")
			var tries, final int
			ob := outbox.New(f.store, m, nil, outbox.Config{Lease: time.Minute}, testutil.DiscardLogger())
			ob.Failed = func(_ inquiry.Job, _ error, isFinal bool) {
				tries++
				if isFinal {
					final++
				}
			}
			ob.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
			for range 12 {
				if err := ob.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				j := f.job(id)
				if j.State != inquiry.JobPending {
					break
				}
				mu.Lock()
				clock = j.NextAt.Add(time.Second)
				mu.Unlock()
			}
			j := f.job(id)
			tt.relay.mu.Lock()
			relayTries := tt.relay.tries
			tt.relay.mu.Unlock()
			if j.State != tt.wantState || tt.relay.taken() != tt.wantMails || tt.wantTries > 0 && relayTries != tt.wantTries {
				t.Fatalf("job %s (%q) after %d MAIL FROM, %d mails taken in; want %s, %d, %d",
					j.State, j.LastError, relayTries, tt.relay.taken(), tt.wantState, tt.wantTries, tt.wantMails)
			}
			if wantFinal := map[bool]int{true: 1}[tt.wantState == inquiry.JobFailed]; final != wantFinal {
				t.Errorf("%d failures for good reported, want %d", final, wantFinal)
			}
			if tt.greylist > 0 && (j.Attempts > 8 || tries == 0) {
				t.Errorf("greylisting took %d attempts (%d failed); want it through within 8, after a refusal", j.Attempts, tries)
			}
		})
	}
}
