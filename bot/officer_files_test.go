package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/inquiry"
)

// An officer's command may be a file's caption ("/reply NUMBER here is
// the document", the file attached): it is read as the command. An answer
// whose file the bot cannot pass on is not sent half (the words without
// the file they speak of): the officer is told why, and how a file does
// reach the citizen. Other commands act, and the officer hears that the
// file went nowhere. (A document or a photo answering a citizen in
// Telegram goes: officer_answer_files_test.go.)
func TestOfficerCommandInACaption(t *testing.T) {
	private := models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate}
	group := models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup}
	stranger := models.User{ID: 4242, FirstName: "Eve"}
	const help = "Komandat:"
	tests := []struct {
		name    string
		email   bool // the ticket came by mail, else by Telegram
		from    models.User
		chat    models.Chat
		caption string // %s is the ticket's number
		kind    string // "photo", "voice", else a document
		toNote  bool   // a reply to the officer's notification
		upload  int64  // Options.MaxUploadBytes; 0 the default
		want    []string
		notWant []string
	}{
		{"/reply on a voice message in the officer's chat", false, zamira, private, "/reply %s Here is what I said.", "voice", false, 0,
			[]string{"Asgjë nuk iu dërgua qytetarit", "vetëm dokumente dhe foto", "e merr në Telegram pas tekstit", "bashkëngjitur (deri në 50 MB)", "/reply %s"}, []string{help}},
		{"/reply on a voice message, the Bot API taking 2000 MB", false, zamira, private, "/reply %s Here is what I said.", "voice", false, 2000 * 1000 * 1000,
			[]string{"Asgjë nuk iu dërgua qytetarit", "bashkëngjitur (deri në 2000 MB)", "/reply %s"}, []string{"50 MB"}},
		{"/reply on a voice message in the officers' group", false, zamira, group, "/reply@" + botName + " %s\nHere is what I said.", "voice", false, 0,
			[]string{"Asgjë nuk iu dërgua qytetarit", "vetëm dokumente dhe foto"}, nil},
		{"/reply on a document for a mail ticket", true, zamira, private, "/reply %s Here is the document you asked for.", "document", false, 0,
			[]string{"Asgjë nuk iu dërgua qytetarit", "qytetari shkroi me email", "përgjigjuni me email njoftimit", "bashkëngjitur"}, []string{help, "e merr në Telegram"}},
		{"a photo replying to the notification of a mail ticket", true, zamira, private, "Here is the document you asked for.", "photo", true, 0,
			[]string{"Asgjë nuk iu dërgua qytetarit", "qytetari shkroi me email", "përgjigjuni me email njoftimit"}, []string{"po i dërgohet qytetarit"}},
		{"/ticket on a photo", false, zamira, private, "/ticket %s", "photo", false, 0,
			[]string{"Gjendja:", "Skedari nuk u ruajt", "(qytetarit në Telegram deri në 50 MB)"}, []string{help}},
		{"/ticket on a photo, the Bot API taking 100 MB", false, zamira, private, "/ticket %s", "photo", false, 100 * 1000 * 1000,
			[]string{"Skedari nuk u ruajt", "(qytetarit në Telegram deri në 100 MB)"}, []string{"50 MB"}},
		{"a stranger's /reply on a document in the officers' group", false, stranger, group, "/reply %s Here is the document.", "document", false, 0,
			[]string{"vetëm për zyrtarët"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{opts: func(o *bot.Options) { o.MaxUploadBytes = tt.upload }})
			f.johnAsks(tt.email)
			tk := f.tickets()[0]
			fill := func(s string) string {
				if strings.Contains(s, "%s") {
					return fmt.Sprintf(s, tk.Number)
				}
				return s
			}
			m := models.Message{From: &tt.from, Chat: tt.chat, Caption: fill(tt.caption)}
			switch tt.kind {
			case "photo":
				m.Photo = []models.PhotoSize{{FileID: "ph1", FileUniqueID: "uph1", Width: 1280, Height: 960, FileSize: 90000}}
			case "voice":
				m.Voice = &models.Voice{FileID: "vo1", FileUniqueID: "uvo1", Duration: 4, MimeType: "audio/ogg", FileSize: 9000}
			default:
				m.Document = &models.Document{FileID: "doc1", FileUniqueID: "udoc1", FileName: "vendimi.pdf", MimeType: "application/pdf", FileSize: 120000}
			}
			if tt.toNote {
				note := f.lastSent(zamira.ID)
				m.ReplyToMessage = &note
			}
			before := len(f.tg.Sent(tt.chat.ID))
			toCitizen := len(f.tg.Sent(john.ID))
			mails := len(f.smtp.Mails())
			m = f.tg.PushMessage(m)
			f.settle()

			answers := f.tg.Sent(tt.chat.ID)[before:]
			said := strings.Join(texts(answers), "\n")
			if len(answers) == 0 {
				t.Fatalf("the officer was answered nothing")
			}
			for _, w := range tt.want {
				if !strings.Contains(said, fill(w)) {
					t.Errorf("the officer was told %q; want %q in it", said, fill(w))
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(said, w) {
					t.Errorf("the officer was told %q; want no %q", said, w)
				}
			}
			if r := answers[0].ReplyToMessage; r == nil || r.ID != m.ID {
				t.Errorf("the answer does not quote the officer's message %d: %+v", m.ID, r)
			}
			if n := len(f.tg.Sent(john.ID)); n != toCitizen {
				t.Errorf("the citizen got %d more messages: %q", n-toCitizen, texts(f.tg.Sent(john.ID)[toCitizen:]))
			}
			for _, ml := range f.smtp.Mails()[mails:] {
				if slices.Contains(ml.To, "john@example.net") {
					t.Errorf("a mail went to the citizen:\n%s", ml.Data)
				}
			}
			if got := f.ticket(tk.Number).State; got != inquiry.Assigned {
				t.Errorf("ticket %s, want it still assigned", got)
			}
			if n := len(f.jobs(tk.Number, inquiry.JobAnswer)); n != 0 {
				t.Errorf("%d answer jobs, want none", n)
			}
		})
	}
}
