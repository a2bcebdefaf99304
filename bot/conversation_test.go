package bot_test

import (
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// A conversation speaks its request's language, not its greeting's: after
// "Hello" (Telegram language en) a request in Serbian Cyrillic makes the
// ticket sr-Cyrl, so its notices and corrected acknowledgement are in it.
func TestConversationLanguageFollowsTheRequest(t *testing.T) {
	f := newFixture(t, setup{})
	dragan := models.User{ID: 1010, FirstName: "Dragan", LanguageCode: "en"}
	f.say(dragan, "Hello")
	if tk := f.tickets()[0]; tk.Language != inquiry.English {
		t.Fatalf("after the greeting: language %s, want en", tk.Language)
	}
	f.say(dragan, "Поштовани, на основу Закона о приступу јавним документима тражим копију уговора о обнови стадиона у Призрену.")
	ts := f.tickets()
	if len(ts) != 1 || ts[0].Language != inquiry.SerbianCyrl || ts[0].Category != inquiry.DocumentRequest {
		t.Fatalf("after the request: %d tickets, language %s, category %s; want one, sr-Cyrl, document_request", len(ts), ts[0].Language, ts[0].Category)
	}
	if last := f.lastSent(dragan.ID).Text; !containsCyrillic(last) {
		t.Errorf("the corrected acknowledgement is not in Serbian Cyrillic:\n%s", last)
	}
}

func containsCyrillic(s string) bool {
	for _, r := range s {
		if r >= 0x0400 && r <= 0x04FF {
			return true
		}
	}
	return false
}

// After downtime Telegram hands over hours of a chat's messages at once:
// they join one conversation only as far apart as they were written.
func TestMessagesWrittenHoursApartAreNotJoined(t *testing.T) {
	tests := []struct {
		name    string
		apart   time.Duration
		tickets int
	}{
		{"three hours apart", 3 * time.Hour, 2},
		{"ten minutes apart", 10 * time.Minute, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{noRun: true})
			now := time.Now()
			chat := models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}
			f.tg.PushMessage(models.Message{From: &arta, Chat: chat, Date: int(now.Add(-4 * time.Hour).Unix()),
				Text: "Kur hapet thirrja për bursa për sportistët e rinj?"})
			f.tg.PushMessage(models.Message{From: &arta, Chat: chat, Date: int(now.Add(-4*time.Hour + tt.apart).Unix()),
				Text: docRequestSQ})
			f.stop = f.run(f.bot)
			f.settle()
			if n := len(f.tickets()); n != tt.tickets {
				t.Errorf("%d tickets for two messages %v apart, want %d", n, tt.apart, tt.tickets)
			}
		})
	}
}
