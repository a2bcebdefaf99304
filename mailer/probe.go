package mailer

import (
	"bytes"
	"context"
	"crypto/tls"
	"strings"
)

// ProbeReport is what Probe found, as far as it got.
type ProbeReport struct {
	Greeting []string             // the server's greeting, line by line
	TLS      *tls.ConnectionState // nil without TLS
	// Hello is the server's answer to EHLO (over TLS when there is TLS),
	// and Extensions what it offers there, e.g. "SIZE 10240000".
	Hello      string
	Extensions []string
	LoggedIn   bool // AUTH PLAIN succeeded (false without a username)
}

// Probe does what a send does up to MAIL FROM and reports it: it connects,
// sets up TLS per Security, greets the server as HelloName and logs in
// when a username is set; then it says QUIT. It sends no mail. The report
// holds what was found up to a failure.
func (s *Mailer) Probe(ctx context.Context) (*ProbeReport, error) {
	var trace bytes.Buffer
	ss, err := s.open(ctx, &trace)
	rep := &ProbeReport{}
	if ss != nil {
		rep.Greeting, rep.TLS = ss.greeting, ss.tls
	}
	rep.Hello, rep.Extensions = ehloReply(trace.String())
	if err != nil {
		return rep, err
	}
	rep.LoggedIn = s.opts.Username != ""
	if err := ss.c.Quit(); err != nil {
		s.log.Debug("smtp quit", "err", err)
	}
	ss.c.Close()
	return rep, nil
}

// ehloReply picks the 250 reply out of a trace of the EHLO exchange: its
// first line names the server, the rest are extensions.
func ehloReply(trace string) (hello string, extensions []string) {
	var lines []string
	for l := range strings.Lines(trace) {
		l = strings.TrimRight(l, "\r\n")
		if len(l) >= 4 && strings.HasPrefix(l, "250") && (l[3] == '-' || l[3] == ' ') {
			lines = append(lines, l[4:])
		}
	}
	if len(lines) == 0 {
		return "", nil
	}
	return lines[0], lines[1:]
}
