package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// QueueStats counts open tickets by deadline and outbox jobs by state, at
// the moment asked.
func testQueueStats(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	now := t0.Add(72 * time.Hour)
	if q, err := s.QueueStats(ctx, now); err != nil || q != (store.QueueStats{}) {
		t.Fatalf("QueueStats of an empty store = %+v, %v; want zeros", q, err)
	}
	tickets := []struct {
		state inquiry.State
		due   time.Time // zero: no deadline
	}{
		{inquiry.Assigned, now.Add(-time.Hour)},        // overdue
		{inquiry.Answered, now.Add(-time.Nanosecond)},  // overdue
		{inquiry.Assigned, now},                        // due soon: the deadline is this instant
		{inquiry.Assigned, now.Add(47 * time.Hour)},    // due soon
		{inquiry.Assigned, now.Add(48 * time.Hour)},    // later
		{inquiry.Assigned, time.Time{}},                // no deadline (press, general)
		{inquiry.Closed, now.Add(-time.Hour)},          // closed: not open, not overdue
		{inquiry.BulkMail, time.Time{}},                // kept, not worked
		{inquiry.Assigned, now.Add(time.Hour).In(cet)}, // due soon, given in another zone
		{inquiry.SpamMail, now.Add(-24 * time.Hour)},   // kept, not worked
	}
	inTx(t, s, func(tx store.Tx) error {
		for i, c := range tickets {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), t0)
			tk.State, tk.DueAt = c.state, c.due
			if c.state == inquiry.Closed {
				tk.Outcome, tk.ClosedAt = inquiry.Granted, t0.Add(time.Hour)
			}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
		}
		return nil
	})
	// Three pending jobs (one waiting since an hour ago, one due now, one
	// due tomorrow), one done, one failed.
	ids := addJobs(t, s, 5, func(i int) time.Time {
		return []time.Time{now.Add(-time.Hour), now, now.Add(24 * time.Hour), now, now}[i]
	})
	claimed, err := s.ClaimJobs(ctx, "w1", now, time.Minute, 10)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("ClaimJobs = %d jobs, %v; want the 4 due", len(claimed), err)
	}
	if err := finishAll(ctx, s, "w1", ids[3:4], now); err != nil {
		t.Fatal(err)
	}
	if err := s.FailJob(ctx, ids[4], "w1", "refused", now); err != nil {
		t.Fatal(err)
	}
	// The other claims still count as pending: claimed is not sent.
	want := store.QueueStats{Open: 7, DueSoon: 3, Overdue: 2, PendingJobs: 3, FailedJobs: 1, OldestDue: now.Add(-time.Hour)}
	q, err := s.QueueStats(ctx, now)
	if err != nil {
		t.Fatalf("QueueStats: %v", err)
	}
	if !q.OldestDue.Equal(want.OldestDue) {
		t.Errorf("OldestDue = %v, want %v", q.OldestDue, want.OldestDue)
	}
	q.OldestDue = want.OldestDue
	if q != want {
		t.Errorf("QueueStats = %+v, want %+v", q, want)
	}
	// An hour before, the first job was not due yet and nothing was overdue
	// but the first ticket's deadline was still ahead.
	earlier, err := s.QueueStats(ctx, now.Add(-90*time.Minute))
	if err != nil {
		t.Fatalf("QueueStats earlier: %v", err)
	}
	if earlier.Overdue != 0 || !earlier.OldestDue.IsZero() {
		t.Errorf("QueueStats 90 minutes earlier = %+v, want nothing overdue and no job due", earlier)
	}
}

// Failed jobs can be sent again, as the same mail: pending, due now,
// attempts reset, Message-ID kept; jobs in other states are left alone.
func testRequeueFailed(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := addJobs(t, s, 4, func(int) time.Time { return t0 })
	if _, err := s.ClaimJobs(ctx, "w1", t0, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:3] {
		if err := s.FailJob(ctx, id, "w1", "554 refused", t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := finishAll(ctx, s, "w1", ids[3:], t0); err != nil {
		t.Fatal(err)
	}
	before := jobByID(t, s, ids[0])
	later := t0.Add(time.Hour)
	cases := []struct {
		name string
		ids  []int64
		want []int64
	}{
		{"one by id", []int64{ids[0]}, []int64{ids[0]}},
		{"done and pending ones are skipped", []int64{ids[0], ids[3], 999}, nil},
		{"all the rest", nil, []int64{ids[1], ids[2]}},
		{"none left", nil, nil},
	}
	for _, c := range cases {
		got, err := s.RequeueFailed(ctx, c.ids, later)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: RequeueFailed(%v) = %v, %v; want %v", c.name, c.ids, got, err, c.want)
		}
	}
	after := jobByID(t, s, ids[0])
	if after.State != inquiry.JobPending || after.Attempts != 1 || !after.NextAt.Equal(later) {
		t.Errorf("requeued job: state %s, attempts %d, next %v; want pending, 1, %v", after.State, after.Attempts, after.NextAt, later)
	}
	if after.Mail == nil || before.Mail == nil {
		t.Fatalf("requeued job lost its mail")
	}
	if after.Mail.MessageID == "" || after.Mail.MessageID != before.Mail.MessageID {
		t.Errorf("requeued job's Message-ID = %q, was %q: a resend must be the same mail", after.Mail.MessageID, before.Mail.MessageID)
	}
	if got := jobByID(t, s, ids[3]); got.State != inquiry.JobDone {
		t.Errorf("a done job became %s", got.State)
	}
	claimed, err := s.ClaimJobs(ctx, "w2", later, time.Minute, 10)
	if err != nil || len(claimed) != 3 {
		t.Errorf("ClaimJobs after requeue = %d jobs, %v; want the 3 requeued", len(claimed), err)
	}
}
