package outbox_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
	"sportel/store/drivers"
)

// The notes the outbox keeps of how far each Telegram answer with files
// went do not pile up: many answers sent through the real bot over HTTP
// leave a note each, and the store's prune takes those of the jobs sent,
// on SQLite and on PostgreSQL. The note of an answer that failed stays, so
// that sent again it goes on from the refused file, not from the text; once
// that one is sent, its note goes too.
func TestChatProgressNotesArePruned(t *testing.T) {
	const (
		chat    = int64(1001)
		answers = 30
	)
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "sportel.db")
			if driver == "postgres" {
				dsn = cluster.Database(t)
			}
			st, err := drivers.Open(ctx, drivers.Options{Driver: driver, DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			f := newFixtureOn(t, st)
			ids := make([]int64, answers)
			for i := range ids {
				ids[i] = f.addChatWithFiles(chat, 2)
			}
			tg, b := fakeTelegram(t, chat, f.store)
			// The first answer's first file is refused for good, after its
			// text went: that job fails.
			tg.FailNext("sendDocument", devserver.TelegramFailure{ErrorCode: 400, Description: "Bad Request: file is too big"})
			ob := outbox.New(f.store, nil, b, outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour,
				Lease: time.Minute, Attachments: &attachmentsOf{atts: officersFiles()}}, testutil.DiscardLogger())
			ob.SetClock(func() time.Time { return f.now })
			drain := func() {
				t.Helper()
				// The answers to one chat go one at a time.
				for range 3 * answers {
					if err := ob.Drain(ctx); err != nil {
						t.Fatal(err)
					}
					if pending, err := f.store.ListJobs(ctx, inquiry.JobPending, 1); err != nil || len(pending) == 0 {
						return
					}
				}
				t.Fatal("answers still pending")
			}
			drain()
			notes := func() (kept []int64) {
				t.Helper()
				for _, id := range ids {
					if _, ok, err := f.store.GetState(ctx, store.ChatPartsStatePrefix+strconv.FormatInt(id, 10)); err != nil {
						t.Fatal(err)
					} else if ok {
						kept = append(kept, id)
					}
				}
				return kept
			}
			if n := len(notes()); n != answers {
				t.Fatalf("%d answers sent left %d notes, want one each before a prune", answers, n)
			}
			if j := f.job(ids[0]); j.State != inquiry.JobFailed {
				t.Fatalf("first answer is %s (%s), want failed", j.State, j.LastError)
			}

			p, err := f.store.Prune(ctx, f.now)
			if err != nil {
				t.Fatal(err)
			}
			if kept := notes(); p.ChatProgress != answers-1 || len(kept) != 1 || kept[0] != ids[0] {
				t.Fatalf("Prune = %+v, notes kept of jobs %v; want only the failed job's (%d)", p, kept, ids[0])
			}

			texts := func() (n int) {
				for _, m := range tg.Sent(chat) {
					if m.Document == nil {
						n++
					}
				}
				return n
			}
			before := texts()
			if _, err := f.store.RequeueFailed(ctx, []int64{ids[0]}, f.now); err != nil {
				t.Fatal(err)
			}
			drain()
			if j := f.job(ids[0]); j.State != inquiry.JobDone || texts() != before {
				t.Errorf("failed answer sent again: %s, %d texts more; want done from its files, the text not again", j.State, texts()-before)
			}
			if _, err := f.store.Prune(ctx, f.now); err != nil {
				t.Fatal(err)
			}
			if kept := notes(); len(kept) != 0 {
				t.Errorf("notes of jobs %v kept after every answer went", kept)
			}
		})
	}
}
