package desk

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"sportel/inquiry"
)

//go:embed templates/*.tmpl
var builtinTemplates embed.FS

// Templates are the acknowledgement texts, one per language. The operator
// may override any of them with a file of the same name in a directory.
type Templates struct {
	ack    map[inquiry.Language]*template.Template
	notice map[NoticeKind]map[inquiry.Language]*template.Template // notices.go
	answer map[inquiry.Language]*template.Template                // standard.go
}

// LoadTemplates reads the built-in templates and then, when dir is not
// empty, any file in dir named like one of them (ack, notices, answer),
// which replaces the built-in one. Every template that fails is reported
// (errors.Join), not only the first.
func LoadTemplates(dir string) (*Templates, error) {
	t := &Templates{ack: make(map[inquiry.Language]*template.Template)}
	var errs []error
	for _, lang := range inquiry.Languages {
		tmpl, err := loadTemplate(dir, "ack."+string(lang)+".tmpl",
			AckData{Number: "DKP-2026-000001", CategoryName: "x", Deadline: "01.01.2026", Email: true})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.ack[lang] = tmpl
	}
	notice, err := loadNotices(dir)
	if err != nil {
		errs = append(errs, err)
	}
	answer, err := loadAnswers(dir)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	t.notice, t.answer = notice, answer
	return t, nil
}

// loadTemplate reads the built-in template name, or its replacement in dir
// when there is one, and renders it once with sample so a broken override
// fails at start, not when the first citizen writes.
func loadTemplate(dir, name string, sample any) (*template.Template, error) {
	src, err := fs.ReadFile(builtinTemplates, "templates/"+name)
	if err != nil {
		return nil, fmt.Errorf("read built-in template %s: %w", name, err)
	}
	if dir != "" {
		path := filepath.Join(dir, name)
		// Stat first: opening a FIFO waits for a writer, in a system call
		// no stop can interrupt, and would hang the start or a reload.
		if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("read template %s: not a regular file", path)
		}
		custom, err := os.ReadFile(path)
		switch {
		case err == nil:
			src = custom
		case !os.IsNotExist(err):
			return nil, fmt.Errorf("read template %s: %w", path, err)
		}
	}
	tmpl, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", name, err)
	}
	if err := tmpl.Execute(&bytes.Buffer{}, sample); err != nil {
		return nil, fmt.Errorf("render template %s: %w", name, err)
	}
	return tmpl, nil
}

// AckData is what an acknowledgement template can use.
type AckData struct {
	Name         string // the sender's display name, if any
	Number       string // ticket number
	Category     string // document_request, press_inquiry, general_question
	CategoryName string // the category in plain words, in the template's language
	Deadline     string // the legal deadline date, document requests only
	DeadlineEN   string // the same in English, for the English line of unknown-language mail
	Email        bool   // the acknowledgement goes by email (else Telegram)
	EnglishLine  bool   // the language is unknown: add a line in English
	Division     string // the division's display name
	Corrected    bool   // a correction: the category changed after more messages
	Again        bool   // the same message came again and keeps the number it has
	Encrypted    bool   // the mail was encrypted: ask for it again unencrypted
}

var categoryNames = map[inquiry.Language]map[inquiry.Category]string{
	inquiry.Albanian: {
		inquiry.DocumentRequest: "kërkesë për qasje në dokumente publike",
		inquiry.PressInquiry:    "pyetje nga media",
		inquiry.GeneralQuestion: "pyetje e përgjithshme",
	},
	inquiry.SerbianLatin: {
		inquiry.DocumentRequest: "zahtev za pristup javnim dokumentima",
		inquiry.PressInquiry:    "upit medija",
		inquiry.GeneralQuestion: "opšte pitanje",
	},
	inquiry.SerbianCyrl: {
		inquiry.DocumentRequest: "захтев за приступ јавним документима",
		inquiry.PressInquiry:    "упит медија",
		inquiry.GeneralQuestion: "опште питање",
	},
	inquiry.English: {
		inquiry.DocumentRequest: "request for access to public documents",
		inquiry.PressInquiry:    "press inquiry",
		inquiry.GeneralQuestion: "general question",
	},
}

// CategoryName is the category in plain words in lang (Albanian when lang is
// unknown).
func CategoryName(c inquiry.Category, lang inquiry.Language) string {
	names, ok := categoryNames[lang]
	if !ok {
		names = categoryNames[inquiry.Albanian]
	}
	return names[c]
}

// replyLanguage is the language Sportel answers in: unknown means Albanian.
func replyLanguage(l inquiry.Language) inquiry.Language {
	if _, ok := categoryNames[l]; ok {
		return l
	}
	return inquiry.Albanian
}

func formatDate(t time.Time, lang inquiry.Language) string {
	if lang == inquiry.English {
		return t.Format("2 January 2006")
	}
	return t.Format("02.01.2006")
}

func (d *Desk) ackData(t *inquiry.Ticket) AckData {
	lang := replyLanguage(t.Language)
	data := AckData{
		Name:         greetingName(t.Sender.Name),
		Number:       t.Number,
		Category:     string(t.Category),
		CategoryName: CategoryName(t.Category, lang),
		Email:        t.Channel == inquiry.ChannelEmail,
		EnglishLine:  lang != t.Language,
		Division:     d.divisionName(t.Language),
	}
	if !t.DueAt.IsZero() {
		due := d.lastDay(t.DueAt)
		data.Deadline = formatDate(due, lang)
		data.DeadlineEN = formatDate(due, inquiry.English)
	}
	return data
}

// lastDay is the day a deadline falls on, as a date to tell: a deadline at
// midnight ends the day before (an urgent request that came on a day off
// is due 48 hours after the next working day starts, at 00:00), and
// "no later than" that next day would give a day too many.
func (d *Desk) lastDay(due time.Time) time.Time {
	local := due.In(d.cfg.Location)
	if h, m, s := local.Clock(); h == 0 && m == 0 && s == 0 && local.Nanosecond() == 0 {
		return local.Add(-time.Second)
	}
	return local
}

// renderBufSize holds a built-in acknowledgement as most are (400–700
// bytes; 1.3 KB with every section), so rendering one allocates its buffer
// once rather than growing it four or five times.
const renderBufSize = 1 << 10

// Ack renders the acknowledgement text for t.
func (tm *Templates) Ack(t *inquiry.Ticket, data AckData) string {
	var b bytes.Buffer
	b.Grow(renderBufSize)
	if err := tm.ack[replyLanguage(t.Language)].Execute(&b, data); err != nil {
		// The templates were test-rendered at load; fall back to the bare facts.
		return fmt.Sprintf("%s: %s", data.Number, data.CategoryName)
	}
	return collapseBlankLines(b.Bytes())
}

// collapseBlankLines is text trimmed, with every run of three or more line
// breaks made two (the blank lines a template's skipped sections leave),
// and a line break at the end. Trimming first gives the same text as
// trimming after: a run of line breaks at either end is all space.
func collapseBlankLines(text []byte) string {
	text = bytes.TrimSpace(text)
	var out strings.Builder
	out.Grow(len(text) + 1)
	for {
		i := bytes.Index(text, []byte("\n\n\n"))
		if i < 0 {
			break
		}
		out.Write(text[:i+2])
		text = bytes.TrimLeft(text[i+3:], "\n")
	}
	out.Write(text)
	out.WriteByte('\n')
	return out.String()
}

var publicAck = map[inquiry.Language]string{
	inquiry.Albanian:     "Faleminderit! Mesazhi juaj u regjistrua me numrin %s. Përgjigjen do ta merrni privatisht: %s",
	inquiry.SerbianLatin: "Hvala! Vaša poruka je zavedena pod brojem %s. Odgovor ćete dobiti privatno: %s",
	inquiry.SerbianCyrl:  "Хвала! Ваша порука је заведена под бројем %s. Одговор ћете добити приватно: %s",
	inquiry.English:      "Thank you! Your message is registered as %s. You will get the answer privately: %s",
}

// PublicAck answers in a public group: no name, no details, only the number
// and a link that opens a private chat with the bot for this ticket.
func (tm *Templates) PublicAck(t *inquiry.Ticket, bot string) string {
	link := fmt.Sprintf("https://t.me/%s?start=%s", bot, t.Number)
	return fmt.Sprintf(publicAck[replyLanguage(t.Language)], t.Number, link)
}

// TelegramAnswer is an officer's answer as sent in Telegram.
func (tm *Templates) TelegramAnswer(t *inquiry.Ticket, text string) string {
	return fmt.Sprintf("%s\n\n%s", t.Number, strings.TrimSpace(text))
}

// TelegramNotify is the officer's Telegram message about a ticket, its dates in loc.
func (tm *Templates) TelegramNotify(t *inquiry.Ticket, officer inquiry.Officer, m *inquiry.Message, followUp bool, loc *time.Location) string {
	var b strings.Builder
	if t.Urgent {
		b.WriteString("URGENT · ")
	}
	if followUp {
		fmt.Fprintf(&b, "%s: mesazh i ri nga qytetari\n", t.Number)
	} else {
		fmt.Fprintf(&b, "%s · %s\n", t.Number, CategoryName(t.Category, inquiry.Albanian))
	}
	writeTicketFacts(&b, t, officer, loc)
	b.WriteString("\n")
	writeMessageBody(&b, m)
	return b.String()
}

func writeTicketFacts(b *strings.Builder, t *inquiry.Ticket, officer inquiry.Officer, loc *time.Location) {
	if t.Urgent {
		// Life or liberty depends on the answer: the 48-hour clock.
		b.WriteString("URGJENTE / URGENT: përgjigje brenda 48 orëve\n")
	}
	// Written piece by piece, not with fmt: this runs in the store's
	// write transaction for every ticket filed.
	b.WriteString("Kategoria: ")
	b.WriteString(CategoryName(t.Category, inquiry.Albanian))
	b.WriteString(" (")
	b.WriteString(t.Classifier)
	b.WriteString(", ")
	// As fmt's %.0f, NaN and infinities too.
	var pct [24]byte
	b.Write(strconv.AppendFloat(pct[:0], t.Confidence*100, 'f', 0, 64))
	b.WriteString("%")
	if t.NeedsReview {
		b.WriteString(", duhet rishikuar")
	}
	b.WriteString(")\nDërguesi: ")
	b.WriteString(t.Sender.String())
	b.WriteString("\nKanali: ")
	b.WriteString(string(t.Channel))
	b.WriteString(" · Gjuha: ")
	b.WriteString(string(t.Language))
	b.WriteString("\nZyrtari: ")
	b.WriteString(officer.Name)
	b.WriteString("\n")
	if !t.DueAt.IsZero() {
		var date [16]byte
		b.WriteString("Afati ligjor: ")
		b.Write(t.DueAt.In(loc).AppendFormat(date[:0], "02.01.2006"))
		b.WriteString("\n")
	}
	if t.Mentions != "" {
		b.WriteString("Përmend tiketën " + t.Mentions + " (e një dërguesi tjetër)\n")
	}
	if t.LinkedTo != "" {
		b.WriteString("Vazhdim i tiketës " + t.LinkedTo + "\n")
	}
}

func messageBody(m *inquiry.Message) string {
	var b strings.Builder
	writeMessageBody(&b, m)
	return b.String()
}

// writeMessageBody writes m's subject and text for an officer to b, in
// place: the text can be long, and is copied once.
func writeMessageBody(b *strings.Builder, m *inquiry.Message) {
	if m.Subject != "" {
		b.WriteString("Subjekti: ")
		b.WriteString(m.Subject)
		b.WriteString("\n\n")
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		text = "(pa tekst)"
	}
	b.WriteString(text)
	b.WriteString("\n")
	if m.Unreadable != "" {
		// Said plainly: an empty text alone reads as a citizen who wrote nothing.
		fmt.Fprintf(b, "\nKUJDES: përmbajtja e këtij mesazhi nuk mund të lexohet: %s.\n", m.Unreadable)
	}
	if m.TooLarge {
		fmt.Fprintf(b, "\nKUJDES: mesazhi është shumë i madh (%d bajt); u lexua vetëm fillimi i tij. "+
			"Mesazhi i plotë ruhet në kutinë postare, në dosjen %s.\n", m.Size, m.KeptIn)
	}
}

// replySubject is "Re: <original> [NUMBER]", without stacking prefixes or
// repeating the number.
func replySubject(original, number string) string {
	s := withoutNumber(original, number)
	if s == "" {
		return "[" + number + "]"
	}
	if !hasReplyPrefix(s) {
		return "Re: " + s + " [" + number + "]"
	}
	return s + " [" + number + "]"
}

// withoutNumber is subject without the "[NUMBER]" tag our mail puts in it,
// for subjects that carry the number themselves.
func withoutNumber(subject, number string) string {
	return strings.TrimSpace(strings.ReplaceAll(subject, "["+number+"]", ""))
}

// replyPrefixes are the words before the colon that mark a subject as a
// reply or a forward already, in the languages of the division's mail.
var replyPrefixes = [...]string{"re", "aw", "vs", "odg", "odgovor", "одг", "одговор", "përgj", "pergj", "sv", "tr", "fw", "fwd"}

// hasReplyPrefix reports whether s starts with one of replyPrefixes in any
// case, then any ASCII space ('\t', '\n', '\f', '\r', ' '), then a colon:
// what the regular expression (?i)^(re|aw|…|fwd?)\s*: matched, without one.
func hasReplyPrefix(s string) bool {
	for _, p := range replyPrefixes {
		// Case is folded rune by rune as (?i) does: "K" (the Kelvin sign)
		// is a "k" of another length in bytes.
		end := runesLen(s, utf8.RuneCountInString(p))
		if end < 0 || !strings.EqualFold(s[:end], p) {
			continue
		}
		if strings.HasPrefix(strings.TrimLeft(s[end:], "\t\n\f\r "), ":") {
			return true
		}
	}
	return false
}

// runesLen is the length in bytes of the first n runes of s (a byte that is
// not UTF-8 counts as a rune), or -1 when s has fewer.
func runesLen(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	if n == 0 {
		return len(s)
	}
	return -1
}

func (d *Desk) ackMail(t *inquiry.Ticket, m *inquiry.Message, to inquiry.Address, now time.Time) *inquiry.Mail {
	data := d.ackData(t)
	data.Encrypted = m.Encrypted
	return d.ackMailWith(t, m, to, data, now)
}

// ackMailWith is ackMail with the template's data as given.
func (d *Desk) ackMailWith(t *inquiry.Ticket, m *inquiry.Message, to inquiry.Address, data AckData, now time.Time) *inquiry.Mail {
	mail := &inquiry.Mail{
		MessageID:   d.newMessageID("ack"),
		Date:        now,
		From:        d.cfg.Mailbox,
		To:          []inquiry.Address{{Name: greetingName(to.Name), Address: to.Address}},
		Subject:     replySubject(echoSubject(m.Subject), t.Number),
		AutoReplied: true,
		Headers:     map[string]string{"X-Sportel-Ticket": t.Number},
		Text:        d.cfg.Templates.Ack(t, data),
	}
	if parent := threadIDs(m.MessageID); len(parent) > 0 {
		mail.InReplyTo = parent
		mail.References = append(threadIDs(m.References...), parent...)
	}
	return mail
}

// notifyTextSize is a notification's text without the message's: the
// facts and the lines around them, rounded up.
const notifyTextSize = 1 << 10

func (d *Desk) notifyMail(t *inquiry.Ticket, officer inquiry.Officer, m *inquiry.Message, followUp bool, now time.Time) *inquiry.Mail {
	var b strings.Builder
	b.Grow(notifyTextSize + len(m.Subject) + len(m.Text))
	if followUp {
		b.WriteString("Qytetari ka shkruar sërish për tiketën " + t.Number + ".\n\n")
	} else {
		b.WriteString("Tiketë e re " + t.Number + " u është caktuar juve.\n\n")
	}
	writeTicketFacts(&b, t, officer, d.cfg.Location)
	b.WriteString("\nPër t'iu përgjigjur qytetarit, përgjigjuni këtij emaili: përgjigja juaj i dërgohet qytetarit nga adresa publike.\n")
	b.WriteString("\n----- Mesazhi origjinal -----\n")
	writeMessageBody(&b, m)

	var attached []inquiry.Attachment
	var listed []string
	var total int64
	var ref *inquiry.AttachmentRef
	if m.AttachmentsAt != nil {
		// The bytes are kept once, in the raw mail; the job names them.
		ref = &inquiry.AttachmentRef{TicketID: m.AttachmentsAt.TicketID, EntryID: m.AttachmentsAt.EntryID}
	}
	for i, a := range m.Attachments {
		have := ref != nil || len(a.Content) > 0
		if a.Truncated || !have || total+a.Size > d.cfg.NotifyAttachmentsMaxBytes {
			line := fmt.Sprintf("%s (%s, %d bytes)", a.Name, a.ContentType, a.Size)
			if m.Channel == inquiry.ChannelTelegram && a.Truncated {
				// The bot could not download it (too large, Telegram
				// failed): only Telegram has it.
				line += " — nuk u ruajt në Sportel; gjendet vetëm në bisedën e Telegram-it"
			}
			listed = append(listed, line)
			continue
		}
		total += a.Size
		if ref != nil {
			ref.Indexes = append(ref.Indexes, i)
		} else {
			attached = append(attached, a)
		}
	}
	if ref != nil && len(ref.Indexes) == 0 {
		ref = nil
	}
	if len(listed) > 0 {
		switch {
		case m.Channel == inquiry.ChannelTelegram:
			// A Telegram message has no mailbox; what was kept is in
			// the ticket's record.
			b.WriteString("\nShtojca që nuk u bashkëngjitën (ato që u ruajtën janë në regjistrin e biletës):\n")
		case m.TooLarge:
			fmt.Fprintf(&b, "\nShtojca që nuk u bashkëngjitën (mesazhi i plotë ruhet %s):\n", "në dosjen "+m.KeptIn)
		default:
			b.WriteString("\nShtojca që nuk u bashkëngjitën (mesazhi i plotë ruhet në kutinë e përpunuar):\n")
		}
		for _, l := range listed {
			b.WriteString("  - " + l + "\n")
		}
	}
	kind := CategoryName(t.Category, inquiry.Albanian)
	// A follow-up's subject is usually the reply to our acknowledgement,
	// which carries the number already.
	about := oneLine(withoutNumber(m.Subject, t.Number), 80)
	urgent := ""
	if t.Urgent {
		urgent = "URGENT "
	}
	subject := urgent + "[" + t.Number + "] " + kind + ": " + about
	if followUp {
		subject = urgent + "[" + t.Number + "] Mesazh i ri: " + about
	}
	mailbox := d.cfg.Mailbox
	return &inquiry.Mail{
		MessageID:   d.newMessageID("notify"),
		Date:        now,
		From:        d.cfg.Mailbox,
		To:          []inquiry.Address{{Name: officer.Name, Address: officer.Email}},
		ReplyTo:     &mailbox,
		Subject:     subject,
		AutoReplied: true,
		// The officer's out-of-office tells the heads they are away.
		AllowOutOfOffice: true,
		Headers:          map[string]string{"X-Sportel-Ticket": t.Number},
		Text:             b.String(),
		Attachments:      attached,
		AttachFrom:       ref,
	}
}

// answerMail relays an officer's answer; m is their mail (nil for an
// answer given in Telegram), whose attachments go with it.
func (d *Desk) answerMail(t *inquiry.Ticket, text string, m *inquiry.Message, now time.Time) *inquiry.Mail {
	var atts []inquiry.Attachment
	var ref *inquiry.AttachmentRef
	switch {
	case m == nil:
	case m.AttachmentsAt != nil:
		// Kept once, in the raw mail: the job names them. A file cut at
		// max_attachment_bytes is not sent cut; the record lists it.
		ref = &inquiry.AttachmentRef{TicketID: m.AttachmentsAt.TicketID, EntryID: m.AttachmentsAt.EntryID}
		for i, a := range m.Attachments {
			// Nor an image of the officer's signature or the quoted mail.
			if !a.Truncated && a.NotSent == "" && !d.ownMail(a) {
				ref.Indexes = append(ref.Indexes, i)
			}
		}
		if len(ref.Indexes) == 0 {
			ref = nil
		}
	default:
		atts = d.officersFiles(m.Attachments)
	}
	mail := &inquiry.Mail{
		MessageID: d.newMessageID("answer"),
		Date:      now,
		From:      d.cfg.Mailbox,
		To:        []inquiry.Address{{Name: greetingName(t.Sender.Name), Address: t.Sender.Address}},
		Subject:   replySubject(t.Subject, t.Number),
		// A person wrote it: no Auto-Submitted, so the citizen's mail
		// system treats it as ordinary mail.
		Headers:     map[string]string{"X-Sportel-Ticket": t.Number},
		Text:        strings.TrimSpace(text) + "\n",
		Attachments: atts,
		AttachFrom:  ref,
	}
	if parent := threadIDs(t.MessageID); len(parent) > 0 {
		mail.InReplyTo, mail.References = parent, slices.Clone(parent)
	}
	return mail
}

func (d *Desk) quarantineMail(officer inquiry.Officer, m *inquiry.Message, reason string, now time.Time) *inquiry.Mail {
	text := fmt.Sprintf("Një mesazh u vu në karantinë: %s.\n\nBurimi: %s\nDërguesi: %q\nSubjekti: %q\nPranuar: %s\n\n"+
		"Mesazhi origjinal ruhet në kutinë e karantinës dhe në regjistrin e Sportel-it (sportel tickets list --automated).\n",
		reason, m.SourceID, m.From.String(), m.Subject, m.ReceivedAt.In(d.cfg.Location).Format(time.RFC3339))
	return d.staffMail("quarantine", officer, "Sportel: mesazh në karantinë", text, now)
}

// tooLargeAnswerMail tells an officer that their answer was too large to
// read, so it was not relayed.
func (d *Desk) tooLargeAnswerMail(officer inquiry.Officer, t *inquiry.Ticket, m *inquiry.Message, commands bool, now time.Time) *inquiry.Mail {
	text := fmt.Sprintf("Përgjigjja juaj për %s nuk iu dërgua qytetarit: mesazhi ishte shumë i madh (%d bajt) për t'u lexuar i plotë.\n"+
		"Mesazhi ruhet në kutinë postare, në dosjen %s. Ju lutemi dërgojeni përgjigjen në pjesë më të vogla.\n", t.Number, m.Size, m.KeptIn)
	if commands {
		text += "As komandat (#) në të nuk u zbatuan: dërgojini sërish bashkë me përgjigjen.\n"
	}
	return d.staffMail("undeliverable", officer, "Sportel: përgjigjja nuk u dërgua ["+t.Number+"]", text, now)
}

// staffMail is a service message from Sportel to one of the division's
// staff (officer or head): never an answer to a citizen, so it is marked
// auto-replied and carries no ticket thread.
func (d *Desk) staffMail(kind string, to inquiry.Officer, subject, text string, now time.Time) *inquiry.Mail {
	return &inquiry.Mail{
		MessageID:   d.newMessageID(kind),
		Date:        now,
		From:        d.cfg.Mailbox,
		To:          []inquiry.Address{to.Address()},
		Subject:     subject,
		AutoReplied: true,
		Text:        text,
	}
}

func oneLine(s string, max int) string {
	s = singleSpaced(s)
	if s == "" {
		return "(pa subjekt)"
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	// As string([]rune(s)[:max]) would be: a byte that is not UTF-8 is
	// written as U+FFFD.
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for _, r := range s {
		if n == max {
			break
		}
		b.WriteRune(r)
		n++
	}
	b.WriteString("…")
	return b.String()
}

// undeliverableMail tells an officer that their answer had nowhere to go.
func (d *Desk) undeliverableMail(officer inquiry.Officer, t *inquiry.Ticket, now time.Time) *inquiry.Mail {
	text := fmt.Sprintf("Përgjigjja juaj për %s nuk iu dërgua qytetarit: mesazhi i tij nuk kishte adresë për përgjigje.\n"+
		"Përgjigjja ruhet si shënim në tiketë (sportel tickets show %s).\n", t.Number, t.Number)
	return d.staffMail("undeliverable", officer, "Sportel: përgjigjja nuk u dërgua ["+t.Number+"]", text, now)
}
