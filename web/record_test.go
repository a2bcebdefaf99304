package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sportel/inquiry"
	"sportel/internal/browsertest"
	"sportel/store"
	"sportel/store/sqlite"
)

// addRecord writes entries "entry 002" to "entry <n>" on the ticket, one a
// minute after its receipt (f.file wrote "entry 001" at it), and returns
// the ids of all n, oldest first.
func addRecord(t *testing.T, f *fixture, number string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	tk := mustTicket(t, f, number)
	err := f.store.WithTx(ctx, func(tx store.Tx) error {
		for i := 2; i <= n; i++ {
			if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
				Text: fmt.Sprintf("entry %03d", i), CreatedAt: tk.ReceivedAt.Add(time.Duration(i-1) * time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := f.store.Entries(ctx, tk.ID)
	if err != nil || len(all) != n {
		t.Fatalf("the record holds %d entries, %v; want %d", len(all), err, n)
	}
	ids := make([]int64, n)
	for i, e := range all {
		ids[i] = e.ID
	}
	return ids
}

// The ticket's page and the answer's check of what came since read no raw
// mail and no file's bytes from the store, however many the record holds:
// forty mails of a megabyte each and twenty Telegram files of a megabyte
// made each view of the page read 60 MiB.
func TestTicketPageReadsNoFiles(t *testing.T) {
	const number = "DKP-2026-000001"
	var counter *rawCounter
	f := newFixtureWithStore(t, nil, nil, func(st *sqlite.Store) fixtureStore {
		counter = &rawCounter{Store: st}
		return counter
	})
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(7*24*time.Hour), "Leje", "Kërkoj lejen")
	ctx := context.Background()
	tk := mustTicket(t, f, number)
	const mails, files, size = 40, 20, 1 << 20
	err := f.store.WithTx(ctx, func(tx store.Tx) error {
		for i := range mails {
			raw := "From: arben@example.net\r\nSubject: foto\r\nContent-Type: image/jpeg\r\n\r\n" + strings.Repeat("x", size) + "\r\n"
			if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
				Text: fmt.Sprintf("mail %d", i), Raw: []byte(raw), CreatedAt: f.now,
				Attachments: []inquiry.Attachment{{Name: fmt.Sprintf("mail%d.jpg", i), ContentType: "image/jpeg", Size: size}}}); err != nil {
				return err
			}
		}
		for i := range files {
			if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "tg:42",
				Text: fmt.Sprintf("chat %d", i), CreatedAt: f.now, Attachments: []inquiry.Attachment{
					{Name: fmt.Sprintf("chat%d.jpg", i), ContentType: "image/jpeg", Size: size, Content: []byte(strings.Repeat("j", size)), FileID: "AgAD"},
					{Name: fmt.Sprintf("video%d.mp4", i), ContentType: "video/mp4", Size: 50 * size, Truncated: true, FileID: "BAAD"},
				}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The ids only: the whole record is 60 MiB to read.
	all, _, err := f.store.RecordPage(ctx, tk.ID, 0, 100)
	if err != nil || len(all) != 1+mails+files {
		t.Fatalf("the record holds %d entries, %v", len(all), err)
	}
	firstMail, firstChat := all[1].ID, all[1+mails].ID
	b := f.browser()
	b.signIn(officers[1])
	page := b.get("/t/" + number)
	cases := []struct {
		name  string
		visit func() response
		want  int
		shows []string // what the page must still offer, from the page's data
	}{
		{"the ticket's page", func() response { return b.get("/t/" + number) }, http.StatusOK, []string{
			fmt.Sprintf(`href="/t/%s/attachment/%d/0">mail0.jpg<`, number, firstMail),
			fmt.Sprintf(`href="/t/%s/raw/%d"`, number, firstMail),
			fmt.Sprintf(`href="/t/%s/attachment/%d/0">chat0.jpg<`, number, firstChat),
			`<li>video0.mp4 (video/mp4`, // too big to fetch: named, no link
		}},
		{"an older page", func() response { return b.get(fmt.Sprintf("/t/%s?before=%d", number, firstChat)) }, http.StatusOK, []string{
			fmt.Sprintf(`href="/t/%s/attachment/%d/0">mail0.jpg<`, number, firstMail),
		}},
		{"an answer written before the files came", func() response {
			return b.post("/t/"+number+"/answer", url.Values{"csrf": {csrfOf(t, page.body)}, "once": {"k1"},
				"seen": {fmt.Sprint(all[0].ID)}, "text": {"Përgjigja"}})
		}, http.StatusConflict, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			counter.read()
			r := c.visit()
			if r.status != c.want {
				t.Fatalf("status %d, want %d\n%s", r.status, c.want, r.body)
			}
			if got := counter.read(); got > 64<<10 {
				t.Errorf("read %d bytes of raw mail and files from the store, want none of the %d MiB", got, mails+files)
			}
			for _, s := range c.shows {
				if !strings.Contains(r.body, s) {
					t.Errorf("the page lacks %s", s)
				}
			}
		})
	}
}

var (
	entryTextRE = regexp.MustCompile(`<pre class="text">(entry \d{3})</pre>`)
	seenRE      = regexp.MustCompile(`name="seen" value="(\d+)"`)
)

// A long record is shown a page at a time, the newest first, with a link
// to the entries before; the mail Sportel sent is on the page of its time,
// on one page only.
func TestTicketRecordPages(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	received := f.now.Add(-24 * time.Hour)
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", received, f.now.Add(7*24*time.Hour), "Leje", "entry 001")
	ids := addRecord(t, f, number, 250)
	tk := mustTicket(t, f, number)
	// Sends: after the first entry, between the 50th and the 51st (the
	// pages' divide) and after the last.
	sends := map[string]time.Time{
		"ack-early":   received.Add(30 * time.Second),
		"notice-gap":  received.Add(49*time.Minute + 30*time.Second),
		"notice-late": received.Add(250 * time.Minute),
	}
	err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
		for subject, at := range sends {
			if err := tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobNotice, Recipient: "arben@example.net",
				Mail: &inquiry.Mail{Subject: subject, Text: "x"}, CreatedAt: at, NextAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(officers[1])
	older := fmt.Sprintf(`href="/t/%s?before=%d" id="older-entries"`, number, ids[50])
	tests := []struct {
		name        string
		path        string
		first, last string
		n           int
		seen        int64
		older       bool // links to the entries before
		newest      bool // links back to the newest
		sends       []string
	}{
		{"the newest page", "/t/" + number, "entry 051", "entry 250", 200, ids[249], true, false, []string{"notice-gap", "notice-late"}},
		{"the page before", fmt.Sprintf("/t/%s?before=%d", number, ids[50]), "entry 001", "entry 050", 50, ids[49], false, true, []string{"ack-early"}},
		{"a page from the middle", fmt.Sprintf("/t/%s?before=%d", number, ids[220]), "entry 021", "entry 220", 200, ids[219], true, true, []string{"notice-gap"}},
		{"before the first entry", fmt.Sprintf("/t/%s?before=%d", number, ids[0]), "", "", 0, 0, false, true, nil},
		{"a before that is no number", "/t/" + number + "?before=abc", "entry 051", "entry 250", 200, ids[249], true, false, []string{"notice-gap", "notice-late"}},
		{"a negative before", "/t/" + number + "?before=-5", "entry 051", "entry 250", 200, ids[249], true, false, []string{"notice-gap", "notice-late"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.get(tt.path)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s = %d", tt.path, r.status)
			}
			var shown []string
			for _, m := range entryTextRE.FindAllStringSubmatch(r.body, -1) {
				shown = append(shown, m[1])
			}
			if len(shown) != tt.n || (tt.n > 0 && (shown[0] != tt.first || shown[len(shown)-1] != tt.last)) {
				t.Errorf("GET %s shows %d entries %v…, want %d from %q to %q", tt.path, len(shown), head(shown), tt.n, tt.first, tt.last)
			}
			if m := seenRE.FindStringSubmatch(r.body); m == nil || m[1] != fmt.Sprint(tt.seen) {
				t.Errorf("GET %s: the answer form has seen %v, want %d (the page's newest entry)", tt.path, m, tt.seen)
			}
			if got := strings.Contains(r.body, `id="older-entries"`); got != tt.older {
				t.Errorf("GET %s: a link to older entries %v, want %v", tt.path, got, tt.older)
			}
			if tt.name == "the newest page" && !strings.Contains(r.body, older) {
				t.Errorf("the newest page's link to the entries before is not %s", older)
			}
			if !strings.Contains(r.body, "Shënimet më të hershme të regjistrit") && tt.older {
				t.Errorf("GET %s: the link to older entries is not in the officer's language", tt.path)
			}
			if got := strings.Contains(r.body, fmt.Sprintf(`href="/t/%s" id="newest-entries"`, number)); got != tt.newest {
				t.Errorf("GET %s: a link to the newest entries %v, want %v", tt.path, got, tt.newest)
			}
			for s := range sends {
				want := false
				for _, w := range tt.sends {
					want = want || w == s
				}
				if got := strings.Contains(r.body, s); got != want {
					t.Errorf("GET %s: send %s shown %v, want %v", tt.path, s, got, want)
				}
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 3)] }

// An officer reads the entries before a long record's newest page by its
// link, as they would in a browser, and comes back to the newest.
func TestRecordPagesInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-24*time.Hour), f.now.Add(7*24*time.Hour), "Leje", "entry 001")
	addRecord(t, f, number, 250)
	f.browser().askLink(officers[1].Email)
	links := f.signInLinks(officers[1].ID)
	do(t, ctx, chromedp.Navigate(f.srv.URL+links[len(links)-1]))
	waitFor(t, ctx, "/signin/link")
	submit(t, ctx, "#use-link", f.srv.URL+"/")
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/t/"+number))
	waitFor(t, ctx, "/t/"+number)

	texts := `[...document.querySelectorAll("ol.entries li.entry.inbound pre.text")].map(p => p.textContent)`
	if got := eval[[]string](t, ctx, texts); len(got) != 200 || got[0] != "entry 051" || got[199] != "entry 250" {
		t.Fatalf("the ticket's page shows %d entries, from %v", len(got), head(got))
	}
	clickLink(t, ctx, "Shënimet më të hershme të regjistrit", "before=")
	if got := eval[[]string](t, ctx, texts); len(got) != 50 || got[0] != "entry 001" || got[49] != "entry 050" {
		t.Errorf("the entries before show %d entries, from %v", len(got), head(got))
	}
	if eval[bool](t, ctx, `!!document.querySelector("#older-entries")`) {
		t.Error("the record's first page links to older entries")
	}
	browsertest.Axe(t, ctx)
	clickLink(t, ctx, "Te shënimet më të reja", "/t/"+number)
	if got := eval[[]string](t, ctx, texts); len(got) != 200 || got[199] != "entry 250" {
		t.Errorf("back at the newest, the page shows %d entries, from %v", len(got), head(got))
	}
}

// An answer written before the citizen wrote again is held back however
// many entries came after the citizen's (the check reads the record a
// page at a time back to the answer's page), and one written on the
// newest page is sent.
func TestAnswerSeesNewsBeyondAPage(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-24*time.Hour), f.now.Add(7*24*time.Hour), "Leje", "entry 001")
	tk := mustTicket(t, f, number)
	first := addRecord(t, f, number, 1)[0]
	err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
		if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
			Text: "the citizen again", CreatedAt: f.now.Add(-time.Hour)}); err != nil {
			return err
		}
		// More of the officers' notes than a page holds.
		for i := range 450 {
			if err := tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryNote, Author: "zamira",
				Text: fmt.Sprintf("note %d", i), CreatedAt: f.now.Add(-time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(officers[1])
	page := b.get("/t/" + number)
	newest := seenRE.FindStringSubmatch(page.body)
	if newest == nil {
		t.Fatal("no seen on the ticket's page")
	}
	tests := []struct {
		name string
		seen string
		want int
	}{
		{"written before the citizen wrote again", fmt.Sprint(first), http.StatusConflict},
		{"written on the newest page", newest[1], http.StatusSeeOther},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.post("/t/"+number+"/answer", url.Values{"csrf": {csrfOf(t, page.body)}, "once": {fmt.Sprint("k", i)},
				"seen": {tt.seen}, "text": {"Përgjigja"}})
			if r.status != tt.want {
				t.Fatalf("answer with seen %s = %d, want %d\n%s", tt.seen, r.status, tt.want, r.body)
			}
			if tt.want == http.StatusConflict && !strings.Contains(r.body, "arben@example.net") {
				t.Error("the refusal does not name the citizen's new entry")
			}
		})
	}
}
