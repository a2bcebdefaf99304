package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Machine mail without a standard header (RFC 3834 Auto-Submitted, RFC 3464
// or 5965 reports) still says what it is: in its sender, in the subject the
// MTA or auto-responder writes, or in the first lines of its template. The
// tables below hold those signs as the mail systems write them. Each is
// specific enough that a person does not write it by chance: subject signs
// are anchored at the start (a reply's "Re:" or a forward's "Fwd:" already
// defeats them), and text signs are read only at the very top of a message
// that is not itself a reply or a forward.

// subjectMode is how a subject sign must sit in the subject.
type subjectMode int

const (
	// modeLabel: the phrase starts the subject and is followed by a colon
	// (after optional spaces, as French writes it) or ends it. Auto-reply
	// labels ("Automatic reply: …") are written so.
	modeLabel subjectMode = iota
	// modeLead: the phrase starts the subject, whatever follows; only for
	// long template subjects ("Undelivered Mail Returned to Sender").
	modeLead
	// modeWithin: the phrase is anywhere in the subject; only for phrases no
	// person writes ("awaits moderator approval").
	modeWithin
)

type sign struct {
	phrase string // lowercase
	mode   subjectMode
	// tails, when set, must follow the phrase somewhere in the subject
	// ("Your message to <list> awaits moderator approval").
	tails []string
}

// autoReplySubjects are auto-responders' subject labels (Outlook and
// Exchange in their UI languages, Gmail, webmail and vacation scripts).
var autoReplySubjects = []sign{
	{"automatic reply", modeLabel, nil}, {"auto reply", modeLabel, nil}, {"auto-reply", modeLabel, nil},
	{"autoreply", modeLabel, nil}, {"auto response", modeLabel, nil}, {"auto-response", modeLabel, nil},
	{"autoresponse", modeLabel, nil}, {"automated reply", modeLabel, nil}, {"automated response", modeLabel, nil},
	{"out of office autoreply", modeLabel, nil}, {"out of office", modeLabel, nil}, {"out of the office", modeLabel, nil},
	{"out of office reply", modeLabel, nil},
	{"vacation reply", modeLabel, nil}, {"away from the office", modeLabel, nil},
	{"[auto-reply]", modeLead, nil}, {"[autoreply]", modeLead, nil}, {"[auto reply]", modeLead, nil}, {"[auto-response]", modeLead, nil},
	// Albanian
	{"përgjigje automatike", modeLabel, nil}, {"pergjigje automatike", modeLabel, nil}, {"përgjigje e automatizuar", modeLabel, nil},
	{"jashtë zyrës", modeLabel, nil}, {"jashte zyres", modeLabel, nil},
	// Serbian, Croatian, Bosnian (Latin and Cyrillic), Macedonian
	{"automatski odgovor", modeLabel, nil}, {"аутоматски одговор", modeLabel, nil}, {"автоматски одговор", modeLabel, nil},
	{"van kancelarije", modeLabel, nil}, {"ван канцеларије", modeLabel, nil}, {"odsutan iz kancelarije", modeLabel, nil},
	{"odsutnost", modeLabel, nil},
	// German
	{"automatische antwort", modeLabel, nil}, {"abwesenheitsnotiz", modeLabel, nil}, {"automatische abwesenheitsnotiz", modeLabel, nil},
	{"abwesenheit", modeLabel, nil}, {"abwesend", modeLabel, nil},
	// French
	{"réponse automatique", modeLabel, nil}, {"reponse automatique", modeLabel, nil}, {"absence du bureau", modeLabel, nil},
	{"réponse automatique d'absence du bureau", modeLabel, nil}, {"absent du bureau", modeLabel, nil},
	// Swedish, Danish, Norwegian, Finnish
	{"autosvar", modeLabel, nil}, {"automatiskt svar", modeLabel, nil}, {"frånvaromeddelande", modeLabel, nil},
	{"automatisk svar", modeLabel, nil}, {"fraværsmelding", modeLabel, nil}, {"automaattinen vastaus", modeLabel, nil},
	// Italian, Spanish, Portuguese, Dutch, Polish, Turkish, Russian
	{"risposta automatica", modeLabel, nil}, {"respuesta automática", modeLabel, nil}, {"respuesta automatica", modeLabel, nil},
	{"resposta automática", modeLabel, nil}, {"automatisch antwoord", modeLabel, nil}, {"afwezigheidsbericht", modeLabel, nil},
	{"automatyczna odpowiedź", modeLabel, nil}, {"otomatik yanıt", modeLabel, nil}, {"otomatik cevap", modeLabel, nil},
	{"otomatik yanit", modeLabel, nil}, // "OTOMATIK YANIT" lowered
	{"автоматический ответ", modeLabel, nil},
}

// awaySubjects are labels people write too ("Absence: Arben, 5.12."): they
// mark an out-of-office only on mail a header marks automatic (Outlook's
// X-Auto-Response-Suppress, an Exchange rule's, Auto-Submitted).
var awaySubjects = []sign{
	{"ooo", modeLabel, nil}, {"absence", modeLabel, nil}, {"absent", modeLabel, nil}, {"away", modeLabel, nil},
	{"vacation", modeLabel, nil}, {"urlaub", modeLabel, nil},
	{"odsutan", modeLabel, nil}, {"odsutna", modeLabel, nil}, {"одсутан", modeLabel, nil}, {"одсутна", modeLabel, nil},
}

// bounceSubjects are the subjects of non-delivery and delay notices.
var bounceSubjects = []sign{
	{"undelivered mail returned to sender", modeLead, nil},      // Postfix
	{"delayed mail (still being retried)", modeLead, nil},       // Postfix
	{"mail delivery failed", modeLabel, nil},                    // Exim
	{"warning: message", modeLead, []string{" delayed "}},       // Exim: "Warning: message 1abc-… delayed 24 hours"
	{"returned mail", modeLabel, nil},                           // Sendmail
	{"warning: could not send message for past", modeLead, nil}, // Sendmail
	{"failure notice", modeLabel, nil},                          // qmail, Yahoo
	{"undeliverable", modeLabel, nil},                           // Exchange
	{"undeliverable mail", modeLabel, nil}, {"undeliverable message", modeLabel, nil},
	{"undeliverable mail returned to sender", modeLead, nil}, {"undelivered", modeLabel, nil},
	{"mail delivery failure", modeLabel, nil}, {"delivery failed", modeLabel, nil}, {"delivery delayed", modeLabel, nil},
	{"non-delivery notification", modeLabel, nil}, {"could not deliver message", modeLabel, nil},
	{"undelivered mail", modeLabel, nil}, {"undelivered message", modeLabel, nil},
	{"delivery status notification", modeLead, nil}, // Gmail, Exchange 2003
	{"delivery failure", modeLabel, nil},            // Lotus Domino "DELIVERY FAILURE: …"
	{"delivery report", modeLabel, nil}, {"delivery notification", modeLabel, nil},
	{"delivery has failed", modeLabel, nil}, {"message delivery failure", modeLabel, nil},
	{"permanent delivery failure", modeLabel, nil}, {"message undeliverable", modeLabel, nil}, // MDaemon, hMailServer
	{"message not delivered", modeLabel, nil}, {"mail could not be delivered", modeLabel, nil},
	{"non-delivery report", modeLabel, nil}, {"non delivery report", modeLabel, nil}, {"nondeliverable mail", modeLabel, nil},
	{"mail system error - returned mail", modeLead, nil},
	{"message you sent blocked by our bulk email filter", modeLead, nil},
	// German
	{"unzustellbar", modeLabel, nil}, {"nicht zustellbar", modeLabel, nil}, {"unzustellbare nachricht", modeLabel, nil},
	{"benachrichtigung zum übermittlungsstatus", modeLead, nil}, {"zustellung fehlgeschlagen", modeLabel, nil},
	{"fehler bei der zustellung", modeLabel, nil},
	// French
	{"non remis", modeLabel, nil}, {"message non remis", modeLabel, nil}, {"échec de la remise", modeLabel, nil},
	{"notification d'état de remise", modeLead, nil}, {"avis de non-remise", modeLabel, nil},
	// Swedish and Nordic
	{"olevererbart", modeLabel, nil}, {"ej levererat", modeLabel, nil}, {"meddelandet kunde inte levereras", modeLabel, nil},
	{"leveransstatusmeddelande", modeLead, nil}, {"kan ikke leveres", modeLabel, nil}, {"ikke leveret", modeLabel, nil},
	// Albanian
	{"i padorëzueshëm", modeLabel, nil}, {"i padorezueshem", modeLabel, nil}, {"e padërgueshme", modeLabel, nil},
	{"mesazhi nuk u dorëzua", modeLabel, nil}, {"mesazhi nuk u dorezua", modeLabel, nil}, {"dështim i dorëzimit", modeLabel, nil},
	{"njoftim për statusin e dorëzimit", modeLead, nil},
	// Serbian, Croatian, Bosnian (Latin and Cyrillic)
	{"neisporučivo", modeLabel, nil}, {"neisporucivo", modeLabel, nil}, {"неиспоручиво", modeLabel, nil},
	{"isporuka nije uspela", modeLabel, nil}, {"isporuka nije uspjela", modeLabel, nil}, {"испорука није успела", modeLabel, nil},
	{"poruka nije isporučena", modeLabel, nil}, {"порука није испоручена", modeLabel, nil},
	{"obaveštenje o statusu isporuke", modeLead, nil}, {"nedostavljivo", modeLabel, nil},
	// Italian, Spanish, Portuguese, Dutch, Polish, Turkish
	{"non recapitabile", modeLabel, nil}, {"no se puede entregar", modeLabel, nil}, {"no entregado", modeLabel, nil},
	{"não é possível entregar", modeLabel, nil}, {"onbestelbaar", modeLabel, nil}, {"niet bezorgd", modeLabel, nil},
	{"niedostarczalne", modeLabel, nil}, {"teslim edilemedi", modeLabel, nil},
}

// listNoticeSubjects are list managers' notices to a poster.
var listNoticeSubjects = []sign{
	{"awaits moderator approval", modeWithin, nil}, {"post requires approval", modeWithin, nil},
	{"auto-discarded", modeWithin, nil}, {"non-member submission", modeWithin, nil}, {"non-member post", modeWithin, nil},
	{"loop alert", modeWithin, nil}, {"mail loop detected", modeWithin, nil}, {"loop detected", modeWithin, nil},
	{"message distribution: authorization denied", modeLead, nil}, {"rejected posting", modeWithin, nil},
	{"your message to the list was rejected", modeLead, nil}, {"posting to a restricted list", modeWithin, nil},
	{"you do not have permission to post", modeWithin, nil}, {"mailing list probe message", modeWithin, nil},
	{"mailman results", modeLead, nil}, {"majordomo results", modeLead, nil}, {"output from your job", modeLead, nil},
	{"your message to", modeLead, []string{"awaits moderator approval", "was rejected", "has been rejected",
		"couldn't be delivered", "could not be delivered", "was not delivered", "has been held", "is being held"}},
}

// bounceText are the opening sentences of MTAs' bounce templates, each as
// it starts a line.
var bounceText = []string{
	"this is the mail system at host",                                             // Postfix
	"i'm sorry to have to inform you that your message could not",                 // Postfix
	"this message was created automatically by mail delivery software",            // Exim
	"a message that you sent could not be delivered to one or more of its",        // Exim
	"the original message was received at",                                        // Sendmail
	"----- the following addresses had permanent fatal errors",                    // Sendmail
	"----- transcript of session follows",                                         // Sendmail
	"hi. this is the qmail-send program at",                                       // qmail
	"i'm afraid i wasn't able to deliver your message to the following",           // qmail
	"delivery has failed to these recipients or groups",                           // Exchange 2007+
	"your message did not reach some or all of the intended recipients",           // Exchange 2003
	"the following recipient(s) cannot be reached",                                // Exchange 2003
	"your message to … couldn't be delivered",                                     // Exchange Online
	"delivery to the following recipient failed permanently",                      // Gmail
	"delivery to the following recipients failed permanently",                     // Gmail
	"** address not found **",                                                     // Gmail
	"** message not delivered **",                                                 // Gmail
	"** delivery incomplete **",                                                   // Gmail
	"there was a temporary problem delivering your message to",                    // Gmail
	"your message wasn't delivered to … because",                                  // Gmail
	"sorry, we were unable to deliver your message to the following address",      // Yahoo
	"this is an automatically generated delivery status notification",             // Exchange, various
	"unable to deliver message to the following recipients",                       // various
	"your message could not be delivered to the following recipients",             // GroupWise, MDaemon
	"the message you sent was undeliverable",                                      // various
	"message could not be delivered to some recipients",                           // Kerio
	"this is a delivery failure notification message",                             // hMailServer, others
	"this report relates to a message you sent",                                   // RFC 3464 human part
	"this is a delivery status notification from",                                 // Courier
	"your message cannot be delivered to the following recipients",                // Communigate
	"the following message could not be delivered",                                // generic
	"delivery of the following message failed",                                    // generic
	"die zustellung an folgende empfänger oder gruppen ist fehlgeschlagen",        // Exchange de
	"ihre nachricht konnte nicht zugestellt werden",                               // de
	"dies ist eine automatisch erstellte benachrichtigung über den zustellstatus", // Exchange de
	"la remise à ces destinataires ou groupes a échoué",                           // Exchange fr
	"votre message n'a pas pu être remis",                                         // fr
	"ceci est une notification d'état de remise générée automatiquement",          // Exchange fr
	"det gick inte att leverera till följande mottagare eller grupper",            // Exchange sv
	"ditt meddelande kunde inte levereras",                                        // sv
	"dorëzimi te këta marrës ose grupe dështoi",                                   // Exchange sq
	"mesazhi juaj nuk mund të dorëzohej",                                          // sq
	"isporuka sledećim primaocima ili grupama nije uspela",                        // Exchange sr-Latn
	"испорука следећим примаоцима или групама није успела",                        // Exchange sr-Cyrl
	"vaša poruka nije mogla biti isporučena",                                      // sr, hr, bs
}

// listNoticeText are the opening sentences of list managers' notices, each
// as it starts a line.
var listNoticeText = []string{
	"you are not allowed to post to this mailing list",
	"your mail to '", // Mailman 2: "Your mail to 'kultura' with the subject … Is being held"
	"is being held until the list moderator can review it",
	"you do not have permission to post",
	"your message for list",
	"only members can post to this group",
	"posting to this list is restricted",
	"a mail loop has been detected",
	"loop detected",
	"mail loop alert",
	"this message was generated automatically by the mailing list",
	"your message has been rejected by the list",
	"the message you sent to the list",
}

// memberText are list notices a person may also write ("you are not a
// member of the federation"): they count only from a no-reply or list
// server's address.
var memberText = []string{"you are not a member", "not a member of this group", "not a member of the list", "is not a member of"}

// abuseText are abuse desks' and feedback loops' report openings, each as
// it starts a line (a subject may hold them anywhere). A citizen reporting
// a phishing mail to us writes none of them.
var abuseText = []string{
	"this is an email abuse report for an email message", "complaint about message from",
	"email feedback report for ip", "abuse report for ip", "spam report for ip", "feedback-type:",
	"[spamcop", "- spamcop v", "the attached message was reported as spam", "the attached email was reported as spam",
}

// abuseLocals are abuse desks' and feedback loops' sender local parts.
var abuseLocals = []string{
	"abuse", "abuse-report", "abuse-reports", "abusedesk", "abuse-desk", "abuse-team", "complaints",
	"complaint", "fbl", "fbl-reports", "feedbackloop", "feedback-loop", "spamcop", "scomp", "jmrp",
	"arf", "spam-report", "spamreport", "spam-reports",
}

// mailSystemNames are the display names MTAs sign their notices with.
var mailSystemNames = []string{
	"mail delivery system", "mail delivery subsystem", "mailer-daemon", "mailer daemon",
	"mail delivery service", "mail delivery", "mail administrator", "postmaster",
}

// matchSubject returns the subject sign lowered matches, or "".
func matchSubject(lowered string, signs []sign) string {
	if lowered == "" {
		return ""
	}
	for _, s := range signs {
		if s.mode != modeWithin && s.phrase[0] != lowered[0] {
			continue // cheap first test; see matchLead
		}
		switch s.mode {
		case modeLabel:
			if strings.HasPrefix(lowered, s.phrase) {
				rest := strings.TrimLeft(lowered[len(s.phrase):], " \u00a0\t")
				if rest == "" || rest[0] == ':' {
					return s.phrase
				}
			}
		case modeLead:
			if !strings.HasPrefix(lowered, s.phrase) {
				continue
			}
			if len(s.tails) == 0 {
				return s.phrase
			}
			for _, tail := range s.tails {
				if strings.Contains(lowered[len(s.phrase):], tail) {
					return s.phrase + " … " + strings.TrimSpace(tail)
				}
			}
		case modeWithin:
			if strings.Contains(lowered, s.phrase) {
				return s.phrase
			}
		}
	}
	return ""
}

// subjectForSigns lowercases a subject and drops one leading tag that mail
// gateways add ("[EXTERNAL] Automatic reply: …", "*SPAM* …").
func subjectForSigns(subject string) string {
	s := strings.ToLower(strings.TrimSpace(subject))
	if s == "" {
		return s
	}
	var closer string
	switch s[0] {
	case '[':
		closer = "]"
	case '*':
		closer = "*"
	case '(':
		closer = ")"
	default:
		return s
	}
	if end := strings.Index(s[1:], closer); end >= 0 && end < 24 && !strings.Contains(s[1:end+1], "auto") {
		s = strings.TrimSpace(s[end+2:])
	}
	return s
}

// isReplyOrForward reports whether a subject begins with a reply or forward
// prefix in any common client's language: such mail is a person's, even
// when it quotes a bounce.
func isReplyOrForward(subject string) bool {
	s := strings.TrimSpace(subject)
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || colon > 12 {
		return false
	}
	prefix := strings.ToLower(strings.TrimSpace(s[:colon]))
	if i := strings.IndexAny(prefix, "[("); i > 0 {
		prefix = prefix[:i] // "Re[2]"
	}
	switch prefix {
	case "re", "fw", "fwd", "aw", "wg", "tr", "sv", "vs", "vb", "odp", "pd", "r", "rif", "i", "antw", "doorst",
		"ynt", "ilt", "enc", "res", "rv", "ref", "përgj", "pergj", "përcjell", "odg", "odgovor", "prosl",
		"одг", "одговор", "прсл", "ответ", "отв", "пересл", "réf", "vl", "ha", "atb", "bls":
		return true
	}
	return false
}

// leadLines holds the first lines of a message, cut to 160 bytes (the
// longest template sentence fits), before any quoted or forwarded text.
type leadLines struct {
	line [2]string
	n    int
}

func readLeadLines(text string) leadLines {
	var l leadLines
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(firstBytes(line, 160))
		if line == "" {
			continue
		}
		if line[0] == '>' || strings.HasPrefix(line, "-----Original") || strings.HasPrefix(line, "________") ||
			strings.HasPrefix(line, "---------- Forwarded") || strings.HasPrefix(line, "Begin forwarded message") {
			break
		}
		l.line[l.n] = line
		if l.n++; l.n == len(l.line) {
			break
		}
	}
	return l
}

// matchLead finds a line among the first two of a message that starts
// with one of phrases, in any case: templates start their lines, and a
// prefix test costs next to nothing on a person's mail. A first line that
// ends in a colon introduces what follows ("I got this back:"), and one
// that ends in a comma greets, so then only the first line counts: the
// rest is a person's, or pasted. A phrase "a … b" needs a
// line starting with a and going on to b.
func matchLead(l leadLines, phrases []string) string {
	for i, line := range l.line[:l.n] {
		if i > 0 && (strings.HasSuffix(l.line[0], ":") || strings.HasSuffix(l.line[0], ",")) {
			// A first line ending in a colon introduces what follows; one
			// ending in a comma is a greeting ("Përshëndetje,", "Poštovani,"),
			// which no template starts with: what follows is a person's.
			break
		}
		// Most lines differ from most phrases in their first letter;
		// testing it first keeps a person's mail to a byte compare per
		// phrase.
		c := line[0]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		for _, p := range phrases {
			if c < utf8.RuneSelf && p[0] < utf8.RuneSelf && c != p[0] {
				continue
			}
			if hasPrefixThen(line, p) {
				return p
			}
		}
	}
	return ""
}

// hasPrefixThen reports whether s starts with phrase, in any case; for "a
// … b", whether s starts with a and goes on to b.
func hasPrefixThen(s, phrase string) bool {
	first, rest, split := strings.Cut(phrase, " … ")
	// Case pairs in the scripts of these tables (Latin, Cyrillic) have
	// the same UTF-8 length, so the prefix is as long as the phrase.
	if len(s) < len(first) || !strings.EqualFold(s[:len(first)], first) {
		return false
	}
	return !split || strings.Contains(strings.ToLower(s[len(first):]), rest)
}

// isMailSystemLocal reports whether a local part is a mail system's own:
// MAILER-DAEMON, postmaster and their spellings.
func isMailSystemLocal(local string) bool {
	l := strings.ToLower(local)
	switch l {
	case "mailer-daemon", "mailer_daemon", "mailerdaemon", "mail-daemon", "maildaemon", "mailer.daemon",
		"postmaster", "post_master", "post-master", "post.master":
		return true
	}
	return false
}

// listManagerLocal reports whether a local part is a list manager's or a
// bounce handler's: *-bounces, *-request, *-owner, owner-*, *-admin,
// bounce*, and the managers' own names. isAdmin marks "*-admin", which
// people's role addresses also use.
func listManagerLocal(local string) (ok, isAdmin bool) {
	l := strings.ToLower(local)
	if rest, found := strings.CutPrefix(l, "bounce"); found {
		// bounce, bounces, bounce-123, bounces+x=y, bounce.id; not "bouncer".
		rest = strings.TrimPrefix(rest, "s")
		if rest == "" || strings.IndexAny(rest[:1], "-+._=0123456789") == 0 {
			return true, false
		}
	}
	if plus := strings.IndexByte(l, '+'); plus >= 0 {
		l = l[:plus] // VERP: list-bounces+user=example.org
	}
	switch l {
	case "mailman", "sympa", "majordomo", "listserv", "listmaster", "ezmlm", "lyris", "mailman-owner", "mailman-bounces":
		return true, false
	}
	for _, suffix := range []string{"-bounces", "-bounce", "-request", "-owner"} {
		if strings.HasSuffix(l, suffix) && len(l) > len(suffix) {
			return true, false
		}
	}
	if strings.HasPrefix(l, "owner-") && len(l) > len("owner-") {
		return true, false
	}
	if strings.HasSuffix(l, "-admin") && len(l) > len("-admin") {
		return true, true
	}
	return false, false
}

// listWords are what a list manager's notice says of itself; a "*-admin"
// sender counts as a list manager only with one of them.
var listWords = []string{"mailing list", "mailing-list", "mailman", "list moderator", "subscription", "unsubscribe"}

func containsAny(s string, words []string) string {
	for _, w := range words {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// isNullSenderHeader reports whether a From header carries the null
// address, as some MTAs write their bounces ("MAILER-DAEMON <>").
func isNullSenderHeader(v string) bool {
	for {
		lt := strings.IndexByte(v, '<')
		if lt < 0 {
			return false
		}
		v = strings.TrimLeft(v[lt+1:], " \t\r\n")
		if strings.HasPrefix(v, ">") {
			return true
		}
	}
}

// isListServer reports whether an address is a list server's or a
// no-reply one: the domain is a lists. host or a groups service.
func isListServer(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	domain := strings.ToLower(addr[at+1:])
	return isNoReplyAddress(addr) || strings.HasPrefix(domain, "lists.") || strings.HasPrefix(domain, "list.") ||
		strings.Contains(domain, "googlegroups.") || strings.HasPrefix(domain, "groups.")
}

// isAbuseLocal reports whether a local part is an abuse desk's or a
// feedback loop's.
func isAbuseLocal(local string) bool {
	l := strings.ToLower(local)
	for _, a := range abuseLocals {
		if l == a {
			return true
		}
	}
	return false
}

// jsonNotice reports whether text is a cloud mail service's event
// notification in JSON (Amazon SES through SNS, SendGrid, Mailgun,
// Postmark): it opens with a brace and names bounce or complaint fields.
func jsonNotice(text string) string {
	t := strings.TrimLeftFunc(text, unicode.IsSpace)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return ""
	}
	if len(t) > 8<<10 {
		t = t[:8<<10]
	}
	t = strings.ToLower(t)
	for _, key := range []string{"notificationtype", "bouncetype", "bouncedrecipients", "complainedrecipients",
		"complaintfeedbacktype", "recordtype", "delivery-status", "eventtype"} {
		if strings.Contains(t, key) {
			return key
		}
	}
	if strings.Contains(t, `"event"`) && containsAny(t, []string{"bounce", "dropped", "failed", "spamreport"}) != "" {
		return "event"
	}
	return ""
}
