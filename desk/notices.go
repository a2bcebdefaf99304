package desk

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// NoticeKind is a written notice the law requires the requester to get.
type NoticeKind string

// The notices, each a template per language: <kind>.<lang>.tmpl beside the
// acknowledgements, overridable in tickets.templates_dir like them.
const (
	NoticeExtension NoticeKind = "extension"
	NoticeNotHeld   NoticeKind = "not_held"
	NoticeDecision  NoticeKind = "decision"
)

// heldNoticePrefix marks, in a held entry's subject, a notice (not an
// officer's answer) waiting for a private chat.
const heldNoticePrefix = "notice:"

var noticeKinds = []NoticeKind{NoticeExtension, NoticeNotHeld, NoticeDecision}

// NoticeData is what a notice template can use.
type NoticeData struct {
	Name     string // the requester's display name, if any
	Number   string
	Division string // the division's name in the notice's language
	Email    bool
	// Extension: days added, the officer's reason, the new deadline.
	Days     int
	Reason   string
	Deadline string
	// Holder is the institution that holds a document the ministry does
	// not, when known.
	Holder string
	// Outcome is the decision (granted, partly_granted, refused, not_held,
	// withdrawn); Ground the refusal ground's label in the notice's language.
	Outcome string
	Ground  string
}

// sampleNotice exercises every branch a notice template has, so a broken
// override fails at start.
var sampleNotice = NoticeData{Name: "x", Number: "DKP-2026-000001", Division: "x", Email: true, Days: 10, Reason: "x",
	Deadline: "01.01.2026", Holder: "x", Outcome: string(inquiry.Refused), Ground: "x"}

func loadNotices(dir string) (map[NoticeKind]map[inquiry.Language]*template.Template, error) {
	out := make(map[NoticeKind]map[inquiry.Language]*template.Template)
	var errs []error
	for _, kind := range noticeKinds {
		out[kind] = make(map[inquiry.Language]*template.Template)
		for _, lang := range inquiry.Languages {
			tmpl, err := loadTemplate(dir, string(kind)+"."+string(lang)+".tmpl", sampleNotice)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out[kind][lang] = tmpl
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// Notice renders a notice to t's requester in their language.
func (tm *Templates) Notice(kind NoticeKind, t *inquiry.Ticket, data NoticeData) (string, error) {
	tmpl, ok := tm.notice[kind][replyLanguage(t.Language)]
	if !ok {
		return "", fmt.Errorf("render %s notice: no template", kind)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render %s notice for %s: %w", kind, t.Number, err)
	}
	return collapseBlankLines(b.Bytes()), nil
}

// divisionName is the division's name in lang, for signatures: the
// configured name in that language, else the mailbox's display name.
func (d *Desk) divisionName(lang inquiry.Language) string {
	if n := d.cfg.DivisionName[replyLanguage(lang)]; n != "" {
		return n
	}
	if d.cfg.Mailbox.Name != "" {
		return d.cfg.Mailbox.Name
	}
	return d.cfg.Mailbox.Address
}

func (d *Desk) noticeData(t *inquiry.Ticket) NoticeData {
	return NoticeData{
		// As the acknowledgement greets: a display name that is no name
		// (an address, a link, punctuation) is not repeated.
		Name:     greetingName(t.Sender.Name),
		Number:   t.Number,
		Division: d.divisionName(t.Language),
		Email:    t.Channel == inquiry.ChannelEmail,
	}
}

var noticeSubjects = map[NoticeKind]map[inquiry.Language]string{
	NoticeExtension: {
		inquiry.Albanian: "Zgjatja e afatit", inquiry.SerbianLatin: "Produženje roka",
		inquiry.SerbianCyrl: "Продужење рока", inquiry.English: "Extension of the time limit",
	},
	NoticeNotHeld: {
		inquiry.Albanian: "Dokumenti nuk gjendet në ministri", inquiry.SerbianLatin: "Dokument se ne nalazi u ministarstvu",
		inquiry.SerbianCyrl: "Документ се не налази у министарству", inquiry.English: "The document is not held by the ministry",
	},
	NoticeDecision: {
		inquiry.Albanian: "Vendimi për kërkesën tuaj", inquiry.SerbianLatin: "Odluka o vašem zahtevu",
		inquiry.SerbianCyrl: "Одлука о вашем захтеву", inquiry.English: "Decision on your request",
	},
}

// queueNotice writes a notice to t's requester on the ticket's channel,
// through the outbox like every other send. A public-group ticket's notice
// waits, like an answer, for its author's private chat (LinkPrivateChat);
// a ticket with nowhere to send at all gets a note saying so, and the
// officer must tell the requester another way.
func (d *Desk) queueNotice(tx store.Tx, t *inquiry.Ticket, kind NoticeKind, data NoticeData, now time.Time) error {
	text, err := d.cfg.Templates.Notice(kind, t, data)
	if err != nil {
		return err
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobNotice, State: inquiry.JobPending, NextAt: now, CreatedAt: now}
	switch {
	case t.Channel == inquiry.ChannelTelegram && t.ChatID == 0 && t.Sender.Address != "":
		// Never in the group: held until the author opens a private chat.
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryHeldAnswer, Author: "sportel", Subject: heldNoticePrefix + string(kind),
			Text: text, CreatedAt: now}
		return tx.AddEntry(e)
	case t.Channel == inquiry.ChannelTelegram && t.ChatID != 0:
		job.Recipient = fmt.Sprintf("tg:%d", t.ChatID)
		job.Chat = &inquiry.ChatMessage{ChatID: t.ChatID, Text: d.cfg.Templates.TelegramAnswer(t, text)}
	case t.Channel == inquiry.ChannelEmail && t.Sender.Address != "":
		job.Recipient = strings.ToLower(t.Sender.Address)
		job.Mail = &inquiry.Mail{
			MessageID:   d.newMessageID("notice"),
			Date:        now,
			From:        d.cfg.Mailbox,
			To:          []inquiry.Address{{Name: greetingName(t.Sender.Name), Address: t.Sender.Address}},
			Subject:     replySubject(noticeSubjects[kind][replyLanguage(t.Language)], t.Number),
			AutoReplied: true,
			Headers:     map[string]string{"X-Sportel-Ticket": t.Number},
			Text:        text,
		}
		if parent := threadIDs(t.MessageID); len(parent) > 0 {
			job.Mail.InReplyTo, job.Mail.References = parent, slices.Clone(parent)
		}
	default:
		return d.note(tx, t.ID, "sportel", fmt.Sprintf("%s notice not sent: the requester has no address or private chat to send it to", kind), now)
	}
	return tx.AddJob(job)
}
