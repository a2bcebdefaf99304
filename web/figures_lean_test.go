package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/report"
	"sportel/store"
	"sportel/store/storetest"
)

// The figures page and its downloads read only the year's tickets, and
// show what they showed when they read every ticket ever filed: on four
// years of use, with requests a nanosecond either side of each new year
// in the workspace's calendar (a ticket at 23:30 UTC on 31 December is
// January's in Belgrade), for this year and past ones, on each driver.
func TestFiguresSameAsFromEveryTicket(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	years := []int{2026, 2025, 2023, 2022}
	for _, drv := range drivers {
		t.Run(drv.Name, func(t *testing.T) {
			st := drv.Open(t)
			storetest.FillHistory(t, st, 2000, now.AddDate(-4, 0, 0), now)
			err := st.WithTx(context.Background(), func(tx store.Tx) error {
				for y := 2022; y <= 2026; y++ {
					newYear := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
					for k, at := range []time.Time{newYear.Add(-time.Nanosecond), newYear, newYear.Add(time.Nanosecond)} {
						tk := &inquiry.Ticket{Number: fmt.Sprintf("EDG-%d-%06d", y, k), Channel: inquiry.ChannelTelegram, ChatID: 7,
							Category: inquiry.DocumentRequest, OfficerID: "jusuf", State: inquiry.Closed, Outcome: inquiry.Refused, Ground: "personal_data",
							ReceivedAt: at, DueAt: at.Add(7 * 24 * time.Hour), DecidedAt: at.Add(time.Duration(k+1) * 24 * time.Hour),
							ClosedAt: at.Add(9 * 24 * time.Hour), UpdatedAt: at.Add(9 * 24 * time.Hour)}
						if err := tx.CreateTicket(tk); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			rec := &readRecorder{Store: st, t: t}
			s, tok := figuresServer(t, rec, loc, now)
			all, err := st.ListTickets(context.Background(), inquiry.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, year := range years {
				t.Run(fmt.Sprint(year), func(t *testing.T) {
					rec.reset()
					rep, weekly, err := s.yearFigures(context.Background(), year)
					if err != nil {
						t.Fatal(err)
					}
					if rec.reads != 1 || rec.n >= len(all)/2 {
						t.Errorf("%d reads handed over %d of %d tickets for one year of four, want one read of the year's", rec.reads, rec.n, len(all))
					}
					want := report.AccessDocuments(all, year, loc, now)
					want.GroundLabels = map[string]string{"personal_data": "të dhëna personale"}
					if want.Received == 0 || want.RefusalGrounds["personal_data"] == 0 {
						t.Fatalf("nothing to compare in %d: %+v", year, want)
					}
					if !reflect.DeepEqual(rep, want) {
						t.Errorf("access report differs from the one read from every ticket:\n%+v\nwant\n%+v", rep, want)
					}
					first, last := s.yearSpan(year)
					wantWeekly := report.Weekly(all, first, last, loc)
					if !reflect.DeepEqual(weekly, wantWeekly) {
						t.Errorf("weekly volumes differ from those read from every ticket:\n%+v\nwant\n%+v", weekly, wantWeekly)
					}
					// The downloads, as served, byte for byte.
					wantFiles := map[string]func(*bytes.Buffer) error{
						"access-%d.csv":  func(b *bytes.Buffer) error { return want.Write(b, "csv") },
						"access-%d.html": func(b *bytes.Buffer) error { return want.Write(b, "html") },
						"weekly-%d.csv":  func(b *bytes.Buffer) error { return wantWeekly.WriteCSV(b) },
					}
					for name, write := range wantFiles {
						file := fmt.Sprintf(name, year)
						var b bytes.Buffer
						if err := write(&b); err != nil {
							t.Fatal(err)
						}
						r := httptest.NewRequest(http.MethodGet, "/figures/"+file, nil)
						r.AddCookie(&http.Cookie{Name: s.cookieName(sessionCookie), Value: tok})
						w := httptest.NewRecorder()
						s.ServeHTTP(w, r)
						if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), b.Bytes()) {
							t.Errorf("GET /figures/%s = %d, differs from the one read from every ticket:\n%s\nwant\n%s", file, w.Code, w.Body, b.String())
						}
					}
				})
			}
		})
	}
}

// readRecorder is a store that counts what the figures read through
// EachTicket, and fails the test on a read that would hand the year over
// as one slice (ListTickets).
type readRecorder struct {
	store.Store
	t testing.TB
	// each, when set, sees each ticket before the figures do, and its
	// number in the read (from 1).
	each func(n int, tk *inquiry.Ticket)

	mu       sync.Mutex
	reads, n int
}

func (r *readRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads, r.n = 0, 0
}

func (r *readRecorder) ListTickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	r.t.Errorf("the tickets were read into a slice: ListTickets(%+v)", f)
	return r.Store.ListTickets(ctx, f)
}

func (r *readRecorder) EachTicket(ctx context.Context, f inquiry.TicketFilter, fn func(inquiry.Ticket) error) error {
	r.mu.Lock()
	r.reads++
	r.mu.Unlock()
	n := 0
	return r.Store.EachTicket(ctx, f, func(tk inquiry.Ticket) error {
		n++
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		if r.each != nil {
			r.each(n, &tk)
		}
		return fn(tk)
	})
}

// The figures page and its downloads hold one ticket at a time, not the
// year's: with each ticket handed over carrying a subject of 64 KiB (which
// no figure counts), the live heap grows by less than 4 MiB while 300
// tickets are read, where holding them would take 19 MiB. On each driver,
// for the page and both CSV files. Not parallel: the heap is the
// process's.
func TestFiguresHoldOneTicketAtATime(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	const (
		tickets   = 300
		subject   = 64 << 10
		maxGrowth = 4 << 20
	)
	for _, drv := range drivers {
		t.Run(drv.Name, func(t *testing.T) {
			st := drv.Open(t)
			storetest.FillHistory(t, st, tickets, time.Date(2026, 1, 1, 0, 0, 0, 0, loc), now.Add(-time.Hour))
			var base uint64
			var growth int64
			heap := func() uint64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return m.HeapAlloc
			}
			rec := &readRecorder{Store: st, t: t, each: func(n int, tk *inquiry.Ticket) {
				tk.Subject = strings.Repeat(string(rune('a'+n%26)), subject)
				switch {
				case n == 1:
					base = heap()
				case n%25 == 0:
					growth = max(growth, int64(heap())-int64(base))
				}
			}}
			s, tok := figuresServer(t, rec, loc, now)
			for _, path := range []string{"/figures?year=2026", "/figures/weekly-2026.csv", "/figures/access-2026.csv"} {
				t.Run(path, func(t *testing.T) {
					rec.reset()
					growth = 0
					r := httptest.NewRequest(http.MethodGet, path, nil)
					r.AddCookie(&http.Cookie{Name: s.cookieName(sessionCookie), Value: tok})
					w := httptest.NewRecorder()
					s.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						t.Fatalf("GET %s = %d\n%s", path, w.Code, w.Body)
					}
					if rec.n < tickets {
						t.Fatalf("the read handed over %d tickets, want the year's %d", rec.n, tickets)
					}
					if growth >= maxGrowth {
						t.Errorf("the live heap grew by %d KiB while %d tickets of %d KiB each were read, want under %d KiB",
							growth>>10, rec.n, subject>>10, maxGrowth>>10)
					}
				})
			}
		})
	}
}
