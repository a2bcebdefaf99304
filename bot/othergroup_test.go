package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// In a group the bot was added to that it does not serve, a person who
// asks it (a mention, a command, a reply to it) is told once, in their
// language, to write privately; nothing is filed, and the group's own talk
// is not answered. Silence lost the question: its writer waited for an
// answer that could never come.
func TestOtherGroupsAreSentToThePrivateChat(t *testing.T) {
	mention := "@" + botName
	tests := []struct {
		name string
		chat models.ChatType
		from models.User
		msgs []string // the first is addressed to the bot
		want string
	}{
		{"a mention in a group, English", models.ChatTypeGroup, john, []string{mention + " " + generalEN, mention + " hello?", "/status@" + botName}, "I take questions only in a private chat: write to https://t.me/" + botName},
		{"a command in a supergroup, Serbian Cyrillic", models.ChatTypeSupergroup, milan, []string{"/start@" + botName, "/start"}, "Питања примам само у приватном разговору: пишите на https://t.me/" + botName},
		{"a plain command in a group, Albanian", models.ChatTypeGroup, arta, []string{"/status"}, "Pyetjet i pranoj vetëm në bisedë private: shkruani te https://t.me/" + botName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			chat := models.Chat{ID: -100321, Type: tt.chat, Title: "Familja"}
			// The group's own talk, and a command for another bot.
			f.tg.PushMessage(models.Message{From: &tt.from, Chat: chat, Text: "Kush vjen nesër?"})
			f.tg.PushMessage(models.Message{From: &tt.from, Chat: chat, Text: "/start@other_bot"})
			f.settle()
			if sent := f.tg.Sent(chat.ID); len(sent) != 0 {
				t.Fatalf("the group's own talk was answered %q", texts(sent))
			}
			var first models.Message
			for i, text := range tt.msgs {
				m := models.Message{From: &tt.from, Chat: chat, Text: text}
				if strings.HasPrefix(text, mention) {
					m.Entities = mentionEntities(text)
				}
				m = f.tg.PushMessage(m)
				if i == 0 {
					first = m
				}
			}
			f.settle()
			sent := f.tg.Sent(chat.ID)
			if len(sent) != 1 || !strings.HasPrefix(sent[0].Text, tt.want) {
				t.Fatalf("the group got %q, want one answer %q", texts(sent), tt.want)
			}
			if sent[0].ReplyToMessage == nil || sent[0].ReplyToMessage.ID != first.ID {
				t.Errorf("the answer does not reply to the question")
			}
			if n := len(f.tickets()); n != 0 {
				t.Errorf("%d tickets filed from a group the bot does not serve", n)
			}
			if !strings.Contains(f.logs.String(), `level=INFO msg="question to the bot in a group it does not serve`) {
				t.Errorf("the log does not say at info that a question was turned away")
			}
		})
	}
}
