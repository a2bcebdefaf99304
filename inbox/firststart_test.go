package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/internal/testutil"
	"sportel/store/sqlite"
)

// openStore opens a real SQLite store, whose checkpoints the watcher reads
// and writes as under `sportel run`.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sportel.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// appendMails appends n mails with subjects prefix 1..n and returns the
// last one's append data.
func appendMails(ts *imapTestServer, prefix string, n int) *imap.AppendData {
	var last *imap.AppendData
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("%s-%d@example.org", prefix, i)
		last = ts.appendTo("INBOX", rawMail(id, fmt.Sprintf("%s %d", prefix, i), "body"), time.Now())
	}
	return last
}

// storedCheckpoint waits until the store holds the checkpoint want.
func storedCheckpoint(t *testing.T, st *sqlite.Store, key string, want [2]uint32) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("checkpoint %v in the store", want), 5*time.Second, func() (bool, error) {
		v, l, err := st.LoadCheckpoint(context.Background(), key)
		return [2]uint32{v, l} == want, err
	})
}

// waitSearches waits until w has looked at the mailbox n times: what the
// first of them found has been handed to the desk by the second.
func waitSearches(t *testing.T, w *Watcher, n uint64) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d searches", n), 5*time.Second, func() (bool, error) {
		return w.Stats().Searches >= n, nil
	})
}

func subjectsOf(calls []handled) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Subject)
	}
	return out
}

// The first start on a mailbox with history: with first_start new the
// mail already there is left unread and in place and only what arrives
// afterwards is taken in; with all (the default) everything is. A
// checkpoint that exists is resumed from whatever the setting, and one a
// changed UIDVALIDITY voids means a rescan, not a first start.
func TestFirstStart(t *testing.T) {
	tests := []struct {
		name       string
		firstStart string
		// checkpoint, when set, is saved before the start: [0] true means
		// INBOX's own UIDVALIDITY, false a stale one; [1] the last UID.
		checkpoint *struct {
			current bool
			lastUID uint32
		}
		wantFirst []string // handled before any new mail arrives
		wantLeft  uint32   // old mails still in INBOX, unseen, at the end
	}{
		{name: "new leaves the history", firstStart: FirstStartNew, wantLeft: 3},
		{name: "all takes in the history", firstStart: FirstStartAll, wantFirst: []string{"old 1", "old 2", "old 3"}},
		{name: "unset is all", firstStart: "", wantFirst: []string{"old 1", "old 2", "old 3"}},
		{
			name: "new resumes a checkpoint", firstStart: FirstStartNew,
			checkpoint: &struct {
				current bool
				lastUID uint32
			}{true, 1},
			wantFirst: []string{"old 2", "old 3"},
			wantLeft:  1, // UID 1 was taken in by an earlier run that could not move it
		},
		{
			name: "new rescans after UIDVALIDITY changed", firstStart: FirstStartNew,
			checkpoint: &struct {
				current bool
				lastUID uint32
			}{false, 40},
			wantFirst: []string{"old 1", "old 2", "old 3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2})
			old := appendMails(ts, "old", 3)
			st := openStore(t)
			opts := baseOptions(ts)
			opts.FirstStart = tt.firstStart
			key := checkpointKey(opts)
			if tt.checkpoint != nil {
				v := old.UIDValidity
				if !tt.checkpoint.current {
					v += 1000
				}
				if err := st.SaveCheckpoint(context.Background(), key, v, tt.checkpoint.lastUID); err != nil {
					t.Fatal(err)
				}
			}
			desk := newTestDesk()
			w, stop := runWatcher(t, opts, desk, st)
			defer stop()

			waitSearches(t, w, 2)
			if len(tt.wantFirst) > 0 {
				desk.waitHandled(t, len(tt.wantFirst), 5*time.Second)
			}
			if got := subjectsOf(desk.snapshot()); !slices.Equal(got, tt.wantFirst) {
				t.Fatalf("taken in before new mail: %q, want %q", got, tt.wantFirst)
			}
			storedCheckpoint(t, st, key, [2]uint32{old.UIDValidity, uint32(old.UID)})

			last := appendMails(ts, "new", 2)
			want := append(slices.Clone(tt.wantFirst), "new 1", "new 2")
			desk.waitHandled(t, len(want), 5*time.Second)
			storedCheckpoint(t, st, key, [2]uint32{last.UIDValidity, uint32(last.UID)})
			waitSearches(t, w, w.Stats().Searches+1)
			if got := subjectsOf(desk.snapshot()); !slices.Equal(got, want) {
				t.Fatalf("taken in: %q, want %q", got, want)
			}
			ts.mailboxHolds(t, processedBox, uint32(len(want)), 5*time.Second)
			// The mail left behind is as it was: in INBOX, not \Seen.
			if n, unseen := ts.status("INBOX"); n != tt.wantLeft || unseen != tt.wantLeft {
				t.Errorf("INBOX holds %d messages, %d unseen; want %d, all unseen", n, unseen, tt.wantLeft)
			}
		})
	}
}

// A restart after a first start with new finds the checkpoint it saved:
// mail that came while Sportel was stopped is taken in, and the history
// stays left.
func TestFirstStartNewRestart(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	old := appendMails(ts, "old", 3)
	st := openStore(t)
	opts := baseOptions(ts)
	opts.FirstStart = FirstStartNew
	key := checkpointKey(opts)

	desk := newTestDesk()
	w, stop := runWatcher(t, opts, desk, st)
	waitSearches(t, w, 2)
	storedCheckpoint(t, st, key, [2]uint32{old.UIDValidity, uint32(old.UID)})
	stop()
	if calls := desk.snapshot(); len(calls) != 0 {
		t.Fatalf("first start took in %q, want nothing", subjectsOf(calls))
	}

	last := appendMails(ts, "while-stopped", 2)
	w, stop = runWatcher(t, opts, desk, st)
	defer stop()
	desk.waitHandled(t, 2, 5*time.Second)
	storedCheckpoint(t, st, key, [2]uint32{last.UIDValidity, uint32(last.UID)})
	waitSearches(t, w, w.Stats().Searches+1)
	if got, want := subjectsOf(desk.snapshot()), []string{"while-stopped 1", "while-stopped 2"}; !slices.Equal(got, want) {
		t.Fatalf("second start took in %q, want %q", got, want)
	}
	if n, unseen := ts.status("INBOX"); n != 3 || unseen != 3 {
		t.Errorf("INBOX holds %d messages, %d unseen; want the 3 old ones, unseen", n, unseen)
	}
}

// The first start with new on an empty mailbox saves a checkpoint too, so
// the first mail is not mistaken for history at the next start.
func TestFirstStartNewEmptyMailbox(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	st := openStore(t)
	opts := baseOptions(ts)
	opts.FirstStart = FirstStartNew
	key := checkpointKey(opts)
	desk := newTestDesk()
	w, stop := runWatcher(t, opts, desk, st)
	waitSearches(t, w, 1)
	v, l, err := st.LoadCheckpoint(context.Background(), key)
	if err != nil || v == 0 || l != 0 {
		t.Fatalf("checkpoint after the first start = (%d, %d, %v), want (UIDVALIDITY, 0)", v, l, err)
	}
	stop()
	ts.appendTo("INBOX", rawMail("first@example.org", "first", "body"), time.Now())
	_, stop = runWatcher(t, opts, desk, st)
	defer stop()
	if got := subjectsOf(desk.waitHandled(t, 1, 5*time.Second)); !slices.Equal(got, []string{"first"}) {
		t.Fatalf("taken in %q, want [first]", got)
	}
}

// noUIDNextSession is the memory server leaving UIDNEXT out of SELECT's
// answer, as a careless server might.
type noUIDNextSession struct{ imapserver.SessionIMAP4rev2 }

func (s noUIDNextSession) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	data, err := s.SessionIMAP4rev2.Select(mailbox, options)
	if data != nil {
		data.UIDNext = 0
	}
	return data, err
}

// Without UIDNEXT the first start with new finds the highest UID by a
// search, and still leaves the history.
func TestFirstStartNewWithoutUIDNext(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
		return noUIDNextSession{s}
	}})
	old := appendMails(ts, "old", 3)
	st := openStore(t)
	opts := baseOptions(ts)
	opts.FirstStart = FirstStartNew
	logs := testutil.NewLogBuffer(t)
	opts.Logger = logs.Logger(slog.LevelInfo)
	desk := newTestDesk()
	w, stop := runWatcher(t, opts, desk, st)
	defer stop()
	waitSearches(t, w, 2)
	storedCheckpoint(t, st, w.CheckpointKey(), [2]uint32{old.UIDValidity, uint32(old.UID)})
	if calls := desk.snapshot(); len(calls) != 0 {
		t.Fatalf("took in %q, want nothing", subjectsOf(calls))
	}
	if want := "3 messages already in INBOX are left as they are (imap.first_start: new)"; !strings.Contains(logs.String(), want) {
		t.Errorf("logs do not say %q:\n%s", want, logs.String())
	}
	appendMails(ts, "new", 1)
	if got := subjectsOf(desk.waitHandled(t, 1, 5*time.Second)); !slices.Equal(got, []string{"new 1"}) {
		t.Fatalf("taken in %q, want [new 1]", got)
	}
}

// A mailbox read again whole (its UIDVALIDITY changed: a move to another
// server with imapsync, which keeps each mail's INTERNALDATE) leaves the
// mail its first start with new left: without the first start's time
// kept, years of old mail would be filed and their senders acknowledged.
// The mail that came after the first start is taken in as before.
func TestRescanLeavesWhatTheFirstStartLeft(t *testing.T) {
	tests := []struct {
		name       string
		forgetTime bool // a first start made before its time was kept
		after      int  // mails that come after the first start
		want       []string
		inboxLeft  uint32
	}{
		{"the first start's time kept", false, 2, []string{"after 1", "after 2"}, 3},
		// The checkpoint passes the old mail all the same, or every
		// reconnect would read the whole mailbox again.
		{"nothing came since", false, 0, nil, 3},
		{"no time kept: read whole, as before", true, 2, []string{"old 1", "old 2", "old 3", "after 1", "after 2"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2})
			var last *imap.AppendData
			for i := 1; i <= 3; i++ {
				last = ts.appendTo("INBOX", rawMail(fmt.Sprintf("old-%d@example.org", i), fmt.Sprintf("old %d", i), "body"), time.Date(2024, 3, i, 9, 0, 0, 0, time.UTC))
			}
			st := openStore(t)
			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.FirstStart = FirstStartNew
			opts.Logger = logs.Logger(slog.LevelInfo)
			key := checkpointKey(opts)
			ctx := context.Background()

			desk := newTestDesk()
			w, stop := runWatcher(t, opts, desk, st)
			waitSearches(t, w, 2)
			stop()
			if v, ok, err := st.GetState(ctx, "imap.first_start_at:"+key); err != nil || !ok || v == "" {
				t.Fatalf("first start's time: %q, %v, %v; want it kept", v, ok, err)
			}
			if tt.forgetTime {
				if err := st.SetState(ctx, "imap.first_start_at:"+key, ""); err != nil {
					t.Fatal(err)
				}
			}
			if tt.after > 0 {
				last = appendMails(ts, "after", tt.after)
			}
			// The mailbox as another server made it: a new UIDVALIDITY.
			if err := st.SaveCheckpoint(ctx, key, last.UIDValidity+1, uint32(last.UID)); err != nil {
				t.Fatal(err)
			}
			w, stop = runWatcher(t, opts, desk, st)
			defer stop()
			storedCheckpoint(t, st, key, [2]uint32{last.UIDValidity, uint32(last.UID)})
			waitSearches(t, w, w.Stats().Searches+1)
			if got := subjectsOf(desk.snapshot()); !slices.Equal(got, tt.want) {
				t.Errorf("the rescan took in %q, want %q", got, tt.want)
			}
			ts.mailboxHolds(t, "INBOX", tt.inboxLeft, 2*time.Second)
			if left := strings.Contains(logs.String(), "mail that arrived before the first start is left as it is"); left == tt.forgetTime {
				t.Errorf("the log says the old mail is left: %v, want %v", left, !tt.forgetTime)
			}
		})
	}
}

// A rescan cut off before its end (a message the desk fails on, then a
// restart) goes on leaving the first start's mail in the next session,
// whose checkpoint, saved under the new UIDVALIDITY, no longer says it
// rescans: the old mail after the cut is still left, not filed.
func TestRescanCutOffStillLeavesTheOldMail(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	old := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	ts.appendTo("INBOX", rawMail("old-1@example.org", "old 1", "body"), old)
	st := openStore(t)
	opts := baseOptions(ts)
	opts.FirstStart = FirstStartNew
	key := checkpointKey(opts)
	ctx := context.Background()

	desk := newTestDesk()
	w, stop := runWatcher(t, opts, desk, st)
	waitSearches(t, w, 2)
	stop()

	// Copied in by imapsync in its own order: new mail, then more old mail.
	appendMails(ts, "after", 2)
	last := ts.appendTo("INBOX", rawMail("old-2@example.org", "old 2", "body"), old.Add(time.Hour))
	if err := st.SaveCheckpoint(ctx, key, last.UIDValidity+1, uint32(last.UID)); err != nil {
		t.Fatal(err)
	}
	desk.failFirst["after 2"] = 1 << 20 // fails until the restart
	_, stop = runWatcher(t, opts, desk, st)
	desk.waitHandled(t, 1, 5*time.Second)
	testutil.Eventually(t, "after 2 tried", 5*time.Second, func() (bool, error) { return desk.attemptsFor("after 2") > 0, nil })
	stop()
	if v, l, _ := st.LoadCheckpoint(ctx, key); v != last.UIDValidity || l != uint32(last.UID)-2 {
		t.Fatalf("checkpoint %d/%d after the cut, want %d/%d: the test does not cut the rescan", v, l, last.UIDValidity, uint32(last.UID)-2)
	}

	desk.mu.Lock()
	desk.failFirst["after 2"] = 0
	desk.mu.Unlock()
	w, stop = runWatcher(t, opts, desk, st)
	storedCheckpoint(t, st, key, [2]uint32{last.UIDValidity, uint32(last.UID)})
	waitSearches(t, w, w.Stats().Searches+1)
	stop()
	if got, want := subjectsOf(desk.snapshot()), []string{"after 1", "after 2"}; !slices.Equal(got, want) {
		t.Errorf("taken in %q, want %q", got, want)
	}
	ts.mailboxHolds(t, "INBOX", 2, 2*time.Second)
	// Its end passed, the next start forgets the rescan.
	w, stop = runWatcher(t, opts, desk, st)
	defer stop()
	waitSearches(t, w, 1)
	if v, _, _ := st.GetState(ctx, "imap.rescan_until:"+key); v != "" {
		t.Errorf("the rescan is still kept (%q) after its end", v)
	}
}
