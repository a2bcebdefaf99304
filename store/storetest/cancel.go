package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// testCancelJobs: Tx.CancelJobs ends a ticket's pending jobs of one kind,
// in the caller's transaction, with the reason; a job a worker holds is
// cancelled too and left to its worker's word (testCancelInFlight), and a
// cancelled job is never claimed or counted as pending or failed, and
// gives its key up (testCancelGivesUpKey).
func testCancelJobs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	tickets := createTickets(t, s, 2)
	const (
		fresh   = iota // never claimed
		retried        // tried once, the relay said 4xx, due again later
		held           // claimed, its lease running: being sent
		stale          // claimed, its lease run out (its worker died)
		sent           // done
		ack            // another kind
		other          // another ticket's
	)
	ids := make([]int64, other+1)
	inTx(t, s, func(tx store.Tx) error {
		for i := range ids {
			tid, kind, due := tickets[0], inquiry.JobReminder, t0
			if i == other {
				tid = tickets[1]
			}
			if i == ack {
				kind = inquiry.JobAck
			}
			if i == fresh || i == ack || i == other {
				due = t0.Add(3 * time.Hour) // not claimed below
			}
			j := &inquiry.Job{TicketID: tid, Kind: kind, Recipient: "officer1", NextAt: due, CreatedAt: t0,
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("job%d@sportel", i), Date: t0, Text: "x"}}
			if _, err := tx.AddJobOnce(fmt.Sprintf("reminder:%d", i), j); err != nil {
				return err
			}
			ids[i] = j.ID
		}
		return nil
	})
	lease := time.Hour
	if got, err := s.ClaimJobs(ctx, "w", t0, lease, 10); err != nil || len(got) != 4 {
		t.Fatalf("claim = %v, %v; want the retried, held, stale and sent jobs", got, err)
	}
	if err := s.RetryJob(ctx, ids[retried], "w", t0.Add(10*time.Minute), "451 try again later"); err != nil {
		t.Fatal(err)
	}
	if lost, err := s.FinishJobs(ctx, "w", []store.SentJob{{ID: ids[sent]}}, t0); err != nil || len(lost) != 0 {
		t.Fatalf("finish: %v, %v", lost, err)
	}
	// The job in flight is renewed; the stale one's lease runs out.
	if lost, err := s.RenewLeases(ctx, "w", []int64{ids[held]}, t0.Add(3*lease)); err != nil || len(lost) != 0 {
		t.Fatalf("renew: %v, %v", lost, err)
	}

	now := t0.Add(2 * lease)
	var n int
	inTx(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.CancelJobs(tickets[0], inquiry.JobReminder, "ticket closed", now)
		return err
	})
	if n != 4 {
		t.Errorf("CancelJobs = %d, want 4 (the fresh, retried, held and stale reminders)", n)
	}
	for i, want := range map[int]struct {
		state inquiry.JobState
		err   string
	}{
		fresh:   {inquiry.JobCancelled, "ticket closed"},
		retried: {inquiry.JobCancelled, "ticket closed; last error: 451 try again later"},
		stale:   {inquiry.JobCancelled, "ticket closed"},
		held:    {inquiry.JobCancelled, "ticket closed"},
		sent:    {inquiry.JobDone, ""},
		ack:     {inquiry.JobPending, ""},
		other:   {inquiry.JobPending, ""},
	} {
		j := jobByID(t, s, ids[i])
		finished := j.State == inquiry.JobCancelled
		if j.State != want.state || j.LastError != want.err || finished != j.FinishedAt.Equal(now) {
			t.Errorf("job %d after CancelJobs: %s, error %q, finished %v; want %s, %q, finished at %v when cancelled",
				i, j.State, j.LastError, j.FinishedAt, want.state, want.err, now)
		}
	}

	// The job being sent may have gone out: its worker records it as sent.
	if lost, err := s.FinishJobs(ctx, "w", []store.SentJob{{ID: ids[held]}}, now); err != nil || len(lost) != 0 {
		t.Errorf("finishing the job in flight: lost %v, %v", lost, err)
	}
	if j := jobByID(t, s, ids[held]); j.State != inquiry.JobDone {
		t.Errorf("the job in flight, sent after the cancel: %s, want done", j.State)
	}
	// The stale claim's late word finds the job ended.
	if err := s.RetryJob(ctx, ids[stale], "w", now, "x"); !errors.Is(err, store.ErrLeaseLost) || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("RetryJob of a cancelled job: %v, want ErrLeaseLost saying it is cancelled", err)
	}
	// Never claimed, never due, counted neither pending nor failed.
	later := now.Add(24 * time.Hour)
	claimed, err := s.ClaimJobs(ctx, "w2", later, lease, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range claimed {
		if j.State == inquiry.JobCancelled || j.ID == ids[fresh] || j.ID == ids[retried] || j.ID == ids[stale] {
			t.Errorf("a cancelled job was claimed: %d", j.ID)
		}
	}
	if len(claimed) != 2 {
		t.Errorf("claimed %d jobs after the cancel, want 2 (the ack and the other ticket's reminder)", len(claimed))
	}
	if q, err := s.QueueStats(ctx, later); err != nil || q.PendingJobs != 2 || q.FailedJobs != 0 {
		t.Errorf("QueueStats = %+v, %v; want 2 pending (claimed), none failed", q, err)
	}
	listed, err := s.ListJobs(ctx, inquiry.JobCancelled, 0)
	if err != nil || len(listed) != 3 {
		t.Errorf("ListJobs(cancelled) = %d jobs, %v; want 3", len(listed), err)
	}
	// Nothing left to cancel: a second cancel changes nothing.
	inTx(t, s, func(tx store.Tx) error {
		n, err := tx.CancelJobs(tickets[0], inquiry.JobReminder, "again", later)
		if err != nil || n != 0 {
			t.Errorf("second CancelJobs = %d, %v; want 0", n, err)
		}
		return nil
	})
	if j := jobByID(t, s, ids[fresh]); j.LastError != "ticket closed" || !j.FinishedAt.Equal(now) {
		t.Errorf("a second cancel rewrote a cancelled job: %+v", j)
	}
}
