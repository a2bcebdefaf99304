package mailer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/internal/noreturn"
)

// client is a logged-in go-smtp client and the connection under it. go-smtp
// dials, greets, starts TLS, logs in and says goodbye; the mail transaction
// (MAIL FROM, RCPT TO, DATA or BDAT, and the message) is run here on the
// connection itself: the commands go out together when the server offers
// PIPELINING (RFC 2920), and the message in one write, where go-smtp's
// client writes and waits for each command in turn and copies the message
// a byte at a time. After DATA the bytes on the wire are the ones go-smtp
// writes; go-smtp's client has no BDAT.
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
	// maxSize is the largest message the server takes (EHLO SIZE, RFC
	// 1870); 0 when it names no limit.
	maxSize int64
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
	if ok, param := c.Extension("SIZE"); ok {
		// "SIZE" alone, or "SIZE 0", names no limit.
		if n, err := strconv.ParseInt(strings.TrimSpace(param), 10, 64); err == nil && n > 0 {
			cl.maxSize = n
		}
	}
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

// errNoSMTPUTF8: the mail needs SMTPUTF8 (an address that is not ASCII)
// and the server does not offer it; no retry will change that.
var errNoSMTPUTF8 = errors.New("smtp: server does not support SMTPUTF8, which an address that is not ASCII needs")

// sizeLimitError is a mail larger than the server's EHLO SIZE limit, found
// before anything of it was sent.
type sizeLimitError struct{ size, limit int64 }

func (e *sizeLimitError) Error() string {
	return fmt.Sprintf("the mail is %d bytes, over the %d bytes the server accepts (EHLO SIZE); not sent", e.size, e.limit)
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

// lastChunk ends a chunked message. The message goes in a chunk of its own
// before it, so the transaction can only end once every byte of the
// message was written: a sender cut off in the middle of it (a crash, a
// kill) never sends this, and no server takes in a cut message, not even
// one that, when the connection drops, delivers a LAST chunk with the bytes
// that did arrive (go-smtp's server does).
const lastChunk = "BDAT 0 LAST\r\n"

// oneWriteMax is the largest message that goes with its end in one
// write, commit asked before it. A write that small takes no time worth a
// lease, and one write instead of two or three is a system call or two
// fewer here and a read fewer at the relay (a TLS record each, over TLS):
// the acknowledgements and notifications that are most of the mail are a
// few kilobytes. The relay still answers each chunk. A cut write still
// never ends the mail (the end is its last bytes); a larger message keeps
// its end for a write of its own after commit, however long its upload
// takes.
const oneWriteMax = 32 << 10

// errCalledOff is a transaction its caller called off at the point of no
// return (WithPointOfNoReturn): the end of the mail was not written.
var errCalledOff = errors.New("the end of the mail was not written: the send was called off before it")

// WithPointOfNoReturn returns ctx with commit, which SendMail calls just
// before it writes what lets the server take the mail in (lastChunk, or
// DATA's final "."): every recipient accepted and the message itself
// written, or for a message of at most oneWriteMax bytes about to go in
// the same write as its end. Until then a send cut off leaves nothing at
// the server; once that is written the server may have the whole mail
// whatever happens to the connection, so cutting the send off saves
// nothing and leaves the caller not knowing whether the mail went. commit returning false calls
// the send off there (SendMail fails, temporarily, and nothing is taken
// in); returning true, the caller should let the send finish: the reply
// is still bounded by SubmissionTimeout. commit is called at most once per
// SendMail, and a caller that cancels ctx itself should decide that under
// the same lock as commit, so the two cannot cross. It is noreturn.With,
// which the Telegram bot honours too; the name says what it means here.
func WithPointOfNoReturn(ctx context.Context, commit func() bool) context.Context {
	return noreturn.With(ctx, commit)
}

// commitHook is ctx's WithPointOfNoReturn hook, or nil.
func commitHook(ctx context.Context) func() bool { return noreturn.Hook(ctx) }

// send runs one mail transaction: MAIL FROM from (with SMTPUTF8 when utf8),
// RCPT TO each of to, and the message. When the server offers CHUNKING
// (RFC 3030) the message goes as it is in one BDAT chunk, followed by
// lastChunk: nothing to dot-stuff here or to undo at the server. Otherwise
// it goes after DATA as go-smtp's client writes it. The message is written
// only once every command before it succeeded, as with DATA: a message
// written with its commands would be taken in by a server that is still
// checking the recipients when this process dies, and sent again after the
// restart. commit, when not nil, is asked just before the end of the mail
// is written (WithPointOfNoReturn), which then goes in a write of its own,
// unless the message is small enough to go with it (oneWriteMax); without
// commit the chunks go in one. An error is a *txError; after one the
// connection must be closed, since replies to pipelined commands may be
// pending.
func (cl *client) send(from string, utf8 bool, to []string, msg *outgoing, commit func() bool) error {
	if cl.maxSize > 0 && int64(len(msg.rendered)) > cl.maxSize {
		// The server said it will refuse it: uploading it would only cost
		// the time and the bytes before the same refusal.
		return &txError{step: stepMail, err: &sizeLimitError{size: int64(len(msg.rendered)), limit: cl.maxSize}}
	}
	if utf8 && !cl.smtpUTF8 {
		return &txError{step: stepMail, err: errNoSMTPUTF8}
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
	if !cl.chunking {
		cmds = append(cmds, "DATA\r\n"...)
	}

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
		_, err := cl.conn.Write(cmds[written:end])
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
		data := msg.forChunk()
		chunkCmd := strconv.AppendInt([]byte("BDAT "), int64(len(data)), 10)
		chunkCmd = append(chunkCmd, "\r\n"...)
		// Like go-smtp's DATA, no deadline while the message is written
		// (the caller's context closes the connection).
		cl.conn.SetDeadline(time.Time{})
		if len(data) <= oneWriteMax {
			// Copied into one buffer: the connection may be wrapped (TLS,
			// the greeting's replay), and then net.Buffers writes each
			// buffer on its own.
			if commit != nil && !commit() {
				return &txError{step: stepWrite, err: errCalledOff}
			}
			wire := make([]byte, 0, len(chunkCmd)+len(data)+len(lastChunk))
			wire = append(append(append(wire, chunkCmd...), data...), lastChunk...)
			if _, err := cl.conn.Write(wire); err != nil {
				return &txError{step: stepWrite, err: err}
			}
		} else {
			// A large message is not copied: a writev where the
			// connection allows it.
			bufs := net.Buffers{chunkCmd, data, []byte(lastChunk)}
			if commit != nil {
				bufs = bufs[:2]
			}
			if _, err := bufs.WriteTo(cl.conn); err != nil {
				return &txError{step: stepWrite, err: err}
			}
			if commit != nil {
				if !commit() {
					return &txError{step: stepWrite, err: errCalledOff}
				}
				if _, err := io.WriteString(cl.conn, lastChunk); err != nil {
					return &txError{step: stepWrite, err: err}
				}
			}
		}
		// A reply to the message's chunk, then to the last one.
		for range 2 {
			cl.conn.SetDeadline(time.Now().Add(cl.submissionTimeout))
			if err := cl.reply(250); err != nil {
				return &txError{step: stepEnd, err: err}
			}
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
	wire := msg.forData()
	if commit != nil && len(wire) <= oneWriteMax && !commit() {
		return &txError{step: stepWrite, err: errCalledOff}
	}
	if commit != nil && len(wire) > oneWriteMax {
		// wireData always ends with dataEnd, after a line break.
		end := len(wire) - len(dataEnd)
		if _, err := cl.conn.Write(wire[:end]); err != nil {
			return &txError{step: stepWrite, err: err}
		}
		if !commit() {
			return &txError{step: stepWrite, err: errCalledOff}
		}
		wire = wire[end:]
	}
	if _, err := cl.conn.Write(wire); err != nil {
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
