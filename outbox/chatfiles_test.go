package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/bot"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

const filesToken = "123456:TEST-token"

// officersFiles are an officer's answer's files as the store keeps them.
func officersFiles() []inquiry.Attachment {
	return []inquiry.Attachment{
		{Name: "vendimi.pdf", ContentType: "application/pdf", Size: 12, Content: []byte("%PDF-vendimi")},
		{Name: "../../raport\u202efdp.exe", ContentType: "application/octet-stream", Size: 6, Content: []byte("raport")},
	}
}

// addChatWithFiles queues an answer to chat whose files the store keeps.
func (f *fixture) addChatWithFiles(chat int64, files int) int64 {
	f.t.Helper()
	ref := &inquiry.AttachmentRef{TicketID: f.ticket.ID, EntryID: 7}
	for i := range files {
		ref.Indexes = append(ref.Indexes, i)
	}
	j := inquiry.Job{
		TicketID: f.ticket.ID, Kind: inquiry.JobAnswer, Recipient: "tg:1001", NextAt: f.now, CreatedAt: f.now,
		Chat: &inquiry.ChatMessage{ChatID: chat, Text: "DKP-2026-000001\n\nJu dërgojmë vendimin.", AttachFrom: ref},
	}
	f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
	return j.ID
}

// fakeTelegram is the fake Bot API with the real bot on it, chat started.
func fakeTelegram(t *testing.T, chat int64, st bot.State) (*devserver.Telegram, *bot.Bot) {
	t.Helper()
	tg := devserver.StartTelegram(filesToken, "sportel_test_bot")
	t.Cleanup(tg.Close)
	tg.MarkStarted(chat)
	b, err := bot.New(context.Background(), bot.Options{Token: filesToken, APIURL: tg.URL, PollTimeout: time.Second,
		Logger: testutil.DiscardLogger()}, nil, st)
	if err != nil {
		t.Fatal(err)
	}
	return tg, b
}

// An officer's answer with files goes to the citizen's chat as its text and
// then each file as a document, with the kept bytes and its name (made
// safe). What a crash leaves behind is the record of the parts sent: a
// retry sends only the rest, so nothing recorded goes twice. Files that
// cannot be read send nothing at all. Real bot, fake Bot API over HTTP.
func TestChatAnswerWithStoredFiles(t *testing.T) {
	const chat = int64(1001)
	tests := []struct {
		name string
		// sentBefore, when set, is the progress a crashed send left.
		sentBefore string
		// failFirstFile: Telegram refuses the first file for now (500),
		// which pauses its sends for a moment (ChatPauseMin).
		failFirstFile bool
		source        *attachmentsOf
		wantTexts     int
		wantDocs      []string // names of the documents the chat got, in order
		wantState     inquiry.JobState
		wantRef       string
	}{
		{name: "text, then each file", source: &attachmentsOf{atts: officersFiles()},
			wantTexts: 1, wantDocs: []string{"vendimi.pdf", "raportfdp.exe"}, wantState: inquiry.JobDone, wantRef: "tg:1001:1"},
		{name: "first file refused for now: the retry sends the files, not the text again", failFirstFile: true,
			source:    &attachmentsOf{atts: officersFiles()},
			wantTexts: 1, wantDocs: []string{"vendimi.pdf", "raportfdp.exe"}, wantState: inquiry.JobDone, wantRef: "tg:1001:1"},
		{name: "crash after the text and the first file: only the second goes", sentBefore: `{"sent":2,"ref":"tg:1001:41"}`,
			source:   &attachmentsOf{atts: officersFiles()},
			wantDocs: []string{"raportfdp.exe"}, wantState: inquiry.JobDone, wantRef: "tg:1001:41"},
		{name: "crash after every part, before the completion: nothing again", sentBefore: `{"sent":3,"ref":"tg:1001:41"}`,
			source:    &attachmentsOf{atts: officersFiles()},
			wantState: inquiry.JobDone, wantRef: "tg:1001:41"},
		{name: "files gone: nothing sent, failed", source: &attachmentsOf{err: permanent{errors.New("entry 7 keeps no raw mail")}},
			wantState: inquiry.JobFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.addChatWithFiles(chat, 2)
			if tt.sentBefore != "" {
				if err := f.store.SetState(context.Background(), "outbox.chat_parts."+itoa(id), tt.sentBefore); err != nil {
					t.Fatal(err)
				}
			}
			tg, b := fakeTelegram(t, chat, f.store)
			if tt.failFirstFile {
				tg.FailNext("sendDocument", devserver.TelegramFailure{ErrorCode: 500, Description: "Internal Server Error"})
			}
			ob := outbox.New(f.store, nil, b, outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour,
				ChatPauseMin: time.Millisecond, ChatPauseMax: time.Millisecond, Lease: time.Minute, Attachments: tt.source}, testutil.DiscardLogger())
			ob.SetClock(func() time.Time { return f.now })
			for range 3 { // a retry is due a minute later
				if err := ob.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				f.now = f.now.Add(2 * time.Minute)
			}

			var texts int
			var docs []string
			for _, m := range tg.Sent(chat) {
				if m.Document == nil {
					texts++
					continue
				}
				docs = append(docs, m.Document.FileName)
				got, _ := tg.Document(m.Document.FileID)
				if want := contentOf(m.Document.FileName); !bytes.Equal(got, want) {
					t.Errorf("document %q holds %q, want %q", m.Document.FileName, got, want)
				}
			}
			if texts != tt.wantTexts {
				t.Errorf("%d texts in the chat, want %d", texts, tt.wantTexts)
			}
			if strings.Join(docs, ",") != strings.Join(tt.wantDocs, ",") {
				t.Errorf("documents in the chat %q, want %q", docs, tt.wantDocs)
			}
			j := f.job(id)
			if j.State != tt.wantState || j.SentRef != tt.wantRef {
				t.Errorf("job %s ref %q (%q), want %s ref %q", j.State, j.SentRef, j.LastError, tt.wantState, tt.wantRef)
			}
		})
	}
}

// contentOf is the bytes of the officersFiles file sent as name.
func contentOf(name string) []byte {
	if name == "vendimi.pdf" {
		return []byte("%PDF-vendimi")
	}
	return []byte("raport")
}

func itoa(n int64) string { return strings.TrimPrefix(refOf(0, int(n)), "tg:0:") }

// armBeforeFile is the bot as the outbox sees it, arming the front just
// before the first file is sent, so the front holds that request.
type armBeforeFile struct {
	*noReturnWatch
	files interface {
		SendChatFile(ctx context.Context, chatID int64, f inquiry.Attachment) error
	}
	front *telegramFront
	armed atomic.Bool
}

func (a *armBeforeFile) SendChatFile(ctx context.Context, chatID int64, f inquiry.Attachment) error {
	if a.armed.CompareAndSwap(false, true) {
		a.front.armed.Store(true)
	}
	return a.files.SendChatFile(noReturnWatched(ctx, a.noReturnWatch), chatID, f)
}

// Each request of an answer with files has its own point of no return. A
// file's request cut off before it was written (its lease unconfirmed, the
// renewals failing) is sent again, and only it and what follows: the text
// recorded as sent is not. One whose request was written is let finish, and
// the next file goes once the lease is confirmed again. Real bot, real
// HTTP, the fake Bot API behind a front that holds the first file.
func TestChatFilesEachRequestHasItsPointOfNoReturn(t *testing.T) {
	const (
		lease = 30 * time.Second
		chat  = int64(1001)
	)
	tests := []struct {
		name        string
		hold        holdAt
		wantDocCall int
		wantAnswers string
		wantLogs    []string
	}{
		{name: "first file's connection held: cut off, that file sent again, the text not", hold: holdConnect,
			wantDocCall: 2, wantAnswers: "true,true,true", wantLogs: []string{"send cut off"}},
		{name: "first file's reply held: not cut off, the second follows", hold: holdReply,
			wantDocCall: 2, wantAnswers: "true,true,true", wantLogs: []string{"past its point of no return"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.now = time.Now()
			id := f.addChatWithFiles(chat, 2)
			tg := devserver.StartTelegram(filesToken, "sportel_test_bot")
			t.Cleanup(tg.Close)
			tg.MarkStarted(chat)
			front := startTelegramFront(t, tg.URL, tt.hold)
			front.path = "/sendDocument"
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			b, err := bot.New(ctx, bot.Options{Token: filesToken, APIURL: front.url, PollTimeout: time.Second,
				HTTPClient: front.client(30 * time.Second), Logger: testutil.DiscardLogger()}, nil, f.store)
			if err != nil {
				t.Fatal(err)
			}
			logs := testutil.NewLogBuffer(t)
			watch := &noReturnWatch{ChatSender: b, asked: make(chan struct{})}
			sender := &armBeforeFile{noReturnWatch: watch, files: b, front: front}
			js := &storeAway{JobStore: f.store}
			d := &leaseDriven{js: js}
			d.ob = outbox.New(js, nil, sender, outbox.Config{Workers: 1, Lease: lease, Poll: time.Hour,
				Attachments: &attachmentsOf{atts: officersFiles()}}, logs.Logger(slog.LevelInfo))
			outbox.SetLeaseClock(d.ob, func() time.Duration { return time.Duration(d.mono.Load()) }, make(chan time.Time))
			d.ob.Sent = func(inquiry.Job) { d.sent.Add(1) }
			stop := testutil.RunBackground(t, "Run", 30*time.Second, d.ob.Run)
			t.Cleanup(front.letGo)

			waitClosed(t, "the front holding the first file", front.held)
			d.missRenewals(lease)
			if tt.hold == holdReply {
				time.Sleep(300 * time.Millisecond) // a cut would show within microseconds
			}
			if tt.hold == holdConnect {
				testutil.Eventually(t, "the job sent again", 20*time.Second, func() (bool, error) {
					d.ob.Poke()
					return d.sent.Load() > 0, nil
				})
			}
			front.letGo()
			testutil.Eventually(t, "the job recorded as sent", 20*time.Second, func() (bool, error) {
				d.ob.Poke()
				return d.sent.Load() > 0, nil
			})
			stop()

			if n := len(tg.Calls("sendMessage")); n != 1 {
				t.Errorf("Telegram served %d sendMessage requests, want 1", n)
			}
			if n := len(tg.Calls("sendDocument")); n != tt.wantDocCall {
				t.Errorf("Telegram served %d sendDocument requests, want %d", n, tt.wantDocCall)
			}
			var docs []string
			for _, m := range tg.Sent(chat) {
				if m.Document != nil {
					docs = append(docs, m.Document.FileName)
				}
			}
			if got := strings.Join(docs, ","); got != "vendimi.pdf,raportfdp.exe" {
				t.Errorf("documents in the chat %q, want each once, in order", got)
			}
			var answers []string
			for _, a := range watch.answered() {
				answers = append(answers, map[bool]string{true: "true", false: "false"}[a])
			}
			if got := strings.Join(answers, ","); got != tt.wantAnswers {
				t.Errorf("points of no return answered %s, want %s (once per request written)", got, tt.wantAnswers)
			}
			if j := f.job(id); j.State != inquiry.JobDone || j.SentRef != "tg:1001:1" {
				t.Errorf("job %s ref %q (%q), want done with the text's ref", j.State, j.SentRef, j.LastError)
			}
			for _, want := range tt.wantLogs {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log does not say %q", want)
				}
			}
		})
	}
}
