package parse

import (
	"bufio"
	"bytes"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"sportel/inquiry"
)

// splitHeader finds the end of the header block: the first empty line.
// Without one, the whole input is header.
func splitHeader(raw []byte) (header, body []byte) {
	for i := 0; i < len(raw); {
		end := bytes.IndexByte(raw[i:], '\n')
		if end < 0 {
			return raw, nil
		}
		line := raw[i : i+end]
		next := i + end + 1
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return raw[:next], raw[next:]
		}
		i = next
	}
	return raw, nil
}

func validHeaderKey(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	for _, c := range k {
		// RFC 5322 field names: printable ASCII except colon.
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// isHeaderLine reports whether line starts a header field ("Key: value").
func isHeaderLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	return i > 0 && validHeaderKey(bytes.TrimRight(line[:i], " \t"))
}

// readTopHeader reads the message header leniently: a leading mbox "From "
// line and malformed lines are dropped (and recorded) instead of failing the
// message; input with no header at all is all body.
func (p *parser) readTopHeader(raw []byte) (textproto.Header, []byte) {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	first := raw
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if !isHeaderLine(first) {
		if len(bytes.TrimSpace(first)) > 0 {
			p.problem("no header found; whole message read as body")
		}
		return textproto.Header{}, raw
	}
	headerBytes, body := splitHeader(raw)
	if kept, cut := cutHeader(headerBytes); cut {
		p.problem("header of %d bytes read only up to %d bytes; the rest is in the raw message only", len(headerBytes), len(kept))
		headerBytes = kept
	}
	h, err := textproto.ReadHeader(headerReader(terminated(headerBytes)))
	if err == nil {
		return h, body
	}
	// Keep every well-formed field, drop the rest.
	var clean bytes.Buffer
	dropped := 0
	for _, line := range bytes.SplitAfter(headerBytes, []byte("\n")) {
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(trimmed) == 0 {
			continue
		}
		continuation := trimmed[0] == ' ' || trimmed[0] == '\t'
		if (continuation && clean.Len() > 0) || (!continuation && isHeaderLine(trimmed)) {
			clean.Write(trimmed)
			clean.WriteString("\r\n")
			continue
		}
		dropped++
	}
	p.problem("malformed header: %d line(s) dropped (%s)", dropped, truncateForRecord(err.Error()))
	h, err = textproto.ReadHeader(headerReader(terminated(clean.Bytes())))
	if err != nil {
		p.problem("read header: %s", truncateForRecord(err.Error()))
	}
	return h, body
}

// maxHeaderBytes bounds a header block read, the message's or a part's.
// Reading costs about a microsecond a field, so 25 MiB of "X: y" lines took
// seconds; real mail's headers, Received chains and signatures included,
// hold some tens of kilobytes.
const maxHeaderBytes = 256 << 10

// cutHeader is h cut after its last whole line within maxHeaderBytes, and
// whether it was cut.
func cutHeader(h []byte) ([]byte, bool) {
	if len(h) <= maxHeaderBytes {
		return h, false
	}
	return h[:bytes.LastIndexByte(h[:maxHeaderBytes], '\n')+1], true
}

// cutPartHeaders is a multipart body with the header of every part cut to
// maxHeaderBytes (see cutHeader), and how many were cut; the body is
// copied only when one is. A part's header begins on the line after a
// delimiter line and ends at the first empty line: a text's line that only
// begins like a delimiter starts none.
func cutPartHeaders(body []byte, boundary string) ([]byte, int) {
	delim := []byte("--" + boundary)
	var out []byte
	copied, cuts := 0, 0 // body[:copied] is in out
	for i := 0; i < len(body); {
		j := bytes.Index(body[i:], delim)
		if j < 0 {
			break
		}
		j += i
		nl := bytes.IndexByte(body[j:], '\n')
		if nl < 0 {
			break
		}
		start := j + nl + 1
		// A delimiter starts its line and ends it, but for white space,
		// as the multipart reader has it; the last one has no part after it.
		if (j > 0 && body[j-1] != '\n') || len(bytes.Trim(body[j+len(delim):start], " \t\r\n")) > 0 {
			i = start
			continue
		}
		hdr, _ := splitHeader(body[start:])
		if kept, cut := cutHeader(hdr); cut {
			// hdr ends with the empty line that ends it; kept does not.
			out = append(append(out, body[copied:start+len(kept)]...), "\r\n"...)
			copied = start + len(hdr)
			cuts++
		}
		i = start + len(hdr)
	}
	if cuts == 0 {
		return body, 0
	}
	return append(out, body[copied:]...), cuts
}

// headerReader reads a header block through a buffer no larger than the
// block: bufio's default 4 KiB, allocated and cleared for every mail, is
// about twice a usual header.
func headerReader(h []byte) *bufio.Reader {
	return bufio.NewReaderSize(bytes.NewReader(h), min(len(h), 4096))
}

// terminated makes sure a header block ends with an empty line.
func terminated(h []byte) []byte {
	switch {
	case bytes.HasSuffix(h, []byte("\r\n\r\n")), bytes.HasSuffix(h, []byte("\n\n")):
		return h
	case bytes.HasSuffix(h, []byte("\n")):
		return append(h[:len(h):len(h)], "\r\n"...)
	case len(h) == 0:
		return []byte("\r\n")
	}
	return append(h[:len(h):len(h)], "\r\n\r\n"...)
}

// mailDateLayout is the form nearly every mail's Date takes: RFC 5322's,
// with the day's name and a numeric zone.
const mailDateLayout = "Mon, 2 Jan 2006 15:04:05 -0700"

// parseDate is net/mail's ParseDate, sooner for the common form. ParseDate
// tries 72 layouts in turn, each failure allocating an error; the first 24
// begin with the day's number, so for a date that begins with the day's
// name the 25th, mailDateLayout, is the first that can read it. A value
// with no CR, a letter first and its only + or - the zone's, 5 bytes from
// the end, reaches the layouts as it is: that one is tried alone first.
func parseDate(v string) (time.Time, error) {
	zone := strings.IndexAny(v, "+-")
	if zone > 0 && zone == len(v)-5 && 'a' <= v[0]|0x20 && v[0]|0x20 <= 'z' && !strings.Contains(v, "\r") {
		if t, err := time.Parse(mailDateLayout, v); err == nil {
			return t, nil
		}
	}
	return netmail.ParseDate(v)
}

// addresses parses an address header; when the strict parser refuses it, the
// address is dug out of the text (display names with unquoted commas, stray
// brackets) so the sender is not lost.
func (p *parser) addresses(h mail.Header, key string) []inquiry.Address {
	v := strings.TrimSpace(h.Get(key))
	if v == "" {
		return nil
	}
	v = p.fixRaw8bit(v, key+" header")
	ap := netmail.AddressParser{WordDecoder: p.wordDecoder(key + " header")}
	if list, err := ap.ParseList(v); err == nil && len(list) > 0 {
		out := make([]inquiry.Address, 0, len(list))
		for _, a := range list {
			name := a.Name
			if strings.Contains(name, "=?") {
				// An encoded word inside quotes, which RFC 2047 says not to
				// decode and Outlook, PHP mailers and contact forms write
				// anyway; Gmail and Thunderbird show it decoded.
				name = p.headerText(name, key+" header")
			}
			out = append(out, inquiry.Address{Name: strings.ToValidUTF8(name, "\uFFFD"), Address: a.Address})
		}
		return out
	}
	if a, ok := scanAddress(v); ok {
		a.Name = p.headerText(a.Name, key+" header")
		p.problem("malformed %s header; address recovered", key)
		return []inquiry.Address{a}
	}
	p.problem("unreadable %s header", key)
	return nil
}

// scanAddress finds an address in free text: the last <...@...>, else the
// first word containing "@". It never takes a piece of a quoted local part
// for an address ("john doe@example.org is not doe@example.org, someone
// else's): a quote left open, or a word with a quote, a control character
// or a space in it, gives none.
func scanAddress(v string) (inquiry.Address, bool) {
	if lt := strings.LastIndexByte(v, '<'); lt >= 0 {
		if gt := strings.IndexByte(v[lt:], '>'); gt > 0 {
			addr := strings.TrimSpace(v[lt+1 : lt+gt])
			name := strings.Trim(strings.TrimSpace(v[:lt]), `"' `)
			if a, err := netmail.ParseAddress("<" + addr + ">"); err == nil {
				// A quoted local part too, unquoted as net/mail gives it.
				return inquiry.Address{Name: name, Address: a.Address}, true
			}
			if plainAddress(addr) {
				return inquiry.Address{Name: name, Address: addr}, true
			}
		}
	}
	if openQuote(v) {
		return inquiry.Address{}, false
	}
	for _, w := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == ';'
	}) {
		if w = strings.Trim(w, `<>"'()[]`); plainAddress(w) {
			return inquiry.Address{Address: w}, true
		}
	}
	return inquiry.Address{}, false
}

// plainAddress reports whether s looks like local@domain with nothing in it
// that needs quoting to be sent: no space, control character, quote,
// backslash or angle bracket.
func plainAddress(s string) bool {
	if at := strings.IndexByte(s, '@'); at <= 0 || at == len(s)-1 {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c == 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' {
			return false
		}
	}
	return true
}

// openQuote reports whether v ends inside a quoted string.
func openQuote(v string) bool {
	in := false
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '"':
			in = !in
		case v[i] == '\\' && in:
			i++
		}
	}
	return in
}

// messageIDs parses a Message-ID, In-Reply-To or References header; ids that
// break RFC 5322 (no brackets, spaces) are still taken.
func (p *parser) messageIDs(h mail.Header, key string) []string {
	v := strings.TrimSpace(h.Get(key))
	if v == "" {
		return nil
	}
	if ids, err := h.MsgIDList(key); err == nil && len(ids) > 0 {
		return validIDs(ids)
	}
	ids := lenientIDs(v)
	if len(ids) == 0 {
		p.problem("unreadable %s header", key)
		return nil
	}
	p.problem("malformed %s header; ids recovered", key)
	return ids
}

// lenientIDs takes every <...> group, or failing that every word with "@".
func lenientIDs(v string) []string {
	var ids []string
	rest := v
	for {
		lt := strings.IndexByte(rest, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(rest[lt:], '>')
		if gt < 0 {
			break
		}
		if id := strings.TrimSpace(rest[lt+1 : lt+gt]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[lt+gt+1:]
	}
	if len(ids) == 0 {
		for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
			if strings.Contains(w, "@") {
				ids = append(ids, strings.Trim(w, "<>"))
			}
		}
	}
	return validIDs(ids)
}

func validIDs(ids []string) []string {
	out := ids[:0]
	for _, id := range ids {
		if id != "" && utf8.ValidString(id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// truncateForRecord keeps text put into ParseProblems short and valid UTF-8.
func truncateForRecord(s string) string {
	const limit = 120
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// partName renders a part path the IMAP way ("1", "1.2").
func partName(path []int) string {
	if len(path) == 0 {
		return "part 1"
	}
	var b strings.Builder
	b.WriteString("part ")
	for i, n := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// maxAuthResults bounds the Authentication-Results fields kept: the
// receiving servers' own are the topmost, and a sender can add any number
// below them.
const maxAuthResults = 16

// authResults are h's Authentication-Results fields, the topmost first,
// as they came (unfolded); the desk reads them.
func authResults(h textproto.Header) []string {
	v := h.Values("Authentication-Results")
	return v[:min(len(v), maxAuthResults)]
}
