package outbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// officersTelegramFiles are an officer's answer's files as Telegram keeps
// them: a document and a photo sent to the bot.
func officersTelegramFiles() []inquiry.ChatFile {
	return []inquiry.ChatFile{
		{FileID: "BQACdoc1", Kind: inquiry.ChatDocument, Name: "vendimi.pdf", ContentType: "application/pdf", Size: 12},
		{FileID: "AgACph1", Kind: inquiry.ChatPhoto, Name: "photo.jpg", ContentType: "image/jpeg", Size: 9},
	}
}

// addChatWithFileIDs queues an answer to chat, written by officer, whose
// files Telegram keeps.
func (f *fixture) addChatWithFileIDs(chat int64, officer string, files []inquiry.ChatFile) int64 {
	f.t.Helper()
	j := inquiry.Job{
		TicketID: f.ticket.ID, Kind: inquiry.JobAnswer, Recipient: "tg:1001", NextAt: f.now, CreatedAt: f.now,
		Chat: &inquiry.ChatMessage{ChatID: chat, Text: "DKP-2026-000001\n\nJu dërgojmë vendimin.", Files: files, Officer: officer},
	}
	f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
	return j.ID
}

// refusals records what the outbox asked to tell the officers.
type refusals struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (r *refusals) tell(_ context.Context, j inquiry.Job, file string, notSent []string, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, j.Chat.Officer+"|"+file+"|"+strings.Join(notSent, ",")+"|"+reason)
	return r.err
}

// An officer's answer given in Telegram with a document and a photo goes
// to the citizen's chat as its text, then the document, then the photo,
// each by the file id Telegram keeps it under (sendDocument, sendPhoto),
// nothing uploaded. Each part sent is recorded: a retry after a crash
// sends only what was not. A file Telegram refuses for good after the text
// went fails the job and the officer is told (the desk makes that once);
// if they cannot be told yet, the job is tried again rather than failed
// without a word. Real bot, fake Bot API over HTTP, real store.
func TestChatAnswerWithTelegramFiles(t *testing.T) {
	const chat = int64(1001)
	tests := []struct {
		name       string
		sentBefore string // the progress a crashed send left
		unknown    string // a file id Telegram does not know (refused, 400)
		tooLarge   bool   // Telegram answers the document 413
		tellErr    error  // the officer cannot be told
		wantTexts  int
		wantFiles  []string // file ids in the chat, in order
		wantState  inquiry.JobState
		wantTold   []string
	}{
		{name: "text, then the document, then the photo, by file id",
			wantTexts: 1, wantFiles: []string{"BQACdoc1", "AgACph1"}, wantState: inquiry.JobDone},
		{name: "crash after the text: the files go, the text not again", sentBefore: `{"sent":1,"ref":"tg:1001:41"}`,
			wantFiles: []string{"BQACdoc1", "AgACph1"}, wantState: inquiry.JobDone},
		{name: "crash after the text and the document: only the photo goes", sentBefore: `{"sent":2,"ref":"tg:1001:41"}`,
			wantFiles: []string{"AgACph1"}, wantState: inquiry.JobDone},
		{name: "crash after every part: nothing again", sentBefore: `{"sent":3,"ref":"tg:1001:41"}`,
			wantState: inquiry.JobDone},
		{name: "photo's file id refused: failed after the document, the officer told", unknown: "AgACph1",
			wantTexts: 1, wantFiles: []string{"BQACdoc1"}, wantState: inquiry.JobFailed,
			wantTold: []string{"zamira|photo.jpg||send file 2 of 2"}},
		{name: "document too large (413): failed, the officer told of it and of the photo not sent", tooLarge: true,
			wantTexts: 1, wantState: inquiry.JobFailed,
			wantTold: []string{"zamira|vendimi.pdf|photo.jpg|send file 1 of 2"}},
		{name: "officer cannot be told: tried again, failed once told", unknown: "AgACph1", tellErr: errors.New("store away"),
			wantTexts: 1, wantFiles: []string{"BQACdoc1"}, wantState: inquiry.JobFailed,
			wantTold: []string{"zamira|photo.jpg|", "zamira|photo.jpg|"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.addChatWithFileIDs(chat, "zamira", officersTelegramFiles())
			if tt.sentBefore != "" {
				if err := f.store.SetState(context.Background(), "outbox.chat_parts."+itoa(id), tt.sentBefore); err != nil {
					t.Fatal(err)
				}
			}
			tg, b := fakeTelegram(t, chat, f.store)
			for _, fl := range officersTelegramFiles() {
				if fl.FileID != tt.unknown {
					tg.AddFileContent(models.File{FileID: fl.FileID}, []byte("kept by Telegram"))
				}
			}
			if tt.tooLarge {
				tg.FailNext("sendDocument", devserver.TelegramFailure{ErrorCode: 413, Description: "Request Entity Too Large"})
			}
			told := &refusals{err: tt.tellErr}
			ob := outbox.New(f.store, nil, b, outbox.Config{MaxAttempts: 5, BackoffMin: time.Minute, BackoffMax: time.Minute,
				Lease: time.Minute, ChatFileRefused: told.tell}, testutil.DiscardLogger())
			ob.SetClock(func() time.Time { return f.now })
			for i := range 4 { // a retry is due a minute later
				if i == 1 {
					told.mu.Lock()
					told.err = nil // the store is back
					told.mu.Unlock()
				}
				if err := ob.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				f.now = f.now.Add(2 * time.Minute)
			}

			var texts int
			var files []string
			for _, m := range tg.Sent(chat) {
				switch {
				case m.Document != nil:
					files = append(files, m.Document.FileID)
				case len(m.Photo) > 0:
					files = append(files, m.Photo[0].FileID)
				default:
					texts++
				}
			}
			if texts != tt.wantTexts {
				t.Errorf("%d texts in the chat, want %d", texts, tt.wantTexts)
			}
			if strings.Join(files, ",") != strings.Join(tt.wantFiles, ",") {
				t.Errorf("files in the chat %q, want %q", files, tt.wantFiles)
			}
			j := f.job(id)
			if j.State != tt.wantState {
				t.Errorf("job %s (%q), want %s", j.State, j.LastError, tt.wantState)
			}
			if len(told.calls) != len(tt.wantTold) {
				t.Fatalf("officer told %d times %q, want %d", len(told.calls), told.calls, len(tt.wantTold))
			}
			for i, want := range tt.wantTold {
				if !strings.HasPrefix(told.calls[i], want) {
					t.Errorf("told %q, want it to begin %q", told.calls[i], want)
				}
			}
		})
	}
}
