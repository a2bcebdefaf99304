package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// reminderJob is a reminder on ticket, due at t0, with a Message-ID of its own.
func reminderJob(ticket int64, name string) *inquiry.Job {
	return &inquiry.Job{TicketID: ticket, Kind: inquiry.JobReminder, Recipient: "officer1", NextAt: t0, CreatedAt: t0,
		Mail: &inquiry.Mail{MessageID: "cancelled-" + name + "@sportel", Date: t0, Text: "x"}}
}

// addOnce is AddJobOnce in a transaction of its own.
func addOnce(s store.Store, key string, j *inquiry.Job) (bool, error) {
	var added bool
	err := s.WithTx(context.Background(), func(tx store.Tx) error {
		var err error
		added, err = tx.AddJobOnce(key, j)
		return err
	})
	return added, err
}

// cancelReminders cancels the ticket's reminders at now and returns how many.
func cancelReminders(t *testing.T, s store.Store, ticket int64, now time.Time) int {
	t.Helper()
	var n int
	inTx(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.CancelJobs(ticket, inquiry.JobReminder, "ticket closed", now)
		return err
	})
	return n
}

// testCancelGivesUpKey: a cancelled job gives its key up, kept on it as
// "<key>#cancelled:<id>", so the same scheduled send can be queued again
// (the ticket reopened); the new job holds the key as the first did, so a
// restart, or several writers at once, still queue it once. A done job
// keeps its key, and a cancel that rolls back gives nothing up.
func testCancelGivesUpKey(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	const key = "reminder:DKP-2026-000001:2026-03-09:0:officer1:mail"
	tests := []struct {
		name string
		// before brings the key's first job to where the cancel finds it.
		before func(t *testing.T, s store.Store, id int64)
	}{
		{"never claimed", func(*testing.T, store.Store, int64) {}},
		{"waiting for a retry", func(t *testing.T, s store.Store, id int64) {
			if _, err := s.ClaimJobs(ctx, "w", t0, time.Hour, 10); err != nil {
				t.Fatal(err)
			}
			if err := s.RetryJob(ctx, id, "w", t0.Add(time.Minute), "451 try again later"); err != nil {
				t.Fatal(err)
			}
		}},
		{"being sent", func(t *testing.T, s store.Store, id int64) {
			if claimed, err := s.ClaimJobs(ctx, "w", t0, time.Hour, 10); err != nil || len(claimed) != 1 {
				t.Fatalf("claim = %v, %v", claimed, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			ticket := createTickets(t, s, 1)[0]
			first := reminderJob(ticket, "first")
			if added, err := addOnce(s, key, first); err != nil || !added {
				t.Fatalf("first AddJobOnce = %v, %v", added, err)
			}
			tt.before(t, s, first.ID)

			// A cancel that rolls back gives nothing up.
			rollback := errors.New("roll back")
			err := s.WithTx(ctx, func(tx store.Tx) error {
				if _, err := tx.CancelJobs(ticket, inquiry.JobReminder, "ticket closed", t0.Add(time.Minute)); err != nil {
					return err
				}
				return rollback
			})
			if !errors.Is(err, rollback) {
				t.Fatalf("WithTx = %v, want the rollback", err)
			}
			if added, err := addOnce(s, key, reminderJob(ticket, "rolled-back")); err != nil || added {
				t.Errorf("AddJobOnce after a cancel rolled back = %v, %v; want false", added, err)
			}

			if n := cancelReminders(t, s, ticket, t0.Add(time.Minute)); n != 1 {
				t.Fatalf("CancelJobs = %d, want 1", n)
			}
			j := jobByID(t, s, first.ID)
			if want := fmt.Sprintf("%s#cancelled:%d", key, first.ID); j.State != inquiry.JobCancelled || j.Key != want {
				t.Errorf("cancelled job: %s, key %q; want cancelled, key %q", j.State, j.Key, want)
			}

			// The ticket reopened: the send is queued again, once, however
			// many passes (or restarted schedulers) ask.
			again := reminderJob(ticket, "again")
			if added, err := addOnce(s, key, again); err != nil || !added || again.Key != key {
				t.Fatalf("AddJobOnce under a cancelled job's key = %v, %v (key %q); want added under %q", added, err, again.Key, key)
			}
			if added, err := addOnce(s, key, reminderJob(ticket, "third")); err != nil || added {
				t.Errorf("AddJobOnce while the new job holds the key = %v, %v; want false", added, err)
			}

			// Closed and reopened again, with writers racing for the key
			// (two instances' passes): exactly one queues it.
			if n := cancelReminders(t, s, ticket, t0.Add(2*time.Minute)); n != 1 {
				t.Fatalf("second CancelJobs = %d, want 1 (the job queued again)", n)
			}
			const writers = 8
			var wg sync.WaitGroup
			won := make([]bool, writers)
			errs := make([]error, writers)
			for i := range writers {
				wg.Go(func() { won[i], errs[i] = addOnce(s, key, reminderJob(ticket, fmt.Sprintf("w%d", i))) })
			}
			wg.Wait()
			winners, winner := 0, int64(0)
			for i := range writers {
				if errs[i] != nil {
					t.Errorf("writer %d: %v", i, errs[i])
				}
				if won[i] {
					winners++
				}
			}
			if winners != 1 {
				t.Fatalf("%d writers queued the freed key, want exactly 1", winners)
			}
			byKey := map[string]int{}
			for _, j := range allJobs(t, s) {
				byKey[j.Key]++
				if j.Key == key {
					winner = j.ID
				}
			}
			if byKey[key] != 1 || byKey[fmt.Sprintf("%s#cancelled:%d", key, again.ID)] != 1 {
				t.Errorf("jobs by key = %v; want one holding %q and the second cancelled one's kept", byKey, key)
			}

			// Sent, the job keeps its key: a later cancel leaves it, and
			// nothing is queued under it again.
			claimed, err := s.ClaimJobs(ctx, "w2", t0.Add(time.Hour), time.Hour, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range claimed {
				if c.ID != winner {
					t.Errorf("claimed job %d (%s, key %q); only the job holding the key is due", c.ID, c.State, c.Key)
				}
			}
			if err := finishOne(ctx, s, winner, "w2", "", t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if n := cancelReminders(t, s, ticket, t0.Add(2*time.Hour)); n != 0 {
				t.Errorf("CancelJobs after the send = %d, want 0", n)
			}
			if j := jobByID(t, s, winner); j.State != inquiry.JobDone || j.Key != key {
				t.Errorf("sent job: %s, key %q; want done, key %q", j.State, j.Key, key)
			}
			if added, err := addOnce(s, key, reminderJob(ticket, "after-send")); err != nil || added {
				t.Errorf("AddJobOnce under a sent job's key = %v, %v; want false", added, err)
			}
		})
	}
}

// testCancelInFlight: a job cancelled while a worker holds it is cancelled
// at once (no other worker claims it, no renewal keeps it), and its
// worker's word settles it: sent, it is recorded done (it went out); a
// failure, temporary or not, or a stop leaves it cancelled, with the
// failure recorded, never retried and never failed (ErrJobCancelled). Once
// settled, it is no longer the worker's.
func testCancelInFlight(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	lease := time.Hour
	cancelAt := t0.Add(10 * time.Minute)
	wordAt := t0.Add(20 * time.Minute)
	tests := []struct {
		name      string
		word      func(s store.Store, id int64) error
		wantState inquiry.JobState
		wantErr   string // the job's last error
	}{
		{"sent", func(s store.Store, id int64) error {
			return finishOne(ctx, s, id, "w", "", wordAt)
		}, inquiry.JobDone, "ticket closed"},
		{"temporary failure (451)", func(s store.Store, id int64) error {
			return s.RetryJob(ctx, id, "w", wordAt.Add(10*time.Minute), "451 4.7.1 try again later")
		}, inquiry.JobCancelled, "ticket closed; the send in flight failed: 451 4.7.1 try again later"},
		{"permanent failure (550)", func(s store.Store, id int64) error {
			return s.FailJob(ctx, id, "w", "550 5.1.1 no such user", wordAt)
		}, inquiry.JobCancelled, "ticket closed; the send in flight failed: 550 5.1.1 no such user"},
		{"released by a stopping outbox", func(s store.Store, id int64) error {
			return s.ReleaseJob(ctx, id, "w")
		}, inquiry.JobCancelled, "ticket closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			ticket := createTickets(t, s, 1)[0]
			j := reminderJob(ticket, "inflight")
			if added, err := addOnce(s, "reminder:inflight", j); err != nil || !added {
				t.Fatalf("AddJobOnce = %v, %v", added, err)
			}
			if claimed, err := s.ClaimJobs(ctx, "w", t0, lease, 10); err != nil || len(claimed) != 1 {
				t.Fatalf("claim = %v, %v", claimed, err)
			}
			if n := cancelReminders(t, s, ticket, cancelAt); n != 1 {
				t.Fatalf("CancelJobs of the job in flight = %d, want 1", n)
			}
			if got := jobByID(t, s, j.ID); got.State != inquiry.JobCancelled || !got.FinishedAt.Equal(cancelAt) {
				t.Errorf("job in flight after the cancel: %s, finished %v; want cancelled at %v", got.State, got.FinishedAt, cancelAt)
			}
			// Its worker's renewal finds it gone, so a send not started is
			// not started; no other worker claims it, even once the lease ends.
			if lost, err := s.RenewLeases(ctx, "w", []int64{j.ID}, cancelAt.Add(lease)); err != nil || len(lost) != 1 {
				t.Errorf("RenewLeases of the cancelled job = lost %v, %v; want it lost", lost, err)
			}
			if claimed, err := s.ClaimJobs(ctx, "w2", t0.Add(3*lease), lease, 10); err != nil || len(claimed) != 0 {
				t.Errorf("claim after the cancel = %v, %v; want nothing", claimed, err)
			}
			// Another worker cannot speak for it.
			if lost, err := s.FinishJobs(ctx, "w2", []store.SentJob{{ID: j.ID}}, wordAt); err != nil || len(lost) != 1 {
				t.Errorf("another worker finishing it = lost %v, %v; want it lost", lost, err)
			}

			err := tt.word(s, j.ID)
			switch {
			case tt.wantState == inquiry.JobDone && err != nil:
				t.Errorf("its worker recording the send: %v", err)
			case tt.wantState != inquiry.JobDone && !errors.Is(err, store.ErrJobCancelled):
				t.Errorf("its worker's word = %v, want ErrJobCancelled", err)
			}
			got := jobByID(t, s, j.ID)
			finishedAt := cancelAt
			if tt.wantState == inquiry.JobDone {
				finishedAt = wordAt
			}
			if got.State != tt.wantState || got.LastError != tt.wantErr || !got.FinishedAt.Equal(finishedAt) {
				t.Errorf("job after its worker's word: %s, error %q, finished %v; want %s, %q, %v",
					got.State, got.LastError, got.FinishedAt, tt.wantState, tt.wantErr, finishedAt)
			}

			// Settled, it is no longer the worker's: a second word finds
			// it ended, and it is never due, failed or requeued.
			if err := s.RetryJob(ctx, j.ID, "w", wordAt, "451 again"); !errors.Is(err, store.ErrLeaseLost) || errors.Is(err, store.ErrJobCancelled) {
				t.Errorf("a second word = %v, want ErrLeaseLost", err)
			}
			// (Another send's reference: the same completion again is
			// recorded already, JobTransitions.)
			if lost, err := s.FinishJobs(ctx, "w", []store.SentJob{{ID: j.ID, Ref: "again"}}, wordAt); err != nil || len(lost) != 1 {
				t.Errorf("finishing it after its word = lost %v, %v; want it lost", lost, err)
			}
			if requeued, err := s.RequeueFailed(ctx, nil, wordAt); err != nil || len(requeued) != 0 {
				t.Errorf("RequeueFailed = %v, %v; want nothing", requeued, err)
			}
			if claimed, err := s.ClaimJobs(ctx, "w2", t0.Add(24*time.Hour), lease, 10); err != nil || len(claimed) != 0 {
				t.Errorf("claim a day later = %v, %v; want nothing", claimed, err)
			}
			if _, ok, err := s.NextJobAt(ctx); err != nil || ok {
				t.Errorf("NextJobAt = %v, %v; want none", ok, err)
			}
			if q, err := s.QueueStats(ctx, wordAt); err != nil || q.PendingJobs != 0 || q.FailedJobs != 0 {
				t.Errorf("QueueStats = %+v, %v; want nothing pending or failed", q, err)
			}
			// Sent or not, a cancelled job gave its key up.
			if want := fmt.Sprintf("reminder:inflight#cancelled:%d", j.ID); got.Key != want {
				t.Errorf("job's key %q, want %q", got.Key, want)
			}
		})
	}
}
