package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/store/sqlite"
)

// entryFiles reads the files a notification names from the entry's record
// as the web workspace and `sportel tickets attachment` do
// (parse.EntryAttachments); the daemon's own reader is tested in app.
type entryFiles struct{ st *sqlite.Store }

func (s entryFiles) Attachments(ctx context.Context, ref inquiry.AttachmentRef) ([]inquiry.Attachment, error) {
	e, ok, err := s.st.Entry(ctx, ref.TicketID, ref.EntryID)
	if err != nil || !ok {
		return nil, fmt.Errorf("entry %d of ticket %d: found %v, err %v", ref.EntryID, ref.TicketID, ok, err)
	}
	all := parse.EntryAttachments(e)
	var out []inquiry.Attachment
	for _, i := range ref.Indexes {
		if i >= len(all) || all[i].Content == nil {
			return nil, fmt.Errorf("entry %d keeps no bytes of attachment %d", e.ID, i)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// filesFixture is the fixture whose outbox can send the files the record
// keeps, with officers' notification mails carrying up to 15 MiB of them.
func filesFixture(t *testing.T, opts func(*bot.Options)) *fixture {
	t.Helper()
	f := newFixture(t, setup{opts: opts, deskCfg: func(c *desk.Config) { c.NotifyAttachmentsMaxBytes = 15 << 20 }})
	m, err := mailer.New(mailer.Options{Addr: f.smtp.Addr, Security: "none", Logger: f.log})
	if err != nil {
		t.Fatal(err)
	}
	f.outbox = outbox.New(f.store, m, f.bot, outbox.Config{BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
		SendTimeout: 10 * time.Second, Attachments: entryFiles{f.store}}, f.log)
	return f
}

// only is the single ticket the test's message made, and its entries.
func (f *fixture) only() (inquiry.Ticket, []inquiry.Entry) {
	f.t.Helper()
	ts := f.tickets()
	if len(ts) != 1 {
		f.t.Fatalf("%d tickets, want 1", len(ts))
	}
	entries, err := f.store.Entries(f.ctx, ts[0].ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ts[0], entries
}

type sentFile struct {
	name, contentType string
	content           []byte
}

// notifyFiles is the files attached to the officers' notification mails
// about number, and the mails' text.
func (f *fixture) notifyFiles(number string) ([]sentFile, string) {
	f.t.Helper()
	var files []sentFile
	var text strings.Builder
	n := 0
	for _, m := range f.smtp.Mails() {
		r, err := mail.CreateReader(bytes.NewReader(m.Data))
		if err != nil {
			f.t.Fatalf("read mail: %v", err)
		}
		id, _ := r.Header.MessageID()
		if !strings.HasPrefix(id, "sportel.notify.") || r.Header.Get("X-Sportel-Ticket") != number {
			continue
		}
		n++
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.t.Fatalf("notification: next part: %v", err)
			}
			body, err := io.ReadAll(p.Body)
			if err != nil {
				f.t.Fatalf("notification: read part: %v", err)
			}
			switch h := p.Header.(type) {
			case *mail.InlineHeader:
				text.Write(body)
			case *mail.AttachmentHeader:
				name, _ := h.Filename()
				ct, _, _ := h.ContentType()
				files = append(files, sentFile{name, ct, body})
			}
		}
	}
	if n == 0 {
		f.t.Fatalf("no notification mail about %s", number)
	}
	return files, text.String()
}

// noToken fails when the bot token reached the log: the download link
// holds it.
func (f *fixture) noToken() {
	f.t.Helper()
	if strings.Contains(f.logs.String(), token) {
		f.t.Errorf("the log holds the bot token:\n%s", f.logs.String())
	}
}

// describeFile is an attachment for a failure message, without its bytes.
func describeFile(a inquiry.Attachment) string {
	return fmt.Sprintf("{name %q type %q size %d, %d content bytes, truncated %v, file id %q}",
		a.Name, a.ContentType, a.Size, len(a.Content), a.Truncated, a.FileID)
}

// binary is n bytes of every value, CR and LF included, as files have.
func binary(n int, seed byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(i*7) ^ seed
	}
	return out
}

func TestCitizenFilesAreKeptInTheRecord(t *testing.T) {
	photo := append([]byte("\xff\xd8\xff\xe0JFIF"), binary(150_000, 0x5a)...)
	pdf := append([]byte("%PDF-1.7\r\n"), binary(70_000, 0x13)...)
	notes := []byte("Shënime\r\nrreth kërkesës\n\x00\xfe")
	tests := []struct {
		name    string
		msg     models.Message
		files   map[string][]byte // by file id, as Telegram holds them
		content []byte
		want    inquiry.Attachment // as recorded, without bytes
		text    string
	}{
		{"photo: its largest size", models.Message{
			Caption: "Kërkoj kopjen e këtij vendimi",
			Photo: []models.PhotoSize{
				{FileID: "ph-small", Width: 90, Height: 90, FileSize: 1000},
				{FileID: "ph-large", Width: 1280, Height: 960, FileSize: len(photo)},
			}},
			map[string][]byte{"ph-small": binary(1000, 1), "ph-large": photo}, photo,
			inquiry.Attachment{Name: "photo.jpg", ContentType: "image/jpeg", Size: int64(len(photo))}, "Kërkoj kopjen e këtij vendimi"},
		{"document with a name beyond ASCII", models.Message{
			Document: &models.Document{FileID: "doc-pdf", FileName: "kërkesa për qasje.pdf", MimeType: "application/pdf", FileSize: int64(len(pdf))}},
			map[string][]byte{"doc-pdf": pdf}, pdf,
			inquiry.Attachment{Name: "kërkesa për qasje.pdf", ContentType: "application/pdf", Size: int64(len(pdf))}, ""},
		{"text document stays a file, not words", models.Message{
			Caption:  docRequestSQ,
			Document: &models.Document{FileID: "doc-txt", FileName: "shenime.txt", MimeType: "text/plain", FileSize: int64(len(notes))}},
			map[string][]byte{"doc-txt": notes}, notes,
			inquiry.Attachment{Name: "shenime.txt", ContentType: "text/plain", Size: int64(len(notes))}, docRequestSQ},
		{"document of a type that would be read as parts", models.Message{
			Document: &models.Document{FileID: "doc-mp", FileName: "mail.eml", MimeType: "message/rfc822", FileSize: int64(len(pdf))}},
			map[string][]byte{"doc-mp": pdf}, pdf,
			inquiry.Attachment{Name: "mail.eml", ContentType: "application/octet-stream", Size: int64(len(pdf))}, ""},
		{"voice message", models.Message{
			Voice: &models.Voice{FileID: "voice-1", Duration: 7, MimeType: "audio/ogg"}},
			map[string][]byte{"voice-1": binary(9000, 0x77)}, binary(9000, 0x77),
			inquiry.Attachment{Name: "voice.ogg", ContentType: "audio/ogg", Size: 9000}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filesFixture(t, nil)
			for id, content := range tt.files {
				f.tg.AddFileContent(models.File{FileID: id}, content)
			}
			m := tt.msg
			m.From = &arta
			m.Chat = models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}
			f.tg.PushMessage(m)
			f.settle()
			for _, sent := range f.tg.Sent(arta.ID) {
				if strings.Contains(sent.Text, "Nuk mundëm ta ruajmë") {
					t.Errorf("the citizen was told a kept file was not: %q", sent.Text)
				}
			}

			tk, entries := f.only()
			e := entries[0]
			if len(e.Attachments) != 1 {
				t.Fatalf("entry records %d attachments, want 1", len(e.Attachments))
			}
			// Recorded as a mail's kept file: name, type and size; the bytes
			// once, in the raw.
			got := e.Attachments[0]
			if got.Name != tt.want.Name || got.ContentType != tt.want.ContentType || got.Size != tt.want.Size ||
				got.Content != nil || got.Truncated || got.FileID != "" {
				t.Errorf("recorded %s, want %s without bytes", describeFile(got), describeFile(tt.want))
			}
			if e.Text != tt.text {
				t.Errorf("entry text %q, want %q", e.Text, tt.text)
			}
			if len(e.Raw) == 0 {
				t.Fatal("the entry keeps no raw record")
			}
			read := parse.EntryAttachments(e)
			if len(read) != 1 || !bytes.Equal(read[0].Content, tt.content) {
				t.Fatalf("the record gives %d files back, want the citizen's %d bytes byte for byte", len(read), len(tt.content))
			}
			if n := len(f.tg.Calls("download")); n != 1 {
				t.Errorf("%d downloads, want 1", n)
			}

			files, _ := f.notifyFiles(tk.Number)
			if len(files) == 0 {
				t.Fatal("the notification mail carries no file")
			}
			for _, sf := range files {
				if sf.name != tt.want.Name || !bytes.Equal(sf.content, tt.content) {
					t.Errorf("notification carries %q (%d bytes), want %q byte for byte", sf.name, len(sf.content), tt.want.Name)
				}
			}
			// Named, not copied: the jobs hold no second copy.
			for _, j := range f.jobs(tk.Number, inquiry.JobNotify) {
				if j.Mail == nil {
					continue
				}
				if len(j.Mail.Attachments) > 0 || j.Mail.AttachFrom == nil {
					t.Errorf("notification job to %s copies %d files, names %+v", j.Recipient, len(j.Mail.Attachments), j.Mail.AttachFrom)
				}
			}
			if !strings.Contains(f.lastSent(arta.ID).Text, tk.Number) {
				t.Error("the citizen got no acknowledgement")
			}
			f.noToken()
		})
	}
}

func TestCitizenFileNotKeptStillFilesTheMessage(t *testing.T) {
	const fileID = "doc-x"
	small := binary(5000, 0x21)
	tests := []struct {
		name      string
		opts      func(*bot.Options)
		prepare   func(tg *devserver.Telegram)
		size      int64 // the size the message claims
		downloads int
		reason    string
	}{
		{"the file is gone from Telegram (404)", nil, func(tg *devserver.Telegram) {
			tg.AddFile(models.File{FileID: fileID, FileUniqueID: "u", FilePath: "documents/gone.pdf", FileSize: 5000})
		}, 5000, 1, "download: HTTP 404"},
		{"Telegram fails the download (500)", nil, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: fileID}, small)
			tg.FailNext("download", devserver.TelegramFailure{ErrorCode: 500})
		}, 5000, 1, "download: HTTP 500"},
		{"the download is slower than the timeout", func(o *bot.Options) { o.FileTimeout = 300 * time.Millisecond }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: fileID}, small)
			tg.SetDownloadDelay(20 * time.Second)
		}, 5000, 1, "download: timed out after 300ms"},
		{"getFile refuses the file id", nil, func(tg *devserver.Telegram) {}, 5000, 0, "getFile: bad request"},
		{"the message says it is over the Bot API's 20 MB", nil, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: fileID}, small)
		}, 21 << 20, 0, "22020096 bytes, over the 20971520 a file may have"},
		{"the message says it is over max_attachment_bytes", func(o *bot.Options) { o.MaxFileBytes = 4000 }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: fileID}, small)
		}, 5000, 0, "5000 bytes, over the 4000 a file may have"},
		{"getFile says it is too large", func(o *bot.Options) { o.MaxFileBytes = 4000 }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: fileID, FileSize: 5000}, small)
		}, 0, 0, "5000 bytes, over the 4000 a file may have"},
		{"more comes than was said", func(o *bot.Options) { o.MaxFileBytes = 4000 }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: fileID, FileSize: 100}, small)
		}, 100, 1, "5000 bytes, over the 4000 a file may have"},
		{"the record would pass max_raw_bytes", func(o *bot.Options) { o.MaxRawBytes = 8000 }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: fileID}, small)
		}, 5000, 0, "more than the message's record can still take (mail.max_raw_bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filesFixture(t, tt.opts)
			tt.prepare(f.tg)
			start := time.Now()
			f.tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate},
				Caption:  docRequestSQ,
				Document: &models.Document{FileID: fileID, FileName: "kerkesa.pdf", MimeType: "application/pdf", FileSize: tt.size}})
			f.settle()
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("the message took %v to file", took)
			}

			tk, entries := f.only()
			e := entries[0]
			if e.Text != docRequestSQ {
				t.Errorf("entry text %q, want the caption", e.Text)
			}
			if len(e.Attachments) != 1 {
				t.Fatalf("entry records %d attachments, want 1", len(e.Attachments))
			}
			got := e.Attachments[0]
			if got.FileID != fileID || !got.Truncated || got.Content != nil || got.Name != "kerkesa.pdf" {
				t.Errorf("recorded %s, want kerkesa.pdf not kept (truncated, no bytes) with its file id", describeFile(got))
			}
			if len(e.Raw) != 0 {
				t.Errorf("the entry keeps a %d-byte raw with no file in it", len(e.Raw))
			}
			if read := parse.EntryAttachments(e); read[0].Content != nil {
				t.Error("a file not kept reads back with bytes")
			}
			if n := len(f.tg.Calls("download")); n != tt.downloads {
				t.Errorf("%d downloads, want %d (tried once at most)", n, tt.downloads)
			}
			f.waitLog("telegram file not kept")
			// The citizen, acknowledged, would take the file to be filed.
			told := 0
			for _, sent := range f.tg.Sent(arta.ID) {
				if strings.Contains(sent.Text, "Nuk mundëm ta ruajmë skedarin «kerkesa.pdf»") {
					told++
				}
			}
			if told != 1 {
				t.Errorf("the citizen was told %d times that kerkesa.pdf was not kept, want once: %q", told, texts(f.tg.Sent(arta.ID)))
			}
			if !strings.Contains(f.logs.String(), tt.reason) {
				t.Errorf("the log does not give the reason %q:\n%s", tt.reason, f.logs.String())
			}
			// The officer is told of the file, not sent it.
			files, text := f.notifyFiles(tk.Number)
			if len(files) != 0 || !strings.Contains(text, "kerkesa.pdf") {
				t.Errorf("notification carries %d files and names kerkesa.pdf: %v", len(files), strings.Contains(text, "kerkesa.pdf"))
			}
			// A Telegram message has no mailbox: the officer is told the
			// file is only in the chat, not sent to a mail folder.
			if !strings.Contains(text, "vetëm në bisedën e Telegram-it") || strings.Contains(text, "kutinë e përpunuar") {
				t.Errorf("notification does not say the file is only on Telegram:\n%s", text)
			}
			if !strings.Contains(f.lastSent(arta.ID).Text, tk.Number) {
				t.Error("the citizen got no acknowledgement")
			}
			f.noToken()
		})
	}
}

// A message that joins a chat's open ticket keeps its files as the first
// message does, and the officer's mail about it carries them.
func TestFileJoiningAConversationIsKept(t *testing.T) {
	f := filesFixture(t, nil)
	f.say(arta, docRequestSQ)
	scan := append([]byte("%PDF-1.4\n"), binary(40_000, 0x42)...)
	f.tg.AddFileContent(models.File{FileID: "scan"}, scan)
	f.tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate},
		Document: &models.Document{FileID: "scan", FileName: "autorizim.pdf", MimeType: "application/pdf", FileSize: int64(len(scan))}})
	f.settle()

	tk, entries := f.only()
	var inbound []inquiry.Entry
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound {
			inbound = append(inbound, e)
		}
	}
	if len(inbound) != 2 {
		t.Fatalf("%d inbound entries, want 2 (the file joins the ticket)", len(inbound))
	}
	second := inbound[1]
	if len(second.Attachments) != 1 {
		t.Fatalf("joined entry records %d attachments, want 1", len(second.Attachments))
	}
	if len(second.Raw) == 0 || second.Attachments[0].Content != nil {
		t.Fatalf("joined entry: raw %d bytes, records %s: want the file in the raw only", len(second.Raw), describeFile(second.Attachments[0]))
	}
	if read := parse.EntryAttachments(second); !bytes.Equal(read[0].Content, scan) {
		t.Error("the joined entry does not give the file back byte for byte")
	}
	files, _ := f.notifyFiles(tk.Number)
	if len(files) != 1 || files[0].name != "autorizim.pdf" || !bytes.Equal(files[0].content, scan) {
		t.Errorf("notifications carry %d files, want autorizim.pdf byte for byte", len(files))
	}
}

// Files kept come first in the record, those not kept after them: readers
// pair a record's files with the raw's parts by index.
func TestFilesKeptAndNotKeptInOneMessage(t *testing.T) {
	f := filesFixture(t, nil)
	photo := binary(30_000, 0x99)
	f.tg.AddFileContent(models.File{FileID: "ph"}, photo)
	f.tg.AddFile(models.File{FileID: "doc-gone", FileUniqueID: "g", FilePath: "documents/gone", FileSize: 10})
	f.tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate},
		Caption:  "Dy dokumente",
		Photo:    []models.PhotoSize{{FileID: "ph", Width: 800, Height: 600}},
		Document: &models.Document{FileID: "doc-gone", FileName: "vendimi.pdf", MimeType: "application/pdf", FileSize: 10}})
	f.settle()

	_, entries := f.only()
	read := parse.EntryAttachments(entries[0])
	if len(read) != 2 {
		t.Fatalf("%d attachments recorded, want 2", len(read))
	}
	if read[0].Name != "photo.jpg" || !bytes.Equal(read[0].Content, photo) {
		t.Errorf("first attachment %s (%d bytes), want the photo byte for byte", read[0].Name, len(read[0].Content))
	}
	if read[1].Name != "vendimi.pdf" || read[1].Content != nil || !read[1].Truncated || read[1].FileID != "doc-gone" {
		t.Errorf("second attachment %s, want vendimi.pdf not kept", describeFile(read[1]))
	}
}
