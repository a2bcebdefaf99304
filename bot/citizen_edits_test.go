package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A citizen who edits what they sent is told, once, that edits are not
// seen: a message edited for each typo, or a second message edited soon
// after, got the same answer again each time. Every edit is still in the
// log, nothing is filed from it, and another chat is told on its own.
func TestCitizenEditsAreAnsweredOnce(t *testing.T) {
	f := newFixture(t, setup{})
	chat := models.Chat{ID: john.ID, Type: models.ChatTypePrivate}
	first := f.say(john, generalEN)
	second := f.say(john, "And on Mondays?")
	edit := func(from models.User, m models.Message, text string, n int) {
		f.tg.Push(models.Update{EditedMessage: &models.Message{ID: m.ID, From: &from, Chat: m.Chat, Text: text, EditDate: m.Date + n}})
	}
	for i := range 3 {
		edit(john, first, generalEN+strings.Repeat("!", i+1), i+1)
	}
	edit(john, second, "And on Mondays, please?", 1)
	edit(arta, f.say(arta, docRequestSQ), docRequestSQ+" Faleminderit.", 1)
	f.settle()

	var told []string
	for _, m := range f.tg.Sent(chat.ID) {
		if strings.Contains(m.Text, "Changes to a sent message are not seen") {
			told = append(told, m.Text)
		}
	}
	if len(told) != 1 {
		t.Errorf("four edits were answered %d times, want once: %q", len(told), texts(f.tg.Sent(chat.ID)))
	}
	if got := f.lastSent(arta.ID).Text; !strings.Contains(got, "Ndryshimet në një mesazh të dërguar nuk shihen") {
		t.Errorf("another chat's edit was answered %q", got)
	}
	if n := strings.Count(f.logs.String(), `msg="edited message declined"`); n != 5 {
		t.Errorf("%d edits in the log, want 5", n)
	}
	if n := len(f.tickets()); n != 2 {
		t.Errorf("%d tickets, want 2 (edits file nothing)", n)
	}
}
