package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

func TestFigures(t *testing.T) {
	f := newFixture(t, nil)
	now := f.now
	f.file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.English, "jusuf", now.Add(-20*24*time.Hour), now.Add(-13*24*time.Hour), "Contracts", "Please")
	f.file("DKP-2026-000002", inquiry.DocumentRequest, inquiry.Albanian, "jusuf", now.Add(-3*24*time.Hour), now.Add(4*24*time.Hour), "Buxheti", "Ju lutem")
	f.file("DKP-2026-000003", inquiry.PressInquiry, inquiry.Albanian, "osman", now.Add(-time.Hour), time.Time{}, "Intervistë", "Pyetje")
	b := f.browser()
	if r := b.get("/figures"); r.status != http.StatusSeeOther {
		t.Errorf("figures without a session = %d, want a redirect", r.status)
	}
	b.signIn(officers[0])

	p := b.get("/figures?year=2026")
	if p.status != http.StatusOK {
		t.Fatalf("figures = %d\n%s", p.status, p.body)
	}
	for _, want := range []string{`id="weekly-category-chart"`, `id="weekly-channel-chart"`, `role="img"`,
		`<th scope="row">Kërkesa të marra</th><td>2</td>`, `<th scope="row">Refuzime me heshtje</th><td>1</td>`,
		`href="/figures/access-2026.csv"`, `href="/figures/weekly-2026.csv"`, `href="/figures/access-2026.html"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("figures page lacks %q", want)
		}
	}
	downloads := []struct {
		path, contentType, body, csp string
	}{
		{"/figures/access-2026.csv", "text/csv; charset=utf-8", "received,,2", ""},
		{"/figures/weekly-2026.csv", "text/csv; charset=utf-8", "2026-W48", ""},
		{"/figures/access-2026.html", "text/html; charset=utf-8", "<svg", "style-src 'unsafe-inline'"},
	}
	for _, d := range downloads {
		r := b.get(d.path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != d.contentType || !strings.Contains(r.body, d.body) {
			t.Errorf("GET %s = %d %q, body has %q: %v", d.path, r.status, r.header.Get("Content-Type"), d.body, strings.Contains(r.body, d.body))
		}
		if csp := r.header.Get("Content-Security-Policy"); strings.Contains(csp, "script") || (d.csp != "" && !strings.Contains(csp, d.csp)) {
			t.Errorf("GET %s CSP %q", d.path, csp)
		}
	}
	for _, path := range []string{"/figures?year=1999", "/figures?year=x", "/figures/access-1999.csv", "/figures/weekly-2026.html", "/figures/etc-passwd"} {
		if r := b.get(path); r.status == http.StatusOK {
			t.Errorf("GET %s = 200", path)
		}
	}
}
