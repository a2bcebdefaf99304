package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"sportel/inquiry"
	"sportel/store"
)

// testAddJobOnce holds the store to its promise on keyed jobs: one job per
// key, whatever state the first is in, across transactions and concurrent
// writers, and a rolled-back key is free again.
func testAddJobOnce(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	tickets := createTickets(t, s, 1)
	job := func(recipient string) *inquiry.Job {
		return &inquiry.Job{TicketID: tickets[0], Kind: inquiry.JobReminder, Recipient: recipient, NextAt: t0, CreatedAt: t0,
			Mail: &inquiry.Mail{MessageID: "once-" + recipient + "@sportel", Date: t0, Text: "x"}}
	}
	addOnce := func(key string, j *inquiry.Job) (bool, error) {
		var added bool
		err := s.WithTx(ctx, func(tx store.Tx) error {
			var err error
			added, err = tx.AddJobOnce(key, j)
			return err
		})
		return added, err
	}

	first := job("a")
	if added, err := addOnce("reminder:1:2", first); err != nil || !added {
		t.Fatalf("first AddJobOnce = %v, %v; want added", added, err)
	}
	if first.ID == 0 || first.Key != "reminder:1:2" {
		t.Fatalf("added job has ID %d, Key %q; want an id and the key", first.ID, first.Key)
	}
	if got := jobByID(t, s, first.ID); got.Key != "reminder:1:2" || got.Recipient != "a" {
		t.Errorf("stored job = key %q recipient %q, want reminder:1:2, a", got.Key, got.Recipient)
	}

	// The same key again, even with another payload, writes nothing; so
	// does it once the first job has been sent or has failed.
	states := []struct {
		name   string
		settle func() error
	}{
		{"pending", func() error { return nil }},
		{"done", func() error {
			claimed, err := s.ClaimJobs(ctx, "w", t0, 60e9, 10)
			if err != nil || len(claimed) != 1 {
				return fmt.Errorf("claim: %v, %d jobs", err, len(claimed))
			}
			return finishOne(ctx, s, first.ID, "w", "", t0)
		}},
	}
	for _, st := range states {
		if err := st.settle(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		again := job("b")
		added, err := addOnce("reminder:1:2", again)
		if err != nil || added {
			t.Errorf("%s: AddJobOnce with a taken key = %v, %v; want false, nil", st.name, added, err)
		}
		if again.ID != 0 || again.Key != "" {
			t.Errorf("%s: refused job got ID %d, Key %q; want them untouched", st.name, again.ID, again.Key)
		}
		if n := len(allJobs(t, s)); n != 1 {
			t.Errorf("%s: %d jobs stored, want 1", st.name, n)
		}
	}

	// Keyless jobs never clash with each other.
	inTx(t, s, func(tx store.Tx) error {
		for _, r := range []string{"c", "d"} {
			if err := tx.AddJob(job(r)); err != nil {
				return err
			}
		}
		return nil
	})
	// An empty key is a caller's bug.
	if added, err := addOnce("", job("e")); err == nil || added {
		t.Errorf("AddJobOnce with an empty key = %v, %v; want an error", added, err)
	}
	// A key added in a transaction that rolls back was never taken.
	rollback := errors.New("roll back")
	err := s.WithTx(ctx, func(tx store.Tx) error {
		if added, err := tx.AddJobOnce("digest:2026-03-02", job("f")); err != nil || !added {
			return fmt.Errorf("AddJobOnce in the doomed transaction = %v, %v", added, err)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("WithTx = %v, want the rollback", err)
	}

	// Writers racing for one key: exactly one wins.
	const writers = 8
	var wg sync.WaitGroup
	results := make([]bool, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			results[i], errs[i] = addOnce("digest:2026-03-02", job(fmt.Sprintf("w%d", i)))
		})
	}
	wg.Wait()
	won := 0
	for i := range writers {
		if errs[i] != nil {
			t.Errorf("writer %d: %v", i, errs[i])
		}
		if results[i] {
			won++
		}
	}
	if won != 1 {
		t.Errorf("%d writers added the same key, want exactly 1", won)
	}
	keys := map[string]int{}
	for _, j := range allJobs(t, s) {
		keys[j.Key]++
	}
	want := map[string]int{"reminder:1:2": 1, "digest:2026-03-02": 1, "": 2}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("jobs by key = %v, want %v", keys, want)
	}
}
