package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/devserver"
)

const (
	// reasonNotTried is what the log gives for a file skipped while the
	// file server does not answer.
	reasonNotTried = "file server not answering; not tried"
	// onlyInChat is the officer's notification saying a file was not kept.
	onlyInChat = "vetëm në bisedën e Telegram-it"
)

// citizen is the i-th of a row of citizens, each in their own chat.
func citizen(i int) models.User {
	return models.User{ID: int64(3000 + i), FirstName: fmt.Sprintf("Qytetari %d", i), LanguageCode: "sq"}
}

// photoFrom is a citizen's photo with a caption, in their private chat.
func photoFrom(u models.User, fileID string) models.Message {
	return models.Message{From: &u, Chat: models.Chat{ID: u.ID, Type: models.ChatTypePrivate},
		Caption: "Kërkoj kopjen e këtij vendimi", Photo: []models.PhotoSize{{FileID: fileID, Width: 800, Height: 600}}}
}

// chatEntry is the first message of the one ticket chat opened.
func (f *fixture) chatEntry(chat int64) (inquiry.Ticket, inquiry.Entry) {
	f.t.Helper()
	ts, err := f.desk.Tickets(f.ctx, inquiry.TicketFilter{ChatID: chat})
	if err != nil || len(ts) != 1 {
		f.t.Fatalf("chat %d has %d tickets (%v), want 1", chat, len(ts), err)
	}
	entries, err := f.store.Entries(f.ctx, ts[0].ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound {
			return ts[0], e
		}
	}
	f.t.Fatalf("ticket %s has no inbound entry", ts[0].Number)
	return inquiry.Ticket{}, inquiry.Entry{}
}

// notKeptLine is the log line saying why fileID was not kept; "" if none.
func (f *fixture) notKeptLine(fileID string) string {
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(l, `msg="telegram file not kept"`) && strings.Contains(l, "file_id="+fileID+" ") {
			return l
		}
	}
	return ""
}

// checkKept fails unless e's record gives want back byte for byte.
func checkKept(t *testing.T, e inquiry.Entry, want []byte) {
	t.Helper()
	read := parse.EntryAttachments(e)
	if len(e.Raw) == 0 || len(read) != 1 || !bytes.Equal(read[0].Content, want) {
		t.Errorf("the entry's raw (%d bytes) gives back %d files, want the citizen's %d bytes byte for byte", len(e.Raw), len(read), len(want))
	}
}

// checkNotKept fails unless e records one file not kept, with fileID.
func checkNotKept(t *testing.T, e inquiry.Entry, fileID string) {
	t.Helper()
	if len(e.Attachments) != 1 {
		t.Fatalf("entry records %d attachments, want 1", len(e.Attachments))
	}
	if a := e.Attachments[0]; !a.Truncated || a.Content != nil || a.FileID != fileID || len(e.Raw) != 0 {
		t.Errorf("recorded %s with a %d-byte raw, want %s not kept (truncated, no bytes, no raw) with its file id", describeFile(a), len(e.Raw), fileID)
	}
}

// A file server that hangs costs one timeout, not one per update: the
// first download times out and opens the breaker, the files behind it are
// filed at once as not kept, and a journalist's text behind them does not
// wait. After the cool-down a probe that succeeds closes the breaker and
// files are kept again.
func TestHungFileServerCostsOneTimeout(t *testing.T) {
	const (
		timeout  = time.Second
		cooldown = 4 * time.Second
		files    = 5
	)
	f := filesFixture(t, func(o *bot.Options) { o.FileTimeout, o.FileCooldown = timeout, cooldown })
	f.tg.SetDownloadDelay(time.Hour) // each download hangs until the bot lets go
	content := map[string][]byte{}
	for i := range files + 2 {
		id := fmt.Sprintf("ph-%d", i)
		content[id] = binary(3000, byte(i))
		f.tg.AddFileContent(models.File{FileID: id}, content[id])
	}

	start := time.Now()
	for i := range files {
		f.tg.PushMessage(photoFrom(citizen(i), fmt.Sprintf("ph-%d", i)))
	}
	f.tg.PushText(milan, pressSRCyrl)
	f.settle()
	// Each of the five would cost a timeout without the breaker: 5 s.
	if took := time.Since(start); took > timeout+3*time.Second {
		t.Errorf("%d updates with files and a text took %v to file, want about one timeout (%v)", files, took, timeout)
	}
	if n := len(f.tg.Calls("download")); n != 1 {
		t.Errorf("%d downloads tried while the file server hung, want 1", n)
	}
	f.chatEntry(milan.ID) // the journalist's text is filed
	for i := range files {
		id := fmt.Sprintf("ph-%d", i)
		tk, e := f.chatEntry(citizen(i).ID)
		checkNotKept(t, e, id)
		want := reasonNotTried
		if i == 0 {
			want = "download: timed out after 1s"
		}
		if line := f.notKeptLine(id); !strings.Contains(line, want) {
			t.Errorf("%s: the log gives %q, want the reason %q", id, line, want)
		}
		if _, text := f.notifyFiles(tk.Number); !strings.Contains(text, onlyInChat) {
			t.Errorf("%s: the officer is not told the file is only in the chat:\n%s", id, text)
		}
	}
	if !f.bot.FileDownloadsPaused() {
		t.Error("FileDownloadsPaused is false while the file server hangs")
	}

	// The server recovers; after the cool-down one probe finds it.
	f.tg.SetDownloadDelay(0)
	time.Sleep(cooldown) // the breaker opened before settle returned
	for _, i := range []int{files, files + 1} {
		id := fmt.Sprintf("ph-%d", i)
		f.tg.PushMessage(photoFrom(citizen(i), id))
		f.settle()
		_, e := f.chatEntry(citizen(i).ID)
		checkKept(t, e, content[id])
	}
	if n := len(f.tg.Calls("download")); n != 3 {
		t.Errorf("%d downloads in all, want 3 (the one that hung, the probe, the next)", n)
	}
	if f.bot.FileDownloadsPaused() {
		t.Error("FileDownloadsPaused is true after a probe succeeded")
	}
	logs := f.logs.String()
	for what, want := range map[string]int{
		`level=WARN msg="telegram file downloads paused`:  1,
		`level=INFO msg="telegram file downloads resumed`: 1,
		reasonNotTried: files - 1,
	} {
		if n := strings.Count(logs, what); n != want {
			t.Errorf("the log says %q %d times, want %d", what, n, want)
		}
	}
	f.noToken()
}

// Which failures open the breaker: those that speak of the server, not of
// one file. The second file's download is tried after a 404 or a file too
// large, skipped after a 5xx, a timeout or a connection error.
func TestFileBreakerOpensOnServerFailuresOnly(t *testing.T) {
	tests := []struct {
		name     string
		opts     func(*bot.Options)
		prepare  func(tg *devserver.Telegram)
		reason   string // the first file's
		opens    bool
		download int // downloads tried in all
	}{
		{"a 404 is about the file", nil, func(tg *devserver.Telegram) {
			tg.AddFile(models.File{FileID: "first", FileUniqueID: "u1", FilePath: "photos/gone.jpg", FileSize: 10})
		}, "download: HTTP 404", false, 2},
		{"getFile refusing the file id is about the file", nil, func(tg *devserver.Telegram) {}, "getFile: bad request", false, 1},
		{"a file over the limit is about the file", func(o *bot.Options) { o.MaxFileBytes = 1000 }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: "first", FileSize: 900}, binary(5000, 1))
		}, "5000 bytes, over the 1000 a file may have", false, 2},
		{"a 5xx is the server's", nil, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: "first"}, binary(500, 1))
			tg.FailNext("download", devserver.TelegramFailure{ErrorCode: 502})
		}, "download: HTTP 502", true, 1},
		{"getFile failing with a 5xx is the server's", nil, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: "first"}, binary(500, 1))
			tg.FailNext("getFile", devserver.TelegramFailure{ErrorCode: 500})
		}, "getFile: error response from telegram for method getFile, 500", true, 0},
		{"a timeout is the server's", func(o *bot.Options) { o.FileTimeout = 300 * time.Millisecond }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: "first"}, binary(500, 1))
			tg.SetDownloadDelay(time.Hour)
		}, "download: timed out after 300ms", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filesFixture(t, func(o *bot.Options) {
				o.FileCooldown = time.Hour // no probe within the test
				if tt.opts != nil {
					tt.opts(o)
				}
			})
			second := binary(400, 2)
			tt.prepare(f.tg)
			f.tg.AddFileContent(models.File{FileID: "second"}, second)
			f.tg.PushMessage(photoFrom(arta, "first"))
			f.tg.PushMessage(photoFrom(john, "second"))
			f.settle()

			_, first := f.chatEntry(arta.ID)
			checkNotKept(t, first, "first")
			if line := f.notKeptLine("first"); !strings.Contains(line, tt.reason) {
				t.Errorf("the log gives %q, want the reason %q", line, tt.reason)
			}
			_, e := f.chatEntry(john.ID)
			if tt.opens {
				checkNotKept(t, e, "second")
				if line := f.notKeptLine("second"); !strings.Contains(line, reasonNotTried) {
					t.Errorf("the second file: the log gives %q, want %q", line, reasonNotTried)
				}
			} else {
				checkKept(t, e, second)
			}
			if f.bot.FileDownloadsPaused() != tt.opens {
				t.Errorf("FileDownloadsPaused = %v, want %v", f.bot.FileDownloadsPaused(), tt.opens)
			}
			if n := len(f.tg.Calls("download")); n != tt.download {
				t.Errorf("%d downloads, want %d", n, tt.download)
			}
		})
	}
}

// flakyDesk is the real desk failing the first fails handlings of chat's
// messages, as a store that refuses writes for a while.
type flakyDesk struct {
	bot.Desk
	chat  int64
	mu    sync.Mutex
	fails int
	tries int
}

func (d *flakyDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	if m.ChatID != d.chat {
		return d.Desk.Handle(ctx, m)
	}
	d.mu.Lock()
	d.tries++
	fail := d.tries <= d.fails
	d.mu.Unlock()
	if fail {
		return "", errors.New("database is locked")
	}
	return d.Desk.Handle(ctx, m)
}

func (d *flakyDesk) triesSoFar() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tries
}

// An update the desk fails is retried with the files its first try
// fetched: not downloaded again on each try, whether the file was kept or
// not, and until it is filed or set aside.
func TestRetriedUpdateDoesNotDownloadAgain(t *testing.T) {
	scan := append([]byte("%PDF-1.4\n"), binary(20_000, 0x42)...)
	tests := []struct {
		name    string
		opts    func(*bot.Options)
		prepare func(tg *devserver.Telegram)
		fails   int // handlings the desk fails
		tries   int
		kept    bool
		setOff  bool // set aside after repeated failures
		reason  string
	}{
		{"kept", nil, func(tg *devserver.Telegram) { tg.AddFileContent(models.File{FileID: "scan"}, scan) }, 2, 3, true, false, ""},
		{"gone from Telegram", nil, func(tg *devserver.Telegram) {
			tg.AddFile(models.File{FileID: "scan", FileUniqueID: "s", FilePath: "documents/gone.pdf", FileSize: 10})
		}, 2, 3, false, false, "download: HTTP 404"},
		{"timed out", func(o *bot.Options) { o.FileTimeout = 300 * time.Millisecond }, func(tg *devserver.Telegram) {
			tg.AddFileContent(models.File{FileID: "scan"}, scan)
			tg.SetDownloadDelay(time.Hour)
		}, 2, 3, false, false, "download: timed out after 300ms"},
		{"set aside after repeated failures", nil, func(tg *devserver.Telegram) { tg.AddFileContent(models.File{FileID: "scan"}, scan) },
			1000, 4, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := &flakyDesk{chat: arta.ID, fails: tt.fails}
			f := newFixture(t, setup{
				opts: func(o *bot.Options) {
					fastRetries(o)
					if tt.opts != nil {
						tt.opts(o)
					}
				},
				desk: func(d bot.Desk) bot.Desk { fd.Desk = d; return fd },
			})
			tt.prepare(f.tg)
			f.tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate},
				Caption:  docRequestSQ,
				Document: &models.Document{FileID: "scan", FileName: "autorizim.pdf", MimeType: "application/pdf"}})
			f.settle()

			if n := fd.triesSoFar(); n != tt.tries {
				t.Errorf("the desk was asked %d times, want %d", n, tt.tries)
			}
			if n := len(f.tg.Calls("download")); n != 1 {
				t.Errorf("%d downloads over %d tries, want 1", n, tt.tries)
			}
			if tt.setOff {
				set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
				if err != nil || len(set) != 1 {
					t.Errorf("set aside: %d, %v; want the update", len(set), err)
				}
				return
			}
			_, e := f.chatEntry(arta.ID)
			if tt.kept {
				checkKept(t, e, scan)
				return
			}
			checkNotKept(t, e, "scan")
			if line := f.notKeptLine("scan"); !strings.Contains(line, tt.reason) {
				t.Errorf("the log gives %q, want the reason %q", line, tt.reason)
			}
		})
	}
}

// A shutdown that cuts a download off does not file the message without
// its file, nor set it aside, nor wait out the grace for the download: the
// update stays unconfirmed, and the next start fetches the file and files
// the message with it.
func TestShutdownDuringADownloadLeavesTheUpdateForTheNextStart(t *testing.T) {
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	f := newFixture(t, setup{noRun: true, opts: func(o *bot.Options) { o.FileTimeout = time.Minute }})
	scan := append([]byte("%PDF-1.4\n"), binary(30_000, 0x3c)...)
	f.tg.AddFileContent(models.File{FileID: "scan"}, scan)
	f.tg.SetDownloadDelay(time.Hour)
	wait := runUntilStopped(f, runCtx)
	f.tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate},
		Caption:  docRequestSQ,
		Document: &models.Document{FileID: "scan", FileName: "autorizim.pdf", MimeType: "application/pdf"}})
	if _, err := f.tg.WaitCalls(f.ctx, "download", 1); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	stop()
	wait()
	// The grace for the update in hand is 10 s; a download does not use it.
	if took := time.Since(stopped); took > 5*time.Second {
		t.Errorf("Run took %v to return: the stop waited for the download", took)
	}
	if n := len(f.tickets()); n != 0 {
		t.Errorf("%d tickets: the message was filed without its file", n)
	}
	if set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0); err != nil || len(set) != 0 {
		t.Errorf("set aside: %d, %v; want nothing", len(set), err)
	}
	if f.tg.Pending() != 1 {
		t.Errorf("%d updates unconfirmed, want the one cut off", f.tg.Pending())
	}
	if logs := f.logs.String(); strings.Contains(logs, "telegram file not kept") || strings.Contains(logs, "downloads paused") {
		t.Errorf("a download cut off by the shutdown was taken for a failed one:\n%s", logs)
	}

	f.tg.SetDownloadDelay(0)
	restart(f)
	_, e := f.chatEntry(arta.ID)
	checkKept(t, e, scan)
	if n := len(f.tg.Calls("download")); n != 2 {
		t.Errorf("%d downloads, want 2 (the one cut off, the one after the start)", n)
	}
}

// A muted (flooding) chat's messages are still filed, only not answered:
// their files are part of what is filed, so they are downloaded and kept.
// What a muted chat sends that is not filed (an edit) is not downloaded.
func TestMutedChatsFiles(t *testing.T) {
	photo := binary(4000, 0x6d)
	tests := []struct {
		name      string
		push      func(f *fixture)
		filed     int // inbound entries after the flood
		downloads int
	}{
		{"a photo is filed and kept", func(f *fixture) {
			f.tg.PushMessage(photoFrom(arta, "ph"))
		}, 1, 1},
		{"an edited photo is neither filed nor downloaded", func(f *fixture) {
			m := photoFrom(arta, "ph")
			m.ID = 1
			f.tg.Push(models.Update{EditedMessage: &m})
		}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filesFixture(t, func(o *bot.Options) { o.FloodMessages, o.FloodPer = 2, time.Hour })
			f.tg.AddFileContent(models.File{FileID: "ph"}, photo)
			for i := range 3 {
				f.tg.PushText(arta, fmt.Sprintf("Faleminderit %d.", i))
			}
			f.settle()
			tk, _ := f.chatEntry(arta.ID)
			before := f.inbound(tk)
			sent := len(f.tg.Sent(arta.ID))
			if !strings.Contains(f.logs.String(), "chat is flooding") {
				t.Fatal("the chat was not muted")
			}

			tt.push(f)
			f.settle()
			entries := f.inbound(tk)
			if got := len(entries) - len(before); got != tt.filed {
				t.Fatalf("%d messages filed, want %d", got, tt.filed)
			}
			if n := len(f.tg.Calls("download")); n != tt.downloads {
				t.Errorf("%d downloads, want %d", n, tt.downloads)
			}
			if tt.filed > 0 {
				checkKept(t, entries[len(entries)-1], photo)
			}
			if got := len(f.tg.Sent(arta.ID)); got != sent {
				t.Errorf("the muted chat was answered: %q", texts(f.tg.Sent(arta.ID)[sent:]))
			}
		})
	}
}

// inbound is tk's inbound entries, oldest first.
func (f *fixture) inbound(tk inquiry.Ticket) []inquiry.Entry {
	f.t.Helper()
	entries, err := f.store.Entries(f.ctx, tk.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []inquiry.Entry
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound {
			out = append(out, e)
		}
	}
	return out
}
