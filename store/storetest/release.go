package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"sportel/store"
)

// testReleaseJob: a claim given back untried (ReleaseJob) costs the job no
// attempt and leaves it due as it was; only its holder may give it back.
// The claims of a dead owner (ReleaseClaims) keep their attempts: that
// owner may have been sending.
func testReleaseJob(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := addJobs(t, s, 3, func(int) time.Time { return t0 })
	lease := time.Minute
	// Job 1 was tried once and is due again; jobs 0 and 2 never were.
	if _, err := s.ClaimJobs(ctx, "w", t0, lease, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryJob(ctx, ids[1], "w", t0, "421 try again"); err != nil {
		t.Fatal(err)
	}
	if claimed, err := s.ClaimJobs(ctx, "w", t0, lease, 3); err != nil || len(claimed) != 1 || claimed[0].ID != ids[1] {
		t.Fatalf("second claim = %v, %v; want job %d again", claimed, err, ids[1])
	}

	if err := s.ReleaseJob(ctx, ids[0], "other"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("ReleaseJob by another owner: %v, want ErrLeaseLost", err)
	}
	for _, id := range ids[:2] {
		if err := s.ReleaseJob(ctx, id, "w"); err != nil {
			t.Fatalf("ReleaseJob(%d): %v", id, err)
		}
	}
	if err := s.ReleaseJob(ctx, ids[0], "w"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("ReleaseJob of a job released already: %v, want ErrLeaseLost", err)
	}
	for _, c := range []struct {
		id        int64
		attempts  int
		lastError string
	}{{ids[0], 0, ""}, {ids[1], 1, "421 try again"}, {ids[2], 1, ""}} {
		j := jobByID(t, s, c.id)
		if j.Attempts != c.attempts || !j.NextAt.Equal(t0) || j.LastError != c.lastError {
			t.Errorf("job %d after the releases: %d attempts, due %v, error %q; want %d, %v, %q",
				c.id, j.Attempts, j.NextAt, j.LastError, c.attempts, t0, c.lastError)
		}
	}

	// The released jobs are due at once, to anyone; job 2 is still w's.
	claimed, err := s.ClaimJobs(ctx, "w2", t0, lease, 3)
	if err != nil || len(claimed) != 2 || claimed[0].ID != ids[0] || claimed[1].ID != ids[1] {
		t.Fatalf("claim after the releases = %v, %v; want jobs %d and %d", claimed, err, ids[0], ids[1])
	}
	if claimed[0].Attempts != 1 || claimed[1].Attempts != 2 {
		t.Errorf("claimed with %d and %d attempts, want 1 and 2", claimed[0].Attempts, claimed[1].Attempts)
	}

	// w2 dies; its successor frees its claims, which keep their attempts.
	if n, err := s.ReleaseClaims(ctx, "w3"); err != nil || n != 3 {
		t.Fatalf("ReleaseClaims = %d, %v; want 3", n, err)
	}
	for id, want := range map[int64]int{ids[0]: 1, ids[1]: 2, ids[2]: 1} {
		if j := jobByID(t, s, id); j.Attempts != want {
			t.Errorf("job %d after ReleaseClaims: %d attempts, want %d (a dead owner may have sent it)", id, j.Attempts, want)
		}
	}
}
