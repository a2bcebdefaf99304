package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
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
