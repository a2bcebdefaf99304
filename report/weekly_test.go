package report

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"sportel/inquiry"
)

// ticketAt is a ticket received at the UTC time given.
func ticketAt(t *testing.T, utc string, cat inquiry.Category, ch inquiry.Channel, state inquiry.State) inquiry.Ticket {
	t.Helper()
	at, err := time.Parse(time.RFC3339, utc)
	if err != nil {
		t.Fatal(err)
	}
	return inquiry.Ticket{ReceivedAt: at, Category: cat, Channel: ch, State: state}
}

// weeklyTickets straddle a year's end, ISO weeks' edges in Belgrade's time
// (UTC+1 in winter) and the period's edges.
func weeklyTickets(t *testing.T) []inquiry.Ticket {
	const (
		doc, press, general = inquiry.DocumentRequest, inquiry.PressInquiry, inquiry.GeneralQuestion
		mail, tg            = inquiry.ChannelEmail, inquiry.ChannelTelegram
		open                = inquiry.Assigned
	)
	return []inquiry.Ticket{
		ticketAt(t, "2025-12-23T22:59:00Z", doc, mail, open),         // 23.12 23:59 local: before the period
		ticketAt(t, "2025-12-23T23:00:00Z", doc, mail, open),         // 24.12 00:00 local: the period's first minute
		ticketAt(t, "2025-12-28T22:30:00Z", press, tg, open),         // 28.12 23:30 local, Sunday: 2025-W52
		ticketAt(t, "2025-12-28T23:30:00Z", press, tg, open),         // 29.12 00:30 local, Monday: 2026-W01
		ticketAt(t, "2026-01-01T10:00:00Z", general, mail, open),     // 2026-W01
		ticketAt(t, "2026-01-02T10:00:00Z", doc, tg, inquiry.Closed), // closed tickets count too
		ticketAt(t, "2026-01-03T10:00:00Z", "", mail, open),          // no category yet
		ticketAt(t, "2026-01-03T11:00:00Z", general, mail, inquiry.BulkMail),
		ticketAt(t, "2026-01-03T12:00:00Z", general, mail, inquiry.SpamMail),
		// 2026-W02 stays empty.
		ticketAt(t, "2026-01-14T22:59:00Z", doc, mail, open), // 14.01 23:59 local: the period's last minute
		ticketAt(t, "2026-01-14T23:00:00Z", doc, mail, open), // 15.01 local: after it
	}
}

func TestWeekly(t *testing.T) {
	loc := belgrade(t)
	from := time.Date(2025, 12, 24, 15, 0, 0, 0, loc) // the time of day does not matter
	to := time.Date(2026, 1, 14, 8, 0, 0, 0, loc)
	r := Weekly(weeklyTickets(t), from, to, loc)

	if r.From != "2025-12-24" || r.To != "2026-01-14" || r.Received != 7 {
		t.Errorf("from %s to %s, received %d; want 2025-12-24 to 2026-01-14, 7", r.From, r.To, r.Received)
	}
	if want := []string{"document_request", "press_inquiry", "general_question", "(none)"}; !slices.Equal(r.Categories, want) {
		t.Errorf("categories %q, want %q", r.Categories, want)
	}
	if want := []string{"email", "telegram"}; !slices.Equal(r.Channels, want) {
		t.Errorf("channels %q, want %q", r.Channels, want)
	}
	want := []Week{
		{Week: "2025-W52", From: "2025-12-24", To: "2025-12-28", Received: 2,
			ByCategory: map[string]int{"document_request": 1, "press_inquiry": 1}, ByChannel: map[string]int{"email": 1, "telegram": 1}},
		{Week: "2026-W01", From: "2025-12-29", To: "2026-01-04", Received: 4,
			ByCategory: map[string]int{"press_inquiry": 1, "general_question": 1, "document_request": 1, "(none)": 1},
			ByChannel:  map[string]int{"telegram": 2, "email": 2}},
		{Week: "2026-W02", From: "2026-01-05", To: "2026-01-11", ByCategory: map[string]int{}, ByChannel: map[string]int{}},
		{Week: "2026-W03", From: "2026-01-12", To: "2026-01-14", Received: 1,
			ByCategory: map[string]int{"document_request": 1}, ByChannel: map[string]int{"email": 1}},
	}
	if len(r.Weeks) != len(want) {
		t.Fatalf("%d weeks, want %d: %+v", len(r.Weeks), len(want), r.Weeks)
	}
	for i, w := range want {
		got := r.Weeks[i]
		if got.Week != w.Week || got.From != w.From || got.To != w.To || got.Received != w.Received ||
			!maps.Equal(got.ByCategory, w.ByCategory) || !maps.Equal(got.ByChannel, w.ByChannel) {
			t.Errorf("week %d:\n got %+v\nwant %+v", i, got, w)
		}
	}

	// The weeks add up to the inbox report's count over the same period.
	if in := Inbox(weeklyTickets(t), from, to, loc); in.Received != r.Received {
		t.Errorf("weeks received %d, inbox report %d", r.Received, in.Received)
	}
}

func TestWeeklyEdges(t *testing.T) {
	loc := belgrade(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, loc) }
	tests := []struct {
		name     string
		from, to time.Time
		weeks    []string // week: from..to
	}{
		{"one day", day(2026, 3, 4), day(2026, 3, 4), []string{"2026-W10: 2026-03-04..2026-03-04"}},
		{"a whole week", day(2026, 3, 2), day(2026, 3, 8), []string{"2026-W10: 2026-03-02..2026-03-08"}},
		{"Sunday to Monday", day(2026, 3, 8), day(2026, 3, 9), []string{"2026-W10: 2026-03-08..2026-03-08", "2026-W11: 2026-03-09..2026-03-09"}},
		// Summer time starts on Sunday 29 March: the week is still seven days.
		{"over the clock change", day(2026, 3, 23), day(2026, 4, 5), []string{"2026-W13: 2026-03-23..2026-03-29", "2026-W14: 2026-03-30..2026-04-05"}},
		{"2026 has 53 ISO weeks", day(2026, 12, 28), day(2027, 1, 4), []string{"2026-W53: 2026-12-28..2027-01-03", "2027-W01: 2027-01-04..2027-01-04"}},
		{"to before from", day(2026, 3, 9), day(2026, 3, 8), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Weekly(nil, tc.from, tc.to, loc)
			var got []string
			for _, w := range r.Weeks {
				got = append(got, w.Week+": "+w.From+".."+w.To)
			}
			if !slices.Equal(got, tc.weeks) {
				t.Errorf("weeks %q, want %q", got, tc.weeks)
			}
		})
	}
	if r := Weekly(nil, day(2026, 1, 1), day(2026, 12, 31), loc); len(r.Weeks) != 53 {
		t.Errorf("2026 spans %d ISO weeks, want 53", len(r.Weeks))
	}
}

func TestWeeklyCSV(t *testing.T) {
	loc := belgrade(t)
	r := Weekly(weeklyTickets(t), time.Date(2025, 12, 24, 0, 0, 0, 0, loc), time.Date(2026, 1, 14, 0, 0, 0, 0, loc), loc)
	var buf bytes.Buffer
	if err := r.Write(&buf, "csv"); err != nil {
		t.Fatal(err)
	}
	want := `week,from,to,received,category:document_request,category:press_inquiry,category:general_question,category:(none),channel:email,channel:telegram
2025-W52,2025-12-24,2025-12-28,2,1,1,0,0,1,1
2026-W01,2025-12-29,2026-01-04,4,1,1,1,1,2,2
2026-W02,2026-01-05,2026-01-11,0,0,0,0,0,0,0
2026-W03,2026-01-12,2026-01-14,1,1,0,0,0,1,0
`
	if buf.String() != want {
		t.Errorf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}

	buf.Reset()
	if err := r.Write(&buf, "json"); err != nil {
		t.Fatal(err)
	}
	var back WeeklyReport
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Received != 7 || len(back.Weeks) != 4 || back.Weeks[1].ByChannel["telegram"] != 2 {
		t.Errorf("json round trip: %+v", back)
	}
	if err := r.Write(&buf, "html"); err == nil {
		t.Error("html format accepted; the figure is Figure's")
	}
}

func TestWeeklyFigure(t *testing.T) {
	loc := belgrade(t)
	r := Weekly(weeklyTickets(t), time.Date(2025, 12, 24, 0, 0, 0, 0, loc), time.Date(2026, 1, 14, 0, 0, 0, 0, loc), loc)
	titles := map[string]map[string]string{
		"category": {"sq": "Kërkesat në javë sipas kategorisë", "sr-Latn": "Upiti po nedeljama prema kategoriji",
			"sr-Cyrl": "Упити по недељама према категорији", "en": "Inquiries per week by category"},
		"channel": {"sq": "Kërkesat në javë sipas kanalit", "sr-Latn": "Upiti po nedeljama prema kanalu",
			"sr-Cyrl": "Упити по недељама према каналу", "en": "Inquiries per week by channel"},
	}
	// A label each language gives a key of the grouping.
	legend := map[string]map[string]string{
		"category": {"sq": "Kërkesë për dokumente", "sr-Latn": "Zahtev za dokumente", "sr-Cyrl": "Захтев за документе", "en": "Document request"},
		"channel":  {"sq": "Telegram", "sr-Latn": "E-pošta", "sr-Cyrl": "Телеграм", "en": "Email"},
	}
	for _, by := range []string{"category", "channel"} {
		for _, lang := range WeeklyLanguages {
			t.Run(by+"/"+lang, func(t *testing.T) {
				frag, err := r.Figure(by, lang)
				if err != nil {
					t.Fatal(err)
				}
				page := string(frag)
				if n := wellFormed(t, page); n != 1+len(seriesOf(r, by)) { // the chart and a swatch per series
					t.Errorf("%d svg fragments", n)
				}
				if strings.Contains(page, "style=") || strings.Contains(page, "<script") {
					t.Error("inline style or script; a strict Content-Security-Policy would refuse it")
				}
				doc, err := html.Parse(strings.NewReader(page))
				if err != nil {
					t.Fatal(err)
				}
				id := "weekly-" + by
				chart := byID(t, doc, id+"-chart")
				if attr(chart, "role") != "img" || attr(chart, "aria-labelledby") != id+"-title" || attr(chart, "aria-describedby") != id+"-desc" {
					t.Errorf("chart role %q, labelled by %q, described by %q", attr(chart, "role"), attr(chart, "aria-labelledby"), attr(chart, "aria-describedby"))
				}
				if got := textOf(byID(t, doc, id+"-title")); got != titles[by][lang] {
					t.Errorf("title %q, want %q", got, titles[by][lang])
				}
				if desc := textOf(byID(t, doc, id+"-desc")); !strings.Contains(desc, "7") || !strings.Contains(desc, "2026-W01: 4") {
					t.Errorf("summary %q lacks the total or the busiest week", desc)
				}
				if !strings.Contains(page, legend[by][lang]) {
					t.Errorf("no %q in the %s legend", legend[by][lang], lang)
				}

				// The table holds every week, and its rows add up.
				table := byID(t, doc, id+"-table")
				if cap := find(table, func(n *html.Node) bool { return n.Data == "caption" }); len(cap) != 1 || textOf(cap[0]) != titles[by][lang] {
					t.Error("the table's caption is not the chart's title")
				}
				rows := find(table, func(n *html.Node) bool { return n.Data == "tr" && n.Parent.Data == "tbody" })
				if len(rows) != len(r.Weeks) {
					t.Fatalf("%d table rows, want %d", len(rows), len(r.Weeks))
				}
				for i, row := range rows {
					cells := find(row, func(n *html.Node) bool { return n.Data == "td" })
					sum := 0
					for _, c := range cells[1 : len(cells)-1] {
						sum += atoi(t, textOf(c))
					}
					if total := atoi(t, textOf(cells[len(cells)-1])); sum != total || total != r.Weeks[i].Received {
						t.Errorf("row %d: cells sum %d, total %d, week %d", i, sum, total, r.Weeks[i].Received)
					}
				}

				// Each bar is as high as its week's count on the chart's scale:
				// the axis tops at 4 here, the plot is 226 units high.
				for _, g := range find(chart, func(n *html.Node) bool { return attr(n, "class") == "week" }) {
					week := attr(g, "data-week")
					var height float64
					for _, s := range find(g, func(n *html.Node) bool { return attr(n, "class") == "segment" }) {
						height += number(t, s, "height")
					}
					var count int
					for _, w := range r.Weeks {
						if w.Week == week {
							count = w.Received
						}
					}
					if want := float64(count) * (weeklyBaseline - weeklyTop) / 4; mathAbs(height-want) > 0.05 {
						t.Errorf("week %s: bar %.2f high, want %.2f", week, height, want)
					}
				}
			})
		}
	}

	for _, bad := range [][2]string{{"officer", "en"}, {"category", "de"}} {
		if _, err := r.Figure(bad[0], bad[1]); err == nil {
			t.Errorf("Figure(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestWeeklyFigureEmpty(t *testing.T) {
	loc := belgrade(t)
	r := Weekly(nil, time.Date(2026, 3, 2, 0, 0, 0, 0, loc), time.Date(2026, 3, 15, 0, 0, 0, 0, loc), loc)
	frag, err := r.Figure("channel", "en")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(frag), `class="segment"`) {
		t.Error("an empty period drew bars")
	}
	if !strings.Contains(string(frag), "0 in all over 2 weeks") {
		t.Errorf("summary of an empty period:\n%s", frag)
	}
}

func seriesOf(r WeeklyReport, by string) []string {
	if by == "channel" {
		return r.Channels
	}
	return r.Categories
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	for _, c := range strings.TrimSpace(s) {
		if c < '0' || c > '9' {
			t.Fatalf("%q is not a count", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func mathAbs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
