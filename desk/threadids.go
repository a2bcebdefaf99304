package desk

import (
	"strings"
	"unicode/utf8"

	"sportel/inquiry"
	"sportel/store"
)

// recordMailRef ties m's Message-ID to ticket, so that a reply citing it
// finds the ticket. One shaped as a Telegram message's reference
// ("tg:<chat>:<message>": no mail's Message-ID is, which always has an
// "@") is not, though the parser reads "<tg:4242:7>" as one: a reference
// keeps its first ticket, so recorded first it would keep Sportel's own,
// written when the Telegram message is sent, from being recorded, and an
// officer's reply to their notification there would find the sender's
// ticket instead of the notification.
func recordMailRef(tx store.Tx, m *inquiry.Message, ticketID int64) error {
	if m.MessageID == "" || telegramRef(m.MessageID) {
		return nil
	}
	return tx.AddThreadRef(inquiry.ThreadRef{Ref: m.MessageID, TicketID: ticketID})
}

// telegramRef reports whether ref has the shape of the reference the bot
// gives a Telegram message it sent ("tg:<chat>:<message>").
func telegramRef(ref string) bool {
	return strings.HasPrefix(ref, "tg:") && !strings.Contains(ref, "@")
}

// threadIDs is ids without those the mailer cannot write in In-Reply-To or
// References (blank, or holding "<", ">" or a line break; the mailer
// refuses the whole mail for one) and those that are not ASCII (8-bit
// bytes in a header the relay is not told is UTF-8: the mailer asks for
// SMTPUTF8 only for addresses). They come from the sender's mail, as broken
// clients and scripts wrote them ("<<id>>"); a thread reference left out
// costs the reader's client its threading, a refused mail costs the
// citizen the acknowledgement or the officer's answer for good.
func threadIDs(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if writableID(id) {
			out = append(out, id)
		}
	}
	return out
}

// writableID reports whether id is ASCII, holds no "<", ">" or line break
// and is not all space, in one pass: every acknowledgement asks it.
func writableID(id string) bool {
	blank := true
	for i := 0; i < len(id); i++ {
		switch c := id[i]; c {
		case '<', '>', '\r', '\n':
			return false
		case '\t', '\v', '\f', ' ':
		default:
			if c >= utf8.RuneSelf {
				return false
			}
			blank = false
		}
	}
	return !blank
}
