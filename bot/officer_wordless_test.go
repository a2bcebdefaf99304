package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// An officer's reply with no words in it is no answer: an "empty" text
// (a zero-width space, a braille blank, as Telegram users send one) or an
// emoji alone, which officers send to acknowledge a notification, reached
// the citizen as the ministry's answer ("DKP-…\n\n👍") and marked the
// ticket answered. The officer is told instead, and nothing is sent.
func TestOfficersWordlessReplyIsNotSent(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		command bool // as /reply NUMBER text, not a reply to the notification
		sent    bool
		told    string // in what the officer is told
	}{
		{"zero-width space", "\u200b", false, false, "bosh"},
		{"braille blank", "\u2800\u2800", false, false, "bosh"},
		{"thumbs up", "👍", false, false, "pa asnjë fjalë"},
		{"emoji and marks", "🙏🏽 !!", false, false, "pa asnjë fjalë"},
		{"thumbs up by /reply", "👍", true, false, "pa asnjë fjalë"},
		{"words with an emoji", "Po, hapet të dielën 👍", false, true, "po i dërgohet"},
		{"a number", "10", false, true, "po i dërgohet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.johnAsks(false)
			tk := f.tickets()[0]
			note := f.lastSent(zamira.ID)
			before := len(f.tg.Sent(john.ID))
			m := models.Message{From: &zamira, Chat: models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate}, Text: tt.text, ReplyToMessage: &note}
			if tt.command {
				m.Text, m.ReplyToMessage = "/reply "+tk.Number+" "+tt.text, nil
			}
			f.tg.PushMessage(m)
			f.settle()

			sent := f.tg.Sent(john.ID)[before:]
			state := f.ticket(tk.Number).State
			if tt.sent {
				if len(sent) != 1 || !strings.Contains(sent[0].Text, tt.text) || state != inquiry.Answered {
					t.Errorf("the citizen got %q, ticket %s; want the answer, answered", texts(sent), state)
				}
			} else if len(sent) != 0 || state != inquiry.Assigned {
				t.Errorf("the citizen got %q, ticket %s; want nothing, still assigned", texts(sent), state)
			}
			if got := f.lastSent(zamira.ID).Text; !strings.Contains(got, tt.told) {
				t.Errorf("the officer was told %q, want %q in it", got, tt.told)
			}
		})
	}
}
