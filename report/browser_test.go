package report

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"sportel/inquiry"
	"sportel/internal/browsertest"
)

// TestAccessHTMLInBrowser opens the annual report's page in Chromium: both
// charts are there and a screen reader hears each by its name, axe-core finds
// nothing serious, and the page is kept as a screenshot.
func TestAccessHTMLInBrowser(t *testing.T) {
	ctx := browsertest.New(t)

	r := handBuilt(map[int]map[string]int{
		0: {"granted": 3, "refused": 1}, 1: {"partly_granted": 2, "not_held": 1},
		4: {"withdrawn": 1, Pending: 2}, 9: {overdue: 2, "granted": 4},
	})
	r.RefusalGrounds = map[string]int{"privacy": 1, "security": 1}
	r.GroundLabels = map[string]string{"privacy": "Privatësia"}
	r.OnTime, r.Late, r.SilentRefusals = 8, 1, 3
	var page bytes.Buffer
	if err := r.Write(&page, "html"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page.Bytes())
	}))
	t.Cleanup(srv.Close)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}

	// The accessibility tree is what a screen reader reads: each chart must be
	// an image with its name there, not only an attribute in the markup.
	tree, err := chromedp.Run(ctx, fullAXTree)
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, n := range tree {
		if n.Ignored || n.Role == nil || n.Name == nil {
			continue
		}
		if role := axString(n.Role); role == "image" || role == "img" {
			images = append(images, axString(n.Name))
		}
	}
	for _, want := range []string{
		"Kërkesat sipas muajve · Requests per month",
		"Afati ligjor · The legal deadline",
	} {
		if !slices.Contains(images, want) {
			t.Errorf("no chart named %q in the accessibility tree; images there: %q", want, images)
		}
	}

	// The month chart drew a bar for each month with requests.
	months, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#months-chart g.month rect.segment").length`))
	if err != nil {
		t.Fatal(err)
	}
	if months != 8 { // one segment per non-zero month series above
		t.Errorf("month chart has %d segments, want 8", months)
	}

	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "report-access-documents")
}

// TestWeeklyFigureInBrowser shows both weekly charts of a year on one page
// under a strict Content-Security-Policy, as the workspace's figures page
// will: each is an image named by its title in the accessibility tree, drawn
// at a real size, its table is there, and axe-core finds nothing serious.
func TestWeeklyFigureInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	loc := belgrade(t)

	// A year of tickets, a few a day, the mix changing through the year.
	var tickets []inquiry.Ticket
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, loc)
	for d := range 365 {
		for i := range 1 + d%4 + d/120 {
			tickets = append(tickets, inquiry.Ticket{
				ReceivedAt: start.AddDate(0, 0, d).Add(time.Duration(i) * time.Hour),
				Category:   inquiry.Categories[(d+i)%len(inquiry.Categories)],
				Channel:    []inquiry.Channel{inquiry.ChannelEmail, inquiry.ChannelEmail, inquiry.ChannelTelegram}[(d*7+i)%3],
				State:      inquiry.Assigned,
			})
		}
	}
	r := Weekly(tickets, start, time.Date(2026, 12, 31, 0, 0, 0, 0, loc), loc)
	byCat, err := r.Figure("category", "sq")
	if err != nil {
		t.Fatal(err)
	}
	byChan, err := r.Figure("channel", "sq")
	if err != nil {
		t.Fatal(err)
	}
	page := `<!doctype html><html lang="sq"><head><meta charset="utf-8"><title>Shifrat 2026</title></head>
<body><main><h1>Shifrat 2026</h1>` + string(byCat) + string(byChan) + `</main></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	}))
	t.Cleanup(srv.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}

	tree, err := chromedp.Run(ctx, fullAXTree)
	if err != nil {
		t.Fatal(err)
	}
	images := map[string]string{} // name → description
	for _, n := range tree {
		if !n.Ignored && n.Role != nil && n.Name != nil && (axString(n.Role) == "image" || axString(n.Role) == "img") {
			images[axString(n.Name)] = ""
			if n.Description != nil {
				images[axString(n.Name)] = axString(n.Description)
			}
		}
	}
	for _, want := range []string{"Kërkesat në javë sipas kategorisë", "Kërkesat në javë sipas kanalit"} {
		desc, ok := images[want]
		if !ok {
			t.Errorf("no chart named %q in the accessibility tree; images there: %q", want, images)
		}
		if want := "Gjithsej 1286 në 53 javë, 2026-01-01 – 2026-12-31"; !strings.HasPrefix(desc, want) {
			t.Errorf("chart described as %q, want it to start %q", desc, want)
		}
	}

	// Without a stylesheet the chart takes the page's width and keeps its
	// proportions (width="100%" and the viewBox).
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](
		`(() => { const b = document.getElementById("weekly-category-chart").getBoundingClientRect(); return [b.width, b.height]; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := size[0], size[1]; w < 600 || h < 0.9*w*weeklyHeight/weeklyWidth || h > 1.1*w*weeklyHeight/weeklyWidth {
		t.Errorf("chart drawn %.0f×%.0f, want the page's width and %v:%v", w, h, weeklyWidth, weeklyHeight)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#weekly-channel-table tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	if rows != 53 {
		t.Errorf("the channel table has %d weeks, want 53", rows)
	}

	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "report-weekly")
}

// fullAXTree reads the page's whole accessibility tree.
func fullAXTree(ctx context.Context, tg *chromedp.Target) ([]*accessibility.Node, error) {
	res, err := cdp.Call(ctx, tg, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		return nil, err
	}
	return res.Nodes, nil
}

// axString is an accessibility value that is a string ("" otherwise).
func axString(v *accessibility.Value) string {
	var s string
	if json.Unmarshal([]byte(v.Value), &s) != nil {
		return ""
	}
	return s
}
