package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/inquiry"
)

// failOnceDesk is the real desk failing the first handling of one Telegram
// message, as a store that refused one write.
type failOnceDesk struct {
	bot.Desk
	source string
	mu     sync.Mutex
	failed bool
}

func (d *failOnceDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	d.mu.Lock()
	fail := m.SourceID == d.source && !d.failed
	d.failed = d.failed || fail
	d.mu.Unlock()
	if fail {
		return "", errors.New("database is locked")
	}
	return d.Desk.Handle(ctx, m)
}

// pushAlbum queues three scanned pages sent as one album, caption on part
// captionAt (none when out of range), and returns the parts as delivered.
func (f *fixture) pushAlbum(captionAt int) []models.Message {
	var parts []models.Message
	for i := range 3 {
		id := fmt.Sprintf("scan-%d", i)
		f.tg.AddFileContent(models.File{FileID: id}, binary(5000+i, byte(i)))
		m := models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}, MediaGroupID: "13579",
			Document: &models.Document{FileID: id, FileName: fmt.Sprintf("faqja-%d.pdf", i+1), MimeType: "application/pdf", FileSize: int64(5000 + i)}}
		if i == captionAt {
			m.Caption = docRequestSQ
		}
		parts = append(parts, f.tg.PushMessage(m))
	}
	return parts
}

func TestAlbumIsOneTicketWithOneAcknowledgement(t *testing.T) {
	tests := []struct {
		name      string
		captionAt int
		// failPart fails the first handling of that part (-1: none).
		failPart int
		category inquiry.Category
		officer  models.User
	}{
		{"caption on the first part", 0, -1, inquiry.DocumentRequest, jusuf},
		{"caption on the last part, as documents are sent", 2, -1, inquiry.DocumentRequest, jusuf},
		{"caption on the middle part", 1, -1, inquiry.DocumentRequest, jusuf},
		{"no caption", -1, -1, inquiry.GeneralQuestion, zamira},
		// The captioned part is handled first; a part before it failing
		// after that must not have been confirmed with it.
		{"a part before the caption fails once", 2, 0, inquiry.DocumentRequest, jusuf},
		{"the captioned part fails once", 2, 2, inquiry.DocumentRequest, jusuf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := setup{noRun: true}
			if tt.failPart >= 0 {
				s.desk = func(d bot.Desk) bot.Desk {
					return &failOnceDesk{Desk: d, source: fmt.Sprintf("tg:%d:%d", arta.ID, tt.failPart+1)}
				}
			}
			f := newFixture(t, s)
			// One fetch gives the whole album, as Telegram hands it over.
			parts := f.pushAlbum(tt.captionAt)
			f.stop = f.run(f.bot)
			f.settle()

			tk, entries := f.only()
			if tk.Category != tt.category || tk.OfficerID != strings.ToLower(tt.officer.FirstName) {
				t.Errorf("ticket is %s for %s, want %s for %s", tk.Category, tk.OfficerID, tt.category, strings.ToLower(tt.officer.FirstName))
			}
			files := 0
			for _, e := range entries {
				if e.Kind != inquiry.EntryInbound {
					t.Errorf("entry %s %q: the album was reclassified or rerouted", e.Kind, e.Text)
					continue
				}
				for _, a := range e.Attachments {
					if a.Truncated {
						t.Errorf("file %s not kept", describeFile(a))
					}
					files++
				}
			}
			if files != 3 {
				t.Errorf("the ticket keeps %d files, want the album's 3", files)
			}
			sent := f.tg.Sent(arta.ID)
			if len(sent) != 1 || !strings.Contains(sent[0].Text, tk.Number) {
				t.Fatalf("the citizen got %d messages, want one acknowledgement: %q", len(sent), texts(sent))
			}
			if tt.captionAt >= 0 && (sent[0].ReplyToMessage == nil || sent[0].ReplyToMessage.ID != parts[tt.captionAt].ID) {
				t.Errorf("the acknowledgement does not reply to the captioned part %d", parts[tt.captionAt].ID)
			}
			for _, o := range []models.User{osman, jusuf, zamira} {
				if n := len(f.tg.Sent(o.ID)); o.ID != tt.officer.ID && n > 0 {
					t.Errorf("officer %s, not the ticket's, was notified %d times", o.FirstName, n)
				}
			}
		})
	}
}

// The long poll answers as soon as an album's first part is there, so one
// fetch can end inside the album. Parts with no words yet at the end of a
// fetch wait a moment for the rest: the document album whose caption came
// in the next fetch is still one document request, acknowledged once.
func TestAlbumSplitAcrossFetches(t *testing.T) {
	f := newFixture(t, setup{noRun: true})
	var parts []models.Message
	push := func(i int, caption string) {
		id := fmt.Sprintf("scan-%d", i)
		f.tg.AddFileContent(models.File{FileID: id}, binary(5000+i, byte(i)))
		parts = append(parts, f.tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}, MediaGroupID: "24680", Caption: caption,
			Document: &models.Document{FileID: id, FileName: fmt.Sprintf("faqja-%d.pdf", i+1), MimeType: "application/pdf", FileSize: int64(5000 + i)}}))
	}
	push(0, "")
	push(1, "")
	f.stop = f.run(f.bot)
	// The first fetch gave the two bare parts; the bot asks again.
	if _, err := f.tg.WaitCalls(f.ctx, "getUpdates", 2); err != nil {
		t.Fatal(err)
	}
	push(2, docRequestSQ)
	f.settle()

	tk, entries := f.only()
	if tk.Category != inquiry.DocumentRequest || tk.OfficerID != "jusuf" {
		t.Errorf("ticket is %s for %s, want a document request for jusuf", tk.Category, tk.OfficerID)
	}
	for _, e := range entries {
		if e.Kind != inquiry.EntryInbound {
			t.Errorf("entry %s %q: the album was reclassified or rerouted", e.Kind, e.Text)
		}
	}
	sent := f.tg.Sent(arta.ID)
	if len(sent) != 1 || sent[0].ReplyToMessage == nil || sent[0].ReplyToMessage.ID != parts[2].ID {
		t.Fatalf("the citizen got %q, want one acknowledgement of the captioned part", texts(sent))
	}
	if n := len(f.tg.Sent(zamira.ID)); n > 0 {
		t.Errorf("the catch-all officer was notified %d times of a ticket not hers", n)
	}
}
