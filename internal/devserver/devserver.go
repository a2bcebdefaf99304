// Package devserver runs throwaway mail servers on loopback for the demo and
// for tests: go-imap's in-memory IMAP server and a go-smtp server that keeps
// what it receives. Both are real protocol servers; nothing here is a mock.
package devserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// IMAP is an in-memory IMAP server with one user.
type IMAP struct {
	Addr     string
	Username string
	Password string
	user     *imapmemserver.User
	srv      *imapserver.Server
}

// StartIMAP listens on 127.0.0.1 with IMAP4rev2 (IDLE, MOVE, UIDPLUS) and
// plaintext login allowed, since it only ever serves loopback.
func StartIMAP(username, password string, mailboxes ...string) (*IMAP, error) {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(username, password)
	for _, mb := range append([]string{"INBOX"}, mailboxes...) {
		if err := user.Create(mb, nil); err != nil {
			return nil, fmt.Errorf("create mailbox %s: %w", mb, err)
		}
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for imap: %w", err)
	}
	go func() { _ = srv.Serve(ln) }()
	return &IMAP{Addr: ln.Addr().String(), Username: username, Password: password, user: user, srv: srv}, nil
}

// Append delivers a raw message to a mailbox, as an MTA would.
func (s *IMAP) Append(mailbox string, raw []byte, received time.Time) (imap.UID, error) {
	data, err := s.user.Append(mailbox, bytes.NewReader(raw), &imap.AppendOptions{Time: received})
	if err != nil {
		return 0, fmt.Errorf("append to %s: %w", mailbox, err)
	}
	return data.UID, nil
}

// Count returns how many messages a mailbox holds.
func (s *IMAP) Count(mailbox string) (int, error) {
	st, err := s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return 0, fmt.Errorf("status %s: %w", mailbox, err)
	}
	if st.NumMessages == nil {
		return 0, errors.New("status: no message count")
	}
	return int(*st.NumMessages), nil
}

// Close stops the server.
func (s *IMAP) Close() error { return s.srv.Close() }

// Mail is one message the SMTP server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// SMTP is an SMTP server that keeps every message it accepts.
type SMTP struct {
	Addr string
	srv  *smtp.Server

	mu     sync.Mutex
	mails  []Mail
	notify chan struct{}
	// Reject, when set, decides an SMTP answer for a recipient (e.g. a 451
	// or 550 *smtp.SMTPError) so tests can drive retries and failures.
	reject func(rcpt string) error
}

// StartSMTP listens on 127.0.0.1 without TLS or authentication: a local relay.
func StartSMTP() (*SMTP, error) {
	return StartSMTPLimited(64 << 20)
}

// StartSMTPLimited is StartSMTP with a relay that takes mail of at most
// maxBytes (announced in EHLO SIZE, a larger one refused), as relays limit
// it.
func StartSMTPLimited(maxBytes int64) (*SMTP, error) {
	s := &SMTP{notify: make(chan struct{}, 1)}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = maxBytes
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for smtp: %w", err)
	}
	go func() { _ = srv.Serve(ln) }()
	s.Addr = ln.Addr().String()
	s.srv = srv
	return s, nil
}

// SetReject installs a function that may refuse recipients.
func (s *SMTP) SetReject(f func(rcpt string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = f
}

// Mails returns a copy of what was received so far.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// MailsSince returns a copy of the messages received after the first i.
func (s *SMTP) MailsSince(i int) []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.mails) {
		return nil
	}
	return append([]Mail(nil), s.mails[i:]...)
}

// Count is how many messages were received so far.
func (s *SMTP) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mails)
}

// WaitFor waits until at least n messages were received or ctx ends.
func (s *SMTP) WaitFor(ctx context.Context, n int) ([]Mail, error) {
	for {
		if s.Count() >= n {
			return s.Mails(), nil
		}
		select {
		case <-s.notify:
		case <-ctx.Done():
			return s.Mails(), fmt.Errorf("wait for %d mails: got %d: %w", n, len(s.Mails()), ctx.Err())
		}
	}
}

// WaitCount waits until at least n messages were received or ctx ends,
// without copying them.
func (s *SMTP) WaitCount(ctx context.Context, n int) error {
	for s.Count() < n {
		select {
		case <-s.notify:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d mails: got %d: %w", n, s.Count(), ctx.Err())
		}
	}
	return nil
}

// Close stops the server.
func (s *SMTP) Close() error { return s.srv.Close() }

type backend struct{ s *SMTP }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

// maxKeptBuffer bounds what a connection keeps between mails.
const maxKeptBuffer = 4 << 20

type session struct {
	s   *SMTP
	cur Mail
	// buf is read into and reused for each mail of the connection, which
	// keeps an exact-size copy: io.ReadAll grows a fresh slice step by step
	// and zeroes every step, a cost the benchmarks charged to Sportel.
	buf bytes.Buffer
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.cur = Mail{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.reject
	ss.s.mu.Unlock()
	if reject != nil {
		if err := reject(to); err != nil {
			return err
		}
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.buf.Reset()
	if _, err := ss.buf.ReadFrom(r); err != nil {
		return err
	}
	ss.cur.Data = bytes.Clone(ss.buf.Bytes())
	if ss.buf.Cap() > maxKeptBuffer {
		ss.buf = bytes.Buffer{}
	}
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, ss.cur)
	ss.s.mu.Unlock()
	select {
	case ss.s.notify <- struct{}{}:
	default:
	}
	return nil
}

func (ss *session) Reset()        { ss.cur = Mail{} }
func (ss *session) Logout() error { return nil }
