package bot_test

import (
	"strings"
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

// A language the chat chooses after an officer acted holds for the ticket
// from the chat's next message: its notices (the decision) kept the
// language it was filed in, though the bot had promised the chosen one.
func TestLanguageChosenAfterAnOfficerActedHoldsForTheTicket(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	group := models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup}
	f.tg.PushMessage(models.Message{From: &jusuf, Chat: group, Text: "/reply " + tk.Number + " Po e shqyrtojmë."})
	f.settle()
	f.say(arta, "/start")
	f.press(arta, f.lastSent(arta.ID), "lang:en")
	f.say(arta, "Any news about my request?")
	if got := f.ticket(tk.Number).Language; got != inquiry.English {
		t.Fatalf("ticket language %s after the chat chose English, want en", got)
	}
	if got := f.ticket(tk.Number).OfficerID; got != "jusuf" {
		t.Errorf("the ticket went to %s, want it kept by jusuf", got)
	}
	f.tg.PushMessage(models.Message{From: &jusuf, Chat: group, Text: "/close " + tk.Number + " granted"})
	f.settle()
	if got := f.lastSent(arta.ID).Text; !strings.Contains(got, "Dear Arta Krasniqi") {
		t.Errorf("the decision is not in English:\n%s", got)
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
