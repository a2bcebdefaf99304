// Package report computes the division's reports from tickets it is given:
// the annual report on the Law on Access to Public Documents and the inbox's
// volumes over a period. It reads nothing itself, so the same numbers come
// from the command line, the tests and the web pages. Each report is also a
// counter given one ticket at a time, whose Filter says which tickets a
// caller reading a store needs: the period's, not every year's.
package report

import (
	"math"
	"slices"
	"time"

	"sportel/inquiry"
)

// Pending is the outcome key of requests not closed yet.
const Pending = "pending"

// AccessOutcomes are the outcome keys of the annual report, in its order;
// "resolved" only occurs for a document request closed without any outcome,
// as the first versions closed tickets.
var AccessOutcomes = [...]string{
	string(inquiry.Granted), string(inquiry.PartlyGranted), string(inquiry.Refused),
	string(inquiry.NotHeld), string(inquiry.Withdrawn), string(inquiry.Resolved), Pending,
}

// AccessReport is the annual report on document requests. The days are
// nil, null in JSON, when no decided request measures them, never an
// invented zero.
type AccessReport struct {
	Year     int            `json:"year"`
	Received int            `json:"received"`
	ByMonth  []Month        `json:"by_month"`
	ByChan   map[string]int `json:"by_channel"`
	Outcomes map[string]int `json:"outcomes"`
	// RefusalGrounds counts refused and partly granted requests by the
	// ground's id.
	RefusalGrounds map[string]int `json:"refusal_grounds"`
	// OnTime and Late count decisions (granted, partly granted, refused,
	// not held) by whether they came by the deadline.
	OnTime int `json:"on_time"`
	Late   int `json:"late"`
	// SilentRefusals counts requests whose deadline passed with no decision:
	// closed after it (late decisions count here and in Late) or still open
	// past it.
	SilentRefusals int `json:"silent_refusals"`
	// Extended and Urgent count requests; Complaints counts complaints to
	// the Information and Privacy Agency recorded on them (a request may
	// have several).
	Extended   int      `json:"extended"`
	Urgent     int      `json:"urgent"`
	MedianDays *float64 `json:"median_days"`
	P90Days    *float64 `json:"p90_days"`
	Pending    int      `json:"pending"`
	Complaints int      `json:"complaints"`
	// NoDeadline counts requests without a due date, which the deadline
	// counts above leave out; it is shown in the text only.
	NoDeadline int `json:"-"`
	// GroundLabels names refusal grounds by id for the text and HTML
	// (tickets.refusal_grounds; the caller fills it). A ground without a
	// label is shown by its id; JSON and CSV keep the ids.
	GroundLabels map[string]string `json:"-"`
}

// groundName is a refusal ground as the text and HTML show it.
func (r *AccessReport) groundName(id string) string {
	if l := r.GroundLabels[id]; l != "" {
		return l + " (" + id + ")"
	}
	return id
}

// Month is one month's received requests.
type Month struct {
	Month     string         `json:"month"` // 2026-01
	Received  int            `json:"received"`
	ByChannel map[string]int `json:"by_channel"`
	// Outcomes counts the month's requests by outcome, as the report's
	// Outcomes does, so they sum to Received; Overdue counts its pending
	// requests whose deadline has passed (refused by silence so far).
	Outcomes map[string]int `json:"outcomes"`
	Overdue  int            `json:"overdue"`
}

// decided reports whether an outcome is a decision on the request, the
// moment the legal clock stops: a withdrawn request was never decided.
func decided(o inquiry.Outcome) bool {
	switch o {
	case inquiry.Granted, inquiry.PartlyGranted, inquiry.Refused, inquiry.NotHeld:
		return true
	}
	return false
}

// decidedAt is when a closed request's decision reached the requester:
// the recorded decision time, or for tickets closed before it was
// recorded, the closing.
func decidedAt(t inquiry.Ticket) time.Time {
	if !t.DecidedAt.IsZero() {
		return t.DecidedAt
	}
	return t.ClosedAt
}

// counted reports whether a ticket is a request the reports count: bulk and
// spam mail never was one. Nor is a document request closed as resolved or
// no_answer_needed: a request is closed with a decision, so those are bulk
// or spam that versions before 2026-12 let an officer close, and counting
// them made a newsletter a refusal by silence.
func counted(t inquiry.Ticket) bool {
	switch {
	case t.State == inquiry.BulkMail || t.State == inquiry.SpamMail:
		return false
	case t.State == inquiry.Closed && t.Category == inquiry.DocumentRequest:
		return t.Outcome != inquiry.Resolved && t.Outcome != inquiry.NoAnswerNeeded
	}
	return true
}

// AccessDocuments is the annual report over the document requests received
// in year, in loc's calendar (a request at 23:30 UTC on 31 December is
// January's in Belgrade). now decides whether an open request's deadline
// has passed.
func AccessDocuments(tickets []inquiry.Ticket, year int, loc *time.Location, now time.Time) AccessReport {
	c := NewAccessCounter(year, loc, now)
	for _, t := range tickets {
		c.Add(t)
	}
	return c.Report()
}

// AccessCounter computes AccessDocuments one ticket at a time, so a caller
// reading a store holds one ticket, not the year's: Add each ticket of
// Filter, then Report.
type AccessCounter struct {
	r    AccessReport
	loc  *time.Location
	now  time.Time
	days []float64
}

// NewAccessCounter starts the annual report of year (see AccessDocuments).
func NewAccessCounter(year int, loc *time.Location, now time.Time) *AccessCounter {
	r := AccessReport{
		Year:     year,
		ByMonth:  make([]Month, 12),
		ByChan:   map[string]int{},
		Outcomes: map[string]int{},

		RefusalGrounds: map[string]int{},
	}
	for i := range r.ByMonth {
		r.ByMonth[i] = Month{Month: time.Date(year, time.Month(i+1), 1, 0, 0, 0, 0, loc).Format("2006-01"), ByChannel: map[string]int{}, Outcomes: map[string]int{}}
	}
	for _, o := range AccessOutcomes {
		if o != string(inquiry.Resolved) {
			r.Outcomes[o] = 0
		}
	}
	return &AccessCounter{r: r, loc: loc, now: now}
}

// Filter is the read that gives every ticket the report counts: the
// tickets received in the year. A request decided or closed in the year
// but received before it is the earlier year's, so it is not read.
func (c *AccessCounter) Filter() inquiry.TicketFilter {
	return receivedFilter(time.Date(c.r.Year, 1, 1, 0, 0, 0, 0, c.loc), time.Date(c.r.Year, 12, 31, 0, 0, 0, 0, c.loc))
}

// Add counts t if it is a document request received in the year; any
// other ticket is left out.
func (c *AccessCounter) Add(t inquiry.Ticket) {
	r := &c.r
	local := t.ReceivedAt.In(c.loc)
	if t.Category != inquiry.DocumentRequest || !counted(t) || local.Year() != r.Year {
		return
	}
	r.Received++
	m := &r.ByMonth[local.Month()-1]
	m.Received++
	m.ByChannel[string(t.Channel)]++
	r.ByChan[string(t.Channel)]++

	if t.Extension != nil {
		r.Extended++
	}
	if t.Urgent {
		r.Urgent++
	}
	r.Complaints += len(t.Complaints)
	closed := t.State == inquiry.Closed
	if !closed && t.NotHeldMark != nil {
		// The not-held notice was the decision, given when it was sent;
		// closing the ticket later as not_held changes nothing.
		t.State, t.Outcome, t.DecidedAt = inquiry.Closed, inquiry.NotHeld, t.NotHeldMark.At
		closed = true
	}
	if closed && t.Outcome.NeedsGround() && t.Ground != "" {
		r.RefusalGrounds[t.Ground]++
	}
	if !closed {
		r.Pending++
		r.Outcomes[Pending]++
		m.Outcomes[Pending]++
		if !t.DueAt.IsZero() && c.now.After(t.DueAt) {
			m.Overdue++
		}
	} else {
		o := t.Outcome
		if o == inquiry.NoOutcome {
			o = inquiry.Resolved
		}
		r.Outcomes[string(o)]++
		m.Outcomes[string(o)]++
	}
	at := decidedAt(t)
	if closed && decided(t.Outcome) {
		c.days = append(c.days, at.Sub(t.ReceivedAt).Hours()/24)
	}
	if t.DueAt.IsZero() {
		r.NoDeadline++
		return
	}
	switch {
	case closed && decided(t.Outcome) && !at.After(t.DueAt):
		r.OnTime++
	case closed && decided(t.Outcome):
		r.Late++
	}
	if (closed && at.After(t.DueAt)) || (!closed && c.now.After(t.DueAt)) {
		r.SilentRefusals++
	}
}

// Report is the report of the tickets added; it shares its maps with the
// counter, so nothing is added after it.
func (c *AccessCounter) Report() AccessReport {
	r := c.r
	if len(c.days) > 0 {
		slices.Sort(c.days)
		med, p90 := round2(Percentile(c.days, 50)), round2(Percentile(c.days, 90))
		r.MedianDays, r.P90Days = &med, &p90
	}
	return r
}

// Percentile is the p-th percentile (0-100) of sorted, non-empty xs by
// linear interpolation between the closest ranks (numpy's default, Excel's
// PERCENTILE.INC): rank p/100·(n−1), counted from 0. The 50th is the usual
// median, the mean of the middle two when n is even.
func Percentile(sorted []float64, p float64) float64 {
	rank := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(rank))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := rank - float64(lo)
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// InboxReport is the inbox's volumes over a period.
type InboxReport struct {
	From string `json:"from"` // 2026-01-01, included
	To   string `json:"to"`   // 2026-03-31, included
	// Received counts tickets, bulk and spam mail not included; Bulk and
	// Spam count those apart.
	Received   int            `json:"received"`
	Bulk       int            `json:"bulk"`
	Spam       int            `json:"spam"`
	ByCategory map[string]int `json:"by_category"`
	ByChannel  map[string]int `json:"by_channel"`
	ByLanguage map[string]int `json:"by_language"`
	ByOfficer  map[string]int `json:"by_officer"`
	// Answered counts tickets with an answer sent; the answer times are
	// theirs (AnsweredAt − ReceivedAt, in hours; AnsweredAt is the latest
	// answer's), null when none is.
	Answered          int      `json:"answered"`
	MedianAnswerHours *float64 `json:"median_answer_hours"`
	P90AnswerHours    *float64 `json:"p90_answer_hours"`
}

// Inbox is the inbox report over the tickets received from the day of from
// to the day of to, both included, as days in loc.
func Inbox(tickets []inquiry.Ticket, from, to time.Time, loc *time.Location) InboxReport {
	c := NewInboxCounter(from, to, loc)
	for _, t := range tickets {
		c.Add(t)
	}
	return c.Report()
}

// InboxCounter computes Inbox one ticket at a time: Add each ticket of
// Filter, then Report.
type InboxCounter struct {
	r           InboxReport
	loc         *time.Location
	from, to    time.Time // the first and last days, in loc
	first, last int       // the same, as dayOf numbers them
	hours       []float64
}

// NewInboxCounter starts the inbox report of the days of from to to (see
// Inbox).
func NewInboxCounter(from, to time.Time, loc *time.Location) *InboxCounter {
	from, to = from.In(loc), to.In(loc)
	return &InboxCounter{
		r: InboxReport{
			From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
			ByCategory: map[string]int{}, ByChannel: map[string]int{}, ByLanguage: map[string]int{}, ByOfficer: map[string]int{},
		},
		loc: loc, from: from, to: to, first: dayOf(from), last: dayOf(to),
	}
}

// Filter is the read that gives every ticket the report counts: those
// received in its days.
func (c *InboxCounter) Filter() inquiry.TicketFilter { return receivedFilter(c.from, c.to) }

// Add counts t if it was received in the period.
func (c *InboxCounter) Add(t inquiry.Ticket) {
	r := &c.r
	if d := dayOf(t.ReceivedAt.In(c.loc)); d < c.first || d > c.last {
		return
	}
	switch t.State {
	case inquiry.BulkMail:
		r.Bulk++
		return
	case inquiry.SpamMail:
		r.Spam++
		return
	}
	if !counted(t) {
		return
	}
	r.Received++
	r.ByCategory[orNone(string(t.Category))]++
	r.ByChannel[orNone(string(t.Channel))]++
	r.ByLanguage[orNone(string(t.Language))]++
	r.ByOfficer[orNone(t.OfficerID)]++
	if !t.AnsweredAt.IsZero() {
		r.Answered++
		c.hours = append(c.hours, t.AnsweredAt.Sub(t.ReceivedAt).Hours())
	}
}

// Report is the report of the tickets added; it shares its maps with the
// counter, so nothing is added after it.
func (c *InboxCounter) Report() InboxReport {
	r := c.r
	if len(c.hours) > 0 {
		slices.Sort(c.hours)
		med, p90 := round2(Percentile(c.hours, 50)), round2(Percentile(c.hours, 90))
		r.MedianAnswerHours, r.P90AnswerHours = &med, &p90
	}
	return r
}

// receivedFilter reads the tickets received on the local days of first to
// last, and a day more on each side: an instant's day in any zone is
// within a day of its day in UTC, so no clock change (at midnight, or a
// zone that skipped a day) can leave a ticket of the period out. The
// counters keep only their own days of what is read.
func receivedFilter(first, last time.Time) inquiry.TicketFilter {
	from := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)
	before := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, time.UTC)
	return inquiry.TicketFilter{ReceivedFrom: from.AddDate(0, 0, -1), ReceivedBefore: before.AddDate(0, 0, 1)}
}

// dayOf numbers a local day so that days compare in order.
func dayOf(t time.Time) int {
	return t.Year()*10000 + int(t.Month())*100 + t.Day()
}

// orNone names an empty key, so a ticket without an officer still shows.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
