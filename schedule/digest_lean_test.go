package schedule

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/storetest"
)

// digestFromAll is the digest as it was computed from every ticket ever
// filed, before it read only the window's and the open ones: what the
// digest must still say.
func digestFromAll(ctx context.Context, st store.Store, d digestData, now time.Time) (digestData, error) {
	d.ByCategory, d.ByChannel, d.Numbers = map[inquiry.Category]int{}, map[inquiry.Channel]int{}, map[int64]string{}
	d.New, d.DueSoon, d.Overdue, d.Waiting, d.Failed, d.FailedCount = 0, nil, nil, nil, nil, 0
	all, err := st.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		return d, err
	}
	for _, t := range all {
		d.Numbers[t.ID] = t.Number
		if t.State == inquiry.BulkMail || t.State == inquiry.SpamMail {
			continue
		}
		if !t.CreatedAt.Before(d.From) && t.CreatedAt.Before(d.To) {
			d.New++
			d.ByCategory[t.Category]++
			d.ByChannel[t.Channel]++
		}
		if !t.State.Open() {
			continue
		}
		if t.State == inquiry.Assigned && !t.Acted {
			d.Waiting = append(d.Waiting, t)
		}
		if t.Category != inquiry.DocumentRequest || t.DueAt.IsZero() {
			continue
		}
		switch {
		case !now.Before(t.DueAt):
			d.Overdue = append(d.Overdue, t)
		case t.DueAt.Before(now.Add(dueSoonWindow)):
			d.DueSoon = append(d.DueSoon, t)
		}
	}
	byDue := func(a, b inquiry.Ticket) int { return a.DueAt.Compare(b.DueAt) }
	slices.SortStableFunc(d.DueSoon, byDue)
	slices.SortStableFunc(d.Overdue, byDue)
	failed, err := st.ListJobs(ctx, inquiry.JobFailed, 0)
	if err != nil {
		return d, err
	}
	for _, j := range failed {
		if !j.FinishedAt.Before(d.From) && j.FinishedAt.Before(d.To) {
			d.Failed = append(d.Failed, j)
		}
	}
	slices.SortStableFunc(d.Failed, func(a, b inquiry.Job) int { return a.FinishedAt.Compare(b.FinishedAt) })
	d.FailedCount = len(d.Failed)
	return d, nil
}

// The digest reads only the tickets filed in its window and the open ones,
// and says word for word what it said when it read every ticket ever
// filed: on four years of mostly closed tickets, with tickets at the
// window's edges (filed at its start, at its end, a nanosecond before),
// an old mail filed in the window, bulk mail in it, and failed sends of
// a years-old ticket and of no ticket, in every language, on each driver.
func TestDigestSameAsFromEveryTicket(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	digestHour := 8*time.Hour + 30*time.Minute
	end := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	days := []struct {
		name string
		day  calendar.Date
	}{
		{"a Wednesday", calendar.Date{Year: 2026, Month: 11, Day: 25}},
		{"a Monday, the weekend in its window", calendar.Date{Year: 2026, Month: 11, Day: 23}},
		{"a year ago", calendar.Date{Year: 2025, Month: 11, Day: 25}},
	}
	for _, drv := range drivers {
		t.Run(drv.Name, func(t *testing.T) {
			st := drv.Open(t)
			storetest.FillHistory(t, st, 2000, end.AddDate(-4, 0, 0), end)
			s, err := New(Config{Calendar: calendar.New(calendar.Options{}), Location: loc, DigestHour: digestHour,
				Mailbox: inquiry.Address{Address: "k@mkrs.example"}, MessageIDDomain: "mkrs.example",
				Officers: []inquiry.Officer{{ID: "osman", Name: "Osman Gashi", Role: inquiry.RoleHead}}}, st, testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			old := end.AddDate(-3, 0, 0)
			for i, dd := range days {
				from, to := s.at(s.previousWorkingDay(dd.day), digestHour), s.at(dd.day, digestHour)
				edges := []struct {
					received, filed time.Time
					state           inquiry.State
					cat             inquiry.Category
				}{
					{from, from, inquiry.Assigned, inquiry.DocumentRequest},
					{to.Add(-time.Hour), to, inquiry.Answered, inquiry.PressInquiry},
					{from.Add(-time.Hour), from.Add(-time.Nanosecond), inquiry.Closed, inquiry.GeneralQuestion},
					{old, from.Add(time.Hour), inquiry.Closed, inquiry.DocumentRequest},
					{from.Add(2 * time.Hour), from.Add(2 * time.Hour), inquiry.BulkMail, inquiry.GeneralQuestion},
				}
				err := st.WithTx(context.Background(), func(tx store.Tx) error {
					for k, e := range edges {
						tk := &inquiry.Ticket{Number: fmt.Sprintf("EDG-2026-%06d", 100*i+k), Channel: inquiry.ChannelEmail,
							Category: e.cat, OfficerID: "jusuf", State: e.state, ReceivedAt: e.received, CreatedAt: e.filed, UpdatedAt: e.filed}
						if e.cat == inquiry.DocumentRequest {
							tk.DueAt = e.received.Add(7 * 24 * time.Hour)
						}
						if err := tx.CreateTicket(tk); err != nil {
							return err
						}
					}
					oldest, ok, err := tx.TicketByNumber(inquiry.FormatNumber("DKP", old.Year()-1, 1))
					if err != nil || !ok {
						return fmt.Errorf("the oldest ticket: %v, %v", ok, err)
					}
					for k, id := range []int64{oldest.ID, 0} {
						at := from.Add(time.Duration(k+3) * time.Hour)
						if err := tx.AddJob(&inquiry.Job{TicketID: id, Kind: inquiry.JobAck, Recipient: "arta@example.org",
							State: inquiry.JobFailed, Attempts: 8, NextAt: at, CreatedAt: at, FinishedAt: at, LastError: "550 mailbox unavailable",
							Mail: &inquiry.Mail{MessageID: fmt.Sprintf("failed-%d-%d@mkrs.example", i, k), Date: at, Subject: "x", Text: "x"}}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, dd := range days {
				t.Run(dd.name, func(t *testing.T) {
					ctx := context.Background()
					at := s.at(dd.day, digestHour)
					now := at.Add(90 * time.Minute)
					got, err := s.digestData(ctx, dd.day, s.at(s.previousWorkingDay(dd.day), digestHour), at, now)
					if err != nil {
						t.Fatal(err)
					}
					want, err := digestFromAll(ctx, st, got, now)
					if err != nil {
						t.Fatal(err)
					}
					if want.New < 2 || len(want.Failed) < 2 || len(want.Waiting)+len(want.Overdue)+len(want.DueSoon) == 0 {
						t.Fatalf("the digest shows too little to compare: %d new, %d failed, %d waiting, %d overdue, %d due soon",
							want.New, len(want.Failed), len(want.Waiting), len(want.Overdue), len(want.DueSoon))
					}
					for _, lang := range inquiry.Languages {
						w := textsFor(lang)
						gs, gt, gc := s.digestText(w, got)
						ws, wt, wc := s.digestText(w, want)
						if gs != ws || gt != wt || gc != wc {
							t.Errorf("%s: the digest differs from the one read from every ticket:\n%s\n%s\n--- want\n%s\n%s", lang, gs, gt, ws, wt)
						}
					}
				})
			}
		})
	}
}
