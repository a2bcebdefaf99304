package inbox

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"sportel/classifier"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/route"
	"sportel/store"
	"sportel/store/sqlite"
)

// lockedDesk is the real desk on a real SQLite store whose write lock
// another process holds. That process lets go in the instant after the
// take-in that failed busy for the releaseAt-th time, before the watcher
// decides what to do with the message: a set-aside would then go through.
type lockedDesk struct {
	*desk.Desk
	mu        sync.Mutex
	busy      int   // take-ins that failed with store.ErrBusy
	other     error // the first failure that was not the store being busy
	releaseAt int
	release   func()
}

func (d *lockedDesk) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	disps, err := d.Desk.HandleBatch(ctx, ms)
	if err == nil {
		return disps, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !errors.Is(err, store.ErrBusy) {
		if d.other == nil {
			d.other = err
		}
		return disps, err
	}
	if d.busy++; d.busy == d.releaseAt {
		d.release()
	}
	return disps, err
}

func (d *lockedDesk) failures() (busy int, other error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.busy, d.other
}

// A message whose last try fails because another process held SQLite's
// write lock past the busy timeout is not set aside, even when the lock
// is let go before the set-aside: the store was busy, not the message at
// fault. It stays in the mailbox and is filed at the next try, as is the
// mail behind it; nothing goes to the quarantine mailbox or the set-aside
// records.
func TestBusyStoreSetsNothingAside(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sportel.db")
	// Short, so each try fails soon; the default is 10 s.
	st, err := sqlite.OpenWith(ctx, path, sqlite.Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cls, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dk, err := desk.New(desk.Config{
		Mailbox:  inquiry.Address{Address: "komunikimi@mkrs.example"},
		Officers: []inquiry.Officer{{ID: "zamira", Name: "Zamira Ahmeti", Email: "zamira.ahmeti@mkrs.example"}},
	}, st, cls, route.New([]route.Rule{{Officer: "zamira"}}), testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}

	unlock := testutil.HoldSQLiteWriteLock(t, path)
	var once sync.Once
	release := func() { once.Do(unlock) }
	t.Cleanup(release) // when the test fails before it is let go
	// Right after the last try: poisonTries failures, then once more.
	d := &lockedDesk{Desk: dk, releaseAt: poisonTries + 1, release: release}

	ts := startIMAP(t, serverConfig{caps: capsRev2})
	const subject = "Pyetje gjatë një bllokimi"
	now := time.Now()
	ts.appendTo("INBOX", rawMail("a@example.net", subject, "Kur hapet muzeu të dielën?"), now)
	ts.appendTo("INBOX", rawMail("b@example.net", "Pyetje e dytë", "Ku mund ta gjej raportin vjetor?"), now)
	w, _ := runWatcher(t, baseOptions(ts), d, st)

	testutil.Eventually(t, "an empty INBOX", 30*time.Second, func() (bool, error) {
		inbox, _ := ts.status("INBOX")
		return inbox == 0, nil
	})
	// The move may trail the handling; a message set aside goes to quarantine.
	testutil.Eventually(t, "both moved out", 10*time.Second, func() (bool, error) {
		processed, _ := ts.status(processedBox)
		quarantined, _ := ts.status(quarantineBx)
		return processed+quarantined == 2, nil
	})
	busy, other := d.failures()
	if other != nil {
		t.Errorf("a try failed for another reason than the store being busy: %v", other)
	}
	if busy < poisonTries+1 {
		t.Errorf("%d tries failed busy, want %d: the lock was not held past the busy timeout", busy, poisonTries+1)
	}
	if quarantined, _ := ts.status(quarantineBx); quarantined != 0 {
		t.Errorf("%d messages in the quarantine mailbox, want none", quarantined)
	}
	set, err := st.ListSetAside(ctx, inquiry.SetAsideQuarantine, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, sa := range set {
		t.Errorf("set aside for a busy store: %s (%s)", sa.SourceID, sa.Reason)
	}
	if got := w.Stats(); got.SetAside != 0 || got.Filed != 2 {
		t.Errorf("stats: %d set aside, %d filed; want 0 and 2", got.SetAside, got.Filed)
	}
	tickets, err := st.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, tk := range tickets {
		subjects = append(subjects, tk.Subject)
	}
	if !slices.Contains(subjects, subject) || len(subjects) != 2 {
		t.Errorf("tickets for %q, want one for each mail, %q among them", subjects, subject)
	}
}
