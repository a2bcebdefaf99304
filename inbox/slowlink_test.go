package inbox

import (
	"net"
	"strings"
	"testing"
	"time"
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
