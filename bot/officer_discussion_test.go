package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// An officer who mentions the bot, or replies to it, in the public
// discussion group (adding a word under a citizen's question, thanking
// someone) is not a citizen: that message was filed as a ticket of the
// officer's and acknowledged in public, "your request DKP-… was received".
// It is not filed, and the log says why; a citizen's mention beside it
// still is.
func TestOfficersMentionInTheDiscussionIsNotFiled(t *testing.T) {
	mention := "@" + botName
	group := models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}
	tests := []struct {
		name    string
		from    models.User
		tickets int
	}{
		{"an officer", jusuf, 0},
		{"a citizen", john, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			from := tt.from
			f.tg.PushMessage(models.Message{From: &from, Chat: group, Text: mention + " Përshëndetje, ju lutem na shkruani në privat për dokumentet.",
				Entities: []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 0, Length: len(mention)}}})
			f.settle()
			if n := len(f.tickets()); n != tt.tickets {
				t.Fatalf("%d tickets, want %d", n, tt.tickets)
			}
			if f.tg.Pending() != 0 {
				t.Error("the update was left unconfirmed")
			}
			sent := len(f.tg.Sent(discussion))
			if tt.tickets == 0 {
				if sent != 0 {
					t.Errorf("%d messages sent to the discussion group, want none", sent)
				}
				if !strings.Contains(f.logs.String(), "an officer's message to the bot in the discussion group is not filed") {
					t.Errorf("not logged:\n%s", f.logs.String())
				}
			} else if sent == 0 {
				t.Error("the citizen's mention was not acknowledged in the group")
			}
		})
	}
}
