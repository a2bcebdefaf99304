package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"sportel/inquiry"
)

// WeeklyReport is the inbox's volumes week by week over a period, by category
// and by channel: the figures page's chart and its CSV.
type WeeklyReport struct {
	From string `json:"from"` // 2026-01-01, included
	To   string `json:"to"`   // 2026-03-31, included
	// Categories and Channels are the keys of every week's counts, in the
	// order the chart stacks them and the CSV lists them: the known ones
	// always (so the columns stay the same from one period to the next),
	// then any other that occurred, "(none)" for a ticket without one.
	Categories []string `json:"categories"`
	Channels   []string `json:"channels"`
	Weeks      []Week   `json:"weeks"`
	Received   int      `json:"received"`
}

// Week is one ISO week's tickets (Monday to Sunday in the report's time
// zone). The first and last weeks of a period may be partial: From and To
// are the days of the week the period covers.
type Week struct {
	Week       string         `json:"week"` // 2026-W02
	From       string         `json:"from"` // 2026-01-05
	To         string         `json:"to"`   // 2026-01-11
	Received   int            `json:"received"`
	ByCategory map[string]int `json:"by_category"`
	ByChannel  map[string]int `json:"by_channel"`
}

// Weekly counts the tickets received from the day of from to the day of to,
// both included, as days in loc, by ISO week. Bulk and spam mail are not
// counted, as in Inbox, so the weeks add up to Inbox's Received. Every week
// of the period is there, empty ones too, so a chart's gaps are real.
func Weekly(tickets []inquiry.Ticket, from, to time.Time, loc *time.Location) WeeklyReport {
	c := NewWeeklyCounter(from, to, loc)
	for _, t := range tickets {
		c.Add(t)
	}
	return c.Report()
}

// WeeklyCounter computes Weekly one ticket at a time: Add each ticket of
// Filter, then Report.
type WeeklyCounter struct {
	r           WeeklyReport
	loc         *time.Location
	first, last time.Time      // the first and last days, at midnight in loc
	index       map[string]int // a week's Monday → its place in Weeks
	cats, chans map[string]bool
}

// NewWeeklyCounter starts the weekly volumes of the days of from to to (see
// Weekly).
func NewWeeklyCounter(from, to time.Time, loc *time.Location) *WeeklyCounter {
	from, to = from.In(loc), to.In(loc)
	first := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	last := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc)
	c := &WeeklyCounter{
		r:   WeeklyReport{From: first.Format(time.DateOnly), To: last.Format(time.DateOnly)},
		loc: loc, first: first, last: last,
		index: map[string]int{}, cats: map[string]bool{}, chans: map[string]bool{},
	}
	for monday := mondayOf(first); !monday.After(last); monday = monday.AddDate(0, 0, 7) {
		sunday := monday.AddDate(0, 0, 6)
		wf, wt := monday, sunday
		if wf.Before(first) {
			wf = first
		}
		if wt.After(last) {
			wt = last
		}
		y, n := monday.ISOWeek()
		c.index[monday.Format(time.DateOnly)] = len(c.r.Weeks)
		c.r.Weeks = append(c.r.Weeks, Week{
			Week: fmt.Sprintf("%d-W%02d", y, n), From: wf.Format(time.DateOnly), To: wt.Format(time.DateOnly),
			ByCategory: map[string]int{}, ByChannel: map[string]int{},
		})
	}
	return c
}

// Filter is the read that gives every ticket the report counts: those
// received in its days.
func (c *WeeklyCounter) Filter() inquiry.TicketFilter { return receivedFilter(c.first, c.last) }

// Add counts t if it was received in the period and is not bulk or spam.
func (c *WeeklyCounter) Add(t inquiry.Ticket) {
	local := t.ReceivedAt.In(c.loc)
	if d := dayOf(local); d < dayOf(c.first) || d > dayOf(c.last) || !counted(t) {
		return
	}
	w := &c.r.Weeks[c.index[mondayOf(local).Format(time.DateOnly)]]
	cat, ch := orNone(string(t.Category)), orNone(string(t.Channel))
	w.Received++
	w.ByCategory[cat]++
	w.ByChannel[ch]++
	c.cats[cat], c.chans[ch] = true, true
	c.r.Received++
}

// Report is the report of the tickets added; it shares its maps with the
// counter, so nothing is added after it.
func (c *WeeklyCounter) Report() WeeklyReport {
	r := c.r
	r.Categories = keysInOrder(knownCategories(), c.cats)
	r.Channels = keysInOrder([]string{string(inquiry.ChannelEmail), string(inquiry.ChannelTelegram)}, c.chans)
	return r
}

func knownCategories() []string {
	out := make([]string, 0, len(inquiry.Categories))
	for _, c := range inquiry.Categories {
		out = append(out, string(c))
	}
	return out
}

// keysInOrder is known, then the other keys seen, sorted.
func keysInOrder(known []string, seen map[string]bool) []string {
	out := slices.Clone(known)
	for _, k := range slices.Sorted(maps.Keys(seen)) {
		if !slices.Contains(known, k) {
			out = append(out, k)
		}
	}
	return out
}

// mondayOf is the start of t's ISO week, at midnight in t's location.
func mondayOf(t time.Time) time.Time {
	back := (int(t.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, t.Location())
}

// csvHeader is the CSV's first row for a report with these keys:
// week, from, to, received, then "category:<key>" and "channel:<key>"
// columns (prefixed because "(none)" may be a key of both).
func (r WeeklyReport) csvHeader() []string {
	head := []string{"week", "from", "to", "received"}
	for _, c := range r.Categories {
		head = append(head, "category:"+c)
	}
	for _, c := range r.Channels {
		head = append(head, "channel:"+c)
	}
	return head
}

// WriteCSV writes one row per week (see csvHeader for the columns), the
// shape a spreadsheet charts directly.
func (r WeeklyReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.csvHeader()); err != nil {
		return fmt.Errorf("write weekly csv: %w", err)
	}
	for _, wk := range r.Weeks {
		row := []string{wk.Week, wk.From, wk.To, strconv.Itoa(wk.Received)}
		for _, c := range r.Categories {
			row = append(row, strconv.Itoa(wk.ByCategory[c]))
		}
		for _, c := range r.Channels {
			row = append(row, strconv.Itoa(wk.ByChannel[c]))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write weekly csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write weekly csv: %w", err)
	}
	return nil
}

// Write renders the weekly report as csv or json.
func (r WeeklyReport) Write(w io.Writer, format string) error {
	switch format {
	case "csv":
		return r.WriteCSV(w)
	case "json":
		return writeJSON(w, r)
	}
	return fmt.Errorf("unknown format %q for the weekly report (want csv or json)", format)
}
