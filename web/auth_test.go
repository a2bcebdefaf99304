package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
	"sportel/web"
)

func TestNothingWithoutASession(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.Albanian, "zamira", f.now, time.Time{}, "Pyetje", "Tekst")
	b := f.browser()
	cases := []struct {
		method, path string
		want         int
	}{
		{"GET", "/", http.StatusSeeOther},
		{"GET", "/t/DKP-2026-000001", http.StatusSeeOther},
		{"GET", "/t/DKP-2026-000001/raw/1", http.StatusSeeOther},
		{"GET", "/t/DKP-2026-000001/attachment/1/0", http.StatusSeeOther},
		{"POST", "/t/DKP-2026-000001/close", http.StatusForbidden},
		{"POST", "/t/DKP-2026-000001/answer", http.StatusForbidden},
		{"POST", "/signout", http.StatusForbidden},
	}
	for _, c := range cases {
		var r response
		if c.method == "GET" {
			r = b.get(c.path)
		} else {
			r = b.post(c.path, url.Values{"outcome": {"resolved"}, "text": {"x"}})
		}
		if r.status != c.want || (c.want == http.StatusSeeOther && r.location != "/signin") {
			t.Errorf("%s %s = %d %q, want %d to /signin", c.method, c.path, r.status, r.location, c.want)
		}
		if strings.Contains(r.body, "Arben") || strings.Contains(r.body, "Tekst") {
			t.Errorf("%s %s shows the ticket without a session", c.method, c.path)
		}
	}
	if tk, _, _ := f.store.TicketByNumber(context.Background(), "DKP-2026-000001"); tk.State != inquiry.Assigned {
		t.Errorf("ticket changed without a session: %s", tk.State)
	}
}

func TestSignInByMailedLink(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	r := b.askLink("  Jusuf.Lushaku@MKRS.example ")
	if r.status != http.StatusOK || !strings.Contains(r.body, "është dërguar në të") {
		t.Fatalf("ask link = %d\n%s", r.status, r.body)
	}
	links := f.signInLinks("jusuf")
	if len(links) != 1 {
		t.Fatalf("%d links mailed, want 1", len(links))
	}
	// Opening the link signs nobody in (mail scanners open links).
	if page := b.get(links[0]); page.status != http.StatusOK || page.header.Get("Set-Cookie") != "" && strings.Contains(page.header.Get("Set-Cookie"), "sportel_session") {
		t.Fatalf("GET link = %d, cookies %q", page.status, page.header.Values("Set-Cookie"))
	}
	r = b.useLink(links[0])
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("use link = %d %s", r.status, r.location)
	}
	var cookie string
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "sportel_session=") {
			cookie = c
		}
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie %q is Secure on plain http", cookie)
	}
	q := b.get("/")
	if q.status != http.StatusOK || !strings.Contains(q.body, "Jusuf Lushaku") {
		t.Fatalf("queue after sign-in = %d\n%s", q.status, q.body)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if q.header.Get(h) == "" {
			t.Errorf("queue page lacks %s", h)
		}
	}
	sessions, err := f.store.ListSessions(context.Background(), f.now, store.SessionLimits{Idle: 8 * time.Hour})
	if err != nil || len(sessions) != 1 || sessions[0].OfficerID != "jusuf" || strings.Contains(cookie, sessions[0].TokenHash) {
		t.Errorf("sessions = %+v, %v; want jusuf's, its token hashed", sessions, err)
	}
	audit, _ := f.store.Audit(context.Background(), 0)
	if len(audit) != 2 || audit[0].Action != "signin" || audit[1].Action != "signin_link" || audit[0].OfficerID != "jusuf" {
		t.Errorf("audit = %+v, want signin_link then signin by jusuf", audit)
	}

	// Sign out ends the session for good.
	if r := b.post("/signout", url.Values{"csrf": {b.csrf()}}); r.status != http.StatusSeeOther || r.location != "/signin" {
		t.Fatalf("sign out = %d %s", r.status, r.location)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("queue after sign-out = %d, want a redirect to sign in", r.status)
	}
	if s, _ := f.store.ListSessions(context.Background(), f.now, store.SessionLimits{Idle: 8 * time.Hour}); len(s) != 0 {
		t.Errorf("%d sessions live after sign-out", len(s))
	}
}

func TestSecureCookieOverHTTPS(t *testing.T) {
	f := newFixture(t, func(c *web.Config) { c.SecureCookies = true })
	b := f.browser()
	r := b.get("/signin")
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("pre-session cookie %q, want Secure and HttpOnly", c)
	}
}

// A stranger learns nothing: the same page, status and cookies whether or
// not the address is an officer's; only the officer gets mail.
func TestNonOfficerAddressIndistinguishable(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	page := b.get("/signin")
	token := csrfOf(t, page.body)
	officer := b.post("/signin", url.Values{"csrf": {token}, "email": {"zamira.ahmeti@mkrs.example"}})
	stranger := b.post("/signin", url.Values{"csrf": {token}, "email": {"mallory@example.net"}})
	if officer.status != stranger.status || officer.body != stranger.body {
		t.Errorf("answers differ:\nofficer %d\n%s\nstranger %d\n%s", officer.status, officer.body, stranger.status, stranger.body)
	}
	if len(officer.header.Values("Set-Cookie")) != len(stranger.header.Values("Set-Cookie")) {
		t.Errorf("cookies differ: %q vs %q", officer.header.Values("Set-Cookie"), stranger.header.Values("Set-Cookie"))
	}
	f.web.Wait()
	jobs, _ := f.store.ListJobs(context.Background(), inquiry.JobPending, 0)
	if len(jobs) != 1 || jobs[0].Recipient != "zamira" {
		t.Errorf("jobs = %+v, want one sign-in mail to zamira", jobs)
	}
}

func TestRefusedLinks(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	b.askLink("jusuf.lushaku@mkrs.example")
	b.askLink("osman.gashi@mkrs.example")
	jusuf, osman := f.signInLinks("jusuf")[0], f.signInLinks("osman")[0]

	steps := []struct {
		name    string
		link    string
		advance time.Duration
		want    int
	}{
		{"forged", "/signin/link?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, http.StatusForbidden},
		{"empty", "/signin/link?t=x", 0, http.StatusForbidden},
		{"good", jusuf, 0, http.StatusSeeOther},
		{"reused", jusuf, 0, http.StatusForbidden},
		{"expired", osman, 15*time.Minute + time.Second, http.StatusForbidden},
	}
	for _, st := range steps {
		f.advance(st.advance)
		fresh := f.browser()
		r := fresh.useLink(st.link)
		if r.status != st.want {
			t.Errorf("%s link: %d, want %d", st.name, r.status, st.want)
		}
		if st.want != http.StatusSeeOther && fresh.get("/").status != http.StatusSeeOther {
			t.Errorf("%s link signed someone in", st.name)
		}
	}
	// Posting the link without the form's token is refused, and does not
	// use the link up.
	b.askLink("zamira.ahmeti@mkrs.example")
	zamira := f.signInLinks("zamira")[0]
	u, _ := url.Parse(zamira)
	if r := f.browser().post("/signin/link", url.Values{"t": {u.Query().Get("t")}}); r.status != http.StatusForbidden {
		t.Errorf("link posted without CSRF token = %d, want 403", r.status)
	}
	if r := f.browser().useLink(zamira); r.status != http.StatusSeeOther {
		t.Errorf("link after a refused post = %d, want it still good", r.status)
	}
}

func TestMissingCSRFToken(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.Albanian, "zamira", f.now, time.Time{}, "Pyetje", "Tekst")
	b := f.browser()
	if r := b.post("/signin", url.Values{"email": {"jusuf.lushaku@mkrs.example"}}); r.status != http.StatusForbidden {
		t.Errorf("sign-in form without token = %d, want 403", r.status)
	}
	if n := len(f.signInLinks("jusuf")); n != 0 {
		t.Errorf("%d links mailed without a token", n)
	}
	b.signIn(officers[1])
	other := f.browser()
	other.signIn(officers[2])
	cases := []struct {
		name string
		csrf []string
	}{
		{"none", nil},
		{"empty", []string{""}},
		{"forged", []string{strings.Repeat("0", 64)}},
		{"another session's", []string{other.csrf()}},
	}
	for _, c := range cases {
		form := url.Values{"outcome": {"resolved"}}
		if c.csrf != nil {
			form["csrf"] = c.csrf
		}
		if r := b.post("/t/DKP-2026-000001/close", form); r.status != http.StatusForbidden {
			t.Errorf("%s token: close = %d, want 403", c.name, r.status)
		}
	}
	if tk, _, _ := f.store.TicketByNumber(context.Background(), "DKP-2026-000001"); tk.State != inquiry.Assigned {
		t.Errorf("ticket closed without a valid token: %s", tk.State)
	}
	if r := b.post("/t/DKP-2026-000001/close", url.Values{"csrf": {b.csrf()}, "outcome": {"resolved"}}); r.status != http.StatusSeeOther {
		t.Errorf("close with the token = %d, want 303", r.status)
	}
}

func TestSignInRateLimit(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	for i := range 5 {
		if r := b.askLink("mallory@example.net"); r.status != http.StatusOK {
			t.Fatalf("attempt %d = %d", i+1, r.status)
		}
	}
	r := b.askLink("mallory@example.net")
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Shumë përpjekje") {
		t.Errorf("6th attempt = %d, want 429 with a message", r.status)
	}
	// The limit is per address: an officer's own address is still served,
	// and the limit holds for an officer's address too.
	for range 5 {
		b.askLink("jusuf.lushaku@mkrs.example")
	}
	if r := b.askLink("jusuf.lushaku@mkrs.example"); r.status != http.StatusTooManyRequests {
		t.Errorf("6th attempt for an officer = %d, want 429 (same as a stranger)", r.status)
	}
	// Nor does a spelling that Unicode folds to it (the long s for s)
	// mail the officer more links: it is no officer's address.
	for _, alias := range []string{"juſuf.lushaku@mkrs.example", "jusuf.luſhaku@mkrs.example", "JUSUF.LUSHAKU@mkrſ.example"} {
		b.askLink(alias)
	}
	if n := len(f.signInLinks("jusuf")); n != 5 {
		t.Errorf("%d links mailed, want 5", n)
	}
	f.advance(16 * time.Minute)
	if r := b.askLink("mallory@example.net"); r.status != http.StatusOK {
		t.Errorf("after the window = %d, want 200", r.status)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	b.signIn(officers[0])
	f.advance(7 * time.Hour)
	if r := b.get("/"); r.status != http.StatusOK {
		t.Fatalf("after 7 h = %d, want 200", r.status)
	}
	f.advance(8*time.Hour + time.Second)
	if r := b.get("/"); r.status != http.StatusSeeOther || r.location != "/signin" {
		t.Errorf("after 8 h idle = %d %s, want a redirect to sign in", r.status, r.location)
	}
}

// A session kept busy still ends web.session_max after sign-in (7 days in
// the fixture): used every 6 hours it lives for days, 7 days 6 hours after it the next
// request signs in again.
func TestSessionMaxAge(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	b.signIn(officers[0])
	for elapsed := 6 * time.Hour; elapsed < 7*24*time.Hour; elapsed += 6 * time.Hour {
		f.advance(6 * time.Hour)
		if r := b.get("/"); r.status != http.StatusOK {
			t.Fatalf("%v after sign-in = %d, want 200", elapsed, r.status)
		}
	}
	f.advance(12 * time.Hour)
	if r := b.get("/"); r.status != http.StatusSeeOther || r.location != "/signin" {
		t.Fatalf("7 days 6 h after sign-in = %d %s, want a redirect to sign in", r.status, r.location)
	}
	// A fresh sign-in works again.
	b.signIn(officers[0])
	if r := b.get("/"); r.status != http.StatusOK {
		t.Errorf("after signing in again = %d, want 200", r.status)
	}
}

func TestRevokedSession(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	b.signIn(officers[1])
	if n, err := f.store.RevokeOfficerSessions(context.Background(), "jusuf", f.now); n != 1 || err != nil {
		t.Fatalf("revoke = %d, %v", n, err)
	}
	if r := b.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("revoked session = %d, want a redirect to sign in", r.status)
	}
}

func TestLanguageChoice(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	page := b.get("/signin")
	if !strings.Contains(page.body, `lang="sq"`) || !strings.Contains(page.body, "Dërgo lidhjen") {
		t.Fatal("sign-in page is not in Albanian by default")
	}
	if r := b.post("/lang", url.Values{"csrf": {csrfOf(t, page.body)}, "lang": {"sr-Cyrl"}, "back": {"/signin"}}); r.status != http.StatusSeeOther || r.location != "/signin" {
		t.Fatalf("switch = %d %s", r.status, r.location)
	}
	if p := b.get("/signin"); !strings.Contains(p.body, `<html lang="sr-Cyrl">`) || !strings.Contains(p.body, "Пошаљи линк") {
		t.Errorf("sign-in page not in Serbian Cyrillic:\n%s", p.body)
	}
	// The choice follows into the session, and can change there.
	b.signIn(officers[1])
	if q := b.get("/"); !strings.Contains(q.body, "Отворени тикети") {
		t.Errorf("queue not in Serbian Cyrillic")
	}
	if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {"en"}, "back": {"//evil.example/"}}); r.location != "/" {
		t.Errorf("redirect to %q, want / (never off-site)", r.location)
	}
	if q := b.get("/"); !strings.Contains(q.body, "Open tickets") {
		t.Errorf("queue not in English after switching")
	}
	if r := b.post("/lang", url.Values{"lang": {"en"}}); r.status != http.StatusForbidden {
		t.Errorf("switch without token = %d, want 403", r.status)
	}
}

// Behind a trusted proxy the per-client sign-in limit counts the client
// the proxy reports, so one client at its limit leaves the others served;
// from anywhere else X-Forwarded-For is ignored, so a client cannot dodge
// the limit by writing it.
func TestSignInLimitBehindProxy(t *testing.T) {
	tests := []struct {
		name    string
		trusted []netip.Prefix
		// The second client is refused too when the header is not believed.
		secondRefused bool
	}{
		{"trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, false},
		{"no trusted proxy", nil, true},
		{"another proxy trusted", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *web.Config) { c.TrustedProxies = tt.trusted })
			first := f.browser()
			// The client wrote its own "6.6.6.6"; the proxy appended what it saw.
			first.forwardedFor = "6.6.6.6, 203.0.113.9"
			for i := range 30 {
				if r := first.askLink(fmt.Sprintf("guess%d@example.net", i)); r.status != http.StatusOK {
					t.Fatalf("attempt %d = %d", i+1, r.status)
				}
			}
			if r := first.askLink("guess30@example.net"); r.status != http.StatusTooManyRequests {
				t.Errorf("31st attempt from one client = %d, want 429", r.status)
			}
			second := f.browser()
			second.forwardedFor = "198.51.100.7"
			r := second.askLink("jusuf.lushaku@mkrs.example")
			if got := r.status == http.StatusTooManyRequests; got != tt.secondRefused {
				t.Errorf("another client's attempt = %d, refused %v, want refused %v", r.status, got, tt.secondRefused)
			}
		})
	}
}

// The session records the client the trusted proxy reports: the address
// nearest the proxy, not one the client wrote further left.
func TestClientAddressBehindProxy(t *testing.T) {
	f := newFixture(t, func(c *web.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
	b := f.browser()
	b.forwardedFor = "6.6.6.6, 203.0.113.9"
	b.signIn(officers[0])
	sessions, err := f.store.ListSessions(context.Background(), f.now, store.SessionLimits{Idle: 8 * time.Hour})
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions = %+v, %v", sessions, err)
	}
	if sessions[0].ClientIP != "203.0.113.9" {
		t.Errorf("session's client = %q, want the forwarded 203.0.113.9", sessions[0].ClientIP)
	}
}

// A sign-in link opened in a browser already signed in says whose session
// it would end before anything happens: another officer's link must not
// switch the account unnoticed. Used, it does switch (one browser, one
// session), and the page says nothing to a browser signed in nowhere.
func TestLinkPageSaysWhoIsSignedIn(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	b.signIn(officers[1])
	// The other officer asks for a link on their own machine.
	if r := f.browser().askLink(officers[2].Email); r.status != http.StatusOK {
		t.Fatalf("ask link = %d", r.status)
	}
	links := f.signInLinks(officers[2].ID)
	page := b.get(links[len(links)-1])
	if page.status != http.StatusOK || !strings.Contains(page.body, `id="other-session"`) || !strings.Contains(page.body, html.EscapeString(officers[1].Name)) {
		t.Fatalf("the link page in a browser signed in as %s does not say so (status %d):\n%s", officers[1].Name, page.status, page.body)
	}
	if r := b.useLink(links[len(links)-1]); r.status != http.StatusSeeOther {
		t.Fatalf("use link = %d", r.status)
	}
	if body := b.get("/").body; !strings.Contains(body, html.EscapeString(officers[2].Name)) {
		t.Errorf("after using the link the queue is not %s's", officers[2].Name)
	}

	fresh := f.browser()
	if r := fresh.askLink(officers[1].Email); r.status != http.StatusOK {
		t.Fatalf("ask link = %d", r.status)
	}
	links = f.signInLinks(officers[1].ID)
	if body := fresh.get(links[len(links)-1]).body; strings.Contains(body, `id="other-session"`) {
		t.Error("the link page warns a browser signed in nowhere")
	}
}

// A session that ends while an officer writes (idle too long) must not
// take the text with it: the form posted then is refused, nothing done, and
// the page says the session ended and shows what was written, to be copied
// before signing in again. Only the browser's own form gets it back: text
// posted with a token that is not the session's is not shown, or another
// site could put words on a workspace page.
func TestEndedSessionKeepsWhatWasWritten(t *testing.T) {
	const number = "DKP-2026-000001"
	const text = "Dear Mr Berisha,\n\nthe contracts of 2025 are <b>attached</b>; the annexes follow by post.\n"
	tests := []struct {
		name  string
		csrf  func(page string) string
		shown bool
	}{
		{"the session's own form", func(page string) string { return csrfOf(t, page) }, true},
		{"another token", func(string) string { return strings.Repeat("ab", 32) }, false},
		{"no token", func(string) string { return "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.file(number, inquiry.GeneralQuestion, inquiry.English, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Question", "When?")
			b := f.browser()
			b.signIn(officers[1])
			page := b.get("/t/" + number).body
			f.advance(8*time.Hour + time.Second)
			r := b.post("/t/"+number+"/answer", url.Values{"csrf": {tt.csrf(page)}, "once": {formOnce(t, page)}, "seen": {formSeen(t, page)}, "text": {text}})
			if r.status != http.StatusForbidden {
				t.Errorf("answer after the session ended = %d, want 403", r.status)
			}
			kept := strings.Contains(r.body, `id="kept-text"`)
			if kept != tt.shown {
				t.Fatalf("the text written shown: %v, want %v", kept, tt.shown)
			}
			if kept {
				if got := html.UnescapeString(textareaOf(t, r.body, "kept-text")); got != text {
					t.Errorf("kept text = %q, want %q", got, text)
				}
				if a := alertOf(r.body); !strings.Contains(a, "Sesioni juaj ka përfunduar") {
					t.Errorf("the page says %q, want that the session ended", a)
				}
			}
			if strings.Contains(r.body, "<b>attached") {
				t.Error("the text written is on the page as markup")
			}
			if n := answersOn(t, f, number); n != 0 {
				t.Errorf("%d answers queued without a session", n)
			}
		})
	}
}
