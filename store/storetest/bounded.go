package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// Reads bounded by a period: the reports read the tickets received in it
// one at a time (EachTicket), the daily digest the sends that failed in its
// window (FailedJobs), since tickets and failed jobs are kept for years.

// EachTicket hands over exactly what ListTickets returns for the same
// filter, in its order, to the nanosecond at a period's edges; fn's error
// ends the read and comes back as it was; a cancelled context fails it.
func testEachTicket(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	from, before := t0, t0.Add(24*time.Hour)
	received := []time.Time{
		from.Add(-time.Nanosecond), from, from.Add(time.Hour), from.Add(time.Hour), // two at once: ID breaks the tie
		before.Add(-time.Nanosecond), before, from.AddDate(-3, 0, 0), before.AddDate(2, 0, 0),
	}
	inTx(t, s, func(tx store.Tx) error {
		for i, at := range received {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), at.In(cet))
			if i%2 == 1 {
				tk.Category, tk.State = inquiry.PressInquiry, inquiry.Closed
			}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
		}
		return nil
	})
	each := func(t *testing.T, f inquiry.TicketFilter) []inquiry.Ticket {
		t.Helper()
		var got []inquiry.Ticket
		if err := s.EachTicket(ctx, f, func(tk inquiry.Ticket) error {
			got = append(got, tk)
			return nil
		}); err != nil {
			t.Fatalf("EachTicket(%+v): %v", f, err)
		}
		return got
	}
	cases := []struct {
		name   string
		filter inquiry.TicketFilter
		want   []string // numbers, in order
	}{
		{"the period", inquiry.TicketFilter{ReceivedFrom: from, ReceivedBefore: before},
			[]string{"DKP-2026-000002", "DKP-2026-000003", "DKP-2026-000004", "DKP-2026-000005"}},
		{"the period, one category", inquiry.TicketFilter{ReceivedFrom: from, ReceivedBefore: before, Category: inquiry.PressInquiry},
			[]string{"DKP-2026-000002", "DKP-2026-000004"}},
		{"from only", inquiry.TicketFilter{ReceivedFrom: before}, []string{"DKP-2026-000006", "DKP-2026-000008"}},
		{"everything", inquiry.TicketFilter{}, []string{"DKP-2026-000007", "DKP-2026-000001", "DKP-2026-000002",
			"DKP-2026-000003", "DKP-2026-000004", "DKP-2026-000005", "DKP-2026-000006", "DKP-2026-000008"}},
		{"newest first, the first two", inquiry.TicketFilter{NewestFirst: true, Limit: 2}, []string{"DKP-2026-000008", "DKP-2026-000006"}},
		{"nothing", inquiry.TicketFilter{ReceivedFrom: before.AddDate(5, 0, 0)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := each(t, c.filter)
			var numbers []string
			for _, tk := range got {
				numbers = append(numbers, tk.Number)
			}
			if !reflect.DeepEqual(numbers, c.want) {
				t.Errorf("EachTicket(%+v) = %v, want %v", c.filter, numbers, c.want)
			}
			listed, err := s.ListTickets(ctx, c.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, listed) {
				t.Errorf("EachTicket(%+v) and ListTickets differ:\n%+v\n%+v", c.filter, got, listed)
			}
		})
	}

	// fn's error stops the read at once and is returned unchanged.
	stop := errors.New("enough")
	calls := 0
	err := s.EachTicket(ctx, inquiry.TicketFilter{}, func(inquiry.Ticket) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("EachTicket with fn failing: %v after %d calls, want %v after 1", err, calls, stop)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	calls = 0
	if err := s.EachTicket(cancelled, inquiry.TicketFilter{}, func(inquiry.Ticket) error { calls++; return nil }); err == nil || calls != 0 {
		t.Errorf("EachTicket on a cancelled context: %v after %d calls, want an error and none", err, calls)
	}
}

// testEachTicketLocalYear: a year of the division's is bounded by its
// midnights, given in its zone; the store compares instants, so a ticket
// received at half past midnight on 1 January there (the evening before
// in UTC) is the new year's, and one a nanosecond before its midnight the
// old year's, on every driver.
func testEachTicketLocalYear(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	newYear := time.Date(2026, 1, 1, 0, 0, 0, 0, cet)
	received := []time.Time{
		newYear.Add(-time.Nanosecond),                   // 2025 locally, 22:59:59.999999999 UTC
		newYear,                                         // 2026, 23:00 UTC on 31 December
		newYear.Add(30 * time.Minute).UTC(),             // 2026, given in UTC
		newYear.AddDate(1, 0, 0).Add(-time.Microsecond), // 2026's last microsecond
		newYear.AddDate(1, 0, 0),                        // 2027
	}
	inTx(t, s, func(tx store.Tx) error {
		for i, at := range received {
			if err := tx.CreateTicket(newTicket(fmt.Sprintf("DKP-2026-%06d", i+1), at)); err != nil {
				return err
			}
		}
		return nil
	})
	f := inquiry.TicketFilter{ReceivedFrom: newYear, ReceivedBefore: newYear.AddDate(1, 0, 0)}
	var got []string
	err := s.EachTicket(ctx, f, func(tk inquiry.Ticket) error {
		got = append(got, tk.Number)
		if tk.ReceivedAt.Location() != time.UTC {
			t.Errorf("%s received at %v, want UTC", tk.Number, tk.ReceivedAt)
		}
		return nil
	})
	want := []string{"DKP-2026-000002", "DKP-2026-000003", "DKP-2026-000004"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("EachTicket(local year 2026) = %v, %v; want %v", got, err, want)
	}
}

// FailedJobs counts the sends failed for good in [from, before), to the
// nanosecond, and lists the first limit of them by when they failed, the
// newest job first among those that failed at once; done, cancelled and
// pending jobs, and failures outside the window, are left out.
func testFailedJobs(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	from, before := t0, t0.Add(24*time.Hour)
	if jobs, n, err := s.FailedJobs(ctx, from, before, 0); err != nil || n != 0 || len(jobs) != 0 {
		t.Fatalf("FailedJobs on a fresh store = %v, %d, %v", jobs, n, err)
	}
	type spec struct {
		state    inquiry.JobState
		finished time.Time
	}
	specs := []spec{
		{inquiry.JobFailed, from.Add(-time.Nanosecond)}, // 0: just before
		{inquiry.JobFailed, from.Add(3 * time.Hour)},    // 1
		{inquiry.JobFailed, from},                       // 2: at the start: in
		{inquiry.JobFailed, from.Add(3 * time.Hour)},    // 3: failed with 1 in one pass
		{inquiry.JobDone, from.Add(time.Hour)},          // 4
		{inquiry.JobCancelled, from.Add(time.Hour)},     // 5
		{inquiry.JobPending, time.Time{}},               // 6
		{inquiry.JobFailed, before.Add(-time.Nanosecond)},
		{inquiry.JobFailed, before},                  // 8: at the end: out
		{inquiry.JobFailed, from.AddDate(-4, 0, 0)},  // 9: years ago
		{inquiry.JobFailed, from.Add(2 * time.Hour)}, // 10
	}
	ids := make([]int64, len(specs))
	inTx(t, s, func(tx store.Tx) error {
		for i, sp := range specs {
			j := &inquiry.Job{Kind: inquiry.JobAck, Recipient: fmt.Sprintf("r%d@x", i), State: sp.state, Attempts: 8,
				NextAt: from.AddDate(0, 0, -5), CreatedAt: from.AddDate(0, 0, -5), FinishedAt: sp.finished.In(cet), LastError: "550 no such user",
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("failed%d@sportel", i), Date: t0, Text: "x"}}
			if err := tx.AddJob(j); err != nil {
				return err
			}
			ids[i] = j.ID
		}
		return nil
	})
	order := []int{2, 10, 3, 1, 7} // by when they failed; 3 before 1, the newer job first
	for _, limit := range []int{0, 1, 3, 5, 50} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			jobs, n, err := s.FailedJobs(ctx, from.In(cet), before, limit)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(order) {
				t.Errorf("FailedJobs counts %d, want %d", n, len(order))
			}
			want := order
			if limit > 0 {
				want = order[:min(limit, len(order))]
			}
			if len(jobs) != len(want) {
				t.Fatalf("FailedJobs lists %d jobs, want %d", len(jobs), len(want))
			}
			for k, j := range jobs {
				sp := specs[want[k]]
				if j.ID != ids[want[k]] || j.State != inquiry.JobFailed || !j.FinishedAt.Equal(sp.finished) ||
					j.LastError != "550 no such user" || j.Mail == nil || j.Mail.MessageID != fmt.Sprintf("failed%d@sportel", want[k]) {
					t.Errorf("FailedJobs[%d] = job %d (%s, finished %v, %+v), want job %d finished %v",
						k, j.ID, j.State, j.FinishedAt, j.Mail, ids[want[k]], sp.finished)
				}
			}
		})
	}
	// The four-year-old failure is in a window of its own.
	if jobs, n, err := s.FailedJobs(ctx, from.AddDate(-4, 0, 0), from.AddDate(-4, 0, 1), 10); err != nil || n != 1 || len(jobs) != 1 || jobs[0].ID != ids[9] {
		t.Errorf("FailedJobs four years ago = %v, %d, %v; want job %d", jobs, n, err, ids[9])
	}
	// A job requeued is no longer a failure (RequeueFailed clears it).
	if _, err := s.RequeueFailed(ctx, []int64{ids[2]}, before); err != nil {
		t.Fatal(err)
	}
	if jobs, n, err := s.FailedJobs(ctx, from, before, 1); err != nil || n != len(order)-1 || len(jobs) != 1 || jobs[0].ID != ids[10] {
		t.Errorf("FailedJobs after a requeue = %v, %d, %v; want %d, job %d first", jobs, n, err, len(order)-1, ids[10])
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := s.FailedJobs(cancelled, from, before, 0); err == nil {
		t.Error("FailedJobs on a cancelled context succeeded")
	}
}
