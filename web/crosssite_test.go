package web_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"sportel/inquiry"
	"sportel/internal/browsertest"
	"sportel/internal/testutil"
)

// hostileSite is another site an officer visits while signed in: its
// pages post forms to the workspace, frame it and send the browser to it.
// The workspace is reached as localhost and this site as 127.0.0.1: two
// sites to the browser, as a citizen's page on the web would be.
func hostileSite(t *testing.T, workspace string) *httptest.Server {
	t.Helper()
	post := template.Must(template.New("post").Parse(`<!DOCTYPE html><html><body>
<form id="f" method="post" action="{{.Action}}">{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}</form>
<script>document.getElementById("f").submit()</script></body></html>`))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/post":
			fields := map[string]string{}
			for k, v := range q {
				if k != "to" {
					fields[k] = v[0]
				}
			}
			_ = post.Execute(w, map[string]any{"Action": workspace + q.Get("to"), "Fields": fields})
		case "/frame":
			fmt.Fprintf(w, `<!DOCTYPE html><iframe id="w" src="%s" width="800" height="600" onload="window.__framed=true"></iframe>`, template.HTMLEscapeString(workspace+q.Get("to")))
		case "/link":
			fmt.Fprintf(w, `<!DOCTYPE html><a id="go" href="%s">Shiko dokumentin</a><script>document.getElementById("go").click()</script>`, template.HTMLEscapeString(workspace+q.Get("to")))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	if !strings.Contains(srv.URL, "127.0.0.1") {
		t.Skipf("the hostile site is at %s, not 127.0.0.1", srv.URL)
	}
	return srv
}

// signInBrowser signs officer in in the tab at base through a mailed link.
func signInBrowser(t *testing.T, ctx context.Context, f *fixture, base string, o inquiry.Officer) {
	t.Helper()
	f.browser().askLink(o.Email)
	links := f.signInLinks(o.ID)
	do(t, ctx, chromedp.Navigate(base+links[len(links)-1]))
	submit(t, ctx, "#use-link", base+"/")
}

// ticketState is what a forged request could change on a ticket.
func ticketState(t *testing.T, f *fixture, number string) string {
	t.Helper()
	tk := mustTicket(t, f, number)
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s %s %s urgent=%v due=%s entries=%d", tk.State, tk.OfficerID, tk.Category, tk.Urgent, tk.DueAt, len(entries))
}

// Another site's forms posted to the workspace while an officer is signed
// in change nothing: not with the session cookie as it is (SameSite=Strict
// keeps it from the request), and not with a cookie a browser sends
// cross-site (one without SameSite, as older browsers treat every cookie),
// since the form lacks the session's CSRF token. Nor does a framed
// workspace show.
func TestCrossSiteRequestsInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Kontrata", "Kërkoj kontratën.")
	base := strings.Replace(f.srv.URL, "127.0.0.1", "localhost", 1)
	evil := hostileSite(t, base)
	signInBrowser(t, ctx, f, base, officers[1])
	before := ticketState(t, f, "DKP-2026-000001")

	forged := []url.Values{
		{"to": {"/t/DKP-2026-000001/note"}, "text": {"forged note"}},
		{"to": {"/t/DKP-2026-000001/answer"}, "text": {"forged answer"}, "csrf": {strings.Repeat("0", 64)}},
		{"to": {"/t/DKP-2026-000001/close"}, "outcome": {"refused"}, "ground": {"personal_data"}},
		{"to": {"/t/DKP-2026-000001/assign"}, "officer": {"zamira"}},
		{"to": {"/t/DKP-2026-000001/extend"}, "days": {"15"}, "reason": {"forged"}},
		{"to": {"/t/DKP-2026-000001/urgent"}, "on": {"1"}},
		{"to": {"/t/DKP-2026-000001/category"}, "category": {"spam"}},
		{"to": {"/signout"}},
		{"to": {"/lang"}, "lang": {"en"}, "back": {"/"}},
	}
	session := func() *network.Cookie {
		cookies, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
			res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
			return res.Cookies, err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cookies {
			if c.Name == "sportel_session" {
				return c
			}
		}
		t.Fatal("no session cookie in the browser")
		return nil
	}
	for _, cookie := range []string{"SameSite=Strict", "no SameSite"} {
		if cookie == "no SameSite" {
			// An older browser sends every cookie with another site's
			// form; Chromium does so for SameSite=None.
			c := session()
			secure := true
			do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value, URL: base + "/",
					Path: "/", HTTPOnly: &c.HTTPOnly, Secure: &secure, SameSite: network.CookieSameSiteNone})
				return err
			}))
			if s := session(); s.SameSite != network.CookieSameSiteNone {
				t.Fatalf("the session cookie is %s after setting it SameSite=None", s.SameSite)
			}
		}
		for _, form := range forged {
			refusals := strings.Count(f.logs.String(), "request without a valid CSRF token refused")
			do(t, ctx, chromedp.Navigate(evil.URL+"/post?"+form.Encode()))
			waitFor(t, ctx, base+"/")
			if got := ticketState(t, f, "DKP-2026-000001"); got != before {
				t.Errorf("%s: a form from another site to %s changed the ticket: %s, was %s", cookie, form.Get("to"), got, before)
			}
			if cookie == "no SameSite" && form.Get("to") != "/lang" && strings.Count(f.logs.String(), "request without a valid CSRF token refused") == refusals {
				t.Errorf("%s: the form to %s did not reach the workspace with the session", cookie, form.Get("to"))
			}
		}
		// Still signed in, in Albanian, as the officer was.
		do(t, ctx, chromedp.Navigate(base+"/"))
		waitFor(t, ctx, base+"/")
		if who := eval[string](t, ctx, `document.querySelector(".who strong")?.textContent ?? ""`); who != officers[1].Name {
			t.Errorf("%s: after the forged forms the queue shows %q signed in, want %s", cookie, who, officers[1].Name)
		}
		if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "sq" {
			t.Errorf("%s: after a forged language switch the page is in %q", cookie, lang)
		}
	}

	// Framed by another site, the workspace does not show: the frame
	// holds the browser's error page (titled by its address), never a
	// page of the workspace (titled "… · Sportel").
	do(t, ctx, chromedp.Navigate(evil.URL+"/frame?to=/t/DKP-2026-000001"))
	testutil.Eventually(t, "the frame loaded", 10*time.Second, func() (bool, error) {
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__framed === true`))
		if err != nil || !loaded {
			return false, err
		}
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			return false, err
		}
		for _, i := range infos {
			if i.Type != "iframe" || !strings.HasPrefix(i.URL, base) {
				continue
			}
			// The frame runs in a process of its own: ask it.
			fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(i.TargetID))
			defer cancel()
			title, err := chromedp.Run(fctx, chromedp.Evaluate[string](`document.title + " " + document.body.innerText.slice(0, 60)`))
			if err != nil {
				return false, err
			}
			t.Logf("frame %s: %q", i.URL, title)
			if strings.Contains(title, "Sportel") {
				t.Errorf("another site framed the workspace: the frame shows %q at %s", title, i.URL)
			}
			return true, nil
		}
		return false, nil
	})
}

// A sign-in link another site sends the browser to (a webmail's link is
// another site's) reaches the workspace without its SameSite=Strict
// session cookie, so the link's page cannot see that the browser is signed
// in. Pressing the button must still not swap the officer's session for
// the link's officer unannounced: the workspace says whom the browser is
// signed in as, and that the link ends that session, before it uses the
// link.
func TestSignInLinkFromAnotherSiteWarns(t *testing.T) {
	ctx := browsertest.New(t)
	f := newFixture(t, nil)
	base := strings.Replace(f.srv.URL, "127.0.0.1", "localhost", 1)
	evil := hostileSite(t, base)
	signInBrowser(t, ctx, f, base, officers[1])

	// Another officer's link, forwarded to this one by mail.
	f.browser().askLink(officers[0].Email)
	links := f.signInLinks(officers[0].ID)
	link := links[len(links)-1]
	do(t, ctx, chromedp.Navigate(evil.URL+"/link?to="+url.QueryEscape(link)))
	waitFor(t, ctx, base+"/signin/link")
	warned := eval[string](t, ctx, `document.querySelector("#other-session")?.textContent ?? ""`)
	eval[bool](t, ctx, `(window.__old = true)`)
	do(t, ctx, chromedp.Click(chromedp.CSS("#use-link")))
	testutil.Eventually(t, "the page after the button", 15*time.Second, func() (bool, error) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__old !== true && document.readyState === "complete"`))
		return err == nil && v, nil
	})
	if warned == "" {
		warned = eval[string](t, ctx, `document.querySelector("#other-session")?.textContent ?? ""`)
	}
	if !strings.Contains(warned, officers[1].Name) {
		t.Errorf("the browser signed in as %s used %s's link with no word of it (page at %s)", officers[1].Name, officers[0].Name,
			eval[string](t, ctx, `location.href`))
	}
	// Told, the officer may still go on: the link then signs in.
	if eval[bool](t, ctx, `!!document.querySelector("#other-session") && !!document.querySelector("#use-link")`) {
		submit(t, ctx, "#use-link", base+"/")
	}
	if who := eval[string](t, ctx, `document.querySelector(".who strong")?.textContent ?? ""`); who != officers[0].Name {
		t.Errorf("after confirming, the browser is signed in as %q, want %s", who, officers[0].Name)
	}
}

// The same without a browser: a link's button pressed in a browser signed
// in, from a page that did not say so (it carries no replace field), is
// answered with the warning and the link kept; pressed again from there,
// it signs in and ends the other session.
func TestSignInLinkUnannouncedAsksFirst(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	b.signIn(officers[1])
	f.browser().askLink(officers[0].Email)
	links := f.signInLinks(officers[0].ID)
	u, _ := url.Parse(links[len(links)-1])
	page := b.get(links[len(links)-1])
	r := b.post("/signin/link", url.Values{"csrf": {csrfOf(t, page.body)}, "t": {u.Query().Get("t")}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="other-session"`) || !strings.Contains(r.body, officers[1].Name) {
		t.Fatalf("an unannounced link = %d, want the page saying the browser is signed in as %s:\n%s", r.status, officers[1].Name, r.body)
	}
	if q := b.get("/"); q.status != http.StatusOK || !strings.Contains(q.body, officers[1].Name) {
		t.Errorf("after the warning the browser is no longer %s's: %d", officers[1].Name, q.status)
	}
	m := replaceRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the warning's form has no replace field:\n%s", r.body)
	}
	r = b.post("/signin/link", url.Values{"csrf": {csrfOf(t, r.body)}, "t": {u.Query().Get("t")}, "replace": {m[1]}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("the link confirmed = %d, want 303", r.status)
	}
	if q := b.get("/"); !strings.Contains(q.body, officers[0].Name) {
		t.Errorf("after confirming the browser is not %s's", officers[0].Name)
	}
}
