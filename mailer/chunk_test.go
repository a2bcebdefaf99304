package mailer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// rawSMTP is a bare connection to an SMTP server, for transactions written
// by hand.
type rawSMTP struct {
	t    *testing.T
	conn net.Conn
	r    *textproto.Reader
}

func dialRaw(t *testing.T, addr string) *rawSMTP {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(time.Minute))
	c := &rawSMTP{t: t, conn: conn, r: textproto.NewReader(bufio.NewReader(conn))}
	c.expect(220)
	c.write([]byte("EHLO test.example\r\n"))
	c.expect(250)
	return c
}

func (c *rawSMTP) write(b []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawSMTP) expect(code int) {
	c.t.Helper()
	if _, _, err := c.r.ReadResponse(code); err != nil {
		c.t.Fatal(err)
	}
}

// What a server takes in from a BDAT chunk is what it takes in from the
// same message after DATA: go-smtp's server, given chunkData(msg) and
// wireData(msg) for each message, stores the same bytes.
func TestChunkDataIsWhatDataDelivers(t *testing.T) {
	be := &backend{}
	c := dialRaw(t, startSMTP(t, be, nil, false))
	var msgs [][]byte
	for _, m := range lineEdgeCases {
		msgs = append(msgs, []byte(m))
	}
	msgs = append(msgs, randomLineBytes(3, 2000)...)
	raw, err := Render(sampleMail(), "")
	if err != nil {
		t.Fatal(err)
	}
	msgs = append(msgs, raw)
	const envelope = "MAIL FROM:<dkp@kultura.example.gov>\r\nRCPT TO:<a@example.org>\r\n"
	for _, msg := range msgs {
		c.write([]byte(envelope + "DATA\r\n"))
		c.expect(250)
		c.expect(250)
		c.expect(354)
		c.write(wireData(bytes.Clone(msg)))
		c.expect(250)
		chunk := chunkData(bytes.Clone(msg))
		c.write(fmt.Appendf(nil, envelope+"BDAT %d LAST\r\n%s", len(chunk), chunk))
		c.expect(250)
		c.expect(250)
		c.expect(250)
	}
	got := be.mails()
	if len(got) != 2*len(msgs) {
		t.Fatalf("server took %d mails, want %d", len(got), 2*len(msgs))
	}
	for i, msg := range msgs {
		if data, chunked := got[2*i].Data, got[2*i+1].Data; !bytes.Equal(data, chunked) {
			t.Errorf("message %q: after DATA the server took %q, from BDAT %q", head(msg), head(data), head(chunked))
		}
	}
}

// Rendered mail is already what a chunk carries: it goes out as it is,
// and the chunk leaves msg's spare room alone, so that the DATA form can
// still be made from the same buffer.
func TestChunkDataDoesNotCopyOrWriteBeyond(t *testing.T) {
	raw, err := Render(sampleMail(), "")
	if err != nil {
		t.Fatal(err)
	}
	if c := chunkData(raw); &c[0] != &raw[0] || len(c) != len(raw) {
		t.Error("chunkData copied or changed a message rendered for the wire")
	}
	for _, m := range lineEdgeCases {
		buf := make([]byte, len(m), len(m)+16)
		copy(buf, m)
		spare := buf[len(buf):cap(buf)]
		for i := range spare {
			spare[i] = '#'
		}
		chunkData(buf)
		if string(buf) != m || strings.Trim(string(spare), "#") != "" {
			t.Errorf("chunkData(%q) wrote into the message or its spare room: %q + %q", m, buf, spare)
		}
	}
}

// To a server with CHUNKING every mail goes as one BDAT chunk and an empty
// BDAT LAST, with or without PIPELINING, small or large, on a fresh or a
// kept connection: the server takes in exactly the rendered mail, and no
// DATA is sent.
func TestSendMailChunked(t *testing.T) {
	withFile := sampleMail()
	withFile.Text = "Teksti i qytetarit.\n.\n..rresht me pika\n" + withFile.Text
	withFile.Attachments = []inquiry.Attachment{{Name: "kerkesa.pdf", ContentType: "application/pdf",
		Content: bytes.Repeat([]byte("%PDF-1.7 \x00\x01\x02\xff.\n"), 20_000)}}
	large := sampleMail()
	large.Attachments = []inquiry.Attachment{{Name: "arkivi.zip", ContentType: "application/zip",
		Content: bytes.Repeat([]byte("PK\x03\x04 arkiv \xfe\n"), 120_000)}} // about 2 MB once encoded
	for _, hide := range []bool{false, true} {
		name := "pipelining"
		var hidden []string
		if hide {
			name, hidden = "no pipelining", []string{"PIPELINING\r\n"}
		}
		t.Run(name, func(t *testing.T) {
			be := &backend{}
			p := startProxy(t, startSMTP(t, be, nil, false), hidden...)
			mlr, err := New(Options{Addr: p.addr, Security: SecurityNone, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			mails := []*inquiry.Mail{sampleMail(), withFile, large, sampleMail()}
			for _, m := range mails {
				if err := mlr.SendMail(context.Background(), m); err != nil {
					t.Fatal(err)
				}
			}
			mlr.Close()
			got := be.mails()
			if len(got) != len(mails) {
				t.Fatalf("server took %d mails, want %d", len(got), len(mails))
			}
			for i, m := range mails {
				if want := renderLike(t, m, got[i].Data); !bytes.Equal(got[i].Data, want) {
					t.Errorf("mail %d: server took other bytes than Render gives:\n got %q\nwant %q", i, head(got[i].Data), head(want))
				}
			}
			streams := p.streams()
			if len(streams) != 1 {
				t.Fatalf("%d connections, want 1 kept for all mails", len(streams))
			}
			wire := streams[0]
			// Each mail: its chunk, then the empty last one.
			for i, m := range mails {
				chunk := fmt.Appendf(nil, "BDAT %d\r\n%s%s", len(got[i].Data), got[i].Data, lastChunk)
				if !bytes.Contains(wire, chunk) {
					t.Errorf("mail %d (%s) is not on the wire as a chunk of its own and %q", i, m.MessageID, lastChunk)
				}
			}
			if n := bytes.Count(wire, []byte(" LAST\r\n")); n != len(mails) {
				t.Errorf("%d BDAT LAST commands on the wire, want %d", n, len(mails))
			}
			if bytes.Contains(wire, []byte("\r\nDATA\r\n")) {
				t.Error("DATA sent to a server with CHUNKING")
			}
		})
	}
}

// A refused recipient refuses the chunk that went out with the commands:
// the server discards it, nothing is taken in, the error is the
// recipient's, permanent, and the next mail goes out on a new connection.
func TestSendMailChunkedRecipientRefused(t *testing.T) {
	be := &backend{rcptReply: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}
	addr := startSMTP(t, be, nil, false)
	mlr, err := New(Options{Addr: addr, Security: SecurityNone, Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer mlr.Close()
	err = mlr.SendMail(context.Background(), sampleMail())
	se, ok := err.(*SendError)
	if !ok || !se.Permanent() || !strings.Contains(err.Error(), "rcpt djordje@example.org") {
		t.Fatalf("send to a refused recipient: %v, want a permanent error naming the recipient", err)
	}
	be.mu.Lock()
	be.rcptReply = nil
	be.mu.Unlock()
	if err := mlr.SendMail(context.Background(), sampleMail()); err != nil {
		t.Fatal(err)
	}
	if got := be.mails(); len(got) != 1 {
		t.Fatalf("server took %d mails, want only the one after the refusal", len(got))
	}
	if n := be.sessionCount(); n != 2 {
		t.Errorf("%d sessions, want 2: the refused transaction's connection is not used again", n)
	}
}

// cutProxy relays connections to target and cuts each, both ways, once the
// client has written limit bytes: the client crashing in the middle of a
// mail, as the server sees it.
func cutProxy(t *testing.T, target string, limit int) string {
	t.Helper()
	return relay(t, target, func(c, s net.Conn) {
		go func() { _, _ = io.Copy(c, s) }()
		_, _ = io.CopyN(s, c, int64(limit))
		s.Close()
		c.Close()
	})
}

// A sender cut off in the middle of a mail leaves nothing at the server,
// wherever the cut falls, chunked or after DATA; go-smtp's server, the
// one the tests run, takes in what arrived of a LAST chunk when the
// connection drops, which is why the message has a chunk of its own.
func TestCutOffMailIsNotTakenIn(t *testing.T) {
	for _, chunked := range []bool{true, false} {
		var hidden []string
		name := "chunked"
		if !chunked {
			name, hidden = "after DATA", []string{"CHUNKING\r\n"}
		}
		t.Run(name, func(t *testing.T) {
			// The whole conversation once, to find where to cut.
			be := &backend{}
			server := startSMTP(t, be, nil, false)
			p := startProxy(t, server, hidden...)
			mlr, err := New(Options{Addr: p.addr, Security: SecurityNone, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			if err := mlr.SendMail(context.Background(), sampleMail()); err != nil {
				t.Fatal(err)
			}
			mlr.Close()
			wire := p.streams()[0]
			start := bytes.Index(wire, []byte("Message-Id:"))
			end := bytes.Index(wire, []byte("\r\n.\r\n"))
			if chunked {
				end = bytes.Index(wire, []byte(lastChunk))
			}
			if start < 0 || end < start {
				t.Fatalf("cannot find the message in the conversation %q", head(wire))
			}
			for _, cut := range []int{start - 2, start + 1, (start + end) / 2, end - 1, end, end + 3} {
				be := &backend{}
				mlr, err := New(Options{Addr: cutProxy(t, startSMTP(t, be, nil, false), cut), Security: SecurityNone,
					CommandTimeout: 5 * time.Second, SubmissionTimeout: 5 * time.Second, Logger: testutil.DiscardLogger()})
				if err != nil {
					t.Fatal(err)
				}
				if err := mlr.SendMail(context.Background(), sampleMail()); err == nil {
					t.Errorf("cut after %d of %d bytes: the send succeeded", cut, len(wire))
				}
				mlr.Close()
				time.Sleep(50 * time.Millisecond) // the server finishes with the connection
				if got := be.mails(); len(got) != 0 {
					t.Errorf("cut after %d of %d bytes: the server took in %d mails (%q)", cut, len(wire), len(got), head(got[0].Data))
				}
			}
		})
	}
}
