package report

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

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
