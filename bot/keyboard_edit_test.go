package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A button press whose buttons stay as they were edits nothing: Telegram
// refuses such an edit ("message is not modified"), and every press then
// left a warning in the log.
func TestButtonPressThatChangesNoButtonsEditsNothing(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	n := f.tickets()[0].Number
	note := f.lastSent(jusuf.ID)
	current := func() models.Message {
		for _, m := range f.tg.Sent(jusuf.ID) {
			if m.ID == note.ID {
				return m
			}
		}
		t.Fatal("the notification is gone")
		return models.Message{}
	}
	// Taking one's own ticket changes nothing; marking urgent twice
	// changes the buttons once.
	for _, data := range []string{"t:" + n + ":take", "t:" + n + ":urgent", "t:" + n + ":urgent"} {
		f.press(jusuf, current(), data)
	}
	if log := f.logs.String(); strings.Contains(log, "telegram reply not sent") {
		t.Errorf("a refused edit was logged:\n%s", log)
	}
}
