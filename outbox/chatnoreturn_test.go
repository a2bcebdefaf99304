package outbox_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/bot"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/noreturn"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// holdAt is where a telegramFront holds the bot's first sendMessage.
type holdAt int

const (
	// holdConnect holds its connection: not made until let go, so
	// nothing of the request is written.
	holdConnect holdAt = iota
	// holdReply holds Telegram's answer: the fake API has taken the
	// message in, and the bot waits for the reply.
	holdReply
)

// telegramFront stands between the bot and the fake Telegram API, which it
// passes every request to, and holds the first sendMessage after arm where
// at says until let go: a slow network, or a Telegram slow to answer.
type telegramFront struct {
	url     string
	api     string // the fake API's URL
	at      holdAt
	armed   atomic.Bool
	held    chan struct{} // closed once the first sendMessage is held
	release chan struct{}
	letGo   func()
	// path is the request whose reply holdReply holds (default
	// /sendMessage).
	path string
	// dials counts the connections the bot asked for (it keeps none);
	// gaveUp the held replies the bot stopped waiting for.
	dials, gaveUp atomic.Int32
	forward       *http.Client
}

func startTelegramFront(t *testing.T, api string, at holdAt) *telegramFront {
	t.Helper()
	f := &telegramFront{api: api, at: at, held: make(chan struct{}), release: make(chan struct{}), forward: &http.Client{}}
	var once sync.Once
	f.letGo = func() { once.Do(func() { close(f.release) }) }
	srv := httptest.NewServer(f)
	// Let go before the server closes, which waits for its requests.
	t.Cleanup(srv.Close)
	t.Cleanup(f.letGo)
	f.url = srv.URL
	return f
}

// client is the bot's HTTP client through the front: no connection is
// kept, so each request dials, and timeout is the bot's request timeout.
func (f *telegramFront) client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true, DialContext: f.dial}}
}

func (f *telegramFront) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	f.dials.Add(1)
	if f.at == holdConnect && f.armed.CompareAndSwap(true, false) {
		close(f.held)
		select {
		case <-f.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (f *telegramFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the bot went away in the middle of its request
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, f.api+r.URL.Path, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	resp, err := f.forward.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	path := f.path
	if path == "" {
		path = "/sendMessage"
	}
	if f.at == holdReply && strings.HasSuffix(r.URL.Path, path) && f.armed.CompareAndSwap(true, false) {
		close(f.held)
		select {
		case <-f.release:
		case <-r.Context().Done():
			f.gaveUp.Add(1)
			return
		}
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// noReturnWatch is a ChatSender as the outbox sees it, telling the test
// when a send's point of no return is asked and what the outbox answered.
type noReturnWatch struct {
	outbox.ChatSender
	mu      sync.Mutex
	answers []bool
	asked   chan struct{} // closed once asked
	once    sync.Once
}

func (w *noReturnWatch) SendChat(ctx context.Context, m *inquiry.ChatMessage) (string, error) {
	return w.ChatSender.SendChat(noReturnWatched(ctx, w), m)
}

// noReturnWatched is ctx with its point of no return reported to w.
func noReturnWatched(ctx context.Context, w *noReturnWatch) context.Context {
	if commit := noreturn.Hook(ctx); commit != nil {
		ctx = noreturn.With(ctx, func() bool {
			ok := commit()
			w.mu.Lock()
			w.answers = append(w.answers, ok)
			w.mu.Unlock()
			w.once.Do(func() { close(w.asked) })
			return ok
		})
	}
	return ctx
}

func (w *noReturnWatch) answered() []bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]bool(nil), w.answers...)
}

// addChatText queues a chat acknowledgement of text to chat.
func (f *fixture) addChatText(chat int64, text string) int64 {
	f.t.Helper()
	j := inquiry.Job{
		TicketID: f.ticket.ID, Kind: inquiry.JobAck, Recipient: "tg:citizen", NextAt: f.now, CreatedAt: f.now,
		Chat: &inquiry.ChatMessage{ChatID: chat, Text: text},
	}
	f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
	return j.ID
}

// A chat send whose lease goes unconfirmed for two thirds of a lease (the
// renewals failing) is cut off while its sendMessage request has not been
// written: Telegram got nothing of that try, and the job is sent again,
// once. Once the request is written Telegram may deliver the message, so
// the send is not cut off: it finishes, the message delivered once and
// recorded as sent, with a warning, every part of a split text too; a
// Telegram that never answers fails the send after the bot's request
// timeout, a fault of Telegram's: the job is given back untried and the
// Telegram sends paused (relaypause.go). Real bot, real HTTP, the fake Bot
// API behind a front that holds the first try; the test drives the
// monotonic clock and the renewals.
func TestChatSendPastItsPointOfNoReturnIsNotCutOff(t *testing.T) {
	const (
		lease = 30 * time.Second
		chat  = int64(1001)
		token = "123456:TEST-token"
	)
	long := strings.Repeat("Faleminderit për pyetjen tuaj. ", 200) // two messages
	tests := []struct {
		name string
		hold holdAt
		text string
		// timeout is the bot's request timeout.
		timeout time.Duration
		// letGo: the front is let go once the lease has gone unconfirmed;
		// otherwise it holds the try until the test ends.
		letGo bool
		// wantCalls is the sendMessage requests Telegram served,
		// wantDelivered the messages in the chat; wantState and
		// wantAttempts are the job's at the end.
		wantCalls, wantDelivered int
		wantState                inquiry.JobState
		wantAttempts             int
		wantGaveUp               int32
		wantLogs, wantNoLogs     []string
	}{
		{name: "reply held: not cut off, delivered and recorded once", hold: holdReply, text: "DKP-2026-000001",
			timeout: 30 * time.Second, letGo: true,
			wantCalls: 1, wantDelivered: 1, wantState: inquiry.JobDone, wantAttempts: 1,
			wantLogs:   []string{"level=WARN", "past its point of no return", "not cut off", "renewals failing"},
			wantNoLogs: []string{"send cut off"}},
		{name: "split text, first part's reply held: every part delivered once", hold: holdReply, text: long,
			timeout: 30 * time.Second, letGo: true,
			wantCalls: 2, wantDelivered: 2, wantState: inquiry.JobDone, wantAttempts: 1,
			wantLogs:   []string{"past its point of no return", "not cut off"},
			wantNoLogs: []string{"send cut off"}},
		{name: "connection held, nothing written: cut off, sent again once", hold: holdConnect, text: "DKP-2026-000001",
			timeout: 30 * time.Second, letGo: true,
			wantCalls: 1, wantDelivered: 1, wantState: inquiry.JobDone, wantAttempts: 1,
			wantLogs:   []string{"send cut off", "released, to be sent again"},
			wantNoLogs: []string{"point of no return"}},
		{name: "reply held for good: the bot's request timeout ends it, given back untried, Telegram paused", hold: holdReply, text: "DKP-2026-000001",
			timeout:   2 * time.Second,
			wantCalls: 1, wantDelivered: 1, wantState: inquiry.JobPending, wantAttempts: 0, wantGaveUp: 1,
			wantLogs:   []string{"past its point of no return", "level=ERROR msg=\"telegram bot API failing"},
			wantNoLogs: []string{"send cut off", "send failed, will retry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.now = time.Now()
			id := f.addChatText(chat, tt.text)
			tg := devserver.StartTelegram(token, "sportel_test_bot")
			t.Cleanup(tg.Close)
			tg.MarkStarted(chat)
			front := startTelegramFront(t, tg.URL, tt.hold)

			logs := testutil.NewLogBuffer(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			b, err := bot.New(ctx, bot.Options{Token: token, APIURL: front.url, PollTimeout: time.Second,
				HTTPClient: front.client(tt.timeout), Logger: testutil.DiscardLogger()}, nil, f.store)
			if err != nil {
				t.Fatal(err)
			}
			// getMe and deleteWebhook went through; the send is held.
			front.armed.Store(true)

			js := &storeAway{JobStore: f.store}
			watch := &noReturnWatch{ChatSender: b, asked: make(chan struct{})}
			d := newLeaseDriven(js, nil, watch, lease, logs.Logger(slog.LevelInfo))
			ob, sent, failed := d.ob, &d.sent, &d.failed
			stop := testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
			t.Cleanup(front.letGo) // before stop, which waits for the send

			waitClosed(t, "the front holding the first try", front.held)
			if tt.hold == holdReply {
				// The request is written: the bot has asked already.
				waitClosed(t, "the point of no return asked", watch.asked)
			}
			// Two renewals fail; two thirds of a lease after the claim the
			// guard looks.
			d.missRenewals(lease)
			if tt.hold == holdConnect {
				// Sent again while the front still holds the first try's
				// connection: it was cut off, not waited for.
				testutil.Eventually(t, "the job sent again", 20*time.Second, func() (bool, error) {
					ob.Poke() // once it is given back
					return sent.Load() > 0, nil
				})
			}
			if tt.hold == holdReply {
				// What is not to happen has no event to wait for: a cut
				// would close the connection within microseconds, and the
				// front would see the bot give up.
				time.Sleep(300 * time.Millisecond)
			}
			if tt.letGo {
				front.letGo()
			}
			testutil.Eventually(t, "the send's outcome recorded", 20*time.Second, func() (bool, error) {
				ob.Poke() // a job given back is claimed again
				return sent.Load()+failed.Load() > 0, nil
			})
			stop()

			if n := len(tg.Calls("sendMessage")); n != tt.wantCalls {
				t.Errorf("Telegram served %d sendMessage requests, want %d", n, tt.wantCalls)
			}
			if n := len(tg.Sent(chat)); n != tt.wantDelivered {
				t.Errorf("%d messages delivered to the chat, want %d", n, tt.wantDelivered)
			}
			if n := front.gaveUp.Load(); n != tt.wantGaveUp {
				t.Errorf("the bot stopped waiting for %d held replies, want %d", n, tt.wantGaveUp)
			}
			// Asked once, by the try that wrote its request: never by one
			// cut off before, and once for all the parts of a split text.
			if got := watch.answered(); len(got) != 1 || !got[0] {
				t.Errorf("the point of no return was answered %v, want once, yes", got)
			}
			j := f.job(id)
			if j.State != tt.wantState || j.Attempts != tt.wantAttempts {
				t.Errorf("job %s after %d attempts (%q), want %s after %d", j.State, j.Attempts, j.LastError, tt.wantState, tt.wantAttempts)
			}
			wantSent := int32(0)
			if tt.wantState == inquiry.JobDone {
				wantSent = 1
				if want := tg.Sent(chat)[tt.wantDelivered-1]; j.SentRef != refOf(want.Chat.ID, want.ID) {
					t.Errorf("recorded ref %q, want the last message's %q", j.SentRef, refOf(want.Chat.ID, want.ID))
				}
			}
			if sent.Load() != wantSent {
				t.Errorf("recorded as sent %d times, want %d", sent.Load(), wantSent)
			}
			out := logs.String()
			for _, want := range tt.wantLogs {
				if !strings.Contains(out, want) {
					t.Errorf("the log does not say %q", want)
				}
			}
			for _, unwanted := range tt.wantNoLogs {
				if strings.Contains(out, unwanted) {
					t.Errorf("the log says %q", unwanted)
				}
			}
		})
	}
}

// refOf is the ref the bot gives message id in chat.
func refOf(chat int64, id int) string {
	return "tg:" + strconv.FormatInt(chat, 10) + ":" + strconv.Itoa(id)
}
