package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/inquiry"
)

// TestReconfigureOfficers: after Reconfigure (a reloaded configuration) a
// running bot takes actions from the officers' new Telegram ids only, and
// offers the new officers and grounds on its buttons; the long poll goes on.
func TestReconfigureOfficers(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	note := f.lastSent(jusuf.ID)
	p := "t:" + tk.Number + ":"

	jusufPhone := models.User{ID: 555, FirstName: "Jusuf", LastName: "Lushaku", LanguageCode: "sq"}
	f.tg.MarkStarted(jusufPhone.ID)
	officers := botOfficers()
	officers[1].TelegramUserID = jusufPhone.ID
	officers = append(officers, inquiry.Officer{ID: "drita", Name: "Drita Berisha"})
	f.bot.Reconfigure(officers, []bot.Ground{{ID: "classified", Label: "informacion i klasifikuar"}}, nil)

	f.press(jusuf, note, p+"take")
	answers := f.tg.Calls("answerCallbackQuery")
	if len(answers) != 1 || !strings.Contains(answers[0].Form.Get("text"), "zyrtarët") {
		t.Errorf("the old Telegram id's button answered %v", answers)
	}
	if got := f.ticket(tk.Number); got.Acted {
		t.Fatalf("the old Telegram id acted on the ticket")
	}
	f.press(jusufPhone, note, p+"take")
	if got := f.ticket(tk.Number); !got.Acted || got.OfficerID != "jusuf" {
		t.Fatalf("the new Telegram id's take: officer %s acted %v", got.OfficerID, got.Acted)
	}
	f.press(jusufPhone, note, p+"reassign")
	if menu := buttonData(f.lastSent(note.Chat.ID)); !slices.Contains(menu, p+"to:drita") {
		t.Errorf("the assign menu %q lacks the officer added by the reload", menu)
	}
	f.press(jusufPhone, note, p+"out:refused")
	if menu := buttonData(f.lastSent(note.Chat.ID)); !slices.Equal(menu, []string{p + "gr:r:classified", p + "close"}) {
		t.Errorf("the ground menu %q, want the reloaded grounds only", menu)
	}
}
