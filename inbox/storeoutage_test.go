package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// fullDisk is a real SQLite store's checkpoints on a disk that fills up:
// while full, every read and write fails as SQLite fails them then. A full
// disk cannot be made on demand here (no small filesystem to mount), so
// the calls are failed in front of the real store.
type fullDisk struct {
	Checkpoints
	full atomic.Bool
}

var errDiskFull = errors.New("database or disk is full (13)")

func (d *fullDisk) LoadCheckpoint(ctx context.Context, key string) (uint32, uint32, error) {
	if d.full.Load() {
		return 0, 0, errDiskFull
	}
	return d.Checkpoints.LoadCheckpoint(ctx, key)
}

func (d *fullDisk) SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) error {
	if d.full.Load() {
		return errDiskFull
	}
	return d.Checkpoints.SaveCheckpoint(ctx, key, uidValidity, lastUID)
}

// A store that fails for a while (the desk refuses every write, or the
// checkpoint cannot be read or saved) is not the mailbox failing: the log
// says so once when it begins and once when it ends, not at every try; no
// IMAP error is counted; intake is reported blocked while it lasts; and
// the mail waiting is taken in once it answers.
func TestStoreOutageIsNotTheMailbox(t *testing.T) {
	cases := []struct {
		name string
		// deskDown: the desk's writes fail; else the checkpoints do.
		deskDown bool
		// upFirst: the store works until the first mail is taken in.
		upFirst bool
	}{
		{"the desk refuses writes", true, false},
		{"the checkpoint cannot be read", false, false},
		{"the checkpoint cannot be saved", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2})
			desk := &faultyDesk{testDesk: newTestDesk(), poison: map[string]bool{}}
			cp := &fullDisk{Checkpoints: openStore(t)}
			opts := baseOptions(ts)
			opts.BackoffMin, opts.BackoffMax = 5*time.Millisecond, 20*time.Millisecond
			logs := testutil.NewLogBuffer(t)
			opts.Logger = logs.Logger(slog.LevelDebug)
			const n = 4
			first := 0
			if c.upFirst {
				first = 1
				ts.appendTo("INBOX", rawMail("m0@example.net", "Pyetje 0", "tekst"), time.Now())
			}
			w, _ := runWatcher(t, opts, desk, cp)
			if c.upFirst {
				desk.waitHandled(t, 1, 10*time.Second)
				ts.mailboxHolds(t, processedBox, 1, 5*time.Second)
			}
			down := func(v bool) {
				if c.deskDown {
					desk.mu.Lock()
					desk.storeDown = v
					desk.mu.Unlock()
				} else {
					cp.full.Store(v)
				}
			}
			began := time.Now()
			down(true)
			for i := first; i < n; i++ {
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("m%d@example.net", i), fmt.Sprintf("Pyetje %d", i), "tekst"), time.Now())
			}
			// Many tries, each of which a line would have said.
			testutil.Eventually(t, "many failed tries, intake blocked", 20*time.Second, func() (bool, error) {
				st := w.Stats()
				return st.IntakeErrors >= 12 && !st.BlockedSince.IsZero(), nil
			})
			// The mailbox answers all along: what the alert on an unread
			// mailbox reads must not blame it.
			if st := w.Stats(); st.LastGoodFetch.Before(began) {
				t.Errorf("last good fetch %v, before the store began failing (%v), though the mailbox answered since", st.LastGoodFetch, began)
			}
			down(false)
			ts.mailboxHolds(t, processedBox, n, 20*time.Second)
			testutil.Eventually(t, "intake no longer blocked", 10*time.Second, func() (bool, error) {
				return w.Stats().BlockedSince.IsZero(), nil
			})

			out := logs.String()
			var loud []string
			for line := range strings.SplitSeq(out, "\n") {
				if strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN") {
					loud = append(loud, line)
				}
			}
			// The failure, and, when the desk's tries outlast a bad
			// message's, that intake is blocked.
			if len(loud) == 0 || len(loud) > 2 {
				t.Errorf("%d warn and error lines for one outage of %d tries, want it said when it began:\n%s",
					len(loud), w.Stats().IntakeErrors, strings.Join(loud, "\n"))
			}
			if strings.Contains(out, "imap mailbox cannot be read") {
				t.Errorf("the store's failure logged as the mailbox's:\n%s", out)
			}
			if got := strings.Count(out, "intake goes on again"); got != 1 {
				t.Errorf("the end of the outage said %d times, want once:\n%s", got, out)
			}
			if st := w.Stats(); st.Errors != 0 {
				t.Errorf("%d IMAP errors counted for a failing store, want none", st.Errors)
			}
		})
	}
}
