package outbox_test

import (
	"context"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// addClaimedChats writes n chat jobs claimed under r, as an intake
// transaction does, and returns them as written.
func (f *fixture) addClaimedChats(r *outbox.Reservation, n int) []inquiry.Job {
	f.t.Helper()
	owner, until := r.Claim()
	var jobs []inquiry.Job
	f.inTx(func(tx store.Tx) error {
		for i := range n {
			j := inquiry.Job{TicketID: f.ticket.ID, Kind: inquiry.JobAck, Recipient: "tg:777", NextAt: f.now, CreatedAt: f.now,
				Chat: &inquiry.ChatMessage{ChatID: 777, Text: "DKP-2026-000001"}}
			j.Chat.Text += string(rune('a' + i))
			if err := tx.AddClaimedJob(&j, owner, until); err != nil {
				return err
			}
			jobs = append(jobs, j)
		}
		return nil
	})
	return jobs
}

// Jobs an intake transaction wrote claimed by a running outbox are sent
// when they are handed over, with no claim: the outbox waits an hour for
// its next poll and is never poked. Room not used is given back, and jobs
// handed to an outbox that has stopped are released for the next one.
func TestReservationHandsJobsOver(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now()
	sent := make(chan inquiry.Job, 8)
	jobs := idleSignal{JobStore: f.store, idle: make(chan struct{}, 1)}
	ob := outbox.New(jobs, nil, &chatRecorder{}, outbox.Config{Workers: 2, Poll: time.Hour}, testutil.DiscardLogger())
	ob.Sent = func(j inquiry.Job) { sent <- j }
	if r := ob.Reserve(4); r != nil {
		t.Fatalf("an outbox not running reserved room for %d jobs", r.Room())
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- ob.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-runDone })
	select {
	case <-jobs.idle:
	case <-time.After(10 * time.Second):
		t.Fatal("the outbox never went idle")
	}

	// All it may hold, before sends are timed: two per worker.
	full := ob.Reserve(100)
	if full == nil || full.Room() != 4 {
		t.Fatalf("Reserve(100) on an idle outbox of 2 workers: %v; want room for 4", full)
	}
	if r := ob.Reserve(1); r != nil {
		t.Fatalf("Reserve while all room is reserved gave room for %d", r.Room())
	}
	full.Deliver(nil) // its transaction rolled back
	r := ob.Reserve(3)
	if r == nil || r.Room() != 3 {
		t.Fatalf("Reserve(3) after the room came back: %v; want 3", r)
	}
	if owner, until := r.Claim(); owner != ob.Owner() || !until.After(f.now) {
		t.Errorf("Claim() = %q, %v; want %q and a lease ahead", owner, until, ob.Owner())
	}
	written := f.addClaimedChats(r, 2)
	r.Deliver(written)
	got := map[int64]bool{}
	for range written {
		select {
		case j := <-sent:
			got[j.ID] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("handed-over jobs sent: %v of %d (no poke, the poll is an hour)", got, len(written))
		}
	}
	for _, w := range written {
		if !got[w.ID] {
			t.Errorf("job %d was not sent", w.ID)
		}
		testutil.Eventually(t, "job recorded as sent", 10*time.Second, func() (bool, error) {
			j := f.job(w.ID)
			return j.State == inquiry.JobDone && j.Attempts == 1, nil
		})
	}
	// The unused room came back with the delivery (and, sends timed, the
	// outbox may now hold more than two per worker).
	again := ob.Reserve(100)
	if again == nil || again.Room() < 4 {
		t.Fatalf("Reserve(100) after the delivery: %v; want room for 4 or more", again)
	}
	again.Deliver(nil)

	// Reserved while running, handed over after the outbox stopped: the
	// job is released, so the next outbox claims it at once.
	late := ob.Reserve(1)
	if late == nil {
		t.Fatal("no room on an idle outbox")
	}
	orphan := f.addClaimedChats(late, 1)
	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	runDone <- nil // for the cleanup
	late.Deliver(orphan)
	claimed, err := f.store.ClaimJobs(context.Background(), "next", time.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].ID != orphan[0].ID {
		t.Fatalf("the next outbox claims %v (err %v); want the released job %d", claimed, err, orphan[0].ID)
	}
}
