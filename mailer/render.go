package mailer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
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

// renderBuf collects a rendering. Unlike a bytes.Buffer it lets an
// attachment be encoded straight into it.
type renderBuf struct{ b []byte }

func (r *renderBuf) Write(p []byte) (int, error) {
	r.b = append(r.b, p...)
	return len(p), nil
}

// renderPool keeps SendMail's rendering buffers for the next mail, up to
// maxPooledRender each: a busy outbox would otherwise allocate (and clear)
// one the size of each mail.
var renderPool = sync.Pool{New: func() any { return new(renderBuf) }}

const maxPooledRender = 4 << 20

// render appends the rendering of m to buf.
func render(buf *renderBuf, m *inquiry.Mail, loopID string) error {
	if err := validate(m); err != nil {
		return fmt.Errorf("render mail %s: %w", m.MessageID, err)
	}

	// go-message writes header fields last-added first, so fields are
	// collected in reading order and added in reverse.
	type field struct{ key, value string }
	var fields []field
	add := func(k, v string) { fields = append(fields, field{k, v}) }
	var h mail.Header

	add("Message-Id", "<"+m.MessageID+">")
	add("Date", m.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	add("From", formatAddresses([]inquiry.Address{m.From}))
	add("To", formatAddresses(m.To))
	if m.ReplyTo != nil && m.ReplyTo.Address != "" {
		add("Reply-To", formatAddresses([]inquiry.Address{*m.ReplyTo}))
	}
	add("Subject", headerText(textsafe.Line(m.Subject)))
	if len(m.InReplyTo) > 0 {
		add("In-Reply-To", msgIDList(m.InReplyTo))
	}
	if len(m.References) > 0 {
		add("References", msgIDList(m.References))
	}
	if m.AutoReplied {
		if loopID == "" {
			loopID = m.From.Address
		}
		add("Auto-Submitted", "auto-replied") // RFC 3834
		add("X-Loop", loopID)
		add("X-Auto-Response-Suppress", autoResponseSuppress(m))
	}
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys) // map order must not change the output
	for _, k := range keys {
		add(k, headerText(m.Headers[k]))
	}
	add("Mime-Version", "1.0")
	if len(m.Attachments) == 0 {
		// Without it the QP UTF-8 body would be read as us-ascii.
		add("Content-Type", "text/plain; charset=utf-8")
		add("Content-Transfer-Encoding", "quoted-printable")
	}
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i].key, fields[i].value)
	}

	if len(m.Attachments) == 0 {
		w, err := mail.CreateSingleInlineWriter(buf, h)
		if err != nil {
			return fmt.Errorf("render mail %s: %w", m.MessageID, err)
		}
		if err := writeAndClose(w, []byte(textsafe.Text(m.Text))); err != nil {
			return fmt.Errorf("render mail %s: body: %w", m.MessageID, err)
		}
		return nil
	}

	mw, err := mail.CreateWriter(buf, h) // multipart/mixed
	if err != nil {
		return fmt.Errorf("render mail %s: %w", m.MessageID, err)
	}
	var ih mail.InlineHeader
	ih.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	tw, err := mw.CreateSingleInline(ih)
	if err != nil {
		return fmt.Errorf("render mail %s: text part: %w", m.MessageID, err)
	}
	if err := writeAndClose(tw, []byte(textsafe.Text(m.Text))); err != nil {
		return fmt.Errorf("render mail %s: text part: %w", m.MessageID, err)
	}
	for i, a := range m.Attachments {
		var ah mail.AttachmentHeader
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		mediaType, params, err := mime.ParseMediaType(ct)
		if err != nil || !transportable(mediaType, params) {
			mediaType, params = "application/octet-stream", nil
		}
		ah.SetContentType(mediaType, params)
		// Every attachment goes base64: kept mail may have lines of any
		// length, and a relay refuses a line over 998 octets.
		ah.Set("Content-Transfer-Encoding", "base64")
		name := textsafe.FileName(a.Name)
		if name == "" {
			name = fmt.Sprintf("attachment-%d", i+1)
		}
		ah.SetFilename(name)
		aw, err := mw.CreateAttachment(ah) // base64
		if err != nil {
			return fmt.Errorf("render mail %s: attachment %d: %w", m.MessageID, i+1, err)
		}
		// go-message has written the part's header and would encode what
		// aw is given, through a writer per line; the same text is encoded
		// here at once, and aw closed unwritten adds nothing.
		buf.b = appendBase64Lines(buf.b, a.Content)
		if err := aw.Close(); err != nil {
			return fmt.Errorf("render mail %s: attachment %d: %w", m.MessageID, i+1, err)
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("render mail %s: %w", m.MessageID, err)
	}
	return nil
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
// attachment: quoted-printable UTF-8 text grows by up to about half, base64
// by a third plus a line break every 76 characters (57 bytes).
func renderedSize(m *inquiry.Mail) int {
	n := 2048 + len(m.Text)*3/2
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
	for _, a := range append([]inquiry.Address{m.From}, m.To...) {
		if _, _, err := addressForms(a.Address); err != nil {
			return err
		}
	}
	if m.ReplyTo != nil && m.ReplyTo.Address != "" {
		if _, _, err := addressForms(m.ReplyTo.Address); err != nil {
			return err
		}
	}
	for _, id := range append(slices.Clone(m.InReplyTo), m.References...) {
		// Spaces are allowed: real clients write them
		// (<20261130 101010.1234@pc.example.net>), and msgID quotes them.
		if strings.TrimSpace(id) == "" || strings.ContainsAny(id, "<>\r\n") {
			return fmt.Errorf("referenced message id %q: want it without <> or line breaks", id)
		}
	}
	for k, v := range m.Headers {
		if !validFieldName(k) {
			return fmt.Errorf("header %q: not a valid field name", k)
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
	addrs := make([]*mail.Address, len(list))
	for i, a := range list {
		addrs[i] = &mail.Address{Name: textsafe.Line(a.Name), Address: unquotedAddress(a.Address)}
	}
	var h mail.Header
	h.SetAddressList("To", addrs)
	return h.Get("To")
}

func msgIDList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = msgID(id)
	}
	return strings.Join(out, " ")
}

// msgID writes a referenced Message-ID in the RFC 5322 form, so a relay
// accepts it and a folded header cannot split it: a left part that is not
// a dot-atom (it has spaces, say) is written as a quoted string, which
// RFC 5322 reads as the same id; a right part that is not one loses its
// spaces and goes in brackets as a domain literal.
func msgID(id string) string {
	left, right, found := id, "", false
	if at := strings.LastIndexByte(id, '@'); at >= 0 {
		left, right, found = id[:at], id[at+1:], true
	}
	if !dotAtom(left) {
		left = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(left) + `"`
	}
	if !found {
		return "<" + left + ">"
	}
	if !dotAtom(right) {
		right = "[" + strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '[' || r == ']' || r == '\\' {
				return -1
			}
			return r
		}, right) + "]"
	}
	return "<" + left + "@" + right + ">"
}

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

func writeAndClose(w io.WriteCloser, b []byte) error {
	if _, err := w.Write(b); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
