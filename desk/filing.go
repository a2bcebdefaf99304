package desk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"sportel/classifier"
	"sportel/inquiry"
	"sportel/route"
	"sportel/store"
)

// filing says how a new ticket relates to earlier ones.
type filing struct {
	// linkedTo is an earlier ticket this one continues (a reply long after
	// it closed, a chat's old conversation).
	linkedTo string
	// mentions is a ticket number the message quotes that belongs to
	// another sender: noted, never joined.
	mentions string
	// noAck says why the ticket is not acknowledged ("": it is).
	noAck string
}

// file is the one way a ticket is opened, for every channel: it files m as
// a new ticket with its classification, records the inbound message, and
// queues the acknowledgement and the officers' notifications. Without a
// classification yet it writes nothing and asks for one, to be made outside
// the transaction.
func (d *Desk) file(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, f filing, now time.Time) (intakeResult, error) {
	if cls == nil {
		return intakeResult{needClassification: true}, nil
	}
	t, err := d.fileTicket(tx, m, *cls, f, now)
	if err != nil {
		return intakeResult{}, err
	}
	return intakeResult{disposition: inquiry.Filed, ticket: t.Number}, nil
}

// fileTicket writes the ticket that file opens.
func (d *Desk) fileTicket(tx store.Tx, m *inquiry.Message, cls inquiry.Classification, f filing, now time.Time) (*inquiry.Ticket, error) {
	received := m.ReceivedAt
	if received.IsZero() {
		received = now
	}
	year := received.In(d.cfg.Location).Year()
	seq, err := tx.NextSequence(d.cfg.Prefix, year)
	if err != nil {
		return nil, err
	}
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
		State:       inquiry.Assigned,
		ReceivedAt:  received,
		CreatedAt:   now,
		UpdatedAt:   now,
		LinkedTo:    f.linkedTo,
		Mentions:    f.mentions,
	}
	if t.Sender.Address == "" && m.Channel == inquiry.ChannelEmail {
		t.Sender = m.From
	}
	if m.Channel == inquiry.ChannelEmail && !ourLanguage(t.Language) {
		lang, err := mailLanguage(tx, m)
		if err != nil {
			return nil, err
		}
		t.Language = lang
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
	// Routed on the language the ticket is answered in, which for mail
	// and Telegram may be other than the text's.
	t.OfficerID, _ = d.router.Route(route.Ticket{Category: t.Category, Channel: t.Channel, Language: t.Language})
	switch m.Automation {
	case inquiry.Bulk:
		t.State = inquiry.BulkMail
	case inquiry.Spam:
		t.State = inquiry.SpamMail
	}
	urgentCue := ""
	if t.State.Open() {
		// A fixed list, not the model: the flag adds the heads as
		// recipients and the 48-hour clock; it never chooses the officer.
		// The sender's own words: a quoted notice of ours saying a request
		// was "zatvoren" (closed) or a quoted thread is not theirs.
		t.Urgent, urgentCue = classifier.Urgent(m.Subject + "\n" + classifier.StripQuotedAndSignature(m.Text))
	}
	t.DueAt = d.dueFor(t)
	if err := tx.CreateTicket(t); err != nil {
		return nil, err
	}
	e := &inquiry.Entry{
		TicketID: t.ID, Kind: inquiry.EntryInbound, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: senderName(m), Subject: m.Subject, Text: m.Text, Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: now,
	}
	if m.Channel == inquiry.ChannelTelegram {
		// When it was written: a conversation's later messages are joined
		// by how far apart they were written (joinsConversation).
		e.CreatedAt = writtenAt(m, now)
	}
	if err := tx.AddEntry(e); err != nil {
		return nil, err
	}
	keptAt(m, e)
	if err := recordMailRef(tx, m, t.ID); err != nil {
		return nil, err
	}
	if len(m.ParseProblems) > 0 {
		if err := d.note(tx, t.ID, "sportel", "parse problems: "+strings.Join(m.ParseProblems, "; "), now); err != nil {
			return nil, err
		}
	}
	if f.mentions != "" {
		if err := d.note(tx, t.ID, "sportel", "mentions "+f.mentions+", which belongs to another sender", now); err != nil {
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
	if f.noAck != "" {
		if err := d.note(tx, t.ID, filingAuthor, "no acknowledgement: "+f.noAck, now); err != nil {
			return nil, err
		}
	} else if err := d.queueAck(tx, t, m, now); err != nil {
		return nil, err
	}
	if err := d.queueNotifications(tx, t, m, false, now); err != nil {
		return nil, err
	}
	if t.Urgent {
		if err := d.note(tx, t.ID, filingAuthor, fmt.Sprintf("marked urgent: the text says %q (due %s)", urgentCue, d.formatDue(t.DueAt)), now); err != nil {
			return nil, err
		}
		if err := d.queueHeadNotices(tx, t, m, "the text says \""+urgentCue+"\"", now); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// filingAuthor is the author of the notes filing writes.
const filingAuthor = "sportel"

// keptInRaw reports whether m's attachments can be read back from its raw
// mail, which the record keeps whole: their bytes are then stored once. A
// Telegram message's raw is the MIME record the bot makes of its text and
// the files it downloaded (bot/files.go); files it could not keep are
// marked Truncated, as a mail's cut files are, and are not read from it.
func keptInRaw(m *inquiry.Message) bool {
	return (m.Channel == inquiry.ChannelEmail || m.Channel == inquiry.ChannelTelegram) &&
		len(m.Raw) > 0 && !m.RawTruncated && !m.TooLarge
}

// recordedAttachments are m's attachments as its entry keeps them: name,
// type and size only when the raw mail holds their bytes.
func recordedAttachments(m *inquiry.Message) []inquiry.Attachment {
	if !keptInRaw(m) || len(m.Attachments) == 0 {
		return m.Attachments
	}
	out := slices.Clone(m.Attachments)
	for i := range out {
		out[i].Content = nil
	}
	return out
}

// keptAt notes on m, just recorded as e, where its attachments are kept.
func keptAt(m *inquiry.Message, e *inquiry.Entry) {
	if keptInRaw(m) && len(m.Attachments) > 0 {
		m.AttachmentsAt = &inquiry.AttachmentRef{TicketID: e.TicketID, EntryID: e.ID}
	}
}

// mailLanguage is the language of a mail whose words did not tell it (a
// scan with no text, "ok"): the one the sender's latest ticket was
// answered in, else the language the mail declares (Content-Language;
// Albanian and Serbian declared were already weighed by the classifier,
// English only now, since most mail clients are installed in English),
// else "und" (Albanian with an English line).
func mailLanguage(tx store.Tx, m *inquiry.Message) (inquiry.Language, error) {
	if addr := m.ReplyAddress().Address; addr != "" {
		earlier, err := tx.ListTickets(inquiry.TicketFilter{SenderAddress: addr, Channel: inquiry.ChannelEmail, NewestFirst: true, Limit: 10})
		if err != nil {
			return "", fmt.Errorf("read the earlier tickets of %s for their language: %w", addr, err)
		}
		for _, e := range earlier {
			if ourLanguage(e.Language) {
				return e.Language, nil
			}
		}
	}
	if ourLanguage(m.ClientLanguage) {
		return m.ClientLanguage, nil
	}
	return inquiry.UndefinedLang, nil
}

// ourLanguage reports whether l is one Sportel answers in.
func ourLanguage(l inquiry.Language) bool {
	return l != "" && l != inquiry.UndefinedLang && l.Valid()
}
