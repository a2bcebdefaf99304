package parse

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"sportel/inquiry"
)

// forwardSubject is a subject that mail clients write on a forward, in the
// languages the division's officers and their clients use ("Fwd:", Outlook's
// "FW:", "TR:", "WG:", Albanian "Përcjell:", Serbian "Prosl:"/"Просл:").
var forwardSubject = regexp.MustCompile(`(?i)^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|tr|wg|rv|enc|vs|vl|p[eë]rcj(?:ell[eë]?)?|prosl(?:eđeno|edjeno|eđena|edjena)?|просл(?:еђено)?|пров)\s*:`)

// forwardLine is the line a client writes above a forwarded message:
// Gmail's and Thunderbird's dashes, Apple Mail's "Begin forwarded
// message:", Outlook's rule of underscores and its "Original Message".
var forwardLine = regexp.MustCompile(`(?i)^(?:-{2,}\s*(?:forwarded message|mesazh(?:i)? i p[eë]rcjell[eë]|prosle(?:đ|dj)ena poruka|прослеђена порука|original message|mesazhi origjinal|originalna poruka|оригинална порука|weitergeleitete nachricht)\s*-{2,}|begin forwarded message:?|fillimi i mesazhit t[eë] p[eë]rcjell[eë]:?|_{10,})$`)

// forwardHeader is one line of a forwarded message's header as clients
// write it in the text ("From: …", Albanian "Nga: …", Serbian "Od: …",
// Croatian Outlook's "Šalje: …").
var forwardHeader = regexp.MustCompile(`(?i)^\**(from|nga|od|од|от|šalje|salje|von|de|date|sent|data|d[eë]rguar|datum|poslato|poslano|послато|датум|gesendet|envoy[eé]|subject|l[eë]nda|subjekti|tema|predmet|тема|предмет|betreff|objet|to|p[eë]r|za|за|prima|an|[aà]|cc|kopje|kopija|копија|importance|r[eë]nd[eë]sia|va[zž]nost|важност|attachments|bashk[eë]ngjitjet?|prilozi|прилози)\**:\**\s*(.*)$`)

// headerField sorts forwardHeader's keys.
func headerField(key string) string {
	switch strings.ToLower(key) {
	case "from", "nga", "od", "од", "от", "šalje", "salje", "von", "de":
		return "from"
	case "date", "sent", "data", "dërguar", "derguar", "datum", "poslato", "poslano", "послато", "датум", "gesendet", "envoyé", "envoye":
		return "date"
	case "subject", "lënda", "lenda", "subjekti", "tema", "predmet", "тема", "предмет", "betreff", "objet":
		return "subject"
	}
	return "other"
}

// maxForwardText bounds the text searched for an inline forward: the
// forward line sits near the top of what an officer sends.
const maxForwardText = 64 << 10

// forwarded reads the message m forwards: an attached message
// (message/rfc822) first, else one quoted below a forward line in the text
// of a mail whose subject says it is a forward. It is nil when there is
// none, or when its sender cannot be read or answered.
func (p *parser) forwarded(m *inquiry.Message) *inquiry.Forwarded {
	f := p.readForwarded(m)
	if f == nil {
		return nil
	}
	if f.ReplyTo == nil && (isNoReplyAddress(f.From.Address) || isOwnAddress(f.From.Address, p.opts)) {
		// Nobody to answer: a machine's mail, or our own.
		return nil
	}
	return f
}

func (p *parser) readForwarded(m *inquiry.Message) *inquiry.Forwarded {
	for _, a := range m.Attachments {
		if ct := strings.ToLower(a.ContentType); ct != "message/rfc822" && ct != "message/global" {
			continue
		}
		if len(a.Content) == 0 || a.Truncated {
			break
		}
		inner := parseMessage(a.Content, m.ReceivedAt, p.opts, false)
		if inner.From.Address == "" {
			break
		}
		comment, _, _ := splitInlineForward(m.Text)
		return &inquiry.Forwarded{
			From: inner.From, ReplyTo: inner.ReplyTo, NoReplySender: inner.NoReplySender,
			Subject: inner.Subject, SentAt: inner.SentAt, MessageID: inner.MessageID,
			Text: inner.Text, Comment: strings.TrimSpace(comment), SourceID: inner.SourceID,
			Raw: a.Content, Attachments: inner.Attachments,
		}
	}
	if !forwardSubject.MatchString(m.Subject) {
		return nil
	}
	text := m.Text
	if len(text) > maxForwardText {
		text = text[:maxForwardText]
	}
	return readInlineForward(text)
}

// splitInlineForward cuts text at its first forward line: what the
// forwarder wrote, and what follows the line (ok false: no such line).
func splitInlineForward(text string) (comment, rest string, ok bool) {
	off := 0
	for line := range strings.Lines(text) {
		if forwardLine.MatchString(strings.TrimSpace(line)) {
			return text[:off], text[off+len(line):], true
		}
		off += len(line)
	}
	return text, "", false
}

// readInlineForward reads a forward written into the text: a forward line,
// or (Outlook) the header block alone, then "From:", "Date:", "Subject:"
// lines and the message.
func readInlineForward(text string) *inquiry.Forwarded {
	comment, rest, ok := splitInlineForward(text)
	if !ok {
		// Outlook's desktop client writes no line: the block starts at the
		// first "From:" line of the text.
		i := indexHeaderBlock(text)
		if i < 0 {
			return nil
		}
		comment, rest = text[:i], text[i:]
	}
	f := &inquiry.Forwarded{Comment: strings.TrimSpace(comment)}
	lines := strings.SplitAfter(rest, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	type field struct{ key, value string }
	var fields []field
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(strings.ReplaceAll(lines[i], "\t", " "))
		if line == "" {
			break
		}
		mm := forwardHeader.FindStringSubmatch(line)
		if mm == nil {
			if len(fields) > 0 && continues(fields[len(fields)-1].value, line) {
				// A long "Name <address>" or list of them, wrapped.
				last := &fields[len(fields)-1]
				last.value = strings.TrimSpace(last.value + " " + line)
				continue
			}
			if len(fields) == 0 {
				return nil
			}
			break
		}
		fields = append(fields, field{headerField(mm[1]), strings.TrimSpace(mm[2])})
	}
	var date string
	for _, fl := range fields {
		switch fl.key {
		case "from":
			if f.From.Address == "" {
				f.From = forwardedAddress(fl.value)
			}
		case "date":
			date = fl.value
		case "subject":
			f.Subject = fl.value
		}
	}
	if f.From.Address == "" {
		return nil
	}
	if t, err := parseDate(date); err == nil {
		f.SentAt = t
	}
	f.Text = strings.TrimSpace(strings.Join(lines[min(i, len(lines)):], ""))
	return f
}

// continues reports whether line, which is no header field, carries on the
// header value before it: a client that wraps its text part splits a long
// "Name <address>" after the "<", before it, or between addresses.
func continues(value, line string) bool {
	if strings.HasSuffix(value, "<") || strings.HasSuffix(value, ",") || strings.HasSuffix(value, ";") {
		return true
	}
	if strings.HasPrefix(line, "<") {
		return true
	}
	return strings.HasSuffix(line, ">") && strings.Contains(line, "@") && !strings.ContainsAny(line, " \t")
}

// indexHeaderBlock is where a header block opening with a "From:" line
// begins in text, or -1.
func indexHeaderBlock(text string) int {
	off := 0
	for line := range strings.Lines(text) {
		if mm := forwardHeader.FindStringSubmatch(strings.TrimSpace(line)); mm != nil && headerField(mm[1]) == "from" {
			return off
		}
		off += len(line)
	}
	return -1
}

// mailtoAddress is Outlook's "Name [mailto:addr]" and a bare address.
var mailtoAddress = regexp.MustCompile(`(?i)(?:mailto:)?([a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,})`)

// forwardedAddress reads the sender of a forward line: "Name <addr>", a
// bare address, or Outlook's "Name [mailto:addr]".
func forwardedAddress(v string) inquiry.Address {
	if a, err := mail.ParseAddress(v); err == nil {
		// Gmail's text part writes the name in bold: "*Arta Krasniqi*".
		return inquiry.Address{Name: strings.Trim(a.Name, "* "), Address: a.Address}
	}
	mm := mailtoAddress.FindStringSubmatchIndex(v)
	if mm == nil || openQuote(v[:mm[2]]) {
		// Inside a quote it is the end of a quoted local part ("john
		// doe@example.org), someone else's address.
		return inquiry.Address{}
	}
	name := strings.TrimSpace(v[:mm[0]])
	name = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(name), "<[(\"'"))
	name = strings.Trim(name, "\"'* ")
	return inquiry.Address{Name: name, Address: v[mm[2]:mm[3]]}
}

// maxBareForwardNote is the most a mail may say itself ("see below",
// "FYI", "Ju lutem shikoni") and still be a bare forward.
const maxBareForwardNote = 200

// showAttachedMessage adds to the text of a mail that says (next to)
// nothing itself the words of the message it carries attached: they are
// what the sender means, and the officer and the classifier read the text.
// They follow under a line naming the attachment, with its sender and
// subject, written so that nothing takes them for a quoted reply. A reply
// to Sportel's own mail is left as it is: an officer's answer relays its
// text to the citizen, and the attachment goes along anyway.
func (p *parser) showAttachedMessage(m *inquiry.Message) {
	own := strings.TrimSpace(m.Text)
	if utf8.RuneCountInString(own) > maxBareForwardNote || strings.Count(own, "\n") > 2 || p.repliesToOwn(m) {
		return
	}
	var name, from, subject, text string
	for _, a := range m.Attachments {
		if ct := strings.ToLower(a.ContentType); ct != "message/rfc822" && ct != "message/global" {
			continue
		}
		if len(a.Content) == 0 || a.Truncated {
			return
		}
		name = a.Name
		if f := m.Forwarded; f != nil && f.Raw != nil {
			from, subject, text = f.From.String(), f.Subject, f.Text
		} else {
			inner := parseMessage(a.Content, m.ReceivedAt, p.opts, false)
			from, subject, text = inner.From.String(), inner.Subject, inner.Text
		}
		break
	}
	if strings.TrimSpace(text) == "" {
		return
	}
	var b strings.Builder
	if own != "" {
		b.WriteString(own + "\n\n")
	}
	fmt.Fprintf(&b, "[Mesazhi i bashkëngjitur / Attached message: %s]\n", name)
	if from != "" {
		fmt.Fprintf(&b, "Nga / From: %s\n", from)
	}
	if subject != "" {
		fmt.Fprintf(&b, "Lënda / Subject: %s\n", subject)
	}
	b.WriteString("\n" + strings.TrimSpace(text))
	m.Text = p.capText(b.String())
}

// repliesToOwn reports whether m answers mail Sportel sent.
func (p *parser) repliesToOwn(m *inquiry.Message) bool {
	if p.opts.OwnMessageIDDomain == "" {
		return false
	}
	suffix := "@" + strings.ToLower(p.opts.OwnMessageIDDomain)
	for _, id := range slices.Concat(m.InReplyTo, m.References) {
		if strings.HasSuffix(strings.ToLower(id), suffix) {
			return true
		}
	}
	return false
}
