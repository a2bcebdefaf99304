package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// When the officers' group is upgraded to a supergroup, Telegram moves it
// to a new chat id: the officers' commands from then on came from a chat
// the bot did not know and were ignored at debug level, and every
// notification to the group failed. The move is said at once, with the
// setting to change.
func TestOfficersGroupUpgradeIsReported(t *testing.T) {
	const newID = int64(-1001234567890)
	tests := []struct {
		name string
		msg  models.Message
	}{
		{"the old group's last message", models.Message{Chat: models.Chat{ID: officersChat, Type: models.ChatTypeGroup}, From: &osman, MigrateToChatID: newID}},
		{"the supergroup's first message", models.Message{Chat: models.Chat{ID: newID, Type: models.ChatTypeSupergroup}, From: &osman, MigrateFromChatID: officersChat}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.tg.PushMessage(tt.msg)
			f.settle()
			var line string
			for _, l := range strings.Split(f.logs.String(), "\n") {
				if strings.Contains(l, "officers_chat_id") && strings.Contains(l, "-1001234567890") {
					line = l
				}
			}
			if line == "" || !strings.Contains(line, "level=ERROR") {
				t.Errorf("the move of the officers' group is not logged as an error naming officers_chat_id and the new id:\n%s", f.logs.String())
			}
		})
	}
}
