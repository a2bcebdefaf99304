package web

import (
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/textsafe"
	"sportel/store"
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
	// Total is how many tickets the list holds, First and Last which of
	// them this page shows (1-based; 0 when none), Prev and Next the
	// links to its neighbours ("" at either end).
	Total, First, Last int
	Prev, Next         string
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
	return queueURL(sharedFilters(view, qf))
}

// sharedFilters are qf's filters every view shares, in view.
func sharedFilters(view string, qf queueFilter) url.Values {
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
	return v
}

// queueURL is the queue with query v.
func queueURL(v url.Values) string {
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// queuePageSize is how many tickets a queue page lists: enough to work
// through, few enough that years of closed tickets do not come at once.
const queuePageSize = 100

// A page of the queue is named by a ticket's place in its list (the
// ticket's received time and ID: the list's order), not by its number: the
// next page starts after the last ticket shown, the previous one ends
// before the first, so tickets filed or closed meanwhile never show a
// ticket twice or skip one, as counting from the list's start would.
const (
	afterParam  = "after"
	beforeParam = "before"
)

// keyParam writes a ticket's place for a link: its received time in Unix
// nanoseconds and its ID.
func keyParam(k store.TicketKey) string {
	return strconv.FormatInt(k.ReceivedAt.UnixNano(), 10) + "." + strconv.FormatInt(k.ID, 10)
}

// parseKey reads keyParam's text; anything else is no place (nil).
func parseKey(s string) *store.TicketKey {
	at, id, ok := strings.Cut(s, ".")
	if !ok {
		return nil
	}
	ns, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n < 0 {
		return nil
	}
	return &store.TicketKey{ReceivedAt: time.Unix(0, ns).UTC(), ID: n}
}

// pageLink is the address of the page of the list qf shows that starts
// after (param afterParam) or ends before (beforeParam) the place key:
// its view and all its filters, a view's own too.
func pageLink(qf queueFilter, param string, key store.TicketKey) string {
	v := sharedFilters(qf.view.name, qf)
	if qf.state != "" {
		v.Set("state", qf.state)
	}
	if qf.due != "" {
		v.Set("due", qf.due)
	}
	v.Set(param, keyParam(key))
	return queueURL(v)
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
	// after and before are the place the page starts after or ends
	// before (nil both: the list's first page).
	after, before *store.TicketKey
}

func readQueueFilter(v url.Values) queueFilter {
	return queueFilter{q: strings.TrimSpace(v.Get("q")), category: v.Get("category"), language: v.Get("language"),
		channel: v.Get("channel"), officer: v.Get("officer"), state: v.Get("state"), due: v.Get("due"), mine: v.Get("mine") == "1",
		since: v.Get("since"), until: v.Get("until"), view: viewNamed(v.Get("view")),
		after: parseKey(v.Get(afterParam)), before: parseKey(v.Get(beforeParam))}
}

// pageAt is the page qf names.
func pageAt(qf queueFilter) store.PageAt {
	switch {
	case qf.after != nil:
		return store.PageAt{Key: qf.after, Size: queuePageSize}
	case qf.before != nil:
		return store.PageAt{Key: qf.before, Back: true, Size: queuePageSize}
	}
	return store.PageAt{Size: queuePageSize}
}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess *session) {
	p := s.newPage(r, sess, translate(s.language(r, sess), "queue"))
	qf := readQueueFilter(r.URL.Query())
	view := qf.view
	now := s.cfg.Now()
	// Every filter is the store's, so that a page of the list is read
	// and counted there, not cut from every ticket ever filed.
	f := inquiry.TicketFilter{States: view.states, Text: qf.q, Language: inquiry.Language(qf.language),
		Category: inquiry.Category(qf.category), Channel: inquiry.Channel(qf.channel), OfficerID: qf.officer,
		NewestFirst: view.newestFirst}
	if len(view.states) > 1 && slices.Contains(view.states, inquiry.State(qf.state)) {
		f.States = []inquiry.State{inquiry.State(qf.state)}
	} else {
		qf.state = ""
	}
	if qf.mine {
		f.OfficerID = sess.OfficerID
	}
	d := queueData{Q: qf.q, Mine: qf.mine, View: view.name, Heading: p.T(view.title), Clear: queueLink(view.name, queueFilter{})}
	// Received between two days (both included) in the division's time zone;
	// a date that does not parse does not filter.
	loc := s.settings().Location
	if day, err := time.ParseInLocation(time.DateOnly, qf.since, loc); err == nil {
		f.ReceivedFrom, d.Since = day, qf.since
	}
	if day, err := time.ParseInLocation(time.DateOnly, qf.until, loc); err == nil {
		f.ReceivedBefore, d.Until = day.AddDate(0, 0, 1), qf.until
	}
	// The deadline filter, on the open tickets only: elsewhere deadlines
	// no longer run.
	switch {
	case view.name != "":
		qf.due = ""
	case qf.due == "overdue":
		f.DueBefore = now
	case qf.due == "soon":
		// Due within 48 hours, the 48th included, as the badge says.
		f.DueFrom, f.DueBefore = now, now.Add(48*time.Hour+time.Nanosecond)
	case qf.due == "urgent":
		f.Urgent = true
	default:
		qf.due = ""
	}
	if number, ok := searchedNumber(qf.q); ok && qf.after == nil && qf.before == nil {
		// A ticket's number searched for is that ticket, in whichever list:
		// the search index holds what was written, where a ticket's own
		// number seldom is. One that names no ticket is searched as text,
		// for the tickets that mention it.
		t, found, err := s.store.TicketByNumber(r.Context(), number)
		if err != nil {
			s.internal(w, r, sess, "read ticket", err)
			return
		}
		if found {
			http.Redirect(w, r, "/t/"+t.Number, http.StatusSeeOther)
			return
		}
	}
	at := pageAt(qf)
	pg, err := s.store.ListTicketPage(r.Context(), f, at)
	if err != nil {
		s.internal(w, r, sess, "list tickets", err)
		return
	}
	// A place past the list's end (every ticket after it left the list,
	// or a typed address) shows the last page; a page before a place that
	// is short for want of tickets ahead of it, the first, full.
	var again *store.PageAt
	switch {
	case at.Key != nil && !at.Back && len(pg.Tickets) == 0 && pg.Total > 0:
		again = &store.PageAt{Back: true, Size: queuePageSize}
	case at.Back && pg.Ahead == 0 && len(pg.Tickets) < queuePageSize && pg.Total > len(pg.Tickets):
		again = &store.PageAt{Size: queuePageSize}
	}
	if again != nil {
		if pg, err = s.store.ListTicketPage(r.Context(), f, *again); err != nil {
			s.internal(w, r, sess, "list tickets", err)
			return
		}
	}
	tickets := pg.Tickets
	d.Total = pg.Total
	if len(tickets) > 0 {
		d.First, d.Last = pg.Ahead+1, pg.Ahead+len(tickets)
		if pg.Ahead > 0 {
			d.Prev = pageLink(qf, beforeParam, store.KeyOf(tickets[0]))
		}
		if d.Last < pg.Total {
			d.Next = pageLink(qf, afterParam, store.KeyOf(tickets[len(tickets)-1]))
		}
	}
	d.Order = p.T("oldest_first")
	if view.newestFirst {
		d.Order = p.T("newest_first")
	}
	for _, v := range queueViews() {
		d.Views = append(d.Views, viewLink{Label: p.T(v.tab), Href: queueLink(v.name, qf), Current: v.name == view.name})
	}
	for _, t := range tickets {
		state := p.T("state_" + string(t.State))
		if t.Outcome != "" {
			state += " (" + p.T("outcome_"+string(t.Outcome)) + ")"
		}
		d.Rows = append(d.Rows, queueRow{
			Number: t.Number, Received: t.ReceivedAt.In(loc).Format("02.01.2006 15:04"),
			Category: desk.CategoryName(t.Category, p.Lang), Language: string(t.Language),
			Channel: p.T("channel_" + string(t.Channel)), Officer: s.officerName(t.OfficerID),
			State: state, Subject: oneLine(t.Subject, 90), Badge: deadlineBadge(p, t, now),
		})
	}
	d.Filters = s.queueFilters(p, qf)
	p.D = d
	s.render(w, http.StatusOK, "queue", p)
}

// typedNumber is a ticket number as an officer types or pastes it: in any
// case, the sequence perhaps without its leading zeros, perhaps in a
// subject's brackets.
var typedNumber = regexp.MustCompile(`^\[?([A-Za-z]{2,10})-[0-9]{4}-[0-9]{1,9}\]?$`)

// searchedNumber is the ticket number q is, written as tickets are
// numbered (upper case, six digits at least), if q is one.
func searchedNumber(q string) (string, bool) {
	m := typedNumber.FindStringSubmatch(q)
	if m == nil {
		return "", false
	}
	n := inquiry.FindNumber(m[1], q)
	return strings.ToUpper(n), n != ""
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
	for _, o := range s.settings().Officers {
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
