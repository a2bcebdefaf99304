package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/textsafe"
)

func (b *Bot) officerName(id string) string {
	if o, ok := b.staff.Load().byID[id]; ok && o.Name != "" {
		return o.Name
	}
	return id
}

// onOfficerPrivate: in an officer's own chat a Telegram reply to a ticket
// notification is the answer to the citizen; everything else is a command.
func (b *Bot) onOfficerPrivate(ctx context.Context, o inquiry.Officer, m *models.Message) {
	if _, _, ok := b.officerCommandOf(m); ok {
		if b.forwardedCommand(ctx, o, m) {
			return
		}
		b.officerCommand(ctx, o, m)
		return
	}
	if m.ReplyToMessage == nil {
		b.reply(ctx, m.Chat.ID, m.ID, officerHelp, nil)
		return
	}
	ref, err := b.replyRef(ctx, m.Chat.ID, m.ReplyToMessage.ID)
	if err != nil {
		failed(ctx, err)
		return
	}
	t, tr, ok, err := b.desk.TicketByRef(ctx, ref)
	if err != nil {
		failed(ctx, fmt.Errorf("find ticket of %s: %w", ref, err))
		return
	}
	// Only the officer's own notification carries an answer: the ref
	// records whom it was sent to.
	if !ok || tr.Kind != inquiry.JobNotify || tr.OfficerID != o.ID {
		b.reply(ctx, m.Chat.ID, m.ID, "Ky mesazh nuk është njoftim për një nga tiketat tuaja. Përgjigjuni njoftimit të tiketës, ose përdorni /reply NUMRI teksti.", nil)
		return
	}
	b.answer(ctx, o, m, t.Number, messageText(m))
}

// onOfficersGroup: the group is the officers' own conversation; only
// commands act there, and only from officers.
func (b *Bot) onOfficersGroup(ctx context.Context, m *models.Message) {
	if _, _, ok := b.officerCommandOf(m); !ok || m.From == nil {
		return
	}
	o, ok := b.officer(m.From.ID)
	if !ok {
		b.log.Warn("refused a command from a non-officer in the officers' group", "user_id", m.From.ID)
		b.reply(ctx, m.Chat.ID, m.ID, say(inquiry.Albanian).refused, nil)
		return
	}
	if b.forwardedCommand(ctx, o, m) {
		return
	}
	b.officerCommand(ctx, o, m)
}

// forwardedCommand refuses, and reports so, a command in a message the
// officer forwarded: someone else wrote it (a citizen can write
// "/close NUMBER granted" as easily as an officer), and commands are the
// officers' own words only.
func (b *Bot) forwardedCommand(ctx context.Context, o inquiry.Officer, m *models.Message) bool {
	if m.ForwardOrigin == nil {
		return false
	}
	cmd, _, _ := b.officerCommandOf(m)
	b.log.Warn("refused a command in a forwarded message", "officer", o.ID, "command", cmd)
	b.reply(ctx, m.Chat.ID, m.ID, forwardedNoCommand, nil)
	return true
}

func (b *Bot) officerCommand(ctx context.Context, o inquiry.Officer, m *models.Message) {
	cmd, args, _ := b.officerCommandOf(m)
	chat := m.Chat.ID
	if cmd != "reply" && len(attachments(m)) > 0 {
		// Said after the command's own answer. A /reply carries its
		// files to the citizen, or is declined whole (declineFiles).
		defer func() {
			b.log.Info("officer's file with a command not kept", "command", cmd, "officer", o.ID, "files", len(attachments(m)))
			b.reply(ctx, chat, m.ID, fmt.Sprintf(filesNotKept, b.uploadLimit()), nil)
		}()
	}
	switch cmd {
	case "start", "help":
		b.reply(ctx, chat, m.ID, fmt.Sprintf("Mirë se vini, %s.\n%s", o.Name, officerHelp), nil)
	case "tickets":
		b.officerTickets(ctx, o, m)
	case "ticket":
		number := ticketNumber(args)
		t, ok, err := b.desk.Ticket(ctx, number)
		switch {
		case err != nil:
			// Silence would read as "no such ticket"; refusalText logs it.
			err = fmt.Errorf("read ticket %s: %w", number, err)
			b.reply(ctx, chat, m.ID, b.refusalText(ctx, "Tiketa nuk u lexua", err, number), nil)
		case number == "" || !ok:
			b.reply(ctx, chat, m.ID, noTicketText(strings.TrimSpace(args)), nil)
		default:
			kb := ticketKeyboard(t)
			if len(kb.InlineKeyboard) == 0 {
				kb = nil
			}
			b.reply(ctx, chat, m.ID, officerTicketText(t, b.officerName(t.OfficerID), b.loc()), kb)
		}
	case "close":
		b.officerClose(ctx, o, m, args)
	case "login":
		b.login(ctx, o, m)
	case "reply":
		number := ticketNumber(args)
		if number == "" {
			b.reply(ctx, chat, m.ID, "Përdorimi: /reply DKP-2026-000042 teksti", nil)
			return
		}
		// The answer is often written on the line below the number: keep
		// it whole, line breaks and all.
		_, text := cutWord(args)
		b.answer(ctx, o, m, number, text)
	default:
		if !b.lifecycleCommand(ctx, o, m, cmd, args) {
			b.reply(ctx, chat, m.ID, officerHelp, nil)
		}
	}
}

// cutWord splits s at its first whitespace of any kind (a space, a tab or a
// line break) into the first word and the rest, the rest without the
// whitespace that separated them but otherwise untouched.
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeftFunc(s[i:], unicode.IsSpace)
}

// officerMessageKey names an officer's Telegram message for the desk, so
// that an update replayed after a crash does not act twice.
func officerMessageKey(m *models.Message) string {
	return fmt.Sprintf("tgofficer:%d:%d", m.Chat.ID, m.ID)
}

// answer sends an officer's text to the citizen on the ticket's channel,
// and the document or photo it is the caption of after it, by its
// Telegram file id, when the citizen wrote in Telegram.
func (b *Bot) answer(ctx context.Context, o inquiry.Officer, m *models.Message, number, text string) {
	files, ok := chatFiles(m)
	if !ok {
		b.declineFiles(ctx, o, m, number, filesWhyKind)
		return
	}
	if !wordy(text) {
		// An "empty" text (an invisible character) or an emoji alone, the
		// officer's acknowledgement of the notification, would reach the
		// citizen as the ministry's answer and mark the ticket answered.
		switch {
		case len(files) > 0:
			b.reply(ctx, m.Chat.ID, m.ID, filesNeedText, nil)
		case blank(text):
			b.reply(ctx, m.Chat.ID, m.ID, "Përgjigjja është bosh; asgjë nuk u dërgua.", nil)
		default:
			b.log.Info("officer's answer without words not sent", "ticket", number, "officer", o.ID)
			b.reply(ctx, m.Chat.ID, m.ID, fmt.Sprintf(answerWithoutWords, number), nil)
		}
		return
	}
	var t inquiry.Ticket
	var again bool
	var err error
	if len(files) > 0 {
		t, again, err = b.desk.AnswerOnceWithFiles(ctx, officerMessageKey(m), number, o.ID, text, files)
	} else {
		t, again, err = b.desk.AnswerOnce(ctx, officerMessageKey(m), number, o.ID, text)
	}
	if r, ok := errors.AsType[*desk.Refusal](err); ok && r.Kind == desk.RefusedFilesChannel {
		b.declineFiles(ctx, o, m, number, "")
		return
	}
	if err != nil {
		b.log.Info("answer refused", "ticket", number, "officer", o.ID, "err", err)
		b.reply(ctx, m.Chat.ID, m.ID, b.refusalText(ctx, "Përgjigjja nuk u dërgua", err, number), nil)
		return
	}
	if again {
		b.log.Info("officer's answer from telegram seen again (replayed update); not sent twice", "ticket", t.Number, "officer", o.ID)
	} else {
		b.log.Info("officer answered from telegram", "ticket", t.Number, "officer", o.ID, "channel", t.Channel, "files", len(files))
	}
	note := fmt.Sprintf("Përgjigjja për %s po i dërgohet qytetarit (%s). Tiketa tani është e përgjigjur.", t.Number, t.Channel)
	switch {
	case t.Channel == inquiry.ChannelTelegram && t.ChatID == 0:
		note = fmt.Sprintf("Përgjigjja për %s u ruajt: qytetari shkroi në grupin publik dhe do ta marrë privatisht sapo të hapë bisedën me botin. Tiketa tani është e përgjigjur.", t.Number)
	case len(files) > 0:
		note = fmt.Sprintf(filesAnswerSentTo, t.Number, len(files))
	}
	b.reply(ctx, m.Chat.ID, m.ID, note, nil)
}

// wordy reports whether text has a letter or a digit in it: an answer
// to a citizen is words, not an emoji, a mark or an invisible character.
func wordy(text string) bool {
	return strings.ContainsFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) })
}

// chatFiles are the files of an officer's message that the bot can send
// on to a citizen's chat by their file id: a document, a photo (its
// largest size). ok is false when the message carries another kind of
// file (a voice message, a video), which is not passed on.
func chatFiles(m *models.Message) (files []inquiry.ChatFile, ok bool) {
	if len(m.Photo) > 0 {
		best := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.Width*p.Height > best.Width*best.Height {
				best = p
			}
		}
		files = append(files, inquiry.ChatFile{FileID: best.FileID, Kind: inquiry.ChatPhoto, Name: "photo.jpg", ContentType: "image/jpeg", Size: int64(best.FileSize)})
	}
	if d := m.Document; d != nil {
		files = append(files, inquiry.ChatFile{FileID: d.FileID, Kind: inquiry.ChatDocument, Name: or(textsafe.FileName(d.FileName), "document"),
			ContentType: or(d.MimeType, "application/octet-stream"), Size: d.FileSize})
	}
	return files, len(files) == len(attachments(m))
}

// uploadLimit says the largest file the Bot API takes from the bot.
func (b *Bot) uploadLimit() string {
	if n := b.opts.MaxUploadBytes; n > 0 {
		return desk.UploadLimitText(n)
	}
	return desk.UploadLimitText(desk.TelegramMaxUpload)
}

// declineFiles tells an officer that their answer, which carries files,
// was not sent (why, or, when empty, the reason the ticket's channel
// gives), and how a file does reach the citizen: the words alone ("here
// is the document") would speak of a file the citizen never gets, and an
// edit cannot mend what was sent.
func (b *Bot) declineFiles(ctx context.Context, o inquiry.Officer, m *models.Message, number, why string) {
	how := fmt.Sprintf(filesHowGeneric, b.uploadLimit())
	t, ok, err := b.desk.Ticket(ctx, number)
	switch {
	case err != nil:
		// The answer is declined all the same; only the advice is general.
		b.log.Warn("read the ticket to say how a file reaches its citizen", "ticket", number, "err", err)
	case !ok:
		why = or(why, filesWhyNoTicket)
	case t.Channel == inquiry.ChannelTelegram:
		how = fmt.Sprintf(filesHowTelegram, b.uploadLimit(), t.Number)
		if t.ChatID == 0 {
			why = or(why, filesWhyNoChat)
		}
	case t.Sender.Address != "":
		how = filesHowMail
		why = or(why, filesWhyMail)
	}
	why = or(why, filesWhyNoTicket)
	b.log.Info("officer's answer with files not sent", "ticket", number, "officer", o.ID, "files", len(attachments(m)), "why", why)
	b.reply(ctx, m.Chat.ID, m.ID, fmt.Sprintf(filesNotSent, number, why)+" "+how, nil)
}

func (b *Bot) officerTickets(ctx context.Context, o inquiry.Officer, m *models.Message) {
	tickets, err := b.desk.Tickets(ctx, inquiry.TicketFilter{OfficerID: o.ID, States: []inquiry.State{inquiry.Assigned, inquiry.Answered}})
	if err != nil {
		err = fmt.Errorf("list the tickets of %s: %w", o.ID, err)
		b.reply(ctx, m.Chat.ID, m.ID, b.refusalText(ctx, "Tiketat nuk u lexuan", err, ""), nil)
		return
	}
	if len(tickets) == 0 {
		b.reply(ctx, m.Chat.ID, m.ID, "Nuk keni tiketa të hapura.", nil)
		return
	}
	sortByDeadline(tickets)
	var sb strings.Builder
	fmt.Fprintf(&sb, "Tiketat tuaja të hapura (%d):", len(tickets))
	for _, t := range tickets {
		fmt.Fprintf(&sb, "\n• %s · %s · %s", t.Number, officerCategory[t.Category], t.State)
		if !t.DueAt.IsZero() {
			fmt.Fprintf(&sb, " · afati %s", t.DueAt.In(b.loc()).Format("02.01.2006"))
		}
	}
	b.reply(ctx, m.Chat.ID, m.ID, sb.String(), nil)
}

// sortByDeadline puts the most urgent first: earliest deadline, tickets
// without one after all that have one, then oldest received.
func sortByDeadline(ts []inquiry.Ticket) {
	slices.SortStableFunc(ts, func(a, c inquiry.Ticket) int {
		switch {
		case a.DueAt.IsZero() != c.DueAt.IsZero():
			if a.DueAt.IsZero() {
				return 1
			}
			return -1
		case !a.DueAt.Equal(c.DueAt):
			return a.DueAt.Compare(c.DueAt)
		}
		return a.ReceivedAt.Compare(c.ReceivedAt)
	})
}

func (b *Bot) officerClose(ctx context.Context, o inquiry.Officer, m *models.Message, args string) {
	number := ticketNumber(args)
	if number == "" {
		b.reply(ctx, m.Chat.ID, m.ID, "Përdorimi: /close DKP-2026-000042 [rezultati] [shënim]", nil)
		return
	}
	// Words are set off by any whitespace (officers put the outcome or the
	// note on the next line); the note keeps its own line breaks.
	_, rest := cutWord(args)
	outcome, ground := inquiry.NoOutcome, ""
	if first, note := cutWord(rest); first != "" {
		if oc, err := inquiry.ParseOutcome(first); err == nil {
			outcome, rest = oc, note
		}
	}
	if outcome.NeedsGround() {
		ground, rest = cutWord(rest)
		if ground == "" {
			t, ok, err := b.desk.Ticket(ctx, number)
			if err != nil {
				b.closeReadFailed(ctx, m, number, err)
				return
			}
			if ok && t.Category == inquiry.DocumentRequest && t.State.Open() {
				b.reply(ctx, m.Chat.ID, m.ID, t.Number+": zgjidhni bazën ligjore të kufizimit.", b.groundKeyboard(t, outcome))
				return
			}
		}
	}
	if outcome == inquiry.NoOutcome {
		t, ok, err := b.desk.Ticket(ctx, number)
		if err != nil {
			b.closeReadFailed(ctx, m, number, err)
			return
		}
		if ok && t.Category == inquiry.DocumentRequest && t.State.Open() {
			// The annual report counts document requests by outcome: ask.
			b.reply(ctx, m.Chat.ID, m.ID, t.Number+": zgjidhni rezultatin.", outcomeKeyboard(t))
			return
		}
	}
	t, err := b.desk.CloseWith(ctx, number, desk.Closing{Outcome: outcome, Ground: ground, Note: rest}, o.ID)
	if err != nil {
		b.log.Info("close refused", "ticket", number, "officer", o.ID, "outcome", outcome, "err", err)
		b.reply(ctx, m.Chat.ID, m.ID, b.refusalText(ctx, "Tiketa nuk u mbyll", err, number), nil)
		return
	}
	b.log.Info("ticket closed from telegram", "ticket", t.Number, "officer", o.ID, "outcome", t.Outcome, "ground", t.Ground)
	b.reply(ctx, m.Chat.ID, m.ID, closedText(t), nil)
}

// closeReadFailed tells the officer that /close was not done because the
// ticket could not be read before it (to ask for the outcome or the
// ground): silence would leave them thinking it was. refusalText logs it at
// error level and says it as a failure of the system.
func (b *Bot) closeReadFailed(ctx context.Context, m *models.Message, number string, err error) {
	err = fmt.Errorf("read ticket %s before closing it: %w", number, err)
	b.reply(ctx, m.Chat.ID, m.ID, b.refusalText(ctx, "Tiketa nuk u mbyll", err, number), nil)
}

// onCallback handles button presses: language choice for anyone, ticket
// actions for officers only.
func (b *Bot) onCallback(ctx context.Context, _ *tgbot.Bot, u *models.Update) {
	q := u.CallbackQuery
	if choice, ok := strings.CutPrefix(q.Data, "lang:"); ok {
		b.onLanguageChoice(ctx, q, choice)
		return
	}
	rest, ok := strings.CutPrefix(q.Data, "t:")
	if !ok {
		b.queue(ctx, outgoing{answer: &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID}})
		return
	}
	o, isOfficer := b.officer(q.From.ID)
	if !isOfficer {
		b.log.Warn("refused a ticket button from a non-officer", "user_id", q.From.ID)
		b.queue(ctx, outgoing{answer: &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID,
			Text: say(b.chatLanguage(ctx, q.From.ID, &q.From)).refused, ShowAlert: true}})
		return
	}
	number, action, _ := strings.Cut(rest, ":")
	action, arg, _ := strings.Cut(action, ":")
	t, done, err := b.ticketAction(ctx, o, number, action, arg)
	answer := &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID}
	if err != nil {
		b.log.Info("ticket button refused", "ticket", number, "officer", o.ID, "action", action, "err", err)
		answer.Text, answer.ShowAlert = clipAlert(b.refusalText(ctx, "Nuk u krye", err, number)), true
		b.queue(ctx, outgoing{answer: answer})
		if msg := q.Message.Message; msg != nil {
			b.refreshAfterRefusal(ctx, msg, number, t, err)
		}
		return
	}
	answer.Text = done
	if done == "" {
		answer.Text = actionDone(action, arg, t, b)
	}
	b.queue(ctx, outgoing{answer: answer})
	if msg := q.Message.Message; msg != nil {
		// Telegram refuses an edit that changes nothing.
		if kb := b.keyboardAfter(action, arg, t); !sameKeyboard(msg.ReplyMarkup, kb) {
			b.queue(ctx, outgoing{edit: &tgbot.EditMessageReplyMarkupParams{ChatID: msg.Chat.ID, MessageID: msg.ID, ReplyMarkup: kb}})
		}
	}
}

// ticketAction does what a button asks and returns the ticket as it is now,
// and, when actionDone's text would not fit, what to tell the officer.
func (b *Bot) ticketAction(ctx context.Context, o inquiry.Officer, number, action, arg string) (inquiry.Ticket, string, error) {
	switch action {
	case "take":
		t, err := b.desk.Take(ctx, number, o.ID)
		return t, "", err
	case "to":
		if _, ok := b.staff.Load().byID[arg]; !ok {
			return inquiry.Ticket{}, "", officerRefusal(fmt.Sprintf("Zyrtar i panjohur %q.", arg))
		}
		t, err := b.desk.Assign(ctx, number, arg, o.ID)
		return t, "", err
	case "cat":
		t, err := b.desk.Recategorize(ctx, number, inquiry.Category(arg), o.ID)
		return t, "", err
	case "out":
		oc, err := inquiry.ParseOutcome(arg)
		if err != nil {
			return inquiry.Ticket{}, "", officerRefusal(fmt.Sprintf("Rezultat i panjohur %q.", arg))
		}
		if oc.NeedsGround() {
			// A menu: the ground is chosen next (groundKeyboard).
			t, err := b.menuTicket(ctx, number, true)
			return t, "", err
		}
		t, err := b.desk.CloseWith(ctx, number, desk.Closing{Outcome: oc}, o.ID)
		return t, "", err
	case "reassign", "back":
		// Menus only: show choices, change nothing. An officer may still
		// be made responsible for a ticket that is not worked.
		t, err := b.menuTicket(ctx, number, false)
		return t, "", err
	case "category", "close":
		t, err := b.menuTicket(ctx, number, true)
		return t, "", err
	}
	if t, done, ok, err := b.lifecycleAction(ctx, o, number, action, arg); ok {
		return t, done, err
	}
	return inquiry.Ticket{}, "", officerRefusal(fmt.Sprintf("Veprim i panjohur %q.", action))
}

// menuTicket reads the ticket a menu button is about. When open is set,
// the menu is only for an open ticket (every choice in it would be refused
// on one closed or set aside as spam or bulk), and is refused at once.
func (b *Bot) menuTicket(ctx context.Context, number string, open bool) (inquiry.Ticket, error) {
	t, ok, err := b.desk.Ticket(ctx, number)
	switch {
	case err != nil:
		return t, err
	case !ok:
		return t, officerRefusal(noTicketText(number))
	case !open || t.State.Open():
		return t, nil
	case t.State == inquiry.Closed:
		return t, officerRefusal(fmt.Sprintf("%s është e mbyllur (%s): rihapeni me /reopen %s për ta punuar sërish.", t.Number, outcomeNames[t.Outcome], t.Number))
	}
	return t, officerRefusal(fmt.Sprintf("%s është shënuar si %s dhe nuk punohet: nuk ka çfarë të mbyllet apo të ndryshohet.", t.Number, or(setAsideNames[t.State], string(t.State))))
}

func actionDone(action, arg string, t inquiry.Ticket, b *Bot) string {
	switch action {
	case "take":
		return t.Number + " është tani e juaja."
	case "to":
		return t.Number + " iu caktua " + b.officerName(arg) + "."
	case "cat":
		return t.Number + ": " + officerCategory[t.Category] + "."
	case "out", "gr":
		if t.State != inquiry.Closed {
			return t.Number + ": zgjidhni bazën ligjore."
		}
		return closedText(t)
	case "urgent":
		if t.Urgent {
			return t.Number + " është urgjente (48 orë); shefi është njoftuar. Për ta hequr: /urgent " + t.Number + " off"
		}
		return t.Number + " nuk është më urgjente."
	case "notheld":
		return t.Number + ": qytetari njoftohet se nuk e posedojmë dokumentin."
	}
	return ""
}

// keyboardAfter is what buttons the notification carries after action.
func (b *Bot) keyboardAfter(action, arg string, t inquiry.Ticket) *models.InlineKeyboardMarkup {
	switch {
	case t.State == inquiry.Closed:
		return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
	case action == "out" && inquiry.Outcome(arg).NeedsGround():
		return b.groundKeyboard(t, inquiry.Outcome(arg))
	case action == "reassign":
		return b.officerKeyboard(t)
	case action == "category":
		return categoryKeyboard(t)
	case action == "close":
		return outcomeKeyboard(t)
	}
	return ticketKeyboard(t)
}

func cb(text, data string) models.InlineKeyboardButton {
	return models.InlineKeyboardButton{Text: text, CallbackData: data}
}

// ticketKeyboard is the keyboard under a ticket's message as the ticket
// stands now: Take only until someone acted, nothing once it is closed.
func ticketKeyboard(t inquiry.Ticket) *models.InlineKeyboardMarkup {
	if !t.State.Open() {
		return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
	}
	actions := []inquiry.TicketAction{inquiry.ActionReassign, inquiry.ActionRecategorize, inquiry.ActionClose}
	if t.Category == inquiry.DocumentRequest {
		actions = append(actions, inquiry.ActionUrgent, inquiry.ActionNotHeld)
	}
	if !t.Acted {
		actions = append([]inquiry.TicketAction{inquiry.ActionTake}, actions...)
	}
	kb, err := actionKeyboard(t.Number, actions)
	if err != nil {
		// Only a ticket number too long for callback data gets here.
		return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
	}
	return kb
}

// actionLabels name the ticket actions on their buttons; actionRows lays
// them out, two to a row.
var (
	actionLabels = map[inquiry.TicketAction]string{
		inquiry.ActionTake:         "Merre",
		inquiry.ActionReassign:     "Ricakto",
		inquiry.ActionRecategorize: "Ndrysho kategorinë",
		inquiry.ActionClose:        "Mbyll",
		inquiry.ActionUrgent:       "Urgjente (48 orë)",
		inquiry.ActionNotHeld:      "Nuk e posedojmë",
	}
	actionRows = [][]inquiry.TicketAction{
		{inquiry.ActionTake, inquiry.ActionReassign},
		{inquiry.ActionRecategorize, inquiry.ActionClose},
		{inquiry.ActionUrgent, inquiry.ActionNotHeld},
	}
)

// actionKeyboard renders the offered actions on ticket number as buttons
// whose callback data ("t:NUMBER:ACTION") onCallback parses. This file
// alone writes and reads that format.
func actionKeyboard(number string, offered []inquiry.TicketAction) (*models.InlineKeyboardMarkup, error) {
	if number == "" {
		return nil, errors.New("ticket actions offered without a ticket")
	}
	for _, a := range offered {
		if _, ok := actionLabels[a]; !ok {
			return nil, fmt.Errorf("unknown ticket action %q", a)
		}
	}
	p := "t:" + number + ":"
	kb := &models.InlineKeyboardMarkup{}
	for _, row := range actionRows {
		var r []models.InlineKeyboardButton
		for _, a := range row {
			if !slices.Contains(offered, a) {
				continue
			}
			data := p + string(a)
			if len(data) > 64 {
				return nil, fmt.Errorf("ticket %s: callback data longer than Telegram's 64 bytes", number)
			}
			r = append(r, cb(actionLabels[a], data))
		}
		if len(r) > 0 {
			kb.InlineKeyboard = append(kb.InlineKeyboard, r)
		}
	}
	return kb, nil
}

func (b *Bot) officerKeyboard(t inquiry.Ticket) *models.InlineKeyboardMarkup {
	p := "t:" + t.Number + ":"
	var rows [][]models.InlineKeyboardButton
	for _, o := range b.staff.Load().officers {
		data := p + "to:" + o.ID
		if len(data) > 64 || o.ID == t.OfficerID {
			continue // Telegram caps callback data at 64 bytes
		}
		rows = append(rows, []models.InlineKeyboardButton{cb(or(o.Name, o.ID), data)})
	}
	rows = append(rows, []models.InlineKeyboardButton{cb("« Kthehu", p+"back")})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func categoryKeyboard(t inquiry.Ticket) *models.InlineKeyboardMarkup {
	p := "t:" + t.Number + ":"
	var rows [][]models.InlineKeyboardButton
	for _, c := range inquiry.Categories {
		if c == t.Category {
			continue
		}
		rows = append(rows, []models.InlineKeyboardButton{cb(officerCategory[c], p+"cat:"+string(c))})
	}
	rows = append(rows, []models.InlineKeyboardButton{cb("« Kthehu", p+"back")})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// outcomeKeyboard offers the outcomes the annual report counts for
// document requests, and "resolved" for anything else.
func outcomeKeyboard(t inquiry.Ticket) *models.InlineKeyboardMarkup {
	p := "t:" + t.Number + ":"
	outcomes := []inquiry.Outcome{inquiry.Resolved, inquiry.NoAnswerNeeded}
	if t.Category == inquiry.DocumentRequest {
		outcomes = []inquiry.Outcome{inquiry.Granted, inquiry.PartlyGranted, inquiry.Refused, inquiry.NotHeld, inquiry.Withdrawn}
	}
	var rows [][]models.InlineKeyboardButton
	for _, oc := range outcomes {
		rows = append(rows, []models.InlineKeyboardButton{cb(outcomeNames[oc], p+"out:"+string(oc))})
	}
	rows = append(rows, []models.InlineKeyboardButton{cb("« Kthehu", p+"back")})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// closedText tells the officer how a ticket was closed.
func closedText(t inquiry.Ticket) string {
	text := fmt.Sprintf("%s u mbyll: %s", t.Number, outcomeNames[t.Outcome])
	if t.Ground != "" {
		text += " (baza: " + t.Ground + ")"
	}
	if t.Category == inquiry.DocumentRequest && !t.DecisionInAnswer && t.Outcome.IsDecision() &&
		(t.Outcome != inquiry.NotHeld || t.NotHeldMark == nil) {
		text += ". Qytetari merr vendimin në gjuhën e tij"
	}
	return text + "."
}

// login sends an officer a one-time link to the web workspace, only in
// their private chat: in a group anyone there could use it first.
func (b *Bot) login(ctx context.Context, o inquiry.Officer, m *models.Message) {
	switch {
	case b.opts.SignInLinks == nil:
		b.reply(ctx, m.Chat.ID, m.ID, "Hapësira e punës në ueb nuk është e ndezur (web.addr).", nil)
	case m.Chat.Type != models.ChatTypePrivate || m.From == nil || m.Chat.ID != m.From.ID:
		b.reply(ctx, m.Chat.ID, m.ID, "Dërgojeni /login në bisedën private me mua: lidhja vlen për këdo që e hap.", nil)
	default:
		link, expires, err := b.opts.SignInLinks.NewLink(ctx, o.ID)
		if err != nil {
			b.log.Error("new web sign-in link", "officer", o.ID, "err", err)
			b.reply(ctx, m.Chat.ID, m.ID, "Lidhja nuk u krijua; provoni përsëri.", nil)
			return
		}
		b.log.Info("sent a web sign-in link", "officer", o.ID)
		b.reply(ctx, m.Chat.ID, m.ID, fmt.Sprintf("Lidhja për t'u kyçur në hapësirën e punës (vlen një herë, deri në %s):\n%s",
			expires.In(b.loc()).Format("15:04"), link), nil)
	}
}
