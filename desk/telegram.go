package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/route"
	"sportel/store"
)

// telegramIntake files a Telegram message. Messages in a chat within the
// join window belong to the chat's open ticket: people write "Përshëndetje"
// first and the request after it. Until an officer acts, the ticket is
// reclassified on its whole text, so the greeting does not decide routing.
func (d *Desk) telegramIntake(tx store.Tx, m *inquiry.Message, cls *inquiry.Classification, now time.Time) (intakeResult, error) {
	if m.ForceNew || m.Public || m.ChatID == 0 {
		return d.file(tx, m, cls, filing{}, now)
	}
	t, found, err := tx.LatestChatTicket(m.ChatID)
	if err != nil {
		return intakeResult{}, err
	}
	if !found {
		return d.file(tx, m, cls, filing{}, now)
	}
	if !t.State.Open() || now.Sub(t.UpdatedAt) > d.joinWindow() {
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
	e := &inquiry.Entry{
		TicketID: t.ID, Kind: inquiry.EntryInbound, SourceID: m.SourceID, MessageID: m.MessageID,
		Author: senderName(m), Text: m.Text, Attachments: m.Attachments, CreatedAt: now,
	}
	if err := tx.AddEntry(e); err != nil {
		return intakeResult{}, err
	}
	if t.State == inquiry.Answered {
		t.State = inquiry.Assigned
	}
	recategorized := false
	if reclassify && cls.Category != t.Category {
		prev := t.Category
		t.Category, t.Confidence, t.Classifier, t.Reason, t.NeedsReview = cls.Category, cls.Confidence, cls.Classifier, cls.Reason, cls.NeedsReview
		t.OfficerID, _ = d.router.Route(route.Ticket{Category: t.Category, Channel: t.Channel, Language: t.Language})
		t.DueAt = time.Time{}
		if t.Category == inquiry.DocumentRequest && d.cfg.DocumentDeadlineDays > 0 {
			t.DueAt = Deadline(t.ReceivedAt, d.cfg.DocumentDeadlineDays, d.cfg.Location)
		}
		if err := d.note(tx, t.ID, "sportel", fmt.Sprintf("reclassified on the whole conversation: %s → %s, routed to %s", prev, t.Category, t.OfficerID), now); err != nil {
			return intakeResult{}, err
		}
		recategorized = true
	}
	t.UpdatedAt = now
	if err := tx.UpdateTicket(&t); err != nil {
		return intakeResult{}, err
	}
	if recategorized && !m.SuppressAck {
		if err := d.queueTelegramAck(tx, &t, m, true, now); err != nil {
			return intakeResult{}, err
		}
	}
	if err := d.queueNotifications(tx, &t, m, !recategorized, now); err != nil {
		return intakeResult{}, err
	}
	if err := tx.MarkSource(m.SourceID, t.ID, now); err != nil {
		return intakeResult{}, err
	}
	return intakeResult{disposition: inquiry.Attached, ticket: t.Number}, nil
}

func (d *Desk) joinWindow() time.Duration {
	if d.cfg.TelegramJoinWindow > 0 {
		return d.cfg.TelegramJoinWindow
	}
	return 30 * time.Minute
}

// combinedMessage is the ticket's conversation so far plus m, for
// reclassification.
func (d *Desk) combinedMessage(tx store.Tx, t inquiry.Ticket, m *inquiry.Message) (*inquiry.Message, error) {
	entries, err := tx.Entries(t.ID)
	if err != nil {
		return nil, err
	}
	var parts []string
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound && strings.TrimSpace(e.Text) != "" {
			parts = append(parts, e.Text)
		}
	}
	parts = append(parts, m.Text)
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
			job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobAnswer, State: inquiry.JobPending, NextAt: now, CreatedAt: now,
				Recipient: fmt.Sprintf("tg:%d", chatID),
				Chat:      &inquiry.ChatMessage{ChatID: chatID, Text: d.cfg.Templates.TelegramAnswer(t, e.Text)}}
			if err := tx.AddJob(job); err != nil {
				return err
			}
			if err := tx.SetEntryKind(e.ID, inquiry.EntryAnswer); err != nil {
				return err
			}
		}
		return nil
	})
}

func telegramSender(userID int64) string { return fmt.Sprintf("tg:%d", userID) }
