package web

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/textsafe"
)

// badge is a ticket's deadline as the queue shows it.
type badge struct {
	Class string // overdue, soon, urgent, ok, none
	Text  string
}

// deadlineBadge says how a ticket stands against its deadline at now.
func deadlineBadge(p page, t inquiry.Ticket, now time.Time) badge {
	if !t.State.Open() {
		// Decided or set aside: its deadline no longer runs.
		return badge{"none", p.T("state_" + string(t.State))}
	}
	if t.DueAt.IsZero() {
		if t.Urgent {
			return badge{"urgent", p.T("urgent")}
		}
		return badge{"none", p.T("no_deadline")}
	}
	left := t.DueAt.Sub(now)
	switch {
	case left < 0:
		return badge{"overdue", p.Tf("overdue_days", int(math.Ceil(-left.Hours()/24)))}
	case t.Urgent:
		return badge{"urgent", p.T("urgent") + " · " + p.Tf("due_in_hours", int(math.Ceil(left.Hours())))}
	case left <= 48*time.Hour:
		return badge{"soon", p.Tf("due_in_hours", int(math.Ceil(left.Hours())))}
	}
	return badge{"ok", p.Tf("days_left", int(math.Ceil(left.Hours()/24)))}
}

type queueRow struct {
	Number, Received, Category, Language, Channel, Officer, State, Subject string
	Badge                                                                  badge
}

type option struct {
	Value, Label string
	Selected     bool
}

type queueData struct {
	Rows    []queueRow
	Q       string
	Since   string
	Until   string
	Mine    bool
	Filters []filterSelect
	Total   int
}

type filterSelect struct {
	Name, Label string
	Options     []option
}

// queueFilter is the queue's query string.
type queueFilter struct {
	q, category, language, channel, officer, state, due string
	since, until                                        string
	mine                                                bool
}

func readQueueFilter(v url.Values) queueFilter {
	return queueFilter{q: strings.TrimSpace(v.Get("q")), category: v.Get("category"), language: v.Get("language"),
		channel: v.Get("channel"), officer: v.Get("officer"), state: v.Get("state"), due: v.Get("due"), mine: v.Get("mine") == "1",
		since: v.Get("since"), until: v.Get("until")}
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess *session) {
	p := s.newPage(r, sess, translate(s.language(r, sess), "queue"))
	qf := readQueueFilter(r.URL.Query())
	f := inquiry.TicketFilter{States: []inquiry.State{inquiry.Assigned, inquiry.Answered}, Text: qf.q,
		Category: inquiry.Category(qf.category), Channel: inquiry.Channel(qf.channel), OfficerID: qf.officer}
	if qf.state == string(inquiry.Assigned) || qf.state == string(inquiry.Answered) {
		f.States = []inquiry.State{inquiry.State(qf.state)}
	}
	if qf.mine {
		f.OfficerID = sess.OfficerID
	}
	tickets, err := s.store.ListTickets(r.Context(), f)
	if err != nil {
		s.internal(w, r, sess, "list tickets", err)
		return
	}
	now := s.cfg.Now()
	d := queueData{Q: qf.q, Mine: qf.mine}
	// Received between two days (both included) in the division's time zone;
	// a date that does not parse does not filter.
	var from, to time.Time
	if day, err := time.ParseInLocation(time.DateOnly, qf.since, s.cfg.Location); err == nil {
		from, d.Since = day, qf.since
	}
	if day, err := time.ParseInLocation(time.DateOnly, qf.until, s.cfg.Location); err == nil {
		to, d.Until = day.AddDate(0, 0, 1), qf.until
	}
	for _, t := range tickets {
		if qf.language != "" && string(t.Language) != qf.language {
			continue
		}
		if (!from.IsZero() && t.ReceivedAt.Before(from)) || (!to.IsZero() && !t.ReceivedAt.Before(to)) {
			continue
		}
		b := deadlineBadge(p, t, now)
		if qf.due != "" && !matchesDue(qf.due, t, now) {
			continue
		}
		d.Rows = append(d.Rows, queueRow{
			Number: t.Number, Received: t.ReceivedAt.In(s.cfg.Location).Format("02.01.2006 15:04"),
			Category: desk.CategoryName(t.Category, p.Lang), Language: string(t.Language),
			Channel: p.T("channel_" + string(t.Channel)), Officer: s.officerName(t.OfficerID),
			State: p.T("state_" + string(t.State)), Subject: oneLine(t.Subject, 90), Badge: b,
		})
	}
	d.Total = len(d.Rows)
	d.Filters = s.queueFilters(p, qf)
	p.D = d
	s.render(w, http.StatusOK, "queue", p)
}

// matchesDue is the queue's deadline filter: overdue, due within 48 hours,
// or urgent.
func matchesDue(due string, t inquiry.Ticket, now time.Time) bool {
	switch due {
	case "overdue":
		return !t.DueAt.IsZero() && t.DueAt.Before(now)
	case "soon":
		return !t.DueAt.IsZero() && !t.DueAt.Before(now) && t.DueAt.Sub(now) <= 48*time.Hour
	case "urgent":
		return t.Urgent
	}
	return true
}

func (s *Server) queueFilters(p page, qf queueFilter) []filterSelect {
	sel := func(name, label, cur string, opts [][2]string) filterSelect {
		fs := filterSelect{Name: name, Label: label, Options: []option{{Value: "", Label: p.T("any"), Selected: cur == ""}}}
		for _, o := range opts {
			fs.Options = append(fs.Options, option{Value: o[0], Label: o[1], Selected: cur == o[0]})
		}
		return fs
	}
	var cats, langs, officers [][2]string
	for _, c := range inquiry.Categories {
		cats = append(cats, [2]string{string(c), desk.CategoryName(c, p.Lang)})
	}
	for _, l := range languages {
		langs = append(langs, [2]string{string(l.Tag), l.Name})
	}
	for _, o := range s.people().Officers {
		officers = append(officers, [2]string{o.ID, o.Name})
	}
	return []filterSelect{
		sel("category", p.T("category"), qf.category, cats),
		sel("language", p.T("language"), qf.language, langs),
		sel("channel", p.T("channel"), qf.channel, [][2]string{{"email", p.T("channel_email")}, {"telegram", p.T("channel_telegram")}}),
		sel("officer", p.T("officer"), qf.officer, officers),
		sel("state", p.T("state"), qf.state, [][2]string{{"assigned", p.T("state_assigned")}, {"answered", p.T("state_answered")}}),
		sel("due", p.T("deadline"), qf.due, [][2]string{{"overdue", p.T("overdue")}, {"soon", p.T("due_soon")}, {"urgent", p.T("urgent")}}),
	}
}

func (s *Server) officerName(id string) string {
	if o, ok := s.officer(id); ok {
		return o.Name
	}
	return id
}

// oneLine is a citizen's text fit for one table cell (textsafe.Line: no
// raw control or bidi characters), cut at max runes.
func oneLine(text string, max int) string {
	text = textsafe.Line(text)
	if r := []rune(text); len(r) > max {
		return string(r[:max]) + "…"
	}
	return text
}
