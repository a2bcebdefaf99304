package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"text/tabwriter"
)

// Formats are the output formats the reports render to.
var Formats = [...]string{"text", "csv", "json", "html"}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool { return slices.Contains(Formats[:], f) }

// label names a row in English with the Albanian term the division
// reports in; the text shows "English (shqip)", the HTML page the Albanian
// first.
type label struct{ en, sq string }

func (l label) text() string { return l.en + " (" + l.sq + ")" }

// outcomeLabels name the outcomes.
var outcomeLabels = map[string]label{
	"granted":        {"Granted", "qasje e lejuar"},
	"partly_granted": {"Partly granted", "qasje e lejuar pjesërisht"},
	"refused":        {"Refused", "qasje e refuzuar"},
	"not_held":       {"Not held / forwarded", "nuk posedohet / e përcjellë"},
	"withdrawn":      {"Withdrawn", "kërkesë e tërhequr"},
	"resolved":       {"Closed without a decision", "e mbyllur pa vendim"},
	Pending:          {"Pending", "në shqyrtim"},
}

// Write renders the access-documents report in format (see Formats).
func (r AccessReport) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		return writeJSON(w, r)
	case "csv":
		return r.writeCSV(w)
	case "text":
		return r.writeText(w)
	case "html":
		return r.writeHTML(w)
	}
	return fmt.Errorf("unknown format %q (want text, csv, json or html)", format)
}

// Write renders the inbox report in format (see Formats but html, which
// only the access-documents report has).
func (r InboxReport) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		return writeJSON(w, r)
	case "csv":
		return r.writeCSV(w)
	case "text":
		return r.writeText(w)
	case "html":
		return errors.New("the inbox report has no html format (want text, csv or json)")
	}
	return fmt.Errorf("unknown format %q (want text, csv or json)", format)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// csvRows collects the long CSV format: section,key,value, one row per
// number; a scalar's key is empty; days with nothing to measure are empty.
type csvRows [][]string

func (c *csvRows) add(section, key, value string) { *c = append(*c, []string{section, key, value}) }
func (c *csvRows) num(section, key string, n int) { c.add(section, key, strconv.Itoa(n)) }

func (c *csvRows) days(section string, x *float64) {
	if x == nil {
		c.add(section, "", "")
		return
	}
	c.add(section, "", strconv.FormatFloat(*x, 'f', -1, 64))
}

func (c *csvRows) counts(section string, m map[string]int) {
	if m == nil {
		c.add(section, "", "")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		c.num(section, k, m[k])
	}
}

func (c csvRows) write(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"section", "key", "value"}); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := cw.WriteAll(c); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func (r AccessReport) writeCSV(w io.Writer) error {
	var c csvRows
	c.num("year", "", r.Year)
	c.num("received", "", r.Received)
	for _, m := range r.ByMonth {
		c.num("by_month", m.Month, m.Received)
	}
	for _, m := range r.ByMonth {
		for _, ch := range slices.Sorted(maps.Keys(m.ByChannel)) {
			c.num("by_month_channel", m.Month+"/"+ch, m.ByChannel[ch])
		}
	}
	// What the JSON's by_month and the page's month chart hold, so the
	// chart can be drawn again from the CSV alone.
	for _, m := range r.ByMonth {
		for _, o := range AccessOutcomes {
			if n, ok := m.Outcomes[o]; ok {
				c.num("by_month_outcome", m.Month+"/"+o, n)
			}
		}
	}
	for _, m := range r.ByMonth {
		c.num("by_month_overdue", m.Month, m.Overdue)
	}
	c.counts("by_channel", r.ByChan)
	for _, o := range AccessOutcomes {
		if n, ok := r.Outcomes[o]; ok {
			c.num("outcomes", o, n)
		}
	}
	c.counts("refusal_grounds", r.RefusalGrounds)
	c.num("on_time", "", r.OnTime)
	c.num("late", "", r.Late)
	c.num("silent_refusals", "", r.SilentRefusals)
	c.num("extended", "", r.Extended)
	c.num("urgent", "", r.Urgent)
	c.days("median_days", r.MedianDays)
	c.days("p90_days", r.P90Days)
	c.num("pending", "", r.Pending)
	c.num("complaints", "", r.Complaints)
	return c.write(w)
}

func (r InboxReport) writeCSV(w io.Writer) error {
	var c csvRows
	c.add("from", "", r.From)
	c.add("to", "", r.To)
	c.num("received", "", r.Received)
	c.num("bulk", "", r.Bulk)
	c.num("spam", "", r.Spam)
	c.counts("by_category", r.ByCategory)
	c.counts("by_channel", r.ByChannel)
	c.counts("by_language", r.ByLanguage)
	c.counts("by_officer", r.ByOfficer)
	c.num("answered", "", r.Answered)
	c.days("median_answer_hours", r.MedianAnswerHours)
	c.days("p90_answer_hours", r.P90AnswerHours)
	return c.write(w)
}

// text is a small writer for the aligned text reports; the first error
// sticks and is returned by flush.
type text struct {
	w   io.Writer
	tw  *tabwriter.Writer
	err error
}

func newText(w io.Writer) *text {
	return &text{w: w, tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
}

// row writes a label and its value, aligned with the rows of its block.
func (t *text) row(label string, value any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.tw, "  %s\t%v\n", label, value)
	}
}

// heading ends the block before it and starts a new one.
func (t *text) heading(s string) {
	t.flushBlock()
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, "\n%s\n", s)
	}
}

func (t *text) flushBlock() {
	if t.err == nil {
		t.err = t.tw.Flush()
	}
}

func (t *text) flush() error {
	t.flushBlock()
	if t.err != nil {
		return fmt.Errorf("report: %w", t.err)
	}
	return nil
}

func daysText(x *float64, unit string) string {
	if x == nil {
		return "–"
	}
	return strconv.FormatFloat(*x, 'f', 1, 64) + " " + unit
}

func (r AccessReport) writeText(w io.Writer) error {
	t := newText(w)
	if _, err := fmt.Fprintf(w, "Access to public documents, %d (Qasja në dokumente publike)\n", r.Year); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	t.heading("Requests received (kërkesa të pranuara)")
	t.row("Total", r.Received)
	channels := slices.Sorted(maps.Keys(r.ByChan))
	for _, ch := range channels {
		t.row("by "+ch, r.ByChan[ch])
	}

	t.heading("By month (sipas muajve)")
	if t.err == nil {
		head := "  Month\tTotal"
		for _, ch := range channels {
			head += "\t" + ch
		}
		_, t.err = fmt.Fprintln(t.tw, head)
	}
	for _, m := range r.ByMonth {
		line := "  " + m.Month + "\t" + strconv.Itoa(m.Received)
		for _, ch := range channels {
			line += "\t" + strconv.Itoa(m.ByChannel[ch])
		}
		if t.err == nil {
			_, t.err = fmt.Fprintln(t.tw, line)
		}
	}

	t.heading("Outcomes (rezultatet)")
	for _, o := range AccessOutcomes {
		if n, ok := r.Outcomes[o]; ok {
			t.row(outcomeLabels[o].text(), n)
		}
	}
	t.heading("Refusal grounds (bazat e refuzimit)")
	if len(r.RefusalGrounds) == 0 {
		t.row("(none)", 0)
	}
	for _, k := range slices.Sorted(maps.Keys(r.RefusalGrounds)) {
		t.row(r.groundName(k), r.RefusalGrounds[k])
	}

	t.heading("The legal deadline (afati ligjor)")
	t.row("Decided on time (brenda afatit)", r.OnTime)
	t.row("Decided late (pas afatit)", r.Late)
	t.row("Refused by silence (refuzim i heshtur)", r.SilentRefusals)
	t.row("Extended (afat i zgjatur)", r.Extended)
	t.row("Urgent requests (kërkesa urgjente)", r.Urgent)
	t.row("Median days to decision", daysText(r.MedianDays, "days"))
	t.row("90th percentile days to decision", daysText(r.P90Days, "days"))
	t.row("Pending (në shqyrtim)", r.Pending)
	t.row("Complaints (ankesa)", r.Complaints)
	if err := t.flush(); err != nil {
		return err
	}
	notes := "\nA late decision also counts as a refusal by silence: the deadline passed without one.\n" +
		"Days to decision run from receipt to the decision reaching the requester (the decision notice,\n" +
		"or the answer that carried it), decided requests only (granted, partly granted, refused, not\n" +
		"held); the percentiles interpolate between the closest ranks.\n"
	if r.NoDeadline > 0 {
		notes += fmt.Sprintf("%d request(s) have no due date and are left out of the deadline counts.\n", r.NoDeadline)
	}
	if _, err := io.WriteString(w, notes); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func (r InboxReport) writeText(w io.Writer) error {
	t := newText(w)
	if _, err := fmt.Fprintf(w, "Inbox, %s to %s\n", r.From, r.To); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	t.heading("Received")
	t.row("Tickets", r.Received)
	t.row("Bulk mail (not counted)", r.Bulk)
	t.row("Spam (not counted)", r.Spam)
	for _, s := range []struct {
		title string
		m     map[string]int
	}{{"By category", r.ByCategory}, {"By channel", r.ByChannel}, {"By language", r.ByLanguage}, {"By officer", r.ByOfficer}} {
		t.heading(s.title)
		for _, k := range slices.Sorted(maps.Keys(s.m)) {
			t.row(k, s.m[k])
		}
	}
	t.heading("Answers")
	t.row("Answered", r.Answered)
	t.row("Median time to answer", daysText(r.MedianAnswerHours, "hours"))
	t.row("90th percentile time to answer", daysText(r.P90AnswerHours, "hours"))
	return t.flush()
}
