package schedule

import (
	"context"
	"os"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/internal/pgtest"
	"sportel/internal/testutil"
	"sportel/store/storetest"
)

// cluster is PostgreSQL for the benchmarks; it starts only when one asks
// for a database.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

// drivers open an empty store of each driver.
var drivers = storetest.Drivers(cluster)

// BenchmarkDigestData is the heads' daily digest's read on four years of
// use: 30,000 tickets, most closed, a few hundred open.
//
//	go test -run XXX -bench DigestData -benchtime 20x ./schedule/
func BenchmarkDigestData(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		b.Fatal(err)
	}
	// Wednesday 25 November 2026, after the digest's hour.
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	for _, drv := range drivers {
		b.Run(drv.Name, func(b *testing.B) {
			st := drv.Open(b)
			storetest.FillHistory(b, st, 30000, now.AddDate(-4, 0, 0), now)
			s, err := New(Config{Calendar: calendar.New(calendar.Options{}), Location: loc, DigestHour: 8*time.Hour + 30*time.Minute,
				Mailbox: inquiry.Address{Address: "k@mkrs.example"}, MessageIDDomain: "mkrs.example",
				Officers: []inquiry.Officer{{ID: "osman", Name: "Osman Gashi", Role: inquiry.RoleHead}}}, st, testutil.DiscardLogger())
			if err != nil {
				b.Fatal(err)
			}
			today := calendar.DateOf(now)
			ctx := context.Background()
			var d digestData
			for b.Loop() {
				if d, err = s.digestData(ctx, today, s.at(s.previousWorkingDay(today), s.cfg.DigestHour), s.at(today, s.cfg.DigestHour), now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(d.New), "new")
			b.ReportMetric(float64(len(d.Waiting)+len(d.Overdue)+len(d.DueSoon)), "listed")
		})
	}
}
