package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

// A citizen who sends what the bot cannot file (a sticker, a dice, a
// giveaway, a kind of message newer than the bot) hears once, in their
// language, what it reads and to write; a flood of them is not answered
// message by message, no ticket is filed, and the log says which kind.
func TestUnsupportedContentIsAnsweredOncePerChat(t *testing.T) {
	private := func(u models.User) models.Chat {
		return models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName}
	}
	sticker := func(u models.User) func(f *fixture) {
		return func(f *fixture) {
			f.tg.PushMessage(models.Message{From: &u, Chat: private(u), Sticker: &models.Sticker{FileID: "s1", Type: "regular"}})
		}
	}
	dice := func(u models.User) func(f *fixture) {
		return func(f *fixture) {
			f.tg.PushMessage(models.Message{From: &u, Chat: private(u), Dice: &models.Dice{Emoji: "🎲", Value: 3}})
		}
	}
	giveaway := func(u models.User) func(f *fixture) {
		return func(f *fixture) {
			f.tg.PushMessage(models.Message{From: &u, Chat: private(u), Giveaway: &models.Giveaway{WinnerCount: 1}})
		}
	}
	// A kind of content Telegram added after the library's model: it
	// decodes to a message with nothing the bot knows in it.
	rawID := 900
	newKind := func(u models.User) func(f *fixture) {
		return func(f *fixture) {
			rawID++
			f.tg.MarkStarted(u.ID) // PushRaw does not, as PushMessage does
			f.tg.PushRaw(fmt.Sprintf(`{"message":{"message_id":%d,"date":1767225600,"from":{"id":%d,"is_bot":false,"first_name":%q,"language_code":%q},`+
				`"chat":{"id":%d,"type":"private"},"hologram":{"file_id":"h1"}}}`, rawID, u.ID, u.FirstName, u.LanguageCode, u.ID))
		}
	}
	tests := []struct {
		name  string
		from  models.User
		push  func(models.User) func(f *fixture)
		times int
		want  string // the one answer
		kind  string // in the log
	}{
		{"stickers, Albanian", arta, sticker, 5, "Mund të lexoj tekst, fotografi, dokumente", "kind=sticker"},
		{"dice, Serbian Cyrillic", milan, dice, 3, "Могу да прочитам текст", "kind=dice"},
		{"giveaway, English", john, giveaway, 2, "I can read text, photos, documents", "kind=giveaway"},
		{"a kind newer than the bot", john, newKind, 3, "I can read text", "kind=unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			for range tt.times {
				tt.push(tt.from)(f)
			}
			f.settle()
			sent := f.tg.Sent(tt.from.ID)
			if len(sent) != 1 || !strings.Contains(sent[0].Text, tt.want) {
				t.Errorf("%d messages answered with %q; want one answer with %q", tt.times, texts(sent), tt.want)
			}
			if n := len(f.tickets()); n != 0 {
				t.Errorf("%d tickets filed, want none", n)
			}
			logs := f.logs.String()
			if !strings.Contains(logs, "level=INFO msg=\"unsupported content declined\"") || !strings.Contains(logs, fmt.Sprintf("chat_id=%d", tt.from.ID)) || !strings.Contains(logs, tt.kind) {
				t.Errorf("the log does not say at info which chat sent what (%s)", tt.kind)
			}
			// Another chat is answered on its own, and text still files.
			sticker(zamiraCitizen)(f)
			f.settle()
			if got := f.tg.Sent(zamiraCitizen.ID); len(got) != 1 {
				t.Errorf("another chat got %q, want one answer", texts(got))
			}
			f.say(tt.from, generalEN)
			if n := len(f.tickets()); n != 1 {
				t.Errorf("a text after the declined content made %d tickets, want 1", n)
			}
		})
	}
}

// zamiraCitizen is a second citizen, a chat of its own.
var zamiraCitizen = models.User{ID: 1004, FirstName: "Besa", LanguageCode: "sq"}

// A shared live location goes on as edits of its message every few
// seconds: they are not answered, each, as an edited message would be.
func TestLiveLocationEditsAreNotAnswered(t *testing.T) {
	f := newFixture(t, setup{})
	chat := models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}
	m := f.tg.PushMessage(models.Message{From: &arta, Chat: chat, Location: &models.Location{Latitude: 42.66, Longitude: 21.16, LivePeriod: 900}})
	for i := range 4 {
		f.tg.Push(models.Update{EditedMessage: &models.Message{ID: m.ID, From: &arta, Chat: chat, EditDate: 2 + i,
			Location: &models.Location{Latitude: 42.66 + float64(i)/1000, Longitude: 21.16, LivePeriod: 900}}})
	}
	f.settle()
	if sent := f.tg.Sent(arta.ID); len(sent) != 1 || !strings.Contains(sent[0].Text, "Mund të lexoj") {
		t.Errorf("a live location was answered %q; want one answer to the location", texts(sent))
	}
}
