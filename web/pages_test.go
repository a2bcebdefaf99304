package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
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

// A list of years of closed tickets is read a hundred at a time: the
// queue shows one page, says which tickets of how many, and links to the
// pages before and after with the list's tab, filters and order kept; a
// page beyond the end shows the last one.
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

	tests := []struct {
		name        string
		query       string
		rows        int
		first, last string // the page's first and last rows
		count       string // its count line, which holds this
		prev, next  string // its links ("": none)
	}{
		{"closed, first page: the newest hundred", "view=closed", 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "", "/?page=2&view=closed"},
		{"closed, second page", "view=closed&page=2", 100, num(130), num(31),
			"Tiketa: 230 · 101–200", "/?view=closed", "/?page=3&view=closed"},
		{"closed, last page", "view=closed&page=3", 30, num(30), num(1),
			"Tiketa: 230 · 201–230", "/?page=2&view=closed", ""},
		{"beyond the end: the last page", "view=closed&page=99", 30, num(30), num(1),
			"Tiketa: 230 · 201–230", "/?page=2&view=closed", ""},
		{"not a page number: the first", "view=closed&page=dy", 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "", "/?page=2&view=closed"},
		{"page zero: the first", "view=closed&page=0", 100, num(230), num(131),
			"Tiketa: 230 · 1–100", "", "/?page=2&view=closed"},
		// A filter the web once applied after loading every ticket is
		// the store's now: the pages hold what it keeps.
		{"a filtered list's pages keep the filters", "view=closed&language=en&officer=jusuf&page=2", 15, num(30), num(2),
			"Tiketa: 115 · 101–115", "/?language=en&officer=jusuf&view=closed", ""},
		{"the open queue, oldest first, by deadline filter", "due=overdue", 100, num(301), num(400),
			"Tiketa: 105 · 1–100", "", "/?due=overdue&page=2"},
		{"its second page keeps the deadline filter", "due=overdue&page=2", 5, num(401), num(405),
			"Tiketa: 105 · 101–105", "/?due=overdue", ""},
		{"one page: no links", "since=2026-11-20", 3, num(501), num(503),
			"Tiketa: 3", "", ""},
		{"nothing found, whatever the page", "view=closed&officer=nobody&page=4", 0, "", "",
			"Tiketa: 0", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.get("/?" + tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			rows := queueRows(r.body)
			var first, last string
			if len(rows) > 0 {
				first, last = rows[0], rows[len(rows)-1]
			}
			if len(rows) != tt.rows || first != tt.first || last != tt.last {
				t.Errorf("/?%s lists %d rows, %s to %s; want %d, %s to %s", tt.query, len(rows), first, last, tt.rows, tt.first, tt.last)
			}
			if got := countLine(r.body); !strings.HasPrefix(got, tt.count) {
				t.Errorf("count line %q, want it to start %q", got, tt.count)
			}
			links := pageLinks(r.body)
			if links["prev"][0] != tt.prev || links["next"][0] != tt.next {
				t.Errorf("links previous %q, next %q; want %q, %q", links["prev"][0], links["next"][0], tt.prev, tt.next)
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
	for _, l := range labels {
		if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {l.lang}, "back": {"/"}}); r.status != http.StatusSeeOther {
			t.Fatalf("switch to %s: %d", l.lang, r.status)
		}
		links := pageLinks(b.get("/?view=closed&page=2").body)
		if links["prev"][1] != l.prev || links["next"][1] != l.next {
			t.Errorf("%s page: links %q, %q; want %q, %q", l.lang, links["prev"][1], links["next"][1], l.prev, l.next)
		}
	}
}
