package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store/sqlite"
)

// A store locked by another process makes completions wait rather than
// fail, so nothing says the store is away: without a bound the outbox
// would go on sending what it had claimed, every mail unrecorded, until
// its leases went unconfirmed (a third of a lease: 10 s by default), and
// a crash then, or another instance claiming the jobs once their leases
// ran out, would send them all again. With the lock held for less than
// the store's busy timeout and a third of the lease (so neither stops the
// sends), only what is sent within RecordStall of the stuck commit goes
// while it is held, the hold is logged once when it has lasted and once
// when it ends, and once the lock goes every mail is recorded, each sent
// exactly once.
func TestStoreLockedHoldsSendsBack(t *testing.T) {
	tests := []struct {
		name    string
		workers int
	}{
		{"one worker", 1},
		{"four workers", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Every send takes sendTime at least, so a worker starts no more
			// than RecordStall/sendTime sends, rounded up, in RecordStall.
			const jobs, sendTime = 120, 30 * time.Millisecond
			path := filepath.Join(t.TempDir(), "sportel.db")
			st, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			f := newFixtureOn(t, st)
			f.now = time.Now()
			srv, m := smtpServer(t)
			// Each send takes a while, as a relay across the network does.
			srv.SetReject(func(string) error { time.Sleep(sendTime); return nil })
			for i := range jobs {
				f.addMail(fmt.Sprintf("qytetar%d@example.net", i), fmt.Sprintf("sportel.ack.locked%d@mkrs.example", i))
			}
			logs := testutil.NewLogBuffer(t)
			// The default lease: its renewals, every 10 s, do not fail
			// while the lock is held.
			ob := outbox.New(st, m, nil, outbox.Config{Workers: tc.workers, Poll: 50 * time.Millisecond}, logs.Logger(slog.LevelInfo))
			testutil.RunBackground(t, "Run", 30*time.Second, ob.Run)
			// Locked once the outbox claims a second's worth at a time.
			testutil.Eventually(t, "a quarter of the mails sent", 20*time.Second, func() (bool, error) {
				return srv.Count() >= jobs/4, nil
			})

			unlock := testutil.HoldSQLiteWriteLock(t, path)
			atLock := srv.Count()
			testutil.Eventually(t, "sends held back", 20*time.Second, func() (bool, error) {
				return ob.SendsHeldFor() > 0, nil
			})
			// Past holdLogAfter (2 s), well short of the busy timeout (10 s).
			time.Sleep(3 * time.Second)
			inLock := srv.Count() - atLock
			unlock()

			// A worker's send under way when the lock came, those it
			// started within RecordStall of the commit the first completion
			// after it began, and one for the moment between that
			// completion and its commit.
			perWorker := 2 + int((outbox.RecordStall+sendTime-1)/sendTime)
			bound := perWorker * tc.workers
			t.Logf("%d mails sent while the store was locked (bound %d)", inLock, bound)
			if inLock > bound {
				t.Errorf("%d mails sent while the store was locked, none of them recorded; want at most %d (%d a worker)", inLock, bound, perWorker)
			}
			f.waitJobsDone(t, jobs, 30*time.Second)
			if d := ob.SendsHeldFor(); d != 0 {
				t.Errorf("sends still held back for %s after every job was recorded", d)
			}
			var data [][]byte
			for _, mail := range srv.Mails() {
				data = append(data, mail.Data)
			}
			seen := messageIDs(data)
			if len(seen) != jobs {
				t.Errorf("%d distinct mails sent, want %d", len(seen), jobs)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("%s sent %d times, want once", id, n)
				}
			}
			got := logs.String()
			if n := strings.Count(got, "completions not recorded"); n != 1 {
				t.Errorf("the hold logged %d times, want once:\n%s", n, got)
			}
			if n := strings.Count(got, "completions recorded again"); n != 1 {
				t.Errorf("the hold's end logged %d times, want once:\n%s", n, got)
			}
		})
	}
}
