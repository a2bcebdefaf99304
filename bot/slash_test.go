package bot_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A citizen's text that begins with a slash is a command only when its
// first word is one: "/ Kam një pyetje…" or "/Поштовани, …" is a request
// written with a stray slash, and answering it with the help text alone
// lost it without a trace.
func TestSlashTextThatIsNoCommandIsFiled(t *testing.T) {
	const help = "Shkruani pyetjen tuaj si mesazh"
	tests := []struct {
		name   string
		text   string
		ticket bool   // the text is filed
		reply  string // what the citizen's first answer holds, "" to skip
	}{
		{"slash then a space", "/ Kam një pyetje: cili është orari i muzeut etnografik të dielave?", true, "DKP-"},
		{"slash glued to Cyrillic", "/Поштовани, молим вас за радно време етнографског музеја недељом.", true, ""},
		{"slash glued to a word, more words", "/hello what are the opening hours of the ethnographic museum on Sundays?", true, ""},
		{"slash and a line break", "/\nKërkoj kopjen e kontratës për renovimin e stadiumit.", true, ""},
		{"an unknown command alone", "/menu", false, help},
		{"a bare slash", "/", false, help},
		{"a known command", "/help", false, help},
		{"an unknown command to this bot", "/menu@" + botName, false, help},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(arta, tt.text)
			ts := f.tickets()
			sent := texts(f.tg.Sent(arta.ID))
			switch {
			case tt.ticket && len(ts) != 1:
				t.Fatalf("%q made %d tickets, want 1; the citizen was told %q", tt.text, len(ts), sent)
			case !tt.ticket && len(ts) != 0:
				t.Fatalf("%q made %d tickets, want none", tt.text, len(ts))
			}
			if tt.ticket {
				_, entries := f.only()
				if len(entries) == 0 || !strings.Contains(entries[0].Text, strings.TrimSpace(strings.TrimPrefix(tt.text, "/"))) {
					t.Errorf("the ticket does not keep the whole text %q: %+v", tt.text, entries)
				}
				for _, s := range sent {
					if strings.Contains(s, help) {
						t.Errorf("a filed request was answered with the help text too: %q", sent)
					}
				}
			}
			if tt.reply != "" && (len(sent) == 0 || !strings.Contains(sent[0], tt.reply)) {
				t.Errorf("the citizen was told %q, want %q", sent, tt.reply)
			}
		})
	}
}

// The same in the discussion group: a mention that begins with a stray
// slash is a question, not a command to ignore.
func TestDiscussionSlashTextThatIsNoCommandIsFiled(t *testing.T) {
	f := newFixture(t, setup{})
	text := "/Поштовани @" + botName + ", када је музеј отворен недељом?"
	f.tg.PushMessage(models.Message{From: &milan, Chat: models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}, Text: text,
		Entities: []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 11, Length: 1 + len(botName)}}})
	f.settle()
	if n := len(f.tickets()); n != 1 {
		t.Fatalf("%d tickets from a mention with a stray slash, want 1", n)
	}
}
