package schedule

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
)

// The digest reads only its window's failed sends, and of them only the
// ones it lists, and says word for word what it said when it read every
// failed send ever kept: with more failures in the window than it lists
// (some in one outbox pass, at one moment), failures at the window's
// edges, years of failures before it, and sends done or cancelled in it,
// in every language, on each driver.
func TestDigestListsTheWindowsFailedSends(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	digestHour := 8*time.Hour + 30*time.Minute
	today := calendar.Date{Year: 2026, Month: 11, Day: 25} // a Wednesday
	tests := []struct {
		name     string
		inWindow int // failures inside the window, besides the edge at its start
	}{
		{"fewer than it lists", 7},
		{"as many as it lists", digestListMax - 2},
		{"more than it lists", digestListMax + 12},
	}
	for _, drv := range drivers {
		t.Run(drv.Name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					ctx := context.Background()
					st := drv.Open(t)
					s, err := New(Config{Calendar: calendar.New(calendar.Options{}), Location: loc, DigestHour: digestHour,
						Mailbox: inquiry.Address{Address: "k@mkrs.example"}, MessageIDDomain: "mkrs.example",
						Officers: []inquiry.Officer{{ID: "osman", Name: "Osman Gashi", Role: inquiry.RoleHead}}}, st, testutil.DiscardLogger())
					if err != nil {
						t.Fatal(err)
					}
					at := s.at(today, digestHour)
					from := s.at(s.previousWorkingDay(today), digestHour)
					var finished []time.Time
					for i := range 300 { // four years of failures, before the window
						finished = append(finished, from.AddDate(-4, 0, 0).Add(time.Duration(i)*117*time.Hour))
					}
					finished = append(finished, from.Add(-time.Nanosecond), from, at, at.Add(time.Hour))
					for i := range tt.inWindow {
						// Three at a time: one outbox pass gives up on several.
						finished = append(finished, from.Add(time.Duration(1+i/3)*7*time.Minute))
					}
					finished = append(finished, at.Add(-time.Nanosecond))
					err = st.WithTx(ctx, func(tx store.Tx) error {
						tk := &inquiry.Ticket{Number: "DKP-2022-000001", Channel: inquiry.ChannelEmail, Category: inquiry.DocumentRequest,
							State: inquiry.Closed, ReceivedAt: from.AddDate(-4, 0, 0), UpdatedAt: from.AddDate(-4, 0, 0)}
						if err := tx.CreateTicket(tk); err != nil {
							return err
						}
						add := func(i int, state inquiry.JobState, fin time.Time) error {
							var ticket int64
							if i%2 == 0 {
								ticket = tk.ID
							}
							return tx.AddJob(&inquiry.Job{TicketID: ticket, Kind: inquiry.JobAck, Recipient: fmt.Sprintf("qytetar%d@example.net", i),
								State: state, Attempts: 8, NextAt: fin, CreatedAt: fin, FinishedAt: fin, LastError: fmt.Sprintf("550 mailbox %d unavailable", i),
								Mail: &inquiry.Mail{MessageID: fmt.Sprintf("job%d-%s@mkrs.example", i, state), Date: fin, Subject: "x", Text: "x"}})
						}
						for i, fin := range finished {
							if err := add(i, inquiry.JobFailed, fin); err != nil {
								return err
							}
						}
						if err := add(-1, inquiry.JobDone, from.Add(time.Hour)); err != nil {
							return err
						}
						return add(-2, inquiry.JobCancelled, from.Add(time.Hour))
					})
					if err != nil {
						t.Fatal(err)
					}
					now := at.Add(90 * time.Minute)
					got, err := s.digestData(ctx, today, s.at(s.previousWorkingDay(today), digestHour), at, now)
					if err != nil {
						t.Fatal(err)
					}
					want, err := digestFromAll(ctx, st, got, now)
					if err != nil {
						t.Fatal(err)
					}
					if n := tt.inWindow + 2; got.FailedCount != n || want.FailedCount != n || len(got.Failed) != min(n, digestListMax) {
						t.Fatalf("the digest counts %d failed sends and lists %d; read from all, %d; want %d, listing %d",
							got.FailedCount, len(got.Failed), want.FailedCount, n, min(n, digestListMax))
					}
					for _, lang := range inquiry.Languages {
						w := textsFor(lang)
						gs, gt, gc := s.digestText(w, got)
						ws, wt, wc := s.digestText(w, want)
						if gs != ws || gt != wt || gc != wc {
							t.Errorf("%s: the digest differs from the one read from every failed send:\n%s\n--- want\n%s", lang, gt, wt)
						}
					}
					_, text, _ := s.digestText(textsFor(inquiry.English), got)
					if !strings.Contains(text, fmt.Sprintf("Failed sends (%d)", tt.inWindow+2)) || !strings.Contains(text, "DKP-2022-000001") {
						t.Errorf("the digest does not list the failed sends:\n%s", text)
					}
				})
			}
		})
	}
}
