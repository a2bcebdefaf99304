package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
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
	// View is the list shown ("" : the open tickets), Heading its title,
	// Order how it is sorted, Views the links to each list and Clear the
	// list without filters.
	View, Heading, Order, Clear string
	Views                       []viewLink
}

type viewLink struct {
	Label, Href string
	Current     bool
}

// queueView is one of the queue's lists of tickets: the open ones (the
// work), the closed ones, and the bulk and spam mail kept aside, where an
// officer looks for a citizen filed there by mistake.
type queueView struct {
	name       string          // the view parameter; "" for the open tickets
	tab, title string          // message keys of its link and its heading
	states     []inquiry.State // what it lists; the state filter picks among them
	// newestFirst: the open tickets come oldest first, as their deadlines
	// do; in the others what one looks for is recent.
	newestFirst bool
}

func queueViews() []queueView {
	return []queueView{
		{"", "tab_open", "open_tickets", []inquiry.State{inquiry.Assigned, inquiry.Answered}, false},
		{"closed", "tab_closed", "closed_tickets", []inquiry.State{inquiry.Closed}, true},
		{"setaside", "tab_setaside", "setaside_tickets", []inquiry.State{inquiry.BulkMail, inquiry.SpamMail}, true},
	}
}

// viewNamed is the view called name; any other name is the open tickets.
func viewNamed(name string) queueView {
	views := queueViews()
	for _, v := range views {
		if v.name == name {
			return v
		}
	}
	return views[0]
}

// viewOf is the view that lists a ticket in state.
func viewOf(state inquiry.State) queueView {
	views := queueViews()
	for _, v := range views {
		if slices.Contains(v.states, state) {
			return v
		}
	}
	return views[0]
}

// queueLink is the queue's address for view with qf's filters that every
// view shares (the state and the deadline are one view's own).
func queueLink(view string, qf queueFilter) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", qf.q)
	set("since", qf.since)
	set("until", qf.until)
	set("category", qf.category)
	set("language", qf.language)
	set("channel", qf.channel)
	set("officer", qf.officer)
	set("view", view)
	if qf.mine {
		v.Set("mine", "1")
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
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
	view                                                queueView
}

func readQueueFilter(v url.Values) queueFilter {
	return queueFilter{q: strings.TrimSpace(v.Get("q")), category: v.Get("category"), language: v.Get("language"),
		channel: v.Get("channel"), officer: v.Get("officer"), state: v.Get("state"), due: v.Get("due"), mine: v.Get("mine") == "1",
		since: v.Get("since"), until: v.Get("until"), view: viewNamed(v.Get("view"))}
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess *session) {
	p := s.newPage(r, sess, translate(s.language(r, sess), "queue"))
	qf := readQueueFilter(r.URL.Query())
	view := qf.view
	f := inquiry.TicketFilter{States: view.states, Text: qf.q,
		Category: inquiry.Category(qf.category), Channel: inquiry.Channel(qf.channel), OfficerID: qf.officer}
	if len(view.states) > 1 && slices.Contains(view.states, inquiry.State(qf.state)) {
		f.States = []inquiry.State{inquiry.State(qf.state)}
	}
	if view.name != "" {
		// Deadlines no longer run there.
		qf.due = ""
	}
	if qf.mine {
		f.OfficerID = sess.OfficerID
	}
	tickets, err := s.store.ListTickets(r.Context(), f)
	if err != nil {
		s.internal(w, r, sess, "list tickets", err)
		return
	}
	if view.newestFirst {
		slices.Reverse(tickets)
	}
	now := s.cfg.Now()
	d := queueData{Q: qf.q, Mine: qf.mine, View: view.name, Heading: p.T(view.title), Clear: queueLink(view.name, queueFilter{})}
	d.Order = p.T("oldest_first")
	if view.newestFirst {
		d.Order = p.T("newest_first")
	}
	for _, v := range queueViews() {
		d.Views = append(d.Views, viewLink{Label: p.T(v.tab), Href: queueLink(v.name, qf), Current: v.name == view.name})
	}
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
		state := p.T("state_" + string(t.State))
		if t.Outcome != "" {
			state += " (" + p.T("outcome_"+string(t.Outcome)) + ")"
		}
		d.Rows = append(d.Rows, queueRow{
			Number: t.Number, Received: t.ReceivedAt.In(s.cfg.Location).Format("02.01.2006 15:04"),
			Category: desk.CategoryName(t.Category, p.Lang), Language: string(t.Language),
			Channel: p.T("channel_" + string(t.Channel)), Officer: s.officerName(t.OfficerID),
			State: state, Subject: oneLine(t.Subject, 90), Badge: b,
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
	out := []filterSelect{
		sel("category", p.T("category"), qf.category, cats),
		sel("language", p.T("language"), qf.language, langs),
		sel("channel", p.T("channel"), qf.channel, [][2]string{{"email", p.T("channel_email")}, {"telegram", p.T("channel_telegram")}}),
		sel("officer", p.T("officer"), qf.officer, officers),
	}
	// The state and deadline filters offer what the view holds.
	if states := qf.view.states; len(states) > 1 {
		var opts [][2]string
		for _, st := range states {
			opts = append(opts, [2]string{string(st), p.T("state_" + string(st))})
		}
		out = append(out, sel("state", p.T("state"), qf.state, opts))
	}
	if qf.view.name == "" {
		out = append(out, sel("due", p.T("deadline"), qf.due, [][2]string{{"overdue", p.T("overdue")}, {"soon", p.T("due_soon")}, {"urgent", p.T("urgent")}}))
	}
	return out
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
