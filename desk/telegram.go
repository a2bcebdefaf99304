package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sportel/classifier"
	"sportel/inquiry"
	"sportel/store"
)

// telegramIntake files a Telegram message. Messages in a chat within the
// join window belong to the chat's open ticket: people write "Përshëndetje"
// first and the request after it. Until an officer acts, the ticket is
// reclassified on its latest messages, so the greeting does not decide
// routing; the window is bounded, so a flood costs the same per message.
// repliedChatTicket is the ticket of the bot's message that m, a
// citizen's Telegram message, replies to (its acknowledgement, an answer,
// a notice): a citizen with two tickets in one chat who answers the older
// one's message means that one, not the chat's latest.
func repliedChatTicket(tx store.Tx, m *inquiry.Message) (inquiry.Ticket, bool, error) {
	if m.ReplyToMsgID == 0 {
		return inquiry.Ticket{}, false, nil
	}
	// The reference the bot records for each message it sends there.
	ref, ok, err := tx.FindThreadRef([]string{fmt.Sprintf("tg:%d:%d", m.ChatID, m.ReplyToMsgID)})
	if err != nil || !ok {
		return inquiry.Ticket{}, false, err
	}
	t, ok, err := tx.TicketByID(ref.TicketID)
	if err != nil || !ok || t.ChatID != m.ChatID {
		return inquiry.Ticket{}, false, err
	}
	return t, true, nil
}

func (d *Desk) telegramIntake(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, now time.Time) (intakeResult, error) {
	if m.ForceNew || m.Public || m.ChatID == 0 {
		return d.file(tx, m, cls, filing{}, now)
	}
	t, found, err := repliedChatTicket(tx, m)
	if err != nil {
		return intakeResult{}, err
	}
	if !found {
		t, found, err = tx.LatestChatTicket(m.ChatID)
		if err != nil {
			return intakeResult{}, err
		}
	}
	if !found {
		return d.file(tx, m, cls, filing{}, now)
	}
	joins, err := d.joinsConversation(tx, t, m, now)
	if err != nil {
		return intakeResult{}, err
	}
	if !joins {
		return d.file(tx, m, cls, filing{linkedTo: t.Number}, now)
	}
	reclassify := !t.Acted && t.State == inquiry.Assigned
	if reclassify && cls == nil {
		combined, err := d.combinedMessage(tx, t, m)
		if err != nil {
			return intakeResult{}, err
		}
		return intakeResult{needClassification: true, classify: combined}, nil
	}
	// The files the bot downloaded are in the message's raw, kept once,
	// as a new ticket's first message keeps them (fileTicket).
	e := &inquiry.Entry{
		TicketID: t.ID, Kind: inquiry.EntryInbound, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: senderName(m), Text: m.Text, Attachments: recordedAttachments(m), Raw: m.Raw, CreatedAt: writtenAt(m, now),
	}
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, err
	}
	keptAt(m, e)
	if t.State == inquiry.Answered {
		t.State = inquiry.Assigned
	}
	if choice := m.LanguageChoice; !reclassify && choice != "" && choice != inquiry.UndefinedLang && choice != t.Language {
		// The chat chose its language after an officer acted, when the
		// ticket is no longer reclassified: the bot promised answers in
		// it, and the ticket's notices (an extension, the decision) kept
		// the language it was filed in. Its routing stays the officer's.
		if err := d.note(tx, t.ID, "sportel", fmt.Sprintf("language of the conversation: %s → %s (the chat's choice)", t.Language, choice), now); err != nil {
			return intakeResult{}, err
		}
		t.Language = choice
	}
	recategorized, rerouted := false, false
	if reclassify {
		prev, prevOfficer, prevLang := t.Category, t.OfficerID, t.Language
		// The conversation speaks its request's language, not its
		// greeting's (unless the chat chose one): notices and the
		// corrected acknowledgement go in it, and routing may look at it.
		t.Language = telegramLanguage(m, *cls)
		var what string
		if cls.Category != t.Category {
			t.Category, t.Confidence, t.Classifier, t.Reason, t.NeedsReview = cls.Category, cls.Confidence, cls.Classifier, cls.Reason, cls.NeedsReview
			t.DueAt = d.dueFor(&t)
			recategorized = true
			what = fmt.Sprintf("reclassified on the conversation: %s → %s", prev, t.Category)
		}
		if t.Language != prevLang {
			what = strings.TrimPrefix(what+fmt.Sprintf("; language of the conversation: %s → %s", prevLang, t.Language), "; ")
		}
		if what != "" {
			t.OfficerID = d.routeTicket(&t)
			rerouted = t.OfficerID != prevOfficer
			if err := d.note(tx, t.ID, "sportel", what+", routed to "+t.OfficerID, now); err != nil {
				return intakeResult{}, err
			}
		}
	}
	urgentCue := ""
	if !t.Acted && !t.Urgent {
		// The conversation is one request, and a later message that says
		// life or liberty depends on it makes it urgent as the first would
		// have; once an officer has acted, the flag is theirs to set.
		if on, cue := classifier.Urgent(classifier.StripQuotedAndSignature(m.Text)); on {
			t.Urgent, urgentCue = true, cue
			t.DueAt = d.dueFor(&t)
		}
	}
	t.UpdatedAt = now
	if err := d.saveTicket(tx, &t); err != nil {
		return intakeResult{}, err
	}
	if recategorized && !m.SuppressAck {
		if err := d.queueTelegramAck(tx, &t, m, true, now); err != nil {
			return intakeResult{}, err
		}
	}
	// An officer who is new to the ticket hears of it at once, as of a new
	// ticket; for the one who has it, this is one more message.
	// An urgent one is told afresh too, marked URGENT, not in a digest.
	if err := d.queueNotifications(tx, &t, m, !rerouted && urgentCue == "", now); err != nil {
		return intakeResult{}, err
	}
	if urgentCue != "" {
		if err := d.note(tx, t.ID, "sportel", fmt.Sprintf("marked urgent: a later message of the conversation says %q (due %s)", urgentCue, d.formatDue(t.DueAt)), now); err != nil {
			return intakeResult{}, err
		}
		if err := d.queueHeadNotices(tx, &t, m, "the conversation says \""+urgentCue+"\"", now); err != nil {
			return intakeResult{}, err
		}
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, err
	}
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number}, nil
}

// joinsConversation reports whether m, from the chat of open ticket t,
// belongs to its conversation: written within the join window after the
// chat's last message on it or the officer's last answer. Times are when
// messages were written, not when they were read: after downtime, Telegram
// hands over hours of a chat's messages at once, and they are as far
// apart as they were written.
func (d *Desk) joinsConversation(tx store.Tx, t inquiry.Ticket, m *inquiry.Message, now time.Time) (bool, error) {
	if !t.State.Open() {
		return false, nil
	}
	last := t.ReceivedAt
	entries, err := tx.LastEntries(t.ID, inquiry.EntryInbound, 1)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		last = later(last, e.CreatedAt)
	}
	last = later(last, t.AnsweredAt)
	return writtenAt(m, now).Sub(last) <= d.joinWindow(), nil
}

// writtenAt is when a Telegram message was written (its date), or now for
// one without a date or dated ahead of this clock.
func writtenAt(m *inquiry.Message, now time.Time) time.Time {
	if m.ReceivedAt.IsZero() || m.ReceivedAt.After(now) {
		return now
	}
	return m.ReceivedAt
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (d *Desk) joinWindow() time.Duration {
	if d.cfg.TelegramJoinWindow > 0 {
		return d.cfg.TelegramJoinWindow
	}
	return 30 * time.Minute
}

// The window a Telegram conversation is reclassified on: its last
// reclassifyEntries messages, at most reclassifyRunes characters. A request
// after a greeting is within it; a flood reads the same few rows per
// message however long it has run.
const (
	reclassifyEntries = 10
	reclassifyRunes   = 4000
)

// combinedMessage is the end of the ticket's conversation plus m, for
// reclassification.
func (d *Desk) combinedMessage(tx store.Tx, t inquiry.Ticket, m *inquiry.Message) (*inquiry.Message, error) {
	entries, err := tx.LastEntries(t.ID, inquiry.EntryInbound, reclassifyEntries-1)
	if err != nil {
		return nil, err
	}
	parts := []string{m.Text}
	budget := reclassifyRunes - utf8.RuneCountInString(m.Text)
	for i := len(entries) - 1; i >= 0 && budget > 1; i-- {
		text := strings.TrimSpace(entries[i].Text)
		if text == "" {
			continue
		}
		budget-- // the line break before what follows
		if r := []rune(text); len(r) > budget {
			text = string(r[len(r)-budget:]) // keep the end, nearest m
		}
		budget -= utf8.RuneCountInString(text)
		parts = append(parts, text)
	}
	slices.Reverse(parts)
	c := *m
	c.Text = strings.Join(parts, "\n")
	return &c, nil
}

// telegramLanguage picks the reply language for a Telegram message: the
// chat's explicit choice, then the text's confident language, then the
// user's Telegram language, then Albanian.
func telegramLanguage(m *inquiry.Message, cls inquiry.Classification) inquiry.Language {
	for _, l := range []inquiry.Language{m.LanguageChoice, cls.Language, m.ClientLanguage} {
		if l != "" && l != inquiry.UndefinedLang {
			return l
		}
	}
	return inquiry.Albanian
}

// LinkPrivateChat connects a ticket opened in the public discussion group to
// the private chat its author has now started with the bot, so the answer
// can reach them privately. Only the ticket's own author can do it.
func (d *Desk) LinkPrivateChat(ctx context.Context, number string, userID, chatID int64) (inquiry.Ticket, error) {
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		if t.Channel != inquiry.ChannelTelegram || t.Sender.Address != telegramSender(userID) {
			return fmt.Errorf("ticket %s is not yours", t.Number)
		}
		t.ChatID = chatID
		now := d.now()
		if err := d.note(tx, t.ID, telegramSender(userID), "the author opened a private chat with the bot", now); err != nil {
			return err
		}
		// Answers given before now were held back: send them here.
		entries, err := tx.Entries(t.ID)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Kind != inquiry.EntryHeldAnswer {
				continue
			}
			kind := inquiry.JobAnswer
			if strings.HasPrefix(e.Subject, heldNoticePrefix) {
				kind = inquiry.JobNotice
			}
			files, tooLarge := heldChatFiles(e, d.telegramMaxUpload())
			job := &inquiry.Job{TicketID: t.ID, Kind: kind, State: inquiry.JobPending, NextAt: now, CreatedAt: now,
				Recipient: fmt.Sprintf("tg:%d", chatID),
				Chat:      &inquiry.ChatMessage{ChatID: chatID, Text: d.cfg.Templates.TelegramAnswer(t, e.Text), AttachFrom: files}}
			if officer, ok := d.officers[e.Author]; ok {
				// Told if Telegram refuses a file after the text went.
				job.Chat.Officer = officer.ID
			}
			if err := tx.AddJob(job); err != nil {
				return err
			}
			if len(tooLarge) > 0 {
				// Left out now, as an answer not held leaves them out when
				// queued: said to its officer (else the ticket's), and noted.
				officer, ok := d.officers[e.Author]
				if !ok {
					officer, ok = d.officers[t.OfficerID]
				}
				if !ok {
					// An officer since removed from the configuration: the
					// record says it all the same.
					officer = inquiry.Officer{ID: e.Author}
				}
				if err := d.leftOutOfChat(tx, officer, t, tooLarge, now); err != nil {
					return err
				}
			}
			if err := tx.SetEntryKind(e.ID, inquiry.EntryAnswer); err != nil {
				return err
			}
		}
		return nil
	})
}

func telegramSender(userID int64) string { return fmt.Sprintf("tg:%d", userID) }
