// Package mailer renders Sportel's outgoing mail (acknowledgements, officer
// notifications, relayed answers) and submits it over SMTP.
//
// A connection is kept after a send for the next one (a few, for up to
// maxIdleAge); one the server has ended meanwhile is replaced before anything
// is submitted on it, and a failure affects only its own job, whose
// connection is closed. Errors carry Permanent() so the outbox knows whether to
// retry: 4xx replies and network trouble are temporary, 5xx replies and
// render/configuration errors are permanent.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/mailauth"
	"sportel/netguard"
)

// Connection security values for Options.Security.
const (
	SecurityTLS      = "tls"      // implicit TLS (port 465)
	SecurityStartTLS = "starttls" // STARTTLS is required, never skipped (port 587)
	SecurityNone     = "none"     // plaintext, e.g. an internal relay without login
)

// Options configures a Mailer. Zero durations take the defaults named on
// each field.
type Options struct {
	Addr     string // host:port
	Security string // tls | starttls | none
	Username string // empty: no AUTH (an internal relay)
	Password string
	// OAuth, when set, logs Username in with an access token (XOAUTH2 or
	// OAUTHBEARER) instead of AUTH PLAIN with Password: Microsoft 365 and
	// Google refuse passwords.
	OAuth     *mailauth.OAuth
	HelloName string // EHLO name; default the host name

	DialTimeout       time.Duration // TCP connect + TLS handshake (default 10s)
	CommandTimeout    time.Duration // each SMTP command's reply (default 30s)
	SubmissionTimeout time.Duration // reply to the end of DATA (default 2m)

	// TLSConfig is used for tls and starttls; nil means the system roots
	// with ServerName from Addr. Certificates are always verified.
	TLSConfig *tls.Config

	LoopID string // X-Loop value, e.g. the public mailbox address
	Logger *slog.Logger
}

// Mailer sends mail. It is safe for concurrent use.
type Mailer struct {
	opts     Options
	host     string
	loopback bool
	log      *slog.Logger
	// idle holds connections kept open after a send, so a busy outbox does
	// not dial, greet and log in for every mail.
	idle chan idleConn
}

// idleConn is a logged-in connection waiting for the next mail.
type idleConn struct {
	*client
	since time.Time
}

// maxIdleAge bounds how long a connection waits between mails; servers drop
// idle clients after a few minutes, and a stale one would cost a timeout.
const maxIdleAge = 20 * time.Second

const (
	defaultDialTimeout       = 10 * time.Second
	defaultCommandTimeout    = 30 * time.Second
	defaultSubmissionTimeout = 2 * time.Minute
)

// New checks opts and returns a Mailer. It refuses credentials with security
// none unless the server is on a loopback address.
func New(opts Options) (*Mailer, error) {
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("mailer: Addr %q: want host:port", opts.Addr)
	}
	loopback := netguard.IsLoopback(host)
	switch opts.Security {
	case SecurityTLS, SecurityStartTLS:
	case SecurityNone:
		if (opts.Username != "" || opts.Password != "") && !loopback {
			return nil, fmt.Errorf("mailer: Security none: refusing to send credentials unencrypted to non-loopback host %q", host)
		}
	default:
		return nil, fmt.Errorf("mailer: Security %q: want tls, starttls or none", opts.Security)
	}
	if opts.Password != "" && opts.Username == "" {
		return nil, errors.New("mailer: Username: required when Password is set")
	}
	if opts.OAuth != nil && opts.Username == "" {
		return nil, errors.New("mailer: Username: required with OAuth")
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"DialTimeout", &opts.DialTimeout, defaultDialTimeout},
		{"CommandTimeout", &opts.CommandTimeout, defaultCommandTimeout},
		{"SubmissionTimeout", &opts.SubmissionTimeout, defaultSubmissionTimeout},
	} {
		if *d.v < 0 {
			return nil, fmt.Errorf("mailer: %s: must not be negative (got %s)", d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if opts.HelloName == "" {
		if name, err := os.Hostname(); err == nil && name != "" {
			opts.HelloName = name
		} else {
			opts.HelloName = "localhost"
		}
	}
	if strings.ContainsAny(opts.HelloName, " \r\n") {
		return nil, fmt.Errorf("mailer: HelloName %q: must be one word", opts.HelloName)
	}
	opts.TLSConfig = netguard.ClientTLS(opts.TLSConfig, host)
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Mailer{
		opts:     opts,
		host:     host,
		loopback: loopback,
		log:      logger.With("component", "mailer", "addr", opts.Addr),
		idle:     make(chan idleConn, 4),
	}, nil
}

// SendError is a failed send. Permanent reports whether trying again is
// pointless.
type SendError struct {
	Op   string // what was being done, e.g. "smtp rcpt x@example.org"
	Code int    // the SMTP reply code, 0 when the server did not answer
	Err  error

	permanent bool
	tooLarge  bool
	relay     bool
}

func (e *SendError) Error() string {
	var se *smtp.SMTPError
	if errors.As(e.Err, &se) {
		msg := strings.Join(strings.Fields(se.Message), " ")
		if ec := se.EnhancedCode; ec[0] > 0 {
			return fmt.Sprintf("%s: %d %d.%d.%d %s", e.Op, se.Code, ec[0], ec[1], ec[2], msg)
		}
		return fmt.Sprintf("%s: %d %s", e.Op, se.Code, msg)
	}
	return fmt.Sprintf("%s: %v", e.Op, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// Permanent is true for 5xx replies and for render or configuration
// errors; false for 4xx replies, network errors and timeouts.
func (e *SendError) Permanent() bool { return e.permanent }

// RelayFault reports whether the send failed before any mail transaction
// began: the relay unreachable, its TLS, its greeting or its login
// refused (a wrong password, 535). Such a fault is the relay's or the
// configuration's, the same for every mail, and never the mail's: it is
// temporary however the server worded it, so that mail waits for the relay
// rather than failing for good, every job at once.
func (e *SendError) RelayFault() bool { return e.relay }

// TooLarge reports whether the mail failed for its size: larger than the
// server's EHLO SIZE limit (nothing was sent), or refused as too large
// (5.3.4, 5.2.3, or a 552 to the message that does not say a mailbox is
// full). The same mail will never go through that relay, a
// smaller one may.
func (e *SendError) TooLarge() bool { return e.tooLarge }

// tooLargeReply reports whether err, the server's answer at step, refuses
// the mail for its size. A 552 without one of the size codes says so
// except after RCPT, where it is the mailbox that is full (RFC 5321
// 4.5.3.1.10); servers that add 5.0.0 to every 5xx say no more.
func tooLargeReply(step txStep, err error) bool {
	se, ok := errors.AsType[*smtp.SMTPError](err)
	if !ok {
		return false
	}
	switch se.EnhancedCode {
	case smtp.EnhancedCode{5, 3, 4}, smtp.EnhancedCode{5, 2, 3}:
		return true
	case smtp.EnhancedCode{5, 2, 2}:
		return false // a mailbox full
	}
	return se.Code == 552 && step != stepRcpt
}

func permanent(op string, err error) *SendError {
	return &SendError{Op: op, Err: err, permanent: true}
}

// classify turns a client error into a SendError: the server's reply code
// decides; anything else (network, TLS, timeout) is worth retrying.
func classify(op string, err error) *SendError {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return &SendError{Op: op, Code: se.Code, Err: err, permanent: se.Code >= 500}
	}
	return &SendError{Op: op, Err: err}
}

// SendMail submits m: dial, EHLO, TLS per Security, AUTH PLAIN (or LOGIN) when a
// username is set, MAIL FROM m.From, RCPT for each of m.To, DATA Render(m).
// Once the server has accepted the data, SendMail succeeds; a crash before
// the job is marked done resends the same rendering (same Message-ID). A
// caller that may cut the send off learns from WithPointOfNoReturn when
// that no longer helps.
func (s *Mailer) SendMail(ctx context.Context, m *inquiry.Mail) error {
	m = asciiDomains(m) // the envelope and the header alike
	buf := renderPool.Get().(*renderBuf)
	buf.b = slices.Grow(buf.b[:0], renderedSize(m))
	if err := render(buf, m, s.opts.LoopID); err != nil {
		renderPool.Put(buf)
		return permanent("render", err)
	}
	size := len(buf.b)
	msg := &outgoing{rendered: buf.b}
	// Nothing holds the data once SendMail returns.
	defer func() {
		keep := msg.rendered
		if cap(msg.wire) > cap(keep) {
			keep = msg.wire
		}
		if cap(keep) <= maxPooledRender {
			buf.b = keep[:0]
			renderPool.Put(buf)
		}
	}()
	if err := ctx.Err(); err != nil {
		return classify("smtp send", err)
	}
	utf8 := !isASCII(m.From.Address) || !allASCII(m.To)
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = smtpPath(a.Address)
	}
	from := smtpPath(m.From.Address)

	// A kept connection is used straight away: the server has closed the
	// last transaction, so MAIL FROM needs no RSET first (a round trip per
	// mail). If the connection went stale meanwhile, MAIL FROM fails before
	// anything was submitted, and a fresh connection takes the mail: nothing
	// can be sent twice.
	var (
		cl        *client
		stop      func() bool
		cancelled atomic.Bool
	)
	wrap := func(op string, err error) error {
		// A send called off at its point of no return was so because ctx
		// ended, as a rule, before its connection was closed.
		if cancelled.Load() || errors.Is(err, errCalledOff) && ctx.Err() != nil {
			return classify(op, fmt.Errorf("%w (%v)", ctx.Err(), err))
		}
		return classify(op, err)
	}
	commit := commitHook(ctx)
	for kept := s.takeIdle(); ; kept = nil {
		fresh := kept == nil
		if fresh {
			var err error
			if kept, err = s.connect(ctx); err != nil {
				return err
			}
		}
		cl = kept
		// go-smtp takes no context; closing the connection aborts whatever
		// command is waiting.
		stop = context.AfterFunc(ctx, func() {
			cancelled.Store(true)
			kept.c.Close()
		})
		err := cl.send(from, utf8, to, msg, commit)
		if err == nil {
			break
		}
		stop()
		// Replies to pipelined commands may be pending: the connection is
		// not used again.
		cl.c.Close()
		te := err.(*txError)
		if errors.Is(te.err, errNoSMTPUTF8) {
			return permanent("smtp mail from "+m.From.Address, te.err)
		}
		if _, ok := errors.AsType[*sizeLimitError](te.err); ok {
			se := permanent("smtp send", te.err)
			se.tooLarge = true
			return se
		}
		if te.step == stepMail && !fresh && !cancelled.Load() && staleConn(te.err) {
			continue
		}
		var op string
		switch te.step {
		case stepMail:
			op = "smtp mail from " + m.From.Address
		case stepRcpt:
			op = "smtp rcpt " + te.rcpt
		case stepData:
			op = "smtp data"
		case stepWrite:
			op = "smtp data: write"
		default:
			op = "smtp data: end"
		}
		err = wrap(op, te.err)
		if se, ok := err.(*SendError); ok && se.permanent && tooLargeReply(te.step, te.err) {
			se.tooLarge = true
		}
		return err
	}
	// The mail is accepted; keep the connection for the next one.
	if !stop() || !s.putIdle(cl) {
		cl.c.Close()
	}
	s.log.Debug("mail sent", "message_id", m.MessageID, "recipients", len(m.To), "bytes", size)
	return nil
}

// staleConn reports whether err, from the first command on a kept
// connection, says the connection is gone (closed, reset, or the server
// closing it with 421) rather than that the server refuses the mail.
func staleConn(err error) bool {
	if se, ok := errors.AsType[*smtp.SMTPError](err); ok {
		return se.Code == 421
	}
	return true
}

// connect dials, greets and logs in.
func (s *Mailer) connect(ctx context.Context) (*client, error) {
	ss, err := s.open(ctx, nil)
	if err != nil {
		se, ok := errors.AsType[*SendError](err)
		if !ok {
			se = classify("smtp connect", err)
		}
		// Even a refusal no retry by itself will change (a wrong password,
		// a mechanism not offered) is the relay's, not the mail's: the
		// mail waits, and the outbox says once that the relay fails
		// rather than once a mail, and pauses every send meanwhile.
		se.permanent, se.relay = false, true
		return nil, se
	}
	return newClient(ss.c, ss.conn, s.opts.CommandTimeout, s.opts.SubmissionTimeout), nil
}

// open dials, greets and logs in, and tells what it found; ehlo, when not
// nil, gets the protocol trace of the EHLO exchange. On failure after the
// greeting it returns what it found with the error, its client closed.
func (s *Mailer) open(ctx context.Context, ehlo io.Writer) (*greeted, error) {
	ss, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	c := ss.c
	var cancelled atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		cancelled.Store(true)
		c.Close()
	})
	defer stop()
	fail := func(err error) (*greeted, error) {
		c.Close()
		return ss, err
	}
	wrap := func(op string, err error) error {
		if cancelled.Load() {
			return classify(op, fmt.Errorf("%w (%v)", ctx.Err(), err))
		}
		return classify(op, err)
	}
	// The trace is taken only around EHLO: later it would show the login.
	c.DebugWriter = ehlo
	err = c.Hello(s.opts.HelloName)
	c.DebugWriter = nil
	if err != nil {
		return fail(wrap("smtp ehlo", err))
	}
	if s.opts.Username != "" {
		if ss.tls == nil && !s.loopback {
			// New already refuses this configuration; this guards the wire.
			return fail(permanent("smtp auth", errors.New("refusing to send credentials over an unencrypted connection")))
		}
		if s.opts.OAuth != nil {
			if err := s.authenticate(ctx, c); err != nil {
				return fail(err)
			}
			return ss, nil
		}
		var login sasl.Client
		switch {
		case c.SupportsAuth(sasl.Plain):
			login = sasl.NewPlainClient("", s.opts.Username, s.opts.Password)
		case c.SupportsAuth(sasl.Login):
			// Exchange's client connectors offer LOGIN and not PLAIN; over
			// TLS it carries the same as PLAIN.
			login = sasl.NewLoginClient(s.opts.Username, s.opts.Password)
		default:
			return fail(permanent("smtp auth", errors.New("server offers neither AUTH PLAIN nor AUTH LOGIN")))
		}
		if err := c.Auth(login); err != nil {
			return fail(wrap("smtp auth as "+s.opts.Username, err))
		}
	}
	return ss, nil
}

// authenticate logs in with an access token; a refused one is replaced
// once (mailauth.OAuth.Login). A refusal that stays is permanent like a
// refused password; a token command that fails is retried with the job.
func (s *Mailer) authenticate(ctx context.Context, c *smtp.Client) error {
	o := s.opts.OAuth
	mech := mailauth.WireName(o.Mechanism)
	op := "smtp auth " + mech + " as " + s.opts.Username
	if !c.SupportsAuth(mech) {
		return permanent(op, fmt.Errorf("the server does not offer AUTH %s; check smtp.auth", mech))
	}
	_, portStr, _ := net.SplitHostPort(s.opts.Addr)
	port, _ := strconv.Atoi(portStr)
	err := o.Login(ctx, s.host, port, func(cl sasl.Client) error { return c.Auth(cl) }, func(err error) bool {
		var se *smtp.SMTPError
		return errors.As(err, &se) && se.Code == 535
	})
	if err != nil {
		if ctx.Err() != nil {
			return classify(op, fmt.Errorf("%w (%v)", ctx.Err(), err))
		}
		// SendError prints the server's reply itself; the refusal's own
		// words go into what was being done.
		if re, ok := errors.AsType[*mailauth.RefusedError](err); ok {
			op += ": " + re.Summary()
		}
		return classify(op, err)
	}
	return nil
}

// takeIdle returns a kept connection that has not waited too long, or nil.
func (s *Mailer) takeIdle() *client {
	for {
		select {
		case ic := <-s.idle:
			if time.Since(ic.since) < maxIdleAge {
				return ic.client
			}
			ic.c.Quit()
			ic.c.Close()
		default:
			return nil
		}
	}
}

// putIdle keeps c for the next send; it reports false when enough
// connections are kept already.
func (s *Mailer) putIdle(cl *client) bool {
	select {
	case s.idle <- idleConn{client: cl, since: time.Now()}:
		return true
	default:
		if err := cl.c.Quit(); err != nil {
			s.log.Debug("smtp quit", "err", err)
		}
		return false
	}
}

// Close says goodbye on the connections kept between sends.
func (s *Mailer) Close() {
	for {
		select {
		case ic := <-s.idle:
			ic.c.Quit()
			ic.c.Close()
		default:
			return
		}
	}
}

// greeted is a client connected and greeted, and what was learned on the
// way, for Probe.
type greeted struct {
	c        *smtp.Client
	conn     net.Conn             // the connection c talks over
	tls      *tls.ConnectionState // nil without TLS
	greeting []string             // the server's greeting, line by line
}

// dial connects, reads the greeting and sets up TLS per Security. The
// greeting is read here, before the go-smtp client exists, so that the
// first EHLO of a STARTTLS session says HelloName (see startTLS).
func (s *Mailer) dial(ctx context.Context) (*greeted, error) {
	dialer := &net.Dialer{Timeout: s.opts.DialTimeout, KeepAlive: 30 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return nil, classify("smtp dial "+s.opts.Addr, err)
	}
	// Until the client exists, a deadline bounds each exchange and a
	// cancelled ctx closes the socket.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fail := func(op string, err error) (*greeted, error) {
		conn.Close()
		switch {
		case ctx.Err() != nil:
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			err = fmt.Errorf("no answer within %s: %w", s.opts.CommandTimeout, err)
		}
		return nil, classify(op+" with "+s.opts.Addr, err)
	}
	ss := &greeted{}
	var plain net.Conn = conn
	if s.opts.Security == SecurityTLS {
		hctx, cancel := context.WithTimeout(ctx, s.opts.DialTimeout)
		tc := tls.Client(conn, s.opts.TLSConfig)
		err = tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			return fail("smtp tls handshake", err)
		}
		st := tc.ConnectionState()
		ss.tls, plain = &st, tc
	}
	if err := conn.SetDeadline(time.Now().Add(s.opts.CommandTimeout)); err != nil {
		return fail("smtp greeting", err)
	}
	var client net.Conn
	if s.opts.Security == SecurityStartTLS {
		tc, greeting, err := startTLS(ctx, conn, s.opts.TLSConfig, s.opts.HelloName)
		if err != nil {
			return fail("smtp starttls", err)
		}
		st := tc.ConnectionState()
		ss.tls, ss.greeting, client = &st, greeting, newReplayConn(tc, greeting)
	} else {
		tp := textproto.NewConn(plain)
		ss.greeting, err = readGreeting(tp)
		if err != nil {
			return fail("smtp greeting", err)
		}
		rc := newReplayConn(plain, ss.greeting)
		// A server that talks ahead of its turn loses nothing.
		ahead, _ := tp.R.Peek(tp.R.Buffered())
		rc.pending = append(rc.pending, ahead...)
		client = rc
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return fail("smtp greeting", err)
	}
	ss.c, ss.conn = smtp.NewClient(client), client
	ss.c.CommandTimeout = s.opts.CommandTimeout
	ss.c.SubmissionTimeout = s.opts.SubmissionTimeout
	return ss, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allASCII(list []inquiry.Address) bool {
	for _, a := range list {
		if !isASCII(a.Address) {
			return false
		}
	}
	return true
}
