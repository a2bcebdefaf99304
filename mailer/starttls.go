package mailer

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-smtp"
)

// The plaintext part of a STARTTLS session (greeting, EHLO, STARTTLS) is
// spoken here rather than by go-smtp: its NewClientStartTLS always says
// "EHLO localhost" there, and it offers no other way to upgrade. Servers
// that check the name (Postfix's reject_non_fqdn_helo_hostname, spam
// scoring) hold "localhost" against the ministry. RFC 3207 has the client
// greet again once TLS is up; the go-smtp client does that itself.

// plainHello reads the greeting and sends EHLO as hello on a plaintext
// connection. It returns the greeting's lines and the EHLO reply's lines
// (the first names the server; the rest are its extensions).
func plainHello(tp *textproto.Conn, hello string) (greeting, ehlo []string, err error) {
	greeting, err = readGreeting(tp)
	if err != nil {
		return nil, nil, err
	}
	id, err := tp.Cmd("EHLO %s", hello)
	if err != nil {
		return nil, nil, fmt.Errorf("send ehlo: %w", err)
	}
	tp.StartResponse(id)
	_, msg, err := tp.ReadResponse(250)
	tp.EndResponse(id)
	if err != nil {
		return nil, nil, fmt.Errorf("ehlo %s: %w", hello, replyError(err))
	}
	return greeting, strings.Split(msg, "\n"), nil
}

// readGreeting reads the server's 220 greeting, line by line.
func readGreeting(tp *textproto.Conn) ([]string, error) {
	_, msg, err := tp.ReadResponse(220)
	if err != nil {
		return nil, fmt.Errorf("read greeting: %w", replyError(err))
	}
	return strings.Split(msg, "\n"), nil
}

// replyError makes a server's reply read here an *smtp.SMTPError, as the
// go-smtp client's are, so classify tells 4xx from 5xx the same way.
func replyError(err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return err
	}
	se := &smtp.SMTPError{Code: te.Code, Message: te.Msg}
	// An enhanced status code (RFC 3463) leads the text: "5.7.1 ...".
	if code, rest, ok := strings.Cut(te.Msg, " "); ok {
		parts := strings.Split(code, ".")
		var ec smtp.EnhancedCode
		valid := len(parts) == 3
		for i := 0; valid && i < 3; i++ {
			n, err := strconv.Atoi(parts[i])
			valid = err == nil && n >= 0 && n < 1000
			ec[i] = n
		}
		if valid {
			se.EnhancedCode, se.Message = ec, rest
		}
	}
	return se
}

// hasExtension reports whether an EHLO reply offers ext.
func hasExtension(ehlo []string, ext string) bool {
	for _, l := range ehlo[min(1, len(ehlo)):] {
		if kw, _, _ := strings.Cut(l, " "); strings.EqualFold(kw, ext) {
			return true
		}
	}
	return false
}

// startTLS greets conn's server as hello, upgrades the connection with
// STARTTLS and completes the TLS handshake. It returns the encrypted
// connection and the server's greeting.
func startTLS(ctx context.Context, conn net.Conn, cfg *tls.Config, hello string) (*tls.Conn, []string, error) {
	tp := textproto.NewConn(conn)
	greeting, ehlo, err := plainHello(tp, hello)
	if err != nil {
		return nil, nil, err
	}
	if !hasExtension(ehlo, "STARTTLS") {
		// Security starttls means TLS or nothing: never fall back to
		// plaintext when a server (or someone in between) drops it.
		return nil, nil, errors.New("server does not offer STARTTLS")
	}
	id, err := tp.Cmd("STARTTLS")
	if err != nil {
		return nil, nil, fmt.Errorf("send starttls: %w", err)
	}
	tp.StartResponse(id)
	_, _, err = tp.ReadResponse(220)
	tp.EndResponse(id)
	if err != nil {
		return nil, nil, fmt.Errorf("starttls: %w", replyError(err))
	}
	if tp.R.Buffered() > 0 {
		// Anything sent before the handshake was not protected by it
		// (CVE-2011-0411): refuse rather than read it as if it were.
		return nil, nil, errors.New("server sent data after agreeing to STARTTLS, before the TLS handshake")
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, nil, fmt.Errorf("tls handshake: %w", err)
	}
	return tc, greeting, nil
}

// replayConn hands a new go-smtp client the server's greeting, which was
// read before TLS, as if the encrypted connection had just opened: the
// client waits for a greeting before its first command.
type replayConn struct {
	net.Conn
	mu      sync.Mutex
	pending []byte
}

func newReplayConn(c net.Conn, greeting []string) *replayConn {
	var b bytes.Buffer
	for i, l := range greeting {
		sep := "-"
		if i == len(greeting)-1 {
			sep = " "
		}
		b.WriteString("220" + sep + l + "\r\n")
	}
	return &replayConn{Conn: c, pending: b.Bytes()}
}

func (r *replayConn) Read(p []byte) (int, error) {
	r.mu.Lock()
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		r.mu.Unlock()
		return n, nil
	}
	r.mu.Unlock()
	return r.Conn.Read(p)
}
