package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// A leader stopped (SIGTERM) while a leader-only part finishes what it
// holds — the Telegram update in hand, which the bot lets run for 10 s, or
// the intake's batch — keeps its lease renewed until the part has stopped:
// the standby must not start its IMAP watcher, Telegram poller and
// scheduler beside it. Unrenewed, the lease lapsed 6 s after its last
// renewal, under the part still running.
func TestStoppingLeaderKeepsItsLeaseUntilItsPartsStop(t *testing.T) {
	dsn := pgCluster.Database(t)
	var log termLog
	const linger = 10 * time.Second // the bot's updateGrace
	run := func(name string, lingerOnStop time.Duration) (*leadership, func()) {
		l := newLeadership(openPostgres(t, dsn), name, testutil.DiscardLogger())
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { _ = l.Run(ctx) })
		wg.Go(func() {
			_ = l.whileLeading(ctx, func(ctx context.Context) error {
				log.add(name + " start")
				<-ctx.Done()
				time.Sleep(lingerOnStop) // the update in hand, within its grace
				log.add(name + " stop")
				return nil
			})
		})
		stop := sync.OnceFunc(func() { cancel(); wg.Wait() })
		t.Cleanup(stop)
		return l, stop
	}
	a, stopA := run("a", linger)
	testutil.Eventually(t, "a leading", 10*time.Second, func() (bool, error) { return a.Leading(), nil })
	b, _ := run("b", 0)
	time.Sleep(3 * time.Second) // b stands by, a renews
	if b.Leading() {
		t.Fatal("b leads beside a")
	}
	stopA()
	ev := log.all()
	aStop, bStart := -1, -1
	for i, e := range ev {
		switch e {
		case "a stop":
			aStop = i
		case "b start":
			if bStart < 0 {
				bStart = i
			}
		}
	}
	if aStop < 0 {
		t.Fatalf("events %v: a's part never stopped", ev)
	}
	if bStart >= 0 && bStart < aStop {
		t.Errorf("events %v: b started its leader-only part while the stopping leader a's was still running", ev)
	}
	testutil.Eventually(t, "b leading once a gave the lease up", 10*time.Second, func() (bool, error) { return b.Leading(), nil })
}
