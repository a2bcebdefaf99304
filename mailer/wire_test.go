package mailer

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// wireProxy relays connections to a server and keeps what each client
// wrote. It drops the extensions named in hide from the server's EHLO
// reply, as a server without them would answer.
type wireProxy struct {
	addr string
	wg   sync.WaitGroup
	mu   sync.Mutex
	sent []*bytes.Buffer // per connection, in the order accepted
}

func startProxy(t *testing.T, target string, hide ...string) *wireProxy {
	t.Helper()
	p := &wireProxy{}
	p.addr = relay(t, target, func(c, s net.Conn) {
		buf := &bytes.Buffer{}
		p.mu.Lock()
		p.sent = append(p.sent, buf)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			io.Copy(s, io.TeeReader(c, lockedWriter{&p.mu, buf}))
			s.Close()
		}()
		go func() {
			defer p.wg.Done()
			r := bufio.NewReader(s)
			for {
				line, err := r.ReadSlice('\n')
				if slices.Contains(hide, strings.TrimPrefix(string(line), "250-")) {
					continue
				}
				if _, werr := c.Write(line); werr != nil || err != nil {
					break
				}
			}
			c.Close()
		}()
	})
	return p
}

// relay accepts connections on a loopback listener that closes when the
// test ends, dials target for each and hands the pair to handle, in the
// accepting goroutine: the next connection is accepted once it returns.
// It returns the listener's address.
func relay(t *testing.T, target string, handle func(client, server net.Conn)) string {
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
			handle(c, s)
		}
	}()
	return ln.Addr().String()
}

// streams waits for every relayed connection to end and returns what the
// clients wrote.
func (p *wireProxy) streams() [][]byte {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, len(p.sent))
	for i, b := range p.sent {
		out[i] = b.Bytes()
	}
	return out
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// To a server without CHUNKING the mailer writes the same bytes as
// go-smtp's client would for the same message, from EHLO to QUIT, whether
// or not the server offers PIPELINING (with it, the commands only go out
// without waiting for each reply).
func TestSendMailWireBytesAsGoSMTP(t *testing.T) {
	withFile := sampleMail()
	withFile.Text = "Teksti i qytetarit.\n.\n..rresht me pika\n" + withFile.Text
	withFile.Attachments = []inquiry.Attachment{{Name: "kerkesa.pdf", ContentType: "application/pdf",
		Content: bytes.Repeat([]byte("%PDF-1.7 \x00\x01\x02\xff.\n"), 20_000)}}
	utf8 := sampleMail()
	utf8.To = []inquiry.Address{{Name: "Đorđe", Address: "đorđe@example.org"}}
	two := sampleMail()
	two.To = append(two.To, inquiry.Address{Address: "zamira@mkrs.example"})
	mails := []struct {
		name string
		mail *inquiry.Mail
	}{
		{"ack", sampleMail()},
		{"notification with file and dot lines", withFile},
		{"utf-8 recipient", utf8},
		{"two recipients", two},
	}
	const helloName = "sportel.kultura.example.gov"
	for _, hide := range []bool{false, true} {
		for _, tt := range mails {
			name := tt.name
			if hide {
				name += ", server without pipelining"
			}
			t.Run(name, func(t *testing.T) {
				be := &backend{}
				hidden := []string{"CHUNKING\r\n"}
				if hide {
					hidden = append(hidden, "PIPELINING\r\n")
				}
				p := startProxy(t, startSMTP(t, be, nil, false), hidden...)
				mlr, err := New(Options{Addr: p.addr, Security: SecurityNone, HelloName: helloName, Logger: testutil.DiscardLogger()})
				if err != nil {
					t.Fatal(err)
				}
				if err := mlr.SendMail(context.Background(), tt.mail); err != nil {
					t.Fatal(err)
				}
				mlr.Close()
				got := be.mails()
				if len(got) != 1 {
					t.Fatalf("server got %d mails, want 1", len(got))
				}
				if want := renderLike(t, tt.mail, got[0].Data); !bytes.Equal(got[0].Data, want) {
					t.Fatalf("server got other bytes than Render gives:\n got %q\nwant %q", head(got[0].Data), head(want))
				}
				// The same message (Render's MIME boundaries differ each
				// time) through go-smtp's client.
				c, err := smtp.Dial(p.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if err := c.Hello(helloName); err != nil {
					t.Fatal(err)
				}
				var opts *smtp.MailOptions
				if !isASCII(tt.mail.From.Address) || !allASCII(tt.mail.To) {
					opts = &smtp.MailOptions{UTF8: true}
				}
				if err := c.Mail(tt.mail.From.Address, opts); err != nil {
					t.Fatal(err)
				}
				for _, a := range tt.mail.To {
					if err := c.Rcpt(a.Address, nil); err != nil {
						t.Fatal(err)
					}
				}
				w, err := c.Data()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(got[0].Data); err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if err := c.Quit(); err != nil {
					t.Fatal(err)
				}
				if got := be.mails(); len(got) != 2 || !bytes.Equal(got[0].Data, got[1].Data) {
					t.Fatalf("server got %d mails, want the same one twice", len(got))
				}
				s := p.streams()
				if len(s) != 2 {
					t.Fatalf("%d connections, want 2", len(s))
				}
				if !bytes.Equal(s[0], s[1]) {
					t.Errorf("the mailer wrote other bytes than go-smtp's client:\nmailer %q\ngo-smtp %q", head(s[0]), head(s[1]))
				}
			})
		}
	}
}

// renderLike renders m with the MIME boundary sent, which Render picks
// anew each time.
func renderLike(t *testing.T, m *inquiry.Mail, sent []byte) []byte {
	t.Helper()
	raw, err := Render(m, "")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`boundary=([0-9a-f]+)`)
	if b, s := re.FindSubmatch(raw), re.FindSubmatch(sent); b != nil && s != nil {
		raw = bytes.ReplaceAll(raw, b[1], s[1])
	}
	return raw
}

// head is the start of a long stream, for messages.
func head(b []byte) []byte {
	if len(b) > 600 {
		return b[:600]
	}
	return b
}
