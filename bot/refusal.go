package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sportel/desk"
	"sportel/inquiry"
)

// officerRefusal is a refusal the bot makes itself, before or instead of
// the desk (a menu on a closed ticket, a button it does not know): already
// in the officers' Albanian, it is shown as it is.
type officerRefusal string

func (e officerRefusal) Error() string { return string(e) }

// refusalText says in Albanian why an officer's action on ticket number
// was not done, after lead (what was not done: "Tiketa nuk u mbyll"). The
// desk's refusals are said as the desk says them to an officer
// (desk.Refusal.Say: one text for Telegram, mail and the web workspace),
// with the command that mends a closed or set-aside ticket; a failure of
// the system (the store's) is said as one, to try again, and logged at
// error level. Only a refusal without a kind, which the desk no longer
// makes, keeps its own reason after the lead. The caller logs err itself,
// in English.
func (b *Bot) refusalText(ctx context.Context, lead string, err error, number string) string {
	var own officerRefusal
	var r *desk.Refusal
	switch {
	case errors.As(err, &own):
		return string(own)
	case errors.As(err, &r):
		return lead + ": " + refusalReason(r)
	case errors.Is(err, desk.ErrNoTicket):
		// A typing mistake in a number is common enough to say plainly.
		return noTicketText(number)
	case errors.Is(err, desk.ErrLifecycle):
		return lead + ": " + strings.TrimPrefix(err.Error(), desk.ErrLifecycle.Error()+": ")
	}
	b.log.ErrorContext(ctx, "officer action failed", "ticket", number, "err", err)
	return lead + ": " + desk.InternalFailureText(inquiry.Albanian)
}

// noTicketText says that number names no ticket as the desk says it to an
// officer (desk.OfficerText), so Telegram and the web workspace use the
// same words.
func noTicketText(number string) string {
	return desk.OfficerText(fmt.Errorf("%w %s", desk.ErrNoTicket, number), inquiry.Albanian)
}

// setAsideNames name the states of mail that is kept and not worked.
var setAsideNames = map[inquiry.State]string{inquiry.SpamMail: "spam", inquiry.BulkMail: "postë masive"}

// refusalReason is a refusal of the desk in Albanian, with /reopen for a
// ticket that must be reopened (or taken into the work: desk.Reopen) first.
func refusalReason(r *desk.Refusal) string {
	reason := r.Say(inquiry.Albanian)
	switch r.Kind {
	case desk.RefusedClosed:
		return strings.TrimSuffix(reason, ".") + " me /reopen " + r.Ticket + "."
	case desk.RefusedSetAside:
		return reason + " Për ta marrë në punë: /reopen " + r.Ticket + "."
	}
	return reason
}

// alertMax is the most characters Telegram shows in a button's alert
// (answerCallbackQuery refuses a longer text, and the officer sees none).
const alertMax = 200

// clipAlert cuts text to fit an alert, in UTF-16 units as Telegram counts.
func clipAlert(text string) string {
	if utf16Len(text) <= alertMax {
		return text
	}
	var sb strings.Builder
	n := 0
	for _, r := range text {
		w := max(utf16.RuneLen(r), 1)
		if n+w > alertMax-1 { // room for the ellipsis
			break
		}
		sb.WriteRune(r)
		n += w
	}
	return sb.String() + "…"
}

// refreshAfterRefusal puts on msg, whose button press err refused, the
// buttons its ticket offers now (none once it is closed or set aside) when
// they differ from msg's: buttons drawn before the ticket moved on would
// go on offering what can only be refused again. t is the ticket as the
// refusal read it, if it did. A failure that is no refusal (the store's)
// leaves the buttons: nothing is known to have changed.
func (b *Bot) refreshAfterRefusal(ctx context.Context, msg *models.Message, number string, t inquiry.Ticket, err error) {
	var own officerRefusal
	refused := errors.As(err, &own) || errors.Is(err, desk.ErrLifecycle)
	if t.Number == "" {
		cur, ok, lookErr := b.desk.Ticket(ctx, number)
		if lookErr != nil {
			b.log.Warn("read ticket after a refused button", "ticket", number, "err", lookErr)
			return
		}
		// A ticket that does not exist has no buttons that work.
		t, refused = cur, refused || !ok
	}
	if !refused {
		return
	}
	kb := ticketKeyboard(t)
	if sameKeyboard(msg.ReplyMarkup, kb) {
		// Telegram refuses an edit that changes nothing.
		return
	}
	b.queue(ctx, outgoing{edit: &tgbot.EditMessageReplyMarkupParams{ChatID: msg.Chat.ID, MessageID: msg.ID, ReplyMarkup: kb}})
}

// sameKeyboard reports whether two inline keyboards show the same buttons;
// none and an empty one are the same.
func sameKeyboard(a, b *models.InlineKeyboardMarkup) bool {
	var ra, rb [][]models.InlineKeyboardButton
	if a != nil {
		ra = a.InlineKeyboard
	}
	if b != nil {
		rb = b.InlineKeyboard
	}
	return slices.EqualFunc(ra, rb, func(x, y []models.InlineKeyboardButton) bool {
		return slices.EqualFunc(x, y, func(p, q models.InlineKeyboardButton) bool {
			return p.Text == q.Text && p.CallbackData == q.CallbackData && p.URL == q.URL
		})
	})
}
