package mailer

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// client is a logged-in go-smtp client and the connection under it. go-smtp
// dials, greets, starts TLS, logs in and says goodbye; the mail transaction
// (MAIL FROM, RCPT TO, DATA and the message) is run here on the connection
// itself: the commands go out together when the server offers PIPELINING
// (RFC 2920), and the message in one write, where go-smtp's client writes
// and waits for each command in turn and copies the message a byte at a
// time. The bytes on the wire are the ones go-smtp writes.
type client struct {
	c    *smtp.Client
	conn net.Conn
	// r reads the server's replies to the transactions run here; go-smtp's
	// own reader has nothing buffered between its commands.
	r *textproto.Reader

	commandTimeout    time.Duration
	submissionTimeout time.Duration
	pipelining        bool
	eightBitMIME      bool
	chunking          bool
	smtpUTF8          bool
}

// maxReplyLine bounds a reply line, as go-smtp's client does (twice the
// RFC 5321 limit).
const maxReplyLine = 2000

var (
	// errReplyTooLong is a server reply line over maxReplyLine.
	errReplyTooLong = errors.New("smtp: too long a line in input stream")
	// errLineBreak is an address that would break the command line.
	errLineBreak = errors.New("smtp: a line must not contain CR or LF")
)

func newClient(c *smtp.Client, conn net.Conn, commandTimeout, submissionTimeout time.Duration) *client {
	cl := &client{
		c: c, conn: conn,
		r:                 textproto.NewReader(bufio.NewReader(&lineLimitReader{r: conn})),
		commandTimeout:    commandTimeout,
		submissionTimeout: submissionTimeout,
	}
	cl.pipelining, _ = c.Extension("PIPELINING")
	cl.eightBitMIME, _ = c.Extension("8BITMIME")
	cl.chunking, _ = c.Extension("CHUNKING")
	cl.smtpUTF8, _ = c.Extension("SMTPUTF8")
	return cl
}

// txStep names the step of a transaction an error belongs to.
type txStep int

const (
	stepMail txStep = iota
	stepRcpt
	stepData
	stepWrite
	stepEnd
)

// txError is a failed transaction step; rcpt is the recipient refused.
type txError struct {
	step txStep
	rcpt string
	err  error
}

func (e *txError) Error() string { return e.err.Error() }
func (e *txError) Unwrap() error { return e.err }

// outgoing is a rendered mail and the forms it goes on the wire in, each
// made when a connection first needs it.
type outgoing struct {
	rendered []byte
	wire     []byte // after DATA: wireData
	chunk    []byte // after BDAT: chunkData
}

func (m *outgoing) forData() []byte {
	if m.wire == nil {
		m.wire = wireData(m.rendered)
	}
	return m.wire
}

func (m *outgoing) forChunk() []byte {
	if m.chunk == nil {
		m.chunk = chunkData(m.rendered)
	}
	return m.chunk
}

// pipelinedChunkMax bounds the message that goes out with its MAIL and RCPT
// commands, before their replies: a refused recipient then costs at most
// this much sent in vain. A larger one waits for the replies.
const pipelinedChunkMax = 1 << 20

// send runs one mail transaction: MAIL FROM from (with SMTPUTF8 when utf8),
// RCPT TO each of to, and the message. When the server offers CHUNKING
// (RFC 3030) the message goes as one BDAT LAST chunk, as it is, and with
// PIPELINING in the same write as the commands: one round trip a mail, and
// no dot-stuffing to undo on the server. Otherwise it goes after DATA as
// go-smtp's client writes it. The message is taken only when every command
// before it succeeded. An error is a *txError; after one the connection
// must be closed, since replies to pipelined commands may be pending.
func (cl *client) send(from string, utf8 bool, to []string, msg *outgoing) error {
	if utf8 && !cl.smtpUTF8 {
		return &txError{step: stepMail, err: errors.New("smtp: server does not support SMTPUTF8")}
	}
	if strings.ContainsAny(from, "\r\n") {
		return &txError{step: stepMail, err: errLineBreak}
	}
	for _, a := range to {
		if strings.ContainsAny(a, "\r\n") {
			return &txError{step: stepRcpt, rcpt: a, err: errLineBreak}
		}
	}
	// The commands as go-smtp's client writes them for these options.
	cmds := make([]byte, 0, 64+32*len(to))
	cmds = append(cmds, "MAIL FROM:<"...)
	cmds = append(cmds, from...)
	cmds = append(cmds, '>')
	if cl.eightBitMIME {
		cmds = append(cmds, " BODY=8BITMIME"...)
	}
	if utf8 {
		cmds = append(cmds, " SMTPUTF8"...)
	}
	cmds = append(cmds, "\r\n"...)
	mailEnd := len(cmds)
	rcptEnd := make([]int, len(to))
	for i, a := range to {
		cmds = append(cmds, "RCPT TO:<"...)
		cmds = append(cmds, a...)
		cmds = append(cmds, ">\r\n"...)
		rcptEnd[i] = len(cmds)
	}
	var data []byte
	if cl.chunking {
		data = msg.forChunk()
		cmds = append(cmds, "BDAT "...)
		cmds = strconv.AppendInt(cmds, int64(len(data)), 10)
		cmds = append(cmds, " LAST\r\n"...)
	} else {
		cmds = append(cmds, "DATA\r\n"...)
	}
	// The chunk rides with the commands when they are pipelined and it is
	// small enough; otherwise it follows the last reply.
	withCommands := cl.chunking && cl.pipelining && len(data) <= pipelinedChunkMax

	// Each reply is awaited for CommandTimeout, as go-smtp does. Without
	// PIPELINING each command waits for the reply to the one before.
	defer cl.conn.SetDeadline(time.Time{})
	written := 0
	next := func(end int) error {
		cl.conn.SetDeadline(time.Now().Add(cl.commandTimeout))
		if cl.pipelining {
			end = len(cmds)
		}
		if end <= written {
			return nil
		}
		var err error
		if withCommands && end == len(cmds) {
			// One writev: the commands and the chunk, no copy.
			cl.conn.SetDeadline(time.Time{})
			bufs := net.Buffers{cmds[written:end], data}
			_, err = bufs.WriteTo(cl.conn)
			cl.conn.SetDeadline(time.Now().Add(cl.commandTimeout))
		} else {
			_, err = cl.conn.Write(cmds[written:end])
		}
		written = end
		return err
	}
	if err := next(mailEnd); err != nil {
		return &txError{step: stepMail, err: err}
	}
	if err := cl.reply(250); err != nil {
		return &txError{step: stepMail, err: err}
	}
	for i, a := range to {
		if err := next(rcptEnd[i]); err != nil {
			return &txError{step: stepRcpt, rcpt: a, err: err}
		}
		// 250, or 251 (user not local; will forward).
		if err := cl.reply(25); err != nil {
			return &txError{step: stepRcpt, rcpt: a, err: err}
		}
	}
	if cl.chunking {
		if !withCommands {
			// Like go-smtp's DATA, no deadline while the message is
			// written (the caller's context closes the connection).
			cl.conn.SetDeadline(time.Time{})
			bufs := net.Buffers{cmds[written:], data}
			if _, err := bufs.WriteTo(cl.conn); err != nil {
				return &txError{step: stepWrite, err: err}
			}
		}
		cl.conn.SetDeadline(time.Now().Add(cl.submissionTimeout))
		if err := cl.reply(250); err != nil {
			return &txError{step: stepEnd, err: err}
		}
		return nil
	}
	if err := next(len(cmds)); err != nil {
		return &txError{step: stepData, err: err}
	}
	if err := cl.reply(354); err != nil {
		return &txError{step: stepData, err: err}
	}
	// Like go-smtp, no deadline while the message is written (the caller's
	// context closes the connection), then SubmissionTimeout for the reply.
	cl.conn.SetDeadline(time.Time{})
	if _, err := cl.conn.Write(msg.forData()); err != nil {
		return &txError{step: stepWrite, err: err}
	}
	cl.conn.SetDeadline(time.Now().Add(cl.submissionTimeout))
	if err := cl.reply(250); err != nil {
		return &txError{step: stepEnd, err: err}
	}
	return nil
}

// reply reads one reply; a code other than expect (a prefix of the code,
// as in net/textproto) is an *smtp.SMTPError as go-smtp's client gives it.
func (cl *client) reply(expect int) error {
	_, _, err := cl.r.ReadResponse(expect)
	if pe, ok := errors.AsType[*textproto.Error](err); ok {
		return smtpError(pe)
	}
	return err
}

// smtpError is go-smtp's client's reading of an error reply: the enhanced
// status code, when the reply has one, is taken off the message.
func smtpError(pe *textproto.Error) *smtp.SMTPError {
	se := &smtp.SMTPError{Code: pe.Code, Message: pe.Msg}
	first, msg, ok := strings.Cut(pe.Msg, " ")
	if !ok {
		return se
	}
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return se
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return se
		}
		ec[i] = n
	}
	// RFC 2034 repeats the enhanced code on every line.
	se.EnhancedCode, se.Message = ec, strings.ReplaceAll(msg, "\n"+first+" ", "\n")
	return se
}

// lineLimitReader fails a read once a line runs over maxReplyLine.
type lineLimitReader struct {
	r    io.Reader
	line int
}

func (l *lineLimitReader) Read(b []byte) (int, error) {
	if l.line > maxReplyLine {
		return 0, errReplyTooLong
	}
	n, err := l.r.Read(b)
	for _, c := range b[:n] {
		if c == '\n' {
			l.line = 0
		}
		l.line++
		if l.line > maxReplyLine {
			return 0, errReplyTooLong
		}
	}
	return n, err
}
