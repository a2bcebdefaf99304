package storetest

import (
	"context"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// testSentJobsWindow: SentJobs counts only sends of the kind, done in the
// window, and names the earliest.
func testSentJobsWindow(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := addJobs(t, s, 4, func(int) time.Time { return t0 })
	inTx(t, s, func(tx store.Tx) error {
		return tx.AddJob(&inquiry.Job{Kind: inquiry.JobNotify, Recipient: "zamira", NextAt: t0, CreatedAt: t0,
			Mail: &inquiry.Mail{MessageID: "notify@sportel", Date: t0, Text: "x"}})
	})
	claimed, err := s.ClaimJobs(ctx, "w", t0, time.Hour, 10)
	if err != nil || len(claimed) != 5 {
		t.Fatalf("claimed %d, err %v", len(claimed), err)
	}
	// Acks 0 and 1 sent early, 2 later, 3 failed; the notification sent too.
	finishes := map[int64]time.Time{ids[0]: t0.Add(time.Minute), ids[1]: t0.Add(20 * time.Minute), ids[2]: t0.Add(50 * time.Minute)}
	for id, at := range finishes {
		if err := finishOne(ctx, s, id, "w", "", at); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FailJob(ctx, ids[3], "w", "550", t0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, j := range claimed {
		if j.Kind == inquiry.JobNotify {
			if err := finishOne(ctx, s, j.ID, "w", "", t0.Add(30*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		since    time.Time
		n        int
		earliest time.Time
	}{
		{t0, 3, t0.Add(time.Minute)},
		{t0.Add(time.Minute), 3, t0.Add(time.Minute)},
		{t0.Add(2 * time.Minute), 2, t0.Add(20 * time.Minute)},
		{t0.Add(time.Hour), 0, time.Time{}},
	}
	for _, c := range cases {
		n, earliest, err := s.SentJobs(ctx, inquiry.JobAck, c.since)
		if err != nil || n != c.n || !earliest.Equal(c.earliest) {
			t.Errorf("SentJobs(ack, %v) = %d, %v, %v; want %d, %v", c.since, n, earliest, err, c.n, c.earliest)
		}
	}
}

// testHoldJobs: held jobs wait until the given time, their claim costs no
// attempt, other kinds are untouched, and a claim ends the hold.
func testHoldJobs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := addJobs(t, s, 4, func(int) time.Time { return t0 })
	var notify inquiry.Job
	inTx(t, s, func(tx store.Tx) error {
		notify = inquiry.Job{Kind: inquiry.JobNotify, Recipient: "zamira", NextAt: t0, CreatedAt: t0,
			Mail: &inquiry.Mail{MessageID: "notify@sportel", Date: t0, Text: "x"}}
		return tx.AddJob(&notify)
	})
	// w claims the first two acks; the other two stay unclaimed.
	claimed, err := s.ClaimJobs(ctx, "w", t0, time.Hour, 2)
	if err != nil || len(claimed) != 2 || claimed[0].ID != ids[0] || claimed[1].ID != ids[1] {
		t.Fatalf("claimed %v, err %v", claimed, err)
	}
	until := t0.Add(40 * time.Minute)
	// ids[1] is named by another owner: its claim stays; the rest are held.
	if n, err := s.HoldJobs(ctx, "other", inquiry.JobAck, []int64{ids[1]}, until, "cap"); err != nil || n != 2 {
		t.Fatalf("HoldJobs by another owner: held %d, err %v; want the 2 unclaimed", n, err)
	}
	if n, err := s.HoldJobs(ctx, "w", inquiry.JobAck, []int64{ids[0], ids[1]}, until, "cap"); err != nil || n != 2 {
		t.Fatalf("HoldJobs: held %d, err %v; want the 2 claimed (the others are held already)", n, err)
	}
	if n, err := s.CountHeldJobs(ctx); err != nil || n != 4 {
		t.Errorf("CountHeldJobs = %d, %v; want 4", n, err)
	}
	for _, id := range ids {
		j := jobByID(t, s, id)
		if j.State != inquiry.JobPending || !j.NextAt.Equal(until) || j.Attempts != 0 || j.LastError != "cap" {
			t.Errorf("job %d: %s, next %v, attempts %d, error %q; want pending until %v, no attempt, error cap",
				id, j.State, j.NextAt, j.Attempts, j.LastError, until)
		}
	}
	if j := jobByID(t, s, notify.ID); !j.NextAt.Equal(t0) {
		t.Errorf("the notification moved to %v; only acks are held", j.NextAt)
	}
	// Nothing held is claimable before until; the notification is.
	got, err := s.ClaimJobs(ctx, "w2", until.Add(-time.Second), time.Hour, 10)
	if err != nil || len(got) != 1 || got[0].ID != notify.ID {
		t.Fatalf("claim before until: %v, err %v; want only the notification", got, err)
	}
	got, err = s.ClaimJobs(ctx, "w2", until, time.Hour, 1)
	if err != nil || len(got) != 1 || got[0].Attempts != 1 {
		t.Fatalf("claim at until: %v, err %v; want one job on its first attempt", got, err)
	}
	if n, err := s.CountHeldJobs(ctx); err != nil || n != 3 {
		t.Errorf("CountHeldJobs after a claim = %d, %v; want 3", n, err)
	}
}
