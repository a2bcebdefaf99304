package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// A citizen's edit of a mention in the public discussion group is not
// answered there (an answer would be public) nor passed on, but it is
// seen in the log, as every message is.
func TestDiscussionEditIsLoggedNotAnswered(t *testing.T) {
	f := newFixture(t, setup{})
	text := "@" + botName + " kur hapet muzeu të dielën?"
	m := f.tg.PushMessage(models.Message{From: &milan, Chat: models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}, Text: text,
		Entities: []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 0, Length: 1 + len(botName)}}})
	f.settle()
	if n := len(f.tickets()); n != 1 {
		t.Fatalf("%d tickets from the mention, want 1", n)
	}
	before := len(f.tg.Sent(discussion))

	edited := m
	edited.Text = text + " (e shtunë)"
	edited.EditDate = int(time.Now().Unix())
	f.tg.Push(models.Update{EditedMessage: &edited})
	f.settle()

	if sent := f.tg.Sent(discussion)[before:]; len(sent) != 0 {
		t.Errorf("the edit was answered in the public group: %q", texts(sent))
	}
	if !strings.Contains(f.logs.String(), `level=INFO msg="edited message in a group ignored`) {
		t.Errorf("the edit left no line in the log:\n%s", f.logs.String())
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets after the edit, want still 1", n)
	}
}

// A comment in the discussion group whose edit adds the mention of the bot
// (forgotten at first) is taken in as a comment that mentioned it: it was
// confirmed unfiled, its writer believing the bot had it. An edit of a
// comment taken in already files nothing more, and chatter stays chatter.
func TestDiscussionEditThatAddressesTheBot(t *testing.T) {
	group := models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}
	mention := "@" + botName
	tests := []struct {
		name    string
		first   models.Message
		edited  func(models.Message) models.Message
		tickets int
	}{
		{"the edit adds the mention",
			models.Message{From: &milan, Chat: group, Text: generalEN},
			func(m models.Message) models.Message {
				m.Text = mention + " " + m.Text
				m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 0, Length: len(mention)}}
				return m
			}, 1},
		{"the first text had it",
			models.Message{From: &milan, Chat: group, Text: mention + " " + generalEN,
				Entities: []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 0, Length: len(mention)}}},
			func(m models.Message) models.Message { m.Text += " (e shtunë)"; return m }, 1},
		{"chatter edited",
			models.Message{From: &milan, Chat: group, Text: "Одличан пост!"},
			func(m models.Message) models.Message { m.Text += " Браво!"; return m }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			m := f.tg.PushMessage(tt.first)
			f.settle()
			edited := tt.edited(m)
			edited.EditDate = int(time.Now().Unix())
			f.tg.Push(models.Update{EditedMessage: &edited})
			f.settle()
			ts := f.tickets()
			if len(ts) != tt.tickets {
				t.Fatalf("%d tickets, want %d", len(ts), tt.tickets)
			}
			if f.tg.Pending() != 0 {
				t.Error("the edit was left unconfirmed")
			}
			if tt.tickets == 0 {
				return
			}
			acks := 0
			for _, s := range f.tg.Sent(discussion) {
				if strings.Contains(s.Text, ts[0].Number) {
					acks++
				}
			}
			if acks != 1 {
				t.Errorf("%d acknowledgements of %s in the thread, want 1", acks, ts[0].Number)
			}
		})
	}
}
