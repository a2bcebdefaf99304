package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(policy string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(policy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[strings.ToLower(name)] = strings.TrimSpace(value)
		}
	}
	return out
}

// Every answer the workspace gives — pages, redirects, refusals, errors of
// every status, the stylesheet, the figures, downloads, HEAD — carries the
// headers that keep it from being framed, sniffed or leaking its address,
// and a policy under which no script at all runs (TestSecurityHeaders
// checks HSTS over https).
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	{
		f := newFixture(t, nil)
		f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Pyetje", "Tekst")
		anon := f.browser()
		b := f.browser()
		b.signIn(officers[1])
		csrf := b.csrf()
		cases := []struct {
			name   string
			who    *browser
			method string
			path   string
			form   url.Values
			status int
		}{
			{"sign-in page", anon, "GET", "/signin", nil, 200},
			{"link page", anon, "GET", "/signin/link?t=x", nil, 200},
			{"redirect to sign in", anon, "GET", "/t/DKP-2026-000001", nil, 303},
			{"refused without session", anon, "POST", "/t/DKP-2026-000001/note", url.Values{"text": {"x"}}, 403},
			{"refused without CSRF", b, "POST", "/t/DKP-2026-000001/note", url.Values{"text": {"x"}}, 403},
			{"not found", b, "GET", "/nowhere", nil, 404},
			{"signing out by GET", b, "GET", "/signout", nil, 404},
			{"other method", b, "PUT", "/signin", nil, 404},
			{"path cleaned", b, "GET", "/t/../figures", nil, 307},
			// The mux's own redirects to a cleaned path stay on the site:
			// a browser reads "/\\x" and "//x" as another host.
			{"path cleaned to a backslash", b, "GET", "/%5Cevil.example/./", nil, 307},
			{"path cleaned to two slashes", b, "GET", "//evil.example/./x", nil, 307},
			{"path cleaned, two slashes kept", b, "GET", "/.//evil.example/", nil, 307},
			{"not UTF-8", b, "GET", "/?q=%ff", nil, 400},
			{"too large", b, "POST", "/t/DKP-2026-000001/note", url.Values{"csrf": {csrf}, "text": {strings.Repeat("x", 2<<20)}}, 413},
			{"refusal", b, "POST", "/t/DKP-2026-000001/extend", url.Values{"csrf": {csrf}, "days": {"x"}}, 422},
			{"queue", b, "GET", "/", nil, 200},
			{"ticket", b, "GET", "/t/DKP-2026-000001", nil, 200},
			{"action done", b, "POST", "/t/DKP-2026-000001/note", url.Values{"csrf": {csrf}, "text": {"shënim"}}, 303},
			{"attachment", b, "GET", "/t/DKP-2026-000001/attachment/1/0", nil, 200},
			{"attachment HEAD", b, "HEAD", "/t/DKP-2026-000001/attachment/1/0", nil, 200},
			{"raw mail", b, "GET", "/t/DKP-2026-000001/raw/1", nil, 200},
			{"figures", b, "GET", "/figures", nil, 200},
			{"annual report page", b, "GET", "/figures/access-2026.html", nil, 200},
			{"weekly CSV", b, "GET", "/figures/weekly-2026.csv", nil, 200},
			{"stylesheet", anon, "GET", "/static/style.css", nil, 200},
			{"static directory", anon, "GET", "/static/", nil, 404},
			{"static directory without its slash", anon, "GET", "/static", nil, 307},
		}
		for _, c := range cases {
			r := c.who.do(c.method, c.path, c.form)
			if r.status != c.status {
				t.Errorf("%s: %s %s = %d, want %d", c.name, c.method, c.path, r.status, c.status)
			}
			if loc := r.location; r.status/100 == 3 {
				if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
					t.Errorf("%s: %s %s redirects to %q, off the site", c.name, c.method, c.path, loc)
				}
			}
			want := map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "no-referrer",
				// No other site's window keeps a handle on a workspace
				// page, nor embeds or loads its files.
				"Cross-Origin-Opener-Policy":   "same-origin",
				"Cross-Origin-Resource-Policy": "same-origin",
			}
			for h, v := range want {
				if got := r.header.Get(h); got != v {
					t.Errorf("%s: %s %s: %s %q, want %q", c.name, c.method, c.path, h, got, v)
				}
			}
			csp := cspDirectives(r.header.Get("Content-Security-Policy"))
			if csp["default-src"] != "'none'" || csp["frame-ancestors"] != "'none'" || csp["base-uri"] != "'none'" {
				t.Errorf("%s: %s %s: Content-Security-Policy %q, want default-src, frame-ancestors and base-uri 'none'", c.name, c.method, c.path, r.header.Get("Content-Security-Policy"))
			}
			if s, ok := csp["script-src"]; ok && s != "'none'" {
				t.Errorf("%s: %s %s: script-src %q, want no scripts", c.name, c.method, c.path, s)
			}
			if fa := csp["form-action"]; fa != "'self'" && fa != "'none'" {
				t.Errorf("%s: %s %s: form-action %q", c.name, c.method, c.path, fa)
			}
		}
	}
}

// Ticket numbers and entry ids are easy to guess. Without a session no
// ticket, file, raw mail or figure is shown and no action is done; with
// one, an entry is found only on its own ticket, so a download is always
// audited under the ticket it belongs to. (Every officer may work every
// ticket, as from the command line and Telegram: the README gives no role
// a narrower view.)
func TestGuessedAddressesNeedASessionAndTheirTicket(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Sekret-subjekt", "Sekret-tekst")
	f.file("DKP-2026-000002", inquiry.GeneralQuestion, inquiry.Albanian, "zamira", f.now.Add(-time.Hour), time.Time{}, "Tjetër", "Tjetër")
	anon := f.browser()
	for _, path := range []string{"/", "/t/DKP-2026-000001", "/t/DKP-2026-000001/raw/1", "/t/DKP-2026-000001/attachment/1/0",
		"/figures", "/figures/access-2026.html", "/figures/weekly-2026.csv", "/?q=Sekret"} {
		r := anon.get(path)
		if r.status != 303 || r.location != "/signin" || strings.Contains(r.body, "Sekret") || strings.Contains(r.body, "PDF") {
			t.Errorf("GET %s without a session = %d %q, want a redirect to sign in and nothing of the ticket", path, r.status, r.location)
		}
	}
	before := ticketState(t, f, "DKP-2026-000001")
	for _, action := range []string{"note", "answer", "take", "assign", "close", "reopen", "category", "urgent", "extend", "notheld"} {
		r := anon.post("/t/DKP-2026-000001/"+action, url.Values{"text": {"x"}, "officer": {"zamira"}, "outcome": {"resolved"}, "csrf": {"0"}})
		if r.status != 403 {
			t.Errorf("POST %s without a session = %d, want 403", action, r.status)
		}
	}
	if got := ticketState(t, f, "DKP-2026-000001"); got != before {
		t.Errorf("actions without a session changed the ticket: %s, was %s", got, before)
	}
	b := f.browser()
	b.signIn(officers[2])
	for _, path := range []string{"/t/DKP-2026-000002/raw/1", "/t/DKP-2026-000002/attachment/1/0", "/t/DKP-2026-000001/raw/2", "/t/DKP-2026-000009/raw/1"} {
		if r := b.get(path); r.status != 404 {
			t.Errorf("GET %s, an entry of another ticket = %d, want 404", path, r.status)
		}
	}
	entries, err := f.store.Audit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "download") {
			t.Errorf("audit log has %s %s %q for a download refused", e.Action, e.Ticket, e.Detail)
		}
	}
}
