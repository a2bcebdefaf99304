package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// TestE2EOfficerAnswersTelegramWithADocument: the whole daemon, its bot on
// the fake Bot API. An officer who sends the bot a document with
// "/reply NUMBER text" as its caption answers a citizen in Telegram with
// it: the citizen's chat gets the text, then the same file (its file id).
// A photo Telegram then refuses (a file id it does not know) is told to
// the officer in their chat, once, naming the ticket and the file.
func TestE2EOfficerAnswersTelegramWithADocument(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	tg := devserver.StartTelegram("123456:e2e-officer-files", "dkp_officer_files_bot")
	t.Cleanup(tg.Close)
	const jusufID = 7101 // document requests are jusuf's
	s.cfg.Officers[1].TelegramUserID = jusufID
	tg.MarkStarted(jusufID)
	s.cfg.Telegram = botConfig(tg)
	a, _ := s.serve()

	citizen := models.User{ID: 9301, FirstName: "Arta", LanguageCode: "sq"}
	jusuf := models.User{ID: jusufID, FirstName: "Jusuf", LanguageCode: "sq"}
	private := models.Chat{ID: jusufID, Type: models.ChatTypePrivate}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tk := fileTelegramRequest(ctx, t, a, tg, citizen)
	if tk.OfficerID != "jusuf" {
		t.Fatalf("ticket %s is %q's, want jusuf's", tk.Number, tk.OfficerID)
	}
	chatBefore := len(tg.Sent(citizen.ID))

	tg.AddFileContent(models.File{FileID: "BQACkontrata"}, []byte("%PDF-1.7 kontrata"))
	tg.PushMessage(models.Message{From: &jusuf, Chat: private, Caption: "/reply " + tk.Number + " Kontrata gjendet në shtojcë.",
		Document: &models.Document{FileID: "BQACkontrata", FileUniqueID: "ukontrata", FileName: "kontrata.pdf", MimeType: "application/pdf", FileSize: 17}})
	testutil.Eventually(t, "the answer and its document in the citizen's chat", 20*time.Second, func() (bool, error) {
		return len(tg.Sent(citizen.ID)) >= chatBefore+2, nil
	})
	sent := tg.Sent(citizen.ID)[chatBefore:]
	if len(sent) != 2 || !strings.Contains(sent[0].Text, "Kontrata gjendet në shtojcë.") || sent[1].Document == nil || sent[1].Document.FileID != "BQACkontrata" {
		t.Fatalf("the chat got %+v, want the text, then document BQACkontrata", sent)
	}

	// A photo whose file id Telegram does not know: refused after the text.
	tg.PushMessage(models.Message{From: &jusuf, Chat: private, Caption: "/reply " + tk.Number + " Edhe fotografia e faqes së parë.",
		Photo: []models.PhotoSize{{FileID: "AgACgone", FileUniqueID: "ugone", Width: 800, Height: 600, FileSize: 5000}}})
	told := func() []string {
		var out []string
		for _, m := range tg.Sent(jusufID) {
			if strings.Contains(m.Text, "nuk e pranoi skedarin") {
				out = append(out, m.Text)
			}
		}
		return out
	}
	testutil.Eventually(t, "the officer told of the refused photo", 20*time.Second, func() (bool, error) {
		return len(told()) > 0, nil
	})
	time.Sleep(500 * time.Millisecond) // a second telling would come within the outbox's backoff
	if got := told(); len(got) != 1 || !strings.Contains(got[0], tk.Number) || !strings.Contains(got[0], "photo.jpg") {
		t.Errorf("the officer was told %q, want once, naming %s and photo.jpg", got, tk.Number)
	}
	if n := len(tg.Sent(citizen.ID)) - chatBefore; n != 3 {
		t.Errorf("the citizen's chat got %d messages, want 3 (text, document, the second text without its photo)", n)
	}
}
