package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/pgtest"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/storetest"
)

// cluster is PostgreSQL for the benchmarks; it starts only when one asks
// for a database.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

// drivers open an empty store of each driver.
var drivers = storetest.Drivers(cluster)

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
	for _, drv := range drivers {
		b.Run(drv.Name, func(b *testing.B) {
			st := drv.Open(b)
			storetest.FillHistory(b, st, 30000, now.AddDate(-4, 0, 0), now)
			s, tok := figuresServer(b, st, loc, now)
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

// figuresServer is a workspace on st at now, and a session token of its
// head.
func figuresServer(tb testing.TB, st store.Store, loc *time.Location, now time.Time) (*Server, string) {
	ws := st.(Store) // both drivers keep the workspace's tables
	head := inquiry.Officer{ID: "osman", Name: "Osman Gashi", Email: "osman@mkrs.example", Role: inquiry.RoleHead}
	s, err := New(Config{BaseURL: "http://sportel.test", Sessions: store.SessionLimits{Idle: 8 * time.Hour, Max: 7 * 24 * time.Hour},
		Officers: []inquiry.Officer{head}, Location: loc, Now: func() time.Time { return now },
		RefusalGrounds: []desk.Ground{{ID: "personal_data", Label: map[inquiry.Language]string{inquiry.Albanian: "të dhëna personale"}}}},
		ws, nil, testutil.DiscardLogger())
	if err != nil {
		tb.Fatal(err)
	}
	tok := newToken()
	if err := ws.CreateSession(context.Background(), &store.WebSession{TokenHash: hashToken(tok), OfficerID: head.ID,
		CreatedAt: now, LastSeen: now}); err != nil {
		tb.Fatal(err)
	}
	return s, tok
}
