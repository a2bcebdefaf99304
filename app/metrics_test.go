package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/config"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

func TestRunExposesMetrics(t *testing.T) {
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	s.append(inboundMail{from: "Arben Hoxha <arben@example.net>", subject: "Pyetje", messageID: "metrics-1@example.net", body: "Kur hapet muzeu?"}.raw())
	_, stop := s.serve()
	defer stop()

	waitCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := s.smtp.WaitFor(waitCtx, 2); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`sportel_messages_total{channel="email",disposition="filed"} 1`,
		`sportel_sends_total{kind="ack"} 1`,
		`sportel_sends_total{kind="notify"} 1`,
		`sportel_imap_last_good_fetch_timestamp_seconds 1.`,
		// The general question is assigned; both its sends went out.
		"sportel_queue_stats_ok 1\n",
		"sportel_tickets_open 1\n",
		"sportel_tickets_overdue 0\n",
		"sportel_outbox_pending_jobs 0\n",
		"sportel_outbox_failed_jobs 0\n",
		"sportel_outbox_sends_held_seconds 0\n",
	}
	// Counters move as jobs are marked done, a moment after the mail is
	// captured: wait until every line is there or time runs out.
	var body string
	testutil.Eventually(t, "every metric", 20*time.Second, func() (bool, error) {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false, err
			}
		}
		return true, err
	})
}

// With an LLM endpoint that answers only errors, mail is still filed and
// acknowledged (by the built-in classifier), and after three failures the
// breaker gauge says the endpoint is no longer asked.
func TestRunExposesLLMBreaker(t *testing.T) {
	var requests atomic.Int64
	llmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":{"message":"model not loaded","type":"server_error","code":null}}`)
	}))
	defer llmSrv.Close()
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	s.cfg.Classifier = config.ClassifierConfig{Kind: config.ClassifierOpenAI,
		OpenAI: &config.OpenAIConfig{BaseURL: llmSrv.URL + "/v1", Model: "test-model", Timeout: 5 * time.Second}}
	deliver := func(from, to int) {
		for i := from; i < to; i++ {
			s.append(inboundMail{from: fmt.Sprintf("Qytetar %d <q%d@example.net>", i, i), subject: "Pyetje",
				messageID: fmt.Sprintf("breaker-%d@example.net", i), body: "Kur hapet muzeu?"}.raw())
		}
	}
	deliver(0, 5)
	_, stop := s.serve()
	defer stop()

	waitCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.smtp.WaitFor(waitCtx, 10); err != nil { // an ack and a notification each
		t.Fatal(err)
	}
	testutil.Eventually(t, "sportel_llm_breaker_open 1", 20*time.Second, func() (bool, error) {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), "\nsportel_llm_breaker_open 1\n"), err
	})
	// Open: more mail is filed and acknowledged without asking the endpoint.
	asked := requests.Load()
	deliver(5, 8)
	if _, err := s.smtp.WaitFor(waitCtx, 16); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != asked {
		t.Errorf("endpoint asked %d more times while the breaker was open", n-asked)
	}
}

// A part that cannot start stops the daemon at once, with an error that
// names it, instead of staying invisible until SIGTERM.
func TestRunFailsFastWhenMetricsCannotListen(t *testing.T) {
	s := newMemStack(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	s.cfg.Metrics.Listen = taken.Addr().String()
	a := s.open()
	err = testutil.Await(t, "Run with its metrics port taken", 30*time.Second, a.Run)
	if err == nil || !strings.Contains(err.Error(), "metrics") || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run: %v, want an error naming the metrics listener", err)
	}
}

// /readyz says "not ready" until the watcher has read the mailbox (here the
// IMAP server is not reachable at first), then 200; /healthz is 200 from
// the start, and the metrics name the build.
func TestReadyzAfterFirstFetch(t *testing.T) {
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	imapAddr := s.cfg.IMAP.Addr
	s.cfg.IMAP.Addr = testutil.FreeAddr(t) // nobody listens yet
	_, stop := s.serve()
	defer stop()

	probe := func(path string) (int, string, error) {
		resp, err := http.Get("http://" + metricsAddr + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	testutil.Eventually(t, "the metrics listener", 20*time.Second, func() (bool, error) {
		status, _, err := probe("/healthz")
		return err == nil && status == http.StatusOK, nil
	})
	status, body, err := probe("/readyz")
	if err != nil || status != http.StatusServiceUnavailable || body != "imap: the mailbox has not been read yet\nrole: leader\n" {
		t.Fatalf("/readyz before any fetch: %d %q %v, want 503, the imap reason alone and the role", status, body, err)
	}

	// The server comes up: the watcher reconnects, reads the mailbox, and
	// the daemon is ready.
	forward(t, s.cfg.IMAP.Addr, imapAddr)
	testutil.Eventually(t, "/readyz 200", 20*time.Second, func() (bool, error) {
		status, body, err := probe("/readyz")
		return err == nil && status == http.StatusOK && body == "ok\nrole: leader\n", nil
	})
	_, body, err = probe("/metrics")
	if err != nil || !strings.Contains(body, `sportel_build_info{commit="unknown",version="devel"} 1`) {
		t.Errorf("/metrics: %v, lacks sportel_build_info of a test binary", err)
	}
	// The watcher's lines, its failed dials among them, name one
	// component each.
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, "component=inbox") && strings.Count(line, "component=") != 1 {
			t.Errorf("a log line names its component twice: %s", line)
		}
	}
}

// forward listens on from and relays every connection to to, until the
// test ends.
func forward(t *testing.T, from, to string) {
	t.Helper()
	ln, err := net.Listen("tcp", from)
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	t.Cleanup(func() { ln.Close(); conns.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() {
				defer c.Close()
				up, err := net.Dial("tcp", to)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { _, _ = io.Copy(up, c); up.Close() }()
				_, _ = io.Copy(c, up)
			})
		}
	}()
}

func TestIMAPReady(t *testing.T) {
	now := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	staleAfter := imapStaleAfter(time.Minute, 5*time.Minute) // IDLE restarts every 5 minutes at most
	tests := []struct {
		name          string
		lastGoodFetch time.Time
		blocked       time.Time
		want          string // "" for ready
	}{
		{"never read", time.Time{}, time.Time{}, "the mailbox has not been read yet"},
		{"read a moment ago", now.Add(-time.Second), time.Time{}, ""},
		{"a quiet IDLE: read one restart ago", now.Add(-5 * time.Minute), time.Time{}, ""},
		{"just within three restarts", now.Add(-15 * time.Minute), time.Time{}, ""},
		{"stale", now.Add(-16 * time.Minute), time.Time{}, "last good fetch 16m0s ago (more than 15m0s)"},
		{"read, but nothing can be taken in", now.Add(-time.Second), now.Add(-2 * time.Minute), "intake blocked for 2m0s: the store refuses to take mail in; it waits in the mailbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := imapReady(tt.lastGoodFetch, tt.blocked, now, staleAfter)
			if got := fmt.Sprint(err); (err == nil) != (tt.want == "") || (err != nil && got != tt.want) {
				t.Errorf("imapReady: %v, want %q", err, tt.want)
			}
		})
	}
}

// With Telegram configured, the leader's /readyz also requires its long
// poll to be alive: ready while getUpdates answers, not ready (with the
// reason on a telegram line, the other checks still passing) once the Bot
// API has been unreachable for three poll timeouts, and ready again soon
// after it comes back.
func TestReadyzFollowsTelegramPolling(t *testing.T) {
	tg := devserver.StartTelegram("123456:readyz-token", "dkp_readyz_bot")
	t.Cleanup(tg.Close)
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	s.cfg.Telegram = botConfig(tg)
	_, stop := s.serve()
	defer stop()

	var status int
	var body string
	readyz := func(wantStatus int, match func(string) bool) func() (bool, error) {
		return func() (bool, error) {
			var err error
			status, body, err = httpGet("http://" + metricsAddr + "/readyz")
			return err == nil && status == wantStatus && match(body), nil
		}
	}
	is := func(want string) func(string) bool { return func(b string) bool { return b == want } }
	steps := []struct {
		name       string
		down       bool
		wantStatus int
		match      func(string) bool
	}{
		{"polling", false, http.StatusOK, is("ok\nrole: leader\n")},
		{"the Bot API unreachable", true, http.StatusServiceUnavailable, func(b string) bool {
			return strings.HasPrefix(b, "telegram: last good getUpdates ") && strings.HasSuffix(b, " ago (more than 3s)\nrole: leader\n")
		}},
		{"the Bot API back", false, http.StatusOK, is("ok\nrole: leader\n")},
	}
	for _, st := range steps {
		tg.SetDown(st.down)
		if err := testutil.Poll(time.Minute, readyz(st.wantStatus, st.match)); err != nil {
			t.Fatalf("%s: /readyz %d %q: %v\n%s", st.name, status, body, err, s.logs.String())
		}
	}
	_, metrics, err := httpGet("http://" + metricsAddr + "/metrics")
	if err != nil || !strings.Contains(metrics, "\nsportel_telegram_last_good_poll_timestamp_seconds 1.") {
		t.Errorf("/metrics: %v, lacks a recent sportel_telegram_last_good_poll_timestamp_seconds", err)
	}
}

func TestTelegramReady(t *testing.T) {
	now := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	staleAfter := telegramStaleAfter(50 * time.Second)
	tests := []struct {
		name     string
		lastPoll time.Time
		want     string // "" for ready
	}{
		{"never answered", time.Time{}, "getUpdates has not answered yet"},
		{"answered a moment ago", now.Add(-time.Second), ""},
		{"a quiet long poll: answered one timeout ago", now.Add(-50 * time.Second), ""},
		{"just within three timeouts", now.Add(-150 * time.Second), ""},
		{"stale", now.Add(-151 * time.Second), "last good getUpdates 2m31s ago (more than 2m30s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := telegramReady(tt.lastPoll, now, staleAfter)
			if got := fmt.Sprint(err); (err == nil) != (tt.want == "") || (err != nil && got != tt.want) {
				t.Errorf("telegramReady: %v, want %q", err, tt.want)
			}
		})
	}
}
