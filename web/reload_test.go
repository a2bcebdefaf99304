package web_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store"
	"sportel/store/sqlite"
	"sportel/web"
)

// revokeFails is the store whose RevokeOfficerSessions fails, as a busy
// or broken database does.
type revokeFails struct{ *sqlite.Store }

var errRevoke = errors.New("database is locked")

func (revokeFails) RevokeOfficerSessions(context.Context, string, time.Time) (int, error) {
	return 0, errRevoke
}

// without is officers but the one with id.
func without(id string) []inquiry.Officer {
	return slices.DeleteFunc(slices.Clone(officers), func(o inquiry.Officer) bool { return o.ID == id })
}

// liveSessions are the officers of the store's live sessions.
func (f *fixture) liveSessions() []string {
	f.t.Helper()
	ss, err := f.store.ListSessions(context.Background(), f.clock(), store.SessionLimits{Idle: 8 * time.Hour})
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, s := range ss {
		ids = append(ids, s.OfficerID)
	}
	slices.Sort(ids)
	return ids
}

// signOuts are the audit log's sign-outs of officer, newest first.
func (f *fixture) signOuts(officer string) []string {
	f.t.Helper()
	audit, err := f.store.Audit(context.Background(), 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range audit {
		if e.Action == "signout" && e.OfficerID == officer {
			out = append(out, e.Detail)
		}
	}
	return out
}

// TestReconfigureOfficers: Reconfigure, as a configuration reload calls
// it, decides who may sign in from the next request on. An officer taken
// out is signed out at once, in the store and in the audit log, and can
// neither ask for a link nor use one asked for before; should the store
// fail to end the sessions, the error is returned and the session is
// refused at its next request all the same. An officer whose address
// changed asks for links at the new one and stays signed in; the others
// stay signed in.
func TestReconfigureOfficers(t *testing.T) {
	zamiraMoved := slices.Clone(officers)
	zamiraMoved[2].Email = "zamira.ahmeti@kultura.example"
	for _, tc := range []struct {
		name        string
		revokeFails bool
		next        []inquiry.Officer
		wantErr     bool
		// signedIn are the officers whose browsers are still signed in
		// after the reload; the others are sent to sign in.
		signedIn []string
		// wantSessions are the officers with live sessions in the store
		// right after Reconfigure, before any further request.
		wantSessions []string
		// wantSignOut is the audit's reason for jusuf's sign-out ("": none).
		wantSignOut string
		// links: the address asked for a link after the reload, and the
		// officer the link is for ("": none is written).
		linkAddr, linkFor string
	}{
		{name: "an officer taken out", next: without("jusuf"),
			signedIn: []string{"osman", "zamira"}, wantSessions: []string{"osman", "zamira"},
			wantSignOut: "no longer in the configuration; 1 sessions ended",
			linkAddr:    officers[1].Email},
		{name: "an officer taken out, the store failing to end the sessions", revokeFails: true, next: without("jusuf"), wantErr: true,
			signedIn: []string{"osman", "zamira"}, wantSessions: []string{"jusuf", "osman", "zamira"},
			wantSignOut: "ended: no longer in the configuration",
			linkAddr:    officers[1].Email},
		{name: "an address changed, at the new address", next: zamiraMoved,
			signedIn: []string{"jusuf", "osman", "zamira"}, wantSessions: []string{"jusuf", "osman", "zamira"},
			linkAddr: "zamira.ahmeti@kultura.example", linkFor: "zamira"},
		{name: "an address changed, at the old address", next: zamiraMoved,
			signedIn: []string{"jusuf", "osman", "zamira"}, wantSessions: []string{"jusuf", "osman", "zamira"},
			linkAddr: officers[2].Email},
		{name: "nothing changed", next: officers,
			signedIn: []string{"jusuf", "osman", "zamira"}, wantSessions: []string{"jusuf", "osman", "zamira"},
			linkAddr: officers[1].Email, linkFor: "jusuf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wrap func(*sqlite.Store) fixtureStore
			if tc.revokeFails {
				wrap = func(s *sqlite.Store) fixtureStore { return revokeFails{s} }
			}
			f := newFixtureWithStore(t, nil, nil, wrap)
			browsers := map[string]*browser{}
			for _, o := range officers {
				browsers[o.ID] = f.browser()
				browsers[o.ID].signIn(o)
			}
			// A link asked for before the reload and not yet used.
			f.browser().askLink(officers[1].Email)
			unused := f.signInLinks("jusuf")
			linksBefore := map[string]int{}
			for _, o := range officers {
				linksBefore[o.ID] = len(f.signInLinks(o.ID))
			}

			err := f.web.Reconfigure(context.Background(), web.Settings{Officers: tc.next, RefusalGrounds: grounds})
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, errRevoke)) {
				t.Fatalf("Reconfigure = %v, want an error: %v", err, tc.wantErr)
			}
			if got := f.liveSessions(); !slices.Equal(got, tc.wantSessions) {
				t.Errorf("live sessions after Reconfigure: %v, want %v", got, tc.wantSessions)
			}
			for _, o := range officers {
				r := browsers[o.ID].get("/")
				if slices.Contains(tc.signedIn, o.ID) {
					if r.status != http.StatusOK || !strings.Contains(r.body, o.Name) {
						t.Errorf("%s's session = %d, want the queue", o.ID, r.status)
					}
				} else if r.status != http.StatusSeeOther || r.location != "/signin" {
					t.Errorf("%s's session = %d %q, want a redirect to sign in", o.ID, r.status, r.location)
				}
			}
			if got := f.liveSessions(); !slices.Equal(got, tc.signedIn) {
				t.Errorf("live sessions after the next requests: %v, want %v", got, tc.signedIn)
			}
			outs := f.signOuts("jusuf")
			if (tc.wantSignOut == "") != (len(outs) == 0) || (len(outs) > 0 && !strings.Contains(outs[0], tc.wantSignOut)) {
				t.Errorf("jusuf's sign-outs in the audit: %q, want one saying %q", outs, tc.wantSignOut)
			}

			// Signed out for good: when the id comes back (the reload
			// undone, or the id given to someone else), the old browser is
			// not signed in.
			if err := f.web.Reconfigure(context.Background(), web.Settings{Officers: officers, RefusalGrounds: grounds}); err != nil && !tc.revokeFails {
				t.Fatal(err)
			}
			for _, o := range officers {
				if r := browsers[o.ID].get("/"); !slices.Contains(tc.signedIn, o.ID) && r.status != http.StatusSeeOther {
					t.Errorf("%s's old session once the officer is back = %d, want a redirect to sign in", o.ID, r.status)
				}
			}
			if err := f.web.Reconfigure(context.Background(), web.Settings{Officers: tc.next, RefusalGrounds: grounds}); (err != nil) != tc.wantErr {
				t.Fatal(err)
			}

			// The link asked for before works only for an officer still in.
			r := f.browser().useLink(unused[len(unused)-1])
			if wantOK := slices.Contains(tc.signedIn, "jusuf"); (r.status == http.StatusSeeOther) != wantOK {
				t.Errorf("jusuf's link from before = %d, want it to sign in: %v", r.status, wantOK)
			}
			f.browser().askLink(tc.linkAddr)
			for _, o := range officers {
				want := linksBefore[o.ID]
				if o.ID == tc.linkFor {
					want++
				}
				if got := len(f.signInLinks(o.ID)); got != want {
					t.Errorf("%d links for %s after asking at %s, want %d", got, o.ID, tc.linkAddr, want)
				}
			}
		})
	}
}

// TestReconfigureShows: the refusal grounds and the time zone a reload
// sets show on the next page; what the caller passed may change later
// without reaching the workspace.
func TestReconfigureShows(t *testing.T) {
	const number = "DKP-2026-000001"
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	classified := []desk.Ground{{ID: "classified", Label: map[inquiry.Language]string{
		inquiry.Albanian: "informacion i klasifikuar", inquiry.English: "classified information"}}}
	for _, tc := range []struct {
		name string
		next web.Settings
		// want are on the ticket's page, gone are not.
		want, gone []string
	}{
		{name: "as started", next: web.Settings{Officers: officers, RefusalGrounds: grounds, Location: belgrade(t)},
			want: []string{"25.11.2026 11:00", "të dhëna personale"}, gone: []string{"25.11.2026 05:00", "informacion i klasifikuar"}},
		{name: "new grounds and time zone", next: web.Settings{Officers: officers, RefusalGrounds: classified, Location: newYork},
			want: []string{"25.11.2026 05:00", "informacion i klasifikuar"}, gone: []string{"25.11.2026 11:00", "të dhëna personale"}},
		{name: "no time zone is UTC", next: web.Settings{Officers: officers, RefusalGrounds: grounds},
			want: []string{"25.11.2026 10:00"}, gone: []string{"25.11.2026 11:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now, f.now.Add(7*24*time.Hour), "Kontratat", "Më dërgoni kontratat")
			b := f.browser()
			b.signIn(officers[1])
			if p := b.get("/t/" + number); !strings.Contains(p.body, "25.11.2026 11:00") || !strings.Contains(p.body, "të dhëna personale") {
				t.Fatalf("before the reload the page lacks the start's time zone or grounds:\n%s", p.body)
			}
			next := tc.next
			next.RefusalGrounds = slices.Clone(next.RefusalGrounds)
			if err := f.web.Reconfigure(context.Background(), next); err != nil {
				t.Fatal(err)
			}
			// The caller's slice changing later reaches nothing.
			if len(next.RefusalGrounds) > 0 {
				next.RefusalGrounds[0] = desk.Ground{ID: "changed", Label: map[inquiry.Language]string{inquiry.Albanian: "ndryshuar më pas"}}
			}
			p := b.get("/t/" + number)
			if p.status != http.StatusOK {
				t.Fatalf("ticket page = %d", p.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, g := range append(tc.gone, "ndryshuar më pas") {
				if strings.Contains(p.body, g) {
					t.Errorf("the page still shows %q", g)
				}
			}
		})
	}
}

func belgrade(t *testing.T) *time.Location { return testutil.Location(t, "Europe/Belgrade") }
