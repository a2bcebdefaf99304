package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// An officer who answers a citizen in Telegram with a document or a photo
// (the /reply as its caption, in their chat or the officers' group, or
// the caption of a file replying to their notification) answers with the
// file: the citizen's chat gets the answer's text and then the file,
// re-sent by its Telegram file id (nothing downloaded), the ticket is
// answered, and its record keeps the file's name, type, size and file id.
// A file Telegram refuses for good after the text went is told to the
// officer, in their chat, once, naming the ticket and the file. Real bot,
// desk, store and outbox; the fake Bot API over HTTP.
func TestOfficerAnswersTelegramWithAFile(t *testing.T) {
	private := models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate}
	group := models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup}
	tests := []struct {
		name     string
		chat     models.Chat
		caption  string // %s is the ticket's number
		photo    bool   // a photo, else a document
		toNote   bool   // a reply to the officer's notification
		refused  bool   // Telegram does not know the file id (400)
		wantText string
		wantFile inquiry.Attachment // as the answer's entry records it
	}{
		{name: "/reply caption on a document", chat: private, caption: "/reply %s Here is the document you asked for.",
			wantText: "Here is the document you asked for.",
			wantFile: inquiry.Attachment{Name: "vendimi.pdf", ContentType: "application/pdf", Size: 120000, FileID: "BQACdoc1", Truncated: true}},
		{name: "/reply caption on a photo in the officers' group", chat: group, caption: "/reply@" + botName + " %s\nHere is the scan.", photo: true,
			wantText: "Here is the scan.",
			wantFile: inquiry.Attachment{Name: "photo.jpg", ContentType: "image/jpeg", Size: 90000, FileID: "AgACph1big", Truncated: true}},
		{name: "a document with a caption replying to the notification", chat: private, caption: "Here is the document you asked for.", toNote: true,
			wantText: "Here is the document you asked for.",
			wantFile: inquiry.Attachment{Name: "vendimi.pdf", ContentType: "application/pdf", Size: 120000, FileID: "BQACdoc1", Truncated: true}},
		{name: "a photo Telegram refuses after the text: the officer told once", chat: private, caption: "/reply %s Here is the scan.", photo: true, refused: true,
			wantText: "Here is the scan.",
			wantFile: inquiry.Attachment{Name: "photo.jpg", ContentType: "image/jpeg", Size: 90000, FileID: "AgACph1big", Truncated: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(john, generalEN)
			tk := f.tickets()[0]
			m := models.Message{From: &zamira, Chat: tt.chat, Caption: strings.ReplaceAll(tt.caption, "%s", tk.Number)}
			if tt.photo {
				m.Photo = []models.PhotoSize{
					{FileID: "AgACph1small", FileUniqueID: "uph1s", Width: 320, Height: 240, FileSize: 9000},
					{FileID: "AgACph1big", FileUniqueID: "uph1", Width: 1280, Height: 960, FileSize: 90000},
				}
			} else {
				m.Document = &models.Document{FileID: "BQACdoc1", FileUniqueID: "udoc1", FileName: "vendimi.pdf", MimeType: "application/pdf", FileSize: 120000}
			}
			if !tt.refused {
				f.tg.AddFileContent(models.File{FileID: tt.wantFile.FileID}, []byte("kept by Telegram"))
			}
			if tt.toNote {
				note := f.lastSent(zamira.ID)
				m.ReplyToMessage = &note
			}
			toCitizen := len(f.tg.Sent(john.ID))
			toOfficer := len(f.tg.Sent(zamira.ID))
			f.tg.PushMessage(m)
			f.settle()

			got := f.tg.Sent(john.ID)[toCitizen:]
			wantParts := 2
			if tt.refused {
				wantParts = 1
			}
			if len(got) != wantParts {
				t.Fatalf("the citizen got %d messages %q, want %d (the text, then the file)", len(got), texts(got), wantParts)
			}
			if !strings.Contains(got[0].Text, tt.wantText) || got[0].Document != nil || len(got[0].Photo) > 0 {
				t.Errorf("the citizen's first message %+v, want the answer's text %q", got[0], tt.wantText)
			}
			if !tt.refused {
				var sent string
				switch {
				case tt.photo && len(got[1].Photo) > 0:
					sent = got[1].Photo[0].FileID
				case !tt.photo && got[1].Document != nil:
					sent = got[1].Document.FileID
				}
				if sent != tt.wantFile.FileID {
					t.Errorf("the citizen's second message %+v, want the officer's %s re-sent as file %s", got[1], map[bool]string{true: "photo", false: "document"}[tt.photo], tt.wantFile.FileID)
				}
			}
			if len(f.tg.Calls("getFile")) != 0 {
				t.Errorf("the bot downloaded the officer's file (%d getFile calls)", len(f.tg.Calls("getFile")))
			}

			if st := f.ticket(tk.Number).State; st != inquiry.Answered {
				t.Errorf("ticket %s, want answered", st)
			}
			entries, err := f.store.Entries(f.ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			var answer *inquiry.Entry
			for i := range entries {
				if entries[i].Kind == inquiry.EntryAnswer {
					answer = &entries[i]
				}
			}
			if answer == nil || len(answer.Attachments) != 1 || fmt.Sprint(answer.Attachments[0]) != fmt.Sprint(tt.wantFile) {
				t.Errorf("the answer's entry %+v, want it to record %+v", answer, tt.wantFile)
			}

			var toldFile []string
			for _, msg := range f.tg.Sent(zamira.ID)[toOfficer:] {
				if strings.Contains(msg.Text, "nuk e pranoi skedarin") {
					toldFile = append(toldFile, msg.Text)
				}
			}
			said := strings.Join(texts(f.tg.Sent(tt.chat.ID)), "\n")
			if !tt.refused {
				if !strings.Contains(said, "po i dërgohet qytetarit (telegram), me 1 skedarë") {
					t.Errorf("the officer was told %q; want that the answer goes with its file", said)
				}
				if len(toldFile) != 0 {
					t.Errorf("the officer was told of a refused file: %q", toldFile)
				}
				return
			}
			answers := f.jobs(tk.Number, inquiry.JobAnswer)
			if len(answers) != 1 || answers[0].State != inquiry.JobFailed {
				t.Fatalf("answer jobs %+v, want one, failed", answers)
			}
			// Asked again (a crash before the failure was recorded), the
			// desk tells nobody twice.
			if err := f.desk.ChatFileRefused(f.ctx, answers[0], "photo.jpg", nil, "again"); err != nil {
				t.Fatal(err)
			}
			f.settle()
			toldFile = toldFile[:0]
			for _, msg := range f.tg.Sent(zamira.ID)[toOfficer:] {
				if strings.Contains(msg.Text, "nuk e pranoi skedarin") {
					toldFile = append(toldFile, msg.Text)
				}
			}
			if len(toldFile) != 1 {
				t.Fatalf("the officer was told %d times of the refused file: %q, want once", len(toldFile), toldFile)
			}
			if missing := containsAll(toldFile[0], tk.Number, "photo.jpg", "wrong file identifier"); len(missing) > 0 {
				t.Errorf("the officer was told %q; missing %q", toldFile[0], missing)
			}
			if n := len(f.tg.Sent(john.ID)) - toCitizen; n != 1 {
				t.Errorf("the citizen got %d messages, want the text alone", n)
			}
		})
	}
}
