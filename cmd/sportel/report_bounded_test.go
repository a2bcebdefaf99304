package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"sportel/config"
	"sportel/inquiry"
	"sportel/report"
	"sportel/store"
	"sportel/store/drivers"
	"sportel/store/storetest"
)

// readRecorder is a store whose EachTicket notes what it handed over.
type readRecorder struct {
	store.Store
	n              int
	first, last    time.Time
	wholeStoreRead bool
}

func (r *readRecorder) EachTicket(ctx context.Context, f inquiry.TicketFilter, fn func(inquiry.Ticket) error) error {
	if f.ReceivedFrom.IsZero() || f.ReceivedBefore.IsZero() {
		r.wholeStoreRead = true
	}
	return r.Store.EachTicket(ctx, f, func(t inquiry.Ticket) error {
		if r.n == 0 || t.ReceivedAt.Before(r.first) {
			r.first = t.ReceivedAt
		}
		if t.ReceivedAt.After(r.last) {
			r.last = t.ReceivedAt
		}
		r.n++
		return fn(t)
	})
}

// reportWriter is any of the reports.
type reportWriter interface {
	Write(w io.Writer, format string) error
}

// A store with years of tickets gives, read period by period, the reports
// it gave when every ticket was read and the reports picked theirs: the
// annual report of each year (requests at the turn of a year in Belgrade,
// one received in a year and decided in the next, a not-held notice),
// the inbox over a quarter across a new year, over one day of a clock
// change and over all the years, the weekly volumes of a year; through the
// command, on each driver. Each read is of the period's tickets only.
func TestReportsReadOnlyTheirPeriod(t *testing.T) {
	loc, err := time.LoadLocation(config.Default().Tickets.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	stores := []struct {
		name string
		open func(t *testing.T) (store.Store, []string) // the store, and the flag that names it
	}{
		{"sqlite", func(t *testing.T) (store.Store, []string) {
			path := filepath.Join(t.TempDir(), "sportel.db")
			st, err := drivers.Open(context.Background(), drivers.Options{Driver: "sqlite", DSN: path})
			if err != nil {
				t.Fatal(err)
			}
			return st, []string{"--db", path}
		}},
		{"postgres", func(t *testing.T) (store.Store, []string) {
			dsn := cluster.Database(t)
			st, err := drivers.Open(context.Background(), drivers.Options{Driver: "postgres", DSN: dsn})
			if err != nil {
				t.Fatal(err)
			}
			return st, []string{"--dsn", dsn}
		}},
	}
	labels := map[string]string{}
	for _, g := range config.Default().Tickets.RefusalGrounds {
		labels[g.ID] = g.Label.SQ
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	// The history ends in the past, so every deadline has passed for the
	// test's now and the command's alike.
	histFrom, histTo := day(2021, 3, 1), day(2025, 9, 1)
	for _, sd := range stores {
		t.Run(sd.name, func(t *testing.T) {
			ctx := context.Background()
			st, flag := sd.open(t)
			defer st.Close()
			h := storetest.FillHistory(t, st, 2500, histFrom, histTo)
			fileEdgeTickets(t, st, loc)
			all, err := st.ListTickets(ctx, inquiry.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != h.Tickets+5 {
				t.Fatalf("%d tickets in the store, want %d", len(all), h.Tickets+5)
			}
			now := time.Now()
			type kase struct {
				name        string
				first, last time.Time
				command     []string // nil: no command prints it
				want        func() reportWriter
				counter     func() (ticketCounter, func() reportWriter)
			}
			var cases []kase
			for y := 2020; y <= 2026; y++ {
				cases = append(cases, kase{
					name: fmt.Sprintf("access-documents %d", y), first: day(y, 1, 1), last: day(y, 12, 31),
					command: []string{"access-documents", "--year", fmt.Sprint(y)},
					want: func() reportWriter {
						r := report.AccessDocuments(all, y, loc, now)
						r.GroundLabels = labels
						return r
					},
					counter: func() (ticketCounter, func() reportWriter) {
						c := report.NewAccessCounter(y, loc, now)
						return c, func() reportWriter { r := c.Report(); r.GroundLabels = labels; return r }
					},
				})
			}
			for _, p := range []struct{ first, last time.Time }{
				{day(2023, 10, 1), day(2024, 3, 31)},
				{day(2024, 3, 31), day(2024, 3, 31)},   // Belgrade's clock goes forward
				{day(2024, 10, 27), day(2024, 10, 27)}, // and back
				{day(2020, 1, 1), day(2026, 12, 31)},
			} {
				cases = append(cases, kase{
					name: "inbox " + p.first.Format(time.DateOnly) + " " + p.last.Format(time.DateOnly), first: p.first, last: p.last,
					command: []string{"inbox", "--from", p.first.Format(time.DateOnly), "--to", p.last.Format(time.DateOnly)},
					want:    func() reportWriter { return report.Inbox(all, p.first, p.last, loc) },
					counter: func() (ticketCounter, func() reportWriter) {
						c := report.NewInboxCounter(p.first, p.last, loc)
						return c, func() reportWriter { return c.Report() }
					},
				})
			}
			cases = append(cases, kase{
				name: "weekly 2024", first: day(2024, 1, 1), last: day(2024, 12, 31),
				want: func() reportWriter { return report.Weekly(all, day(2024, 1, 1), day(2024, 12, 31), loc) },
				counter: func() (ticketCounter, func() reportWriter) {
					c := report.NewWeeklyCounter(day(2024, 1, 1), day(2024, 12, 31), loc)
					return c, func() reportWriter { return c.Report() }
				},
			})
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					want := c.want()
					rec := &readRecorder{Store: st}
					counter, got := c.counter()
					if err := countTickets(ctx, rec, counter); err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got(), want) {
						t.Errorf("read by period:\n%+v\nread from every ticket:\n%+v", got(), want)
					}
					// Only the period's tickets, give or take a day at
					// each end, are read; of all the years, the whole
					// history only when asked for.
					if rec.wholeStoreRead {
						t.Error("the report read the store without bounds")
					}
					if rec.n > 0 && (rec.first.Before(c.first.AddDate(0, 0, -2)) || rec.last.After(c.last.AddDate(0, 0, 3))) {
						t.Errorf("read tickets received %v to %v for the days %v to %v", rec.first, rec.last, c.first, c.last)
					}
					if c.last.Sub(c.first) < 4*365*24*time.Hour && rec.n > len(all)/2 {
						t.Errorf("read %d of %d tickets for the days %v to %v", rec.n, len(all), c.first, c.last)
					}
					if c.command == nil {
						return
					}
					for _, format := range []string{"json", "text"} {
						var b bytes.Buffer
						if err := want.Write(&b, format); err != nil {
							t.Fatal(err)
						}
						args := append(append([]string{"report"}, c.command...), append(flag, "--format", format)...)
						code, out, errOut := runCmd(t, "", nil, args...)
						if code != 0 || out != b.String() {
							t.Errorf("%s: exit %d %s\n%s\nwant, from every ticket:\n%s", format, code, errOut, out, b.String())
						}
					}
				})
			}
		})
	}
}

// fileEdgeTickets files document requests at the edges the annual report
// cares about: the last nanosecond of 2023 and the first of 2024 in
// Belgrade, a request of 2023 decided in 2024, one refused in 2024 after
// a request of late 2023, and an open one answered by a not-held notice.
func fileEdgeTickets(t *testing.T, st store.Store, loc *time.Location) {
	t.Helper()
	newYear := time.Date(2024, 1, 1, 0, 0, 0, 0, loc)
	err := st.WithTx(context.Background(), func(tx store.Tx) error {
		for i, tk := range []inquiry.Ticket{
			{ReceivedAt: newYear.Add(-time.Nanosecond), State: inquiry.Assigned},
			{ReceivedAt: newYear, State: inquiry.Assigned},
			{ReceivedAt: newYear.AddDate(0, 0, -10), State: inquiry.Closed, Outcome: inquiry.Granted, DecidedAt: newYear.AddDate(0, 0, 9)},
			{ReceivedAt: newYear.AddDate(0, 0, -3), State: inquiry.Closed, Outcome: inquiry.Refused, Ground: "personal_data", DecidedAt: newYear.AddDate(0, 0, 2)},
			{ReceivedAt: newYear.AddDate(0, 5, 0), State: inquiry.Assigned,
				NotHeldMark: &inquiry.NotHeldMark{Holder: "Agjencia Kosovare e Statistikave", At: newYear.AddDate(0, 5, 3), By: "jusuf"}},
		} {
			tk.Number = fmt.Sprintf("EDG-2024-%06d", i+1)
			tk.Channel, tk.Category, tk.OfficerID = inquiry.ChannelEmail, inquiry.DocumentRequest, "jusuf"
			tk.Sender = inquiry.Address{Address: "arta@example.org"}
			tk.DueAt = tk.ReceivedAt.AddDate(0, 0, 15)
			tk.UpdatedAt, tk.ClosedAt = tk.ReceivedAt, tk.DecidedAt
			if err := tx.CreateTicket(&tk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
