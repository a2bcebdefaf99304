package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"sportel/app"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// seedReport files document requests of 2025 through the desk, closing
// them at chosen moments, and returns the configuration's path.
func seedReport(t *testing.T) (string, map[string]string) {
	t.Helper()
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	requests := []struct {
		received  time.Time
		closeDays int // 0: left open
		outcome   inquiry.Outcome
		ground    string
		extend    int  // days, a day after receipt
		urgent    bool // marked at once
		complaint bool // recorded on the day it closes
	}{
		{time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC), 3, inquiry.Granted, "", 5, false, false},              // extended, on time
		{time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC), 40, inquiry.Refused, "personal_data", 0, false, true}, // late, and refused by silence
		{time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC), 0, "", "", 0, true, false},                             // urgent, open past its deadline
		{time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), 0, "", "", 0, true, false},                         // 2026 in Belgrade
	}
	for i, r := range requests {
		m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: fmt.Sprintf("msgid:%d@x", i), MessageID: fmt.Sprintf("%d@x", i),
			From: inquiry.Address{Address: fmt.Sprintf("qytetar%d@example.net", i)}, Subject: "Kërkesë",
			Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: r.received}
		if _, err := a.Desk().Handle(ctx, m); err != nil {
			t.Fatal(err)
		}
		ts, err := a.Store().ListTickets(ctx, inquiry.TicketFilter{SenderAddress: m.From.Address})
		if err != nil || len(ts) != 1 || ts[0].Category != inquiry.DocumentRequest || ts[0].DueAt.IsZero() {
			t.Fatalf("request %d filed as %+v (%v)", i, ts, err)
		}
		number := ts[0].Number
		a.Desk().SetClock(func() time.Time { return r.received.Add(time.Hour) })
		if r.urgent {
			if _, err := a.Desk().Urgent(ctx, number, true, "cli:test"); err != nil {
				t.Fatal(err)
			}
		}
		if r.extend > 0 {
			a.Desk().SetClock(func() time.Time { return r.received.AddDate(0, 0, 1) })
			if _, err := a.Desk().Extend(ctx, number, r.extend, "arkivi", "cli:test"); err != nil {
				t.Fatal(err)
			}
		}
		if r.closeDays == 0 {
			continue
		}
		closed := r.received.AddDate(0, 0, r.closeDays)
		a.Desk().SetClock(func() time.Time { return closed })
		if _, err := a.Desk().CloseWith(ctx, number, desk.Closing{Outcome: r.outcome, Ground: r.ground}, "cli:test"); err != nil {
			t.Fatal(err)
		}
		if r.complaint {
			if _, err := a.Desk().Complaint(ctx, number, closed.Format("2006-01-02"), "", "cli:test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return path, vars
}

func TestReportCommand(t *testing.T) {
	path, vars := seedReport(t)

	code, out, errOut := runCmd(t, "", vars, "report", "access-documents", "--year", "2025", "--format", "json", "--config", path)
	if code != 0 {
		t.Fatalf("access-documents: exit %d: %s", code, errOut)
	}
	var got struct {
		Year           int                      `json:"year"`
		Received       int                      `json:"received"`
		ByMonth        []struct{ Received int } `json:"by_month"`
		ByChannel      map[string]int           `json:"by_channel"`
		Outcomes       map[string]int           `json:"outcomes"`
		OnTime         int                      `json:"on_time"`
		Late           int                      `json:"late"`
		SilentRefusals int                      `json:"silent_refusals"`
		MedianDays     float64                  `json:"median_days"`
		P90Days        float64                  `json:"p90_days"`
		Pending        int                      `json:"pending"`
		RefusalGrounds map[string]int           `json:"refusal_grounds"`
		Extended       int                      `json:"extended"`
		Urgent         int                      `json:"urgent"`
		Complaints     int                      `json:"complaints"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.ByMonth) != 12 {
		t.Fatalf("by_month has %d months\n%s", len(got.ByMonth), out)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"year", got.Year, 2025},
		{"received", got.Received, 3},
		{"march", got.ByMonth[2].Received, 2},
		{"june", got.ByMonth[5].Received, 1},
		{"december", got.ByMonth[11].Received, 0},
		{"email", got.ByChannel["email"], 3},
		{"on time", got.OnTime, 1},
		{"late", got.Late, 1},
		{"silent", got.SilentRefusals, 2},
		{"pending", got.Pending, 1},
		{"median", got.MedianDays, 21.5},
		{"p90", got.P90Days, 36.3},
		{"extended", got.Extended, 1},
		{"urgent", got.Urgent, 1},
		{"complaints", got.Complaints, 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if want := map[string]int{"granted": 1, "partly_granted": 0, "refused": 1, "not_held": 0, "withdrawn": 0, "pending": 1}; !maps.Equal(got.Outcomes, want) {
		t.Errorf("outcomes %v, want %v", got.Outcomes, want)
	}
	if want := map[string]int{"personal_data": 1}; !maps.Equal(got.RefusalGrounds, want) {
		t.Errorf("refusal grounds %v, want %v", got.RefusalGrounds, want)
	}

	// The HTML page charts the same requests: March's two (granted, refused
	// late), June's still open past its deadline.
	code, out, errOut = runCmd(t, "", vars, "report", "access-documents", "--year", "2025", "--format", "html", "--config", path)
	if code != 0 {
		t.Fatalf("access-documents html: exit %d: %s", code, errOut)
	}
	if segs := htmlSegments(t, out); !maps.EqualFunc(segs, map[string]map[string]bool{
		"2025-03": {"granted": true, "refused": true},
		"2025-06": {"overdue": true},
	}, maps.Equal) {
		t.Errorf("html month chart %v", segs)
	}

	// The request of 23:30 UTC on 31 December 2025 is Belgrade's 2026.
	code, out, _ = runCmd(t, "", vars, "report", "access-documents", "--year", "2026", "--format", "csv", "--config", path)
	if code != 0 || !strings.Contains(out, "received,,1\n") || !strings.Contains(out, "by_month,2026-01,1\n") {
		t.Errorf("2026 csv: exit %d\n%s", code, out)
	}

	steps := []struct {
		args []string
		code int
		want string
	}{
		// The ground by its configured name, its id beside it.
		{[]string{"access-documents", "--year", "2025"}, 0, "mbrojtja e privatësisë dhe e të dhënave personale (personal_data)"},
		{[]string{"access-documents", "--year", "2025", "--format", "html"}, 0, "mbrojtja e privatësisë dhe e të dhënave personale (personal_data)"},
		{[]string{"access-documents", "--year", "2025", "--format", "json"}, 0, `"personal_data": 1`},
		{[]string{"inbox", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "json"}, 0, `"received": 2`},
		{[]string{"inbox", "--from", "2025-01-01", "--to", "2025-12-31"}, 0, "document_request  3"},
		{[]string{"access-documents", "--year", "twenty"}, 2, "invalid value"},
		{[]string{"access-documents", "--year", "-5"}, 2, "not a year"},
		{[]string{"access-documents", "--format", "pdf"}, 2, "want text, csv, json or html"},
		{[]string{"inbox", "--from", "2025-03-01", "--format", "html"}, 2, "want text, csv or json"},
		{[]string{"inbox", "--from", "2025-13-01"}, 2, "not a day"},
		{[]string{"inbox"}, 2, "--from is required"},
		{[]string{"inbox", "--from", "2025-03-01", "--to", "2025-02-01"}, 2, "before --from"},
		{[]string{"outbox"}, 2, "unknown report"},
	}
	for _, s := range steps {
		code, out, errOut := runCmd(t, "", vars, append(append([]string{"report"}, s.args...), "--config", path)...)
		if code != s.code || !strings.Contains(out+errOut, s.want) {
			t.Errorf("%v: exit %d, output %q %q; want exit %d containing %q", s.args, code, out, errOut, s.code, s.want)
		}
	}
}

// htmlSegments reads the month chart of an HTML report: the series with a
// bar segment, by month.
func htmlSegments(t *testing.T, page string) map[string]map[string]bool {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	got := map[string]map[string]bool{}
	charts := 0
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "id") == "months-chart" {
			charts++
		}
		if n.Type != html.ElementNode || n.Data != "rect" || attr(n, "class") != "segment" || attr(n.Parent, "class") != "month" {
			continue
		}
		m := attr(n.Parent, "data-month")
		if got[m] == nil {
			got[m] = map[string]bool{}
		}
		got[m][attr(n, "data-series")] = true
	}
	if charts != 1 {
		t.Errorf("%d month charts, want 1", charts)
	}
	return got
}
