package bot_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/bot"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
)

// apiProxy stands between the bot and the fake Bot API, and answers the
// next calls of a method itself, as Telegram or a proxy in front of it
// would: an HTML page, an answer that never ends, parameters the fake does
// not give.
type apiProxy struct {
	URL  string
	mu   sync.Mutex
	next map[string][]http.HandlerFunc
}

func newAPIProxy(t testing.TB, target string) *apiProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &apiProxy{next: map[string][]http.HandlerFunc{}}
	forward := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		p.mu.Lock()
		var h http.HandlerFunc
		if q := p.next[method]; len(q) > 0 {
			h, p.next[method] = q[0], q[1:]
		}
		p.mu.Unlock()
		if h == nil {
			forward.ServeHTTP(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// answerNext has h answer the next call of method.
func (p *apiProxy) answerNext(method string, h http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next[method] = append(p.next[method], h)
}

func proxied(p **apiProxy, t testing.TB) func(*bot.Options) {
	return func(o *bot.Options) {
		*p = newAPIProxy(t, o.APIURL)
		o.APIURL = (*p).URL
	}
}

func answerJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) }
}

// neverEnds starts a good answer and never finishes it.
func neverEnds(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, `{"ok":true,"result":`)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// maxErrorText is what a job's recorded error may hold: a proxy's page
// quoted whole filled the record and the log with HTML.
const maxErrorText = 1024

// Telegram's own faults (a proxy's page, a 5xx, an answer that never
// ends) pause every Telegram send and give the job back untried, saying
// why in the log; a chat's refusal fails its job. Either way the error is
// kept clipped.
func TestChatSendErrorsAsTelegramGivesThem(t *testing.T) {
	page := "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>" +
		strings.Repeat("<p>an error page padded by the proxy</p>", 25_000) + "</body></html>"
	tests := []struct {
		name      string
		answer    http.HandlerFunc
		wantState inquiry.JobState
		// wantErr is in the job's record, or with paused (Telegram's
		// fault: the job untried, Telegram paused) in the log.
		wantErr string
		paused  bool
	}{
		{"502 HTML page from a proxy pauses Telegram, its error clipped", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, page)
		}, inquiry.JobPending, "502 Bad Gateway", true},
		{"500 from Telegram pauses it", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
		}, inquiry.JobPending, "500", true},
		{"group upgraded to a supergroup fails, naming the new chat",
			answerJSON(`{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}`),
			inquiry.JobFailed, "-1001234567890", false},
		{"chat not found fails", answerJSON(`{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`),
			inquiry.JobFailed, "chat not found", false},
		{"an answer that never ends is cut off and pauses Telegram", neverEnds, inquiry.JobPending, "deadline exceeded", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p *apiProxy
			f := newFixture(t, setup{opts: proxied(&p, t)})
			m, err := mailer.New(mailer.Options{Addr: f.smtp.Addr, Security: "none", Logger: f.log})
			if err != nil {
				t.Fatal(err)
			}
			ob := outbox.New(f.store, m, f.bot, outbox.Config{BackoffMin: time.Minute, BackoffMax: time.Minute, SendTimeout: time.Second}, f.log)
			f.tg.PushText(john, generalEN)
			if err := f.tg.WaitDrained(f.ctx); err != nil {
				t.Fatal(err)
			}
			p.answerNext("sendMessage", tt.answer)
			if err := ob.Drain(f.ctx); err != nil {
				t.Fatal(err)
			}
			tk := f.tickets()[0]
			acks := f.jobs(tk.Number, inquiry.JobAck)
			if len(acks) != 1 {
				t.Fatalf("%d ack jobs, want 1", len(acks))
			}
			j := acks[0]
			said := j.LastError
			if tt.paused {
				said = f.logs.String()
				if j.Attempts != 0 || !ob.ChatPaused() {
					t.Errorf("ack job after %d attempts, Telegram paused %v; want untried, paused", j.Attempts, ob.ChatPaused())
				}
			}
			if j.State != tt.wantState || !strings.Contains(said, tt.wantErr) {
				t.Errorf("ack job %s %.300q, want %s with %q", j.State, said, tt.wantState, tt.wantErr)
			}
			if len(j.LastError) > maxErrorText {
				t.Errorf("the job's error holds %d bytes, want at most %d", len(j.LastError), maxErrorText)
			}
			if strings.Contains(f.logs.String(), strings.Repeat("<p>an error page padded by the proxy</p>", 30)) {
				t.Errorf("the log quotes the proxy's page whole")
			}
		})
	}
}

// A direct answer (to a command, a button) whose sendMessage hangs held
// every chat's updates for the whole HTTP client timeout, the long poll's
// plus 10 s (a minute by default), for each of the update's answers.
func TestHungDirectReplyHoldsOtherChatsOnlyBriefly(t *testing.T) {
	var p *apiProxy
	f := newFixture(t, setup{opts: func(o *bot.Options) {
		proxied(&p, t)(o)
		o.PollTimeout = 30 * time.Second
		o.ReplyTimeout = 500 * time.Millisecond
	}})
	p.answerNext("sendMessage", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	f.tg.PushText(arta, "/status")
	f.tg.PushText(john, generalEN)
	start := time.Now()
	testutil.Eventually(t, "the next chat's message to be filed", 8*time.Second, func() (bool, error) {
		ts, err := f.desk.Tickets(context.Background(), inquiry.TicketFilter{})
		return len(ts) == 1, err
	})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the next chat waited %v behind a hung answer", took)
	}
	f.waitLog("telegram reply not sent")
}
