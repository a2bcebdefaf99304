package outbox_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store/drivers"
)

// commitCutter passes connections to a PostgreSQL server. Once armed, the
// first connection that sends COMMIT is cut as soon as the server answers
// it: the transaction is committed, and the client never hears so, as when
// the network or the server's host goes at that moment.
type commitCutter struct {
	target string
	armed  atomic.Bool
	cuts   atomic.Int32
}

// startCommitCutter listens on a loopback port for connections to target
// and returns the address to dial instead.
func startCommitCutter(t *testing.T, target string) (*commitCutter, string) {
	t.Helper()
	ln := testutil.Listen(t)
	p := &commitCutter{target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pass(c)
		}
	}()
	return p, ln.Addr().String()
}

// pass carries one connection both ways until either side ends it, or
// until the server answers a COMMIT the proxy was armed for.
func (p *commitCutter) pass(c net.Conn) {
	defer c.Close()
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer u.Close()
	var cut atomic.Bool
	go func() {
		defer u.Close()
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				// pgx sends a commit as a simple query, its text ended by NUL.
				if bytes.Contains(buf[:n], []byte("commit\x00")) && p.armed.CompareAndSwap(true, false) {
					cut.Store(true) // before the server can answer
				}
				if _, err := u.Write(buf[:n]); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := u.Read(buf)
		if cut.Load() {
			// The server has answered the COMMIT: it is done. The client
			// gets the connection closed instead.
			p.cuts.Add(1)
			return
		}
		if n > 0 {
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// A completion whose commit went through but whose answer was lost (the
// connection cut right after COMMIT was sent) is tried again, as any
// failed completion is. The retry finds the job already recorded by this
// outbox: the mail went once, the job is done, and the send is counted as
// sent, not logged as one whose lease passed to another worker (which
// says a second copy may go) and left out of the counts.
func TestCompletionWhoseCommitWasNotHeard(t *testing.T) {
	ctx := context.Background()
	dsn := cluster.Database(t)
	port := regexp.MustCompile(`port=(\d+)`).FindStringSubmatch(dsn)[1]
	cutter, addr := startCommitCutter(t, "127.0.0.1:"+port)
	_, proxyPort, _ := net.SplitHostPort(addr)
	st, err := drivers.Open(ctx, drivers.Options{Driver: "postgres", DSN: strings.Replace(dsn, "port="+port, "port="+proxyPort, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newFixtureOn(t, st)
	f.now = time.Now()
	const msgID = "sportel.ack.commit@mkrs.example"
	id := f.addMail("arben@example.net", msgID)
	srv, m := smtpServer(t)

	// The outbox's first transaction is the completion's: claims and
	// renewals are single statements.
	cutter.armed.Store(true)
	logs := testutil.NewLogBuffer(t)
	ob := outbox.New(st, m, nil, outbox.Config{Workers: 1, Lease: outbox.MinLease, Poll: 50 * time.Millisecond}, logs.Logger(slog.LevelInfo))
	var sent atomic.Int32
	ob.Sent = func(inquiry.Job) { sent.Add(1) }
	stop := testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
	testutil.Eventually(t, "the job recorded done", 20*time.Second, func() (bool, error) {
		return f.job(id).State == inquiry.JobDone, nil
	})
	testutil.Eventually(t, "the send counted as sent", 10*time.Second, func() (bool, error) {
		return sent.Load() > 0 || strings.Contains(logs.String(), "lease had passed"), nil
	})
	stop()

	if n := cutter.cuts.Load(); n != 1 {
		t.Fatalf("%d connections cut after their COMMIT, want 1", n)
	}
	var data [][]byte
	for _, mail := range srv.Mails() {
		data = append(data, mail.Data)
	}
	if n := messageIDs(data)["<"+msgID+">"]; n != 1 || len(data) != 1 {
		t.Errorf("the relay took in %d mails, %d of them the job's; want it once", len(data), n)
	}
	if n := sent.Load(); n != 1 {
		t.Errorf("the send counted as sent %d times, want once", n)
	}
	out := logs.String()
	if strings.Contains(out, "lease had passed") {
		t.Errorf("the send whose completion was recorded is logged as one whose lease passed to another worker:\n%s", out)
	}
	if !strings.Contains(out, "store answers again") {
		t.Errorf("the failed completion's retry is not logged as the store answering again:\n%s", out)
	}
}
