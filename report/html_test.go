package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"math"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// handBuilt is an access report whose months hold the chart's series
// counts given (pending meaning pending within the deadline), the rest of
// it filled in to agree.
func handBuilt(months map[int]map[string]int) AccessReport {
	r := AccessReport{Year: 2026, ByChan: map[string]int{}, Outcomes: map[string]int{}, RefusalGrounds: map[string]int{}}
	for _, o := range AccessOutcomes {
		if o != "resolved" {
			r.Outcomes[o] = 0
		}
	}
	for i := range 12 {
		m := Month{Month: fmt.Sprintf("2026-%02d", i+1), ByChannel: map[string]int{}, Outcomes: map[string]int{}}
		for s, n := range months[i] {
			m.Received += n
			key := s
			if s == overdue {
				key, m.Overdue = Pending, n
			}
			m.Outcomes[key] += n
			r.Outcomes[key] += n
		}
		// Every third request came by Telegram, so the channels differ.
		m.ByChannel["telegram"] = m.Received / 3
		m.ByChannel["email"] = m.Received - m.Received/3
		r.ByChan["telegram"] += m.ByChannel["telegram"]
		r.ByChan["email"] += m.ByChannel["email"]
		r.Received += m.Received
		r.ByMonth = append(r.ByMonth, m)
	}
	r.Pending = r.Outcomes[Pending]
	return r
}

func renderHTML(t *testing.T, r AccessReport) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf, "html"); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return buf.String(), doc
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// find returns the elements under n for which match holds, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func byID(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	ns := find(doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if len(ns) != 1 {
		t.Fatalf("%d elements with id %q", len(ns), id)
	}
	return ns[0]
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func number(t *testing.T, n *html.Node, key string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(attr(n, key), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.Data, key, attr(n, key), err)
	}
	return x
}

// wellFormed checks every SVG fragment of the page as strict XML, so a
// chart saved on its own opens in an SVG viewer too.
func wellFormed(t *testing.T, page string) int {
	t.Helper()
	count := 0
	for rest := page; ; count++ {
		start := strings.Index(rest, "<svg")
		if start < 0 {
			return count
		}
		end := strings.Index(rest[start:], "</svg>")
		if end < 0 {
			t.Fatalf("an <svg> is not closed")
		}
		frag := rest[start : start+end+len("</svg>")]
		d := xml.NewDecoder(strings.NewReader(frag))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("svg %d is not well-formed XML: %v\n%s", count, err, frag)
			}
		}
		rest = rest[start+end:]
	}
}

func TestAccessHTMLMonthChart(t *testing.T) {
	cases := []struct {
		name   string
		months map[int]map[string]int // month index → series → count
		top    int                    // the axis's highest gridline
	}{
		{
			name: "every series",
			months: map[int]map[string]int{
				0:  {"granted": 3, "refused": 1},
				1:  {"partly_granted": 2, "not_held": 1, "withdrawn": 1, Pending: 1, overdue: 1},
				4:  {"granted": 1},
				6:  {"resolved": 2, overdue: 3},
				11: {Pending: 7},
			},
			top: 8,
		},
		{
			name:   "hundreds",
			months: map[int]map[string]int{2: {"granted": 120, "refused": 17}, 3: {"granted": 5}, 9: {Pending: 1}},
			top:    150,
		},
		{name: "nothing received", top: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := handBuilt(c.months)
			page, doc := renderHTML(t, r)
			if n := wellFormed(t, page); n < 2 {
				t.Errorf("%d svg fragments, want the chart and its legend swatches", n)
			}
			chart := byID(t, doc, "months-chart")
			groups := find(chart, func(n *html.Node) bool { return attr(n, "class") == "month" })
			if len(groups) != 12 {
				t.Fatalf("%d month groups, want 12", len(groups))
			}
			got := map[int]map[string]int{}
			unit := math.NaN() // viewBox units per request, the same for every segment
			for i, g := range groups {
				if want := fmt.Sprintf("2026-%02d", i+1); attr(g, "data-month") != want {
					t.Errorf("group %d is month %q, want %q", i, attr(g, "data-month"), want)
				}
				bottom := plotBaseline // segments stack up from the baseline, touching
				for _, s := range find(g, func(n *html.Node) bool { return n.Data == "rect" }) {
					series, y, h := attr(s, "data-series"), number(t, s, "y"), number(t, s, "height")
					n := c.months[i][series]
					if n == 0 {
						t.Errorf("%s: a %s segment of height %v for no requests", attr(g, "data-month"), series, h)
						continue
					}
					if got[i] == nil {
						got[i] = map[string]int{}
					}
					got[i][series] = n
					if math.IsNaN(unit) {
						unit = h / float64(n)
					}
					if math.Abs(h-unit*float64(n)) > 0.01 {
						t.Errorf("%s %s: height %v for %d requests, want %v (%v a request)", attr(g, "data-month"), series, h, n, unit*float64(n), unit)
					}
					if math.Abs(y+h-bottom) > 0.02 {
						t.Errorf("%s %s: ends at %v, want %v", attr(g, "data-month"), series, y+h, bottom)
					}
					bottom = y
				}
				if bottom < plotTop-0.01 {
					t.Errorf("%s: the bar reaches %v, above the plot's top %v", attr(g, "data-month"), bottom, plotTop)
				}
			}
			// Every series counted shows, and only those.
			want := map[int]map[string]int{}
			for i, m := range c.months {
				for s, n := range m {
					if n > 0 {
						if want[i] == nil {
							want[i] = map[string]int{}
						}
						want[i][s] = n
					}
				}
			}
			if !maps.EqualFunc(got, want, maps.Equal) {
				t.Errorf("segments %v, want %v", got, want)
			}
			if !math.IsNaN(unit) {
				if scale := (plotBaseline - plotTop) / float64(c.top); math.Abs(unit-scale) > 0.01 {
					t.Errorf("%v a request, want %v (axis up to %d)", unit, scale, c.top)
				}
			}
			var ticks []string
			for _, tx := range find(chart, func(n *html.Node) bool { return n.Data == "text" && attr(n, "text-anchor") == "end" }) {
				ticks = append(ticks, textOf(tx))
			}
			if len(ticks) < 2 || ticks[0] != "0" || ticks[len(ticks)-1] != strconv.Itoa(c.top) {
				t.Errorf("axis %v, want 0 to %d", ticks, c.top)
			}

			// The table under the chart holds its numbers: one row a month.
			rows := find(byID(t, doc, "months-channels"), func(n *html.Node) bool { return n.Data == "tr" })
			if len(rows) != 13 {
				t.Fatalf("month and channel table has %d rows, want 12 and the header", len(rows))
			}
			for i, row := range rows[1:] {
				var cells []string
				for _, td := range find(row, func(n *html.Node) bool { return n.Data == "td" }) {
					cells = append(cells, textOf(td))
				}
				m := r.ByMonth[i]
				want := []string{m.Month, strconv.Itoa(m.Received), strconv.Itoa(m.ByChannel["email"]), strconv.Itoa(m.ByChannel["telegram"])}
				if strings.Join(cells, "|") != strings.Join(want, "|") {
					t.Errorf("row %d: %v, want %v", i, cells, want)
				}
			}
		})
	}
}

func TestAccessHTMLDeadline(t *testing.T) {
	cases := []struct {
		name                   string
		onTime, late, silent   int
		wantWidths             map[string]float64
		wantShares             []string // on time, late, no decision
		wantChart, wantNoDeadl bool
	}{
		{"all three", 6, 2, 4, map[string]float64{"on_time": 432, "late": 144, "no_decision": 144}, []string{"60.0 %", "20.0 %", "20.0 %"}, true, false},
		{"on time only", 3, 0, 0, map[string]float64{"on_time": 720}, []string{"100.0 %", "0.0 %", "0.0 %"}, true, false},
		{"silent, never decided", 0, 0, 1, map[string]float64{"no_decision": 720}, []string{"0.0 %", "0.0 %", "100.0 %"}, true, true},
		{"nothing measured", 0, 0, 0, map[string]float64{}, []string{"–", "–", "–"}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := handBuilt(nil)
			r.OnTime, r.Late, r.SilentRefusals = c.onTime, c.late, c.silent
			if c.wantNoDeadl {
				r.NoDeadline = 2
			}
			page, doc := renderHTML(t, r)
			charts := find(doc, func(n *html.Node) bool { return attr(n, "id") == "deadline-chart" })
			if (len(charts) == 1) != c.wantChart {
				t.Fatalf("%d deadline charts, want one: %v", len(charts), c.wantChart)
			}
			got := map[string]float64{}
			if c.wantChart {
				x := 0.0
				for _, s := range find(charts[0], func(n *html.Node) bool { return n.Data == "rect" }) {
					if math.Abs(number(t, s, "x")-x) > 0.02 {
						t.Errorf("%s starts at %v, want %v", attr(s, "data-series"), number(t, s, "x"), x)
					}
					got[attr(s, "data-series")] = number(t, s, "width")
					x += number(t, s, "width")
				}
			}
			if !maps.EqualFunc(got, c.wantWidths, func(a, b float64) bool { return math.Abs(a-b) < 0.02 }) {
				t.Errorf("widths %v, want %v", got, c.wantWidths)
			}
			var shares []string
			for _, row := range find(byID(t, doc, "deadline"), func(n *html.Node) bool { return n.Data == "tr" })[1:4] {
				tds := find(row, func(n *html.Node) bool { return n.Data == "td" })
				shares = append(shares, textOf(tds[1]))
			}
			if strings.Join(shares, "|") != strings.Join(c.wantShares, "|") {
				t.Errorf("shares %v, want %v", shares, c.wantShares)
			}
			if has := strings.Contains(page, "2 request(s) have no due date"); has != c.wantNoDeadl {
				t.Errorf("no-deadline note shown %v, want %v", has, c.wantNoDeadl)
			}
		})
	}
}

func TestAccessHTMLTables(t *testing.T) {
	r := handBuilt(map[int]map[string]int{0: {"granted": 2, "refused": 1}, 5: {overdue: 1}})
	r.RefusalGrounds = map[string]int{"personal_data": 1, `<script>alert("x")</script>`: 2}
	r.Extended, r.Urgent, r.Complaints = 4, 5, 6
	med, p90 := 3.24, 11.0
	r.MedianDays, r.P90Days = &med, &p90
	page, doc := renderHTML(t, r)

	rows := func(id string) map[string]string {
		out := map[string]string{}
		for _, tr := range find(byID(t, doc, id), func(n *html.Node) bool { return n.Data == "tr" }) {
			th := find(tr, func(n *html.Node) bool { return n.Data == "th" })
			td := find(tr, func(n *html.Node) bool { return n.Data == "td" })
			if len(th) == 1 && len(td) >= 1 {
				out[textOf(th[0])] = textOf(td[0])
			}
		}
		return out
	}
	cases := []struct {
		table string
		want  map[string]string
	}{
		{"received", map[string]string{"Gjithsej Total": "4", "email": "3", "telegram": "1"}},
		{"outcomes", map[string]string{"Qasje e lejuar Granted": "2", "Qasje e refuzuar Refused": "1", "Në shqyrtim Pending": "1",
			"Qasje e lejuar pjesërisht Partly granted": "0", "Nuk posedohet / e përcjellë Not held / forwarded": "0", "Kërkesë e tërhequr Withdrawn": "0"}},
		// The ground stays text: no element, its characters as they came.
		{"grounds", map[string]string{"personal_data": "1", `<script>alert("x")</script>`: "2"}},
		{"figures", map[string]string{"Afat i zgjatur Extended": "4", "Kërkesa urgjente Urgent requests": "5", "Ankesa Complaints": "6",
			"Mediana e ditëve deri te vendimi Median days to decision":                      "3.2 ditë / days",
			"Përqindëshi i 90-të i ditëve deri te vendimi 90th percentile days to decision": "11.0 ditë / days",
			"Në shqyrtim Pending": "1"}},
	}
	for _, c := range cases {
		if got := rows(c.table); !maps.Equal(got, c.want) {
			t.Errorf("table %s: %v, want %v", c.table, got, c.want)
		}
	}
	if scripts := find(doc, func(n *html.Node) bool { return n.Data == "script" }); len(scripts) != 0 {
		t.Errorf("%d script elements", len(scripts))
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the ground is not escaped in the page")
	}
	h1 := find(doc, func(n *html.Node) bool { return n.Data == "h1" })
	if len(h1) != 1 || textOf(h1[0]) != "Qasja në dokumente publike, 2026 Access to public documents, 2026" {
		t.Errorf("title %q", textOf(h1[0]))
	}
}

// TestAccessHTMLSelfContained checks that the page loads nothing: no
// scripts, no external or linked resources, and that it asks for A4.
func TestAccessHTMLSelfContained(t *testing.T) {
	r := handBuilt(map[int]map[string]int{0: {"granted": 2}, 3: {overdue: 1}})
	r.OnTime, r.SilentRefusals = 2, 1
	page, doc := renderHTML(t, r)
	loads := map[string]bool{"script": true, "link": true, "img": true, "iframe": true, "object": true, "embed": true,
		"image": true, "use": true, "foreignobject": true, "audio": true, "video": true, "source": true, "base": true}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if loads[n.Data] {
			t.Errorf("a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "src" || a.Key == "href" || a.Key == "srcset" || a.Key == "action" || strings.HasSuffix(a.Key, ":href"):
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			case strings.HasPrefix(a.Key, "on"):
				t.Errorf("<%s %s>: an event handler", n.Data, a.Key)
			case strings.Contains(a.Val, "//") || strings.Contains(a.Val, "url("):
				t.Errorf("<%s %s=%q> points somewhere", n.Data, a.Key, a.Val)
			}
		}
	}
	style := find(doc, func(n *html.Node) bool { return n.Data == "style" })
	if len(style) != 1 {
		t.Fatalf("%d style elements, want 1", len(style))
	}
	css := textOf(style[0])
	for _, bad := range []string{"url(", "@import", "http"} {
		if strings.Contains(css, bad) {
			t.Errorf("the CSS has %q", bad)
		}
	}
	for _, want := range []string{"@page { size: A4", "break-inside: avoid", "svg.chart { display: block; width: 100%"} {
		if !strings.Contains(css, want) {
			t.Errorf("the CSS lacks %q", want)
		}
	}
	if strings.Contains(page, "http:") || strings.Contains(page, "https:") {
		t.Errorf("the page names a URL")
	}
}

func TestNiceStep(t *testing.T) {
	cases := []struct{ highest, step int }{
		{0, 1}, {1, 1}, {5, 1}, {6, 2}, {10, 2}, {11, 5}, {25, 5}, {26, 10}, {50, 10}, {51, 20}, {137, 50}, {1001, 500},
	}
	for _, c := range cases {
		if got := niceStep(c.highest); got != c.step {
			t.Errorf("niceStep(%d) = %d, want %d", c.highest, got, c.step)
		}
	}
}
