package bot_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"sportel/bot"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/sqlite"
)

// lockedDesk is the real desk on a real SQLite store whose write lock
// another process holds. That process lets go in the instant after the
// handling that failed busy for the releaseAt-th time, before the bot
// decides what to do with the update: a set-aside would then go through.
type lockedDesk struct {
	bot.Desk
	mu        sync.Mutex
	tries     map[string]int
	busy      int   // handlings that failed with store.ErrBusy
	other     error // the first failure that was not the store being busy
	releaseAt int
	release   func()
}

func (d *lockedDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	disp, err := d.Desk.Handle(ctx, m)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tries[m.Text]++
	switch {
	case err == nil:
	case !errors.Is(err, store.ErrBusy):
		if d.other == nil {
			d.other = err
		}
	default:
		if d.busy++; d.busy == d.releaseAt {
			d.release()
		}
	}
	return disp, err
}

// An update whose last try fails because another process held SQLite's
// write lock past the busy timeout is not set aside, even when the lock
// is let go before the set-aside: the store was busy, not the update at
// fault. It stays unconfirmed and is filed at the next try, as is the
// update behind it.
func TestBusyStoreSetsNoUpdateAside(t *testing.T) {
	var d *lockedDesk
	f := newFixture(t, setup{
		opts: fastRetries,
		// Short, so each try fails soon; the default is 10 s.
		storeOpts: sqlite.Options{BusyTimeout: 100 * time.Millisecond},
		desk: func(inner bot.Desk) bot.Desk {
			// Right after the last try: 3 failures, then once more.
			d = &lockedDesk{Desk: inner, tries: map[string]int{}, releaseAt: 4}
			return d
		},
		noRun: true,
	})
	unlock := testutil.HoldSQLiteWriteLock(t, f.path)
	var once sync.Once
	d.release = func() { once.Do(unlock) }
	t.Cleanup(d.release) // when the test fails before it is let go
	f.stop = f.run(f.bot)

	f.tg.PushText(arta, docRequestSQ)
	f.tg.PushText(john, generalEN)
	f.settle()
	d.mu.Lock()
	busy, other, tries := d.busy, d.other, d.tries[docRequestSQ]
	d.mu.Unlock()
	if other != nil {
		t.Errorf("a try failed for another reason than the store being busy: %v", other)
	}
	if busy != 4 {
		t.Errorf("%d tries failed busy, want 4: the lock was not held past the busy timeout", busy)
	}
	set, err := f.store.ListSetAside(f.ctx, inquiry.SetAsideQuarantine, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, sa := range set {
		t.Errorf("set aside for a busy store: %s (%s)", sa.SourceID, sa.Reason)
	}
	if n := len(f.tickets()); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
	if tries != 5 {
		t.Errorf("tried %d times, want 5 (4 while the store was busy, then filed)", tries)
	}
}
