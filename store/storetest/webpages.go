package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// fileAt files one ticket per received time, numbered from DKP-2026-<from>,
// closed when closed says so (by index), and returns their numbers.
func fileAt(t *testing.T, s store.Store, from int, received []time.Time, closed func(i int) bool) []string {
	t.Helper()
	numbers := make([]string, len(received))
	inTx(t, s, func(tx store.Tx) error {
		for i, at := range received {
			tk := newTicket(fmt.Sprintf("DKP-2026-%06d", from+i), at)
			if closed != nil && closed(i) {
				tk.State = inquiry.Closed
			}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
			numbers[i] = tk.Number
		}
		return nil
	})
	return numbers
}

// pageOf reads one page, failing the test on an error.
func pageOf(t *testing.T, s store.Store, f inquiry.TicketFilter, at store.PageAt) store.TicketPage {
	t.Helper()
	pg, err := s.ListTicketPage(context.Background(), f, at)
	if err != nil {
		t.Fatalf("ListTicketPage(%+v): %v", at, err)
	}
	return pg
}

// walk reads f's list a page of size at a time, forward from its start or
// backward from its end, and returns the numbers in the list's order, each
// page's Ahead and Total checked against what came before it.
func walk(t *testing.T, s store.Store, f inquiry.TicketFilter, size int, back bool) []string {
	t.Helper()
	var pages [][]inquiry.Ticket
	at := store.PageAt{Size: size, Back: back}
	for range 100 {
		pg := pageOf(t, s, f, at)
		if len(pg.Tickets) == 0 {
			break
		}
		if len(pg.Tickets) > size {
			t.Fatalf("a page of %d holds %d tickets", size, len(pg.Tickets))
		}
		pages = append(pages, pg.Tickets)
		edge := pg.Tickets[len(pg.Tickets)-1]
		if back {
			edge = pg.Tickets[0]
		}
		key := store.KeyOf(edge)
		at.Key = &key
	}
	if back {
		slices.Reverse(pages)
	}
	var out []string
	for _, p := range pages {
		out = append(out, ticketNumbers(p)...)
	}
	return out
}

// A list read a page at a time, from a place in it, holds what ListTickets
// holds, in its order, both ways; each page says how many come before it
// and in all.
func testWebTicketPages(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	// Ten tickets a nanosecond or an hour apart, three received at the
	// same instant (the ID breaks the tie), every third closed.
	var received []time.Time
	for i := range 10 {
		at := t0.Add(time.Duration(i) * time.Hour)
		switch i {
		case 4, 5:
			at = t0.Add(3 * time.Hour)
		case 8:
			at = t0.Add(7*time.Hour + time.Nanosecond)
		}
		received = append(received, at)
	}
	fileAt(t, s, 1, received, func(i int) bool { return i%3 == 2 })
	openStates := []inquiry.State{inquiry.Assigned, inquiry.Answered}
	filters := []struct {
		name string
		f    inquiry.TicketFilter
	}{
		{"oldest first", inquiry.TicketFilter{}},
		{"newest first", inquiry.TicketFilter{NewestFirst: true}},
		{"open, oldest first", inquiry.TicketFilter{States: openStates}},
		{"closed, newest first", inquiry.TicketFilter{States: []inquiry.State{inquiry.Closed}, NewestFirst: true}},
		{"nothing matches", inquiry.TicketFilter{OfficerID: "nobody"}},
	}
	for _, fc := range filters {
		t.Run(fc.name, func(t *testing.T) {
			all, err := s.ListTickets(ctx, fc.f)
			if err != nil {
				t.Fatal(err)
			}
			want := ticketNumbers(all)
			for _, size := range []int{1, 3, 4, 20} {
				if got := walk(t, s, fc.f, size, false); !slices.Equal(got, want) {
					t.Errorf("forward by %d: %v, want %v", size, got, want)
				}
				if got := walk(t, s, fc.f, size, true); !slices.Equal(got, want) {
					t.Errorf("backward by %d: %v, want %v", size, got, want)
				}
			}
			// Every page says where it stands: from each ticket, both ways.
			for i, tk := range all {
				key := store.KeyOf(tk)
				after := pageOf(t, s, fc.f, store.PageAt{Key: &key, Size: 2})
				wantAfter := want[i+1 : min(i+3, len(want))]
				if got := ticketNumbers(after.Tickets); !slices.Equal(got, wantAfter) || after.Ahead != min(i+1, len(want)) || after.Total != len(want) {
					t.Errorf("after %s: %v, %d ahead of %d; want %v, %d of %d", tk.Number, got, after.Ahead, after.Total, wantAfter, min(i+1, len(want)), len(want))
				}
				before := pageOf(t, s, fc.f, store.PageAt{Key: &key, Back: true, Size: 2})
				wantBefore := want[max(i-2, 0):i]
				if got := ticketNumbers(before.Tickets); !slices.Equal(got, wantBefore) || before.Ahead != max(i-2, 0) || before.Total != len(want) {
					t.Errorf("before %s: %v, %d ahead of %d; want %v, %d of %d", tk.Number, got, before.Ahead, before.Total, wantBefore, max(i-2, 0), len(want))
				}
			}
			// The first page and the last.
			first := pageOf(t, s, fc.f, store.PageAt{Size: 4})
			if got := ticketNumbers(first.Tickets); !slices.Equal(got, want[:min(4, len(want))]) || first.Ahead != 0 || first.Total != len(want) {
				t.Errorf("first page: %v, %d ahead of %d", got, first.Ahead, first.Total)
			}
			last := pageOf(t, s, fc.f, store.PageAt{Back: true, Size: 4})
			if got := ticketNumbers(last.Tickets); !slices.Equal(got, want[max(len(want)-4, 0):]) || last.Ahead != max(len(want)-4, 0) || last.Total != len(want) {
				t.Errorf("last page: %v, %d ahead of %d", got, last.Ahead, last.Total)
			}
		})
	}

	// A place past either end: an empty page, the whole list before it or
	// none.
	end := store.TicketKey{ReceivedAt: t0.Add(100 * time.Hour), ID: 1 << 40}
	if pg := pageOf(t, s, inquiry.TicketFilter{}, store.PageAt{Key: &end, Size: 3}); len(pg.Tickets) != 0 || pg.Ahead != 10 || pg.Total != 10 {
		t.Errorf("after the end: %v, %d ahead of %d; want none, 10 of 10", ticketNumbers(pg.Tickets), pg.Ahead, pg.Total)
	}
	start := store.TicketKey{ReceivedAt: t0.Add(-time.Hour)}
	if pg := pageOf(t, s, inquiry.TicketFilter{}, store.PageAt{Key: &start, Back: true, Size: 3}); len(pg.Tickets) != 0 || pg.Ahead != 0 || pg.Total != 10 {
		t.Errorf("before the start: %v, %d ahead of %d; want none, 0 of 10", ticketNumbers(pg.Tickets), pg.Ahead, pg.Total)
	}
	if _, err := s.ListTicketPage(ctx, inquiry.TicketFilter{}, store.PageAt{}); err == nil {
		t.Error("a page of no size was read")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.ListTicketPage(cancelled, inquiry.TicketFilter{}, store.PageAt{Size: 3}); !errors.Is(err, context.Canceled) {
		t.Errorf("with a cancelled ctx: err = %v, want context.Canceled", err)
	}
}

// Tickets that arrive, and tickets that leave the list, between one page
// and the next neither bring a ticket of the first page back on the next
// nor push one of the list past it unseen: the next page starts after the
// first's last ticket, wherever that now stands (an offset would have
// shifted by as many as came or went ahead of it).
func testWebTicketPagesWhileTicketsArrive(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	openStates := []inquiry.State{inquiry.Assigned, inquiry.Answered}
	cases := []struct {
		name string
		f    inquiry.TicketFilter
	}{
		// Newest first: what arrives comes ahead of the page read.
		{"newest first", inquiry.TicketFilter{NewestFirst: true}},
		// The open queue, oldest first: what is closed leaves ahead of it.
		{"open, oldest first", inquiry.TicketFilter{States: openStates}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			var received []time.Time
			for i := range 12 {
				received = append(received, t0.Add(time.Duration(i)*time.Hour))
			}
			fileAt(t, s, 1, received, nil)
			before, err := s.ListTickets(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			const size = 5
			page1 := pageOf(t, s, c.f, store.PageAt{Size: size})
			if len(page1.Tickets) != size {
				t.Fatalf("first page: %d tickets", len(page1.Tickets))
			}
			// Between the pages: four arrive (newer than all, older than
			// all, one at the very instant of the first page's last), and
			// two of the first page are closed.
			lastKey := store.KeyOf(page1.Tickets[size-1])
			arrived := fileAt(t, s, 100, []time.Time{t0.Add(30 * time.Hour), t0.Add(31 * time.Hour), t0.Add(-time.Hour), lastKey.ReceivedAt}, nil)
			inTx(t, s, func(tx store.Tx) error {
				for _, tk := range page1.Tickets[:2] {
					tk.State = inquiry.Closed
					if err := tx.UpdateTicket(&tk); err != nil {
						return err
					}
				}
				return nil
			})
			seen := map[string]int{}
			for _, n := range ticketNumbers(page1.Tickets) {
				seen[n]++
			}
			at := store.PageAt{Key: &lastKey, Size: size}
			for range 10 {
				pg := pageOf(t, s, c.f, at)
				if len(pg.Tickets) == 0 {
					break
				}
				for _, n := range ticketNumbers(pg.Tickets) {
					seen[n]++
				}
				key := store.KeyOf(pg.Tickets[len(pg.Tickets)-1])
				at.Key = &key
			}
			for n, times := range seen {
				if times > 1 {
					t.Errorf("%s shown %d times", n, times)
				}
			}
			// Every ticket of the list when the first page was read, and
			// still in it, is on a page.
			for _, tk := range before {
				if seen[tk.Number] == 0 {
					t.Errorf("%s, in the list all along, is on no page", tk.Number)
				}
			}
			// What arrived after the place read comes on a later page; what
			// arrived ahead of it is for the first page, read again.
			now, err := s.ListTickets(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range arrived {
				i := slices.Index(ticketNumbers(now), n)
				j := slices.IndexFunc(now, func(tk inquiry.Ticket) bool { return store.KeyOf(tk) == lastKey })
				if after := i > j && j >= 0; after != (seen[n] == 1) {
					t.Errorf("%s, arrived at place %d (the first page ended at %d), seen %d times", n, i, j, seen[n])
				}
			}
		})
	}
}
