package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/outbox"
)

// Telegram's Bot API out of reach, or failing (502, flood control), far
// longer than every attempt's backoff together (3 attempts, 50 ms at most
// between them here; 8 from 10 s, some 11 to 21 minutes, by default): no
// Telegram job fails, none spends an attempt, no officer hears that an
// answer did not go. The Telegram sends are paused, one probe a pause,
// while mail goes on. The outage is logged once at error and once at info
// when it ends; no job logs a warning. When Telegram answers again every
// queued message goes, once, on its first attempt; an answer to a citizen
// who blocked the bot, queued with them, fails then and its officer is
// told, as it always was. Real bot over HTTP to the fake Bot API, real
// mailer to a go-smtp relay; the pause runs on the outbox's monotonic
// clock, which the test moves.
func TestTelegramOutagePausesChatSendsNotMail(t *testing.T) {
	const (
		workers  = 4
		probes   = 3
		pause    = 10 * time.Second // ChatPauseMin and Max
		citizen  = int64(1001)
		officer  = int64(1002)
		blocked  = int64(1003)
		password = "right"
	)
	tests := []struct {
		name       string
		fail, mend func(tg *devserver.Telegram)
	}{
		{"API unreachable (connections dropped)",
			func(tg *devserver.Telegram) { tg.SetDown(true) }, func(tg *devserver.Telegram) { tg.SetDown(false) }},
		{"502 Bad Gateway from the API",
			func(tg *devserver.Telegram) {
				tg.SetFailing(&devserver.TelegramFailure{ErrorCode: 502, Description: "Bad Gateway"})
			}, func(tg *devserver.Telegram) { tg.SetFailing(nil) }},
		{"429 flood control",
			func(tg *devserver.Telegram) {
				tg.SetFailing(&devserver.TelegramFailure{ErrorCode: 429, Description: "Too Many Requests: retry after 2", RetryAfter: 2})
			}, func(tg *devserver.Telegram) { tg.SetFailing(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.now = time.Now()
			r := &relay{password: password}
			m := startRelay(t, r, password)
			tg, b := fakeTelegram(t, citizen, f.store)
			tg.MarkStarted(officer)
			tg.MarkStarted(blocked)
			tg.Block(blocked)
			logs := testutil.NewLogBuffer(t)
			var toldMu sync.Mutex
			var told []string
			ob := outbox.New(f.store, m, b, outbox.Config{Workers: workers, MaxAttempts: 3, BackoffMin: 10 * time.Millisecond,
				BackoffMax: 50 * time.Millisecond, Lease: time.Minute, Poll: 20 * time.Millisecond, ChatPauseMin: pause, ChatPauseMax: pause,
				Undelivered: func(_ context.Context, _ inquiry.Job, reason string, _ bool) error {
					toldMu.Lock()
					defer toldMu.Unlock()
					told = append(told, reason)
					return nil
				}}, logs.Logger(slog.LevelInfo))
			var mono atomic.Int64
			outbox.SetLeaseClock(ob, func() time.Duration { return time.Duration(mono.Load()) }, nil)
			var failed, final atomic.Int64
			ob.Failed = func(_ inquiry.Job, _ error, isFinal bool) {
				failed.Add(1)
				if isFinal {
					final.Add(1)
				}
			}
			stop := testutil.RunBackground(t, "Run", 60*time.Second, ob.Run)
			defer stop()

			tt.fail(tg)
			var chats []int64
			for range 8 {
				chats = append(chats, f.addChat(inquiry.JobAck, fmt.Sprintf("tg:%d", citizen), citizen))
			}
			for range 4 {
				chats = append(chats, f.addChat(inquiry.JobAnswer, fmt.Sprintf("tg:%d", citizen), citizen))
			}
			for range 3 {
				chats = append(chats, f.addChat(inquiry.JobNotify, "jusuf", officer))
			}
			// Last, so no probe of the outage is it.
			refused := f.addChat(inquiry.JobAnswer, fmt.Sprintf("tg:%d", blocked), blocked)
			ob.Poke()
			// all reports whether every chat job is as ok says.
			all := func(ok func(inquiry.Job) bool) bool {
				list, err := f.store.TicketJobs(context.Background(), f.ticket.ID)
				if err != nil {
					t.Fatal(err)
				}
				byID := map[int64]inquiry.Job{}
				for _, j := range list {
					byID[j.ID] = j
				}
				for _, id := range append(chats, refused) {
					if !ok(byID[id]) {
						return false
					}
				}
				return true
			}
			// settled: every claim of a chat job given back, none spent;
			// a job failed for good is the defect itself, said at once.
			settled := func() (bool, error) {
				if n := final.Load(); n > 0 {
					return false, fmt.Errorf("%d jobs failed for good while Telegram failed", n)
				}
				return all(func(j inquiry.Job) bool { return j.State == inquiry.JobPending && j.Attempts == 0 }), nil
			}
			testutil.Eventually(t, "Telegram paused and every claim given back", 20*time.Second, func() (bool, error) {
				ok, err := settled()
				return ok && ob.ChatPaused(), err
			})

			// Mail goes on meanwhile.
			var mails []int64
			for i := range 5 {
				mails = append(mails, f.addMail(fmt.Sprintf("qytetari%d@example.net", i), fmt.Sprintf("sportel.ack.%d@mkrs.example", i)))
			}
			ob.Poke()
			testutil.Eventually(t, "the mail sent while Telegram is paused", 20*time.Second, func() (bool, error) {
				for _, id := range mails {
					if f.job(id).State != inquiry.JobDone {
						return false, nil
					}
				}
				return true, nil
			})
			if got, _ := r.got(); len(got) != len(mails) {
				t.Errorf("the relay took in %d mails, want %d", len(got), len(mails))
			}
			// Many times every attempt's backoff: still nothing spent.
			time.Sleep(300 * time.Millisecond)
			if ok, _ := settled(); !ok || final.Load() != 0 {
				t.Fatalf("Telegram's outage spent attempts or failed %d jobs", final.Load())
			}
			failedAtStart := failed.Load()
			if failedAtStart < 1 || failedAtStart > workers {
				t.Fatalf("%d sends met the outage as it began, want 1 to %d (those then in flight)", failedAtStart, workers)
			}

			// Each pause ends in one probe, which fails and gives its job
			// back.
			for k := range int64(probes) {
				mono.Add(int64(pause))
				testutil.Eventually(t, fmt.Sprintf("probe %d failing", k+1), 20*time.Second, func() (bool, error) {
					if failed.Load() < failedAtStart+k+1 {
						return false, nil
					}
					return settled()
				})
				time.Sleep(60 * time.Millisecond) // three polls
				if n := failed.Load() - failedAtStart; n != k+1 {
					t.Fatalf("pause %d: %d probes failed in all, want %d: one a pause", k+1, n, k+1)
				}
			}
			if n := len(tg.Sent(citizen)) + len(tg.Sent(officer)); n != 0 {
				t.Fatalf("%d messages delivered while Telegram failed", n)
			}

			// Telegram answers again: the next probe finds it, and every
			// message goes, once, on its first attempt.
			tt.mend(tg)
			mono.Add(int64(pause))
			testutil.Eventually(t, "every Telegram job settled", 30*time.Second, func() (bool, error) {
				return all(func(j inquiry.Job) bool {
					return j.ID == refused && j.State == inquiry.JobFailed || j.ID != refused && j.State == inquiry.JobDone
				}), nil
			})
			if !all(func(j inquiry.Job) bool { return j.Attempts == 1 }) {
				t.Error("a job sent on a later attempt than its first: Telegram's outage spent some")
			}
			if n := len(tg.Sent(citizen)); n != 12 {
				t.Errorf("%d messages delivered to the citizen, want 12: each job's once", n)
			}
			if n := len(tg.Sent(officer)); n != 3 {
				t.Errorf("%d notifications delivered to the officer, want 3", n)
			}
			toldMu.Lock()
			if len(told) != 1 || !strings.Contains(told[0], "blocked") {
				t.Errorf("officers told %q, want once, that the citizen blocked the bot", told)
			}
			toldMu.Unlock()
			if n := final.Load(); n != 1 {
				t.Errorf("%d jobs failed for good, want the blocked chat's alone", n)
			}
			if ob.ChatPaused() || ob.MailPaused() {
				t.Errorf("after Telegram answered: Telegram paused %v, mail paused %v; want neither", ob.ChatPaused(), ob.MailPaused())
			}
			for _, c := range []struct {
				level slog.Level
				msg   string
				want  int
			}{
				{slog.LevelError, "telegram bot API failing", 1},
				{slog.LevelWarn, "telegram bot API failing", 0},
				{slog.LevelInfo, "telegram bot API answers again", 1},
				{slog.LevelWarn, "send failed", 0},
				{slog.LevelError, "mail relay failing", 0},
			} {
				if n := logLines(logs, c.level, c.msg); n != c.want {
					t.Errorf("%d %s lines %q, want %d", n, c.level, c.msg, c.want)
				}
			}
		})
	}
}
