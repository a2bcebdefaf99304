package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
	"sportel/web"
)

// The language switch's back field is the only redirect target a client
// chooses: only a path on this site may be followed. Browsers drop tabs
// and newlines from URLs and read a backslash as a slash, so "/\t/evil"
// would become "//evil", another site.
func TestLanguageBackStaysOnTheSite(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	page := b.get("/signin")
	csrf := csrfOf(t, page.body)
	cases := []struct{ back, want string }{
		{"/signin", "/signin"},
		{"/?q=leje&mine=1", "/?q=leje&mine=1"},
		{"/t/DKP-2026-000001", "/t/DKP-2026-000001"},
		{"", "/"},
		{"signin", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/\n/evil.example/", "/"},
		{"/\r/evil.example/", "/"},
		{"/\x00/evil.example/", "/"},
		{"\t//evil.example/", "/"},
		{" //evil.example/", "/"},
		{"/%09/evil.example/", "/%09/evil.example/"},
		{"/./evil.example/", "/evil.example/"},
		{"/..//evil.example/", "/evil.example/"},
		{"/\u2028/evil.example/", "/"},
	}
	for _, c := range cases {
		r := b.post("/lang", url.Values{"csrf": {csrf}, "lang": {"en"}, "back": {c.back}})
		if r.status != http.StatusSeeOther {
			t.Errorf("back %q: status %d, want 303", c.back, r.status)
			continue
		}
		if r.location != c.want {
			t.Errorf("back %q: redirect to %q, want %q", c.back, r.location, c.want)
		}
		if loc, err := url.Parse(r.location); err != nil || loc.Host != "" || loc.Scheme != "" || strings.HasPrefix(r.location, "//") {
			t.Errorf("back %q: redirect to %q leaves the site", c.back, r.location)
		}
	}
}

// Downloads carry a citizen's bytes: they must never render as a page of
// the workspace's origin, whatever their name or content says.
func TestDownloadsNeverRenderAsPages(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Pyetje", "Tekst")
	page := []byte("<html><script>alert(document.cookie)</script></html>")
	raw := "From: x@example.net\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n" + string(page) + "\r\n"
	err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
		tk, _, err := f.store.TicketByNumber(context.Background(), "DKP-2026-000001")
		if err != nil {
			return err
		}
		return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "x@example.net", Subject: "s",
			Text: "t", Raw: []byte(raw), CreatedAt: f.now, Attachments: []inquiry.Attachment{
				{Name: "faqe.html", ContentType: "text/html", Size: int64(len(page)), Content: page},
				{Name: "imazh.svg", ContentType: "image/svg+xml", Size: int64(len(page)), Content: page},
				{Name: `a"; filename="b.html`, ContentType: "text/html", Size: int64(len(page)), Content: page},
				{Name: "../..\\", ContentType: "text/html", Size: int64(len(page)), Content: page},
				{Name: "vendim për ëndrrën.html", ContentType: "text/html", Size: int64(len(page)), Content: page},
			}})
	})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(officers[1])
	cases := []struct {
		path, wantName string
	}{
		{"/t/DKP-2026-000001/raw/1", "DKP-2026-000001-1.eml"},
		{"/t/DKP-2026-000001/raw/2", "DKP-2026-000001-2.eml"},
		{"/t/DKP-2026-000001/attachment/1/0", "leje.pdf"},
		{"/t/DKP-2026-000001/attachment/2/0", "faqe.html"},
		{"/t/DKP-2026-000001/attachment/2/1", "imazh.svg"},
		{"/t/DKP-2026-000001/attachment/2/2", `a"; filename="b.html`},
		{"/t/DKP-2026-000001/attachment/2/3", "attachment"},
		{"/t/DKP-2026-000001/attachment/2/4", "vendim për ëndrrën.html"},
	}
	for _, c := range cases {
		r := b.get(c.path)
		if r.status != http.StatusOK {
			t.Errorf("GET %s = %d", c.path, r.status)
			continue
		}
		if ct := r.header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("GET %s: Content-Type %q, want application/octet-stream", c.path, ct)
		}
		if n := r.header.Get("X-Content-Type-Options"); n != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", c.path, n)
		}
		disp, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition"))
		if err != nil || disp != "attachment" || params["filename"] != c.wantName {
			t.Errorf("GET %s: Content-Disposition %q (%v), want attachment named %q", c.path, r.header.Get("Content-Disposition"), err, c.wantName)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", c.path, csp)
		}
	}
}

// Every form is read within a bound before any handler acts on it: an
// oversized one is refused whole and changes nothing.
func TestOversizedFormsRefused(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Pyetje", "Tekst")
	b := f.browser()
	b.signIn(officers[1])
	csrf := b.csrf()
	ctx := context.Background()
	tk, _, err := f.store.TicketByNumber(ctx, "DKP-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	notes := func() int {
		entries, err := f.store.Entries(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Kind == inquiry.EntryNote {
				n++
			}
		}
		return n
	}
	cases := []struct {
		name      string
		text      string
		want      int
		wantNotes int
	}{
		{"a note near its limit", strings.Repeat("shënim ", 1_200), http.StatusSeeOther, 1},
		{"a note over a mebibyte", strings.Repeat("x", 2<<20), http.StatusRequestEntityTooLarge, 1},
		{"a body of ten mebibytes", strings.Repeat("x", 10<<20), http.StatusRequestEntityTooLarge, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := b.post("/t/DKP-2026-000001/note", url.Values{"csrf": {csrf}, "text": {c.text}})
			if r.status != c.want {
				t.Errorf("status %d, want %d", r.status, c.want)
			}
			if n := notes(); n != c.wantNotes {
				t.Errorf("%d notes on the ticket, want %d", n, c.wantNotes)
			}
		})
	}

	// Before sign-in too: no link is asked for with an oversized form, and
	// a form that does not parse is refused.
	anon := f.browser()
	page := anon.get("/signin")
	if r := anon.post("/signin", url.Values{"csrf": {csrfOf(t, page.body)}, "email": {officers[0].Email}, "pad": {strings.Repeat("x", 2<<20)}}); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized sign-in form = %d, want 413", r.status)
	}
	if n := len(f.signInLinks(officers[0].ID)); n != 0 {
		t.Errorf("%d sign-in links mailed for an oversized form, want 0", n)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/signin", strings.NewReader("csrf=%zz"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := anon.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a form that does not parse = %d, want 400", resp.StatusCode)
	}
}

// A ticket number comes from the URL: one without a ticket number's shape
// is not found, reaches no action and is not echoed back in the page.
func TestTicketNumberFromURLValidated(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Pyetje", "Tekst")
	b := f.browser()
	b.signIn(officers[1])
	csrf := b.csrf()
	const mark = "EVILMARK"
	cases := []struct{ method, path string }{
		{"GET", "/t/" + mark},
		{"GET", "/t/DKP-2026-000001" + mark},
		{"GET", "/t/DKP-2026-000001%0A" + mark},
		{"GET", "/t/%3Cb%3E" + mark + "%3C%2Fb%3E"},
		{"GET", "/t/" + mark + "/raw/1"},
		{"GET", "/t/" + mark + "/attachment/1/0"},
		{"POST", "/t/" + mark + "/take"},
		{"POST", "/t/DKP-2026-000001%09%2F%2F" + mark + "/take"},
		{"POST", "/t/%3Cb%3E" + mark + "%3C%2Fb%3E/note"},
	}
	for _, c := range cases {
		var r response
		if c.method == "GET" {
			r = b.get(c.path)
		} else {
			r = b.post(c.path, url.Values{"csrf": {csrf}, "text": {"x"}})
		}
		if r.status != http.StatusNotFound {
			t.Errorf("%s %s = %d %q, want 404", c.method, c.path, r.status, r.location)
		}
		// The language switch's back field carries the path, escaped; the
		// page's title and content must not.
		_, main, _ := strings.Cut(r.body, "<main")
		title, _, _ := strings.Cut(r.body, "</title>")
		if strings.Contains(main, mark) || strings.Contains(title, mark) || strings.Contains(r.location, mark) {
			t.Errorf("%s %s echoes the path's number back:\n%s", c.method, c.path, r.body)
		}
	}
	// The real number still works, in any of its shapes the store knows.
	if r := b.get("/t/DKP-2026-000001"); r.status != http.StatusOK {
		t.Errorf("GET the ticket = %d", r.status)
	}
	entries, err := f.store.Audit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action != "signin" && e.Action != "signin_link" {
			t.Errorf("audit log has %s %s %q after refused numbers", e.Action, e.Ticket, e.Detail)
		}
	}
}

// Every answer carries the headers that keep pages from being framed,
// sniffed, cached or leaking their URL; over https the browser is told to
// stay on https.
func TestSecurityHeaders(t *testing.T) {
	for _, secure := range []bool{false, true} {
		f := newFixture(t, func(c *web.Config) { c.SecureCookies = secure })
		b := f.browser()
		for _, path := range []string{"/signin", "/", "/t/DKP-2026-000001", "/nowhere", "/signin/link?t=x"} {
			r := b.get(path)
			want := map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "no-referrer",
				"Cache-Control":          "no-store",
			}
			if secure {
				want["Strict-Transport-Security"] = "max-age=31536000"
			}
			for h, v := range want {
				if got := r.header.Get(h); got != v {
					t.Errorf("secure=%v GET %s: %s %q, want %q", secure, path, h, got, v)
				}
			}
			if !secure && r.header.Get("Strict-Transport-Security") != "" {
				t.Errorf("GET %s: Strict-Transport-Security over plain http", path)
			}
			csp := r.header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("secure=%v GET %s: Content-Security-Policy %q lacks %s", secure, path, csp, d)
				}
			}
			if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
				t.Errorf("GET %s: Content-Security-Policy %q allows scripts or unsafe sources", path, csp)
			}
		}
	}
}

// Over https every cookie has the __Host- prefix, so the browser keeps it
// for this host only, Secure and for the whole site; a cookie of the plain
// name, which a sibling subdomain could plant, is no session and no
// pre-session token.
func TestCookiesOverHTTPSAreHostOnly(t *testing.T) {
	f := newFixture(t, func(c *web.Config) { c.SecureCookies = true })
	tlsSrv := httptest.NewTLSServer(f.web)
	defer tlsSrv.Close()
	f.srv = tlsSrv
	newBrowser := func() *browser {
		jar, _ := cookiejar.New(nil)
		return &browser{t: t, f: f, c: &http.Client{Jar: jar, Transport: tlsSrv.Client().Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	b := newBrowser()
	page := b.get("/signin")
	cookies := page.header.Values("Set-Cookie")
	b.signIn(officers[1])
	lang := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {"en"}, "back": {"/"}})
	// The session cookie is set by the link's post; read it from the jar.
	u, _ := url.Parse(tlsSrv.URL)
	var session string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "__Host-sportel_session" {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatalf("no __Host-sportel_session cookie after sign-in: %v", b.c.Jar.Cookies(u))
	}
	cookies = append(cookies, lang.header.Values("Set-Cookie")...)
	if len(cookies) < 2 {
		t.Fatalf("cookies %q, want the pre-session and language cookies", cookies)
	}
	for _, c := range cookies {
		for _, want := range []string{"__Host-", "; Path=/", "; HttpOnly", "; Secure", "; SameSite=Strict"} {
			if !strings.Contains(c, want) {
				t.Errorf("cookie %q lacks %q", c, want)
			}
		}
		if strings.Contains(strings.ToLower(c), "domain=") {
			t.Errorf("cookie %q names a domain", c)
		}
	}

	// Planted under the plain names, a live session's token and a known
	// pre-session value are refused.
	send := func(method, path, cookie string, form url.Values) *http.Response {
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, tlsSrv.URL+path, body)
		req.Header.Set("Cookie", cookie)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := newBrowser().c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := send("GET", "/", "sportel_session="+session, nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a session token under the plain name = %d, want a redirect to sign in", r.StatusCode)
	}
	if r := send("GET", "/", "__Host-sportel_session="+session, nil); r.StatusCode != http.StatusOK {
		t.Errorf("the session cookie = %d, want the queue", r.StatusCode)
	}
	known := strings.Repeat("k", 43)
	m := hmac.New(sha256.New, []byte(known))
	m.Write([]byte("sportel csrf"))
	planted := url.Values{"csrf": {hex.EncodeToString(m.Sum(nil))}, "email": {officers[0].Email}}
	if r := send("POST", "/signin", "sportel_pre="+known, planted); r.StatusCode != http.StatusForbidden {
		t.Errorf("a planted pre-session cookie = %d, want 403", r.StatusCode)
	}
	if n := len(f.signInLinks(officers[0].ID)); n != 0 {
		t.Errorf("%d links mailed on a planted pre-session cookie", n)
	}
}

// Signing in where a session is still live ends that session: the browser
// gets a new session id and the old one is refused even if replayed.
func TestSignInReplacesTheBrowsersSession(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	b.signIn(officers[1])
	u, _ := url.Parse(f.srv.URL)
	sessionOf := func() string {
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "sportel_session" {
				return c.Value
			}
		}
		return ""
	}
	first := sessionOf()
	// The sign-in page sends a signed-in browser to the queue: the link
	// is asked for elsewhere and opened here.
	f.browser().askLink(officers[2].Email)
	links := f.signInLinks(officers[2].ID)
	if r := b.useLink(links[len(links)-1]); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("use link = %d %s", r.status, r.location)
	}
	second := sessionOf()
	if first == "" || second == "" || first == second {
		t.Fatalf("session cookies %q then %q, want two different ones", first, second)
	}
	replay := f.browser()
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "sportel_session", Value: first}})
	if r := replay.get("/"); r.status != http.StatusSeeOther || r.location != "/signin" {
		t.Errorf("the replaced session = %d %q, want a redirect to sign in", r.status, r.location)
	}
	if q := b.get("/"); q.status != http.StatusOK || !strings.Contains(q.body, officers[2].Name) {
		t.Errorf("the new session = %d, want the queue for %s", q.status, officers[2].Name)
	}
	sessions, err := f.store.ListSessions(context.Background(), f.now, store.SessionLimits{Idle: 8 * time.Hour})
	if err != nil || len(sessions) != 1 || sessions[0].OfficerID != officers[2].ID {
		t.Errorf("live sessions %+v, %v; want only %s's", sessions, err, officers[2].ID)
	}
}

// A link is used once even when several browsers press its button at the
// same moment: exactly one of them is signed in.
func TestLinkUsedOnceUnderConcurrency(t *testing.T) {
	f := newFixture(t, nil)
	f.browser().askLink(officers[0].Email)
	link := f.signInLinks(officers[0].ID)[0]
	lu, _ := url.Parse(link)
	const n = 8
	forms := make([]url.Values, n)
	browsers := make([]*browser, n)
	for i := range browsers {
		browsers[i] = f.browser()
		page := browsers[i].get(link)
		forms[i] = url.Values{"csrf": {csrfOf(t, page.body)}, "t": {lu.Query().Get("t")}}
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range browsers {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/signin/link", strings.NewReader(forms[i].Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := browsers[i].c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	signedIn := 0
	for i, st := range statuses {
		switch st {
		case http.StatusSeeOther:
			signedIn++
		case http.StatusForbidden:
		default:
			t.Errorf("browser %d: %d, want 303 or 403", i, st)
		}
	}
	if signedIn != 1 {
		t.Errorf("%d browsers signed in with one link, want 1", signedIn)
	}
	if s, _ := f.store.ListSessions(context.Background(), f.now, store.SessionLimits{Idle: 8 * time.Hour}); len(s) != 1 {
		t.Errorf("%d sessions from one link, want 1", len(s))
	}
}
