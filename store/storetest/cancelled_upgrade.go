package storetest

import (
	"fmt"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// UpgradeFreesCancelledKeys checks the migration that gives a key up on
// jobs cancelled by a Sportel older than that rule: s holds a cancelled
// reminder and a done one, both with keys; unrename writes the cancelled
// one's key back as an older Sportel left it and forgets that the
// migration ran; reopen opens the store again, running it. The cancelled
// job then has the form CancelJobs writes, so the reminder can be queued
// again, and the done job keeps its key.
func UpgradeFreesCancelledKeys(t *testing.T, s store.Store, unrename func(t *testing.T, jobID int64, key string), reopen func(t *testing.T) store.Store) {
	t.Helper()
	const key, doneKey = "reminder:DKP-2026-000001:2026-03-09:0:officer1:mail", "reminder:DKP-2026-000001:2026-03-12:0:officer1:mail"
	ticket := createTickets(t, s, 1)[0]
	cancelled, done := reminderJob(ticket, "old"), reminderJob(ticket, "done")
	for k, j := range map[string]*inquiry.Job{key: cancelled, doneKey: done} {
		if added, err := addOnce(s, k, j); err != nil || !added {
			t.Fatalf("AddJobOnce(%s) = %v, %v", k, added, err)
		}
	}
	claimed, err := s.ClaimJobs(t.Context(), "w", t0, time.Hour, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	if lost, err := s.FinishJobs(t.Context(), "w", []store.SentJob{{ID: done.ID, Ref: "250 ok"}}, t0); err != nil || len(lost) != 0 {
		t.Fatalf("FinishJobs = %v, %v", lost, err)
	}
	if n := cancelReminders(t, s, ticket, t0.Add(time.Minute)); n != 1 {
		t.Fatalf("CancelJobs = %d, want 1", n)
	}
	unrename(t, cancelled.ID, key)
	if added, err := addOnce(s, key, reminderJob(ticket, "blocked")); err != nil || added {
		t.Fatalf("before the upgrade AddJobOnce under an old cancelled job's key = %v, %v; want false (the case the migration mends)", added, err)
	}

	s = reopen(t)
	if j := jobByID(t, s, cancelled.ID); j.Key != fmt.Sprintf("%s#cancelled:%d", key, cancelled.ID) || j.State != inquiry.JobCancelled {
		t.Errorf("old cancelled job after the upgrade: %s, key %q", j.State, j.Key)
	}
	if j := jobByID(t, s, done.ID); j.Key != doneKey {
		t.Errorf("done job's key after the upgrade = %q, want %q kept", j.Key, doneKey)
	}
	again := reminderJob(ticket, "again")
	if added, err := addOnce(s, key, again); err != nil || !added {
		t.Errorf("AddJobOnce after the upgrade = %v, %v; want the reminder queued again", added, err)
	}
}
