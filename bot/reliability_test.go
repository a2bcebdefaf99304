package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// crashingState is the real store with a crash at one chosen moment: the
// first call that matches cancels the running loop, as a kill would.
type crashingState struct {
	bot.State
	mu      sync.Mutex
	crashed bool
	at      func(op, key string) bool
	kill    context.CancelFunc
}

func (s *crashingState) hit(op, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.crashed || !s.at(op, key) {
		return false
	}
	s.crashed = true
	s.kill()
	return true
}

func (s *crashingState) GetState(ctx context.Context, key string) (string, bool, error) {
	if s.hit("get", key) {
		return "", false, errCrash
	}
	return s.State.GetState(ctx, key)
}

func (s *crashingState) SetState(ctx context.Context, key, value string) error {
	if s.hit("set", key) {
		return errCrash
	}
	return s.State.SetState(ctx, key, value)
}

func TestKilledBetweenFetchAndCommitReplaysWithoutDuplicates(t *testing.T) {
	tests := []struct {
		name      string
		at        func(op, key string) bool
		committed bool // the killed process's desk had filed the message
	}{
		{"killed after fetch, before the desk committed", func(op, key string) bool {
			return op == "get" && strings.HasPrefix(key, "telegram.lang.")
		}, false},
		{"killed after the desk committed, before the offset", func(op, key string) bool {
			return op == "set" && key == "telegram.offset"
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runCtx, kill := context.WithCancel(context.Background())
			defer kill()
			var crash *crashingState
			f := newFixture(t, setup{noRun: true, state: func(st bot.State) bot.State {
				crash = &crashingState{State: st, at: tt.at, kill: kill}
				return crash
			}})
			// With a photo: a replay must not fetch it again.
			photo := binary(4000, 0x42)
			f.tg.AddFileContent(models.File{FileID: "ph-replay"}, photo)
			f.tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate},
				Caption: docRequestSQ, Photo: []models.PhotoSize{{FileID: "ph-replay", Width: 800, Height: 600, FileSize: len(photo)}}})
			if err := f.bot.Run(runCtx); err != nil {
				t.Fatalf("Run after the kill: %v", err)
			}
			if !crash.crashed {
				t.Fatal("the crash point was never reached")
			}
			if f.tg.Pending() != 1 {
				t.Fatalf("the update was confirmed to Telegram before it was committed")
			}

			// The killed process may have asked for the photo (and had its
			// download cut off) or not; the replay is counted on its own.
			lookedUp := len(f.tg.Calls("getFile"))

			// A new process with the same store picks the update up again.
			b2, err := bot.New(f.ctx, f.opts, f.desk, f.store)
			if err != nil {
				t.Fatal(err)
			}
			stop := f.run(b2)
			defer stop()
			f.settle()

			if n := len(f.tickets()); n != 1 {
				t.Errorf("%d tickets after the replay, want 1", n)
			}
			acks := 0
			for _, c := range f.tg.Calls("sendMessage") {
				if c.Form.Get("chat_id") == fmt.Sprint(arta.ID) {
					acks++
				}
			}
			if acks != 1 {
				t.Errorf("%d messages to the citizen, want exactly one acknowledgement", acks)
			}
			// A message filed already is not fetched again; one that was not
			// must be, for the record to keep its photo. (The killed
			// process's own look-up, cut off, may still reach the server
			// after its Run returned, so that case asks for at least one.)
			switch n := len(f.tg.Calls("getFile")) - lookedUp; {
			case tt.committed && n != 0:
				t.Errorf("the replay of a message filed already looked the photo up %d times, want none", n)
			case !tt.committed && n < 1:
				t.Errorf("the replay of a message not filed did not look the photo up")
			}
			tk := f.tickets()[0]
			entries, err := f.store.Entries(f.ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) == 0 || len(entries[0].Attachments) != 1 || entries[0].Attachments[0].Size != int64(len(photo)) {
				t.Errorf("the record's files: %+v, want the photo kept once", entries)
			}
		})
	}
}

// A 429 is Telegram's flood control: the outbox pauses every Telegram
// send for at least its retry_after (the pause itself: outbox's
// TestRelayGateWaitsRetryAfter), and gives the job back untried, the
// officers' Telegram notifications waiting with it while mail goes. A
// chat that blocked the bot fails its job for good, the others going on.
func TestOutboxObeysRetryAfterAndFailsBlockedChats(t *testing.T) {
	tests := []struct {
		name      string
		fail      func(tg *devserver.Telegram)
		wantState inquiry.JobState
		// wantAttempts: the job's at the end; wantErr is in its record,
		// wantLog in the log.
		wantAttempts    int
		wantErr         string
		wantLog         string
		wantChatsPaused bool
	}{
		{"429 pauses Telegram, the job untried", func(tg *devserver.Telegram) {
			tg.FailNext("sendMessage", devserver.TelegramFailure{ErrorCode: 429, Description: "Too Many Requests: retry after 3", RetryAfter: 3})
		}, inquiry.JobPending, 0, "", "retry_after 3", true},
		{"403 blocked fails for good", func(tg *devserver.Telegram) { tg.Block(john.ID) },
			inquiry.JobFailed, 1, "blocked", "send failed for good", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.tg.PushText(john, generalEN)
			if err := f.tg.WaitDrained(f.ctx); err != nil {
				t.Fatal(err)
			}
			tt.fail(f.tg)
			if err := f.outbox.Drain(f.ctx); err != nil {
				t.Fatal(err)
			}
			tk := f.tickets()[0]
			acks := f.jobs(tk.Number, inquiry.JobAck)
			if len(acks) != 1 {
				t.Fatalf("%d ack jobs", len(acks))
			}
			j := acks[0]
			if j.State != tt.wantState || j.Attempts != tt.wantAttempts || !strings.Contains(j.LastError, tt.wantErr) {
				t.Errorf("ack job %s after %d attempts %q, want %s after %d with %q", j.State, j.Attempts, j.LastError, tt.wantState, tt.wantAttempts, tt.wantErr)
			}
			if !strings.Contains(f.logs.String(), tt.wantLog) {
				t.Errorf("the log does not say %q", tt.wantLog)
			}
			if got := f.outbox.ChatPaused(); got != tt.wantChatsPaused {
				t.Errorf("Telegram sends paused %v, want %v", got, tt.wantChatsPaused)
			}
			// Other jobs of the ticket are not held back by a blocked
			// chat; Telegram's flood control holds every chat's.
			if got := f.tg.Sent(zamira.ID); tt.wantChatsPaused != (len(got) == 0) {
				t.Errorf("%d officer notifications sent by Telegram, want them held %v", len(got), tt.wantChatsPaused)
			}
			// Draining again does not hammer a blocked chat or Telegram
			// within its retry_after.
			calls := len(f.tg.Calls("sendMessage"))
			if err := f.outbox.Drain(f.ctx); err != nil {
				t.Fatal(err)
			}
			if n := len(f.tg.Calls("sendMessage")); n != calls {
				t.Errorf("%d more sends on a second drain", n-calls)
			}
		})
	}
}

func TestConflictIsReportedAndPollingRecovers(t *testing.T) {
	f := newFixture(t, setup{noRun: true})
	f.tg.SetConflict(true)
	stop := f.run(f.bot)
	defer stop()
	f.waitLog("another process polls this bot token")
	f.tg.SetConflict(false)
	f.say(john, generalEN)
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets after the conflict cleared, want 1", n)
	}
}

// Telegram out of reach, or another poller on the token, for many retries:
// the first failure is logged at error with its cause, the retries below
// warn, and the end at info; the token never shows. Fake Bot API over HTTP.
func TestPollOutageLoggedOnce(t *testing.T) {
	tests := []struct {
		name    string
		fault   func(tg *devserver.Telegram, on bool)
		failure string
	}{
		{"api down", (*devserver.Telegram).SetDown, "getUpdates failed"},
		{"another poller", (*devserver.Telegram).SetConflict, "another process polls this bot token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{noRun: true, opts: func(o *bot.Options) { o.RetryMin, o.RetryMax = 5*time.Millisecond, 10*time.Millisecond }})
			tt.fault(f.tg, true)
			stop := f.run(f.bot)
			defer stop()
			testutil.Eventually(t, "eight failed polls", 30*time.Second, func() (bool, error) {
				return strings.Count(f.logs.String(), tt.failure) >= 8, nil
			})
			tt.fault(f.tg, false)
			f.waitLog("getUpdates answers again")
			var loud []string
			for line := range strings.SplitSeq(f.logs.String(), "\n") {
				if strings.Contains(line, tt.failure) && !strings.Contains(line, "level=DEBUG") {
					loud = append(loud, line)
				}
			}
			if len(loud) != 1 || !strings.Contains(loud[0], "level=ERROR") || !strings.Contains(loud[0], "err=") {
				t.Errorf("failed polls logged above debug as:\n%s\nwant one line at error with its cause", strings.Join(loud, "\n"))
			}
			if strings.Contains(f.logs.String(), token) {
				t.Error("the bot's token was logged")
			}
		})
	}
}

func TestOddInputIsDeclinedOrIgnoredNeverFatal(t *testing.T) {
	private := models.Chat{ID: arta.ID, Type: models.ChatTypePrivate}
	group := models.Chat{ID: discussion, Type: models.ChatTypeSupergroup}
	const unsupported = "Mund të lexoj tekst"
	tests := []struct {
		name   string
		update models.Update
		reply  string // "" means no answer at all
	}{
		{"sticker", models.Update{Message: &models.Message{From: &arta, Chat: private, Sticker: &models.Sticker{FileID: "s1", Type: "regular"}}}, unsupported},
		{"GIF without words", models.Update{Message: &models.Message{From: &arta, Chat: private,
			Animation: &models.Animation{FileID: "g1", FileUniqueID: "ug1", Width: 320, Height: 240, Duration: 2, MimeType: "video/mp4"},
			Document:  &models.Document{FileID: "g1", FileUniqueID: "ug1", MimeType: "video/mp4"}}}, unsupported},
		{"location", models.Update{Message: &models.Message{From: &arta, Chat: private, Location: &models.Location{Latitude: 42.66, Longitude: 21.16}}}, unsupported},
		{"contact", models.Update{Message: &models.Message{From: &arta, Chat: private, Contact: &models.Contact{PhoneNumber: "+38344000000", FirstName: "A"}}}, unsupported},
		{"poll", models.Update{Message: &models.Message{From: &arta, Chat: private, Poll: &models.Poll{ID: "p1", Question: "?"}}}, unsupported},
		{"edited message", models.Update{EditedMessage: &models.Message{From: &arta, Chat: private, Text: "ndryshuar", EditDate: 1}}, "Ndryshimet"},
		{"blank text", models.Update{Message: &models.Message{From: &arta, Chat: private, Text: "  \n "}}, "bosh"},
		// How an "empty" message is sent: characters that show nothing.
		{"invisible text", models.Update{Message: &models.Message{From: &arta, Chat: private, Text: "\u200b\u2060\ufeff"}}, "bosh"},
		{"blank-looking text", models.Update{Message: &models.Message{From: &arta, Chat: private, Text: "\u2800 \u3164"}}, "bosh"},
		{"a mention with a blank-looking text", models.Update{Message: &models.Message{From: &john, Chat: group, Text: "@" + botName + " \u2800\u200b",
			Entities: []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 0, Length: len(botName) + 1}}}}, ""},
		{"service message", models.Update{Message: &models.Message{From: &arta, Chat: private, WriteAccessAllowed: &models.WriteAccessAllowed{}}}, ""},
		{"channel post", models.Update{ChannelPost: &models.Message{Chat: models.Chat{ID: -100700, Type: models.ChatTypeChannel}, Text: "Lajm"}}, ""},
		{"entity past the end of the text", models.Update{Message: &models.Message{From: &john, Chat: group, Text: "hi",
			Entities: []models.MessageEntity{{Type: models.MessageEntityTypeMention, Offset: 40, Length: 12}}}}, ""},
		{"command entity past the end", models.Update{Message: &models.Message{From: &arta, Chat: private, Text: "/",
			Entities: []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: 30}}}}, "Shkruani pyetjen"},
		{"message without sender", models.Update{Message: &models.Message{Chat: private, Text: "anonim"}}, ""},
		{"callback on an inaccessible message", models.Update{CallbackQuery: &models.CallbackQuery{ID: "c9", From: jusuf, Data: "t:DKP-2026-999999:take",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage, InaccessibleMessage: &models.InaccessibleMessage{Chat: private}}}}, ""},
		{"empty update", models.Update{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.tg.MarkStarted(arta.ID)
			f.tg.Push(tt.update)
			f.settle()
			sent := f.tg.Sent(arta.ID)
			switch {
			case tt.reply == "" && len(sent) > 0:
				t.Errorf("answered %q, want silence", texts(sent))
			case tt.reply != "" && (len(sent) != 1 || !strings.Contains(sent[0].Text, tt.reply)):
				t.Errorf("answered %q, want one message with %q", texts(sent), tt.reply)
			}
			if n := len(f.tickets()); n != 0 {
				t.Errorf("odd input made %d tickets", n)
			}
			// The bot is still alive and takes the next real message.
			f.say(arta, docRequestSQ)
			if n := len(f.tickets()); n != 1 {
				t.Errorf("after the odd input a real message made %d tickets", n)
			}
		})
	}
}

// panickingDesk is the real desk with a fault: it panics on one text, and
// its store refuses the first refuseSetAside set-asides.
type panickingDesk struct {
	bot.Desk
	mu             sync.Mutex
	refuseSetAside int
	setAsideTries  int
}

func (d *panickingDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	if m.Text == "boom" {
		panic("handler bug")
	}
	return d.Desk.Handle(ctx, m)
}

func (d *panickingDesk) Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error) {
	d.mu.Lock()
	d.setAsideTries++
	refuse := d.setAsideTries <= d.refuseSetAside
	d.mu.Unlock()
	if refuse {
		return "", errors.New("database or disk is full")
	}
	return d.Desk.Quarantine(ctx, m, reason)
}

// An update the bot crashes on is recovered and logged, and the updates
// behind it go on; it is confirmed only once it is set aside as Telegram
// sent it, with the crash as the reason: confirmed unrecorded, what the
// citizen wrote was lost.
func TestPanickingHandlerIsRecoveredAndLogged(t *testing.T) {
	tests := []struct {
		name           string
		refuseSetAside int
		setAsideTries  int
	}{
		{"the store takes the set-aside", 0, 1},
		{"the store refuses it twice", 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd := &panickingDesk{refuseSetAside: tt.refuseSetAside}
			f := newFixture(t, setup{opts: fastRetries, desk: func(d bot.Desk) bot.Desk {
				pd.Desk = d
				return pd
			}})
			f.tg.PushText(arta, "boom")
			f.tg.PushText(john, generalEN)
			f.settle()
			if n := len(f.tickets()); n != 1 {
				t.Errorf("%d tickets after a panic, want 1 (the next update still handled)", n)
			}
			if !strings.Contains(f.logs.String(), "telegram handler panicked") {
				t.Errorf("panic not logged:\n%s", f.logs.String())
			}
			if f.tg.Pending() != 0 {
				t.Errorf("the panicking update was not confirmed; it would be replayed forever")
			}
			set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
			if err != nil || len(set) != 1 {
				t.Fatalf("set aside: %+v, %v; want the update the bot crashed on recorded", set, err)
			}
			if !strings.Contains(string(set[0].Raw), `"boom"`) || !strings.Contains(set[0].Reason, "handler bug") {
				t.Errorf("the record lacks the update or the crash: %q, %s", set[0].Reason, set[0].Raw)
			}
			pd.mu.Lock()
			defer pd.mu.Unlock()
			if pd.setAsideTries != tt.setAsideTries {
				t.Errorf("set aside %d times, want %d", pd.setAsideTries, tt.setAsideTries)
			}
		})
	}
}

func TestLongTextsAreSplitUnderTelegramsLimit(t *testing.T) {
	para := strings.Repeat("Fjala ", 150) + "🏟️ stadiumi.\n\n"
	tests := []struct {
		name  string
		text  string
		parts int
	}{
		{"short", "DKP-2026-000001\n\nPërgjigjja.", 1},
		{"exactly 4096", strings.Repeat("a", 4096), 1},
		{"4097 without spaces", strings.Repeat("b", 4097), 2},
		{"paragraphs with emoji", strings.Repeat(para, 12), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{noRun: true})
			f.tg.MarkStarted(arta.ID)
			ref, err := f.bot.SendChat(f.ctx, &inquiry.ChatMessage{ChatID: arta.ID, Text: tt.text, ReplyToMsgID: 7,
				Ticket: "DKP-2026-000001", Actions: []inquiry.TicketAction{inquiry.ActionTake}})
			if err != nil {
				t.Fatal(err)
			}
			sent := f.tg.Sent(arta.ID)
			if len(sent) != tt.parts {
				t.Fatalf("%d parts, want %d", len(sent), tt.parts)
			}
			var joined []string
			for i, m := range sent {
				if n := len(utf16.Encode([]rune(m.Text))); n > 4096 {
					t.Errorf("part %d is %d UTF-16 units", i, n)
				}
				if (m.ReplyMarkup != nil) != (i == len(sent)-1) {
					t.Errorf("part %d buttons %v: want them on the last part only", i, m.ReplyMarkup != nil)
				}
				if (m.ReplyToMessage != nil) != (i == 0) {
					t.Errorf("part %d reply-to %v: want it on the first part only", i, m.ReplyToMessage != nil)
				}
				joined = append(joined, m.Text)
			}
			if strings.Join(strings.Fields(strings.Join(joined, "")), "") != strings.Join(strings.Fields(tt.text), "") {
				t.Errorf("the parts do not add up to the text")
			}
			if want := fmt.Sprintf("tg:%d:%d", arta.ID, sent[len(sent)-1].ID); ref != want {
				t.Errorf("ref %q, want %q (the part with the buttons)", ref, want)
			}
		})
	}
}

func TestFloodIsRecordedButNotAnswered(t *testing.T) {
	f := newFixture(t, setup{opts: func(o *bot.Options) { o.FloodMessages, o.FloodPer = 3, time.Minute }})
	f.tg.PushText(arta, docRequestSQ)
	for i := range 4 {
		f.tg.PushText(arta, fmt.Sprintf("Faleminderit %d.", i))
	}
	f.tg.PushText(arta, "/status")
	f.settle()

	ts := f.tickets()
	if len(ts) != 1 {
		t.Fatalf("%d tickets, want 1", len(ts))
	}
	entries, err := f.store.Entries(f.ctx, ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	inbound := 0
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound {
			inbound++
		}
	}
	if inbound != 5 {
		t.Errorf("%d messages recorded, want all 5", inbound)
	}
	sent := texts(f.tg.Sent(arta.ID))
	notices := 0
	for _, s := range sent {
		if strings.Contains(s, "shumë shpejt") {
			notices++
		}
		if strings.Contains(s, "Tiketat tuaja") {
			t.Errorf("/status was answered while muted")
		}
	}
	if notices != 1 {
		t.Errorf("%d flood notices in %q, want exactly 1", notices, sent)
	}
}

// BenchmarkAckLatency measures from an update arriving at the Bot API to
// the acknowledgement's sendMessage, with Run and the outbox worker live.
func BenchmarkAckLatency(b *testing.B) {
	f := newFixture(b, setup{opts: func(o *bot.Options) { o.FloodMessages = 1 << 20 }})
	defer testutil.RunBackground(b, "outbox", stopLimit, f.outbox.Run)()

	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		user := models.User{ID: int64(200000 + i), FirstName: "Bench", LanguageCode: "en"}
		start := time.Now()
		f.tg.PushText(user, generalEN)
		if _, err := f.tg.WaitSent(f.ctx, user.ID, func(m models.Message) bool { return strings.Contains(m.Text, "DKP-") }); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	if p99 := pct(0.99); p99 > 1000 && len(lat) >= 20 {
		b.Errorf("p99 acknowledgement latency %.0f ms exceeds one second", p99)
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	f := newFixture(t, setup{noRun: true})
	tests := []struct {
		name string
		edit func(*bot.Options)
		want string
	}{
		{"no token", func(o *bot.Options) { o.Token = " " }, "no bot token"},
		{"token the API rejects", func(o *bot.Options) { o.Token = "999:wrong" }, "unauthorized"},
		{"client timeout shorter than the long poll", func(o *bot.Options) {
			o.PollTimeout = 50 * time.Second
			o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
		}, "must exceed the poll timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := f.opts
			tt.edit(&opts)
			_, err := bot.New(f.ctx, opts, f.desk, f.store)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "wrong") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// stoppingDesk is the real desk, where the daemon is told to stop right
// after an officer's answer is committed, before the update is confirmed.
type stoppingDesk struct {
	bot.Desk
	mu    sync.Mutex
	armed bool
	stop  context.CancelFunc
}

func (d *stoppingDesk) AnswerOnce(ctx context.Context, key, number, officerID, text string) (inquiry.Ticket, bool, error) {
	t, again, err := d.Desk.AnswerOnce(ctx, key, number, officerID, text)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.armed && err == nil {
		d.armed = false
		d.stop()
	}
	return t, again, err
}

// runUntilStopped runs f's bot until runCtx ends and returns a wait for it.
func runUntilStopped(f *fixture, runCtx context.Context) (wait func()) {
	done := make(chan error, 1)
	go func() { done <- f.bot.Run(runCtx) }()
	return func() {
		f.t.Helper()
		select {
		case err := <-done:
			if err != nil {
				f.t.Fatalf("Run after the stop: %v", err)
			}
		case <-time.After(10 * time.Second):
			f.t.Fatal("Run did not return after the stop")
		}
	}
}

// restart starts a new bot on f's store, as the next process would, and
// lets it handle what Telegram still holds.
func restart(f *fixture) (stop func()) {
	f.t.Helper()
	again, err := bot.New(f.ctx, f.opts, f.desk, f.store)
	if err != nil {
		f.t.Fatal(err)
	}
	stop = f.run(again)
	f.settle()
	return stop
}

// answeredOnce checks that ticket number has one answer job and that the
// citizen in chat received text once.
func answeredOnce(t *testing.T, f *fixture, number string, chat int64, text string) {
	t.Helper()
	if n := len(f.jobs(number, inquiry.JobAnswer)); n != 1 {
		t.Errorf("%d answer jobs, want 1", n)
	}
	got := 0
	for _, m := range f.tg.Sent(chat) {
		if strings.Contains(m.Text, text) {
			got++
		}
	}
	if got != 1 {
		t.Errorf("the citizen received the answer %d times, want 1", got)
	}
}

// killAtOffset is a fixture whose bot is killed, once armed, as it goes
// to store the Telegram offset: after the update was handled, before it
// was confirmed.
func killAtOffset(t *testing.T) (f *fixture, arm func(), wait func()) {
	runCtx, kill := context.WithCancel(context.Background())
	t.Cleanup(kill)
	var crash *crashingState
	f = newFixture(t, setup{noRun: true, state: func(st bot.State) bot.State {
		crash = &crashingState{State: st, at: func(string, string) bool { return false }, kill: kill}
		return crash
	}})
	stopped := runUntilStopped(f, runCtx)
	arm = func() {
		crash.mu.Lock()
		defer crash.mu.Unlock()
		crash.at = func(op, key string) bool { return op == "set" && key == "telegram.offset" }
	}
	return f, arm, func() {
		t.Helper()
		stopped()
		if !crash.crashed {
			t.Fatal("the crash point was never reached")
		}
	}
}

const museumAnswer = "The museum is open from 10 to 18 on Sundays."

// A shutdown while an officer's answer is being handled lets the update
// finish: it is confirmed and the officer hears it went out, so the next
// start does not handle it again and send the citizen the answer twice.
func TestShutdownAfterAnOfficersAnswerSendsItOnce(t *testing.T) {
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	sd := &stoppingDesk{stop: stop}
	f := newFixture(t, setup{noRun: true, desk: func(d bot.Desk) bot.Desk { sd.Desk = d; return sd }})
	wait := runUntilStopped(f, runCtx)
	f.say(john, generalEN)
	tk := f.tickets()[0]
	note := f.lastSent(zamira.ID)

	sd.mu.Lock()
	sd.armed = true
	sd.mu.Unlock()
	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate}, Text: museumAnswer, ReplyToMessage: &note})
	wait()
	if last := f.lastSent(zamira.ID); !strings.Contains(last.Text, tk.Number) || last.ID == note.ID {
		t.Errorf("the officer was not told the answer went out; last message to them: %q", last.Text)
	}
	defer restart(f)()
	answeredOnce(t, f, tk.Number, john.ID, museumAnswer)
}

// An officer's answer committed by the desk, and the process killed before
// the update was confirmed: the next start handles the update again, and
// the answer goes to the citizen once.
func TestKilledAfterAnOfficersAnswerSendsItOnce(t *testing.T) {
	f, arm, wait := killAtOffset(t)
	f.say(john, generalEN)
	tk := f.tickets()[0]
	note := f.lastSent(zamira.ID)
	arm()
	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate}, Text: museumAnswer, ReplyToMessage: &note})
	wait()

	defer restart(f)()
	if f.tg.Pending() != 0 {
		t.Errorf("%d updates still unconfirmed after the replay", f.tg.Pending())
	}
	answeredOnce(t, f, tk.Number, john.ID, museumAnswer)
}

// The urgent button marks a request urgent; pressed again, or replayed
// after a kill that came before the update was confirmed, it leaves it
// urgent: a toggle would have put the ordinary deadline back unseen.
func TestUrgentButtonPressedAgainOrReplayedStaysUrgent(t *testing.T) {
	f, arm, wait := killAtOffset(t)
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	note := f.lastSent(jusuf.ID)
	arm()
	f.tg.PushCallback(jusuf, note, "t:"+tk.Number+":urgent")
	wait()
	if !f.ticket(tk.Number).Urgent {
		t.Fatal("not urgent after the press")
	}
	due := f.ticket(tk.Number).DueAt

	defer restart(f)()
	if got := f.ticket(tk.Number); !got.Urgent || !got.DueAt.Equal(due) {
		t.Errorf("after the replay: urgent %v, due %v; want urgent, due %v", got.Urgent, got.DueAt, due)
	}
	f.tg.PushCallback(jusuf, note, "t:"+tk.Number+":urgent")
	f.settle()
	if got := f.ticket(tk.Number); !got.Urgent || !got.DueAt.Equal(due) {
		t.Errorf("after a second press: urgent %v, due %v; want urgent, due %v", got.Urgent, got.DueAt, due)
	}
}
