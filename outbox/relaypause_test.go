package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
)

// relayAt serves r on addr until stop, and again after start: a relay
// that goes down and comes back on its address.
type relayAt struct {
	t    *testing.T
	r    *relay
	addr string

	mu  sync.Mutex
	srv *smtp.Server
}

func newRelayAt(t *testing.T, r *relay) *relayAt {
	ra := &relayAt{t: t, r: r, addr: testutil.FreeAddr(t)}
	t.Cleanup(ra.stop)
	return ra
}

func (ra *relayAt) start() {
	ra.t.Helper()
	ra.mu.Lock()
	defer ra.mu.Unlock()
	srv := smtp.NewServer(ra.r)
	srv.Domain = "relay.mkrs.example"
	srv.AllowInsecureAuth = true // loopback, as the mailer allows
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", ra.addr)
	if err != nil {
		ra.t.Fatal(err)
	}
	go srv.Serve(ln)
	ra.srv = srv
}

// stop closes the listener and every connection: the relay is down.
func (ra *relayAt) stop() {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.srv != nil {
		ra.srv.Close()
		ra.srv = nil
	}
}

// logLines counts the log's lines at level holding msg.
func logLines(logs *testutil.LogBuffer, level slog.Level, msg string) int {
	n := 0
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "level="+level.String()) && strings.Contains(line, msg) {
			n++
		}
	}
	return n
}

// A relay that fails (a mistyped password the server refuses with 535,
// or the relay down) with 50 acknowledgements queued and 4 workers: after
// the sends in flight when it first fails, no worker connects to the relay
// until the pause ends, then exactly one send probes it, each pause; the
// server sees one login a pause, not one a job. Meanwhile Telegram
// messages go on. The outage is logged once at error, each failed probe
// once, the relay's return once; the password never. Once the relay
// answers, every mail goes, once, and no job has spent an attempt on the
// relay's faults. The pause runs on the outbox's monotonic clock, which
// the test moves.
func TestRelayPauseOneProbeAPause(t *testing.T) {
	const (
		jobs     = 50
		workers  = 4
		probes   = 3
		chat     = int64(1001)
		password = "Typo-s3cret-Pw"
		pause    = 10 * time.Second // RelayPauseMin and Max
	)
	tests := []struct {
		name string
		// fail makes the relay fail before the mail is queued; mend makes
		// it answer again.
		fail, mend func(ra *relayAt)
		logins     bool // the relay counts the logins it refuses
	}{
		// The server changed the password and dropped its sessions: the
		// kept connection, logged in before, is gone too.
		{"login refused (535), then the password fixed",
			func(ra *relayAt) { ra.r.setPassword("right"); ra.stop(); ra.start() },
			func(ra *relayAt) { ra.r.setPassword(password) }, true},
		{"relay down (listener closed), then back up",
			func(ra *relayAt) { ra.r.setPassword(password); ra.stop() },
			func(ra *relayAt) { ra.start() }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.now = time.Now()
			ra := newRelayAt(t, &relay{password: password})
			ra.start()
			m, err := mailer.New(mailer.Options{Addr: ra.addr, Security: mailer.SecurityNone, Username: "sportel@mkrs.example",
				Password: password, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(m.Close)
			tg, b := fakeTelegram(t, chat, f.store)
			logs := testutil.NewLogBuffer(t)
			ob := outbox.New(f.store, m, b, outbox.Config{Workers: workers, MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour,
				Lease: time.Minute, Poll: 20 * time.Millisecond, RelayPauseMin: pause, RelayPauseMax: pause}, logs.Logger(slog.LevelInfo))
			var mono atomic.Int64
			outbox.SetLeaseClock(ob, func() time.Duration { return time.Duration(mono.Load()) }, nil)
			var failed atomic.Int64
			ob.Failed = func(_ inquiry.Job, _ error, final bool) {
				if final {
					t.Error("a job failed for good")
				}
				failed.Add(1)
			}
			stop := testutil.RunBackground(t, "Run", 60*time.Second, ob.Run)
			defer stop()

			// A mail goes while the relay answers: a connection is kept.
			warm := f.addMail("warm@example.net", "sportel.ack.warm@mkrs.example")
			ob.Poke()
			testutil.Eventually(t, "the first mail sent", 20*time.Second, func() (bool, error) {
				return f.job(warm).State == inquiry.JobDone, nil
			})

			failFrom := time.Now()
			tt.fail(ra)
			before := ra.r.logins()
			var ids []int64
			for i := range jobs {
				ids = append(ids, f.addMail(fmt.Sprintf("qytetari%d@example.net", i), fmt.Sprintf("sportel.ack.%d@mkrs.example", i)))
			}
			ob.Poke()
			// all reports whether every mail job is as ok says.
			all := func(ok func(inquiry.Job) bool) bool {
				list, err := f.store.TicketJobs(context.Background(), f.ticket.ID)
				if err != nil {
					t.Fatal(err)
				}
				byID := map[int64]inquiry.Job{}
				for _, j := range list {
					byID[j.ID] = j
				}
				for _, id := range ids {
					if !ok(byID[id]) {
						return false
					}
				}
				return true
			}
			// settled: every claim of the mail given back, none spent.
			settled := func() (bool, error) {
				return all(func(j inquiry.Job) bool { return j.State == inquiry.JobPending && j.Attempts == 0 }), nil
			}
			testutil.Eventually(t, "the mail paused and every claim given back", 20*time.Second, func() (bool, error) {
				if !ob.MailPaused() {
					return false, nil
				}
				return settled()
			})
			// Since when, on the outbox's clock (time.Now here): from the
			// fault that began the pause, for the whole pause.
			since, paused := ob.MailPausedSince()
			if !paused || since.Before(failFrom) || since.After(time.Now()) {
				t.Fatalf("MailPausedSince = %v, %v; want paused since the relay failed, after %v", since, paused, failFrom)
			}
			first := ra.r.logins()
			if n := first - before; tt.logins && (n < 1 || n > workers) {
				t.Fatalf("%d logins as the relay first failed, want 1 to %d (the sends then in flight)", n, workers)
			}
			if n := logLines(logs, slog.LevelError, "mail relay failing"); n != 1 {
				t.Fatalf("%d error lines for the relay failing, want 1", n)
			}
			failedAtStart := failed.Load()

			// Within the pause: Telegram messages go; the relay is not tried.
			var chats []int64
			for range 3 {
				chats = append(chats, f.addChat(inquiry.JobAck, fmt.Sprintf("tg:%d", chat), chat))
			}
			ob.Poke()
			testutil.Eventually(t, "the chat messages sent while the mail is paused", 20*time.Second, func() (bool, error) {
				for _, id := range chats {
					if f.job(id).State != inquiry.JobDone {
						return false, nil
					}
				}
				return len(tg.Sent(chat)) == len(chats), nil
			})
			time.Sleep(100 * time.Millisecond) // five polls: time to misbehave
			if n := ra.r.logins(); n != first {
				t.Fatalf("%d logins within the pause, want none", n-first)
			}

			// Each pause ends in one probe, which fails and gives its job
			// back.
			for k := 1; k <= probes; k++ {
				mono.Add(int64(pause))
				testutil.Eventually(t, fmt.Sprintf("probe %d failing", k), 20*time.Second, func() (bool, error) {
					if logLines(logs, slog.LevelWarn, "mail relay still failing") < k {
						return false, nil
					}
					return settled()
				})
				time.Sleep(60 * time.Millisecond) // three polls
				if n := logLines(logs, slog.LevelWarn, "mail relay still failing"); n != k {
					t.Fatalf("pause %d: %d probes failed in all, want %d", k, n, k)
				}
				if n := ra.r.logins(); tt.logins && n != first+k {
					t.Fatalf("pause %d: %d logins since the relay first failed, want %d: one a pause", k, n-first, k)
				}
			}
			if again, _ := ob.MailPausedSince(); !again.Equal(since) {
				t.Errorf("after %d failed probes the pause began at %v, want still %v", probes, again, since)
			}
			if n := failed.Load() - failedAtStart; n != probes {
				t.Errorf("%d failed sends counted over %d pauses, want one a pause", n, probes)
			}
			if mails, _ := ra.r.got(); len(mails) != 1 {
				t.Fatalf("the relay took in %d mails while failing, want only the first", len(mails))
			}

			// The relay answers again: the next probe finds it, and every
			// mail goes, once, each on the attempt that sent it.
			tt.mend(ra)
			mono.Add(int64(pause))
			testutil.Eventually(t, "every mail sent", 30*time.Second, func() (bool, error) {
				return all(func(j inquiry.Job) bool { return j.State == inquiry.JobDone }), nil
			})
			if !all(func(j inquiry.Job) bool { return j.Attempts == 1 }) {
				t.Error("a job sent on a later attempt than its first: the relay's faults spent some")
			}
			mails, _ := ra.r.got()
			seen := messageIDs(mails)
			for i := range jobs {
				if n := seen[fmt.Sprintf("<sportel.ack.%d@mkrs.example>", i)]; n != 1 {
					t.Errorf("mail %d taken in %d times, want once", i, n)
				}
			}
			if since, paused := ob.MailPausedSince(); ob.MailPaused() || paused || !since.IsZero() {
				t.Errorf("after the relay answered: MailPaused %v, MailPausedSince %v, %v; want not paused", ob.MailPaused(), since, paused)
			}
			for _, c := range []struct {
				level slog.Level
				msg   string
				want  int
			}{
				{slog.LevelError, "mail relay failing", 1},
				{slog.LevelWarn, "mail relay still failing", probes},
				{slog.LevelInfo, "mail relay answers again", 1},
				{slog.LevelWarn, "send failed", 0},
			} {
				if n := logLines(logs, c.level, c.msg); n != c.want {
					t.Errorf("%d %s lines %q, want %d", n, c.level, c.msg, c.want)
				}
			}
			if strings.Contains(logs.String(), password) {
				t.Error("the log shows the password")
			}
			if tt.logins && !strings.Contains(logs.String(), "535") {
				t.Error("the log does not give the relay's reason (535)")
			}
		})
	}
}
