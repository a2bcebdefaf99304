package app

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/mailgen"
	"sportel/internal/pgtest"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store/postgres"
)

// The PostgreSQL fault tests run the daemon (in process, as `sportel run`
// wires it) on a server of the test's own (pgtest.Server), which they stop,
// restart, cut connections of and lock tables on while a realistic backlog
// drains. Each fault is judged on the wire: every mail one ticket, every
// acknowledgement and notification sent once by Message-ID, the daemon
// still running afterwards without a restart.

// faultBacklog is the mail waiting when the instances start.
const faultBacklog = 300

// faultInstance is one daemon of a fault test, with logs of its own.
type faultInstance struct {
	app     *App
	logs    *testutil.LogBuffer
	metrics string
	done    chan error // gets Run's result; nothing while it runs
	stop    func()
}

// faultRig is a stack whose store lives on a private PostgreSQL server.
type faultRig struct {
	t   *testing.T
	srv *pgtest.Server
	s   *stack
	dsn string
	st  *postgres.Store // the test's own view of the store
}

// newFaultRig starts a private server, a stack on it and a backlog of n
// realistic mails; it skips without PostgreSQL.
func newFaultRig(t *testing.T, n int) *faultRig {
	t.Helper()
	srv := pgtest.StartServer(t)
	r := &faultRig{t: t, srv: srv, s: newMemStack(t), dsn: srv.Database("sportel")}
	r.s.cfg.Store.Driver, r.s.cfg.Store.DSN = "postgres", r.dsn
	// Sends take a little while, so some are in flight at the fault.
	r.s.smtp.SetReject(func(string) error { time.Sleep(2 * time.Millisecond); return nil })
	g := mailgen.New(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9f)), publicAddress, time.Now().Add(-time.Hour))
	for _, raw := range g.Backlog(n) {
		r.s.append(raw)
	}
	return r
}

// start opens and runs one more instance.
func (r *faultRig) start() *faultInstance {
	r.t.Helper()
	cfg := *r.s.cfg
	in := &faultInstance{logs: testutil.NewLogBuffer(r.t), metrics: testutil.FreeAddr(r.t), done: make(chan error, 1)}
	cfg.Metrics.Listen = in.metrics
	a, err := Open(context.Background(), &cfg, in.logs.Logger(slog.LevelInfo))
	if err != nil {
		r.t.Fatalf("open app: %v", err)
	}
	r.t.Cleanup(func() { a.Close() })
	in.app = a
	ctx, cancel := context.WithCancel(context.Background())
	go func() { in.done <- a.Run(ctx) }()
	in.stop = func() {
		cancel()
		select {
		case err := <-in.done:
			if err != nil {
				r.t.Errorf("run returned %v after stop", err)
			}
		case <-time.After(stopLimit):
			r.t.Errorf("run did not return within %v of stop", stopLimit)
		}
	}
	return in
}

// store opens the test's own view of the store (after an instance has
// migrated it).
func (r *faultRig) store() *postgres.Store {
	r.t.Helper()
	if r.st == nil {
		r.st = openPostgres(r.t, r.dsn)
	}
	return r.st
}

// running fails the test when in's Run has returned: a fault must not stop
// the daemon.
func (in *faultInstance) running(t *testing.T) {
	t.Helper()
	select {
	case err := <-in.done:
		in.done <- err
		t.Fatalf("the daemon stopped by itself: %v\n%s", err, in.logs.String())
	default:
	}
}

// leading reports whether in holds the leader lease now, by the store.
func (r *faultRig) leading(in *faultInstance) bool {
	holder, _, err := r.store().LeaseHolder(context.Background())
	ob := in.app.outbox.Load()
	return err == nil && ob != nil && holder == ob.Owner()
}

// readyz returns in's /readyz status and body.
func (in *faultInstance) readyz() (int, string) {
	status, body, err := httpGet("http://" + in.metrics + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	return status, body
}

// metric returns the line of in's /metrics that starts with name.
func (in *faultInstance) metric(name string) string {
	_, body, err := httpGet("http://" + in.metrics + "/metrics")
	if err != nil {
		return err.Error()
	}
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasPrefix(line, name+" ") {
			return line
		}
	}
	return ""
}

// sawStoreDown waits until in's /readyz and metrics say the store is down.
func (r *faultRig) sawStoreDown(in *faultInstance) {
	r.t.Helper()
	var status int
	var body, ok string
	err := testutil.Poll(20*time.Second, func() (bool, error) {
		status, body = in.readyz()
		ok = in.metric("sportel_queue_stats_ok")
		return status == http.StatusServiceUnavailable && strings.Contains(body, "store: ") && ok == "sportel_queue_stats_ok 0", nil
	})
	if err != nil {
		r.t.Errorf("with the store down: /readyz %d %q, %q; want 503 naming the store, and 0", status, body, ok)
	}
}

// drained waits until every mail is taken in and both mails of every
// ticket have reached the SMTP server.
func (r *faultRig) drained(n int, limit time.Duration, ins ...*faultInstance) {
	r.t.Helper()
	err := testutil.Poll(limit, func() (bool, error) {
		for _, in := range ins {
			select {
			case err := <-in.done:
				in.done <- err
				return false, fmt.Errorf("the daemon stopped by itself: %v", err)
			default:
			}
		}
		if r.s.countOrZero(processedBox)+r.s.countOrZero(quarantineBox) < n {
			return false, nil
		}
		return len(distinctMessageIDs(r.t, r.s)) >= 2*n, nil
	})
	if err != nil {
		logs := ""
		for i, in := range ins {
			logs += fmt.Sprintf("--- instance %d:\n%s\n", i, in.logs.String())
		}
		r.t.Fatalf("drain %d mails: %v; %d processed, %d quarantined, %d distinct mails sent\n%s", n, err,
			r.s.countOrZero(processedBox), r.s.countOrZero(quarantineBox), len(distinctMessageIDs(r.t, r.s)), logs)
	}
}

// checkOnce checks the outcome: one ticket per mail, and for each ticket
// one acknowledgement and one notification, each sent exactly once, but
// for at most again mails sent twice.
func (r *faultRig) checkOnce(n, again int) {
	r.t.Helper()
	ctx := context.Background()
	if q := r.s.countOrZero(quarantineBox); q != 0 {
		r.t.Errorf("%d mails set aside, want none", q)
	}
	tickets, err := r.store().ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		r.t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, tk := range tickets {
		if ids[tk.MessageID] {
			r.t.Errorf("a second ticket for %s", tk.MessageID)
		}
		ids[tk.MessageID] = true
	}
	if len(tickets) != n {
		r.t.Errorf("%d tickets for %d mails, want one each", len(tickets), n)
	}
	all := r.s.wireMails()
	copies := map[string]int{}
	for _, w := range all {
		copies[w.messageID]++
	}
	twice := 0
	for _, c := range copies {
		if c > 1 {
			twice++
		}
	}
	if twice > again {
		r.t.Errorf("%d mails sent more than once, want at most %d", twice, again)
	} else if twice > 0 {
		r.t.Logf("%d mails sent twice", twice)
	}
	for _, tk := range tickets {
		for _, kind := range []string{"ack", "notify"} {
			if got := len(mailsOf(all, kind, tk.Number)); got < 1 || got > 2 || got == 2 && again == 0 {
				r.t.Errorf("%s: %d %s mails, want 1", tk.Number, got, kind)
			}
		}
	}
}

// quietOutage checks how in logged faults of the store: the outbox says
// each about once at error level (at most twice an outage) and again when
// the store answers, and the whole daemon logs at most maxErrors errors
// (the intake logs each try while it leads, which a lost lease ends)
// rather than one a poll or a message.
func (in *faultInstance) quietOutage(t *testing.T, outages, maxErrors int) {
	t.Helper()
	logs := in.logs.String()
	outboxErrors, errors := 0, 0
	for line := range strings.SplitSeq(logs, "\n") {
		if !strings.Contains(line, "level=ERROR") {
			continue
		}
		errors++
		if strings.Contains(line, "component=outbox") {
			outboxErrors++
		}
	}
	// Twice an outage at most: a fault can meet two of the pool's
	// connections, one (a renewal) failing, the next call answering on a
	// fresh connection, then a third (a completion) on one the fault cut
	// too; a line per poll would be dozens.
	if outboxErrors > 2*outages {
		t.Errorf("the outbox logged %d errors, want each of %d outages said about once\n%s", outboxErrors, outages, logs)
	}
	if outboxErrors > 0 && !strings.Contains(logs, "store answers again") {
		t.Errorf("the outbox said the store fails, and never that it answers again\n%s", logs)
	}
	if errors > maxErrors {
		t.Errorf("%d error lines, want at most %d\n%s", errors, maxErrors, logs)
	}
}

// PostgreSQL restarted in the middle of a drain, or stopped for a while and
// started again, under two instances: nothing lost, nothing filed or sent
// twice, the daemons recover by themselves, say the store is down while it
// is, log the outage rather than every message, and one instance leads at
// a time.
func TestPostgresOutageUnderTwoInstances(t *testing.T) {
	cases := []struct {
		name string
		down time.Duration // 0: pg_ctl restart -m fast
	}{
		{"restarted", 0},
		{"down for 30s", 30 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newFaultRig(t, faultBacklog)
			r.slowSends(faultSend)
			ins := r.twoUnderWay(faultBacklog / 4)
			first, second := ins[0], ins[1]
			if c.down == 0 {
				r.srv.Restart()
			} else {
				r.srv.Stop()
				for _, in := range ins {
					r.sawStoreDown(in)
				}
				// The leader cannot renew: it stops leading within its
				// lease, and the standby cannot take the lease meanwhile.
				testutil.Eventually(t, "neither instance leading", leaderTTL+5*time.Second, func() (bool, error) {
					return first.metric("sportel_leader") == "sportel_leader 0" && second.metric("sportel_leader") == "sportel_leader 0", nil
				})
				time.Sleep(c.down)
				for _, in := range ins {
					in.running(t)
				}
				r.srv.Start()
			}
			r.drained(faultBacklog, 90*time.Second, ins...)
			leaders := 0
			for _, in := range ins {
				if r.leading(in) && in.metric("sportel_leader") == "sportel_leader 1" {
					leaders++
				}
			}
			if leaders != 1 {
				t.Errorf("%d instances lead after the outage, want 1", leaders)
			}
			for i, in := range ins {
				in.running(t)
				testutil.Eventually(t, fmt.Sprintf("instance %d ready again", i), 30*time.Second, func() (bool, error) {
					status, body := in.readyz()
					return status == http.StatusOK && strings.HasPrefix(body, "ok\n"), nil
				})
			}
			// What an instance had in flight when the store went down may
			// be claimed by the other when it is back and go again.
			r.checkOnce(faultBacklog, inFlight(ins, faultSend))
			for _, in := range ins {
				in.quietOutage(t, 1, 8)
				in.stop()
			}
		})
	}
}

// twoUnderWay starts two instances, the first leading, and waits until
// moved mails of the backlog are taken in.
func (r *faultRig) twoUnderWay(moved int) []*faultInstance {
	r.t.Helper()
	first := r.start()
	testutil.Eventually(r.t, "the first instance leading", 20*time.Second, func() (bool, error) {
		return r.leading(first), nil
	})
	ins := []*faultInstance{first, r.start()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := waitMoved(ctx, r.s, 0, moved); err != nil {
		r.t.Fatal(err)
	}
	return ins
}

// faultSend is how long every send takes in the fault tests (slowSends),
// so that sends are under way when the fault strikes and the number that
// can go twice depends on the outbox's rules, not on how fast the machine
// runs the test.
const faultSend = 100 * time.Millisecond

// inFlight is the most mails ins may send twice after a fault of the
// store, with sends taking send each. The outbox starts sends until the
// commit recording earlier ones has been stuck or failing for
// outbox.RecordStall (its record gate), and none while its store fails
// (waitForStore). What a fault leaves unrecorded is therefore, for each of
// an instance's four workers: the send under way, those it started within
// RecordStall while the last commit before the fault was slow (a loaded
// machine makes it so), and one sent just before whose completion that
// commit held. Those may be claimed again by the other instance once the
// tests' 3-s leases run out.
func inFlight(ins []*faultInstance, send time.Duration) int {
	perWorker := 2 + int((outbox.RecordStall+send-1)/send)
	return len(ins) * 4 * perWorker
}

// slowSends makes every send take d, so sends are under way when a
// fault strikes.
func (r *faultRig) slowSends(d time.Duration) {
	r.s.smtp.SetReject(func(string) error { time.Sleep(d); return nil })
}

// Sessions killed from the server's side while jobs are claimed and sends
// are under way: the sends finish and are recorded on a new connection,
// nothing is lost, and at most what was in flight goes twice.
func TestPostgresSessionsTerminated(t *testing.T) {
	r := newFaultRig(t, faultBacklog)
	r.slowSends(faultSend)
	admin := r.srv.Connect("postgres")
	ins := r.twoUnderWay(faultBacklog / 5)
	const kills = 8
	killed := 0
	for range kills {
		var n int
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = 'sportel' AND pid <> pg_backend_pid()`).Scan(&n)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		killed += n
		time.Sleep(700 * time.Millisecond)
	}
	t.Logf("%d sessions terminated", killed)
	r.drained(faultBacklog, 90*time.Second, ins...)
	// Sends under way when their sessions went may be claimed again if a
	// completion's retry comes after their lease: at most those in flight.
	r.checkOnce(faultBacklog, inFlight(ins, faultSend))
	for _, in := range ins {
		in.running(t)
		in.quietOutage(t, kills, 2*kills+4)
	}
	for _, in := range ins {
		in.stop()
	}
}

// A statement that hangs: another session holds the jobs table in ACCESS
// EXCLUSIVE mode for 20 s. The daemon does not hang: its calls time out,
// it goes on once the lock goes, nothing is lost, and at most what was in
// flight goes twice.
func TestPostgresTableLockedForAWhile(t *testing.T) {
	r := newFaultRig(t, faultBacklog)
	r.slowSends(faultSend)
	locker := r.srv.Connect("sportel")
	ins := r.twoUnderWay(faultBacklog / 5)
	ctx := context.Background()
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	locked := time.Now()
	// Meanwhile the daemon's calls time out and give their sessions back:
	// they do not pile up waiting on the lock.
	admin := r.srv.Connect("postgres")
	most := 0
	for time.Since(locked) < 20*time.Second {
		time.Sleep(time.Second)
		var backends int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = 'sportel'`).Scan(&backends); err != nil {
			t.Fatal(err)
		}
		most = max(most, backends)
	}
	t.Logf("at most %d sessions on the database while the jobs table was locked", most)
	if most > 2*16+1 {
		t.Errorf("%d sessions on the database, more than two pools and the lock's own", most)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	r.drained(faultBacklog, 90*time.Second, ins...)
	// A locked table blocks completions without failing them: no send
	// starts once the commit recording them has been stuck
	// outbox.RecordStall (the outbox's recordGate), so what may go again
	// once the other instance claims it (the test's leases, 3 s, run out
	// while the lock holds) is what was in flight then.
	r.checkOnce(faultBacklog, inFlight(ins, faultSend))
	timedOut := false
	for _, in := range ins {
		for line := range strings.SplitSeq(in.logs.String(), "\n") {
			if strings.Contains(line, "store failing") && strings.Contains(line, "deadline exceeded") {
				timedOut = true
			}
		}
	}
	if !timedOut {
		t.Errorf("no call timed out while the jobs table was locked")
	}
	for _, in := range ins {
		in.running(t)
		in.quietOutage(t, 1, 8)
	}
	for _, in := range ins {
		in.stop()
	}
}
