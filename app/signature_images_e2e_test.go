package app

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/internal/devserver"
	"sportel/internal/mailgen"
	"sportel/internal/testutil"
)

// TestE2ESignatureImagesStayWithTheOfficer: the whole daemon. An officer
// answers from Outlook the notification of a citizen who wrote by mail, or
// in Telegram, with the HTML signature Outlook adds (the ministry's logo
// and a social icon shown by cid:), a screenshot pasted into the answer
// and the decision attached. The citizen's mail (on the SMTP server) or
// chat (on the fake Bot API) gets the screenshot and the decision, and
// neither the logo nor the icon, nor their "[cid:…]" marks in the text.
func TestE2ESignatureImagesStayWithTheOfficer(t *testing.T) {
	t.Parallel()
	logo := &mailgen.Image{Name: "logo.png", ContentType: "image/png", Content: mailgen.PNG(240, 80), Width: 120, Height: 40, Alt: "Logo"}
	icon := &mailgen.Image{Name: "fb.png", ContentType: "image/png", Content: mailgen.PNG(24, 24), Width: 24, Height: 24, Alt: "facebook"}
	shot := &mailgen.Image{Name: "shot.png", ContentType: "image/png", Content: mailgen.PNG(640, 360), Width: 600, Height: 338}
	pdf := append([]byte("%PDF-1.7\r\n"), bytes.Repeat([]byte{1, 2, 3, 0xfe, '\n'}, 4000)...)
	// Outlook numbers the pictures as they stand: the screenshot first.
	wantFiles := []string{"image001.png", "Vendimi.pdf"}
	wantBytes := [][]byte{shot.Content, pdf}
	reply := func(notify wireMail, id string) []byte {
		return mailgen.OfficerReply(mailgen.Reply{Client: mailgen.OutlookDesktop,
			From: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", To: "Divizioni për Komunikim Publik <komunikimi@mkrs.example>",
			MessageID: id, Date: time.Now(), ParentID: notify.messageID,
			ParentFrom: "Divizioni për Komunikim Publik <komunikimi@mkrs.example>", ParentTo: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>",
			ParentSubject: notify.subject, ParentText: strings.ReplaceAll(notify.text, "\r\n", "\n"), ParentDate: time.Now().Add(-time.Hour),
			Body: []mailgen.Piece{{Text: "E nderuar,"}, {Text: "Kontrata shihet në regjistrin publik:"}, {Image: shot},
				{Text: "Vendimi gjendet në shtojcë."}},
			Signature: []mailgen.Piece{{Text: "Me respekt,"}, {Text: "Jusuf Lushaku"}, {Text: "Zyrtar i Lartë për Informim"},
				{Image: logo}, {Text: "Rr. Luan Haradinaj, 10000 Prishtinë"}, {Image: icon}},
			Files: []mailgen.File{{Name: "Vendimi.pdf", ContentType: "application/pdf", Content: pdf}}})
	}
	checkText := func(t *testing.T, text string) {
		t.Helper()
		for _, w := range []string{"Kontrata shihet në regjistrin publik:", "[image001.png]", "Vendimi gjendet në shtojcë.", "Jusuf Lushaku"} {
			if !strings.Contains(text, w) {
				t.Errorf("the citizen's text lacks %q:\n%s", w, text)
			}
		}
		if strings.Contains(text, "cid:") || strings.Contains(text, "[Logo]") || strings.Contains(text, "[facebook]") {
			t.Errorf("the citizen's text shows the signature's pictures:\n%s", text)
		}
	}

	t.Run("mail", func(t *testing.T) {
		t.Parallel()
		s := newMemStack(t)
		a, _ := s.serve()
		first := inboundMail{from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
			messageID: "sigimg-request@example.net",
			body:      "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren.\n\nMe respekt,\nArben"}
		s.append(first.raw())
		s.settle(a)
		tk := s.ticket(a, first.messageID)
		notify := the(t, s.wireMails(), "notify", tk.Number)
		before := len(s.smtp.Mails())
		s.append(reply(notify, "sigimg-answer@mkrs.example"))
		s.settle(a)
		sent := s.wireMails()[before:]
		if len(sent) != 1 || sent[0].kind() != "answer" {
			t.Fatalf("after the officer's answer SMTP got %s, want one answer", describe(sent))
		}
		var names []string
		for i, at := range sent[0].attachments {
			names = append(names, at.name)
			if i < len(wantBytes) && !bytes.Equal(at.content, wantBytes[i]) {
				t.Errorf("file %s: %d bytes differ from the officer's %d", at.name, len(at.content), len(wantBytes[i]))
			}
		}
		if !slices.Equal(names, wantFiles) {
			t.Errorf("the citizen's mail carries %q, want %q", names, wantFiles)
		}
		checkText(t, sent[0].text)
	})

	t.Run("telegram", func(t *testing.T) {
		t.Parallel()
		s := newMemStack(t)
		tg := devserver.StartTelegram("123456:e2e-sigimages", "dkp_sigimages_bot")
		t.Cleanup(tg.Close)
		s.cfg.Telegram = botConfig(tg)
		a, _ := s.serve()
		citizen := models.User{ID: 9401, FirstName: "Arta", LanguageCode: "sq"}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tk := fileTelegramRequest(ctx, t, a, tg, citizen)
		notify := the(t, s.wireMails(), "notify", tk.Number)
		chatBefore := len(tg.Sent(citizen.ID))
		s.append(reply(notify, "sigimg-tg-answer@mkrs.example"))
		s.settle(a)
		testutil.Eventually(t, "the answer and its files in the citizen's chat", 20*time.Second, func() (bool, error) {
			return len(tg.Sent(citizen.ID)) >= chatBefore+1+len(wantFiles), nil
		})
		time.Sleep(500 * time.Millisecond) // a logo sent after the files would come within this
		sent := tg.Sent(citizen.ID)[chatBefore:]
		checkText(t, sent[0].Text)
		var names []string
		for _, m := range sent[1:] {
			if m.Document == nil {
				t.Errorf("after the text the chat got %+v, want documents", m)
				continue
			}
			names = append(names, m.Document.FileName)
			got, _ := tg.Document(m.Document.FileID)
			if i := slices.Index(wantFiles, m.Document.FileName); i >= 0 && !bytes.Equal(got, wantBytes[i]) {
				t.Errorf("document %s: %d bytes differ from the officer's %d", m.Document.FileName, len(got), len(wantBytes[i]))
			}
		}
		if !slices.Equal(names, wantFiles) {
			t.Errorf("the citizen's chat got documents %q, want %q", names, wantFiles)
		}
	})
}
