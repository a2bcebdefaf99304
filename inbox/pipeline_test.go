package inbox

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/inquiry"
)

// faultSession is the memory server failing the body fetch of one UID
// once: refusing the whole FETCH, or answering it without that message's
// body.
type faultSession struct {
	imapserver.SessionIMAP4rev2
	uid    imap.UID
	noBody bool
	fired  *atomic.Bool
}

func (s faultSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	set, ok := numSet.(imap.UIDSet)
	if !ok || len(options.BodySection) == 0 || !set.Contains(s.uid) || !s.fired.CompareAndSwap(false, true) {
		return s.SessionIMAP4rev2.Fetch(w, numSet, options)
	}
	if !s.noBody {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "fetch failed (test)"}
	}
	var rest []imap.UID
	for _, r := range set {
		for uid := r.Start; uid <= r.Stop; uid++ {
			if uid != s.uid {
				rest = append(rest, uid)
			}
		}
	}
	if len(rest) > 0 {
		if err := s.SessionIMAP4rev2.Fetch(w, imap.UIDSetNum(rest...), options); err != nil {
			return err
		}
	}
	bare := *options
	bare.BodySection = nil
	return s.SessionIMAP4rev2.Fetch(w, imap.UIDSetNum(s.uid), &bare)
}

// watchedCheckpoints checks, at every save, that each message up to the
// saved UID was taken in: the checkpoint never passes an unhandled message.
type watchedCheckpoints struct {
	*memCheckpoints
	desk    *testDesk
	subject func(uid uint32) string

	mu     sync.Mutex
	saved  []uint32
	passed []string
}

func (c *watchedCheckpoints) SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) error {
	c.desk.mu.Lock()
	for uid := uint32(1); uid <= lastUID; uid++ {
		if !slices.ContainsFunc(c.desk.calls, func(h handled) bool { return h.Subject == c.subject(uid) }) {
			c.mu.Lock()
			c.passed = append(c.passed, fmt.Sprintf("saved %d before uid %d was taken in", lastUID, uid))
			c.mu.Unlock()
		}
	}
	c.desk.mu.Unlock()
	c.mu.Lock()
	c.saved = append(c.saved, lastUID)
	c.mu.Unlock()
	return c.memCheckpoints.SaveCheckpoint(ctx, key, uidValidity, lastUID)
}

// A fetch that fails part-way through a backlog (while an earlier batch is
// handled, the next one is fetched and parsed ahead), refused or answered
// without one message's body, never lets the checkpoint pass a message not
// taken in: the message is read again alone in the same session, and
// everything is taken in, in order, each message once. (A body missing
// once ended the session, which a body missing for good then ended at
// every reconnect, stopping the mailbox: TestMessageTheFetchLeftOut.)
func TestFetchFailureMidPipelineStopsAtTheRightUID(t *testing.T) {
	const split = handleChunk + 10 // a first batch fetched in two
	tests := []struct {
		name   string
		uid    imap.UID
		noBody bool
		// n mails wait; batches of 5 unless the whole backlog is one batch.
		n        uint32
		oneBatch bool
	}{
		{"fetch refused in a batch fetched ahead", 8, false, 17, false},
		{"body missing in a batch fetched ahead", 8, true, 17, false},
		{"body missing at the start of a batch", 11, true, 17, false},
		{"fetch refused in the first batch", 2, false, 17, false},
		{"body missing in the first batch", 1, true, 17, false},
		{"fetch refused in the first chunk of a split batch", 2, false, split, true},
		{"fetch refused in the rest of a split batch", handleChunk + 3, false, split, true},
		{"body missing in the rest of a split batch", handleChunk + 3, true, split, true},
	}
	subject := func(uid uint32) string { return fmt.Sprintf("mail %02d", uid) }
	for _, tt := range tests {
		n := tt.n
		t.Run(tt.name, func(t *testing.T) {
			var fired atomic.Bool
			ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				return faultSession{SessionIMAP4rev2: s, uid: tt.uid, noBody: tt.noBody, fired: &fired}
			}})
			for uid := uint32(1); uid <= n; uid++ {
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("m%d@example.org", uid), subject(uid), "x"), time.Time{})
			}
			desk := &batchDesk{testDesk: newTestDesk()}
			cp := &watchedCheckpoints{memCheckpoints: newMemCheckpoints(), desk: desk.testDesk, subject: subject}
			opts := baseOptions(ts)
			if !tt.oneBatch {
				opts.BatchSize = 5
			}
			w, _ := runWatcher(t, opts, desk, cp)

			calls := desk.waitHandled(t, int(n), 10*time.Second)
			checkpointAt(t, w, cp.memCheckpoints, n)
			ts.mailboxHolds(t, processedBox, n, 2*time.Second)
			if !fired.Load() {
				t.Fatal("the fault was never injected")
			}
			for i, c := range calls {
				if want := subject(uint32(i + 1)); c.Subject != want || c.Disposition != "filed" {
					t.Errorf("call %d: %s %s, want %s filed (each message once, in order)", i, c.Subject, c.Disposition, want)
				}
			}
			if len(calls) != int(n) {
				t.Errorf("%d calls, want %d", len(calls), n)
			}
			cp.mu.Lock()
			defer cp.mu.Unlock()
			for _, p := range cp.passed {
				t.Error(p)
			}
			// A refusal (NO), or an answer without a body, is the server's
			// word on those messages, not a broken connection: they are
			// read again one by one in the same session
			// (TestUnreadableMessageDoesNotStopTheMailbox).
			if r := w.Stats().Reconnects; r != 0 {
				t.Errorf("the fault ended the session (%d reconnects)", r)
			}
		})
	}
}

// preparingDesk is a batchDesk that is a Preparer: it records what it was
// asked to prepare, and checks each message is handed over only after its
// preparation returned.
type preparingDesk struct {
	*batchDesk
	mu       sync.Mutex
	prepared map[string]bool // subjects whose Prepare returned
	asked    [][]string      // subjects of each Prepare call
	inFlight atomic.Int32
	problems []string
}

func (d *preparingDesk) Prepare(ctx context.Context, ms []*inquiry.Message) {
	d.inFlight.Add(1)
	defer d.inFlight.Add(-1)
	var subjects []string
	for _, m := range ms {
		subjects = append(subjects, m.Subject)
	}
	d.mu.Lock()
	d.asked = append(d.asked, subjects)
	d.mu.Unlock()
	runtime.Gosched() // the watcher may run on meanwhile
	d.mu.Lock()
	for _, s := range subjects {
		d.prepared[s] = true
	}
	d.mu.Unlock()
}

func (d *preparingDesk) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	d.mu.Lock()
	for _, a := range d.asked {
		for _, s := range a {
			if slices.ContainsFunc(ms, func(m *inquiry.Message) bool { return m.Subject == s }) && !d.prepared[s] {
				d.problems = append(d.problems, s+" handed over before its preparation returned")
			}
		}
	}
	d.mu.Unlock()
	return d.batchDesk.HandleBatch(ctx, ms)
}

// noPrepareAtCheckpoint fails the test's checks when a preparation is
// still running as a checkpoint is saved: nothing prepared outlives its
// batch.
type noPrepareAtCheckpoint struct {
	*memCheckpoints
	desk *preparingDesk
}

func (c noPrepareAtCheckpoint) SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) error {
	if c.desk.inFlight.Load() != 0 {
		c.desk.mu.Lock()
		c.desk.problems = append(c.desk.problems, fmt.Sprintf("a preparation still runs at checkpoint %d", lastUID))
		c.desk.mu.Unlock()
	}
	return c.memCheckpoints.SaveCheckpoint(ctx, key, uidValidity, lastUID)
}

// With a Preparer every chunk is prepared before it is handed over: a
// batch's first as the batch arrives, each next one while the one before
// is handled. A desk failure after a chunk was prepared behaves as before
// (what came before is kept, the failed message is retried first, the rest
// follows in order, each once).
func TestPreparerGetsTheNextChunk(t *testing.T) {
	const n = 2*handleChunk + 6
	tests := []struct {
		name string
		fail string // subject whose first try fails
	}{
		{"no failure", ""},
		{"failure in a chunk whose next is prepared", fmt.Sprintf("mail %02d", handleChunk+8)},
		{"failure in the last chunk", fmt.Sprintf("mail %02d", n-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2})
			for i := range n {
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("p%d@example.org", i), fmt.Sprintf("mail %02d", i), "x"), time.Time{})
			}
			desk := &preparingDesk{batchDesk: &batchDesk{testDesk: newTestDesk()}, prepared: map[string]bool{}}
			if tt.fail != "" {
				desk.failFirst[tt.fail] = 1
			}
			cp := noPrepareAtCheckpoint{newMemCheckpoints(), desk}
			w, _ := runWatcher(t, baseOptions(ts), desk, cp)

			calls := desk.waitHandled(t, n, 10*time.Second)
			checkpointAt(t, w, cp.memCheckpoints, n)
			for i, c := range calls {
				if want := fmt.Sprintf("mail %02d", i); c.Subject != want || c.Disposition != inquiry.Filed {
					t.Fatalf("call %d: %s %s, want %s filed", i, c.Subject, c.Disposition, want)
				}
			}
			desk.mu.Lock()
			defer desk.mu.Unlock()
			for _, p := range desk.problems {
				t.Error(p)
			}
			// Without a failure: the three chunks, each whole, in order.
			if tt.fail == "" {
				want := [][]string{nil, nil, nil}
				for i := range n {
					want[i/handleChunk] = append(want[i/handleChunk], fmt.Sprintf("mail %02d", i))
				}
				if !slices.EqualFunc(desk.asked, want, slices.Equal) {
					t.Errorf("prepared %v, want %v", desk.asked, want)
				}
			}
			if tt.fail != "" && desk.attemptsFor(tt.fail) != 2 {
				t.Errorf("%s attempted %d times, want 2", tt.fail, desk.attemptsFor(tt.fail))
			}
		})
	}
}

// heldCheckpoints holds each save until the desk has been handed the
// message named by after[lastUID], or until patience runs out: a save
// that is waited for before the next batch is handled can only run out.
type heldCheckpoints struct {
	*memCheckpoints
	desk     *testDesk
	after    map[uint32]string
	patience time.Duration

	mu      sync.Mutex
	outwait []uint32 // saves that ran out of patience
	saved   []uint32
}

func (c *heldCheckpoints) SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) error {
	if subject, ok := c.after[lastUID]; ok {
		deadline := time.Now().Add(c.patience)
		for !slices.ContainsFunc(c.desk.snapshot(), func(h handled) bool { return h.Subject == subject }) {
			if time.Now().After(deadline) {
				c.mu.Lock()
				c.outwait = append(c.outwait, lastUID)
				c.mu.Unlock()
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	c.mu.Lock()
	c.saved = append(c.saved, lastUID)
	c.mu.Unlock()
	return c.memCheckpoints.SaveCheckpoint(ctx, key, uidValidity, lastUID)
}

// A batch's moves and checkpoint go on while the next batch is handled:
// the desk takes the second batch in while the first batch's checkpoint
// is still being saved. The checkpoints still follow each other in order,
// each after its own batch was taken in.
func TestSettleOverlapsTheNextBatch(t *testing.T) {
	const n = 15
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	subject := func(uid uint32) string { return fmt.Sprintf("mail %02d", uid) }
	for uid := uint32(1); uid <= n; uid++ {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("s%d@example.org", uid), subject(uid), "x"), time.Time{})
	}
	desk := &batchDesk{testDesk: newTestDesk()}
	cp := &heldCheckpoints{memCheckpoints: newMemCheckpoints(), desk: desk.testDesk, patience: 5 * time.Second,
		after: map[uint32]string{5: subject(6), 10: subject(11)}}
	opts := baseOptions(ts)
	opts.BatchSize = 5
	w, _ := runWatcher(t, opts, desk, cp)

	calls := desk.waitHandled(t, n, 20*time.Second)
	checkpointAt(t, w, cp.memCheckpoints, n)
	ts.mailboxHolds(t, processedBox, n, 2*time.Second)
	for i, c := range calls {
		if want := subject(uint32(i + 1)); c.Subject != want || c.Disposition != inquiry.Filed {
			t.Errorf("call %d: %s %s, want %s filed", i, c.Subject, c.Disposition, want)
		}
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if len(cp.outwait) > 0 {
		t.Errorf("checkpoints %v were saved before the next batch was handed over: the settle did not overlap it", cp.outwait)
	}
	if want := []uint32{5, 10, 15}; !slices.Equal(cp.saved, want) {
		t.Errorf("checkpoints saved %v, want %v", cp.saved, want)
	}
}

// A settle that fails while the next batch is handled ends the session
// once that batch is taken in. Nothing is lost: the next session finds the
// batch that was taken in but not moved, the desk answers Duplicate, and
// the checkpoint reaches the end.
func TestSettleFailureInFlight(t *testing.T) {
	const n = 10
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	subject := func(uid uint32) string { return fmt.Sprintf("mail %02d", uid) }
	for uid := uint32(1); uid <= n; uid++ {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("f%d@example.org", uid), subject(uid), "x"), time.Time{})
	}
	desk := &batchDesk{testDesk: newTestDesk()}
	cp := &flakyCheckpoints{memCheckpoints: newMemCheckpoints(), failSaves: 1}
	opts := baseOptions(ts)
	opts.BatchSize = 5
	w, _ := runWatcher(t, opts, desk, cp)

	calls := desk.waitHandled(t, n+5, 10*time.Second)
	checkpointAt(t, w, cp.memCheckpoints, n)
	ts.mailboxHolds(t, processedBox, n, 2*time.Second)
	ts.mailboxHolds(t, "INBOX", 0, 2*time.Second)
	filed := map[string]int{}
	for _, c := range calls {
		if c.Disposition == inquiry.Filed {
			filed[c.Subject]++
		}
	}
	for uid := uint32(1); uid <= n; uid++ {
		if filed[subject(uid)] != 1 {
			t.Errorf("%s filed %d times, want once", subject(uid), filed[subject(uid)])
		}
	}
	// The first batch was moved before its checkpoint failed; the second
	// was taken in while that happened and is fetched again.
	var again []string
	for _, c := range calls[n:] {
		if c.Disposition != inquiry.Duplicate {
			t.Errorf("after the failure %s was %s, want duplicate", c.Subject, c.Disposition)
		}
		again = append(again, c.Subject)
	}
	if want := []string{subject(6), subject(7), subject(8), subject(9), subject(10)}; !slices.Equal(again, want) {
		t.Errorf("fetched again %v, want %v", again, want)
	}
	if st := w.Stats(); st.IntakeErrors == 0 || st.Errors != 0 {
		t.Errorf("the failed checkpoint counted as %d intake errors and %d of the mailbox's, want it an intake error alone", st.IntakeErrors, st.Errors)
	}
}

// heldFetchSession holds the body fetch of any set holding uid from until
// release is closed (or a while has passed), as a slow server would.
type heldFetchSession struct {
	imapserver.SessionIMAP4rev2
	from    imap.UID
	release <-chan struct{}
}

func (s heldFetchSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if set, ok := numSet.(imap.UIDSet); ok && len(options.BodySection) > 0 && set.Contains(s.from) {
		select {
		case <-s.release:
		case <-time.After(5 * time.Second):
		}
	}
	return s.SessionIMAP4rev2.Fetch(w, numSet, options)
}

// releasingDesk notes, at its first batch, whether the server still holds
// the rest of the fetch, and then lets it go.
type releasingDesk struct {
	*batchDesk
	release   chan struct{}
	once      sync.Once
	whileHeld atomic.Bool
}

func (d *releasingDesk) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	d.once.Do(func() {
		select {
		case <-d.release:
		default:
			d.whileHeld.Store(true)
		}
		close(d.release)
	})
	return d.batchDesk.HandleBatch(ctx, ms)
}

// The first batch of a backlog is handed over a chunk at first: the desk
// files the first mails while the server has not yet sent the rest of the
// batch, and the whole batch still goes over in order and is settled once.
func TestFirstChunkHandedOverBeforeTheRest(t *testing.T) {
	const n = 3*handleChunk + 5
	release := make(chan struct{})
	ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
		return heldFetchSession{SessionIMAP4rev2: s, from: handleChunk + 1, release: release}
	}})
	subject := func(uid uint32) string { return fmt.Sprintf("mail %03d", uid) }
	for uid := uint32(1); uid <= n; uid++ {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("h%d@example.org", uid), subject(uid), "x"), time.Time{})
	}
	desk := &releasingDesk{batchDesk: &batchDesk{testDesk: newTestDesk()}, release: release}
	cp := &watchedCheckpoints{memCheckpoints: newMemCheckpoints(), desk: desk.testDesk, subject: subject}
	w, _ := runWatcher(t, baseOptions(ts), desk, cp)

	calls := desk.waitHandled(t, n, 10*time.Second)
	checkpointAt(t, w, cp.memCheckpoints, n)
	ts.mailboxHolds(t, processedBox, n, 2*time.Second)
	if !desk.whileHeld.Load() {
		t.Error("the desk got its first mail only once the server had sent the whole first batch")
	}
	for i, c := range calls {
		if want := subject(uint32(i + 1)); c.Subject != want || c.Disposition != inquiry.Filed {
			t.Errorf("call %d: %s %s, want %s filed", i, c.Subject, c.Disposition, want)
		}
	}
	desk.mu.Lock()
	if desk.batches[0] != handleChunk {
		t.Errorf("first hand-over of %d mails, want one chunk of %d", desk.batches[0], handleChunk)
	}
	desk.mu.Unlock()
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if len(cp.passed) > 0 {
		t.Errorf("checkpoint passed mail not taken in: %v", cp.passed)
	}
	if want := []uint32{n}; !slices.Equal(cp.saved, want) {
		t.Errorf("checkpoints saved %v, want %v: the first batch settled once", cp.saved, want)
	}
}
