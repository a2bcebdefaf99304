package inbox

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
)

// slowConn is a link that carries about bytesPerSecond from the server.
type slowConn struct {
	net.Conn
	bytesPerSecond int
}

func (c slowConn) Write(b []byte) (int, error) {
	var n int
	for len(b) > 0 {
		chunk := b[:min(len(b), 8<<10)]
		time.Sleep(time.Duration(len(chunk)) * time.Second / time.Duration(c.bytesPerSecond))
		m, err := c.Conn.Write(chunk)
		n += m
		if err != nil {
			return n, err
		}
		b = b[len(chunk):]
	}
	return n, nil
}

// A large mail on a slow link takes longer to arrive than CommandTimeout
// while it keeps arriving: the watchdog waits for the link to fall
// silent, not for the message to end, or the mail is cut off at every try
// and intake stops at it for good (a 20 MiB mail at 2 Mbit/s takes 80 s;
// the default timeout is 60 s).
func TestLargeMailOnASlowLinkIsNotCutOff(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2, wrapConn: func(c net.Conn) net.Conn {
		return slowConn{Conn: c, bytesPerSecond: 1 << 20}
	}})
	body := strings.Repeat("A slow line of a long letter to the ministry.\r\n", 1<<20/48)
	ts.appendTo("INBOX", rawMail("slow@example.org", "slow link", body), time.Time{})
	ts.appendTo("INBOX", rawMail("after@example.org", "after the slow one", "x"), time.Time{})
	opts := baseOptions(ts)
	opts.CommandTimeout = 300 * time.Millisecond // a third of the big mail's time on the wire
	desk := newTestDesk()
	w, _ := runWatcher(t, opts, desk, newMemCheckpoints())
	calls := desk.waitHandled(t, 2, 15*time.Second)
	if calls[0].Subject != "slow link" || calls[1].Subject != "after the slow one" {
		t.Errorf("taken in %q, %q", calls[0].Subject, calls[1].Subject)
	}
	if st := w.Stats(); st.Errors != 0 {
		t.Errorf("%d errors: the fetch was cut off while it was moving", st.Errors)
	}
}

// cutConn is a link that breaks once the server has sent left bytes.
type cutConn struct {
	net.Conn
	left *atomic.Int64
}

func (c cutConn) Write(b []byte) (int, error) {
	if c.left.Add(-int64(len(b))) < 0 {
		c.Conn.Close()
		return 0, net.ErrClosed
	}
	return c.Conn.Write(b)
}

// The link breaks in the middle of a large mail's literal, at every try
// but the last: each session ends, the next one reads the batch again, and
// each mail is taken in once. go-imap reads a literal whose read failed
// again when the fetch is drained, racing with its own reader on the
// connection's buffer: the race detector (go test -race) fails this test
// while the watcher drains (not at every break: so the link breaks often).
func TestLinkBrokenInTheMiddleOfAMail(t *testing.T) {
	const breaks = 3
	var conns atomic.Int32
	ts := startIMAP(t, serverConfig{caps: capsRev2, wrapConn: func(c net.Conn) net.Conn {
		n := conns.Add(1)
		if n > breaks {
			return c
		}
		left := new(atomic.Int64)
		left.Store(int64(100+50*n) << 10) // within the large mail
		return cutConn{c, left}
	}})
	subjects := []string{"small before", "large one", "small after"}
	ts.appendTo("INBOX", rawMail("before@example.org", subjects[0], "x"), time.Time{})
	ts.appendTo("INBOX", bigRawMail("large@example.org", subjects[1], "x", 1<<20), time.Time{})
	ts.appendTo("INBOX", rawMail("after@example.org", subjects[2], "x"), time.Time{})
	desk := newTestDesk()
	w, _ := runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	calls := desk.waitHandled(t, 3, 10*time.Second)
	ts.mailboxHolds(t, processedBox, 3, 2*time.Second)
	for i, c := range calls {
		if c.Subject != subjects[i] || c.Disposition != inquiry.Filed {
			t.Errorf("call %d: %q %s, want %q filed", i, c.Subject, c.Disposition, subjects[i])
		}
	}
	if st := w.Stats(); st.Errors != breaks || conns.Load() != breaks+1 {
		t.Errorf("%d errors, %d connections; want %d broken links and one more", st.Errors, conns.Load(), breaks)
	}
}
