package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
)

// faultyDesk is a testDesk whose store can be down (every write fails, a
// set-aside too) and on which chosen subjects always fail (poison).
type faultyDesk struct {
	*testDesk
	mu        sync.Mutex
	storeDown bool
	// heal brings the store back at the start of the next Handle, never
	// between a failed Handle and the set-aside that follows it.
	heal   bool
	poison map[string]bool
	// lost is how many more tries of a subject meet a pooled connection
	// the server ended, while other calls go through.
	lost        map[string]int
	quarantined []string
}

func (d *faultyDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	d.mu.Lock()
	if d.heal {
		d.storeDown = false
	}
	down, poison := d.storeDown, d.poison[m.Subject]
	lost := d.lost[m.Subject] > 0
	if lost {
		d.lost[m.Subject]--
	}
	d.mu.Unlock()
	switch {
	case lost:
		d.testDesk.mu.Lock()
		d.testDesk.attempts[m.Subject]++
		d.testDesk.mu.Unlock()
		return "", fmt.Errorf("look up 1 sources: %w: FATAL: terminating connection due to administrator command (SQLSTATE 57P01)", store.ErrConnLost)
	case down:
		d.testDesk.mu.Lock()
		d.testDesk.attempts[m.Subject]++
		d.testDesk.mu.Unlock()
		return "", errors.New("database is locked: disk I/O error")
	case poison:
		d.testDesk.mu.Lock()
		d.testDesk.attempts[m.Subject]++
		d.testDesk.mu.Unlock()
		return "", fmt.Errorf("answer DKP-2026-000001: the ticket has no address to answer")
	}
	return d.testDesk.Handle(ctx, m)
}

func (d *faultyDesk) Quarantine(_ context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.storeDown {
		return "", errors.New("database is locked: disk I/O error")
	}
	d.quarantined = append(d.quarantined, m.Subject+": "+reason)
	return inquiry.Quarantined, nil
}

func (d *faultyDesk) setAside() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.quarantined...)
}

// One message that fails on every try while the store takes other writes
// is set aside after a few tries; the mail behind it goes on.
func TestPoisonMessageIsSetAside(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	desk := &faultyDesk{testDesk: newTestDesk(), poison: map[string]bool{"Re: Tiketë e re DKP-2026-000001": true}}
	now := time.Now()
	ts.appendTo("INBOX", rawMail("a@example.net", "Pyetje e parë", "tekst"), now)
	ts.appendTo("INBOX", rawMail("poison@mkrs.example", "Re: Tiketë e re DKP-2026-000001", "Muzeu hapet në ora 9."), now)
	ts.appendTo("INBOX", rawMail("b@example.net", "Pyetje e dytë", "tekst"), now)

	cp := newMemCheckpoints()
	w, _ := runWatcher(t, baseOptions(ts), desk, cp)
	desk.waitHandled(t, 2, 10*time.Second)
	testutil.Eventually(t, "an empty INBOX, 2 processed, 1 in quarantine", 10*time.Second, func() (bool, error) {
		inbox, _ := ts.status("INBOX")
		quarantined, _ := ts.status(quarantineBx)
		processed, _ := ts.status(processedBox)
		return inbox == 0 && quarantined == 1 && processed == 2, nil
	})
	set := desk.setAside()
	if len(set) != 1 {
		t.Fatalf("set aside %v, want the one poison message", set)
	}
	if tries := desk.attemptsFor("Re: Tiketë e re DKP-2026-000001"); tries != poisonTries+1 {
		t.Errorf("the poison message was tried %d times, want %d before it was set aside", tries, poisonTries+1)
	}
	if got := w.Stats(); got.SetAside != 1 || !got.BlockedSince.IsZero() {
		t.Errorf("stats: set aside %d, blocked since %v; want 1 and not blocked", got.SetAside, got.BlockedSince)
	}
	// The checkpoint is saved after the move, so it may trail the mailbox.
	testutil.Eventually(t, "the checkpoint past the poison message (uid 3)", 5*time.Second, func() (bool, error) {
		_, last := cp.get(w.CheckpointKey())
		return last == 3, nil
	})
	for _, c := range desk.snapshot() {
		if c.Disposition != inquiry.Filed {
			t.Errorf("%s: %s", c.Subject, c.Disposition)
		}
	}
}

// A message whose tries keep meeting connections the server ended (an
// administrator's pg_terminate_backend, a restart), while the set-aside
// would go through on a fresh one, is not set aside: the store failed, not
// the message, which is filed once the store answers it.
func TestLostConnectionsSetNothingAside(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	const subject = "Pyetje mes ndërprerjeve"
	desk := &faultyDesk{testDesk: newTestDesk(), poison: map[string]bool{}, lost: map[string]int{subject: 2 * (poisonTries + 1)}}
	now := time.Now()
	ts.appendTo("INBOX", rawMail("a@example.net", subject, "tekst"), now)
	ts.appendTo("INBOX", rawMail("b@example.net", "Pyetje e dytë", "tekst"), now)
	w, _ := runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	testutil.Eventually(t, "an empty INBOX", 30*time.Second, func() (bool, error) {
		inbox, _ := ts.status("INBOX")
		return inbox == 0, nil
	})
	// The move to the processed mailbox may trail the handling.
	testutil.Eventually(t, "both processed", 10*time.Second, func() (bool, error) {
		processed, _ := ts.status(processedBox)
		quarantined, _ := ts.status(quarantineBx)
		return processed == 2 || quarantined > 0, nil
	})
	if set := desk.setAside(); len(set) != 0 {
		t.Errorf("set aside for the store's lost connections: %v", set)
	}
	if tries := desk.attemptsFor(subject); tries <= poisonTries+1 {
		t.Errorf("tried %d times, want more than the %d that set a failing message aside", tries, poisonTries+1)
	}
	if got := w.Stats(); got.SetAside != 0 {
		t.Errorf("stats: %d set aside, want none", got.SetAside)
	}
	for _, c := range desk.snapshot() {
		if c.Disposition != inquiry.Filed {
			t.Errorf("%s: %s", c.Subject, c.Disposition)
		}
	}
}

// When the store itself fails, nothing is set aside: every message stays
// in the mailbox, the watcher says intake is blocked, and once the store
// is back everything is taken in.
func TestSickStoreKeepsEverythingAndRecovers(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	desk := &faultyDesk{testDesk: newTestDesk(), storeDown: true, poison: map[string]bool{}}
	now := time.Now()
	for i := range 3 {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("m%d@example.net", i), fmt.Sprintf("Pyetje %d", i), "tekst"), now)
	}
	w, _ := runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	// Long enough that a single bad message would have been set aside.
	testutil.Eventually(t, "intake reported blocked after many tries", 10*time.Second, func() (bool, error) {
		return desk.attemptsFor("Pyetje 0") >= 2*poisonTries && !w.Stats().BlockedSince.IsZero(), nil
	})
	if set := desk.setAside(); len(set) != 0 {
		t.Fatalf("a sick store set messages aside: %v", set)
	}
	if inbox, _ := ts.status("INBOX"); inbox != 3 {
		t.Fatalf("%d messages in INBOX while the store is down, want all 3", inbox)
	}

	desk.mu.Lock()
	desk.heal = true
	desk.mu.Unlock()
	desk.waitHandled(t, 3, 10*time.Second)
	testutil.Eventually(t, "all 3 processed and intake no longer blocked", 10*time.Second, func() (bool, error) {
		processed, _ := ts.status(processedBox)
		return processed == 3 && w.Stats().BlockedSince.IsZero(), nil
	})
	if set := desk.setAside(); len(set) != 0 {
		t.Errorf("set aside after recovery: %v", set)
	}
}

// A poison message in the first chunk of a backlog's first batch, which
// comes in two fetches, is set aside like any other, and the rest of the
// batch, fetched after that chunk, is taken in behind it.
func TestPoisonInASplitBatch(t *testing.T) {
	const n = 2*handleChunk + 5
	const poisonUID = 5
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	subject := func(uid uint32) string { return fmt.Sprintf("mail %03d", uid) }
	desk := &faultyDesk{testDesk: newTestDesk(), poison: map[string]bool{subject(poisonUID): true}}
	for uid := uint32(1); uid <= n; uid++ {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("s%d@example.net", uid), subject(uid), "tekst"), time.Time{})
	}
	cp := newMemCheckpoints()
	w, _ := runWatcher(t, baseOptions(ts), desk, cp)
	calls := desk.waitHandled(t, n-1, 10*time.Second)
	testutil.Eventually(t, "an empty INBOX, the rest processed, 1 in quarantine", 10*time.Second, func() (bool, error) {
		inbox, _ := ts.status("INBOX")
		quarantined, _ := ts.status(quarantineBx)
		processed, _ := ts.status(processedBox)
		return inbox == 0 && quarantined == 1 && processed == n-1, nil
	})
	testutil.Eventually(t, "the checkpoint at the last message", 5*time.Second, func() (bool, error) {
		_, last := cp.get(w.CheckpointKey())
		return last == n, nil
	})
	filed := map[string]int{}
	for _, c := range calls {
		filed[c.Subject]++
	}
	for uid := uint32(1); uid <= n; uid++ {
		if want := 1; uid != poisonUID && filed[subject(uid)] != want {
			t.Errorf("%s filed %d times, want once", subject(uid), filed[subject(uid)])
		}
	}
	if set := desk.setAside(); len(set) != 1 {
		t.Errorf("set aside %v, want the one poison message", set)
	}
}

// Intake stops being blocked as soon as a pass over the mailbox refuses
// nothing, not only when a message is taken in: another instance may have
// taken the blocked mail in meanwhile (a leader that leads again finds an
// empty mailbox), and the blocked gauge and /readyz must not go on
// counting an outage that is over.
func TestBlockedClearsWhenTheMailIsGone(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	desk := &faultyDesk{testDesk: newTestDesk(), storeDown: true, poison: map[string]bool{}}
	ts.appendTo("INBOX", rawMail("m0@example.net", "Pyetje 0", "tekst"), time.Now())
	w, _ := runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	testutil.Eventually(t, "intake reported blocked", 10*time.Second, func() (bool, error) {
		return !w.Stats().BlockedSince.IsZero(), nil
	})
	// Another instance takes the mail in and moves it away.
	c, err := imapclient.DialInsecure(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Elsewhere", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	if _, err := c.Move(all, "Elsewhere").Wait(); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "intake no longer blocked", 10*time.Second, func() (bool, error) {
		return w.Stats().BlockedSince.IsZero(), nil
	})
}
