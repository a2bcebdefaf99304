package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// A comment to the bot in the discussion group posted in a chat's name (a
// media outlet commenting as its channel, an anonymous admin) has no person
// whose private chat a ticket could be tied to: it is set aside, kept as
// Telegram sent it with the reason, and the officers told. It was confirmed
// without a record or a line in the log. The channel's own posts copied
// into the group, and chatter not addressed to the bot, stay ignored.
func TestCommentInAChatsNameIsSetAside(t *testing.T) {
	mention := "@" + botName
	group := models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}
	outlet := &models.Chat{ID: -1001234, Type: models.ChatTypeChannel, Title: "Koha Ditore"}
	channelBot := models.User{ID: 136817688, IsBot: true, FirstName: "Channel", Username: "Channel_Bot"}
	anonymous := models.User{ID: 1087968824, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}
	mentioned := func(m models.Message) models.Message {
		m.Text = mention + " " + pressSRCyrl
		m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 0, Length: len(mention)}}
		return m
	}
	tests := []struct {
		name     string
		msg      models.Message
		setAside bool
	}{
		{"a channel mentions the bot", mentioned(models.Message{From: &channelBot, SenderChat: outlet, Chat: group}), true},
		{"an anonymous admin mentions the bot", mentioned(models.Message{From: &anonymous, SenderChat: &group, Chat: group}), true},
		{"a channel's chatter", models.Message{From: &channelBot, SenderChat: outlet, Chat: group, Text: "Lajm i mirë!"}, false},
		{"the channel's own post", mentioned(models.Message{From: &channelBot, SenderChat: outlet, Chat: group, IsAutomaticForward: true}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.tg.PushMessage(tt.msg)
			f.settle()
			if n := len(f.tickets()); n != 0 {
				t.Errorf("%d tickets, want none", n)
			}
			if f.tg.Pending() != 0 {
				t.Error("the update was left unconfirmed")
			}
			set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.setAside {
				if len(set) != 0 {
					t.Errorf("set aside %+v, want nothing", set)
				}
				return
			}
			if len(set) != 1 {
				t.Fatalf("set aside %d, want the comment recorded", len(set))
			}
			if !strings.Contains(string(set[0].Raw), "Поштовани") || !strings.Contains(set[0].Reason, "in the name of a chat") {
				t.Errorf("the record lacks the comment or the reason: %q, %s", set[0].Reason, set[0].Raw)
			}
			if !strings.Contains(f.logs.String(), "posted in a chat's name was set aside") {
				t.Errorf("not logged:\n%s", f.logs.String())
			}
		})
	}
}
