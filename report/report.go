// Package report computes the division's reports from tickets it is given:
// the annual report on the Law on Access to Public Documents and the inbox's
// volumes over a period. It reads nothing itself, so the same numbers come
// from the command line, the tests and (later) the web pages.
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
	var days []float64
	for _, t := range tickets {
		local := t.ReceivedAt.In(loc)
		if t.Category != inquiry.DocumentRequest || !counted(t) || local.Year() != year {
			continue
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
			if !t.DueAt.IsZero() && now.After(t.DueAt) {
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
			days = append(days, at.Sub(t.ReceivedAt).Hours()/24)
		}
		if t.DueAt.IsZero() {
			r.NoDeadline++
			continue
		}
		switch {
		case closed && decided(t.Outcome) && !at.After(t.DueAt):
			r.OnTime++
		case closed && decided(t.Outcome):
			r.Late++
		}
		if (closed && at.After(t.DueAt)) || (!closed && now.After(t.DueAt)) {
			r.SilentRefusals++
		}
	}
	if len(days) > 0 {
		slices.Sort(days)
		med, p90 := round2(Percentile(days, 50)), round2(Percentile(days, 90))
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
	first, last := dayOf(from.In(loc)), dayOf(to.In(loc))
	r := InboxReport{
		From: from.In(loc).Format(time.DateOnly), To: to.In(loc).Format(time.DateOnly),
		ByCategory: map[string]int{}, ByChannel: map[string]int{}, ByLanguage: map[string]int{}, ByOfficer: map[string]int{},
	}
	var hours []float64
	for _, t := range tickets {
		if d := dayOf(t.ReceivedAt.In(loc)); d < first || d > last {
			continue
		}
		switch t.State {
		case inquiry.BulkMail:
			r.Bulk++
			continue
		case inquiry.SpamMail:
			r.Spam++
			continue
		}
		if !counted(t) {
			continue
		}
		r.Received++
		r.ByCategory[orNone(string(t.Category))]++
		r.ByChannel[orNone(string(t.Channel))]++
		r.ByLanguage[orNone(string(t.Language))]++
		r.ByOfficer[orNone(t.OfficerID)]++
		if !t.AnsweredAt.IsZero() {
			r.Answered++
			hours = append(hours, t.AnsweredAt.Sub(t.ReceivedAt).Hours())
		}
	}
	if len(hours) > 0 {
		slices.Sort(hours)
		med, p90 := round2(Percentile(hours, 50)), round2(Percentile(hours, 90))
		r.MedianAnswerHours, r.P90AnswerHours = &med, &p90
	}
	return r
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
