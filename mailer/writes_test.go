package mailer

import (
	"bufio"
	"bytes"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// scriptConn is a connection that answers with canned replies and records
// each Write call as it was made, the way the mailer's connection is
// wrapped (net.Buffers cannot use writev on it).
type scriptConn struct {
	net.Conn // nil: only what send uses is implemented
	replies  *strings.Reader
	writes   [][]byte
}

func (c *scriptConn) Read(b []byte) (int, error) { return c.replies.Read(b) }
func (c *scriptConn) Write(b []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(b))
	return len(b), nil
}
func (c *scriptConn) SetDeadline(time.Time) error { return nil }

// A message of at most oneWriteMax bytes goes with its end in one write
// after the commands, the point of no return asked before it; a larger
// one goes before the hook is asked and its end after, in a write of its
// own. One write a mail instead of two or three is a read fewer for the
// relay, which for the acknowledgements and notifications that are most
// of the mail is a good part of what a send costs.
func TestMessageWrites(t *testing.T) {
	small := []byte("Subject: x\r\n\r\nshort\r\n")
	large := bytes.Repeat([]byte("a line of a large message\r\n"), oneWriteMax/16)
	tests := []struct {
		name     string
		chunking bool
		msg      []byte
		// wantWrites is what is written after MAIL FROM and RCPT TO;
		// askedAfter is how many of them went before the hook was asked.
		wantWrites, askedAfter int
	}{
		{"chunked, small", true, small, 1, 0},
		// BDAT and the message not copied, then BDAT 0 LAST.
		{"chunked, large", true, large, 3, 2},
		// DATA went with the pipelined commands.
		{"data, small", false, small, 1, 0},
		{"data, large", false, large, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replies := "250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"
			if !tt.chunking {
				replies = "250 ok\r\n250 ok\r\n354 go on\r\n250 ok\r\n"
			}
			conn := &scriptConn{replies: strings.NewReader(replies)}
			cl := &client{conn: conn, r: textproto.NewReader(bufio.NewReader(conn)), pipelining: true,
				chunking: tt.chunking, commandTimeout: time.Minute, submissionTimeout: time.Minute}
			asked := -1
			commit := func() bool { asked = len(conn.writes) - 1; return true }
			if err := cl.send("a@example.org", false, []string{"b@example.org"}, &outgoing{rendered: tt.msg}, commit); err != nil {
				t.Fatal(err)
			}
			if got := len(conn.writes) - 1; got != tt.wantWrites {
				t.Errorf("%d writes after the commands, want %d", got, tt.wantWrites)
			}
			if asked != tt.askedAfter {
				t.Errorf("the hook was asked after %d writes of the message, want %d", asked, tt.askedAfter)
			}
			last := conn.writes[len(conn.writes)-1]
			end := []byte(lastChunk)
			if !tt.chunking {
				end = []byte(dataEnd)
			}
			if !bytes.HasSuffix(last, end) {
				t.Errorf("the last write ends %q, want the mail's end %q", last[max(0, len(last)-20):], end)
			}
		})
	}
}
