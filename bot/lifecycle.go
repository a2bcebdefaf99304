package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/desk"
	"sportel/inquiry"
)

// The lifecycle of a document request in Telegram: /urgent, /extend,
// /notheld, /close with a ground, /reopen, and the buttons under a
// notification (urgent, not held, and a ground chosen after a refusal).
// Callback data for a ground is "t:NUMBER:gr:r:ID" (refused) or
// "t:NUMBER:gr:p:ID" (partly granted); this file alone writes and reads it.

// Lifecycle is what the bot asks of the desk for a document request's
// lifecycle.
type Lifecycle interface {
	// SetUrgent sets or clears the urgent flag and says whether that
	// changed anything (heads are told only when it did).
	SetUrgent(ctx context.Context, number string, on bool, by string) (inquiry.Ticket, desk.UrgentChange, error)
	Extend(ctx context.Context, number string, days int, reason, by string) (inquiry.Ticket, error)
	NotHeld(ctx context.Context, number, holder, by string) (inquiry.Ticket, error)
	CloseWith(ctx context.Context, number string, c desk.Closing, by string) (inquiry.Ticket, error)
	Reopen(ctx context.Context, number, by string) (inquiry.Ticket, error)
}

// Ground is a refusal ground as its button shows it.
type Ground struct {
	ID    string
	Label string // in Albanian, the officers' language
}

const lifecycleHelp = "/urgent NUMRI [off], /extend NUMRI DITËT arsyeja, /notheld NUMRI [mbajtësi], " +
	"/close NUMRI refused|partly_granted BAZA, /reopen NUMRI"

// groundOutcome is the short form of the outcomes that take a ground, to
// keep callback data within Telegram's 64 bytes.
var groundOutcome = map[string]inquiry.Outcome{"r": inquiry.Refused, "p": inquiry.PartlyGranted}

// lifecycleCommand runs /urgent, /extend, /notheld and /reopen; handled is
// false for any other command.
func (b *Bot) lifecycleCommand(ctx context.Context, o inquiry.Officer, m *models.Message, cmd, args string) (handled bool) {
	number := ticketNumber(args)
	fields := strings.Fields(args)
	var rest []string
	if len(fields) > 0 {
		rest = fields[1:]
	}
	usage := map[string]string{
		"urgent":  "/urgent DKP-2026-000042 [off]",
		"extend":  "/extend DKP-2026-000042 10 arsyeja e zgjatjes",
		"notheld": "/notheld DKP-2026-000042 [institucioni që e mban]",
		"reopen":  "/reopen DKP-2026-000042",
	}
	u, ok := usage[cmd]
	if !ok {
		return false
	}
	if number == "" {
		b.reply(ctx, m.Chat.ID, m.ID, "Përdorimi: "+u, nil)
		return true
	}
	var (
		t    inquiry.Ticket
		err  error
		done string
	)
	switch cmd {
	case "urgent":
		on := !(len(rest) == 1 && strings.EqualFold(rest[0], "off"))
		var ch desk.UrgentChange
		if t, ch, err = b.desk.SetUrgent(ctx, number, on, o.ID); err == nil {
			done = b.urgentText(t, ch)
		}
	case "extend":
		// The reason goes to the citizen in the extension notice: it keeps
		// its line breaks, as an answer does (cutWord).
		_, after := cutWord(args)
		daysWord, reason := cutWord(after)
		if daysWord == "" || strings.TrimSpace(reason) == "" {
			b.reply(ctx, m.Chat.ID, m.ID, "Përdorimi: "+u, nil)
			return true
		}
		days, convErr := strconv.Atoi(daysWord)
		if convErr != nil {
			b.reply(ctx, m.Chat.ID, m.ID, fmt.Sprintf("%q nuk është numër ditësh. Përdorimi: %s", daysWord, u), nil)
			return true
		}
		if t, err = b.desk.Extend(ctx, number, days, reason, o.ID); err == nil {
			done = fmt.Sprintf("%s: afati u zgjat për %d ditë, deri më %s. Qytetari njoftohet.", t.Number, days, t.DueAt.In(b.loc()).Format("02.01.2006"))
		}
	case "notheld":
		if t, err = b.desk.NotHeld(ctx, number, strings.Join(rest, " "), o.ID); err == nil {
			done = t.Number + ": shënuar si dokument që nuk e posedojmë. Qytetari njoftohet; mbylleni me /close " + t.Number + " not_held."
		}
	case "reopen":
		if t, err = b.desk.Reopen(ctx, number, o.ID); err == nil {
			done = t.Number + " u rihap."
		}
	}
	if err != nil {
		b.log.Info("officer command refused", "command", cmd, "ticket", number, "officer", o.ID, "err", err)
		b.reply(ctx, m.Chat.ID, m.ID, b.refusalText(ctx, "Nuk u krye", err, number), nil)
		return true
	}
	b.log.Info("officer command from telegram", "command", cmd, "ticket", t.Number, "officer", o.ID)
	b.reply(ctx, m.Chat.ID, m.ID, done, nil)
	return true
}

// urgentText tells the officer what /urgent did. Only a document request
// has a legal deadline; urgent on a question or a press inquiry still
// tells the heads, but there is no date to show. A flag that already was
// as asked changed nothing and told nobody, and says so.
func (b *Bot) urgentText(t inquiry.Ticket, ch desk.UrgentChange) string {
	loc := b.loc()
	if !ch.Changed {
		if !t.Urgent {
			return t.Number + " nuk është urgjente; asgjë nuk ndryshoi."
		}
		text := t.Number + " është tashmë urgjente"
		if !ch.MarkedAt.IsZero() {
			text += " që nga " + ch.MarkedAt.In(loc).Format("02.01.2006 15:04")
		}
		switch ch.MarkedBy {
		case "":
		case "sportel":
			text += " (e shënoi Sportel-i sipas tekstit të qytetarit)"
		default:
			text += " (e shënoi " + b.officerName(ch.MarkedBy) + ")"
		}
		text += "; askush nuk u njoftua sërish."
		if !t.DueAt.IsZero() {
			text += " Afati: " + t.DueAt.In(loc).Format("02.01.2006 15:04") + "."
		}
		return text
	}
	switch {
	case t.Urgent && t.DueAt.IsZero():
		return t.Number + " është urgjente (afati ligjor nuk vlen për këtë kategori). Shefi i divizionit është njoftuar."
	case t.Urgent:
		return fmt.Sprintf("%s është urgjente: afati %s. Shefi i divizionit është njoftuar.", t.Number, t.DueAt.In(loc).Format("02.01.2006 15:04"))
	case t.DueAt.IsZero():
		return t.Number + " nuk është më urgjente."
	}
	return fmt.Sprintf("%s nuk është më urgjente: afati %s.", t.Number, t.DueAt.In(loc).Format("02.01.2006"))
}

// lifecycleAction does what a lifecycle button asks; ok is false for a
// button that is not one. done, when set, is what to tell the officer
// instead of actionDone's text.
func (b *Bot) lifecycleAction(ctx context.Context, o inquiry.Officer, number, action, arg string) (t inquiry.Ticket, done string, ok bool, err error) {
	switch action {
	case "urgent":
		// The button marks urgent, never clears (/urgent NUMBER off does):
		// pressed twice, or replayed after a crash, it must not put the
		// ordinary deadline back unseen.
		var ch desk.UrgentChange
		t, ch, err = b.desk.SetUrgent(ctx, number, true, o.ID)
		if err == nil && !ch.Changed {
			done = b.urgentText(t, ch)
		}
		return t, done, true, err
	case "notheld":
		t, err = b.desk.NotHeld(ctx, number, "", o.ID)
		return t, "", true, err
	case "gr":
		short, id, _ := strings.Cut(arg, ":")
		oc, known := groundOutcome[short]
		if !known || id == "" {
			return inquiry.Ticket{}, "", true, officerRefusal(fmt.Sprintf("Bazë e panjohur %q.", arg))
		}
		t, err = b.desk.CloseWith(ctx, number, desk.Closing{Outcome: oc, Ground: id}, o.ID)
		return t, "", true, err
	}
	return inquiry.Ticket{}, "", false, nil
}

// groundKeyboard offers the configured grounds for closing t with oc.
func (b *Bot) groundKeyboard(t inquiry.Ticket, oc inquiry.Outcome) *models.InlineKeyboardMarkup {
	short := "r"
	if oc == inquiry.PartlyGranted {
		short = "p"
	}
	p := "t:" + t.Number + ":"
	var rows [][]models.InlineKeyboardButton
	for _, g := range b.staff.Load().grounds {
		data := p + "gr:" + short + ":" + g.ID
		if len(data) > 64 {
			continue // Telegram caps callback data at 64 bytes; /close NUMRI still takes it
		}
		rows = append(rows, []models.InlineKeyboardButton{cb(or(g.Label, g.ID), data)})
	}
	rows = append(rows, []models.InlineKeyboardButton{cb("« Kthehu", p+"close")})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func (b *Bot) loc() *time.Location { return b.staff.Load().location }
