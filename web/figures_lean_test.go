package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
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
			s, tok := figuresServer(t, st, loc, now)
			all, err := st.ListTickets(context.Background(), inquiry.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, year := range years {
				t.Run(fmt.Sprint(year), func(t *testing.T) {
					r := httptest.NewRequest(http.MethodGet, "/figures", nil)
					rep, tickets, err := s.accessReport(r, year)
					if err != nil {
						t.Fatal(err)
					}
					if len(tickets) >= len(all)/2 {
						t.Errorf("read %d of %d tickets for one year of four", len(tickets), len(all))
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
					weekly := report.Weekly(all, first, last, loc)
					if got := report.Weekly(tickets, first, last, loc); !reflect.DeepEqual(got, weekly) {
						t.Errorf("weekly volumes differ from those read from every ticket:\n%+v\nwant\n%+v", got, weekly)
					}
					// The downloads, as served, byte for byte.
					wantFiles := map[string]func(*bytes.Buffer) error{
						"access-%d.csv":  func(b *bytes.Buffer) error { return want.Write(b, "csv") },
						"access-%d.html": func(b *bytes.Buffer) error { return want.Write(b, "html") },
						"weekly-%d.csv":  func(b *bytes.Buffer) error { return weekly.WriteCSV(b) },
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
