package inbox

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
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
// handled, the next one is fetched and parsed ahead) stops intake at the
// right message: what came before is taken in and checkpointed, nothing
// after the failure is, and after reconnecting the rest follows in order,
// each message once.
func TestFetchFailureMidPipelineStopsAtTheRightUID(t *testing.T) {
	const n = 17
	tests := []struct {
		name   string
		uid    imap.UID
		noBody bool
		// stopAt is the checkpoint the failure leaves.
		stopAt uint32
	}{
		{"fetch refused in a batch fetched ahead", 8, false, 5},
		{"body missing in a batch fetched ahead", 8, true, 7},
		{"body missing at the start of a batch", 11, true, 10},
		{"fetch refused in the first batch", 2, false, 0},
		{"body missing in the first batch", 1, true, 0},
	}
	subject := func(uid uint32) string { return fmt.Sprintf("mail %02d", uid) }
	for _, tt := range tests {
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
			opts.BatchSize = 5
			w, _ := runWatcher(t, opts, desk, cp)

			calls := desk.waitHandled(t, n, 10*time.Second)
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
			if len(calls) != n {
				t.Errorf("%d calls, want %d", len(calls), n)
			}
			cp.mu.Lock()
			defer cp.mu.Unlock()
			for _, p := range cp.passed {
				t.Error(p)
			}
			// The session that met the failure saved the checkpoint of
			// what came before it, and no further.
			if tt.stopAt > 0 && !slices.Contains(cp.saved, tt.stopAt) {
				t.Errorf("checkpoints saved %v, want one at %d (just before uid %d)", cp.saved, tt.stopAt, tt.uid)
			}
			if w.Stats().Reconnects == 0 {
				t.Error("the failure did not end the session")
			}
		})
	}
}
