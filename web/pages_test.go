package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// fileMany creates n tickets in state, received a minute apart from
// first, numbered from DKP-2026-<start>, in one transaction (no record:
// the queue does not read it). Every other one is in English, the rest
// in Albanian; due is the open tickets' deadline.
func fileMany(t *testing.T, f *fixture, start, n int, state inquiry.State, first, due time.Time) {
	t.Helper()
	err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
		for i := range n {
			lang := inquiry.Albanian
			if i%2 == 1 {
				lang = inquiry.English
			}
			received := first.Add(time.Duration(i) * time.Minute)
			tk := &inquiry.Ticket{Number: fmt.Sprintf("DKP-2026-%06d", start+i), Channel: inquiry.ChannelEmail,
				Sender:  inquiry.Address{Name: "Arben Berisha", Address: "arben@example.net"},
				Subject: "Kërkesë", Language: lang, Category: inquiry.DocumentRequest, Classifier: "builtin",
				OfficerID: "jusuf", State: state, ReceivedAt: received, UpdatedAt: received}
			if state.Open() {
				tk.DueAt = due
			}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var pageLinkRE = regexp.MustCompile(`<a href="([^"]*)" rel="(prev|next)"[^>]*>([^<]*)</a>`)

// pageLinks are a queue page's previous and next links: rel to href and
// label.
func pageLinks(body string) map[string][2]string {
	out := map[string][2]string{}
	for _, m := range pageLinkRE.FindAllStringSubmatch(body, -1) {
		out[m[2]] = [2]string{html.UnescapeString(m[1]), m[3]}
	}
	return out
}

// countLine is the queue's line saying how many tickets there are and
// which are shown, as the officer reads it.
func countLine(body string) string {
	m := regexp.MustCompile(`(?s)<p class="count"[^>]*>(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))), " ")
}

// linkFilters is a page link's query without its place in the list, and
// which place it names ("after" or "before"; "" when the link is "").
func linkFilters(t *testing.T, link string) (string, string) {
	t.Helper()
	if link == "" {
		return "", ""
	}
	u, err := url.Parse(link)
	if err != nil || u.Path != "/" {
		t.Fatalf("page link %q: %v", link, err)
	}
	q := u.Query()
	var place string
	for _, p := range []string{"after", "before"} {
		if q.Has(p) {
			if !regexp.MustCompile(`^[0-9]+\.[0-9]+$`).MatchString(q.Get(p)) {
				t.Errorf("page link %q: %s=%q is no place in the list", link, p, q.Get(p))
			}
			place += p
			q.Del(p)
		}
	}
	return q.Encode(), place
}

// A list of years of closed tickets is read a hundred at a time: the
// queue shows one page, says which tickets of how many, and links to the
// pages before and after with the list's tab, filters and order kept; a
// link past the end shows the last hundred, one before the start the
// first.
func TestQueuePages(t *testing.T) {
	f := newFixture(t, nil)
	// 230 closed tickets (000001-000230, oldest first), 105 open ones
	// overdue (000301-000405) and 3 open ones not due yet (000501-000503).
	fileMany(t, f, 1, 230, inquiry.Closed, f.now.Add(-300*24*time.Hour), time.Time{})
	fileMany(t, f, 301, 105, inquiry.Assigned, f.now.Add(-30*24*time.Hour), f.now.Add(-24*time.Hour))
	fileMany(t, f, 501, 3, inquiry.Assigned, f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour))
	b := f.browser()
	b.signIn(officers[1])
	num := func(n int) string { return fmt.Sprintf("DKP-2026-%06d", n) }
	// The place of the oldest closed ticket, DKP-2026-000001: nothing is
	// after it in the closed list, newest first.
	oldest := mustTicket(t, f, num(1))
	pastTheEnd := fmt.Sprintf("%d.%d", oldest.ReceivedAt.UnixNano(), oldest.ID)

	tests := []struct {
		name string
		// go is the address, or "next" or "prev": the link of that name on
		// the page before.
		go_         string
		rows        int
		first, last string // the page's first and last rows
		count       string // its count line, which holds this
		filters     string // what its links keep besides the place
		prev, next  bool   // it links to the page before, after
	}{
		{"closed, first page: the newest hundred", "/?view=closed", 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "view=closed", false, true},
		{"closed, second page", "next", 100, num(130), num(31),
			"Tiketa: 230 · 101–200", "view=closed", true, true},
		{"closed, last page", "next", 30, num(30), num(1),
			"Tiketa: 230 · 201–230", "view=closed", true, false},
		{"back to the second", "prev", 100, num(130), num(31),
			"Tiketa: 230 · 101–200", "view=closed", true, true},
		{"back to the first", "prev", 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "view=closed", false, true},
		{"past the end: the last hundred", "/?view=closed&after=" + pastTheEnd, 100, num(100), num(1),
			"Tiketa: 230 · 131–230", "view=closed", true, false},
		{"before the start: the first page", "/?view=closed&before=" + fmt.Sprintf("%d.%d", f.now.UnixNano(), 1<<40), 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "view=closed", false, true},
		{"not a place: the first page", "/?view=closed&after=dy", 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "view=closed", false, true},
		{"an old page number: the first page", "/?view=closed&page=2", 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "view=closed", false, true},
		// A filter the web once applied after loading every ticket is
		// the store's now: the pages hold what it keeps.
		{"a filtered list", "/?view=closed&language=en&officer=jusuf", 100, num(230), num(32),
			"Tiketa: 115 · 1–100", "language=en&officer=jusuf&view=closed", false, true},
		{"its second page keeps the filters", "next", 15, num(30), num(2),
			"Tiketa: 115 · 101–115", "language=en&officer=jusuf&view=closed", true, false},
		{"the open queue, oldest first, by deadline filter", "/?due=overdue", 100, num(301), num(400),
			"Tiketa: 105 · 1–100", "due=overdue", false, true},
		{"its second page keeps the deadline filter", "next", 5, num(401), num(405),
			"Tiketa: 105 · 101–105", "due=overdue", true, false},
		{"one page: no links", "/?since=2026-11-20", 3, num(501), num(503),
			"Tiketa: 3", "", false, false},
		{"nothing found, wherever the place", "/?view=closed&officer=nobody&after=" + pastTheEnd, 0, "", "",
			"Tiketa: 0", "", false, false},
	}
	var links map[string][2]string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.go_
			if addr == "next" || addr == "prev" {
				if addr = links[tt.go_][0]; addr == "" {
					t.Fatalf("the page before has no %s link", tt.go_)
				}
			}
			r := b.get(addr)
			if r.status != http.StatusOK {
				t.Fatalf("%s: status %d", addr, r.status)
			}
			rows := queueRows(r.body)
			var first, last string
			if len(rows) > 0 {
				first, last = rows[0], rows[len(rows)-1]
			}
			if len(rows) != tt.rows || first != tt.first || last != tt.last {
				t.Errorf("%s lists %d rows, %s to %s; want %d, %s to %s", addr, len(rows), first, last, tt.rows, tt.first, tt.last)
			}
			if got := countLine(r.body); !strings.HasPrefix(got, tt.count) {
				t.Errorf("count line %q, want it to start %q", got, tt.count)
			}
			links = pageLinks(r.body)
			for _, l := range []struct {
				rel, place string
				want       bool
			}{{"prev", "before", tt.prev}, {"next", "after", tt.next}} {
				filters, place := linkFilters(t, links[l.rel][0])
				if !l.want {
					if place != "" {
						t.Errorf("a %s link %q where there is none", l.rel, links[l.rel][0])
					}
					continue
				}
				if place != l.place || filters != tt.filters {
					t.Errorf("%s link %q: filters %q, place %q; want %q, %q", l.rel, links[l.rel][0], filters, place, tt.filters, l.place)
				}
			}
		})
	}

	// The links speak the officer's language.
	labels := []struct{ lang, prev, next string }{
		{"sq", "Faqja e mëparshme", "Faqja tjetër"},
		{"sr-Latn", "Prethodna strana", "Sledeća strana"},
		{"sr-Cyrl", "Претходна страна", "Следећа страна"},
		{"en", "Previous page", "Next page"},
	}
	second := pageLinks(b.get("/?view=closed").body)["next"][0]
	for _, l := range labels {
		if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {l.lang}, "back": {"/"}}); r.status != http.StatusSeeOther {
			t.Fatalf("switch to %s: %d", l.lang, r.status)
		}
		links := pageLinks(b.get(second).body)
		if links["prev"][1] != l.prev || links["next"][1] != l.next {
			t.Errorf("%s page: links %q, %q; want %q, %q", l.lang, links["prev"][1], links["next"][1], l.prev, l.next)
		}
	}
}

// Tickets filed, and tickets closed, while an officer reads a list page by
// page neither bring a ticket back on the next page nor skip one: the next
// page starts after the last ticket shown, and says where it now stands.
// Counted from the list's start, it would have shifted by as many.
func TestQueuePagesWhileTicketsArrive(t *testing.T) {
	f := newFixture(t, nil)
	fileMany(t, f, 1, 130, inquiry.Closed, f.now.Add(-300*24*time.Hour), time.Time{})
	fileMany(t, f, 301, 110, inquiry.Assigned, f.now.Add(-30*24*time.Hour), f.now.Add(-24*time.Hour))
	b := f.browser()
	b.signIn(officers[1])
	num := func(n int) string { return fmt.Sprintf("DKP-2026-%06d", n) }

	// The closed tickets, newest first: five are closed between the pages,
	// newer than every one shown.
	page1 := b.get("/?view=closed")
	if rows := queueRows(page1.body); len(rows) != 100 || rows[99] != num(31) {
		t.Fatalf("the first page lists %d, to %v", len(rows), rows[len(rows)-1:])
	}
	for i := 301; i <= 305; i++ {
		setAside(t, f, num(i), inquiry.Closed)
	}
	page2 := b.get(pageLinks(page1.body)["next"][0])
	rows := queueRows(page2.body)
	if len(rows) != 30 || rows[0] != num(30) || rows[29] != num(1) {
		t.Errorf("the second page lists %d, %v to %v; want 30, %s to %s", len(rows), rows[:min(1, len(rows))], rows[max(len(rows)-1, 0):], num(30), num(1))
	}
	if got := countLine(page2.body); !strings.HasPrefix(got, "Tiketa: 135 · 106–135") {
		t.Errorf("the second page's count line %q, want it to start %q", got, "Tiketa: 135 · 106–135")
	}

	// The open queue, oldest first (000306-000410 now): two of its first
	// page are closed and one more ticket arrives, newest, between its
	// pages.
	page1 = b.get("/")
	if rows := queueRows(page1.body); len(rows) != 100 || rows[0] != num(306) || rows[99] != num(405) {
		t.Fatalf("the open queue's first page lists %d, %v", len(rows), rows)
	}
	setAside(t, f, num(306), inquiry.Closed)
	setAside(t, f, num(307), inquiry.Closed)
	fileMany(t, f, 600, 1, inquiry.Assigned, f.now, f.now.Add(-24*time.Hour))
	page2 = b.get(pageLinks(page1.body)["next"][0])
	want := []string{num(406), num(407), num(408), num(409), num(410), num(600)}
	if rows := queueRows(page2.body); !slices.Equal(rows, want) {
		t.Errorf("the open queue's second page lists %v, want %v", rows, want)
	}
	if got := countLine(page2.body); !strings.HasPrefix(got, "Tiketa: 104 · 99–104") {
		t.Errorf("the open queue's second page's count line %q", got)
	}
}
