package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/pgtest"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/postgres"
	"sportel/store/sqlite"
	"sportel/store/storetest"
)

// cluster is PostgreSQL for the benchmarks; it starts only when one asks
// for a database.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

// benchDrivers open an empty store of each driver for a benchmark.
var benchDrivers = []struct {
	name string
	open func(b *testing.B) store.Store
}{
	{"sqlite", func(b *testing.B) store.Store {
		st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "sportel.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}},
	{"postgres", func(b *testing.B) store.Store {
		st, err := postgres.Open(context.Background(), cluster.Database(b))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}},
}

// BenchmarkFiguresPage is a view of the figures page (this year's) on four
// years of use: 30,000 tickets, most closed, a few hundred open.
//
//	go test -run XXX -bench FiguresPage -benchtime 20x ./web/
func BenchmarkFiguresPage(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
	head := inquiry.Officer{ID: "osman", Name: "Osman Gashi", Email: "osman@mkrs.example", Role: inquiry.RoleHead}
	for _, drv := range benchDrivers {
		b.Run(drv.name, func(b *testing.B) {
			st := drv.open(b)
			storetest.FillHistory(b, st, 30000, now.AddDate(-4, 0, 0), now)
			ws := st.(Store) // both drivers keep the workspace's tables
			s, err := New(Config{BaseURL: "http://sportel.test", Sessions: store.SessionLimits{Idle: 8 * time.Hour, Max: 7 * 24 * time.Hour},
				Officers: []inquiry.Officer{head}, Location: loc, Now: func() time.Time { return now }}, ws, nil, testutil.DiscardLogger())
			if err != nil {
				b.Fatal(err)
			}
			tok := newToken()
			if err := ws.CreateSession(context.Background(), &store.WebSession{TokenHash: hashToken(tok), OfficerID: head.ID,
				CreatedAt: now, LastSeen: now}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, "/figures?year=2026", nil)
				r.AddCookie(&http.Cookie{Name: s.cookieName(sessionCookie), Value: tok})
				w := httptest.NewRecorder()
				s.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("figures = %d\n%s", w.Code, w.Body)
				}
			}
		})
	}
}
