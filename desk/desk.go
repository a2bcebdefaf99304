// Package desk is Sportel's pipeline: it takes a parsed message from any
// channel, keeps machine mail out of the conversation, classifies, routes and
// files the ticket, and writes the sends that follow into the outbox in the
// same transaction. The outbox worker (outbox.go) sends them.
package desk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"sportel/inquiry"
	"sportel/route"
	"sportel/store"
)

// Classifier puts a message in one of the fixed categories and names its
// language.
type Classifier interface {
	Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error)
}

// Config is what the desk needs to know about the division.
type Config struct {
	// Mailbox is the public address: acknowledgements come from it and
	// officers' replies return to it.
	Mailbox  inquiry.Address
	Prefix   string
	Location *time.Location
	// DocumentDeadlineDays is the legal answer time for document requests,
	// in calendar days from receipt.
	DocumentDeadlineDays int
	// ReopenDays is how long after closing a citizen's reply reopens a ticket.
	ReopenDays int
	// AckPer10Min and AckPerDay cap acknowledgements to one address.
	AckPer10Min int
	AckPerDay   int
	// NotifyAttachmentsMaxBytes caps the attachments copied into an
	// officer's notification; the rest are listed by name and size.
	NotifyAttachmentsMaxBytes int64
	Officers                  []inquiry.Officer
	// NotifyByTelegram sends officers' notifications to their Telegram chat
	// too (when they have a telegram_user_id); OfficersChatID, when not 0,
	// also gets every routed ticket.
	NotifyByTelegram bool
	OfficersChatID   int64
	// TelegramJoinWindow is how recent a chat's open ticket must be for a
	// new message to join it (default 30m).
	TelegramJoinWindow time.Duration
	// BotUsername is the bot's @name without @, for t.me links.
	BotUsername string
	Templates   *Templates
	// JobsQueued, when set, is called after a commit that queued sends, so
	// the outbox claims them at once (the outbox's Poke).
	JobsQueued func()
}

// Desk files tickets. It is safe for concurrent use.
type Desk struct {
	cfg        Config
	store      Store
	classifier Classifier
	router     *route.Router
	log        *slog.Logger
	now        func() time.Time
	domain     string
	officers   map[string]inquiry.Officer

	mu          sync.RWMutex
	botUsername string // learnt from Telegram once the bot connects
}

// New checks cfg and returns a Desk.
func New(cfg Config, store Store, classifier Classifier, router *route.Router, log *slog.Logger) (*Desk, error) {
	if cfg.Mailbox.Address == "" {
		return nil, errors.New("desk: no public mailbox address")
	}
	at := strings.LastIndexByte(cfg.Mailbox.Address, '@')
	if at < 0 {
		return nil, fmt.Errorf("desk: mailbox address %q has no domain", cfg.Mailbox.Address)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "DKP"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Templates == nil {
		t, err := LoadTemplates("")
		if err != nil {
			return nil, err
		}
		cfg.Templates = t
	}
	if log == nil {
		log = slog.Default()
	}
	d := &Desk{
		cfg:        cfg,
		store:      store,
		classifier: classifier,
		router:     router,
		log:        log,
		now:        time.Now,
		domain:     cfg.Mailbox.Address[at+1:],
		officers:   make(map[string]inquiry.Officer),
	}
	for _, o := range cfg.Officers {
		d.officers[o.ID] = o
	}
	return d, nil
}

// SetBotUsername records the bot's @name (without @) for t.me links in
// public-group acknowledgements, once the bot has connected.
func (d *Desk) SetBotUsername(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.botUsername = name
}

func (d *Desk) botName() string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.botUsername != "" {
		return d.botUsername
	}
	return d.cfg.BotUsername
}

// SetClock replaces the desk's clock; tests use it.
func (d *Desk) SetClock(now func() time.Time) { d.now = now }

// MessageIDDomain is the domain of the Message-IDs the desk writes; mail
// carrying one of them is our own coming back.
func (d *Desk) MessageIDDomain() string { return d.domain }

// Handle takes one incoming message in. It is idempotent: the same source
// message handled twice files one ticket and answers once.
func (d *Desk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	if m.SourceID == "" {
		return "", errors.New("handle message: no source id")
	}
	pre, err := d.preclassify(ctx, []*inquiry.Message{m})
	if err != nil {
		return "", err
	}
	cls := pre[0]
	for {
		var res intakeResult
		err := d.store.WithTx(ctx, func(tx store.Tx) error {
			var err error
			res, err = d.intake(tx, m, cls)
			return err
		})
		if err != nil {
			return "", fmt.Errorf("handle %s: %w", m.SourceID, err)
		}
		if res.needClassification {
			// Classify outside the transaction: an LLM may take seconds.
			subject := m
			if res.classify != nil {
				subject = res.classify
			}
			c, err := d.classify(ctx, subject)
			if err != nil {
				return "", fmt.Errorf("handle %s: %w", m.SourceID, err)
			}
			cls = &c
			continue
		}
		d.poke()
		d.log.Info("message handled", "source", m.SourceID, "channel", m.Channel,
			"disposition", res.disposition, "ticket", res.ticket, "reason", res.reason)
		return res.disposition, nil
	}
}

// HandleBatch takes in several messages, committing them together where it
// can: a backlog then pays for one commit per batch, not per message. The
// outcome is the same as handling them one by one, in order. It returns
// the dispositions of the messages it took in, a prefix of msgs; when that
// is shorter than msgs, the error says why the next one could not be.
func (d *Desk) HandleBatch(ctx context.Context, msgs []*inquiry.Message) ([]inquiry.Disposition, error) {
	out := make([]inquiry.Disposition, 0, len(msgs))
	for len(out) < len(msgs) {
		rest := msgs[len(out):]
		cls, err := d.preclassify(ctx, rest)
		if err != nil {
			return out, err
		}
		var results []intakeResult
		err = d.store.WithTx(ctx, func(tx store.Tx) error {
			results = results[:0]
			for i, m := range rest {
				if m.SourceID == "" {
					return nil
				}
				res, err := d.intake(tx, m, cls[i])
				if err != nil {
					return err
				}
				if res.needClassification {
					// Nothing was written for it: commit those before it and
					// let Handle classify it on its own.
					return nil
				}
				results = append(results, res)
			}
			return nil
		})
		if err != nil {
			// Find which message fails, committing the ones before it.
			for _, m := range rest {
				disp, err := d.Handle(ctx, m)
				if err != nil {
					return out, err
				}
				out = append(out, disp)
			}
			return out, nil
		}
		for i, res := range results {
			d.log.Info("message handled", "source", rest[i].SourceID, "channel", rest[i].Channel,
				"disposition", res.disposition, "ticket", res.ticket, "reason", res.reason)
			out = append(out, res.disposition)
		}
		d.poke()
		if len(results) < len(rest) {
			disp, err := d.Handle(ctx, rest[len(results)])
			if err != nil {
				return out, err
			}
			out = append(out, disp)
		}
	}
	return out, nil
}

// preclassify classifies, before the transaction, the messages that look
// like new inquiries (most mail), so filing one takes one transaction rather
// than a look and then a write. A message already taken in (a redelivery)
// is not classified: with an LLM that would be a paid call for nothing.
func (d *Desk) preclassify(ctx context.Context, msgs []*inquiry.Message) ([]*inquiry.Classification, error) {
	cls := make([]*inquiry.Classification, len(msgs))
	var ids []string
	for _, m := range msgs {
		if m.SourceID != "" && d.likelyNew(m) {
			ids = append(ids, m.SourceID)
		}
	}
	if len(ids) == 0 {
		return cls, nil
	}
	taken, err := d.store.SourcesTaken(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("handle %s: %w", ids[0], err)
	}
	for i, m := range msgs {
		if m.SourceID == "" || taken[m.SourceID] || !d.likelyNew(m) {
			continue
		}
		c, err := d.classify(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("handle %s: %w", m.SourceID, err)
		}
		cls[i] = &c
	}
	return cls, nil
}

// likelyNew reports whether m looks like a new inquiry: a person's email that
// refers to nothing we know of.
func (d *Desk) likelyNew(m *inquiry.Message) bool {
	if m.Channel != inquiry.ChannelEmail || m.Automation == inquiry.Machine {
		return false
	}
	if len(m.InReplyTo) > 0 || len(m.References) > 0 || inquiry.FindNumber(d.cfg.Prefix, m.Subject) != "" {
		return false
	}
	_, officer := d.officerByEmail(m.From.Address)
	return !officer && (usableSender(m) || m.HasContent())
}

func (d *Desk) classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	c, err := d.classifier.Classify(ctx, m)
	if err != nil {
		return c, fmt.Errorf("classify: %w", err)
	}
	if !c.Category.Valid() {
		// Routing keys on the fixed set only; anything else is a bug upstream.
		return c, fmt.Errorf("classify: invalid category %q", c.Category)
	}
	return c, nil
}

type intakeResult struct {
	disposition        inquiry.Disposition
	ticket             string
	reason             string
	needClassification bool
	// classify is the message to classify when it is not the incoming one
	// (a Telegram conversation's whole text).
	classify *inquiry.Message
}

// intake decides what becomes of m and writes it, inside tx. When a new
// ticket must be filed and cls is nil it writes nothing and asks for a
// classification.
func (d *Desk) intake(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification) (intakeResult, error) {
	ticketID, seen, err := tx.SourceTicket(m.SourceID)
	if err != nil {
		return intakeResult{}, err
	}
	if seen {
		res := intakeResult{disposition: inquiry.Duplicate}
		if t, ok, err := tx.TicketByID(ticketID); err == nil && ok {
			res.ticket = t.Number
		}
		return res, nil
	}
	now := d.now()

	if !usableSender(m) && !m.HasContent() {
		return d.quarantine(tx, m, "no usable sender and no content", now)
	}

	if m.Automation == inquiry.Machine {
		return d.machineMail(tx, m, now)
	}

	if m.Channel == inquiry.ChannelTelegram {
		return d.telegramIntake(tx, m, cls, now)
	}

	if officer, ok := d.officerByEmail(m.From.Address); ok && m.Channel == inquiry.ChannelEmail {
		res, handled, err := d.officerReply(tx, m, officer, now)
		if err != nil || handled {
			return res, err
		}
	}

	if m.Automation == inquiry.Human {
		res, handled, err := d.citizenFollowUp(tx, m, cls, now)
		if err != nil || handled {
			return res, err
		}
	}

	if cls == nil {
		return intakeResult{needClassification: true}, nil
	}
	t, err := d.fileTicket(tx, m, *cls, "", now)
	if err != nil {
		return intakeResult{}, err
	}
	return intakeResult{disposition: inquiry.Filed, ticket: t.Number}, nil
}

// usableSender reports whether there is someone to answer or at least to name.
func usableSender(m *inquiry.Message) bool {
	if m.Channel == inquiry.ChannelTelegram {
		return m.ChatID != 0
	}
	return validAddress(m.From.Address) || (m.ReplyTo != nil && validAddress(m.ReplyTo.Address))
}

func validAddress(a string) bool {
	if a == "" {
		return false
	}
	p, err := mail.ParseAddress(a)
	return err == nil && p.Address == a
}

func (d *Desk) officerByEmail(addr string) (inquiry.Officer, bool) {
	for _, o := range d.cfg.Officers {
		if o.Email != "" && strings.EqualFold(o.Email, addr) {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}

// OfficerByTelegram finds the officer with the given Telegram user id.
func (d *Desk) OfficerByTelegram(userID int64) (inquiry.Officer, bool) {
	if userID == 0 {
		return inquiry.Officer{}, false
	}
	for _, o := range d.cfg.Officers {
		if o.TelegramUserID == userID {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}

// Officer returns the officer with id.
func (d *Desk) Officer(id string) (inquiry.Officer, bool) {
	o, ok := d.officers[id]
	return o, ok
}

func (d *Desk) quarantine(tx store.Tx, m *inquiry.Message, reason string, now time.Time) (intakeResult, error) {
	sa := &inquiry.SetAside{
		Kind:       inquiry.SetAsideQuarantine,
		SourceID:   m.SourceID,
		From:       m.From.String(),
		Subject:    m.Subject,
		Reason:     reason,
		ReceivedAt: m.ReceivedAt,
		Raw:        m.Raw,
	}
	if err := tx.AddSetAside(sa); err != nil {
		return intakeResult{}, err
	}
	officer := d.officers[d.router.CatchAll()]
	if officer.Email != "" {
		job := &inquiry.Job{
			Kind:      inquiry.JobQuarantined,
			Recipient: officer.ID,
			Mail:      d.quarantineMail(officer, m, reason, now),
			State:     inquiry.JobPending,
			NextAt:    now,
			CreatedAt: now,
		}
		if err := tx.AddJob(job); err != nil {
			return intakeResult{}, err
		}
	}
	if err := tx.MarkSource(m.SourceID, 0, now); err != nil {
		return intakeResult{}, err
	}
	d.log.Warn("message quarantined", "source", m.SourceID, "reason", reason)
	return intakeResult{disposition: inquiry.Quarantined, reason: reason}, nil
}

// machineMail attaches a bounce or auto-reply to the ticket it is about, as
// a note that notifies nobody, or records it when it is about none.
func (d *Desk) machineMail(tx store.Tx, m *inquiry.Message, now time.Time) (intakeResult, error) {
	t, found, err := d.referencedTicket(tx, m)
	if err != nil {
		return intakeResult{}, err
	}
	if !found {
		if num := inquiry.FindNumber(d.cfg.Prefix, m.Subject); num != "" {
			t, found, err = tx.TicketByNumber(num)
			if err != nil {
				return intakeResult{}, err
			}
		}
	}
	if found {
		e := &inquiry.Entry{
			TicketID:  t.ID,
			Kind:      inquiry.EntryAutomated,
			SourceID:  m.SourceID,
			MessageID: m.MessageID,
			Author:    m.From.Address,
			Subject:   m.Subject,
			Text:      "[" + m.AutomationReason + "]\n" + m.Text,
			Raw:       m.Raw,
			CreatedAt: now,
		}
		if err := tx.AddEntry(e); err != nil {
			return intakeResult{}, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, err
		}
		return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: m.AutomationReason}, nil
	}
	sa := &inquiry.SetAside{
		Kind:       inquiry.SetAsideMachine,
		SourceID:   m.SourceID,
		From:       m.From.String(),
		Subject:    m.Subject,
		Reason:     m.AutomationReason,
		ReceivedAt: m.ReceivedAt,
		Raw:        m.Raw,
	}
	if err := tx.AddSetAside(sa); err != nil {
		return intakeResult{}, err
	}
	if err := tx.MarkSource(m.SourceID, 0, now); err != nil {
		return intakeResult{}, err
	}
	return intakeResult{disposition: inquiry.Recorded, reason: m.AutomationReason}, nil
}

// referencedTicket finds the ticket that m's In-Reply-To or References name.
func (d *Desk) referencedTicket(tx store.Tx, m *inquiry.Message) (inquiry.Ticket, bool, error) {
	refs := append(append([]string(nil), m.InReplyTo...), m.References...)
	if len(refs) == 0 {
		return inquiry.Ticket{}, false, nil
	}
	ref, ok, err := tx.FindThreadRef(refs)
	if err != nil || !ok {
		return inquiry.Ticket{}, false, err
	}
	return tx.TicketByID(ref.TicketID)
}

// officerReply relays an officer's answer to the citizen when the officer
// replied to a notification that was sent to them. The notification's
// Message-ID is random, so the reply cannot be forged by guessing.
func (d *Desk) officerReply(tx store.Tx, m *inquiry.Message, officer inquiry.Officer, now time.Time) (intakeResult, bool, error) {
	if len(m.InReplyTo) == 0 {
		return intakeResult{}, false, nil
	}
	ref, ok, err := tx.FindThreadRef(m.InReplyTo)
	if err != nil || !ok {
		return intakeResult{}, false, err
	}
	if ref.Kind != inquiry.JobNotify || ref.OfficerID != officer.ID {
		return intakeResult{}, false, nil
	}
	t, ok, err := tx.TicketByID(ref.TicketID)
	if err != nil || !ok {
		return intakeResult{}, false, err
	}
	text := StripQuoted(m.Text)
	if strings.TrimSpace(text) == "" && len(m.Attachments) == 0 {
		// Nothing to relay; keep it on the record so nothing is lost.
		e := &inquiry.Entry{TicketID: t.ID, Kind: inquiry.EntryNote, SourceID: m.SourceID, MessageID: m.MessageID,
			Author: officer.ID, Subject: m.Subject, Text: "empty reply from officer, not relayed", Raw: m.Raw, CreatedAt: now}
		if err := tx.AddEntry(e); err != nil {
			return intakeResult{}, false, err
		}
		if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
			return intakeResult{}, false, err
		}
		return intakeResult{disposition: inquiry.Attached, ticket: t.Number, reason: "empty officer reply"}, true, nil
	}
	if err := d.relayAnswer(tx, &t, officer, text, m.Attachments, m.SourceID, m.MessageID, m.Raw, now); err != nil {
		return intakeResult{}, false, err
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, false, err
	}
	return intakeResult{disposition: inquiry.Relayed, ticket: t.Number}, true, nil
}

// relayAnswer records an officer's answer and queues it to the citizen on
// the ticket's own channel; the ticket becomes answered.
func (d *Desk) relayAnswer(tx store.Tx, t *inquiry.Ticket, officer inquiry.Officer, text string, atts []inquiry.Attachment, sourceID, messageID string, raw []byte, now time.Time) error {
	e := &inquiry.Entry{
		TicketID: t.ID, Kind: inquiry.EntryAnswer, SourceID: sourceID, MessageID: messageID,
		Author: officer.ID, Text: text, Attachments: atts, Raw: raw, CreatedAt: now,
	}
	held := t.Channel == inquiry.ChannelTelegram && t.ChatID == 0
	if held {
		// A ticket from the public discussion group: the answer must not go
		// to the group, and a bot cannot write to someone who never started
		// it. It waits for the author's private chat (LinkPrivateChat).
		e.Kind = inquiry.EntryHeldAnswer
	}
	if err := tx.AddEntry(e); err != nil {
		return err
	}
	t.State = inquiry.Answered
	t.AnsweredAt = now
	t.UpdatedAt = now
	if held {
		return tx.UpdateTicket(t)
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAnswer, State: inquiry.JobPending, NextAt: now, CreatedAt: now}
	switch {
	case t.Channel == inquiry.ChannelTelegram:
		job.Recipient = fmt.Sprintf("tg:%d", t.ChatID)
		job.Chat = &inquiry.ChatMessage{ChatID: t.ChatID, Text: d.cfg.Templates.TelegramAnswer(t, text)}
	case t.Sender.Address != "":
		job.Recipient = strings.ToLower(t.Sender.Address)
		job.Mail = d.answerMail(t, text, atts, now)
	default:
		return fmt.Errorf("answer %s: the ticket has no address to answer", t.Number)
	}
	if err := tx.AddJob(job); err != nil {
		return err
	}
	return tx.UpdateTicket(t)
}

// citizenFollowUp adds a reply to the ticket it belongs to, when it comes
// from that ticket's sender. A stranger quoting a ticket number gets a new
// ticket that notes the mention.
func (d *Desk) citizenFollowUp(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, now time.Time) (intakeResult, bool, error) {
	t, found, err := d.referencedTicket(tx, m)
	if err != nil {
		return intakeResult{}, false, err
	}
	mention := ""
	if !found {
		num := inquiry.FindNumber(d.cfg.Prefix, m.Subject)
		if num == "" {
			return intakeResult{}, false, nil
		}
		t, found, err = tx.TicketByNumber(num)
		if err != nil || !found {
			return intakeResult{}, false, err
		}
	}
	if !sameSender(t, m) {
		mention = t.Number
		return d.newTicketWith(tx, m, cls, "", mention, now)
	}
	if t.State == inquiry.Closed {
		if now.Sub(t.ClosedAt) > time.Duration(d.cfg.ReopenDays)*24*time.Hour {
			return d.newTicketWith(tx, m, cls, t.Number, "", now)
		}
		t.State = inquiry.Assigned
		t.Outcome = inquiry.NoOutcome
		t.ClosedAt = time.Time{}
		if err := d.note(tx, t.ID, "sportel", "reopened by the citizen's reply", now); err != nil {
			return intakeResult{}, false, err
		}
	} else if t.State == inquiry.Answered {
		t.State = inquiry.Assigned
	}
	e := &inquiry.Entry{
		TicketID: t.ID, Kind: inquiry.EntryInbound, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: senderName(m), Subject: m.Subject, Text: m.Text, Attachments: m.Attachments, Raw: m.Raw, CreatedAt: now,
	}
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, false, err
	}
	if m.MessageID != "" {
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: m.MessageID, TicketID: t.ID}); err != nil {
			return intakeResult{}, false, err
		}
	}
	t.UpdatedAt = now
	if err := tx.UpdateTicket(&t); err != nil {
		return intakeResult{}, false, err
	}
	if t.State.Open() {
		if err := d.queueNotifications(tx, &t, m, true, now); err != nil {
			return intakeResult{}, false, err
		}
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, false, err
	}
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number}, true, nil
}

func (d *Desk) newTicketWith(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, linkedTo, mentions string, now time.Time) (intakeResult, bool, error) {
	if cls == nil {
		return intakeResult{needClassification: true}, true, nil
	}
	t, err := d.fileTicket(tx, m, *cls, linkedTo, now)
	if err != nil {
		return intakeResult{}, false, err
	}
	if mentions != "" {
		t.Mentions = mentions
		if err := tx.UpdateTicket(t); err != nil {
			return intakeResult{}, false, err
		}
		if err := d.note(tx, t.ID, "sportel", "mentions "+mentions+", which belongs to another sender", now); err != nil {
			return intakeResult{}, false, err
		}
	}
	return intakeResult{disposition: inquiry.Filed, ticket: t.Number}, true, nil
}

func sameSender(t inquiry.Ticket, m *inquiry.Message) bool {
	if t.Channel == inquiry.ChannelTelegram || m.Channel == inquiry.ChannelTelegram {
		return t.ChatID != 0 && t.ChatID == m.ChatID
	}
	a := m.ReplyAddress().Address
	return a != "" && strings.EqualFold(a, t.Sender.Address) ||
		m.From.Address != "" && strings.EqualFold(m.From.Address, t.Sender.Address)
}

func senderName(m *inquiry.Message) string {
	if m.Channel == inquiry.ChannelTelegram {
		if m.From.Name != "" {
			return m.From.Name
		}
		return fmt.Sprintf("tg:%d", m.ChatID)
	}
	if a := m.ReplyAddress().Address; a != "" {
		return a
	}
	return m.From.Address
}

// fileTicket files m as a new ticket with the given classification and
// queues its acknowledgement and notifications.
func (d *Desk) fileTicket(tx store.Tx, m *inquiry.Message, cls inquiry.Classification, linkedTo string, now time.Time) (*inquiry.Ticket, error) {
	received := m.ReceivedAt
	if received.IsZero() {
		received = now
	}
	year := received.In(d.cfg.Location).Year()
	seq, err := tx.NextSequence(d.cfg.Prefix, year)
	if err != nil {
		return nil, err
	}
	officer, _ := d.router.Route(route.Ticket{Category: cls.Category, Channel: m.Channel, Language: cls.Language})
	t := &inquiry.Ticket{
		Number:      inquiry.FormatNumber(d.cfg.Prefix, year, seq),
		Channel:     m.Channel,
		Sender:      m.ReplyAddress(),
		ChatID:      m.ChatID,
		Subject:     m.Subject,
		MessageID:   m.MessageID,
		Language:    cls.Language,
		Category:    cls.Category,
		Classifier:  cls.Classifier,
		Confidence:  cls.Confidence,
		Reason:      cls.Reason,
		NeedsReview: cls.NeedsReview,
		OfficerID:   officer,
		State:       inquiry.Assigned,
		ReceivedAt:  received,
		UpdatedAt:   now,
		LinkedTo:    linkedTo,
	}
	if t.Sender.Address == "" && m.Channel == inquiry.ChannelEmail {
		t.Sender = m.From
	}
	if m.Channel == inquiry.ChannelTelegram {
		t.Language = telegramLanguage(m, cls)
		t.Sender = inquiry.Address{Name: m.From.Name, Address: telegramSender(m.UserID)}
		if m.Public {
			// The group is no place for the answer: it waits for the
			// author's private chat (LinkPrivateChat).
			t.ChatID = 0
		}
	}
	switch m.Automation {
	case inquiry.Bulk:
		t.State = inquiry.BulkMail
	case inquiry.Spam:
		t.State = inquiry.SpamMail
	}
	if t.Category == inquiry.DocumentRequest && d.cfg.DocumentDeadlineDays > 0 {
		t.DueAt = Deadline(received, d.cfg.DocumentDeadlineDays, d.cfg.Location)
	}
	if err := tx.CreateTicket(t); err != nil {
		return nil, err
	}
	e := &inquiry.Entry{
		TicketID: t.ID, Kind: inquiry.EntryInbound, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: senderName(m), Subject: m.Subject, Text: m.Text, Attachments: m.Attachments, Raw: m.Raw, CreatedAt: now,
	}
	if err := tx.AddEntry(e); err != nil {
		return nil, err
	}
	if m.MessageID != "" {
		if err := tx.AddThreadRef(inquiry.ThreadRef{Ref: m.MessageID, TicketID: t.ID}); err != nil {
			return nil, err
		}
	}
	if len(m.ParseProblems) > 0 {
		if err := d.note(tx, t.ID, "sportel", "parse problems: "+strings.Join(m.ParseProblems, "; "), now); err != nil {
			return nil, err
		}
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return nil, err
	}
	if !t.State.Open() {
		// Bulk and spam are kept, never answered: no backscatter, no loops.
		return t, nil
	}
	if err := d.queueAck(tx, t, m, now); err != nil {
		return nil, err
	}
	if err := d.queueNotifications(tx, t, m, false, now); err != nil {
		return nil, err
	}
	return t, nil
}

// Deadline is the legal answer date for a document request received at
// received: the end of the day, days calendar days later, in loc.
func Deadline(received time.Time, days int, loc *time.Location) time.Time {
	r := received.In(loc)
	end := time.Date(r.Year(), r.Month(), r.Day()+days, 23, 59, 59, 0, loc)
	return end
}

func (d *Desk) queueAck(tx store.Tx, t *inquiry.Ticket, m *inquiry.Message, now time.Time) error {
	if m.SuppressAck {
		why := "the sender asked for no automatic replies"
		if m.Channel == inquiry.ChannelTelegram {
			why = "the chat is paused by flood control"
		}
		return d.note(tx, t.ID, "sportel", "no acknowledgement: "+why, now)
	}
	if m.Channel == inquiry.ChannelTelegram {
		return d.queueTelegramAck(tx, t, m, false, now)
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAck, State: inquiry.JobPending, NextAt: now, CreatedAt: now}
	{
		to := m.ReplyAddress()
		if to.Address == "" {
			return d.note(tx, t.ID, "sportel", "no acknowledgement: no-reply sender without Reply-To", now)
		}
		job.Recipient = strings.ToLower(to.Address)
		limited, err := d.ackLimited(tx, job.Recipient, now)
		if err != nil {
			return err
		}
		if limited != "" {
			return d.note(tx, t.ID, "sportel", "no acknowledgement: "+limited, now)
		}
		job.Mail = d.ackMail(t, m, to, now)
	}
	return tx.AddJob(job)
}

// ackLimited says why no more acknowledgements may go to addr now, or "".
// The day's count comes first: while it is under the 10-minute limit the
// 10-minute count must be too, so most mail costs one query.
func (d *Desk) ackLimited(tx store.Tx, addr string, now time.Time) (string, error) {
	if d.cfg.AckPerDay <= 0 && d.cfg.AckPer10Min <= 0 {
		return "", nil
	}
	day, err := tx.CountJobs(inquiry.JobAck, addr, now.Add(-24*time.Hour))
	if err != nil {
		return "", err
	}
	if d.cfg.AckPerDay > 0 && day >= d.cfg.AckPerDay {
		return fmt.Sprintf("rate limit (%d in a day)", day), nil
	}
	if d.cfg.AckPer10Min > 0 && day >= d.cfg.AckPer10Min {
		recent, err := tx.CountJobs(inquiry.JobAck, addr, now.Add(-10*time.Minute))
		if err != nil {
			return "", err
		}
		if recent >= d.cfg.AckPer10Min {
			return fmt.Sprintf("rate limit (%d in 10 minutes)", recent), nil
		}
	}
	return "", nil
}

// queueNotifications tells the ticket's officer, by email and Telegram.
func (d *Desk) queueNotifications(tx store.Tx, t *inquiry.Ticket, m *inquiry.Message, followUp bool, now time.Time) error {
	officer, ok := d.officers[t.OfficerID]
	if !ok {
		return fmt.Errorf("notify: unknown officer %q", t.OfficerID)
	}
	if officer.Email != "" {
		// The job's Message-ID is itself the thread reference: a reply to
		// it finds the ticket and the officer it was sent to.
		mail := d.notifyMail(t, officer, m, followUp, now)
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobNotify, Recipient: officer.ID, Mail: mail,
			State: inquiry.JobPending, NextAt: now, CreatedAt: now}
		if err := tx.AddJob(job); err != nil {
			return err
		}
	}
	if !d.cfg.NotifyByTelegram {
		return nil
	}
	chats := []int64{}
	if officer.TelegramUserID != 0 {
		chats = append(chats, officer.TelegramUserID)
	}
	if d.cfg.OfficersChatID != 0 && !followUp {
		chats = append(chats, d.cfg.OfficersChatID)
	}
	for _, chat := range chats {
		job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobNotify, Recipient: officer.ID,
			Chat:  &inquiry.ChatMessage{ChatID: chat, Text: d.cfg.Templates.TelegramNotify(t, officer, m, followUp), Buttons: OfficerButtons(t)},
			State: inquiry.JobPending, NextAt: now, CreatedAt: now}
		if err := tx.AddJob(job); err != nil {
			return err
		}
	}
	return nil
}

// OfficerButtons are the actions offered under a ticket in Telegram.
func OfficerButtons(t *inquiry.Ticket) [][]inquiry.Button {
	return [][]inquiry.Button{{
		{Text: "Merre", Data: "t:" + t.Number + ":take"},
		{Text: "Ricakto", Data: "t:" + t.Number + ":reassign"},
	}, {
		{Text: "Ndrysho kategorinë", Data: "t:" + t.Number + ":category"},
		{Text: "Mbyll", Data: "t:" + t.Number + ":close"},
	}}
}

func (d *Desk) note(tx store.Tx, ticketID int64, author, text string, now time.Time) error {
	return tx.AddEntry(&inquiry.Entry{TicketID: ticketID, Kind: inquiry.EntryNote, Author: author, Text: text, CreatedAt: now})
}

// MessageIDPrefix begins every Message-ID the desk writes, so our own mail
// can be told from other mail in the same domain.
const MessageIDPrefix = "sportel."

// newMessageID returns a random Message-ID in our domain. It is fixed when a
// job is written, so a retried send is the same mail.
func (d *Desk) newMessageID(kind string) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return fmt.Sprintf("%s%s.%s@%s", MessageIDPrefix, kind, hex.EncodeToString(b[:]), d.domain)
}

// poke tells the outbox, if one listens, that jobs were committed.
func (d *Desk) poke() {
	if d.cfg.JobsQueued != nil {
		d.cfg.JobsQueued()
	}
}
