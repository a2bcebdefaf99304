package outbox_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailer"
)

// stallAt is where a stallingRelay holds its first transaction.
type stallAt int

const (
	// stallAtRcpt holds the reply to RCPT: the message is not written yet.
	stallAtRcpt stallAt = iota
	// stallAtEnd holds the reply to the end of the mail (BDAT 0 LAST, or
	// DATA's final "."), the mail taken in already, as a relay that has it
	// and is slow to say so.
	stallAtEnd
)

// stallingRelay is go-smtp's server keeping the mail it takes in; it holds
// its first transaction where stall says until let go.
type stallingRelay struct {
	addr    string
	stall   stallAt
	held    chan struct{} // closed once the first transaction is held
	release chan struct{}
	letGo   func()

	mu    sync.Mutex
	tries int // transactions begun (MAIL FROM)
	mails [][]byte
}

func startStallingRelay(t *testing.T, stall stallAt) *stallingRelay {
	t.Helper()
	r := &stallingRelay{stall: stall, held: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	r.letGo = func() { once.Do(func() { close(r.release) }) }
	srv := smtp.NewServer(r)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln := testutil.Listen(t)
	go func() { _ = srv.Serve(ln) }()
	// Let go before the server closes, which waits for its sessions.
	t.Cleanup(func() { srv.Close() })
	t.Cleanup(r.letGo)
	r.addr = ln.Addr().String()
	return r
}

func (r *stallingRelay) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &stallingSession{r: r}, nil
}

func (r *stallingRelay) taken() (tries int, mails [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries, append([][]byte(nil), r.mails...)
}

// hold holds the first transaction, when it is the one at the point where
// the relay stalls.
func (r *stallingRelay) hold(try int, at stallAt) {
	if try == 1 && at == r.stall {
		close(r.held)
		<-r.release
	}
}

type stallingSession struct {
	r   *stallingRelay
	try int
}

func (s *stallingSession) Mail(string, *smtp.MailOptions) error {
	s.r.mu.Lock()
	s.r.tries++
	s.try = s.r.tries
	s.r.mu.Unlock()
	return nil
}

func (s *stallingSession) Rcpt(string, *smtp.RcptOptions) error {
	s.r.hold(s.try, stallAtRcpt)
	return nil
}

func (s *stallingSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	s.r.mails = append(s.r.mails, data)
	s.r.mu.Unlock()
	s.r.hold(s.try, stallAtEnd)
	return nil
}

func (s *stallingSession) Reset()        {}
func (s *stallingSession) Logout() error { return nil }

// withoutChunking relays connections to target with CHUNKING dropped from
// its EHLO reply: a relay that takes mail after DATA only.
func withoutChunking(t *testing.T, target string) string {
	t.Helper()
	ln := testutil.Listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				return
			}
			go func() {
				_, _ = io.Copy(s, c)
				s.Close()
			}()
			go func() {
				defer c.Close()
				r := bufio.NewReader(s)
				for {
					line, err := r.ReadSlice('\n')
					if string(line) == "250-CHUNKING\r\n" {
						continue
					}
					if _, werr := c.Write(line); werr != nil || err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// A send whose lease goes unconfirmed for two thirds of a lease (the
// renewals failing) is cut off while the relay has not been sent the end
// of the mail: nothing of that try is taken in, and the job is sent again,
// once. Past that point the relay may have the whole mail, so the send is
// not cut off: it finishes, the mail taken in once and recorded as sent,
// with a warning; a relay that never answers fails the send after the
// mailer's submission timeout, recorded as any failed send. Chunked and
// after DATA alike. The test drives the monotonic clock and the renewals;
// the relay holds its first try until told.
func TestSendPastItsPointOfNoReturnIsNotCutOff(t *testing.T) {
	const lease = 30 * time.Second
	tests := []struct {
		name  string
		stall stallAt
		// submission is the mailer's submission timeout; 0: the default.
		submission time.Duration
		// letGo: the relay is let go once the lease has gone unconfirmed;
		// otherwise it holds the try until the test ends.
		letGo bool
		// wantTries is the transactions the relay sees; wantState and
		// wantAttempts the job's at the end.
		wantTries    int
		wantState    inquiry.JobState
		wantAttempts int
		wantLogs     []string
		wantNoLogs   []string
	}{
		{name: "held at RCPT: cut off, sent again once", stall: stallAtRcpt, letGo: true,
			wantTries: 2, wantState: inquiry.JobDone, wantAttempts: 1,
			wantLogs:   []string{"send cut off", "released, to be sent again as the same mail"},
			wantNoLogs: []string{"point of no return"}},
		{name: "held at the end: not cut off, recorded as sent", stall: stallAtEnd, letGo: true,
			wantTries: 1, wantState: inquiry.JobDone, wantAttempts: 1,
			wantLogs:   []string{"level=WARN", "past its point of no return", "not cut off", "renewals failing"},
			wantNoLogs: []string{"send cut off"}},
		{name: "held at the end for good: the submission timeout ends it, retried later", stall: stallAtEnd,
			submission: 2 * time.Second,
			wantTries:  1, wantState: inquiry.JobPending, wantAttempts: 1,
			wantLogs:   []string{"past its point of no return", "send failed, will retry"},
			wantNoLogs: []string{"send cut off"}},
	}
	for _, chunked := range []bool{true, false} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("chunked %v, %s", chunked, tt.name), func(t *testing.T) {
				f := newFixture(t)
				f.now = time.Now()
				const msgID = "sportel.ack.3@mkrs.example"
				id := f.addMail("arben@example.net", msgID)
				relay := startStallingRelay(t, tt.stall)
				addr := relay.addr
				if !chunked {
					addr = withoutChunking(t, addr)
				}
				m, err := mailer.New(mailer.Options{Addr: addr, Security: mailer.SecurityNone,
					SubmissionTimeout: tt.submission, Logger: testutil.DiscardLogger()})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(m.Close)

				js := &storeAway{JobStore: f.store}
				logs := testutil.NewLogBuffer(t)
				d := newLeaseDriven(js, m, nil, lease, logs.Logger(slog.LevelInfo))
				ob, sent, failed := d.ob, &d.sent, &d.failed
				stop := testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
				t.Cleanup(relay.letGo) // before stop, which waits for the send

				waitClosed(t, "the relay holding the first try", relay.held)
				// Two renewals fail; two thirds of a lease after the claim
				// the guard looks.
				d.missRenewals(lease)
				if tt.stall == stallAtRcpt {
					// Sent again while the relay still holds the first try:
					// it was cut off, not waited for.
					testutil.Eventually(t, "the job sent again", 20*time.Second, func() (bool, error) {
						ob.Poke() // once it is given back
						return sent.Load() > 0, nil
					})
				}
				if tt.letGo {
					relay.letGo()
				}
				testutil.Eventually(t, "the send's outcome recorded", 20*time.Second, func() (bool, error) {
					ob.Poke() // a job given back is claimed again
					return sent.Load()+failed.Load() > 0, nil
				})
				stop()

				tries, mails := relay.taken()
				if tries != tt.wantTries {
					t.Errorf("the relay saw %d tries, want %d", tries, tt.wantTries)
				}
				if n := messageIDs(mails)["<"+msgID+">"]; n != 1 || len(mails) != 1 {
					t.Errorf("the relay took in %d mails, %d with the Message-ID; want it once", len(mails), n)
				}
				j := f.job(id)
				if j.State != tt.wantState || j.Attempts != tt.wantAttempts {
					t.Errorf("job %s after %d attempts (%q), want %s after %d", j.State, j.Attempts, j.LastError, tt.wantState, tt.wantAttempts)
				}
				if wantSent := int32(map[bool]int{true: 1}[tt.wantState == inquiry.JobDone]); sent.Load() != wantSent {
					t.Errorf("recorded as sent %d times, want %d", sent.Load(), wantSent)
				}
				out := logs.String()
				for _, want := range append(tt.wantLogs, "message_id="+msgID) {
					if !strings.Contains(out, want) {
						t.Errorf("the log does not say %q", want)
					}
				}
				for _, unwanted := range tt.wantNoLogs {
					if strings.Contains(out, unwanted) {
						t.Errorf("the log says %q", unwanted)
					}
				}
			})
		}
	}
}
