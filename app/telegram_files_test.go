package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// The files citizens send by Telegram are kept in the ticket's record as a
// mail's are, once, in the entry's raw, and reach the officer's
// notification mail byte for byte, from intake's memory and from the store
// alike. A file over mail.max_attachment_bytes is not downloaded: the
// ticket is filed, the file named as not kept.
func TestE2ETelegramFilesReachTheOfficer(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	tg := devserver.StartTelegram("123456:e2e-files-token", "dkp_files_bot")
	t.Cleanup(tg.Close)
	s.cfg.Telegram = botConfig(tg)
	s.cfg.Mail.MaxAttachmentBytes = 1 << 20
	a, _ := s.serve()

	photo := append([]byte("\xff\xd8\xff\xe0JFIF\x00"), bytes.Repeat([]byte{0, 0xff, '\r', '\n', 0x80, 'x'}, 40_000)...)
	pdf := append([]byte("%PDF-1.7\r\n"), bytes.Repeat([]byte{1, 2, 3, 0xfe, '\n'}, 30_000)...)
	tg.AddFileContent(models.File{FileID: "photo-big"}, photo)
	tg.AddFileContent(models.File{FileID: "photo-thumb"}, []byte("thumb"))
	tg.AddFileContent(models.File{FileID: "contract"}, pdf)
	// Telegram has it, and would give it: the limit keeps it out.
	tg.AddFileContent(models.File{FileID: "video-big"}, bytes.Repeat([]byte{0x42}, 3<<20))
	tests := []struct {
		name    string
		from    models.User
		msg     models.Message
		officer string
		file    wireAttachment // attached to the notification; none when content is nil
		listed  string         // named in its text as not attached
	}{
		{"photo of a document request", models.User{ID: 9101, FirstName: "Arta", LanguageCode: "sq"}, models.Message{
			Caption: "Të nderuar, në bazë të Ligjit për qasje në dokumente publike kërkoj kopjen e vendimit në foto.",
			Photo: []models.PhotoSize{{FileID: "photo-thumb", Width: 90, Height: 60, FileSize: 5},
				{FileID: "photo-big", Width: 1280, Height: 853, FileSize: len(photo)}}},
			"jusuf.lushaku@mkrs.example", wireAttachment{name: "photo.jpg", contentType: "image/jpeg", content: photo}, ""},
		{"document of a journalist", models.User{ID: 9102, FirstName: "Milan", LanguageCode: "sr"}, models.Message{
			Caption:  "Poštovani, novinar sam. Molimo vas za intervju sa ministrom o ugovoru u prilogu.",
			Document: &models.Document{FileID: "contract", FileName: "ugovor.pdf", MimeType: "application/pdf", FileSize: int64(len(pdf))}},
			"osman.gashi@mkrs.example", wireAttachment{name: "ugovor.pdf", contentType: "application/pdf", content: pdf}, ""},
		{"video over max_attachment_bytes", models.User{ID: 9103, FirstName: "John", LanguageCode: "en"}, models.Message{
			Caption: "Hello, what are the opening hours of the museum? Video of the closed door attached.",
			Video:   &models.Video{FileID: "video-big", FileName: "door.mp4", MimeType: "video/mp4", FileSize: 3 << 20}},
			"zamira.ahmeti@mkrs.example", wireAttachment{}, "door.mp4 (video/mp4, 3145728 bytes)"},
	}
	for _, tt := range tests {
		m := tt.msg
		m.From = &tt.from
		m.Chat = models.Chat{ID: tt.from.ID, Type: models.ChatTypePrivate}
		tg.PushMessage(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tg.WaitDrained(ctx); err != nil {
		t.Fatal(err)
	}
	byChat := map[int64]inquiry.Ticket{}
	testutil.Eventually(t, "three tickets and nothing left to send", 20*time.Second, func() (bool, error) {
		ts, err := a.store.ListTickets(ctx, inquiry.TicketFilter{})
		if err != nil || len(ts) < len(tests) {
			return false, err
		}
		for _, tk := range ts {
			byChat[tk.ChatID] = tk
		}
		pending, err := a.store.ListJobs(ctx, inquiry.JobPending, 1)
		return len(pending) == 0, err
	})
	if n := len(tg.Calls("download")); n != 2 {
		t.Errorf("%d downloads, want 2 (the largest photo size and the document; the video is too large)", n)
	}
	wire := s.wireMails()
	stored := storedAttachments{store: a.store, parse: a.parseOptions()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk, ok := byChat[tt.from.ID]
			if !ok {
				t.Fatalf("no ticket for chat %d", tt.from.ID)
			}
			notify := the(t, wire, "notify", tk.Number)
			if got := strings.Join(notify.envelopeTo, ","); got != tt.officer {
				t.Errorf("notification to %s, want %s", got, tt.officer)
			}
			switch {
			case tt.file.content != nil:
				if len(notify.attachments) != 1 {
					t.Fatalf("notification carries %d files, want %s", len(notify.attachments), tt.file.name)
				}
				got := notify.attachments[0]
				if got.name != tt.file.name || got.contentType != tt.file.contentType || !bytes.Equal(got.content, tt.file.content) {
					t.Errorf("notification carries %s (%s, %d bytes), want %s (%s, %d bytes) byte for byte",
						got.name, got.contentType, len(got.content), tt.file.name, tt.file.contentType, len(tt.file.content))
				}
			default:
				if len(notify.attachments) != 0 || !strings.Contains(notify.text, tt.listed) {
					t.Errorf("notification carries %d files and its text lacks %q:\n%s", len(notify.attachments), tt.listed, notify.text)
				}
			}

			entries, err := a.store.Entries(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				for _, at := range e.Attachments {
					if len(at.Content) > 0 {
						t.Errorf("%s entry copies %d bytes of %s: the raw keeps them", e.Kind, len(at.Content), at.Name)
					}
				}
			}
			jobs, err := a.store.TicketJobs(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs {
				if j.Kind != inquiry.JobNotify || j.Mail == nil {
					continue
				}
				if len(j.Mail.Attachments) > 0 {
					t.Errorf("notification job copies %d files", len(j.Mail.Attachments))
				}
				if tt.file.content == nil {
					continue
				}
				if j.Mail.AttachFrom == nil {
					t.Fatal("notification job names no kept file")
				}
				// From the store, as after a restart: the same bytes.
				read, err := stored.Attachments(ctx, *j.Mail.AttachFrom)
				if err != nil || len(read) != 1 || !bytes.Equal(read[0].Content, tt.file.content) {
					t.Errorf("the store gives %d files back (err %v), want %s byte for byte", len(read), err, tt.file.name)
				}
			}
		})
	}
	if strings.Contains(s.logs.String(), tg.Token) {
		t.Error("the log holds the bot token")
	}
}
