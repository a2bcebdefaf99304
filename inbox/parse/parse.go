// Package parse turns one raw RFC 5322 email into an inquiry.Message,
// leniently: a broken part, an unknown charset or a bad header still yields a
// message with whatever could be read, and each problem is recorded in
// ParseProblems. It also judges whether the mail was written by a machine
// (loop protection), so the desk never acknowledges an auto-reply or a bounce.
package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	htmlcharset "golang.org/x/net/html/charset"

	"sportel/inquiry"
	"sportel/internal/textsafe"
)

// Options configure Parse. The zero value is usable; caps default as noted.
type Options struct {
	// OwnAddresses are our public mailbox address(es): mail From them is
	// Machine; an X-Loop naming them is Machine.
	OwnAddresses []string
	// OwnMessageIDDomain: Message-IDs we generate end in "@" + this; mail
	// whose Message-ID is ours is Machine.
	OwnMessageIDDomain string
	// OwnMessageIDPrefix, when set, must also begin our Message-IDs: the
	// officers' own mail server writes Message-IDs in the same domain, and
	// their mail is not ours.
	OwnMessageIDPrefix string
	// MaxAttachmentBytes is the content kept per attachment (default 10 MiB);
	// beyond it Content is cut, Truncated set, and Size stays the full size.
	MaxAttachmentBytes int64
	// MaxRawBytes is the raw message kept for the record (default 25 MiB);
	// beyond it RawTruncated is set.
	MaxRawBytes int64
	// MaxTextBytes is the text kept (default 1 MiB).
	MaxTextBytes int
}

const (
	defaultMaxAttachmentBytes = 10 << 20
	defaultMaxRawBytes        = 25 << 20
	defaultMaxTextBytes       = 1 << 20

	// Nesting and part-count limits keep hostile mail from costing much more
	// than its size (each level holds a copy of its body): real mail nests a
	// handful of levels and has tens of parts.
	maxDepth = 12
	maxParts = 500
)

func (o Options) withDefaults() Options {
	if o.MaxAttachmentBytes <= 0 {
		o.MaxAttachmentBytes = defaultMaxAttachmentBytes
	}
	if o.MaxRawBytes <= 0 {
		o.MaxRawBytes = defaultMaxRawBytes
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = defaultMaxTextBytes
	}
	return o
}

// parser holds the state of one Parse call.
type parser struct {
	opts     Options
	problems []string
	parts    int

	deliveryReport bool
	// deliveryFailure is what a delivery-status part says of a delivery
	// that failed (failedDelivery), "" when none did.
	deliveryFailure string
	// quotedID is the Message-ID of the original a report quotes.
	quotedID string
	// bounceRefs are the ids of an original message quoted in the body
	// (message/rfc822, text/rfc822-headers); used only for machine mail.
	bounceRefs []string
	// quotesMessage: a part holds another message or its header.
	quotesMessage bool
	// attachmentsOnly skips the text parts (Attachments): the walk, and
	// so the attachments and their order, stay the same.
	attachmentsOnly bool
	// shows are the HTML parts that show images by cid: reference, and
	// cids the Content-IDs they name.
	shows []string
	cids  map[string]bool
	// sealed says why content could not be read (encrypted, or signed in
	// a form not opened); encrypted: some of it was encrypted.
	sealed    []string
	encrypted bool
	// textLanguage is the first Content-Language of a text part that
	// names one of Sportel's languages.
	textLanguage inquiry.Language
	// asStored reads signed and encrypted mail part by part as it came,
	// as Sportel did before it opened them: the attachments a record
	// filed then names.
	asStored bool
}

func (p *parser) problem(format string, args ...any) {
	p.problems = append(p.problems, strings.ToValidUTF8(fmt.Sprintf(format, args...), "\uFFFD"))
}

// textPiece is one readable body part, in order.
type textPiece struct {
	text string
	html bool
}

// Parse reads one raw email. It never fails: what cannot be read is listed in
// ParseProblems, and the raw message is kept (capped) for the record.
// receivedAt is our own receipt time (IMAP INTERNALDATE). The returned Raw
// shares memory with raw; do not modify raw afterwards.
func Parse(raw []byte, receivedAt time.Time, opts Options) *inquiry.Message {
	return parseMessage(raw, receivedAt, opts, true)
}

// parseMessage is Parse; withForward reads a forwarded message too (not
// for a forwarded message itself: one level is what a forward means).
func parseMessage(raw []byte, receivedAt time.Time, opts Options, withForward bool) *inquiry.Message {
	p := &parser{opts: opts.withDefaults()}
	m := &inquiry.Message{Channel: inquiry.ChannelEmail, ReceivedAt: receivedAt}

	if int64(len(raw)) > p.opts.MaxRawBytes {
		n := p.opts.MaxRawBytes
		m.Raw, m.RawTruncated = raw[:n:n], true
		p.problem("raw message of %d bytes kept only up to %d bytes", len(raw), n)
	} else {
		m.Raw = raw
	}

	th, body := p.readTopHeader(p.crLines(raw))
	h := mail.Header{Header: message.Header{Header: th}}
	p.readEnvelope(h, m)
	m.AuthResults = authResults(th)

	m.Text = p.renderText(p.walk(th, body, nil, 0, m, false))
	// A mail's Content-Language is its writer's; a part's is the
	// fallback (some clients label only the text part).
	m.ClientLanguage = declaredLanguage(th.Get("Content-Language"))
	if m.ClientLanguage == "" {
		m.ClientLanguage = p.textLanguage
	}
	p.shown(m)
	m.Unreadable, m.Encrypted = strings.Join(p.sealed, "; "), p.encrypted

	f := facts{
		from: m.From.Address, fromName: m.From.Name, messageID: m.MessageID, deliveryReport: p.deliveryReport,
		subject: m.Subject, text: m.Text, quotesMessage: p.quotesMessage,
	}
	if m.ReplyTo != nil {
		f.replyTo = answerable(m.ReplyTo.Address, m.From.Address, p.opts)
	}
	v := judge(h, f, p.opts)
	m.Automation, m.AutomationReason, m.AutoReply = v.automation, v.reason, v.autoReply
	m.SuppressAck = v.suppressAck
	m.NoReplySender = v.noReply
	if m.Automation == inquiry.Machine {
		refs := p.bounceRefs
		if len(refs) == 0 {
			refs = quotedMessageIDs(m.Text)
		}
		m.References = appendUnique(m.References, refs...)
		m.DeliveryFailure, m.BouncedMessageID = p.deliveryFailure, p.quotedID
		if !p.deliveryReport {
			// A bounce written as text: its words, and the original's id
			// from the copy it quotes.
			m.DeliveryFailure = plainFailure(m.Text)
			if m.BouncedMessageID == "" && len(refs) > 0 && len(p.bounceRefs) == 0 {
				m.BouncedMessageID = refs[0]
			}
		}
		if m.DeliveryFailure == "" {
			m.BouncedMessageID = ""
		}
	}

	if withForward && m.Automation == inquiry.Human {
		m.Forwarded = p.forwarded(m)
		p.showAttachedMessage(m)
	}
	setSourceID(m, body, raw)
	if !m.HasContent() && m.Unreadable == "" {
		p.problem("no text, subject or attachment")
	}
	m.ParseProblems = p.problems
	return m
}

// Attachments reads only the attachments of raw, the same ones in the same
// order as Parse with the same opts gives, without the work on text,
// envelope and automation signs that Parse does: the outbox reads a
// stored mail's files back for a notification.
func Attachments(raw []byte, opts Options) []inquiry.Attachment {
	p := &parser{opts: opts.withDefaults(), attachmentsOnly: true}
	m := &inquiry.Message{}
	th, body := p.readTopHeader(p.crLines(raw))
	p.walk(th, body, nil, 0, m, false)
	return m.Attachments
}

// crLines is raw with CRLF line ends for reading, when it was written
// with bare CRs (classic Mac OS mailers, some scanners): read as it came,
// its whole header was one line, the sender taken from the Message-ID's
// brackets and the subject and text lost. Mail whose first line ends in
// LF or CRLF is returned as it is.
func (p *parser) crLines(raw []byte) []byte {
	i := bytes.IndexByte(raw, '\r')
	if i < 0 || (i+1 < len(raw) && raw[i+1] == '\n') || bytes.IndexByte(raw[:i], '\n') >= 0 {
		return raw
	}
	p.problem("lines end in a bare CR; read as CRLF")
	out := make([]byte, 0, len(raw)+bytes.Count(raw, []byte{'\r'}))
	for j, c := range raw {
		out = append(out, c)
		if c == '\r' && (j+1 == len(raw) || raw[j+1] != '\n') {
			out = append(out, '\n')
		}
	}
	return out
}

// readEnvelope fills the addressing and threading fields.
func (p *parser) readEnvelope(h mail.Header, m *inquiry.Message) {
	if from := p.addresses(h, "From"); len(from) > 0 {
		m.From = from[0]
	}
	if rt := p.addresses(h, "Reply-To"); len(rt) > 0 {
		a := rt[0]
		// A Reply-To that cannot be answered (no-reply, or our own address
		// bounced back) must never receive an acknowledgement.
		if a.Address != "" && !isNoReplyAddress(a.Address) && !isOwnAddress(a.Address, p.opts) {
			m.ReplyTo = &a
		}
	}
	if h.Has("Subject") {
		m.Subject = strings.TrimSpace(p.headerText(h.Get("Subject"), "Subject header"))
	}
	if ids := p.messageIDs(h, "Message-Id"); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = p.messageIDs(h, "In-Reply-To")
	m.References = p.messageIDs(h, "References")
	// mail.Header.Date's reading, but for the speed (see parseDate).
	if v := h.Get("Date"); v != "" {
		if t, err := parseDate(v); err == nil {
			m.SentAt = t
		} else {
			p.problem("unreadable Date header: %s", truncateForRecord(v))
		}
	}
}

// contentType reads a part's media type; a malformed header is read by hand
// so that, above all, the charset is not lost.
func (p *parser) contentType(h message.Header, where string) (string, map[string]string) {
	if !h.Has("Content-Type") {
		return "text/plain", map[string]string{}
	}
	t, params, err := h.ContentType()
	if err == nil {
		if params == nil {
			params = map[string]string{}
		}
		return strings.ToLower(t), params
	}
	t, params = lenientMediaType(h.Get("Content-Type"))
	p.problem("malformed Content-Type in %s; read leniently as %s", where, truncateForRecord(t))
	return t, params
}

// lenientMediaType splits "type/sub; k=v; k2="v2" by hand, tolerating
// unterminated quotes, empty parameters and stray spaces.
func lenientMediaType(v string) (string, map[string]string) {
	params := map[string]string{}
	fields := strings.Split(v, ";")
	t := strings.ToLower(strings.TrimSpace(fields[0]))
	if i := strings.IndexAny(t, " \t"); i >= 0 {
		t = t[:i]
	}
	if !strings.Contains(t, "/") {
		t = "text/plain"
	}
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		if k != "" {
			if _, dup := params[k]; !dup {
				params[k] = val
			}
		}
	}
	return t, params
}

func (p *parser) disposition(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Disposition")
	if v == "" {
		return "", map[string]string{}
	}
	d, params, err := h.ContentDisposition()
	if err != nil {
		// The value is read by hand; its first word is the disposition.
		_, params = lenientMediaType(v)
		d = strings.TrimSpace(strings.Split(v, ";")[0])
	}
	if params == nil {
		params = map[string]string{}
	}
	return strings.ToLower(d), params
}

// walk reads one entity (the message or a part) and returns its readable
// text; attachments go straight to m. A lent body is a buffer the caller
// reuses: what walk keeps of it is copied (a decoded part is a copy
// already, so a base64 file is not copied twice).
func (p *parser) walk(h textproto.Header, body []byte, at []int, depth int, m *inquiry.Message, lent bool) []textPiece {
	where := partName(at)
	mh := message.Header{Header: h}
	mediaType, params := p.contentType(mh, where)

	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth {
			p.problem("multipart nested deeper than %d levels in %s; kept as attachment", maxDepth, where)
			p.attach(m, mh, mediaType, kept(body, lent), where)
			return nil
		}
		if mediaType == "multipart/report" {
			p.deliveryReport = true
		}
		return p.walkMultipart(mediaType, params, body, at, depth, m)
	}

	if p.attachmentsOnly && (mediaType == "text/plain" || mediaType == "text/html") {
		// A text part, unless marked as a file, is words: not even decoded.
		if disp, _ := p.disposition(mh); disp != "attachment" {
			return nil
		}
	}
	disp, _ := p.disposition(mh)
	enc := h.Get("Content-Transfer-Encoding")
	words := (mediaType == "text/plain" || mediaType == "text/html") && disp != "attachment"
	if words && strings.EqualFold(strings.TrimSpace(enc), "base64") && notBase64(body) {
		// Words a script declared base64 and did not encode: decoded,
		// their letters were noise to the officer and the classifier.
		// (Only words: a file's bytes are read back from the raw mail
		// as they were read when it was filed.)
		p.problem("text in %s declared base64 is not base64; read as it came", where)
		enc = "8bit"
	}
	data := p.decodeTransfer(enc, body, where, lent)
	switch {
	case mediaType == "message/delivery-status" || mediaType == "message/global-delivery-status" ||
		mediaType == "message/disposition-notification" || mediaType == "message/global-disposition-notification":
		p.deliveryReport = true
		if why := failedDelivery(data); why != "" && p.deliveryFailure == "" && strings.HasSuffix(mediaType, "delivery-status") {
			p.deliveryFailure = why
		}
		p.attach(m, mh, mediaType, data, where)
	case mediaType == "message/rfc822" || mediaType == "message/global":
		p.quotesMessage = true
		p.quotedOriginal(data, true)
		p.attach(m, mh, mediaType, data, where)
	case !p.asStored && p.isTNEF(mh, mediaType):
		return p.tnef(mh, mediaType, data, where, m)
	case !p.asStored && (mediaType == "application/pkcs7-mime" || mediaType == "application/x-pkcs7-mime"):
		return p.pkcs7Mime(mh, mediaType, params, data, at, depth, m)
	case mediaType == "text/rfc822-headers":
		p.quotesMessage = true
		p.quotedOriginal(data, false)
		p.attach(m, mh, mediaType, data, where)
	case words:
		cs := params["charset"]
		if mediaType == "text/html" && cs == "" && !utf8.Valid(data) {
			cs = metaCharset(data)
		}
		text := p.decodeText(data, cs, where)
		if p.textLanguage == "" {
			p.textLanguage = declaredLanguage(h.Get("Content-Language"))
		}
		if mediaType == "text/html" {
			p.showsImages(text)
		}
		if mediaType == "text/plain" && strings.EqualFold(params["format"], "flowed") {
			text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
		}
		text = p.withoutPGPMessages(text)
		return []textPiece{{text: text, html: mediaType == "text/html"}}
	default:
		// Inline images included: they are files, not words.
		p.attach(m, mh, mediaType, data, where)
	}
	return nil
}

func (p *parser) walkMultipart(mediaType string, params map[string]string, body []byte, at []int, depth int, m *inquiry.Message) []textPiece {
	where := partName(at)
	if len(at) == 0 {
		where = "message body"
	}
	boundary := params["boundary"]
	if boundary == "" {
		boundary = sniffBoundary(body)
		if boundary == "" {
			p.problem("%s without boundary in %s; read as text", mediaType, where)
			return []textPiece{{text: p.decodeText(body, "", where)}}
		}
		p.problem("%s without boundary in %s; boundary guessed from the body", mediaType, where)
	}

	if cut, n := cutPartHeaders(body, boundary); n > 0 {
		p.problem("%d part header(s) in %s longer than %d bytes read only up to there", n, where, maxHeaderBytes)
		body = cut
	}
	mr := textproto.NewMultipartReader(bytes.NewReader(body), boundary)
	var children [][]textPiece
	read := 0
	for i := 1; ; i++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if read == 0 {
				p.problem("no parts readable in %s (%s); read as text", where, truncateForRecord(err.Error()))
				return []textPiece{{text: p.decodeText(body, "", where)}}
			}
			if !strings.Contains(err.Error(), "EOF") {
				p.problem("read %s: %s", where, truncateForRecord(err.Error()))
			}
			break
		}
		p.parts++
		if p.parts > maxParts {
			p.problem("more than %d parts; the rest is in the raw message only", maxParts)
			break
		}
		childAt := append(append(make([]int, 0, len(at)+1), at...), i)
		if skip := p.skipPart(mediaType, part.Header); skip {
			continue
		}
		pieces, err := readWith(part, func(data []byte, err error) []textPiece {
			if err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					p.problem("missing closing boundary after %s; kept what was read", partName(childAt))
				} else {
					p.problem("read %s: %s", partName(childAt), truncateForRecord(err.Error()))
				}
			}
			return p.walk(part.Header, data, childAt, depth+1, m, true)
		})
		read++
		children = append(children, pieces)
		if err != nil {
			break
		}
	}
	if mediaType == "multipart/alternative" {
		return chooseAlternative(children)
	}
	if mediaType == "multipart/encrypted" && !p.asStored {
		p.unreadable("encrypted with PGP/MIME: Sportel cannot read it; the original is attached as received", true)
	}
	var all []textPiece
	for _, c := range children {
		all = append(all, c...)
	}
	return all
}

// chooseAlternative prefers a plain-text version; otherwise the richest
// (last, per RFC 2046) version that has anything to read.
func chooseAlternative(children [][]textPiece) []textPiece {
	for _, c := range children {
		if hasText(c, false) {
			return c
		}
	}
	for i := len(children) - 1; i >= 0; i-- {
		if hasText(children[i], true) {
			return children[i]
		}
	}
	return nil
}

func hasText(pieces []textPiece, htmlOK bool) bool {
	for _, pc := range pieces {
		if (htmlOK || !pc.html) && strings.TrimSpace(pc.text) != "" {
			return true
		}
	}
	return false
}

// sniffBoundary finds the boundary of a multipart body whose header forgot
// it: the first line that looks like a delimiter ("--something").
func sniffBoundary(body []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 1024), 64*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if len(line) > 2 && len(line) <= 72 && strings.HasPrefix(line, "--") && !strings.ContainsAny(line[2:], " \t") {
			return strings.TrimSuffix(line[2:], "--")
		}
	}
	return ""
}

// renderText joins the readable parts, turns HTML into text and caps the size.
func (p *parser) renderText(pieces []textPiece) string {
	var parts []string
	for _, pc := range pieces {
		t := pc.text
		if pc.html {
			if heavyHTML(t) {
				p.problem("HTML with more than %d tags; read without its structure (no list numbers or indents)", maxTreeTags)
			}
			t = htmlToText(t)
		} else {
			t = tidyText(t)
		}
		if t != "" {
			parts = append(parts, t)
		}
	}
	return p.capText(strings.ToValidUTF8(strings.Join(parts, "\n\n"), "\uFFFD"))
}

// capText cuts text to MaxTextBytes, at a character's start.
func (p *parser) capText(text string) string {
	if len(text) > p.opts.MaxTextBytes {
		cut := p.opts.MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		p.problem("text of %d bytes cut to %d bytes", len(text), cut)
		text = text[:cut]
	}
	return text
}

// attach keeps a part as an attachment: metadata always, content up to the cap.
func (p *parser) attach(m *inquiry.Message, h message.Header, mediaType string, data []byte, where string) {
	// A name in a charset the standard parser drops (all of it, or all
	// but its first piece) is read first.
	name := p.extendedName(h, where)
	if name == "" {
		name = p.fileName(h, where)
	}
	name = textsafe.FileName(name)
	if name == "" {
		name = defaultFileName(mediaType, where)
	}
	a := inquiry.Attachment{Name: name, ContentType: mediaType, Size: int64(len(data))}
	if id := strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>"); id != "" && len(id) <= maxContentID {
		a.ContentID = strings.ToValidUTF8(id, "\uFFFD")
		// An image to show in place, unless marked a file; Parse keeps
		// it so only when the HTML shows it (see shown).
		if disp, _ := p.disposition(h); disp != "attachment" && strings.HasPrefix(mediaType, "image/") {
			a.Inline = true
		}
	}
	if strings.HasPrefix(mediaType, "text/") {
		// A text's bytes mean nothing without their charset: sent on
		// without it, a windows-1250 file would be read as ASCII.
		if _, cp := lenientMediaType(h.Get("Content-Type")); cp["charset"] != "" {
			if ct := mime.FormatMediaType(mediaType, map[string]string{"charset": strings.ToLower(cp["charset"])}); ct != "" {
				a.ContentType = ct
			}
		}
	}
	if a.Size > p.opts.MaxAttachmentBytes {
		a.Content = data[:p.opts.MaxAttachmentBytes:p.opts.MaxAttachmentBytes]
		a.Truncated = true
		p.problem("attachment %s of %d bytes kept only up to %d bytes", truncateForRecord(name), a.Size, p.opts.MaxAttachmentBytes)
	} else {
		a.Content = data
	}
	m.Attachments = append(m.Attachments, a)
}

// fileName is a part's file name as the standard parser reads it, or by
// hand from a header it refuses.
func (p *parser) fileName(h message.Header, where string) string {
	ah := mail.AttachmentHeader{Header: h}
	name, err := ah.Filename()
	if err != nil || name == "" {
		if _, dp := p.disposition(h); dp["filename"] != "" {
			name = dp["filename"]
		} else if _, cp := lenientMediaType(h.Get("Content-Type")); cp["name"] != "" {
			name = cp["name"]
		}
	}
	return p.headerText(name, "file name in "+where)
}

// maxContentID bounds a Content-ID worth keeping: clients write tens of
// characters; a longer one is nobody's reference.
const maxContentID = 256

// showsImages notes the Content-IDs an HTML part shows by cid: reference.
func (p *parser) showsImages(text string) {
	found := false
	for rest := text; ; {
		i := indexCID(rest)
		if i < 0 {
			break
		}
		rest = rest[i:]
		end := strings.IndexAny(rest, "\"'<> \t\r\n)")
		if end < 0 {
			end = len(rest)
		}
		if id, ok := cidOf(html.UnescapeString(rest[:end])); ok {
			if p.cids == nil {
				p.cids = map[string]bool{}
			}
			p.cids[id] = true
			found = true
		}
		rest = rest[4:]
	}
	if found {
		p.shows = append(p.shows, text)
	}
}

// indexCID is the index of the first "cid:" in s, in any case, or -1. It
// jumps from one c or C to the next (IndexAny scans fast), since it reads
// every HTML part of every mail.
func indexCID(s string) int {
	const sub = "cid:"
	for i := 0; i+len(sub) <= len(s); i++ {
		j := strings.IndexAny(s[i:], "cC")
		if j < 0 {
			return -1
		}
		i += j
		if i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// shown keeps an image Inline only when the mail's HTML shows it: one no
// HTML names (a photo sent with a Content-ID by habit, a plain-text mail's
// picture) is a file like any other. The HTML is written out as text with
// those images marked, for telling where each stands.
func (p *parser) shown(m *inquiry.Message) {
	for i := range m.Attachments {
		if a := &m.Attachments[i]; a.Inline && !p.cids[a.ContentID] {
			a.Inline = false
		}
	}
	if len(p.shows) == 0 {
		return
	}
	texts := make([]string, 0, len(p.shows))
	for _, h := range p.shows {
		texts = append(texts, htmlImagesText(h))
	}
	m.HTMLText = strings.Join(texts, "\n\n")
}

func defaultFileName(mediaType, where string) string {
	switch mediaType {
	case "message/rfc822", "message/global":
		return "forwarded-message.eml"
	case "text/rfc822-headers":
		return "original-headers.txt"
	case "message/delivery-status", "message/global-delivery-status":
		return "delivery-status.txt"
	}
	base := strings.ReplaceAll(where, " ", "-")
	// What citizens send, named the same on every machine: the system's
	// table (mime.types, when there is one) gives the first of a type's
	// extensions in order, video/mp4's ".f4v", and none at all for Office
	// documents on a host without it.
	known := map[string]string{
		"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/heic": ".heic",
		"image/tiff": ".tif", "image/bmp": ".bmp", "application/pdf": ".pdf",
		"text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics", "text/csv": ".csv", "application/rtf": ".rtf",
		"video/mp4": ".mp4", "video/quicktime": ".mov", "video/3gpp": ".3gp",
		"audio/ogg": ".ogg", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/amr": ".amr",
		"application/zip": ".zip", "application/x-zip-compressed": ".zip", "application/x-rar-compressed": ".rar",
		"application/vnd.rar": ".rar", "application/x-7z-compressed": ".7z",
		"application/msword": ".doc", "application/vnd.ms-excel": ".xls", "application/vnd.ms-powerpoint": ".ppt",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ".docx",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
		"application/vnd.oasis.opendocument.text":                                   ".odt",
		"application/vnd.oasis.opendocument.spreadsheet":                            ".ods",
	}
	if ext, ok := known[mediaType]; ok {
		return base + ext
	}
	if exts, err := mime.ExtensionsByType(mediaType); err == nil && len(exts) > 0 {
		return base + exts[0]
	}
	return base + ".bin"
}

// quotedOriginal takes the ids of an original message quoted in a bounce: a
// whole message/rfc822 or just its header (text/rfc822-headers).
func (p *parser) quotedOriginal(data []byte, whole bool) {
	hb := data
	if whole {
		hb, _ = splitHeader(data)
	}
	th, err := textproto.ReadHeader(headerReader(terminated(hb)))
	if err != nil && th.Len() == 0 {
		return
	}
	h := mail.Header{Header: message.Header{Header: th}}
	quiet := &parser{opts: p.opts}
	if ids := quiet.messageIDs(h, "Message-Id"); len(ids) > 0 && p.quotedID == "" {
		p.quotedID = ids[0]
	}
	for _, key := range []string{"Message-Id", "In-Reply-To", "References"} {
		p.bounceRefs = appendUnique(p.bounceRefs, quiet.messageIDs(h, key)...)
	}
}

// quotedMessageIDs finds "Message-ID: <...>" lines in a plain-text bounce
// (qmail and some gateways quote the original header as text).
func quotedMessageIDs(text string) []string {
	var ids []string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if len(line) < len("message-id:") || !strings.EqualFold(line[:len("message-id:")], "message-id:") {
			continue
		}
		ids = append(ids, lenientIDs(line[len("message-id:"):])...)
	}
	return ids
}

func appendUnique(list []string, more ...string) []string {
	// A set, not a nested loop: a hostile References header can hold
	// tens of thousands of ids.
	seen := make(map[string]struct{}, len(list)+len(more))
	for _, s := range list {
		seen[s] = struct{}{}
	}
	for _, s := range more {
		if _, dup := seen[s]; !dup {
			seen[s] = struct{}{}
			list = append(list, s)
		}
	}
	return list
}

// EntryAttachments is e's attachments with their bytes: those its record
// keeps, and, for those it records by name and size only (the store keeps
// each byte once), those read back from its raw mail. One that cannot be
// read back, or was cut when the mail came in, stays without bytes.
func EntryAttachments(e inquiry.Entry) []inquiry.Attachment {
	out := slices.Clone(e.Attachments)
	if len(e.Raw) == 0 {
		return out
	}
	// Nothing was cut when the mail came in; nothing may be cut now.
	limit := int64(len(e.Raw)) + 1
	opts := Options{MaxAttachmentBytes: limit, MaxRawBytes: limit}
	// A record filed before signed and encrypted mail was opened names
	// the files as they came (a signature, a smime.p7m): read so too.
	for _, asStored := range []bool{false, true} {
		var read []inquiry.Attachment
		for i := range out {
			if out[i].Content != nil || out[i].Truncated || out[i].FileID != "" {
				continue
			}
			if read == nil {
				p := &parser{opts: opts.withDefaults(), attachmentsOnly: true, asStored: asStored}
				var m inquiry.Message
				th, body := p.readTopHeader(p.crLines(e.Raw))
				p.walk(th, body, nil, 0, &m, false)
				read = m.Attachments
			}
			if i < len(read) && Recorded(read[i], out[i]) {
				out[i].Content = read[i].Content
			}
		}
	}
	return out
}

// Recorded reports whether read, a file read from an entry's raw mail, is
// the one rec, the entry's record, names at the same place: the same size
// and name. A record filed before names were cut to what a disk takes
// (textsafe.FileName) names the file as it came; one filed before its
// name could be read (RFC 2231 in ISO-8859-1), or on a machine whose
// table of types gave another extension, by the name made up for it.
func Recorded(read, rec inquiry.Attachment) bool {
	return read.Size == rec.Size && (read.Name == rec.Name || read.Name == textsafe.FileName(rec.Name) || madeUpName(rec.Name))
}

// madeUpName reports whether name is one defaultFileName makes up for a
// file without one: "part-" and the part's number ("2", "1.2"), then an
// extension.
func madeUpName(name string) bool {
	rest, ok := strings.CutPrefix(name, "part-")
	dot := strings.LastIndexByte(rest, '.')
	if !ok || dot <= 0 {
		return false
	}
	for i, c := range rest[:dot] {
		if !(c >= '0' && c <= '9' || c == '.' && i > 0) {
			return false
		}
	}
	return true
}

// metaCharset is the charset an HTML part without one in its header names
// in its <meta> (or by a byte order mark), or "" when it names none. Its
// markup's ASCII would outweigh the text's own bytes in a guess.
func metaCharset(html []byte) string {
	_, name, _ := htmlcharset.DetermineEncoding(html, "text/html")
	switch name {
	case "windows-1252", "utf-8":
		// What DetermineEncoding answers when nothing is named: our own
		// guess, made for the languages the mailbox gets, does better.
		return ""
	}
	return name
}

// unflow joins the lines a format=flowed text (RFC 3676; Thunderbird's
// plain text by default) wrapped: a line that ends in a space goes on in
// the next one of the same quote depth. Left wrapped, an officer's
// "#extend 10 …" lost the end of its reason to the citizen's answer, and a
// sentence wrapped before "#urgent" ran it as a command. delSp drops the
// space that marks the wrap; space-stuffing is undone.
func unflow(text string, delSp bool) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []string
	var cur strings.Builder
	curDepth, open := 0, false
	flush := func() {
		if open {
			out = append(out, quotePrefix(curDepth)+cur.String())
			cur.Reset()
			open = false
		}
	}
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(line[depth:], " ") // space-stuffing
		if open && depth != curDepth {
			flush()
		}
		if !open {
			curDepth, open = depth, true
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delSp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		if !flowed {
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}

func quotePrefix(depth int) string {
	if depth == 0 {
		return ""
	}
	return strings.Repeat(">", depth) + " "
}
