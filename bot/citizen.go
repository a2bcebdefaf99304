package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/textsafe"
)

// onUpdate is the default handler: every update that is not a button
// press. It decides by chat who is speaking and what they may do.
func (b *Bot) onUpdate(ctx context.Context, _ *tgbot.Bot, u *models.Update) {
	switch {
	case u.Message != nil:
		b.onMessage(ctx, u.ID, u.Message)
	case u.EditedMessage != nil:
		b.onEdited(ctx, u.ID, u.EditedMessage)
	default:
		b.log.Debug("update ignored", "update_id", u.ID)
	}
}

func (b *Bot) onMessage(ctx context.Context, updateID int64, m *models.Message) {
	b.noteMigration(m)
	switch {
	case m.Chat.Type == models.ChatTypePrivate:
		if m.From == nil {
			return
		}
		if o, ok := b.officer(m.From.ID); ok {
			b.onOfficerPrivate(ctx, o, m)
			return
		}
		b.onCitizen(ctx, updateID, m)
	case b.opts.OfficersChatID != 0 && m.Chat.ID == b.opts.OfficersChatID:
		b.onOfficersGroup(ctx, m)
	case b.opts.DiscussionChatID != 0 && m.Chat.ID == b.opts.DiscussionChatID:
		b.onDiscussion(ctx, updateID, m)
	default:
		b.onOtherGroup(ctx, updateID, m)
	}
}

// onOtherGroup answers a person who asks the bot in a group it was added
// to that is neither the officers' nor the discussion group: nothing there
// is filed (the group is not the ministry's, and no private chat is tied
// to it), but a question to the bot, met with silence, was lost, its
// writer waiting for an answer. They are told, once per chat per
// unsupportedEvery, to write privately; the group's own talk, and
// anything else, is not answered.
func (b *Bot) onOtherGroup(ctx context.Context, updateID int64, m *models.Message) {
	_, _, command := b.command(m)
	asked := m.From != nil && !m.From.IsBot && (command || b.addressed(m)) &&
		(m.Chat.Type == models.ChatTypeGroup || m.Chat.Type == models.ChatTypeSupergroup)
	if !asked {
		b.log.Debug("message in an unknown chat ignored", "update_id", updateID, "chat_id", m.Chat.ID, "chat_type", m.Chat.Type)
		return
	}
	answer := b.firstUnsupported(m.Chat.ID, updateID)
	b.log.Info("question to the bot in a group it does not serve: not filed, the writer is sent to the private chat",
		"update_id", updateID, "chat_id", m.Chat.ID, "user_id", m.From.ID, "answered", answer)
	if answer {
		b.reply(ctx, m.Chat.ID, m.ID, fmt.Sprintf(say(b.chatLanguage(ctx, m.From.ID, m.From)).privateOnly, b.me.Username), nil)
	}
}

// noteMigration reports a configured group upgraded to a supergroup:
// Telegram gives it a new chat id, so the bot no longer hears the
// officers' commands there, nor can it write to the old id, until the
// setting is changed.
func (b *Bot) noteMigration(m *models.Message) {
	from, to := m.MigrateFromChatID, m.MigrateToChatID
	if to != 0 {
		from = m.Chat.ID
	} else if from != 0 {
		to = m.Chat.ID
	}
	if from == 0 {
		return
	}
	for setting, chat := range map[string]int64{"officers_chat_id": b.opts.OfficersChatID, "discussion_chat_id": b.opts.DiscussionChatID} {
		if chat != 0 && chat == from {
			b.log.Error("a configured Telegram group was upgraded to a supergroup and has a new chat id: change the setting, or the bot neither hears nor reaches it",
				"setting", setting, "old_chat_id", from, "new_chat_id", to)
		}
	}
}

// command splits "/cmd@bot args" into "cmd" and "args"; ok is false when
// the text is not a command (or one addressed to another bot). A caption
// is not read: a citizen's photo captioned "/status" is a message to file.
func (b *Bot) command(m *models.Message) (cmd, args string, ok bool) {
	return b.commandIn(m.Text)
}

// officerCommandOf is command for an officer's message, its caption read
// too: an officer sends a file with "/reply NUMBER text" as its caption.
func (b *Bot) officerCommandOf(m *models.Message) (cmd, args string, ok bool) {
	return b.commandIn(messageText(m))
}

func (b *Bot) commandIn(text string) (cmd, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	// The command ends at the first whitespace of any kind: the arguments
	// are often written on the next line ("/reply@bot\nNUMBER\nanswer").
	head, rest := text[1:], ""
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 {
		head, rest = head[:i], head[i:]
	}
	head, to, addressed := strings.Cut(head, "@")
	if addressed && !strings.EqualFold(to, b.me.Username) {
		return "", "", false
	}
	// A bare "/" is a command too: it gets the help text, not a ticket.
	return strings.ToLower(head), strings.TrimSpace(rest), true
}

// citizenCommand is command for a citizen's message: a text that only
// begins with a slash (written) is no command but a request. Officers'
// texts keep command's reading: a mistyped command in a reply to a
// notification must not reach the citizen as the answer.
func (b *Bot) citizenCommand(m *models.Message) (cmd, args string, ok bool) {
	if m.ForwardOrigin != nil {
		// Someone else's words, forwarded: filed as what the citizen
		// sent, not run, as an officer's forwarded command is not
		// (forwardedCommand). A forwarded "/new …" opened a ticket of
		// its own for a stranger's text, a "/status" was answered.
		return "", "", false
	}
	cmd, args, ok = b.command(m)
	if ok && written(cmd, args) {
		return "", "", false
	}
	return cmd, args, ok
}

// written reports whether a text that begins with a slash is words the
// person wrote rather than a command: its first word is no command name
// (Telegram's are Latin letters, digits and underscores, as in
// "/Поштовани, …"), or a slash stands alone before words ("/ Kam një
// pyetje…"), or a command the bot does not know is followed by more words
// ("/hello what are the opening hours…"). Taken for a command, such a
// request got the help text and was lost.
func written(cmd, args string) bool {
	if args == "" {
		return !commandName(cmd) && cmd != ""
	}
	return !knownCommand(cmd)
}

// commandName reports whether s may be a Telegram command name.
func commandName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !usernameByte(c) {
			return false
		}
	}
	return true
}

// knownCommand reports whether cmd is one of the bot's commands, the
// citizens' or the officers' (officerHelp).
func knownCommand(cmd string) bool {
	switch cmd {
	case "start", "help", "status", "new",
		"tickets", "ticket", "close", "reply", "urgent", "extend", "notheld", "reopen", "login":
		return true
	}
	return false
}

func (b *Bot) onCitizen(ctx context.Context, updateID int64, m *models.Message) {
	chat := m.Chat.ID
	muted, notify := b.flood.note(chat, updateID, b.now())
	lang := b.chatLanguage(ctx, chat, m.From)
	if notify {
		b.log.Warn("chat is flooding; answers paused", "chat_id", chat, "for", b.opts.FloodPer)
		b.reply(ctx, chat, 0, say(lang).flood, nil)
	}
	if cmd, args, ok := b.citizenCommand(m); ok {
		// A flooding chat gets no answers; a "/new" with words still
		// carries a message, which is filed as any other is.
		if muted && (cmd != "new" || args == "") {
			return
		}
		switch cmd {
		case "start":
			b.onStart(ctx, m, args, lang)
		case "status":
			b.onStatus(ctx, m, lang)
		case "new":
			if args == "" {
				if err := b.state.SetState(ctx, keyNewPrefix+strconv.FormatInt(chat, 10), "1"); err != nil {
					failed(ctx, fmt.Errorf("remember /new for chat %d: %w", chat, err))
					return
				}
				b.reply(ctx, chat, m.ID, say(lang).newPrompt, nil)
				return
			}
			pending, err := b.pendingNew(ctx, chat)
			if err != nil {
				failed(ctx, err)
				return
			}
			// "/new text" answers an earlier bare /new too: left pending, it
			// would split the next follow-up off this ticket.
			if b.fileCitizen(ctx, m, args, true, muted, false) && pending {
				b.clearNew(ctx, chat)
			}
		case "tickets", "ticket", "close", "reply", "urgent", "extend", "notheld", "reopen", "login":
			// The officers' commands (officerHelp): refused, not answered
			// with the help text, so an attempt is seen in the log.
			b.log.Warn("refused an officer command from a non-officer", "command", cmd, "user_id", m.From.ID)
			b.reply(ctx, chat, m.ID, say(lang).refused, nil)
		default:
			// Nothing is filed: seen in the log, as every message is.
			b.log.Info("unknown command answered with the help text", "command", cmd, "chat_id", chat, "update_id", updateID)
			b.reply(ctx, chat, m.ID, say(lang).help, nil)
		}
		return
	}
	text := messageText(m)
	atts := attachments(m)
	switch kind := unsupportedKind(m); {
	case kind != "":
		b.declineUnsupported(ctx, updateID, m, kind, lang, muted)
		return
	case blank(text) && len(atts) == 0:
		if m.Text == "" && m.Caption == "" {
			if serviceMessage(m) {
				// Pinned, chat settings and the like: nothing was said.
				b.log.Debug("service message ignored", "update_id", updateID, "chat_id", chat)
				return
			}
			// Content newer than the library's model decodes to nothing
			// it knows: the citizen did send something.
			b.declineUnsupported(ctx, updateID, m, "unknown", lang, muted)
			return
		}
		if !muted {
			b.reply(ctx, chat, m.ID, say(lang).empty, nil)
		}
		return
	}
	forceNew, err := b.pendingNew(ctx, chat)
	if err != nil {
		failed(ctx, err)
		return
	}
	if b.fileCitizen(ctx, m, text, forceNew, muted, false) && forceNew {
		b.clearNew(ctx, chat)
	}
}

// pendingNew reports whether the chat sent a bare /new that no message has
// answered yet: the next message starts a new ticket.
func (b *Bot) pendingNew(ctx context.Context, chat int64) (bool, error) {
	v, ok, err := b.state.GetState(ctx, keyNewPrefix+strconv.FormatInt(chat, 10))
	if err != nil {
		return false, fmt.Errorf("read /new for chat %d: %w", chat, err)
	}
	return ok && v == "1", nil
}

// clearNew forgets a pending /new once a message has started the ticket.
func (b *Bot) clearNew(ctx context.Context, chat int64) {
	if err := b.state.SetState(ctx, keyNewPrefix+strconv.FormatInt(chat, 10), ""); err != nil {
		b.log.Warn("clear /new", "chat_id", chat, "err", err)
	}
}

// fileCitizen hands a citizen's message to the desk; the acknowledgement
// comes back through the outbox. It reports whether the desk took it.
func (b *Bot) fileCitizen(ctx context.Context, m *models.Message, text string, forceNew, muted, public bool) bool {
	msg := b.inquiryMessage(ctx, m, text)
	// Before the desk: the record keeps the files, not Telegram's handles.
	// A message taken in already (its update replayed after a crash
	// between the desk's commit and the offset's) is a duplicate to the
	// desk, which reads none of its files: they are not fetched again.
	known := false
	if len(msg.Attachments) > 0 {
		var err error
		if known, err = b.desk.Known(ctx, msg.SourceID); err != nil {
			failed(ctx, err)
			return false
		}
	}
	if known {
		b.log.Info("telegram message taken in already; its files are not downloaded again", "source", msg.SourceID)
	} else if err := b.keepFiles(ctx, msg); err != nil {
		failed(ctx, err)
		return false
	}
	msg.ForceNew = forceNew
	msg.Public = public
	// A muted chat is still filed, just not answered.
	msg.SuppressAck = muted
	disp, err := b.desk.Handle(ctx, msg)
	if err != nil {
		failed(ctx, fmt.Errorf("file %s: %w", msg.SourceID, err))
		return false
	}
	b.log.Info("telegram message filed", "source", msg.SourceID, "disposition", disp)
	if disp != inquiry.Duplicate && !muted {
		b.tellFilesNotKept(ctx, m, msg)
	}
	return true
}

// tellFilesNotKept tells the citizen which of their files the bot could
// not keep (over the Bot API's limit, a download that failed): the
// acknowledgement says their message is filed, and they would take the
// files to be with it. Said after the commit, as every direct reply.
func (b *Bot) tellFilesNotKept(ctx context.Context, m *models.Message, msg *inquiry.Message) {
	var names strings.Builder
	lost := 0
	for _, a := range msg.Attachments {
		if !a.Truncated {
			continue
		}
		lost++
		if name := textsafe.FileName(a.Name); name != "" {
			fmt.Fprintf(&names, " «%s»", name)
		}
	}
	if lost == 0 {
		return
	}
	lang := b.chatLanguage(ctx, m.Chat.ID, m.From)
	b.reply(ctx, m.Chat.ID, m.ID, fmt.Sprintf(say(lang).filesNotKept, names.String(), max(1, b.maxFileBytes()>>20)), nil)
}

func (b *Bot) inquiryMessage(ctx context.Context, m *models.Message, text string) *inquiry.Message {
	received := time.Unix(int64(m.Date), 0)
	if m.Date == 0 {
		received = b.now()
	}
	if context := b.citedContext(m); context != "" {
		text = strings.TrimRight(context+"\n"+text, "\n")
	}
	msg := &inquiry.Message{
		Channel:     inquiry.ChannelTelegram,
		SourceID:    sourceID(m),
		ChatID:      m.Chat.ID,
		ChatMsgID:   m.ID,
		Text:        text,
		Attachments: attachments(m),
		ReceivedAt:  received,
	}
	if m.ReplyToMessage != nil {
		msg.ReplyToMsgID = m.ReplyToMessage.ID
	}
	if m.From != nil {
		msg.UserID = m.From.ID
		msg.From = inquiry.Address{Name: displayName(m.From)}
		msg.ClientLanguage, _ = clientLanguage(m.From.LanguageCode)
	}
	if m.Chat.Type == models.ChatTypePrivate {
		if l, ok := b.chosenLanguage(ctx, m.Chat.ID); ok {
			msg.LanguageChoice = l
		}
	}
	return msg
}

// citedContext is the lines, for officers, that say whose words a
// forwarded message carries, or what message of another chat it answers,
// and when those were written; "" for a message that is neither. Filed
// bare, a channel's post a citizen forwarded read in the ticket as the
// citizen's own words, and was classified and routed as theirs; a reply
// to another chat's post ("Is this true?") lost what it asked about.
func (b *Bot) citedContext(m *models.Message) string {
	var lines []string
	if m.ForwardOrigin != nil {
		lines = append(lines, "[Përcjellë nga "+b.origin(m.ForwardOrigin)+"]")
	}
	if r := m.ExternalReply; r != nil {
		line := "[Në përgjigje të një mesazhi nga " + b.origin(&r.Origin)
		if m.Quote != nil && strings.TrimSpace(m.Quote.Text) != "" {
			line += ": «" + textsafe.Line(m.Quote.Text) + "»"
		}
		lines = append(lines, line+"]")
	}
	return strings.Join(lines, "\n")
}

// origin names who wrote a message another chat holds, and when.
func (b *Bot) origin(o *models.MessageOrigin) string {
	var who string
	var date int
	switch {
	case o.MessageOriginChannel != nil:
		c := o.MessageOriginChannel
		who, date = "kanali "+chatName(c.Chat)+signedBy(c.AuthorSignature), c.Date
	case o.MessageOriginChat != nil:
		c := o.MessageOriginChat
		who, date = "grupi "+chatName(c.SenderChat)+signedBy(c.AuthorSignature), c.Date
	case o.MessageOriginUser != nil:
		u := o.MessageOriginUser
		who, date = personName(u.SenderUser), u.Date
	case o.MessageOriginHiddenUser != nil:
		u := o.MessageOriginHiddenUser
		who, date = "«"+textsafe.Line(u.SenderUserName)+"» (llogari e fshehur)", u.Date
	default:
		who = "një burim i panjohur"
	}
	if date > 0 {
		who += ", shkruar më " + time.Unix(int64(date), 0).In(b.loc()).Format("02.01.2006 15:04")
	}
	return who
}

// personName is a person's name in quotes and their @username, as far as
// they have them, else their account's id.
func personName(u models.User) string {
	name := textsafe.Line(strings.TrimSpace(u.FirstName + " " + u.LastName))
	switch {
	case blank(name) && u.Username == "":
		return fmt.Sprintf("një llogari pa emër (id %d)", u.ID)
	case blank(name):
		return "@" + u.Username
	case u.Username == "":
		return "«" + name + "»"
	}
	return "«" + name + "» (@" + u.Username + ")"
}

// chatName is a chat's title in quotes, and its @name when it has one.
func chatName(c models.Chat) string {
	name := "«" + textsafe.Line(c.Title) + "»"
	if c.Username != "" {
		name += " (@" + c.Username + ")"
	}
	return name
}

// signedBy is a post's author signature, when the chat shows one.
func signedBy(sig *string) string {
	if sig == nil || strings.TrimSpace(*sig) == "" {
		return ""
	}
	return ", nënshkruar nga «" + textsafe.Line(*sig) + "»"
}

// sourceID is the desk's key of a Telegram message, the same for its
// edits.
func sourceID(m *models.Message) string { return fmt.Sprintf("tg:%d:%d", m.Chat.ID, m.ID) }

// displayName is how a person is named to officers: their name, else
// their @username, else "" (the desk then names the chat). A name of
// characters that show nothing (U+3164, zero-width spaces) counts as none:
// officers saw a sender, and an author in the ticket, without a name.
func displayName(u *models.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if blank(name) {
		name = ""
		if u.Username != "" {
			name = "@" + u.Username
		}
	}
	return name
}

// blank reports whether text shows nothing: spaces, invisible format
// characters (U+200B, U+2060, U+FEFF …) and the characters that render as
// a blank (U+2800, the Hangul fillers) only, which is how an "empty"
// message is sent. Filed, such a text opened a ticket with nothing in it
// and told an officer.
func blank(text string) bool {
	for _, r := range text {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r):
		case r == '\u2800', r == '\u3164', r == '\u115f', r == '\u1160', r == '\uffa0':
		default:
			return false
		}
	}
	return true
}

// messageText is what the person wrote: the text, or a media caption.
func messageText(m *models.Message) string {
	if m.Text != "" {
		return m.Text
	}
	return m.Caption
}

// attachments lists the files on a message by their Telegram file ids;
// keepFiles fetches their content for the record. Names are cleaned like
// email attachment names: they reach officers' mail and disks.
func attachments(m *models.Message) []inquiry.Attachment {
	var out []inquiry.Attachment
	if len(m.Photo) > 0 {
		best := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.Width*p.Height > best.Width*best.Height {
				best = p
			}
		}
		out = append(out, inquiry.Attachment{FileID: best.FileID, Name: "photo.jpg", ContentType: "image/jpeg", Size: int64(best.FileSize)})
	}
	if d := m.Document; d != nil {
		out = append(out, inquiry.Attachment{FileID: d.FileID, Name: or(textsafe.FileName(d.FileName), "document"), ContentType: or(d.MimeType, "application/octet-stream"), Size: d.FileSize})
	}
	if v := m.Voice; v != nil {
		out = append(out, inquiry.Attachment{FileID: v.FileID, Name: "voice.ogg", ContentType: or(v.MimeType, "audio/ogg"), Size: v.FileSize})
	}
	if v := m.Video; v != nil {
		out = append(out, inquiry.Attachment{FileID: v.FileID, Name: or(textsafe.FileName(v.FileName), "video.mp4"), ContentType: or(v.MimeType, "video/mp4"), Size: v.FileSize})
	}
	if a := m.Audio; a != nil {
		out = append(out, inquiry.Attachment{FileID: a.FileID, Name: or(textsafe.FileName(a.FileName), or(textsafe.FileName(a.Title), "audio")), ContentType: or(a.MimeType, "audio/mpeg"), Size: a.FileSize})
	}
	if v := m.VideoNote; v != nil {
		out = append(out, inquiry.Attachment{FileID: v.FileID, Name: "video_note.mp4", ContentType: "video/mp4", Size: int64(v.FileSize)})
	}
	if a := m.Animation; a != nil {
		out = append(out, inquiry.Attachment{FileID: a.FileID, Name: or(textsafe.FileName(a.FileName), "animation.mp4"), ContentType: or(a.MimeType, "video/mp4"), Size: a.FileSize})
	}
	return out
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// unsupportedKind names what a person sent that cannot be a request: a
// sticker, a location, a contact card, a poll, a game and the like; ""
// for anything else.
func unsupportedKind(m *models.Message) string {
	switch {
	case m.Sticker != nil:
		return "sticker"
	case m.Venue != nil: // a venue carries its location too
		return "venue"
	case m.Location != nil:
		return "location"
	case m.Contact != nil:
		return "contact"
	case m.Poll != nil:
		return "poll"
	case m.Dice != nil:
		return "dice"
	case m.Game != nil:
		return "game"
	case m.Story != nil:
		return "story"
	case m.Checklist != nil:
		return "checklist"
	case m.Invoice != nil:
		return "invoice"
	case m.PaidMedia != nil:
		return "paid_media"
	case m.Giveaway != nil:
		return "giveaway"
	case m.GiveawayWinners != nil:
		return "giveaway_winners"
	case m.Animation != nil && strings.TrimSpace(m.Caption) == "":
		// A GIF alone is a reaction, as a sticker is, not a question:
		// filed, it opened a ticket and told an officer. With words it is
		// filed with them.
		return "animation"
	}
	return ""
}

// serviceMessage reports a message Telegram writes about the chat rather
// than one a person wrote: it is not answered.
func serviceMessage(m *models.Message) bool {
	return len(m.NewChatMembers) > 0 || m.LeftChatMember != nil || m.NewChatTitle != "" || len(m.NewChatPhoto) > 0 ||
		m.DeleteChatPhoto || m.GroupChatCreated || m.SupergroupChatCreated || m.ChannelChatCreated ||
		m.MessageAutoDeleteTimerChanged != nil || m.MigrateToChatID != 0 || m.MigrateFromChatID != 0 ||
		m.PinnedMessage != nil || m.SuccessfulPayment != nil || m.RefundedPayment != nil ||
		m.UsersShared != nil || m.ChatShared != nil || m.Gift != nil || m.UniqueGift != nil || m.GiftUpgradeSent != nil ||
		m.ConnectedWebsite != "" || m.WriteAccessAllowed != nil || m.PassportData != nil ||
		m.ProximityAlertTriggered != nil || m.BoostAdded != nil || m.ChatBackgroundSet != nil ||
		m.ChecklistTasksDone != nil || m.ChecklistTasksAdded != nil || m.DirectMessagePriceChanged != nil ||
		m.ForumTopicCreated != nil || m.ForumTopicEdited != nil || m.ForumTopicClosed != nil || m.ForumTopicReopened != nil ||
		m.GeneralForumTopicHidden != nil || m.GeneralForumTopicUnhidden != nil ||
		m.GiveawayCreated != nil || m.GiveawayCompleted != nil || m.PaidMessagePriceChanged != nil ||
		m.ChatOwnerLeft != nil || m.ChatOwnerChanged != nil ||
		m.SuggestedPostApproved != nil || m.SuggestedPostApprovalFailed != nil || m.SuggestedPostDeclined != nil ||
		m.SuggestedPostPaid != nil || m.SuggestedPostRefunded != nil ||
		m.VoiceChatScheduled != nil || m.VoiceChatStarted != nil || m.VoiceChatEnded != nil ||
		m.VoiceChatParticipantsInvited != nil || m.WebAppData != nil
}

// unsupportedEvery is how often one chat is told what the bot reads: a
// citizen sending a row of stickers hears it once, not once a sticker.
const unsupportedEvery = 10 * time.Minute

// declineUnsupported files nothing for content the bot cannot read and
// tells the citizen, at most once per unsupportedEvery, to write instead.
func (b *Bot) declineUnsupported(ctx context.Context, updateID int64, m *models.Message, kind string, lang inquiry.Language, muted bool) {
	answer := !muted && b.firstUnsupported(m.Chat.ID, updateID)
	b.log.Info("unsupported content declined", "update_id", updateID, "chat_id", m.Chat.ID, "kind", kind, "answered", answer)
	if answer {
		b.reply(ctx, m.Chat.ID, m.ID, say(lang).unsupported, nil)
	}
}

// firstUnsupported reports whether chat has not been told within
// unsupportedEvery: the flood gate with room for one message per window.
func (b *Bot) firstUnsupported(chat, update int64) bool {
	told, _ := b.unsupported.note(chat, update, b.now())
	return !told
}

// chosenLanguage is the language the chat picked with /start, if any.
func (b *Bot) chosenLanguage(ctx context.Context, chat int64) (inquiry.Language, bool) {
	v, ok, err := b.state.GetState(ctx, keyLangPrefix+strconv.FormatInt(chat, 10))
	if err != nil {
		b.log.Warn("read chat language", "chat_id", chat, "err", err)
		return "", false
	}
	l := inquiry.Language(v)
	if !ok || l == "" || l == inquiry.UndefinedLang || !l.Valid() {
		return "", false
	}
	return l, true
}

// chatLanguage is the language of the bot's own replies: the chat's choice,
// else the user's Telegram language, else Albanian.
func (b *Bot) chatLanguage(ctx context.Context, chat int64, from *models.User) inquiry.Language {
	if l, ok := b.chosenLanguage(ctx, chat); ok {
		return l
	}
	if from != nil {
		if l, ok := clientLanguage(from.LanguageCode); ok {
			return l
		}
	}
	return inquiry.Albanian
}

func (b *Bot) muted(chat, update int64) bool {
	muted, _ := b.flood.note(chat, update, b.now())
	return muted
}

func (b *Bot) onStart(ctx context.Context, m *models.Message, payload string, lang inquiry.Language) {
	chat := m.Chat.ID
	if number := ticketNumber(payload); number != "" {
		// The deep link from a public acknowledgement: tie the ticket to
		// this private chat. The desk refuses anyone but its author.
		if _, err := b.desk.LinkPrivateChat(ctx, number, m.From.ID, chat); err != nil {
			b.log.Info("ticket link refused", "ticket", number, "user_id", m.From.ID, "err", err)
			b.reply(ctx, chat, m.ID, say(lang).linkFailed, nil)
			return
		}
		b.reply(ctx, chat, m.ID, fmt.Sprintf(say(lang).linked, number), nil)
		return
	}
	kb := &models.InlineKeyboardMarkup{}
	var row []models.InlineKeyboardButton
	for _, lb := range languageButtons {
		row = append(row, models.InlineKeyboardButton{Text: lb.Label, CallbackData: "lang:" + string(lb.Lang)})
	}
	kb.InlineKeyboard = [][]models.InlineKeyboardButton{row}
	b.reply(ctx, chat, 0, greeting, kb)
}

// ticketNumber finds a ticket number such as DKP-2026-000042 in s; the
// prefix is whatever letters it carries.
func ticketNumber(s string) string {
	s = strings.TrimSpace(s)
	prefix, _, ok := strings.Cut(s, "-")
	if !ok || prefix == "" {
		return ""
	}
	return inquiry.FindNumber(prefix, s)
}

func (b *Bot) onLanguageChoice(ctx context.Context, q *models.CallbackQuery, choice string) {
	lang := inquiry.Language(choice)
	answer := &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID}
	if !lang.Valid() || lang == inquiry.UndefinedLang {
		b.queue(ctx, outgoing{answer: answer})
		return
	}
	var chat int64
	var buttons int // the message whose buttons are taken away
	switch m := q.Message; {
	case m.Message != nil:
		chat, buttons = m.Message.Chat.ID, m.Message.ID
	case m.InaccessibleMessage != nil:
		// A greeting older than 48 hours: Telegram names only its chat.
		// The choice was dropped, the citizen left with a button that did
		// nothing; it is taken, and the buttons stay.
		chat = m.InaccessibleMessage.Chat.ID
	}
	if chat == 0 {
		b.queue(ctx, outgoing{answer: answer})
		return
	}
	if err := b.state.SetState(ctx, keyLangPrefix+strconv.FormatInt(chat, 10), string(lang)); err != nil {
		failed(ctx, fmt.Errorf("store language for chat %d: %w", chat, err))
		return
	}
	b.queue(ctx, outgoing{answer: answer})
	if buttons != 0 {
		b.queue(ctx, outgoing{edit: &tgbot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: buttons}})
	}
	b.reply(ctx, chat, 0, say(lang).langSet, nil)
}

func (b *Bot) onStatus(ctx context.Context, m *models.Message, lang inquiry.Language) {
	// Only this chat's tickets: a citizen never sees anyone else's.
	tickets, err := b.desk.Tickets(ctx, inquiry.TicketFilter{ChatID: m.Chat.ID})
	if err != nil {
		// Tried again, as any update the store failed: logged and
		// confirmed, the /status went unanswered.
		failed(ctx, fmt.Errorf("list the tickets of chat %d: %w", m.Chat.ID, err))
		return
	}
	p := say(lang)
	if len(tickets) == 0 {
		b.reply(ctx, m.Chat.ID, m.ID, p.noTickets, nil)
		return
	}
	var sb strings.Builder
	sb.WriteString(p.statusHead)
	for _, t := range tickets {
		fmt.Fprintf(&sb, "\n• %s · %s · %s", t.Number, p.categories[t.Category], p.stateName(t.State))
		if !t.DueAt.IsZero() && t.State.Open() {
			fmt.Fprintf(&sb, " · %s %s", p.due, formatDay(t.DueAt.In(b.loc()), lang))
		}
	}
	b.reply(ctx, m.Chat.ID, m.ID, sb.String(), nil)
}

// onDiscussion files comments under the ministry's channel posts that ask
// the bot: a mention of it or a reply to it. Other chatter is not ours.
func (b *Bot) onDiscussion(ctx context.Context, updateID int64, m *models.Message) {
	if m.IsAutomaticForward {
		return // the channel's own post, copied under it
	}
	text := messageText(m)
	if !b.addressed(m) {
		return
	}
	if m.SenderChat != nil {
		b.setAsideChatPost(ctx, updateID, m, text)
		return
	}
	if m.From == nil || m.From.IsBot {
		return
	}
	if o, ok := b.officer(m.From.ID); ok {
		// Not a citizen: filed, it became a ticket of the officer's,
		// acknowledged in public. Their word in the group stands there.
		b.log.Info("an officer's message to the bot in the discussion group is not filed: officers act in their private chat with the bot or in the officers' group",
			"officer", o.ID, "update_id", updateID, "chat_id", m.Chat.ID)
		return
	}
	if cmd, _, ok := b.citizenCommand(m); ok && cmd != "" {
		// Commands are for private chats; the group is public.
		return
	}
	text = strings.TrimSpace(b.stripMention(text))
	if blank(text) && len(attachments(m)) == 0 {
		b.log.Debug("empty mention ignored", "update_id", updateID, "chat_id", m.Chat.ID)
		return
	}
	muted, notify := b.flood.note(m.From.ID, updateID, b.now())
	if notify {
		b.log.Warn("discussion user is flooding; answers paused", "user_id", m.From.ID)
	}
	b.fileCitizen(ctx, m, text, false, muted, true)
}

// setAsideChatPost sets aside a comment addressed to the bot that was
// posted in a chat's name (a media outlet's channel, an anonymous admin of
// the group): it has no person behind it whose private chat could be tied
// to a ticket, so it is not filed, but it is kept as Telegram sent it and
// the officers told, to answer it in the group. It was dropped unrecorded.
func (b *Bot) setAsideChatPost(ctx context.Context, updateID int64, m *models.Message, text string) {
	msg := b.inquiryMessage(ctx, m, text)
	name := strings.TrimSpace(m.SenderChat.Title)
	if name == "" && m.SenderChat.Username != "" {
		name = "@" + m.SenderChat.Username
	}
	msg.UserID, msg.From = 0, inquiry.Address{Name: name}
	msg.Subject = fmt.Sprintf("Telegram update %d", updateID)
	if w := workOf(ctx); w != nil {
		msg.Raw = w.raw
	}
	reason := fmt.Sprintf("a comment to the bot in the discussion group posted in the name of a chat (%q, id %d), not of a person: "+
		"no private chat can be tied to a ticket for it; answer it in the group", name, m.SenderChat.ID)
	if _, err := b.desk.Quarantine(ctx, msg, reason); err != nil {
		failed(ctx, fmt.Errorf("set aside %s: %w", msg.SourceID, err))
		return
	}
	b.log.Warn("telegram comment posted in a chat's name was set aside", "update_id", updateID, "source", msg.SourceID,
		"sender_chat_id", m.SenderChat.ID)
}

// addressed reports whether a comment in the discussion group is to the
// bot: it mentions the bot or replies to it.
func (b *Bot) addressed(m *models.Message) bool {
	return b.mentions(m) || m.ReplyToMessage != nil && m.ReplyToMessage.From != nil && m.ReplyToMessage.From.ID == b.me.ID
}

func (b *Bot) mentions(m *models.Message) bool {
	at := "@" + strings.ToLower(b.me.Username)
	text, entities := m.Text, m.Entities
	if text == "" {
		text, entities = m.Caption, m.CaptionEntities
	}
	for _, e := range entities {
		if e.Type == models.MessageEntityTypeMention && strings.ToLower(entityText(text, e)) == at {
			return true
		}
		if e.Type == models.MessageEntityTypeTextMention && e.User != nil && e.User.ID == b.me.ID {
			return true
		}
	}
	return len(mentionsAt(text, b.me.Username)) > 0
}

// stripMention removes the bot's mentions from text, and nothing else: a
// longer username that starts with the bot's is someone else's.
func (b *Bot) stripMention(text string) string {
	at := mentionsAt(text, b.me.Username)
	if len(at) == 0 {
		return text
	}
	var sb strings.Builder
	prev := 0
	for _, i := range at {
		sb.WriteString(text[prev:i])
		prev = i + 1 + len(b.me.Username)
	}
	sb.WriteString(text[prev:])
	return sb.String()
}

// mentionsAt is the byte offsets of "@username" in text, in any case, where
// it is the whole username: not followed by a character a username may
// hold, as "@sportel_bot_news" is another account than "@sportel_bot".
func mentionsAt(text, username string) []int {
	if username == "" {
		return nil
	}
	at := "@" + username
	var out []int
	for i := 0; i+len(at) <= len(text); i++ {
		if text[i] != '@' || !strings.EqualFold(text[i:i+len(at)], at) {
			continue
		}
		if end := i + len(at); end < len(text) && usernameByte(text[end]) {
			continue
		}
		out = append(out, i)
		i += len(at) - 1
	}
	return out
}

// usernameByte reports whether c may be part of a Telegram username.
func usernameByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// entityText cuts an entity out of text. Offsets count UTF-16 units, so
// they are not byte offsets; out-of-range entities give "".
func entityText(text string, e models.MessageEntity) string {
	units := utf16.Encode([]rune(text))
	if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(units) {
		return ""
	}
	return string(utf16.Decode(units[e.Offset : e.Offset+e.Length]))
}
