package mailer

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"

	"sportel/inquiry"
	"sportel/internal/textsafe"
)

// reservedHeaders are written by Render itself; m.Headers may not set them.
var reservedHeaders = []string{
	"Auto-Submitted", "Bcc", "Cc", "Content-Disposition", "Content-Transfer-Encoding",
	"Content-Type", "Date", "From", "In-Reply-To", "Message-Id", "Mime-Version",
	"References", "Reply-To", "Subject", "To", "X-Auto-Response-Suppress", "X-Loop",
}

// Render writes m as an RFC 5322 message. Apart from MIME boundaries the
// output depends only on m and loopID: Message-ID and Date come from m, so a
// retried job sends the same mail. loopID is the X-Loop value for
// machine-written mail (m.AutoReplied); empty means m.From's address.
//
// Subjects, names, file names and the text often quote citizens, so they
// go out through textsafe: no control character reaches a mail client raw.
func Render(m *inquiry.Mail, loopID string) ([]byte, error) {
	m = asciiDomains(m)
	buf := &renderBuf{b: make([]byte, 0, renderedSize(m))}
	if err := render(buf, m, loopID); err != nil {
		return nil, err
	}
	return buf.b, nil
}

// renderBuf holds a rendering, so a pooled one keeps its array.
type renderBuf struct{ b []byte }

// renderPool keeps SendMail's rendering buffers for the next mail, up to
// maxPooledRender each: a busy outbox would otherwise allocate (and clear)
// one the size of each mail.
var renderPool = sync.Pool{New: func() any { return new(renderBuf) }}

const maxPooledRender = 4 << 20

// render appends the rendering of m to buf.
//
// It writes the bytes go-message's mail writer wrote for the same header
// and parts (quoted-printable text, base64 attachments, multipart/mixed
// when there are any), but appends them straight to buf: go-message
// copies the header twice, keeps a map of it and writes a field or a line
// of base64 at a time, which for the few-kilobyte acknowledgements and
// notifications that are most of the outbox's mail was most of their
// rendering. The text is still encoded by mime/quotedprintable.
func render(buf *renderBuf, m *inquiry.Mail, loopID string) error {
	if err := validate(m); err != nil {
		return fmt.Errorf("render mail %s: %w", m.MessageID, err)
	}
	if loopID == "" {
		loopID = m.From.Address
	}
	if m.AutoReplied && strings.ContainsAny(loopID, "\r\n") {
		return fmt.Errorf("render mail %s: X-Loop %q: value contains a line break", m.MessageID, loopID)
	}
	text := textsafe.Text(m.Text)
	if len(m.Attachments) == 0 {
		b := appendHeader(buf.b, m, loopID, "")
		// Without it the QP UTF-8 body would be read as us-ascii.
		b = append(b, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"...)
		buf.b = appendQuotedPrintable(b, text)
		return nil
	}

	boundary := newBoundary()
	b := appendHeader(buf.b, m, loopID, boundary)
	b = append(b, "\r\n--"...)
	b = append(b, boundary...)
	b = append(b, "\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: inline\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n"...)
	b = appendQuotedPrintable(b, text)
	for i, a := range m.Attachments {
		b = append(b, "\r\n--"...)
		b = append(b, boundary...)
		b = append(b, "\r\n"...)
		b = appendAttachment(b, a, i)
	}
	b = append(b, "\r\n--"...)
	b = append(b, boundary...)
	buf.b = append(b, "--\r\n"...)
	return nil
}

// appendHeader appends m's header, up to Mime-Version; a multipart/mixed
// one when boundary is set.
func appendHeader(b []byte, m *inquiry.Mail, loopID, boundary string) []byte {
	if boundary != "" {
		// go-message wrote it first.
		b = appendField(b, "Content-Type", "multipart/mixed; boundary="+boundary)
	}
	b = appendField(b, "Message-Id", "<"+m.MessageID+">")
	b = append(b, "Date: "...) // too short to fold
	b = m.Date.AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 -0700")
	b = append(b, "\r\n"...)
	b = appendField(b, "From", formatAddresses([]inquiry.Address{m.From}))
	b = appendField(b, "To", formatAddresses(m.To))
	if m.ReplyTo != nil && m.ReplyTo.Address != "" {
		b = appendField(b, "Reply-To", formatAddresses([]inquiry.Address{*m.ReplyTo}))
	}
	b = appendField(b, "Subject", headerText(textsafe.Line(m.Subject)))
	if len(m.InReplyTo) > 0 {
		b = appendField(b, "In-Reply-To", msgIDList(m.InReplyTo))
	}
	if len(m.References) > 0 {
		b = appendField(b, "References", msgIDList(m.References))
	}
	if m.AutoReplied {
		b = appendField(b, "Auto-Submitted", "auto-replied") // RFC 3834
		b = appendField(b, "X-Loop", loopID)
		b = appendField(b, "X-Auto-Response-Suppress", autoResponseSuppress(m))
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order must not change the output
	for _, k := range keys {
		// Canonical, as go-message wrote the name.
		b = appendField(b, textproto.CanonicalMIMEHeaderKey(k), headerText(m.Headers[k]))
	}
	return append(b, "Mime-Version: 1.0\r\n"...)
}

// appendAttachment appends the part of the attachment a, the i-th, after
// its boundary line.
func appendAttachment(b []byte, a inquiry.Attachment, i int) []byte {
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil || !transportable(mediaType, params) {
		mediaType, params = "application/octet-stream", nil
	}
	name := textsafe.FileName(a.Name)
	if name == "" {
		name = fmt.Sprintf("attachment-%d", i+1)
	}
	// go-message formats the parameters.
	var ah mail.AttachmentHeader
	ah.SetContentType(mediaType, params)
	ah.SetFilename(name)
	b = appendField(b, "Content-Disposition", ah.Get("Content-Disposition"))
	// Every attachment goes base64: kept mail may have lines of any
	// length, and a relay refuses a line over 998 octets.
	b = append(b, "Content-Transfer-Encoding: base64\r\n"...)
	b = appendField(b, "Content-Type", ah.Get("Content-Type"))
	b = append(b, "\r\n"...)
	return appendBase64Lines(b, a.Content)
}

// newBoundary is a MIME boundary as go-message makes one: 30 random bytes
// in hex.
func newBoundary() string {
	var r [30]byte
	rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// Header lines are folded as go-message folds them: at white space, to
// lines of up to preferredLineLen octets, or when a value has no white
// space to fold at in time, to lines of up to maxLineLen.
const (
	preferredLineLen = 76
	maxLineLen       = 998
)

// appendField appends the header field k: v folded as go-message folds it.
// v has no line break.
func appendField(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	if v == "" {
		return append(b, "\r\n"...)
	}
	for keyLen := len(k) + 2; len(v) > 0; keyLen = 0 {
		n, fold, ok := foldPoint(v, preferredLineLen-keyLen)
		if !ok {
			n, fold, _ = foldPoint(v, maxLineLen-keyLen)
		}
		b = append(b, v[:n]...)
		b = append(b, fold...)
		v = v[n:]
	}
	return b
}

// foldPoint returns how much of v goes on a line of up to limit octets and
// what ends that line: the last space or tab that leaves the line short
// enough starts the next one, after "\r\n". Without one, v is cut and the
// line ends "\r\n " (not ok: that adds a space to the value). limit is
// at least 1 (validate keeps field names short enough).
func foldPoint(v string, limit int) (n int, fold string, ok bool) {
	if len(v) <= limit {
		return len(v), "\r\n", true
	}
	n = strings.LastIndexAny(v[:limit+1], " \t")
	switch {
	case n == 0: // the white space that folded the line before
		n = limit
	case n < 0:
		n = limit - 1
	}
	if v[n] == ' ' || v[n] == '\t' {
		return n, "\r\n", true
	}
	return n, "\r\n ", false
}

// appendQuotedPrintable appends s quoted-printable, as mime/quotedprintable
// writes it, closed.
func appendQuotedPrintable(b []byte, s string) []byte {
	w := appendWriter{b}
	qp := quotedprintable.NewWriter(&w)
	io.WriteString(qp, s)
	qp.Close()
	return w.b
}

// appendWriter appends what it is given to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// quotedPrintableMax is the most quoted-printable writes for n bytes:
// three characters each, and a soft break ("=\r\n") on every line.
func quotedPrintableMax(n int) int {
	return 3*n + 3*(3*n/(76-3)+1)
}

// autoResponseSuppress is the X-Auto-Response-Suppress value of machine
// mail (MS-OXCMAIL 2.1.3.2.20): Exchange sends no automatic reply of any
// kind to it, but for mail that wants the out-of-office reply (OOF), which
// then still suppresses delivery and read reports and other auto-replies.
func autoResponseSuppress(m *inquiry.Mail) string {
	if m.AllowOutOfOffice {
		return "DR, RN, NRN, AutoReply"
	}
	return "All"
}

// headerText encodes s for an unstructured header field (RFC 2047).
// mime's encoder leaves printable ASCII as it is, even text that reads as
// an encoded-word: a citizen's subject encoded twice arrives decoded once,
// still "=?utf-8?b?…?=", and written raw the reader's client would decode
// it again into what textsafe and the desk's link check never saw (line
// breaks, escapes, a link in an acknowledgement). Such text is encoded
// whole, so it reads back exactly as given.
func headerText(s string) string {
	if !strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("utf-8", s)
	}
	// 45 bytes are 60 base64 characters: a word of 72, within RFC 2047's 75.
	const chunk = 45
	var b strings.Builder
	for len(s) > 0 {
		n := min(len(s), chunk)
		for n < len(s) && n > 1 && !utf8.RuneStart(s[n]) {
			n--
		}
		if b.Len() > 0 {
			b.WriteByte(' ') // between encoded-words: dropped when decoded
		}
		b.WriteString("=?utf-8?b?")
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[:n])))
		b.WriteString("?=")
		s = s[n:]
	}
	return b.String()
}

// appendBase64Lines appends src in base64 as go-message writes a base64
// body: lines of 76 characters ending "\r\n", the last without one.
func appendBase64Lines(dst, src []byte) []byte {
	const lineBytes = 57 // 76 characters of base64
	n := base64.StdEncoding.EncodedLen(len(src))
	if n == 0 {
		return dst
	}
	n += 2 * ((n - 1) / 76)
	dst = slices.Grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	for len(src) > lineBytes {
		base64.StdEncoding.Encode(out, src[:lineBytes])
		out[76], out[77] = '\r', '\n'
		out, src = out[78:], src[lineBytes:]
	}
	base64.StdEncoding.Encode(out, src)
	return dst[:len(dst)+n]
}

// renderedSize is a little more than Render's output for m usually takes,
// so the buffer is allocated once instead of doubling through a large
// attachment or Cyrillic text: quoted-printable text grows to up to three
// times its size, base64 by a third plus a line break every 76 characters
// (57 bytes).
func renderedSize(m *inquiry.Mail) int {
	n := 2048 + quotedPrintableMax(len(m.Text))
	for _, a := range m.Attachments {
		n += 512 + len(a.Content)*4/3 + len(a.Content)/28
	}
	return n
}

// transportable reports whether an attachment can keep its media type when
// it is sent base64-encoded. Multipart and message types may not be
// (RFC 2045, 2046), and go-message would write them raw, as received; a
// charset other than UTF-8 or ASCII go-message refuses to label. Those go
// as application/octet-stream, their bytes unchanged.
func transportable(mediaType string, params map[string]string) bool {
	if strings.HasPrefix(mediaType, "multipart/") || strings.HasPrefix(mediaType, "message/") {
		return false
	}
	switch strings.ToLower(params["charset"]) {
	case "", "us-ascii", "utf-8":
		return true
	}
	return false
}

func validate(m *inquiry.Mail) error {
	if m == nil {
		return errors.New("no mail")
	}
	if m.MessageID == "" || strings.ContainsAny(m.MessageID, "<> \t\r\n") || !strings.Contains(m.MessageID, "@") {
		return fmt.Errorf("message id %q: want id-left@id-right without <>", m.MessageID)
	}
	if m.Date.IsZero() {
		return errors.New("date not set (it is fixed when the job is written)")
	}
	if m.From.Address == "" {
		return errors.New("no From address")
	}
	if len(m.To) == 0 {
		return errors.New("no recipients")
	}
	for _, list := range [][]inquiry.Address{{m.From}, m.To} {
		for _, a := range list {
			if _, _, err := addressForms(a.Address); err != nil {
				return err
			}
		}
	}
	if m.ReplyTo != nil && m.ReplyTo.Address != "" {
		if _, _, err := addressForms(m.ReplyTo.Address); err != nil {
			return err
		}
	}
	for _, ids := range [][]string{m.InReplyTo, m.References} {
		for _, id := range ids {
			// Spaces are allowed: real clients write them
			// (<20261130 101010.1234@pc.example.net>), and msgID quotes them.
			if strings.TrimSpace(id) == "" || strings.ContainsAny(id, "<>\r\n") {
				return fmt.Errorf("referenced message id %q: want it without <> or line breaks", id)
			}
		}
	}
	for k, v := range m.Headers {
		if !validFieldName(k) {
			return fmt.Errorf("header %q: not a valid field name", k)
		}
		if len(k)+len(": ") >= preferredLineLen {
			// No room for the value on the field's first line: go-message
			// panicked folding it.
			return fmt.Errorf("header %q: name too long", k)
		}
		for _, r := range reservedHeaders {
			if strings.EqualFold(k, r) {
				return fmt.Errorf("header %q: set by the mailer itself", k)
			}
		}
		if strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("header %q: value contains a line break", k)
		}
	}
	return nil
}

func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range []byte(k) {
		if c < '!' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// formatAddresses writes "Name <addr>" with RFC 2047 names where needed,
// and a local part quoted where it must be.
func formatAddresses(list []inquiry.Address) string {
	if len(list) == 1 {
		return formatAddress(list[0])
	}
	var b strings.Builder
	for i, a := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(formatAddress(a))
	}
	return b.String()
}

// formatAddress is a as go-message's SetAddressList writes it.
func formatAddress(a inquiry.Address) string {
	addr := mail.Address{Name: textsafe.Line(a.Name), Address: unquotedAddress(a.Address)}
	return addr.String()
}

func msgIDList(ids []string) string {
	var b strings.Builder
	n := 0
	for _, id := range ids {
		n += len(id) + len("<> ")
	}
	b.Grow(n)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		writeMsgID(&b, id)
	}
	return b.String()
}

// writeMsgID writes a referenced Message-ID in the RFC 5322 form, so a relay
// accepts it and a folded header cannot split it: a left part that is not
// a dot-atom (it has spaces, say) is written as a quoted string, which
// RFC 5322 reads as the same id; a right part that is not one loses its
// spaces and goes in brackets as a domain literal.
func writeMsgID(b *strings.Builder, id string) {
	left, right, found := id, "", false
	if at := strings.LastIndexByte(id, '@'); at >= 0 {
		left, right, found = id[:at], id[at+1:], true
	}
	b.WriteByte('<')
	if dotAtom(left) {
		b.WriteString(left)
	} else {
		b.WriteByte('"')
		b.WriteString(msgIDQuoter.Replace(left))
		b.WriteByte('"')
	}
	if found {
		b.WriteByte('@')
		if dotAtom(right) {
			b.WriteString(right)
		} else {
			b.WriteByte('[')
			for _, r := range right {
				if r != ' ' && r != '\t' && r != '[' && r != ']' && r != '\\' {
					b.WriteRune(r)
				}
			}
			b.WriteByte(']')
		}
	}
	b.WriteByte('>')
}

var msgIDQuoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// dotAtom reports whether s is an RFC 5322 dot-atom-text (UTF-8 allowed,
// as RFC 6532 does).
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if r < 0x80 && !atext(byte(r)) && r != '.' {
			return false
		}
	}
	return true
}

func atext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}
