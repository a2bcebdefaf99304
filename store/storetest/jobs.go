package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

func testTicketJobs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	tickets := createTickets(t, s, 3)
	// Jobs of two tickets interleaved, and one that belongs to no ticket.
	owners := []int64{tickets[0], tickets[1], tickets[0], 0, tickets[0]}
	ids := make([]int64, len(owners))
	inTx(t, s, func(tx store.Tx) error {
		for i, tid := range owners {
			j := &inquiry.Job{TicketID: tid, Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d@x", i), NextAt: t0, CreatedAt: t0}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids[i] = j.ID
		}
		return nil
	})
	cases := []struct {
		ticket int64
		want   []int64
	}{
		{tickets[0], []int64{ids[0], ids[2], ids[4]}},
		{tickets[1], []int64{ids[1]}},
		{tickets[2], nil},
		{tickets[2] + 100, nil},
	}
	for _, c := range cases {
		jobs, err := s.TicketJobs(ctx, c.ticket)
		if err != nil {
			t.Fatalf("TicketJobs(%d): %v", c.ticket, err)
		}
		var got []int64
		for _, j := range jobs {
			got = append(got, j.ID)
			if j.TicketID != c.ticket {
				t.Errorf("TicketJobs(%d) returned job %d of ticket %d", c.ticket, j.ID, j.TicketID)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("TicketJobs(%d) = %v, want %v (oldest first)", c.ticket, got, c.want)
		}
	}
}

func testListJobs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if jobs := allJobs(t, s); len(jobs) != 0 {
		t.Fatalf("a fresh store lists jobs: %v", jobs)
	}
	states := []inquiry.JobState{inquiry.JobPending, inquiry.JobDone, inquiry.JobPending, inquiry.JobFailed, inquiry.JobPending}
	want := map[inquiry.JobState][]int64{}
	inTx(t, s, func(tx store.Tx) error {
		for i, st := range states {
			j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d@x", i), State: st, NextAt: t0, CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			if st != inquiry.JobPending {
				j.FinishedAt = t0.Add(time.Minute)
			}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			want[st] = append(want[st], j.ID)
		}
		return nil
	})
	// Newest first: an operator looking at failed sends wants the latest.
	for _, st := range jobStates {
		for _, limit := range []int{0, 1, 2, 10} {
			jobs, err := s.ListJobs(ctx, st, limit)
			if err != nil {
				t.Fatalf("ListJobs(%s, %d): %v", st, limit, err)
			}
			wantN := len(want[st])
			if limit > 0 {
				wantN = min(wantN, limit)
			}
			if len(jobs) != wantN {
				t.Errorf("ListJobs(%s, %d): %d jobs, want %d", st, limit, len(jobs), wantN)
			}
			newest := slices.Clone(want[st])
			slices.Reverse(newest)
			for i, j := range jobs {
				if i < len(newest) && (j.ID != newest[i] || j.State != st) {
					t.Errorf("ListJobs(%s, %d)[%d] = job %d (%s), want job %d: %v newest first", st, limit, i, j.ID, j.State, newest[i], want[st])
				}
			}
		}
	}
	// A claimed job is still pending; a settled one moves to its state.
	claimed, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimJobs = %v, %v", claimed, err)
	}
	if got := jobByID(t, s, claimed[0].ID).State; got != inquiry.JobPending {
		t.Errorf("claimed job listed as %s, want pending", got)
	}
	if err := s.FailJob(ctx, claimed[0].ID, "w", "550", t0); err != nil {
		t.Fatal(err)
	}
	if got := jobByID(t, s, claimed[0].ID).State; got != inquiry.JobFailed {
		t.Errorf("failed job listed as %s, want failed", got)
	}
}

func testClaimJobsTwoOwnersNeverShare(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	const total = 60
	addJobs(t, s, total, func(i int) time.Time { return t0.Add(time.Duration(i%7) * time.Second) })

	now := t0.Add(time.Minute)
	claimed := make(map[string][]int64)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, owner := range []string{"worker-a", "worker-b"} {
		wg.Go(func() {
			// Each round claims at least one job, so more rounds than jobs
			// means jobs are being handed out again.
			for round := 0; ; round++ {
				if round > total {
					t.Errorf("%s: still claiming after %d rounds", owner, round)
					return
				}
				jobs, err := s.ClaimJobs(ctx, owner, now, time.Hour, 4)
				if err != nil {
					t.Errorf("%s: ClaimJobs: %v", owner, err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					claimed[owner] = append(claimed[owner], j.ID)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	seen := map[int64]string{}
	for owner, ids := range claimed {
		for _, id := range ids {
			if other, dup := seen[id]; dup {
				t.Errorf("job %d claimed by %s and %s", id, other, owner)
			}
			seen[id] = owner
		}
	}
	if len(seen) != total {
		t.Errorf("%d distinct jobs claimed, want %d", len(seen), total)
	}
	t.Logf("claims: worker-a %d, worker-b %d", len(claimed["worker-a"]), len(claimed["worker-b"]))
}

func testClaimJobsOrderAndDue(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	// Due times out of insertion order; one in the future.
	offsets := []time.Duration{3 * time.Second, 1 * time.Second, time.Hour, 1 * time.Second, 2 * time.Second}
	ids := addJobs(t, s, len(offsets), func(i int) time.Time { return t0.Add(offsets[i]) })
	// Leases outlast the test, so only newly due jobs are claimed later.
	const lease = 24 * time.Hour
	jobs, err := s.ClaimJobs(ctx, "w", t0.Add(10*time.Second), lease, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, j := range jobs {
		got = append(got, j.ID)
		if j.Attempts != 1 {
			t.Errorf("job %d attempts %d, want 1", j.ID, j.Attempts)
		}
		if j.Mail == nil || j.Mail.MessageID == "" {
			t.Errorf("job %d came back without its mail", j.ID)
		}
	}
	want := []int64{ids[1], ids[3], ids[4]} // next_at 1s, 1s (by id), 2s
	if !slices.Equal(got, want) {
		t.Errorf("claimed %v, want %v", got, want)
	}
	jobs, err = s.ClaimJobs(ctx, "w", t0.Add(10*time.Second), lease, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ID != ids[0] {
		t.Errorf("second claim got %v, want only job %d (the future one is not due)", jobs, ids[0])
	}
	// Due exactly now counts as due.
	jobs, err = s.ClaimJobs(ctx, "w", t0.Add(time.Hour), lease, 10)
	if err != nil || len(jobs) != 1 || jobs[0].ID != ids[2] {
		t.Errorf("claim at the due time got %v, %v; want job %d", jobs, err, ids[2])
	}
}

func testExpiredLeaseIsReclaimable(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := addJobs(t, s, 1, func(int) time.Time { return t0 })
	lease := time.Minute

	first, err := s.ClaimJobs(ctx, "old", t0, lease, 10)
	if err != nil || len(first) != 1 {
		t.Fatalf("first claim: %v, %v", first, err)
	}
	if again, err := s.ClaimJobs(ctx, "new", t0.Add(lease/2), lease, 10); err != nil || len(again) != 0 {
		t.Fatalf("claim during a live lease returned %v, %v", again, err)
	}
	second, err := s.ClaimJobs(ctx, "new", t0.Add(2*lease), lease, 10)
	if err != nil || len(second) != 1 || second[0].ID != ids[0] {
		t.Fatalf("claim after the lease expired: %v, %v", second, err)
	}
	if second[0].Attempts != 2 {
		t.Errorf("attempts %d after two claims, want 2", second[0].Attempts)
	}

	// The job the old owner lost comes back as lost, unwritten, and stays
	// with the new owner.
	lost, err := s.FinishJobs(ctx, "old", []store.SentJob{{ID: ids[0], Ref: "ref-old"}}, t0.Add(2*lease))
	if err != nil || !slices.Equal(lost, []int64{ids[0]}) {
		t.Errorf("old owner's FinishJobs: lost %v, err %v; want [%d]", lost, err, ids[0])
	}
	if j := jobByID(t, s, ids[0]); j.State != inquiry.JobPending || j.SentRef != "" || !j.FinishedAt.IsZero() {
		t.Errorf("job after the old owner's FinishJobs = %+v; want untouched and pending", j)
	}
	if err := s.RetryJob(ctx, ids[0], "old", t0, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("old owner's RetryJob: err = %v, want ErrLeaseLost", err)
	}
	if err := s.FailJob(ctx, ids[0], "old", "x", t0); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("old owner's FailJob: err = %v, want ErrLeaseLost", err)
	}
	lost, err = s.FinishJobs(ctx, "new", []store.SentJob{{ID: ids[0], Ref: "ref-new"}}, t0.Add(2*lease))
	if err != nil || len(lost) != 0 {
		t.Fatalf("new owner's FinishJobs: lost %v, err %v", lost, err)
	}
	jobs, err := s.ListJobs(ctx, inquiry.JobDone, 0)
	if err != nil || len(jobs) != 1 || jobs[0].ID != ids[0] || jobs[0].SentRef != "ref-new" || !jobs[0].FinishedAt.Equal(t0.Add(2*lease)) {
		t.Errorf("done jobs = %+v, %v; want job %d with ref-new", jobs, err, ids[0])
	}
}

// finishOne settles one job through FinishJobs and reports a lost lease as
// ErrLeaseLost, so finishing can share JobTransitions' table with RetryJob
// and FailJob.
func finishOne(ctx context.Context, s store.Store, id int64, owner, ref string, now time.Time) error {
	lost, err := s.FinishJobs(ctx, owner, []store.SentJob{{ID: id, Ref: ref}}, now)
	switch {
	case err != nil:
		// %v, not %w: FinishJobs reports lost leases in lost, never as an
		// error, so an error here must not pass for ErrLeaseLost.
		return fmt.Errorf("FinishJobs failed: %v", err)
	case len(lost) == 0:
		return nil
	case slices.Equal(lost, []int64{id}):
		return fmt.Errorf("FinishJobs lost job %d: %w", id, store.ErrLeaseLost)
	default:
		return fmt.Errorf("FinishJobs of job %d reported %v lost", id, lost)
	}
}

func testJobTransitions(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	later := t0.Add(10 * time.Minute)
	cases := []struct {
		name   string
		settle func(s store.Store, id int64, owner string) error
		want   func(j inquiry.Job) string // "" if j is as expected
		// dueAgainAt is when the job can be claimed again; zero: never.
		dueAgainAt time.Time
	}{
		{
			name: "retry",
			settle: func(s store.Store, id int64, owner string) error {
				return s.RetryJob(ctx, id, owner, later, "421 try again")
			},
			want: func(j inquiry.Job) string {
				if j.State != inquiry.JobPending || !j.NextAt.Equal(later) || j.LastError != "421 try again" || !j.FinishedAt.IsZero() {
					return "want pending, next_at later, last_error set, no finished_at"
				}
				return ""
			},
			dueAgainAt: later,
		},
		{
			name: "fail",
			settle: func(s store.Store, id int64, owner string) error {
				return s.FailJob(ctx, id, owner, "550 no such user", t0.Add(time.Second))
			},
			want: func(j inquiry.Job) string {
				if j.State != inquiry.JobFailed || j.LastError != "550 no such user" || !j.FinishedAt.Equal(t0.Add(time.Second)) {
					return "want failed, last_error, finished_at"
				}
				return ""
			},
		},
		{
			name: "finish",
			settle: func(s store.Store, id int64, owner string) error {
				return finishOne(ctx, s, id, owner, "tg:555:901", t0.Add(time.Second))
			},
			want: func(j inquiry.Job) string {
				if j.State != inquiry.JobDone || j.SentRef != "tg:555:901" || !j.FinishedAt.Equal(t0.Add(time.Second)) || j.LastError != "" {
					return "want done, sent_ref, finished_at"
				}
				return ""
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			ids := addJobs(t, s, 1, func(int) time.Time { return t0 })
			if err := c.settle(s, ids[0], "w"); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("settle before claim: err = %v, want ErrLeaseLost", err)
			}
			if _, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 1); err != nil {
				t.Fatal(err)
			}
			if err := c.settle(s, ids[0], "other"); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("settle by another owner: err = %v, want ErrLeaseLost", err)
			}
			if err := c.settle(s, ids[0], "w"); err != nil {
				t.Fatalf("settle: %v", err)
			}
			jobs := allJobs(t, s)
			if len(jobs) != 1 {
				t.Fatalf("jobs after settling: %v, want one", jobs)
			}
			if msg := c.want(jobs[ids[0]]); msg != "" {
				t.Errorf("job after %s: %+v: %s", c.name, jobs[ids[0]], msg)
			}
			switch c.name {
			case "finish":
				// The same completion again, as after a commit whose answer
				// was lost, is recorded already: not lost, nothing changed.
				if err := c.settle(s, ids[0], "w"); err != nil {
					t.Errorf("the same completion again: %v, want it recorded", err)
				}
				if msg := c.want(allJobs(t, s)[ids[0]]); msg != "" {
					t.Errorf("job after the same completion again: %+v: %s", allJobs(t, s)[ids[0]], msg)
				}
				// Another completion of it, or another owner's, finds it ended.
				for _, again := range []struct{ owner, ref string }{{"w", "tg:555:902"}, {"other", "tg:555:901"}} {
					if err := finishOne(ctx, s, ids[0], again.owner, again.ref, later); !errors.Is(err, store.ErrLeaseLost) {
						t.Errorf("finishing the done job again by %s with %s: err = %v, want ErrLeaseLost", again.owner, again.ref, err)
					}
				}
			case "fail":
				if err := c.settle(s, ids[0], "w"); !errors.Is(err, store.ErrLeaseLost) {
					t.Errorf("settling an ended job again: err = %v, want ErrLeaseLost", err)
				}
			}
			// Even far beyond any lease, only a retried job comes back.
			farFuture := t0.Add(24 * time.Hour)
			for _, at := range []time.Time{later.Add(-time.Second), farFuture} {
				got, err := s.ClaimJobs(ctx, "w2", at, time.Minute, 1)
				if err != nil {
					t.Fatal(err)
				}
				wantN := 0
				if !c.dueAgainAt.IsZero() && !at.Before(c.dueAgainAt) {
					wantN = 1
				}
				if len(got) != wantN {
					t.Errorf("claim at %v after %s: got %d jobs, want %d", at, c.name, len(got), wantN)
				}
			}
		})
	}
}

// Settling a job that does not exist never succeeds.
func testSettleMissingJob(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	missing := addJobs(t, s, 1, func(int) time.Time { return t0 })[0] + 1000
	if err := s.RetryJob(ctx, missing, "w", t0, "x"); err == nil {
		t.Error("RetryJob of a missing job succeeded")
	}
	if err := s.FailJob(ctx, missing, "w", "x", t0); err == nil {
		t.Error("FailJob of a missing job succeeded")
	}
	lost, err := s.FinishJobs(ctx, "w", []store.SentJob{{ID: missing, Ref: "r"}}, t0)
	if err == nil && !slices.Equal(lost, []int64{missing}) {
		t.Errorf("FinishJobs of a missing job: lost %v, no error; want it lost or an error", lost)
	}
	if lost, err := s.FinishJobs(ctx, "w", nil, t0); err != nil || len(lost) != 0 {
		t.Errorf("FinishJobs of nothing = %v, %v; want nothing, nil", lost, err)
	}
}

// FinishJobs records a sent job's thread reference with its completion, and
// only then: a job whose lease was lost is neither marked nor traced.
func testFinishJobsRecordsThreadRef(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ticketID := createTickets(t, s, 1)[0]
	var kept, lostJob, plain int64
	inTx(t, s, func(tx store.Tx) error {
		for _, j := range []struct {
			id   *int64
			next time.Time
		}{{&kept, t0}, {&lostJob, t0.Add(time.Second)}, {&plain, t0}} {
			job := &inquiry.Job{TicketID: ticketID, Kind: inquiry.JobNotify, Recipient: "officer7", NextAt: j.next, CreatedAt: t0,
				Chat: &inquiry.ChatMessage{ChatID: 555, Text: "New ticket"}}
			if err := tx.AddJob(job); err != nil {
				return err
			}
			*j.id = job.ID
		}
		return nil
	})

	// "old" holds kept and plain for an hour but lostJob for a minute, so
	// "new" takes lostJob over once that minute is up.
	if got, err := s.ClaimJobs(ctx, "old", t0, time.Hour, 10); err != nil || len(got) != 2 {
		t.Fatalf("old claims at t0: %v, %v; want two jobs", got, err)
	}
	if got, err := s.ClaimJobs(ctx, "old", t0.Add(time.Second), time.Minute, 10); err != nil || len(got) != 1 || got[0].ID != lostJob {
		t.Fatalf("old claims at t0+1s: %v, %v; want job %d", got, err, lostJob)
	}
	now := t0.Add(2 * time.Minute)
	if got, err := s.ClaimJobs(ctx, "new", now, time.Minute, 10); err != nil || len(got) != 1 || got[0].ID != lostJob {
		t.Fatalf("new claims after the lease: %v, %v; want only job %d", got, err, lostJob)
	}

	refOf := func(ref string) *inquiry.ThreadRef {
		return &inquiry.ThreadRef{Ref: ref, TicketID: ticketID, Kind: inquiry.JobNotify, OfficerID: "officer7"}
	}
	sent := []store.SentJob{
		{ID: lostJob, Ref: "tg:555:11", ThreadRef: refOf("tg:555:11")}, // listed first: order must not matter
		{ID: kept, Ref: "tg:555:10", ThreadRef: refOf("tg:555:10")},
		{ID: plain, Ref: "smtp:queued-1"},
	}
	lost, err := s.FinishJobs(ctx, "old", sent, now)
	if err != nil || !slices.Equal(lost, []int64{lostJob}) {
		t.Fatalf("FinishJobs by old = lost %v, err %v; want [%d]", lost, err, lostJob)
	}

	jobs := allJobs(t, s)
	wantJobs := []struct {
		id    int64
		state inquiry.JobState
		ref   string
	}{{kept, inquiry.JobDone, "tg:555:10"}, {plain, inquiry.JobDone, "smtp:queued-1"}, {lostJob, inquiry.JobPending, ""}}
	for _, w := range wantJobs {
		j := jobs[w.id]
		wantFinished := w.state == inquiry.JobDone
		if j.State != w.state || j.SentRef != w.ref || j.FinishedAt.IsZero() == wantFinished || (wantFinished && !j.FinishedAt.Equal(now)) {
			t.Errorf("job %d = %+v; want %s, sent ref %q", w.id, j, w.state, w.ref)
		}
	}
	refCases := []struct {
		ref    string
		want   *inquiry.ThreadRef // nil: not recorded
		reason string
	}{
		{"tg:555:10", refOf("tg:555:10"), "finished with a thread ref"},
		{"tg:555:11", nil, "the lease was lost"},
		{"smtp:queued-1", nil, "finished without a thread ref"},
	}
	for _, c := range refCases {
		got, ok, err := s.ThreadRef(ctx, c.ref)
		switch {
		case err != nil:
			t.Errorf("ThreadRef(%s): %v", c.ref, err)
		case c.want == nil && ok:
			t.Errorf("ThreadRef(%s) = %+v, recorded though %s", c.ref, got, c.reason)
		case c.want != nil && (!ok || got != *c.want):
			t.Errorf("ThreadRef(%s) = %+v, %v; want %+v (%s)", c.ref, got, ok, *c.want, c.reason)
		}
	}
	// Writers see the ref too.
	inTx(t, s, func(tx store.Tx) error {
		if got, ok, err := tx.FindThreadRef([]string{"tg:555:10"}); err != nil || !ok || got != *refOf("tg:555:10") {
			t.Errorf("FindThreadRef after FinishJobs = %+v, %v, %v", got, ok, err)
		}
		return nil
	})

	// The new owner's completion records its ref.
	lost, err = s.FinishJobs(ctx, "new", []store.SentJob{{ID: lostJob, Ref: "tg:555:12", ThreadRef: refOf("tg:555:12")}}, now)
	if err != nil || len(lost) != 0 {
		t.Fatalf("FinishJobs by new = lost %v, err %v", lost, err)
	}
	if got, ok, err := s.ThreadRef(ctx, "tg:555:12"); err != nil || !ok || got != *refOf("tg:555:12") {
		t.Errorf("ThreadRef after the new owner finished = %+v, %v, %v", got, ok, err)
	}
	if j := jobByID(t, s, lostJob); j.State != inquiry.JobDone || j.SentRef != "tg:555:12" {
		t.Errorf("job %d after the new owner finished = %+v", lostJob, j)
	}
}

func testNextJobAt(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if _, ok, err := s.NextJobAt(ctx); ok || err != nil {
		t.Fatalf("NextJobAt on empty outbox = ok %v, err %v", ok, err)
	}
	// Due times: t0+1s, t0+5s, t0+2h.
	ids := addJobs(t, s, 3, func(i int) time.Time { return t0.Add([]time.Duration{time.Second, 5 * time.Second, 2 * time.Hour}[i]) })

	steps := []struct {
		name string
		act  func() error
		want time.Time // zero: no pending job
	}{
		{"all pending", func() error { return nil }, t0.Add(time.Second)},
		{"first claimed: due at its lease end", func() error {
			_, err := s.ClaimJobs(ctx, "w", t0.Add(2*time.Second), time.Minute, 1)
			return err
		}, t0.Add(5 * time.Second)},
		{"second claimed too: earliest lease end", func() error {
			_, err := s.ClaimJobs(ctx, "w", t0.Add(6*time.Second), 10*time.Second, 1)
			return err
		}, t0.Add(16 * time.Second)},
		{"both finished", func() error {
			return finishAll(ctx, s, "w", ids[:2], t0.Add(20*time.Second))
		}, t0.Add(2 * time.Hour)},
		{"last one failed", func() error {
			if _, err := s.ClaimJobs(ctx, "w", t0.Add(2*time.Hour), time.Minute, 1); err != nil {
				return err
			}
			return s.FailJob(ctx, ids[2], "w", "550", t0.Add(2*time.Hour))
		}, time.Time{}},
	}
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		at, ok, err := s.NextJobAt(ctx)
		if err != nil || ok == st.want.IsZero() || !at.Equal(st.want) {
			t.Errorf("%s: NextJobAt = %v, %v, %v; want %v", st.name, at, ok, err, st.want)
		}
	}
}

// finishAll finishes ids for owner and fails if any lease was lost.
func finishAll(ctx context.Context, s store.Store, owner string, ids []int64, now time.Time) error {
	sent := make([]store.SentJob, len(ids))
	for i, id := range ids {
		sent[i] = store.SentJob{ID: id, Ref: fmt.Sprintf("ref-%d", id)}
	}
	lost, err := s.FinishJobs(ctx, owner, sent, now)
	if err != nil {
		return err
	}
	if len(lost) > 0 {
		return fmt.Errorf("FinishJobs lost %v", lost)
	}
	return nil
}

func testCountJobsWindow(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	inTx(t, s, func(tx store.Tx) error {
		for _, j := range []inquiry.Job{
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0.Add(-2 * time.Hour)},
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0.Add(-time.Hour)},
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0},
			{Kind: inquiry.JobAck, Recipient: "a@x", CreatedAt: t0.Add(time.Nanosecond)},
			{Kind: inquiry.JobNotify, Recipient: "a@x", CreatedAt: t0},
			{Kind: inquiry.JobAck, Recipient: "b@x", CreatedAt: t0},
		} {
			if err := tx.AddJob(&j); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		kind      inquiry.JobKind
		recipient string
		since     time.Time
		want      int
	}{
		{inquiry.JobAck, "a@x", t0.Add(-3 * time.Hour), 4},
		{inquiry.JobAck, "a@x", t0.Add(-time.Hour), 3},
		{inquiry.JobAck, "a@x", t0, 2}, // inclusive at since
		{inquiry.JobAck, "a@x", t0.Add(time.Nanosecond), 1},
		{inquiry.JobAck, "a@x", t0.Add(time.Second), 0},
		{inquiry.JobAck, "a@x", t0.In(cet).Add(-time.Hour), 3}, // zone does not matter
		{inquiry.JobNotify, "a@x", t0.Add(-time.Hour), 1},
		{inquiry.JobAck, "b@x", t0.Add(-time.Hour), 1},
		{inquiry.JobAck, "c@x", t0.Add(-time.Hour), 0},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			n, err := tx.CountJobs(c.kind, c.recipient, c.since)
			if err != nil {
				return err
			}
			if n != c.want {
				t.Errorf("CountJobs(%s, %s, %v) = %d, want %d", c.kind, c.recipient, c.since, n, c.want)
			}
		}
		return nil
	})
}

// A worker keeps its claims alive while it holds them, learns which it
// lost, and a restarted sole owner frees a dead owner's claims.
func testLeaseRenewalAndRelease(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ids := addJobs(t, s, 4, func(int) time.Time { return t0 })
	lease := 10 * time.Second
	mine, err := s.ClaimJobs(ctx, "w1", t0, lease, 3)
	if err != nil || len(mine) != 3 {
		t.Fatalf("claim: %v, %v", mine, err)
	}
	held := []int64{mine[0].ID, mine[1].ID, mine[2].ID}

	// Renewed before it ran out, the lease outlives its first term, and
	// nobody else can claim the jobs meanwhile.
	if lost, err := s.RenewLeases(ctx, "w1", held, t0.Add(3*lease)); err != nil || len(lost) != 0 {
		t.Fatalf("RenewLeases: lost %v, err %v", lost, err)
	}
	late := t0.Add(2 * lease) // past the first term, within the renewed one
	if got, err := s.ClaimJobs(ctx, "w2", late, lease, 10); err != nil || len(got) != 1 || got[0].ID != ids[3] {
		t.Fatalf("w2 claimed %v (err %v); want only the unclaimed job %d", got, err, ids[3])
	}

	if err := s.FailJob(ctx, held[1], "w1", "550", late); err != nil {
		t.Fatal(err)
	}
	// Renewing reports what is no longer ours: the failed job, w2's job.
	lost, err := s.RenewLeases(ctx, "w1", []int64{held[0], held[1], ids[3]}, late.Add(lease))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lost)
	if want := []int64{held[1], ids[3]}; !slices.Equal(lost, want) {
		t.Errorf("RenewLeases lost %v, want %v", lost, want)
	}
	if lost, err := s.RenewLeases(ctx, "w1", nil, late); err != nil || len(lost) != 0 {
		t.Errorf("RenewLeases(nil) = %v, %v", lost, err)
	}

	// w1 restarts as w3 and owns the store alone: every claim but its own
	// is freed and due at once, a settled job stays settled.
	if _, err := s.ClaimJobs(ctx, "w3", t0.Add(100*lease), lease, 0); err != nil {
		t.Fatal(err)
	}
	n, err := s.ReleaseClaims(ctx, "w3")
	if err != nil || n != 3 {
		t.Fatalf("ReleaseClaims = %d, %v; want 3 (w1's two pending jobs and w2's one)", n, err)
	}
	got, err := s.ClaimJobs(ctx, "w3", late, lease, 10)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []int64
	for _, j := range got {
		gotIDs = append(gotIDs, j.ID)
	}
	slices.Sort(gotIDs)
	if want := []int64{held[0], held[2], ids[3]}; !slices.Equal(gotIDs, want) {
		t.Errorf("after ReleaseClaims w3 claims %v at once, want %v", gotIDs, want)
	}
	if n, err := s.ReleaseClaims(ctx, "w3"); err != nil || n != 0 {
		t.Errorf("ReleaseClaims keeping w3's own claims = %d, %v; want 0", n, err)
	}
	if j := jobByID(t, s, held[1]); j.State != inquiry.JobFailed {
		t.Errorf("failed job after ReleaseClaims: %s", j.State)
	}
}

func testJobByMessageID(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	tickets := createTickets(t, s, 1)
	var notify, done int64
	inTx(t, s, func(tx store.Tx) error {
		jobs := []*inquiry.Job{
			{TicketID: tickets[0], Kind: inquiry.JobNotify, Recipient: "jusuf", NextAt: t0, CreatedAt: t0,
				Mail: &inquiry.Mail{MessageID: "sportel.notify.1@mkrs.example", Date: t0, Subject: "[DKP-2026-000001] kërkesë", Text: "Tiketë e re"}},
			{TicketID: tickets[0], Kind: inquiry.JobNotify, Recipient: "jusuf", NextAt: t0, CreatedAt: t0,
				Chat: &inquiry.ChatMessage{ChatID: 7, Text: "Tiketë e re"}},
			{Kind: inquiry.JobQuarantined, Recipient: "zamira", State: inquiry.JobDone, NextAt: t0, CreatedAt: t0, FinishedAt: t0,
				Mail: &inquiry.Mail{MessageID: "sportel.quarantine.1@mkrs.example", Date: t0}},
		}
		for _, j := range jobs {
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		notify, done = jobs[0].ID, jobs[2].ID
		return nil
	})
	cases := []struct {
		name  string
		id    string
		want  int64
		found bool
	}{
		{"a pending notification", "sportel.notify.1@mkrs.example", notify, true},
		{"a finished job of no ticket", "sportel.quarantine.1@mkrs.example", done, true},
		{"unknown", "nope@mkrs.example", 0, false},
		{"empty: a chat job has no Message-ID", "", 0, false},
	}
	inTx(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			j, ok, err := tx.JobByMessageID(c.id)
			if err != nil {
				return err
			}
			if ok != c.found || j.ID != c.want {
				t.Errorf("%s: JobByMessageID(%q) = job %d, %v; want %d, %v", c.name, c.id, j.ID, ok, c.want, c.found)
			}
			if ok && j.ID == notify && (j.Mail == nil || j.Mail.Text != "Tiketë e re" || j.Recipient != "jusuf" || j.Kind != inquiry.JobNotify) {
				t.Errorf("%s: the job does not round-trip: %+v", c.name, j)
			}
		}
		return nil
	})
}

// testClaimJobsByTransport: ClaimJobsBy claims only the jobs that go out
// by its transport (a mail, or a Telegram message), in ClaimJobs' order,
// counting the attempt, and leaves the others due and unclaimed as they
// were: the outbox claims so while the mail relay fails.
func testClaimJobsByTransport(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	// Mail and chat jobs interleaved by due time; the last of each is not
	// due yet.
	type spec struct {
		chat bool
		due  time.Duration
	}
	specs := []spec{{false, 3 * time.Second}, {true, 2 * time.Second}, {false, time.Second}, {true, 4 * time.Second},
		{true, time.Second}, {false, 2 * time.Second}, {true, time.Hour}, {false, time.Hour}}
	ids := make([]int64, len(specs))
	inTx(t, s, func(tx store.Tx) error {
		for i, sp := range specs {
			j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d", i), NextAt: t0.Add(sp.due), CreatedAt: t0}
			if sp.chat {
				j.Chat = &inquiry.ChatMessage{ChatID: int64(100 + i), Text: "x"}
			} else {
				j.Mail = &inquiry.Mail{MessageID: fmt.Sprintf("by%d@sportel", i), Date: t0, Text: "x"}
			}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids[i] = j.ID
		}
		return nil
	})
	now := t0.Add(time.Minute)
	const lease = 24 * time.Hour
	claimedIDs := func(jobs []inquiry.Job) []int64 {
		var out []int64
		for _, j := range jobs {
			out = append(out, j.ID)
		}
		return out
	}
	tests := []struct {
		name      string
		transport store.Transport
		limit     int
		want      []int64
		wantChat  bool
	}{
		{"chat, first two by due time", store.TransportChat, 2, []int64{ids[4], ids[1]}, true},
		{"chat, the rest that is due", store.TransportChat, 10, []int64{ids[3]}, true},
		{"chat, none left due", store.TransportChat, 10, nil, true},
		{"mail, first by due time", store.TransportMail, 1, []int64{ids[2]}, false},
		{"mail, the rest that is due", store.TransportMail, 10, []int64{ids[5], ids[0]}, false},
		{"mail, none left due", store.TransportMail, 10, nil, false},
	}
	for _, tt := range tests {
		jobs, err := s.ClaimJobsBy(ctx, "w", now, lease, tt.limit, tt.transport)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := claimedIDs(jobs); !slices.Equal(got, tt.want) {
			t.Errorf("%s: claimed %v, want %v", tt.name, got, tt.want)
		}
		for _, j := range jobs {
			if (j.Chat != nil) != tt.wantChat || (j.Mail != nil) == tt.wantChat || j.Attempts != 1 {
				t.Errorf("%s: job %d came back with chat %v, mail %v, %d attempts; want the %v and 1 attempt",
					tt.name, j.ID, j.Chat != nil, j.Mail != nil, j.Attempts, tt.transport)
			}
		}
		if tt.name == "chat, none left due" {
			// The chat claims left the mail due and unclaimed.
			for _, i := range []int{0, 2, 5} {
				if j := jobByID(t, s, ids[i]); j.Attempts != 0 {
					t.Errorf("mail job %d has %d attempts after chat claims, want 0", ids[i], j.Attempts)
				}
			}
			if jobs, err := s.ClaimJobs(ctx, "w2", now, lease, 1); err != nil || len(jobs) != 1 || jobs[0].ID != ids[2] {
				t.Fatalf("ClaimJobs after the chat claims = %v, %v; want mail job %d", claimedIDs(jobs), err, ids[2])
			}
			if err := s.ReleaseJob(ctx, ids[2], "w2"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A live lease keeps a job from a claim by transport too; run out, it
	// is claimable again.
	later := now.Add(2 * lease)
	jobs, err := s.ClaimJobsBy(ctx, "w3", later, lease, 10, store.TransportChat)
	if want := []int64{ids[4], ids[1], ids[3], ids[6]}; err != nil || !slices.Equal(claimedIDs(jobs), want) {
		t.Errorf("chat claim after the leases ran out = %v, %v; want %v", claimedIDs(jobs), err, want)
	}
	if _, err := s.ClaimJobsBy(ctx, "w3", later, lease, 10, store.Transport(0)); err == nil {
		t.Error("ClaimJobsBy of an unknown transport: no error")
	}
}
