package bot

import (
	"context"
	"fmt"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// onEdited answers an edited message. What the bot did with the first
// text is done and stays: a citizen's message was filed, an officer's
// answer went to the citizen, a command acted. Whoever edits, where the
// bot talks with them, is told so and asked for a new message; believing
// the correction went through, they would not send one.
func (b *Bot) onEdited(ctx context.Context, updateID int64, m *models.Message) {
	if kind := unsupportedKind(m); kind != "" {
		// A shared live location is edited every few seconds; its
		// first message was answered already.
		b.log.Debug("edit of unsupported content ignored", "update_id", updateID, "chat_id", m.Chat.ID, "kind", kind)
		return
	}
	if m.From == nil {
		return
	}
	if o, ok := b.officer(m.From.ID); ok {
		b.onOfficerEdit(ctx, updateID, o, m)
		return
	}
	// Only where the bot talks privately: in the discussion group an
	// answer would be public.
	if m.Chat.Type == models.ChatTypePrivate {
		// Told once per unsupportedEvery: a message edited for each typo
		// got the same answer each time.
		answer := !b.muted(m.Chat.ID, updateID) && b.firstEdit(m.Chat.ID, updateID)
		b.log.Info("edited message declined", "update_id", updateID, "chat_id", m.Chat.ID, "message_id", m.ID, "answered", answer)
		if answer {
			b.reply(ctx, m.Chat.ID, m.ID, say(b.chatLanguage(ctx, m.Chat.ID, m.From)).edited, nil)
		}
		return
	}
	if b.opts.DiscussionChatID != 0 && m.Chat.ID == b.opts.DiscussionChatID && b.addressed(m) {
		// An edit that adds the mention (forgotten at first) is the first
		// text addressed to the bot: confirmed unfiled, it was lost, its
		// writer believing the bot had it.
		known, err := b.desk.Known(ctx, sourceID(m))
		if err != nil {
			failed(ctx, fmt.Errorf("look up the comment %s: %w", sourceID(m), err))
			return
		}
		if !known {
			b.log.Info("edited comment now addressed to the bot: taken in", "update_id", updateID, "chat_id", m.Chat.ID, "message_id", m.ID)
			b.onDiscussion(ctx, updateID, m)
			return
		}
	}
	// Seen in the log, as every message is: the first text stands.
	b.log.Info("edited message in a group ignored: edits are not passed on, and an answer there would be public",
		"update_id", updateID, "chat_id", m.Chat.ID, "message_id", m.ID)
}

// firstEdit reports whether chat has not been told of its edits within
// unsupportedEvery.
func (b *Bot) firstEdit(chat, update int64) bool {
	told, _ := b.edits.note(chat, update, b.now())
	return !told
}

// onOfficerEdit tells an officer that their edit is not passed on: the
// citizen keeps the answer as it was first sent. Every message in the
// officer's own chat was acted on (an answer, a command, the help text);
// in the officers' group only commands were, and the officers' own talk
// there, edited as often as written, is not answered.
func (b *Bot) onOfficerEdit(ctx context.Context, updateID int64, o inquiry.Officer, m *models.Message) {
	cmd, args, isCommand := b.officerCommandOf(m)
	inGroup := b.opts.OfficersChatID != 0 && m.Chat.ID == b.opts.OfficersChatID
	if m.Chat.Type != models.ChatTypePrivate && (!inGroup || !isCommand) {
		return
	}
	again := "/reply NUMRI teksti"
	if n := ticketNumber(args); isCommand && n != "" {
		again = "/reply " + n + " teksti"
	}
	b.log.Info("officer's edited message declined: edits are not passed on", "update_id", updateID,
		"chat_id", m.Chat.ID, "message_id", m.ID, "officer", o.ID, "command", cmd)
	b.reply(ctx, m.Chat.ID, m.ID, fmt.Sprintf(officerEdited, again), nil)
}
