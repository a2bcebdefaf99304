package parse

import (
	"cmp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"

	"sportel/inquiry"
)

// verdict is the loop-protection judgement of one message.
type verdict struct {
	automation  inquiry.Automation
	reason      string
	suppressAck bool
	noReply     bool
	// autoReply says what marks the mail an auto-responder's reply (an
	// out-of-office), whichever header decided the automation.
	autoReply string
}

// facts are what the judgement needs beyond raw header values; Parse reads
// them leniently, IsAutomated quietly.
type facts struct {
	from           string // sender address
	fromName       string // sender display name
	messageID      string
	deliveryReport bool   // a delivery-status or disposition-notification part was seen
	subject        string // decoded
	// signSubject is subject as the signs are matched against it
	// (subjectForSigns), when judge has made it.
	signSubject string
	// replyTo is set when Reply-To names someone who can be answered: a
	// contact form's mail, written by a person through a machine.
	replyTo bool
	// text is the readable body; empty when only the header is judged.
	text string
	// quotesMessage is set when a part holds another message or its
	// header (message/rfc822, text/rfc822-headers).
	quotesMessage bool
}

// IsAutomated judges a message header alone: whether it is machine mail,
// spam or bulk mail, and the header that decided. Parse also looks into the
// body (delivery-status parts, bounce templates, enclosed messages, JSON
// notices), so prefer its result when you have the body.
func IsAutomated(h mail.Header, opts Options) (inquiry.Automation, string) {
	p := &parser{opts: opts.withDefaults()}
	var f facts
	if from := p.addresses(h, "From"); len(from) > 0 {
		f.from, f.fromName = from[0].Address, from[0].Name
	}
	if rt := p.addresses(h, "Reply-To"); len(rt) > 0 {
		f.replyTo = answerable(rt[0].Address, f.from, opts)
	}
	if ids := p.messageIDs(h, "Message-Id"); len(ids) > 0 {
		f.messageID = ids[0]
	}
	if h.Has("Subject") {
		f.subject = strings.TrimSpace(p.headerText(h.Get("Subject"), "Subject header"))
	}
	v := judge(h, f, p.opts)
	return v.automation, v.reason
}

// judge applies loop protection: the union of the checks mature help desks
// make. Precedence is machine > spam > bulk.
func judge(h mail.Header, f facts, opts Options) verdict {
	v := verdict{noReply: isNoReplyAddress(f.from)}
	// Exchange marks what its own agents write (an inbox rule's "reply
	// with this template", a transport rule's notice) with
	// X-MS-Exchange-Generated-Message-Source, often without Auto-Submitted:
	// it counts as X-Auto-Response-Suppress does, so no answer goes back.
	// It is named first when both are there: it says the mailbox wrote the
	// mail, not a person, and the desk never relays such mail from an
	// officer as their answer.
	suppressKey, suppress := "X-MS-Exchange-Generated-Message-Source", headerValue(h, "X-MS-Exchange-Generated-Message-Source")
	if suppress == "" {
		suppressKey, suppress = "X-Auto-Response-Suppress", headerValue(h, "X-Auto-Response-Suppress")
	}
	v.suppressAck = suppress != ""

	machine := func(reason string) verdict {
		v.automation, v.reason = inquiry.Machine, reason
		return v
	}

	mediaType, _, _ := h.ContentType()
	switch {
	case strings.EqualFold(mediaType, "multipart/report"),
		// A report's part inside another structure is a bounce too, unless a
		// person forwards or answers the bounce they got: their words are
		// on top and the report rides along.
		f.deliveryReport && !isReplyOrForward(f.subject):
		return machine("delivery report")
	case f.messageID != "" && opts.OwnMessageIDDomain != "" &&
		hasSuffixFold(f.messageID, "@"+opts.OwnMessageIDDomain) &&
		strings.HasPrefix(f.messageID, opts.OwnMessageIDPrefix):
		return machine("Message-ID of our own: " + truncateForRecord(f.messageID))
	case f.from != "" && isOwnAddress(f.from, opts):
		return machine("sender is our own address " + truncateForRecord(f.from))
	}
	for _, loop := range h.Values("X-Loop") {
		if namesOwnAddress(loop, opts) {
			return machine("X-Loop: " + truncateForRecord(strings.TrimSpace(loop)))
		}
	}
	// Not before: a read receipt marked auto-replied (RFC 8098) is no
	// out-of-office, nor is our own mail coming back.
	f.signSubject = subjectForSigns(f.subject)
	v.autoReply = autoReplied(h, f)
	if as := headerValue(h, "Auto-Submitted"); as != "" && firstToken(as) != "no" {
		return machine("Auto-Submitted: " + truncateForRecord(as))
	}
	precedenceKey, precedence := "", ""
	for _, key := range []string{"Precedence", "X-Precedence"} {
		if val := headerValue(h, key); val != "" {
			precedenceKey, precedence = key, val
			break
		}
	}
	precedenceToken := firstToken(precedence)
	if precedenceToken == "auto_reply" || precedenceToken == "auto-reply" {
		return machine(precedenceKey + ": " + truncateForRecord(precedence))
	}
	for _, key := range []string{"X-Autoreply", "X-Autorespond"} {
		if h.Has(key) {
			return machine(key + ": " + truncateForRecord(headerValue(h, key)))
		}
	}
	if h.Has("Return-Path") && isNullReturnPath(h.Get("Return-Path")) {
		return machine("Return-Path: " + truncateForRecord(cmp.Or(strings.TrimSpace(h.Get("Return-Path")), "<>")))
	}
	if reason := machineSigns(h, f); reason != "" {
		return machine(reason)
	}
	if v.autoReply != "" {
		// An away word in the subject ("OOO:", "Absence:") with a header
		// that marks the mail automatic, which alone would not make it
		// machine mail.
		return machine(v.autoReply)
	}
	bulkPrecedence := precedenceToken == "bulk" || precedenceToken == "list" || precedenceToken == "junk"
	// Outlook sets X-Auto-Response-Suppress on some mail people write, so
	// alone it only withholds the acknowledgement; with another sign of
	// automation it is machine mail.
	if v.suppressAck {
		switch {
		case bulkPrecedence:
			return machine(suppressKey + ": " + truncateForRecord(suppress) + " with " + precedenceKey + ": " + truncateForRecord(precedence))
		case v.noReply:
			return machine(suppressKey + ": " + truncateForRecord(suppress) + " from no-reply sender " + truncateForRecord(f.from))
		}
	}

	if flag := headerValue(h, "X-Spam-Flag"); strings.EqualFold(firstToken(flag), "yes") {
		v.automation, v.reason = inquiry.Spam, "X-Spam-Flag: "+truncateForRecord(flag)
		return v
	}
	if status := headerValue(h, "X-Spam-Status"); firstToken(status) == "yes" {
		v.automation, v.reason = inquiry.Spam, "X-Spam-Status: "+truncateForRecord(status)
		return v
	}
	// Rspamd's "add header" action writes X-Spam: Yes.
	if flag := headerValue(h, "X-Spam"); strings.EqualFold(firstToken(flag), "yes") {
		v.automation, v.reason = inquiry.Spam, "X-Spam: "+truncateForRecord(flag)
		return v
	}

	switch {
	case bulkPrecedence:
		v.automation, v.reason = inquiry.Bulk, precedenceKey+": "+truncateForRecord(precedence)
		return v
	case h.Has("List-Id"):
		v.automation, v.reason = inquiry.Bulk, "List-Id: "+truncateForRecord(headerValue(h, "List-Id"))
		return v
	case h.Has("List-Unsubscribe"):
		v.automation, v.reason = inquiry.Bulk, "List-Unsubscribe"
		return v
	}
	if v.suppressAck {
		// Still a person's mail; the reason records why it is not acknowledged.
		v.reason = suppressKey + ": " + truncateForRecord(suppress)
	}
	return v
}

// autoReplied says what marks a message an auto-responder's reply (an
// out-of-office, a vacation notice), "" when nothing does. It is the one
// place that knows: the desk reads its answer (inquiry.Message.AutoReply)
// to tell the heads an officer is away, whichever header made the mail
// machine mail (Auto-Submitted: auto-generated with "Otomatik yanıt:").
func autoReplied(h mail.Header, f facts) string {
	if as := headerValue(h, "Auto-Submitted"); firstToken(as) == "auto-replied" {
		return "Auto-Submitted: " + truncateForRecord(as)
	}
	for _, key := range []string{"Precedence", "X-Precedence"} {
		if val := headerValue(h, key); val != "" {
			if t := firstToken(val); t == "auto_reply" || t == "auto-reply" {
				return key + ": " + truncateForRecord(val)
			}
			break
		}
	}
	for _, key := range []string{"X-Autoreply", "X-Autorespond"} {
		if h.Has(key) {
			return key + ": " + truncateForRecord(headerValue(h, key))
		}
	}
	if s := matchSubject(f.signSubject, autoReplySubjects); s != "" {
		return "auto-reply subject (" + s + "): " + truncateForRecord(f.subject)
	}
	if s := matchSubject(f.signSubject, awaySubjects); s != "" {
		if key := automaticMarker(h); key != "" {
			return "auto-reply subject (" + s + ") with " + key + ": " + truncateForRecord(f.subject)
		}
	}
	return ""
}

// automaticMarker names a header that marks a message written by a machine
// but does not say it is a reply: Exchange's for what Outlook's and its
// own rules send (an out-of-office carries X-Auto-Response-Suppress, a
// rule's mail X-MS-Exchange-Inbox-Rules-Loop), RFC 3834's auto-generated,
// and vacation(1)'s Precedence.
func automaticMarker(h mail.Header) string {
	for _, key := range []string{"Auto-Submitted", "X-Auto-Response-Suppress", "X-MS-Exchange-Generated-Message-Source", "X-MS-Exchange-Inbox-Rules-Loop"} {
		if val := headerValue(h, key); val != "" && (key != "Auto-Submitted" || firstToken(val) != "no") {
			return key
		}
	}
	for _, key := range []string{"Precedence", "X-Precedence"} {
		switch firstToken(headerValue(h, key)) {
		case "bulk", "junk":
			return key
		}
	}
	return ""
}

// machineSigns finds machine mail that carries no standard header: by its
// sender, its subject, its first lines, or what it encloses. It returns
// the reason, "" for a person's mail.
func machineSigns(h mail.Header, f facts) string {
	local := localPart(f.from)
	switch {
	case isNullSenderHeader(h.Get("From")):
		return "null sender in From: " + truncateForRecord(strings.TrimSpace(h.Get("From")))
	case f.from != "" && isMailSystemLocal(local):
		return "sender " + truncateForRecord(f.from)
	}
	if name := strings.Trim(strings.TrimSpace(f.fromName), `"'`); name != "" {
		for _, n := range mailSystemNames {
			if strings.EqualFold(name, n) {
				return "sender name " + truncateForRecord(f.fromName)
			}
		}
	}

	subject := f.signSubject
	if subject == "" {
		subject = subjectForSigns(f.subject)
	}
	if s := matchSubject(subject, autoReplySubjects); s != "" {
		return "auto-reply subject (" + s + "): " + truncateForRecord(f.subject)
	}
	if s := matchSubject(subject, bounceSubjects); s != "" {
		return "bounce subject (" + s + "): " + truncateForRecord(f.subject)
	}
	if s := matchSubject(subject, listNoticeSubjects); s != "" {
		return "list notice subject (" + s + "): " + truncateForRecord(f.subject)
	}

	// A contact form's mail names the person in Reply-To; a list manager
	// or an abuse desk does not.
	if f.from != "" && !f.replyTo {
		if ok, admin := listManagerLocal(local); ok {
			if !admin {
				return "list-manager sender " + truncateForRecord(f.from)
			}
			// Role addresses of schools and offices end in -admin too;
			// Mailman's name the list in the subject or first line.
			lead := readLeadLines(f.text)
			if w := containsAny(subject+"\n"+strings.ToLower(lead.line[0]), listWords); w != "" {
				return "list-manager sender " + truncateForRecord(f.from) + " writing of " + w
			}
		}
	}

	if f.text == "" && !f.quotesMessage {
		return ""
	}
	if reply := isReplyOrForward(f.subject); !reply {
		lines := readLeadLines(f.text)
		if f.quotesMessage {
			if f.from != "" && !f.replyTo && isAbuseLocal(local) {
				return "abuse report from " + truncateForRecord(f.from)
			}
			if p := containsAny(subject, abuseText); p != "" {
				return "abuse report (" + p + ")"
			}
			if p := matchLead(lines, abuseText); p != "" {
				return "abuse report (" + p + ")"
			}
		}
		if key := jsonNotice(f.text); key != "" {
			return "JSON delivery notification (" + key + ")"
		}
		if p := matchLead(lines, bounceText); p != "" {
			return "bounce text: " + p
		}
		if p := matchLead(lines, listNoticeText); p != "" {
			return "list notice text: " + p
		}
		if !f.replyTo && isListServer(f.from) {
			if p := containsAny(subject, memberText); p != "" {
				return "list notice subject (" + p + ") from " + truncateForRecord(f.from)
			}
			for _, line := range lines.line[:lines.n] {
				if p := containsAny(strings.ToLower(line), memberText); p != "" {
					return "list notice text: " + p + " from " + truncateForRecord(f.from)
				}
			}
		}
	}
	return ""
}

// answerable reports whether a Reply-To address can be answered and is not
// just the sender again.
func answerable(replyTo, from string, opts Options) bool {
	return replyTo != "" && !strings.EqualFold(replyTo, from) && !isNoReplyAddress(replyTo) && !isOwnAddress(replyTo, opts)
}

// firstBytes cuts s to at most n bytes, on a rune boundary.
func firstBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func headerValue(h mail.Header, key string) string {
	return strings.TrimSpace(h.Get(key))
}

// firstToken lowercases the first word of a header value, dropping
// parameters and comments ("auto-replied; owner=x" → "auto-replied").
func firstToken(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, ";,( \t"); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(v)
}

// isNullReturnPath reports whether a Return-Path names the null sender:
// the final delivery agent writes it from the envelope sender, which is
// null for bounces and auto-replies (RFC 5321 4.5.5, RFC 3834 3.3).
// Sendmail and others write that sender as MAILER-DAEMON, and qmail its
// double bounces as #@[].
func isNullReturnPath(v string) bool {
	v = strings.Join(strings.Fields(v), "")
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	if v == "" || v == "#@[]" {
		return true
	}
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		v = v[:at]
	}
	return strings.EqualFold(v, "mailer-daemon")
}

func localPart(addr string) string {
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		return addr[:at]
	}
	return addr
}

// isNoReplyAddress reports whether an address's local part says no one
// reads replies: no-reply, noreply, do-not-reply, donotreply, in any case and
// with dots, dashes or underscores, optionally with a suffix or +tag.
func isNoReplyAddress(addr string) bool {
	if addr == "" {
		return false
	}
	local := strings.ToLower(localPart(addr))
	if plus := strings.IndexByte(local, '+'); plus >= 0 {
		local = local[:plus]
	}
	squeezed := strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, local)
	return strings.HasPrefix(squeezed, "noreply") || strings.HasPrefix(squeezed, "donotreply")
}

func isOwnAddress(addr string, opts Options) bool {
	for _, own := range opts.OwnAddresses {
		if own = strings.TrimSpace(own); own != "" && strings.EqualFold(addr, own) {
			return true
		}
	}
	return false
}

func namesOwnAddress(v string, opts Options) bool {
	lower := strings.ToLower(v)
	for _, own := range opts.OwnAddresses {
		if own = strings.ToLower(strings.TrimSpace(own)); own != "" && strings.Contains(lower, own) {
			return true
		}
	}
	return false
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
