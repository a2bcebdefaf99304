package inbox

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
)

// ProbeReport is what Probe found, as far as it got.
type ProbeReport struct {
	Greeting  string               // the server's first line
	TLS       *tls.ConnectionState // nil without TLS (or before the handshake)
	LoggedIn  bool
	Caps      []string // after login, sorted
	Hierarchy Hierarchy
	Mailboxes []ProbedMailbox
	// CheckpointKey is the key `sportel run` keeps its place in the
	// watched mailbox under, and UIDValidity and UIDNext that mailbox's
	// UIDVALIDITY and UIDNEXT (0 when the server did not say): with the
	// store they tell whether a start would be the first.
	CheckpointKey string
	UIDValidity   uint32
	UIDNext       uint32
}

// ProbedMailbox is one configured mailbox on the server.
type ProbedMailbox struct {
	Role       string // watched, processed or quarantine
	Configured string
	Name       string // the server's name for it
	Created    bool   // Probe created it (sportel run would have)
	Messages   uint32
}

// Probe does what the watcher does at start, once, and reports it: it
// connects and logs in with opts, learns how the server names mailboxes,
// creates the processed and quarantine mailboxes when they are missing
// (as `sportel run` would) and examines the watched one. It reads, flags
// and moves no mail. The report holds what was found up to a failure.
func Probe(ctx context.Context, opts Options) (*ProbeReport, error) {
	opts, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	rep := &ProbeReport{CheckpointKey: checkpointKey(opts)}
	var mu sync.Mutex // the handshake runs on the client's goroutine
	tlsCfg := opts.TLSConfig.Clone()
	verify := tlsCfg.VerifyConnection
	// Called only once the certificate verified, so rep.TLS is never an
	// unverified connection's.
	tlsCfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if verify != nil {
			if err := verify(cs); err != nil {
				return err
			}
		}
		mu.Lock()
		rep.TLS = &cs
		mu.Unlock()
		return nil
	}
	opts.TLSConfig = tlsCfg
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	w := &Watcher{opts: opts, log: logger.With("component", "inbox", "addr", opts.Addr)}
	s := &session{timeout: opts.CommandTimeout, newMail: make(chan struct{}, 1), greeting: &firstLine{}}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		rep.Greeting = s.greeting.String()
	}()
	if s.c, err = w.connect(ctx, s); err != nil {
		return rep, err
	}
	defer s.c.Close()
	if err := w.login(ctx, s); err != nil {
		return rep, err
	}
	rep.LoggedIn = true
	for c := range s.c.Caps() {
		rep.Caps = append(rep.Caps, string(c))
	}
	slices.Sort(rep.Caps)
	s.boxes, err = w.resolve(ctx, s)
	rep.Hierarchy = s.boxes.hierarchy
	if err != nil {
		return rep, err
	}

	var sel *imap.SelectData
	if err := s.await(ctx, "examine "+s.boxes.watched, func() (err error) {
		sel, err = s.c.Select(s.boxes.watched, &imap.SelectOptions{ReadOnly: true}).Wait()
		return err
	}); err != nil {
		var imapErr *imap.Error
		if permanent(err) && errors.As(err, &imapErr) {
			err = &MailboxError{Role: "watched", Configured: opts.Mailbox, Name: s.boxes.watched, Op: "select", Err: imapErr}
		}
		return rep, err
	}
	rep.UIDValidity, rep.UIDNext = sel.UIDValidity, uint32(sel.UIDNext)
	rep.Mailboxes = append(rep.Mailboxes, ProbedMailbox{Role: "watched", Configured: opts.Mailbox, Name: s.boxes.watched, Messages: sel.NumMessages})
	for _, b := range []struct{ role, configured, name string }{
		{"processed", opts.ProcessedMailbox, s.boxes.processed},
		{"quarantine", opts.QuarantineMailbox, s.boxes.quarantine},
	} {
		created, err := w.ensureMailbox(ctx, s, b.role, b.configured, b.name)
		if err != nil {
			return rep, err
		}
		pm := ProbedMailbox{Role: b.role, Configured: b.configured, Name: b.name, Created: created}
		if err := s.await(ctx, "status "+b.name, func() error {
			st, err := s.c.Status(b.name, &imap.StatusOptions{NumMessages: true}).Wait()
			if err == nil && st.NumMessages != nil {
				pm.Messages = *st.NumMessages
			}
			return err
		}); err != nil {
			return rep, err
		}
		rep.Mailboxes = append(rep.Mailboxes, pm)
	}
	if err := s.await(ctx, "logout", func() error { return s.c.Logout().Wait() }); err != nil {
		w.log.Debug("imap logout", "err", err)
	}
	return rep, nil
}

// firstLine keeps the first line read from a connection: the server's
// greeting, which go-imap does not hand out.
type firstLine struct {
	mu   sync.Mutex
	buf  []byte
	done bool
}

// maxGreeting bounds what is kept of a greeting that never ends.
const maxGreeting = 1024

func (f *firstLine) record(p []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return
	}
	if i := slices.Index(p, '\n'); i >= 0 {
		p, f.done = p[:i], true
	}
	f.buf = append(f.buf, p[:min(len(p), maxGreeting-len(f.buf))]...)
	if len(f.buf) >= maxGreeting {
		f.done = true
	}
}

func (f *firstLine) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.TrimRight(string(f.buf), "\r")
}

// recordingConn passes what it reads to a firstLine.
type recordingConn struct {
	net.Conn
	line *firstLine
}

func (r recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.line.record(p[:n])
	return n, err
}
