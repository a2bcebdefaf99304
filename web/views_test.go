package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sportel/inquiry"
	"sportel/internal/browsertest"
	"sportel/internal/testutil"
)

// viewsFixture files two open tickets, two closed ones, one bulk and one
// spam, received an hour apart in that order, and signs jusuf in.
func viewsFixture(t *testing.T) (*fixture, *browser) {
	t.Helper()
	f := newFixture(t, nil)
	tickets := []struct {
		number, subject string
		state           inquiry.State
	}{
		{"DKP-2026-000001", "Kontratat e stadiumit", inquiry.Assigned},
		{"DKP-2026-000002", "Orari i muzeut", inquiry.Closed},
		{"DKP-2026-000003", "Buxheti i festivalit", inquiry.Assigned},
		{"DKP-2026-000004", "Newsletter", inquiry.BulkMail},
		{"DKP-2026-000005", "Stadiumi i ri", inquiry.Closed},
		{"DKP-2026-000006", "Cheap pills", inquiry.SpamMail},
	}
	for i, tk := range tickets {
		f.file(tk.number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(time.Duration(i-10)*time.Hour), f.now.Add(6*24*time.Hour), tk.subject, tk.subject)
		if tk.state != inquiry.Assigned {
			setAside(t, f, tk.number, tk.state)
		}
	}
	b := f.browser()
	b.signIn(officers[1])
	return f, b
}

var tabRE = regexp.MustCompile(`<a href="([^"]*)"( aria-current="page")?>([^<]*)</a>`)

// tabs are the queue's view links as href, label, and whether current.
func tabs(body string) map[string][2]string {
	i := strings.Index(body, `class="views"`)
	if i < 0 {
		return nil
	}
	j := strings.Index(body[i:], "</nav>")
	out := map[string][2]string{}
	for _, m := range tabRE.FindAllStringSubmatch(body[i:i+j], -1) {
		out[m[3]] = [2]string{strings.ReplaceAll(m[1], "&amp;", "&"), m[2]}
	}
	return out
}

// The queue offers open, closed, and bulk and spam tickets as three views
// of the same list, with its filters: closed and set-aside ones newest
// first (what one looks for there is recent), open ones oldest first.
func TestQueueViews(t *testing.T) {
	_, b := viewsFixture(t)
	tests := []struct {
		query string
		want  string
		h1    string
	}{
		{"", "DKP-2026-000001 DKP-2026-000003", "Tiketat e hapura"},
		{"view=open", "DKP-2026-000001 DKP-2026-000003", "Tiketat e hapura"},
		{"view=closed", "DKP-2026-000005 DKP-2026-000002", "Tiketat e mbyllura"},
		{"view=setaside", "DKP-2026-000006 DKP-2026-000004", "Postë masive dhe spam"},
		{"view=setaside&state=spam", "DKP-2026-000006", "Postë masive dhe spam"},
		{"view=setaside&state=assigned", "DKP-2026-000006 DKP-2026-000004", "Postë masive dhe spam"},
		{"view=closed&q=stadium", "DKP-2026-000005", "Tiketat e mbyllura"},
		{"view=closed&state=spam", "DKP-2026-000005 DKP-2026-000002", "Tiketat e mbyllura"},
		{"view=nonsense", "DKP-2026-000001 DKP-2026-000003", "Tiketat e hapura"},
	}
	for _, tt := range tests {
		r := b.get("/?" + tt.query)
		if got := strings.Join(queueRows(r.body), " "); got != tt.want || !strings.Contains(r.body, "<h1>"+tt.h1+"</h1>") {
			t.Errorf("/?%s lists %q, want %q under %q", tt.query, got, tt.want, tt.h1)
		}
	}

	// The tabs, in the officer's language, keep the filters all views
	// share (a search, the officer) and drop the ones of one view.
	r := b.get("/?view=closed&q=stadium&officer=jusuf&state=closed")
	got := tabs(r.body)
	want := map[string][2]string{
		"Të hapura":       {"/?officer=jusuf&q=stadium", ""},
		"Të mbyllura":     {"/?officer=jusuf&q=stadium&view=closed", ` aria-current="page"`},
		"Masive dhe spam": {"/?officer=jusuf&q=stadium&view=setaside", ""},
	}
	for label, w := range want {
		if got[label] != w {
			t.Errorf("tab %q = %q, want %q (all tabs: %q)", label, got[label], w, got)
		}
	}
	// Filtering stays in the view it is in.
	if !strings.Contains(r.body, `<input type="hidden" name="view" value="closed">`) {
		t.Error("the filter form of the closed view does not keep the view")
	}
	if !strings.Contains(r.body, `<a href="/?view=closed">`) {
		t.Error("clearing the filters of the closed view leaves the view")
	}
}

// An officer reaches a closed ticket, and bulk and spam mail, from the
// queue by its links, as they would in a browser.
func TestClosedAndSpamReachedByLinksInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	f, _ := viewsFixture(t)
	f.browser().askLink(officers[1].Email)
	links := f.signInLinks(officers[1].ID)
	do(t, ctx, chromedp.Navigate(f.srv.URL+links[len(links)-1]))
	waitFor(t, ctx, "/signin/link")
	submit(t, ctx, "#use-link", f.srv.URL+"/")

	rows := `[...document.querySelectorAll("table.queue tbody tr")].map(r => r.dataset.number).join(" ")`
	if got := eval[string](t, ctx, rows); got != "DKP-2026-000001 DKP-2026-000003" {
		t.Errorf("the queue lists %q", got)
	}
	// The closed view by its tab, then a closed ticket from it.
	clickLink(t, ctx, "Të mbyllura", "view=closed")
	if got := eval[string](t, ctx, rows); got != "DKP-2026-000005 DKP-2026-000002" {
		t.Errorf("the closed tab lists %q", got)
	}
	if cur := eval[string](t, ctx, `document.querySelector('.views [aria-current="page"]').textContent`); cur != "Të mbyllura" {
		t.Errorf("the current tab is %q", cur)
	}
	browsertest.Axe(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/t/DKP-2026-000002"]`)))
	waitFor(t, ctx, "/t/DKP-2026-000002")
	if state := eval[string](t, ctx, `document.querySelector(".facts").textContent`); !strings.Contains(state, "mbyllur") {
		t.Errorf("the closed ticket's page says %q", state)
	}
	// Back from it to the closed view, not the open queue.
	clickLink(t, ctx, "Kthehu te radha", "view=closed")

	// Bulk and spam, to look for a citizen filed there by mistake.
	clickLink(t, ctx, "Masive dhe spam", "view=setaside")
	if got := eval[string](t, ctx, rows); got != "DKP-2026-000006 DKP-2026-000004" {
		t.Errorf("the bulk and spam tab lists %q", got)
	}
	browsertest.Axe(t, ctx)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#f-state"), "spam"))
	submit(t, ctx, "form.filters button", "state=spam")
	if got := eval[string](t, ctx, rows); got != "DKP-2026-000006" {
		t.Errorf("filtering the bulk and spam tab by spam lists %q", got)
	}
	if !strings.Contains(eval[string](t, ctx, `location.search`), "view=setaside") {
		t.Error("filtering left the bulk and spam view")
	}
}

// clickLink follows the link whose text is text and waits for a location
// with at.
func clickLink(t *testing.T, ctx context.Context, text, at string) {
	t.Helper()
	eval[bool](t, ctx, `(window.__old = true)`)
	found := eval[bool](t, ctx, `(() => { const a = [...document.querySelectorAll("a")].find(a => a.textContent.trim() === `+strconv.Quote(text)+`); if (!a) return false; a.click(); return true })()`)
	if !found {
		t.Fatalf("no link %q on the page", text)
	}
	testutil.Eventually(t, "the page after "+text, 15*time.Second, func() (bool, error) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__old !== true && document.readyState === "complete"`))
		return err == nil && v, nil
	})
	waitFor(t, ctx, at)
}

// An officer goes through the closed tickets a page at a time by the
// queue's links, as they would in a browser, and the page after a filter
// keeps it.
func TestQueuePagesInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	f := newFixture(t, nil)
	fileMany(t, f, 1, 130, inquiry.Closed, f.now.Add(-300*24*time.Hour), time.Time{})
	f.browser().askLink(officers[1].Email)
	links := f.signInLinks(officers[1].ID)
	do(t, ctx, chromedp.Navigate(f.srv.URL+links[len(links)-1]))
	waitFor(t, ctx, "/signin/link")
	submit(t, ctx, "#use-link", f.srv.URL+"/")

	rows := `[...document.querySelectorAll("table.queue tbody tr")].map(r => r.dataset.number)`
	first := rows + `[0]`
	count := rows + `.length`
	clickLink(t, ctx, "Të mbyllura", "view=closed")
	if n, top := eval[int](t, ctx, count), eval[string](t, ctx, first); n != 100 || top != "DKP-2026-000130" {
		t.Errorf("the closed tab's first page lists %d, from %s", n, top)
	}
	if shown := eval[string](t, ctx, `document.querySelector("#shown").textContent`); shown != "1–100" {
		t.Errorf("the first page says it shows %q", shown)
	}
	browsertest.Axe(t, ctx)
	clickLink(t, ctx, "Faqja tjetër", "after=")
	if n, top := eval[int](t, ctx, count), eval[string](t, ctx, first); n != 30 || top != "DKP-2026-000030" {
		t.Errorf("the second page lists %d, from %s", n, top)
	}
	if !strings.Contains(eval[string](t, ctx, `location.search`), "view=closed") {
		t.Error("the next page left the closed tab")
	}
	if eval[bool](t, ctx, `!!document.querySelector('a[rel="next"]')`) {
		t.Error("the last page links to a next one")
	}
	clickLink(t, ctx, "Faqja e mëparshme", "view=closed")
	if top := eval[string](t, ctx, first); top != "DKP-2026-000130" {
		t.Errorf("back on the first page, it starts at %s", top)
	}
}
