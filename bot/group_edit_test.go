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
