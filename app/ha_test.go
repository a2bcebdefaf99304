package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/store/postgres"
)

// haBacklog is the mail waiting when the two instances start.
const haBacklog = 200

// instancePID is the process id in an instance's name (host/pid/random).
func instancePID(owner string) int {
	parts := strings.Split(owner, "/")
	if len(parts) < 3 {
		return 0
	}
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	return pid
}

// httpGet returns the status and body of an HTTP GET, or an error.
func httpGet(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// pair is two `sportel run` processes on one store, each with its metrics
// listener.
type pair struct {
	d       [2]*daemon
	metrics [2]string
}

func (p *pair) logs() string {
	return fmt.Sprintf("--- instance 0 (pid %d):\n%s\n--- instance 1 (pid %d):\n%s",
		p.d[0].cmd.Process.Pid, p.d[0].logs.String(), p.d[1].cmd.Process.Pid, p.d[1].logs.String())
}

// leader waits for the lease to name one of the two, other than not
// (-1: either), and returns its index.
func (p *pair) leader(t testing.TB, st *postgres.Store, not int, limit time.Duration) int {
	t.Helper()
	who := -1
	err := testutil.Poll(limit, func() (bool, error) {
		holder, _, err := st.LeaseHolder(context.Background())
		for i, d := range p.d {
			if err == nil && i != not && instancePID(holder) == d.cmd.Process.Pid {
				who = i
			}
		}
		return who >= 0, err
	})
	if err != nil {
		t.Fatalf("wait for a leader: %v\n%s", err, p.logs())
	}
	return who
}

// ready waits until instance i's /readyz answers 200 with its role, and
// its sportel_leader says the same.
func (p *pair) ready(t testing.TB, i int, role string) {
	t.Helper()
	gauge := map[string]string{"leader": "sportel_leader 1\n", "standby": "sportel_leader 0\n"}[role]
	err := testutil.Poll(time.Minute, func() (bool, error) {
		status, body, err := httpGet("http://" + p.metrics[i] + "/readyz")
		if err != nil || status != http.StatusOK || body != "ok\nrole: "+role+"\n" {
			return false, nil
		}
		_, metrics, err := httpGet("http://" + p.metrics[i] + "/metrics")
		return err == nil && strings.Contains(metrics, gauge), nil
	})
	if err != nil {
		_, body, _ := httpGet("http://" + p.metrics[i] + "/readyz")
		t.Fatalf("instance %d ready as %s: %v; /readyz says %q\n%s", i, role, err, body, p.logs())
	}
}

// Two `sportel run` on one PostgreSQL database, a backlog in the mailbox:
// one instance leads and takes mail in, both send; the leader goes in the
// middle of the backlog and the other takes over. Every message gets one
// ticket (numbered without gaps), one acknowledgement and one notification;
// the only repeat allowed is the same mail again (same Message-ID), for a
// send the kill cut off. The takeover time is reported; the bound asserted
// is generous, for a loaded machine.
func TestTwoInstancesOnePostgres(t *testing.T) {
	_ = pgCluster.Database(t) // skips before the build without PostgreSQL
	bin := buildSportel(t)
	cases := []struct {
		name string
		sig  syscall.Signal
	}{
		{"the leader is killed", syscall.SIGKILL},
		{"the leader is stopped", syscall.SIGTERM},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { haTakeover(t, bin, c.name, c.sig) })
	}
}

// haTakeover runs the two instances on a backlog, makes the leader go with
// sig in the middle of it, checks the outcome and returns how long after
// the leader went the other held the lease, and took mail in again.
func haTakeover(t testing.TB, bin, name string, sig syscall.Signal) (takeover, resumed time.Duration) {
	s := newPostgresMemStack(t)
	// Sends take a little while, so some are in flight at the kill.
	s.smtp.SetReject(func(string) error { time.Sleep(2 * time.Millisecond); return nil })
	run := strings.ReplaceAll(name, " ", "-")
	for k := range haBacklog {
		s.append(benchMail(run, k))
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, s.cfg.Store.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	p := &pair{}
	for i := range p.d {
		p.metrics[i] = testutil.FreeAddr(t)
		p.d[i] = startDaemonWith(t, bin, s, func(cfg string) string {
			// Small batches: a stop lets the batch in hand finish,
			// and the backlog must outlast it.
			cfg = strings.Replace(cfg, "  poll_interval: 1s\n", "  poll_interval: 1s\n  batch_size: 10\n", 1)
			return cfg + fmt.Sprintf("metrics:\n  listen: %s\n", p.metrics[i])
		})
	}
	lead := p.leader(t, st, -1, time.Minute)
	other := 1 - lead
	p.ready(t, other, "standby")

	// In the middle of the backlog: a quarter of it taken in.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err = waitMoved(wctx, s, 0, haBacklog/4)
	cancel()
	if err != nil {
		t.Fatalf("%v\n%s", err, p.logs())
	}
	gone := time.Now()
	if err := p.d[lead].cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.d[lead].exited:
		if sig == syscall.SIGTERM && err != nil {
			t.Errorf("the leader exited with %v after SIGTERM, want 0\n%s", err, p.logs())
		}
	case <-time.After(time.Minute):
		t.Fatalf("the leader still runs a minute after %v\n%s", sig, p.logs())
	}
	movedAtExit := s.countOrZero(processedBox)

	p.leader(t, st, lead, time.Minute)
	takeover = time.Since(gone)
	if movedAtExit < haBacklog {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := waitMoved(wctx, s, movedAtExit, 1)
		cancel()
		if err != nil {
			t.Fatalf("intake after the takeover: %v\n%s", err, p.logs())
		}
		resumed = time.Since(gone)
	}

	// Everything taken in and sent: an acknowledgement and a
	// notification for each message.
	wctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	err = waitMoved(wctx, s, 0, haBacklog)
	cancel()
	if err != nil {
		t.Fatalf("%v\n%s", err, p.logs())
	}
	testutil.Eventually(t, "every acknowledgement and notification sent", 3*time.Minute, func() (bool, error) {
		return len(distinctMessageIDs(t, s)) >= 2*haBacklog, nil
	})
	p.ready(t, other, "leader")
	p.d[other].stop(t)

	tickets, err := st.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var numbers, wantNumbers, msgIDs, wantIDs []string
	for i, tk := range tickets {
		numbers = append(numbers, tk.Number)
		msgIDs = append(msgIDs, tk.MessageID)
		wantNumbers = append(wantNumbers, fmt.Sprintf("DKP-%d-%06d", time.Now().Year(), i+1))
	}
	for k := range haBacklog {
		wantIDs = append(wantIDs, fmt.Sprintf("bench-%s-%d@example.net", run, k))
	}
	slices.Sort(numbers)
	slices.Sort(msgIDs)
	slices.Sort(wantIDs)
	if !slices.Equal(msgIDs, wantIDs) {
		t.Errorf("%d tickets; want exactly one for each of the %d messages", len(tickets), haBacklog)
	}
	if !slices.Equal(numbers, wantNumbers) {
		t.Errorf("ticket numbers %v…, want 1 to %d without gaps", numbers[:min(5, len(numbers))], len(tickets))
	}

	all := s.wireMails()
	copies := map[string]int{}
	for _, w := range all {
		copies[w.messageID]++
	}
	if len(copies) != 2*haBacklog {
		t.Errorf("%d distinct Message-IDs, want %d (an acknowledgement and a notification per message)", len(copies), 2*haBacklog)
	}
	for _, tk := range tickets {
		for _, kind := range []string{"ack", "notify"} {
			ids := map[string]bool{}
			for _, w := range mailsOf(all, kind, tk.Number) {
				ids[w.messageID] = true
			}
			if len(ids) != 1 {
				t.Errorf("%s: %d distinct %s mails, want 1", tk.Number, len(ids), kind)
			}
		}
	}
	again := len(all) - len(copies)
	t.Logf("%s (%v) with %d of %d messages taken in: the other instance held the lease %v later and took mail in again %v later; %d mails sent twice (the same Message-ID)",
		name, sig, movedAtExit, haBacklog, takeover.Round(10*time.Millisecond), resumed.Round(10*time.Millisecond), again)
	if takeover > 30*time.Second {
		t.Errorf("takeover took %v, want well under 30s (10s by design)", takeover)
	}
	return takeover, resumed
}

// BenchmarkTakeover is the two-instance run with the leader SIGKILLed in the
// middle of a 200-mail backlog: how long until the other instance holds the
// lease, and until it takes mail in again (the lease is 6 s, renewed every
// 2 s, asked for every 2 s by the standby).
//
//	go test -run XXX -bench Takeover -benchtime 1x -count 3 ./app/
func BenchmarkTakeover(b *testing.B) {
	_ = pgCluster.Database(b)
	bin := buildSportel(b)
	var lease, intake time.Duration
	for range b.N {
		l, i := haTakeover(b, bin, "takeover", syscall.SIGKILL)
		lease, intake = lease+l, intake+i
	}
	b.ReportMetric(float64(lease.Milliseconds())/float64(b.N), "lease_taken_ms")
	b.ReportMetric(float64(intake.Milliseconds())/float64(b.N), "intake_resumed_ms")
	b.ReportMetric(0, "ns/op")
}

// Two instances with Telegram on one PostgreSQL database: only the leader
// long-polls getUpdates (Telegram allows one poller per bot), both can send,
// and when the leader stops the other polls from the stored offset. Every
// citizen's message gets one ticket and one acknowledgement.
func TestTwoInstancesTelegram(t *testing.T) {
	s := newPostgresMemStack(t)
	tg := devserver.StartTelegram("123456:ha-token", "dkp_ha_bot")
	t.Cleanup(tg.Close)
	s.cfg.Telegram = botConfig(tg)
	ctx := context.Background()

	first, stopFirst := s.serve()
	testutil.Eventually(t, "the first instance leading", 20*time.Second, func() (bool, error) {
		holder, _, err := first.store.(*postgres.Store).LeaseHolder(ctx)
		ob := first.outbox.Load()
		return ob != nil && holder == ob.Owner(), err
	})
	second, stopSecond := s.serve()
	defer stopSecond()
	testutil.Eventually(t, "the second instance connected to Telegram", 20*time.Second, func() (bool, error) {
		return second.outbox.Load() != nil && len(tg.Calls("deleteWebhook")) == 2, nil
	})
	// Two more polls: a second poller would have begun by now, beside the
	// leader's, which polls without a pause.
	polls := len(tg.Calls("getUpdates"))
	testutil.Eventually(t, "two more polls", 20*time.Second, func() (bool, error) {
		return len(tg.Calls("getUpdates")) >= polls+2, nil
	})

	const perPhase = 4
	citizens := make([]models.User, 2*perPhase)
	say := func(from, to int) {
		for i := from; i < to; i++ {
			citizens[i] = models.User{ID: 9100 + int64(i), FirstName: fmt.Sprintf("Qytetari %d", i), LanguageCode: "sq"}
			tg.PushText(citizens[i], fmt.Sprintf("Përshëndetje, kur hapet thirrja për subvencione për klubet sportive (%d)?", i))
		}
		testutil.Eventually(t, "an acknowledgement to each citizen", time.Minute, func() (bool, error) {
			for _, c := range citizens[from:to] {
				if len(tg.Sent(c.ID)) == 0 {
					return false, nil
				}
			}
			return true, nil
		})
	}
	say(0, perPhase)
	stopFirst() // resigns once its polling has stopped
	say(perPhase, 2*perPhase)
	s.settle(second)

	if n := tg.MaxConcurrentPolls(); n != 1 {
		t.Errorf("%d getUpdates at once, want 1: only the leader polls", n)
	}
	tickets, err := second.store.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byChat := map[int64]string{}
	for _, tk := range tickets {
		if _, dup := byChat[tk.ChatID]; dup || tk.Channel != inquiry.ChannelTelegram {
			t.Errorf("ticket %s: channel %s, chat %d has another", tk.Number, tk.Channel, tk.ChatID)
		}
		byChat[tk.ChatID] = tk.Number
	}
	for _, c := range citizens {
		sent := tg.Sent(c.ID)
		if len(sent) != 1 || byChat[c.ID] == "" || !strings.Contains(sent[0].Text, byChat[c.ID]) {
			t.Errorf("citizen %d: ticket %q, %d messages sent, want one acknowledgement naming the ticket", c.ID, byChat[c.ID], len(sent))
		}
	}
}

// A standby does not poll Telegram, so Telegram's being unreachable makes
// the leader not ready and leaves the standby ready, each saying its role.
func TestReadyzTelegramOnLeaderOnly(t *testing.T) {
	s := newPostgresMemStack(t)
	tg := devserver.StartTelegram("123456:ha-readyz-token", "dkp_ha_readyz_bot")
	t.Cleanup(tg.Close)
	s.cfg.Telegram = botConfig(tg)
	leaderAddr, standbyAddr := testutil.FreeAddr(t), testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = leaderAddr
	first, stopFirst := s.serve()
	defer stopFirst()
	testutil.Eventually(t, "the first instance leading", 20*time.Second, func() (bool, error) {
		holder, _, err := first.store.(*postgres.Store).LeaseHolder(context.Background())
		ob := first.outbox.Load()
		return ob != nil && holder == ob.Owner(), err
	})
	second := *s.cfg // the first instance keeps reading its own
	second.Metrics.Listen = standbyAddr
	s.cfg = &second
	_, stopSecond := s.serve()
	defer stopSecond()

	probe := func(addr string, wantStatus int, want func(string) bool) {
		t.Helper()
		var status int
		var body string
		err := testutil.Poll(time.Minute, func() (bool, error) {
			var err error
			status, body, err = httpGet("http://" + addr + "/readyz")
			return err == nil && status == wantStatus && want(body), nil
		})
		if err != nil {
			t.Fatalf("/readyz on %s: %d %q, want %d: %v\n%s", addr, status, body, wantStatus, err, s.logs.String())
		}
	}
	is := func(want string) func(string) bool { return func(b string) bool { return b == want } }
	probe(leaderAddr, http.StatusOK, is("ok\nrole: leader\n"))
	probe(standbyAddr, http.StatusOK, is("ok\nrole: standby\n"))

	tg.SetDown(true)
	probe(leaderAddr, http.StatusServiceUnavailable, func(b string) bool {
		return strings.HasPrefix(b, "telegram: last good getUpdates ") && strings.HasSuffix(b, "\nrole: leader\n")
	})
	probe(standbyAddr, http.StatusOK, is("ok\nrole: standby\n"))

	tg.SetDown(false)
	probe(leaderAddr, http.StatusOK, is("ok\nrole: leader\n"))
}
