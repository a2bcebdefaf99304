package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// The page is one file with its CSS inline and its charts as inline SVG,
// so it can be mailed, archived and printed without anything beside it.
//
//go:embed templates/access.html.tmpl templates/weekly.html.tmpl
var templates embed.FS

// overdue is the chart's series of pending requests past their deadline:
// the report counts them among the refusals by silence.
const overdue = "overdue"

// chartSeries are the month chart's stacks, bottom up, with their
// colours; they partition a month's requests (pending is split into within
// and past the deadline).
func chartSeries() []seriesDef {
	return []seriesDef{
		{"granted", "#2e7d32", outcomeLabels["granted"]},
		{"partly_granted", "#9ccc65", outcomeLabels["partly_granted"]},
		{"refused", "#c62828", outcomeLabels["refused"]},
		{"not_held", "#8d6e63", outcomeLabels["not_held"]},
		{"withdrawn", "#9e9e9e", outcomeLabels["withdrawn"]},
		{"resolved", "#cfcfcf", outcomeLabels["resolved"]},
		{Pending, "#64b5f6", label{"Pending, within the deadline", "në shqyrtim, brenda afatit"}},
		{overdue, "#1a237e", label{"Pending past the deadline (refused by silence)", "në shqyrtim pas afatit (refuzim i heshtur)"}},
	}
}

type seriesDef struct {
	key, color string
	label      label
}

// monthName is the chart's short Albanian name of month m (1-12).
func monthName(m int) string {
	return [...]string{"Jan", "Shk", "Mar", "Pri", "Maj", "Qer", "Kor", "Gus", "Sht", "Tet", "Nën", "Dhj"}[(m-1)%12]
}

// The month chart's geometry in its viewBox units; the CSS scales the
// chart to the page's width, so these only fix its proportions.
const (
	barsWidth    = 720.0
	barsHeight   = 270.0
	plotLeft     = 40.0
	plotRight    = 712.0
	plotTop      = 14.0
	plotBaseline = 240.0
	shareWidth   = 720.0
	shareHeight  = 36.0
)

type htmlLabel struct{ Sq, En string }

func (l label) html() htmlLabel { return htmlLabel{Sq: upperFirst(l.sq), En: l.en} }

type htmlRow struct {
	Label htmlLabel
	Key   string // a refusal ground's id, shown as it is
	Color string
	Count int
	Share string // "42.9 %", on the deadline rows
}

type htmlMonth struct {
	Month    string
	Name     string
	Received int
	Channels []int // in the page's channel order
	Series   []int // in the chart's series order
}

type accessPage struct {
	Year        int
	Received    int
	Channels    []string
	ChannelRows []htmlRow
	Months      []htmlMonth
	Series      []htmlRow // the month chart's legend, and the columns of its table
	Outcomes    []htmlRow
	Grounds     []htmlRow
	Deadline    []htmlRow
	Share       shareChart
	Bars        barChart
	Silent      int
	Extended    int
	Urgent      int
	Pending     int
	Complaints  int
	Median      string
	P90         string
	NoDeadline  int
}

type barChart struct {
	Width, Height float64
	Left, Right   float64
	Baseline      float64
	Ticks         []tick
	Bars          []bar
}

type tick struct {
	Y     float64
	Label int
}

type bar struct {
	Month    string
	Name     string
	X, Width float64
	Center   float64
	Total    int
	TotalY   float64
	Segments []segment
}

type segment struct {
	Series   string
	Color    string
	X, Width float64
	Y        float64
	Height   float64
	Count    int
	Title    string
}

type shareChart struct {
	Width, Height float64
	Total         int
	Segments      []shareSegment
}

type shareSegment struct {
	Series   string
	Color    string
	X, Width float64
	Count    int
	Title    string
}

// writeHTML parses the template on each call: a run renders one page, and
// the package keeps no state between calls.
func (r AccessReport) writeHTML(w io.Writer) error {
	t, err := template.New("access.html.tmpl").Funcs(template.FuncMap{"num": num}).ParseFS(templates, "templates/access.html.tmpl")
	if err != nil {
		return fmt.Errorf("parse report template: %w", err)
	}
	if err := t.Execute(w, r.page()); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	return nil
}

// page lays the report out for the template: rows in the text's order,
// the charts' geometry computed here so the template only places it.
func (r AccessReport) page() accessPage {
	p := accessPage{
		Year: r.Year, Received: r.Received, Channels: slices.Sorted(maps.Keys(r.ByChan)),
		Silent: r.SilentRefusals, Extended: r.Extended, Urgent: r.Urgent, Pending: r.Pending, Complaints: r.Complaints,
		Median: daysText(r.MedianDays, "ditë / days"), P90: daysText(r.P90Days, "ditë / days"), NoDeadline: r.NoDeadline,
	}
	// Closed without a decision is a row only when it occurs, as in the text.
	var shown []string
	for _, s := range chartSeries() {
		if _, ok := r.Outcomes[s.key]; ok || s.key == overdue {
			shown = append(shown, s.key)
			p.Series = append(p.Series, htmlRow{Label: s.label.html(), Key: s.key, Color: s.color})
		}
	}
	for _, ch := range p.Channels {
		p.ChannelRows = append(p.ChannelRows, htmlRow{Key: ch, Count: r.ByChan[ch]})
	}
	for i, m := range r.ByMonth {
		hm := htmlMonth{Month: m.Month, Name: monthName(i + 1), Received: m.Received}
		for _, ch := range p.Channels {
			hm.Channels = append(hm.Channels, m.ByChannel[ch])
		}
		for _, k := range shown {
			hm.Series = append(hm.Series, monthSeries(m, k))
		}
		p.Months = append(p.Months, hm)
	}
	for _, o := range AccessOutcomes {
		if n, ok := r.Outcomes[o]; ok {
			p.Outcomes = append(p.Outcomes, htmlRow{Label: outcomeLabels[o].html(), Key: o, Count: n})
		}
	}
	for _, g := range slices.Sorted(maps.Keys(r.RefusalGrounds)) {
		p.Grounds = append(p.Grounds, htmlRow{Key: r.groundName(g), Count: r.RefusalGrounds[g]})
	}
	// Late decisions are refusals by silence too; the chart splits the
	// silent ones into those decided late and those not decided at all so
	// that its parts add up.
	measured := r.OnTime + r.SilentRefusals
	for _, d := range []struct {
		key   string
		label label
		color string
		n     int
	}{
		{"on_time", label{"Decided on time", "brenda afatit"}, "#2e7d32", r.OnTime},
		{"late", label{"Decided late", "pas afatit"}, "#ef6c00", r.Late},
		{"no_decision", label{"No decision by the deadline", "pa vendim brenda afatit"}, "#b71c1c", r.SilentRefusals - r.Late},
	} {
		p.Deadline = append(p.Deadline, htmlRow{Label: d.label.html(), Key: d.key, Color: d.color, Count: d.n, Share: share(d.n, measured)})
	}
	p.Bars = p.barChart()
	p.Share = shareBar(p.Deadline, measured)
	return p
}

// monthSeries is a month's count in one series of the chart.
func monthSeries(m Month, key string) int {
	switch key {
	case Pending:
		return m.Outcomes[Pending] - m.Overdue
	case overdue:
		return m.Overdue
	}
	return m.Outcomes[key]
}

func (p accessPage) barChart() barChart {
	c := barChart{Width: barsWidth, Height: barsHeight, Left: plotLeft, Right: plotRight, Baseline: plotBaseline}
	highest := 0
	for _, m := range p.Months {
		highest = max(highest, m.Received)
	}
	step := niceStep(highest)
	top := max(step, (highest+step-1)/step*step)
	unit := (plotBaseline - plotTop) / float64(top)
	for v := 0; v <= top; v += step {
		c.Ticks = append(c.Ticks, tick{Y: round2(plotBaseline - float64(v)*unit), Label: v})
	}
	slot := (plotRight - plotLeft) / float64(len(p.Months))
	width := slot * 0.6
	for i, m := range p.Months {
		b := bar{Month: m.Month, Name: m.Name, X: round2(plotLeft + float64(i)*slot + (slot-width)/2), Width: round2(width),
			Center: round2(plotLeft + (float64(i)+0.5)*slot), Total: m.Received}
		y := plotBaseline
		for j, n := range m.Series {
			if n == 0 {
				continue
			}
			h := float64(n) * unit
			y -= h
			s := p.Series[j]
			b.Segments = append(b.Segments, segment{Series: s.Key, Color: s.Color, X: b.X, Width: b.Width, Y: round2(y), Height: round2(h), Count: n,
				Title: fmt.Sprintf("%s %s: %d", m.Month, s.Label.Sq, n)})
		}
		b.TotalY = round2(y - 3)
		c.Bars = append(c.Bars, b)
	}
	return c
}

// shareBar is one bar across the chart's width, split by the rows' counts.
func shareBar(rows []htmlRow, total int) shareChart {
	c := shareChart{Width: shareWidth, Height: shareHeight, Total: total}
	if total == 0 {
		return c
	}
	x := 0.0
	for _, r := range rows {
		if r.Count == 0 {
			continue
		}
		w := shareWidth * float64(r.Count) / float64(total)
		c.Segments = append(c.Segments, shareSegment{Series: r.Key, Color: r.Color, X: round2(x), Width: round2(w), Count: r.Count,
			Title: fmt.Sprintf("%s: %d (%s)", r.Label.Sq, r.Count, r.Share)})
		x += w
	}
	return c
}

// niceStep is the gridline step for counts up to highest: 1, 2 or 5 times a
// power of ten, at most five steps to the top.
func niceStep(highest int) int {
	if highest <= 5 {
		return 1
	}
	raw := (highest + 4) / 5
	for pow := 1; ; pow *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*pow >= raw {
				return m * pow
			}
		}
	}
}

func share(n, total int) string {
	if total == 0 {
		return "–"
	}
	return strconv.FormatFloat(math.Round(1000*float64(n)/float64(total))/10, 'f', 1, 64) + " %"
}

// num writes a coordinate without float noise.
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
