package app

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/internal/testutil"
	"sportel/store/postgres"
)

// term records one leader-only part: when it ran, and in which order
// against the other instance's.
type termLog struct {
	mu     sync.Mutex
	events []string
}

func (l *termLog) add(e string) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *termLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

// part is a leader-only part that logs its start and stop and runs until
// its context ends.
func (l *termLog) part(name string) func(context.Context) error {
	return func(ctx context.Context) error {
		l.add(name + " start")
		<-ctx.Done()
		l.add(name + " stop")
		return nil
	}
}

// electing is one instance's leadership, running with a leader-only part.
type electing struct {
	lead *leadership
	stop func()
}

func startElecting(t *testing.T, st any, name string, log *termLog) *electing {
	t.Helper()
	l := newLeadership(st, name, testutil.DiscardLogger())
	// Short terms: the test waits for hand-overs, it does not time them.
	l.ttl, l.every = 900*time.Millisecond, 150*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = l.Run(ctx) })
	wg.Go(func() { _ = l.whileLeading(ctx, log.part(name)) })
	e := &electing{lead: l, stop: sync.OnceFunc(func() { cancel(); wg.Wait() })}
	t.Cleanup(e.stop)
	return e
}

func openPostgres(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A store that elects nobody (SQLite) makes the instance the leader for
// its whole run.
func TestLeadershipWithoutLeaseAlwaysLeads(t *testing.T) {
	if l := newLeadership(struct{}{}, "only", testutil.DiscardLogger()); !l.Leading() || l.Role() != "leader" {
		t.Errorf("before Run: leading %v, role %q; want the leader from the start", l.Leading(), l.Role())
	}
	var log termLog
	e := startElecting(t, struct{}{}, "only", &log)
	testutil.Eventually(t, "the part running", 10*time.Second, func() (bool, error) {
		return len(log.all()) == 1 && e.lead.Leading() && e.lead.Role() == "leader", nil
	})
	e.stop()
	if got := log.all(); len(got) != 2 || got[1] != "only stop" {
		t.Errorf("events %v, want the part started once and stopped at the end", got)
	}
}

// On PostgreSQL one of two instances leads; when it goes, the other takes
// over, and only after the first one's leader-only part has stopped.
func TestLeadershipHandsOver(t *testing.T) {
	cases := []struct {
		name string
		// leave makes the leader leave; the standby must then lead.
		leave func(t *testing.T, leader *electing, st *postgres.Store)
		// stoppedFirst: the leader's part stops before the standby's starts.
		stoppedFirst bool
	}{
		{"the leader stops and resigns", func(t *testing.T, leader *electing, _ *postgres.Store) {
			leader.stop()
		}, true},
		{"the leader loses the store and its lease runs out", func(t *testing.T, leader *electing, st *postgres.Store) {
			st.Close()
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dsn := pgCluster.Database(t)
			var log termLog
			stA := openPostgres(t, dsn)
			a := startElecting(t, stA, "a", &log)
			testutil.Eventually(t, "a leading", 10*time.Second, func() (bool, error) { return a.lead.Leading(), nil })
			b := startElecting(t, openPostgres(t, dsn), "b", &log)
			// b asks at least once while a holds the lease.
			testutil.Eventually(t, "b standing by", 10*time.Second, func() (bool, error) {
				holder, _, err := stA.LeaseHolder(context.Background())
				return holder == "a" && b.lead.Role() == "standby", err
			})
			c.leave(t, a, stA)
			testutil.Eventually(t, "b leading", 20*time.Second, func() (bool, error) {
				return b.lead.Leading() && !a.lead.Leading(), nil
			})
			testutil.Eventually(t, "b's part running, a's stopped", 10*time.Second, func() (bool, error) {
				ev := log.all()
				n := len(ev)
				return n >= 3 && ev[n-1] == "b start", nil
			})
			ev := log.all()
			if ev[0] != "a start" {
				t.Errorf("events %v: a's part should have run first", ev)
			}
			aStop, bStart := -1, -1
			for i, e := range ev {
				switch e {
				case "a stop":
					aStop = i
				case "b start":
					bStart = i
				}
			}
			if aStop < 0 {
				t.Errorf("events %v: a's part never stopped", ev)
			}
			if c.stoppedFirst && aStop > bStart {
				t.Errorf("events %v: b started before a's part stopped", ev)
			}
		})
	}
}

// A leader that finds another instance holding the lease when it renews
// (what a leader paused past its lease would find) stops its part at once
// and stands by until the lease is free again.
func TestLeadershipStepsDownWhenLeaseTaken(t *testing.T) {
	dsn := pgCluster.Database(t)
	var log termLog
	st := openPostgres(t, dsn)
	a := startElecting(t, st, "a", &log)
	testutil.Eventually(t, "a leading", 10*time.Second, func() (bool, error) { return a.lead.Leading(), nil })
	raw, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(context.Background())
	if _, err := raw.Exec(context.Background(),
		`UPDATE leader_lease SET holder = 'other', expires_at = clock_timestamp() + interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "a standing by, its part stopped", 10*time.Second, func() (bool, error) {
		return !a.lead.Leading() && slices.Equal(log.all(), []string{"a start", "a stop"}), nil
	})
	if err := st.Resign(context.Background(), "other"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "a leading again, its part restarted", 10*time.Second, func() (bool, error) {
		return a.lead.Leading() && slices.Equal(log.all(), []string{"a start", "a stop", "a start"}), nil
	})
}
