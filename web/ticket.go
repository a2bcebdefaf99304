package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/textsafe"
	"sportel/store"
)

type entryView struct {
	ID          int64
	Kind        string
	Label       string
	Author      string
	At          string
	Subject     string
	Text        string
	Attachments []attachmentView
	Raw         bool
	// Collapsed: machine mail and Sportel's own sends start folded.
	Collapsed bool
	at        time.Time
}

type attachmentView struct {
	Index int
	Name  string
	Type  string
	Size  int64
	// Stored: the bytes can be downloaded (from the raw mail or the entry).
	Stored bool
	// NotSent: an officer's picture not sent on with their answer, and
	// why (the i18n key's suffix: signature, quoted).
	NotSent string
}

type ticketData struct {
	T          inquiry.Ticket
	Received   string
	Due        string
	Badge      badge
	Category   string
	State      string
	Officer    string
	Channel    string
	Sender     string
	Subject    string
	Entries    []entryView
	Officers   []option
	Categories []option
	Outcomes   []option
	Grounds    []option
	AnswerText string
	// Once is the answer form's once-only key: the same form sent twice (a
	// double click, a resubmit after a network error) answers once.
	// NoteOnce is the note form's, CloseOnce the closing form's.
	Once, NoteOnce, CloseOnce string
	// Seen is the newest entry on the page: an answer or a closing sent
	// from it is held back if the citizen wrote or a colleague answered after it (from a
	// page of older entries, after that page).
	Seen int64
	// Older is the link to the page of the record before this one, ""
	// when the page starts with the ticket's first entry; Newest the link
	// to the record's newest page, "" when this is it.
	Older, Newest string
	// Earlier is what the officer had written when they chose a standard
	// text: kept beside the new start, never thrown away.
	Earlier  string
	NoteText string
	// What the officer typed in a form that was refused, shown again
	// (the closing's outcome and ground are chosen in Outcomes and Grounds).
	ExtendDays, ExtendReason, Holder, CloseNote string
	InAnswer                                    bool
	// Outcome and Ground are a closed ticket's, in the page's language.
	Outcome, Ground string
	// Standard are the standard texts the answer may start from.
	Standard []option
	Open     bool
	Closed   bool
	// SetAside is bulk mail or spam: kept, not worked, until an officer
	// takes it into the work.
	SetAside bool
	Document bool
	Mine     bool
	// Back is the list the ticket is in: closed, bulk and spam ones are
	// not in the open queue.
	Back string
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request, sess *session) {
	if n := r.PathValue("number"); numberShape.MatchString(n) && n != strings.ToUpper(n) {
		// A number typed or pasted in lower case (tickets.prefix is kept
		// in upper case): the page, at its one address.
		u := *r.URL
		u.Path = "/t/" + strings.ToUpper(n)
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
		return
	}
	p := s.newPage(r, sess, "")
	if c, err := s.readCookie(r, doneCookie); err == nil {
		// Set by the redirect after an action on this ticket, not by the
		// address, so nobody can send a link that claims something was done.
		switch c.Value {
		case r.PathValue("number"):
			p.Flash = p.T("done")
		case r.PathValue("number") + heldSuffix:
			p.Flash = p.T("done_held")
		}
		if p.Flash != "" {
			http.SetCookie(w, s.cookie(doneCookie, "", -1))
		}
	}
	s.showTicket(w, r, sess, p, http.StatusOK, answerForm{std: r.URL.Query().Get("std")})
}

// answerForm is what the answer form holds when the page is shown again:
// an answer that could not be sent, or a standard text chosen over what
// was written.
type answerForm struct {
	text    string // the answer's text; "" starts from the standard text std
	std     string // the standard text chosen ("" : the answer's start)
	earlier string // text written before std was chosen
	// typed holds the other forms' fields as posted, when one was
	// refused: nothing the officer typed is lost.
	typed map[string]string
}

// showTicket renders a ticket's page.
func (s *Server) showTicket(w http.ResponseWriter, r *http.Request, sess *session, p page, status int, form answerForm) {
	number, valid := ticketNumber(r)
	if !valid {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	t, ok, err := s.store.TicketByNumber(r.Context(), number)
	if err != nil {
		s.internal(w, r, sess, "read ticket", err)
		return
	}
	if !ok {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	// A page of the record, never the whole: a flooded chat or a long
	// thread of big mails would be read whole at each view. A link names
	// the page by the entry it ends before; anything else is the newest.
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	before = max(before, 0)
	// One entry more than the page: the one before it, whose time divides
	// the sends shown between this page and the one before.
	entries, _, err := s.store.RecordPage(r.Context(), t.ID, before, recordPageSize+1)
	if err != nil {
		s.internal(w, r, sess, "read ticket record", err)
		return
	}
	jobs, err := s.store.TicketJobs(r.Context(), t.ID)
	if err != nil {
		s.internal(w, r, sess, "read ticket sends", err)
		return
	}
	var from *store.RecordEntry
	if len(entries) > recordPageSize {
		from, entries = &entries[0], entries[1:]
	}
	jobs = sendsOfPage(jobs, from, entries, before > 0)
	p.Title = t.Number
	d := ticketData{
		T: t, Received: s.when(t.ReceivedAt), Badge: deadlineBadge(p, t, s.cfg.Now()),
		Category: desk.CategoryName(t.Category, p.Lang), State: p.T("state_" + string(t.State)),
		Officer: s.officerName(t.OfficerID), Channel: p.T("channel_" + string(t.Channel)),
		Sender: textsafe.Line(t.Sender.String()), Subject: textsafe.Line(t.Subject),
		Open: t.State.Open(), Closed: t.State == inquiry.Closed, SetAside: t.State == inquiry.BulkMail || t.State == inquiry.SpamMail, Document: t.Category == inquiry.DocumentRequest,
		Mine: t.OfficerID == sess.OfficerID, AnswerText: form.text, Earlier: form.earlier, Once: newToken(), NoteOnce: newToken(), CloseOnce: newToken(),
		NoteText: form.typed["note"], ExtendDays: form.typed["days"], ExtendReason: form.typed["reason"],
		Holder: form.typed["holder"], CloseNote: form.typed["close_note"], InAnswer: form.typed["in_answer"] == "1", Back: queueLink(viewOf(t.State).name, queueFilter{}),
	}
	if t.Outcome != "" {
		d.Outcome = p.T("outcome_" + string(t.Outcome))
	}
	if t.Ground != "" {
		d.Ground = t.Ground
		for _, g := range s.settings().RefusalGrounds {
			if g.ID == t.Ground {
				if label := g.Label[p.Lang]; label != "" {
					d.Ground = label
				} else if label := g.Label[inquiry.Albanian]; label != "" {
					d.Ground = label
				}
			}
		}
	}
	for _, e := range entries {
		d.Seen = max(d.Seen, e.ID)
	}
	if from != nil {
		d.Older = fmt.Sprintf("/t/%s?before=%d", t.Number, entries[0].ID)
	}
	if before > 0 {
		d.Newest = "/t/" + t.Number
	}
	if !t.DueAt.IsZero() {
		d.Due = s.when(t.DueAt)
	}
	kind := form.std
	if kind == "" {
		kind = desk.StandardAnswer
	}
	for _, k := range desk.StandardTextKindsFor(t) {
		d.Standard = append(d.Standard, option{Value: k, Label: p.T("std_" + k), Selected: k == kind})
	}
	if d.AnswerText == "" {
		text, err := s.desk.StandardText(kind, t, sess.OfficerID)
		if err != nil {
			// An unknown or unfitting kind: the plain start.
			s.log.Info("web: standard text refused", "kind", kind, "ticket", t.Number, "err", err)
			text = s.answerStart(t, sess.officer)
		}
		d.AnswerText = text
	}
	d.Entries = s.entryViews(p, entries, jobs)
	current := false
	for _, o := range s.settings().Officers {
		d.Officers = append(d.Officers, option{Value: o.ID, Label: o.Name, Selected: o.ID == t.OfficerID})
		current = current || o.ID == t.OfficerID
	}
	if !current {
		// An officer gone from the configuration: the list shows no one
		// chosen, or the form sent unchanged would hand the ticket to the
		// first officer listed. Sent so, it is refused.
		d.Officers = append([]option{{Value: "", Label: p.Tf("officer_gone", t.OfficerID), Selected: true}}, d.Officers...)
	}
	for _, c := range inquiry.Categories {
		d.Categories = append(d.Categories, option{Value: string(c), Label: desk.CategoryName(c, p.Lang), Selected: c == t.Category})
	}
	outcomes := []inquiry.Outcome{inquiry.Resolved, inquiry.NoAnswerNeeded}
	if d.Document {
		outcomes = []inquiry.Outcome{inquiry.Granted, inquiry.PartlyGranted, inquiry.Refused, inquiry.NotHeld, inquiry.Withdrawn}
	}
	for _, o := range outcomes {
		d.Outcomes = append(d.Outcomes, option{Value: string(o), Label: p.T("outcome_" + string(o)), Selected: string(o) == form.typed["outcome"]})
	}
	d.Grounds = []option{{Value: "", Label: p.T("no_ground")}}
	for _, g := range s.settings().RefusalGrounds {
		label := g.Label[p.Lang]
		if label == "" {
			label = g.Label[inquiry.Albanian]
		}
		d.Grounds = append(d.Grounds, option{Value: g.ID, Label: label, Selected: g.ID == form.typed["ground"]})
	}
	p.D = d
	s.render(w, status, "ticket", p)
}

func (s *Server) when(t time.Time) string {
	return t.In(s.settings().Location).Format("02.01.2006 15:04")
}

// answerStart is the answer form's starting text, in the citizen's
// language: a greeting, room for the answer, and the officer's signature.
func (s *Server) answerStart(t inquiry.Ticket, o inquiry.Officer) string {
	lang := t.Language
	if !validLanguage(string(lang)) {
		lang = inquiry.Albanian
	}
	sig := o.Name
	if o.Title != "" {
		sig += "\n" + o.Title
	}
	if n := s.settings().DivisionName[lang]; n != "" {
		sig += "\n" + n
	}
	return translate(lang, "greeting") + "\n\n\n\n" + translate(lang, "regards") + "\n" + sig + "\n"
}

// recordPageSize is how many entries of a ticket's record a page shows:
// the newest, with a link to the ones before.
const recordPageSize = 200

// sendsOfPage is the sends (jobs) a page of the record shows among its
// entries: those after the entry before the page (from; nil: the page
// starts the record) and, on a page before the newest (ended), up to its
// last entry, so each send is on one page: one between two pages is on
// the later.
func sendsOfPage(jobs []inquiry.Job, from *store.RecordEntry, entries []store.RecordEntry, ended bool) []inquiry.Job {
	if ended && len(entries) == 0 {
		return nil
	}
	var out []inquiry.Job
	for _, j := range jobs {
		if from != nil && !j.CreatedAt.After(from.CreatedAt) {
			continue
		}
		if ended && j.CreatedAt.After(entries[len(entries)-1].CreatedAt) {
			continue
		}
		out = append(out, j)
	}
	return out
}

// entryViews is a page of the ticket's record with the mail Sportel sent
// the citizen (acknowledgements, notices) in time order.
func (s *Server) entryViews(p page, entries []store.RecordEntry, jobs []inquiry.Job) []entryView {
	var out []entryView
	for _, e := range entries {
		v := entryView{ID: e.ID, Kind: string(e.Kind), Label: p.T("kind_" + string(e.Kind)), Author: textsafe.Line(e.Author),
			At: s.when(e.CreatedAt), Subject: textsafe.Line(e.Subject), Text: textsafe.Text(e.Text), Raw: e.RawSize > 0,
			Collapsed: e.Kind == inquiry.EntryAutomated, at: e.CreatedAt}
		for i, a := range e.Files {
			// The type is the sender's word too (a Telegram document's is
			// what their app said): shown as safely as the name.
			v.Attachments = append(v.Attachments, attachmentView{Index: i, Name: textsafe.FileName(a.Name), Type: oneLine(a.ContentType, 100),
				Size: a.Size, Stored: e.Stored(i), NotSent: a.NotSent})
		}
		out = append(out, v)
	}
	for _, j := range jobs {
		if j.Kind != inquiry.JobAck && j.Kind != inquiry.JobNotice {
			continue
		}
		v := entryView{Kind: "sent", Label: p.T("sent_mail") + " (" + string(j.Kind) + ")", Author: "sportel",
			At: s.when(j.CreatedAt), Collapsed: true, at: j.CreatedAt}
		switch {
		case j.Mail != nil:
			v.Subject, v.Text = textsafe.Line(j.Mail.Subject), j.Mail.Text
		case j.Chat != nil:
			v.Text = j.Chat.Text
		}
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(a, b entryView) int { return a.at.Compare(b.at) })
	return out
}

// numberShape is a ticket number as inquiry.FormatNumber writes it, with
// tickets.prefix's 2–10 letters.
var numberShape = regexp.MustCompile(`^[A-Za-z]{2,10}-[0-9]{4}-[0-9]{6,9}$`)

// ticketNumber is the ticket number in the request's path, when it has a
// ticket number's shape: anything else never reaches the store or the
// desk, nor comes back in a page, a log line or a redirect.
func ticketNumber(r *http.Request) (string, bool) {
	n := r.PathValue("number")
	return n, numberShape.MatchString(n)
}

// ticketAction runs one officer action through the desk and writes it to
// the audit log.
func (s *Server) ticketAction(w http.ResponseWriter, r *http.Request, sess *session) {
	number, valid := ticketNumber(r)
	if !valid {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	action := r.PathValue("action")
	if action == "compose" {
		s.compose(w, r, sess, number)
		return
	}
	ctx, me := r.Context(), sess.OfficerID
	form := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	var detail string
	var err error
	var news []inquiry.Entry // what is new since the page the answer was written on
	var answered inquiry.Ticket
	switch action {
	case "take":
		_, err = s.desk.Take(ctx, number, me)
	case "assign":
		detail = form("officer")
		_, err = s.desk.Assign(ctx, number, detail, me)
	case "category":
		detail = form("category")
		_, err = s.desk.Recategorize(ctx, number, inquiry.Category(detail), me)
	case "urgent":
		on := form("on") == "1"
		detail = strconv.FormatBool(on)
		_, err = s.desk.Urgent(ctx, number, on, me)
	case "extend":
		days, convErr := strconv.Atoi(form("days"))
		if convErr != nil {
			err = errDaysNotANumber
			break
		}
		detail = fmt.Sprintf("%d days: %s", days, form("reason"))
		_, err = s.desk.Extend(ctx, number, days, form("reason"), me)
	case "notheld":
		detail = form("holder")
		_, err = s.desk.NotHeld(ctx, number, form("holder"), me)
	case "answer":
		if news, err = s.overtaken(r, number, form("seen"), me); err != nil {
			break
		}
		// After the news: what came since may change the answer anyway.
		if mark, ok := desk.Unfilled(r.PostFormValue("text")); ok {
			err = unfilledError{mark}
			break
		}
		if once := form("once"); once != "" {
			answered, _, err = s.desk.AnswerOnce(ctx, "web:"+once, number, me, r.PostFormValue("text"))
		} else {
			// A page drawn before forms carried a key.
			answered, err = s.desk.Answer(ctx, number, me, r.PostFormValue("text"))
		}
	case "note":
		if once := form("once"); once != "" {
			_, _, err = s.desk.NoteOnce(ctx, "webnote:"+once, number, me, r.PostFormValue("text"))
		} else {
			_, err = s.desk.Note(ctx, number, me, r.PostFormValue("text"))
		}
	case "close":
		oc, parseErr := inquiry.ParseOutcome(form("outcome"))
		if parseErr != nil {
			err = fmt.Errorf("%w: %w", errUnknownOutcome, parseErr)
			break
		}
		// A decision goes to the citizen, and one "in the answer" is dated
		// by the last answer: neither is made on a page the citizen's
		// newer words or a colleague's answer never reached.
		if news, err = s.overtaken(r, number, form("seen"), me); err != nil {
			break
		}
		c := desk.Closing{Outcome: oc, Ground: form("ground"), Note: form("note"), InAnswer: form("in_answer") == "1"}
		detail = strings.TrimSpace(string(oc) + " " + c.Ground)
		if once := form("once"); once != "" {
			_, _, err = s.desk.CloseWithOnce(ctx, "webclose:"+once, number, c, me)
		} else {
			_, err = s.desk.CloseWith(ctx, number, c, me)
		}
	case "reopen":
		_, err = s.desk.Reopen(ctx, number, me)
	default:
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	if err != nil {
		switch {
		case officersToMend(err):
			s.log.Info("web: action refused", "officer", me, "ticket", number, "action", action, "err", err)
		case errors.Is(err, store.ErrBusy):
			// Nothing failed for good: the officer is asked to try again
			// in a moment (failureStatus's Retry-After).
			s.log.Warn("web: officer action met a busy store", "officer", me, "ticket", number, "action", action, "err", err)
		default:
			// The system failed (the store did not answer): the officer is
			// told so, and whoever runs Sportel must see it.
			s.log.Error("web: officer action failed", "officer", me, "ticket", number, "action", action, "err", err)
		}
		p := s.newPage(r, sess, number)
		p.Error = refusalText(p, err)
		// The language switch comes back to the ticket, not to this POST.
		p.Path = "/t/" + number
		answer := answerForm{typed: map[string]string{}}
		switch action {
		case "answer":
			answer.text, answer.earlier = r.PostFormValue("text"), r.PostFormValue("earlier")
		case "note":
			answer.typed["note"] = r.PostFormValue("text")
		case "extend":
			answer.typed["days"], answer.typed["reason"] = r.PostFormValue("days"), r.PostFormValue("reason")
		case "notheld":
			answer.typed["holder"] = r.PostFormValue("holder")
		case "close":
			// The decision chosen too: were it back at the list's first, a
			// refused closing sent again would go out as granted.
			answer.typed["close_note"], answer.typed["in_answer"] = r.PostFormValue("note"), r.PostFormValue("in_answer")
			answer.typed["outcome"], answer.typed["ground"] = r.PostFormValue("outcome"), r.PostFormValue("ground")
		}
		status := http.StatusUnprocessableEntity
		switch {
		case errors.Is(err, store.ErrBusy):
			p.Error = p.T("busy_action")
			status = s.failureStatus(w, err)
		case errors.Is(err, errChangedSince):
			held := "changed_since"
			if action == "close" {
				held = "changed_since_close"
			}
			p.Error = p.T(held) + " (" + s.newsText(news, func(k inquiry.EntryKind) string { return p.T("kind_" + string(k)) }) + ")"
			status = http.StatusConflict
		case errors.Is(err, desk.ErrNoTicket):
			status = http.StatusNotFound
		case !officersToMend(err):
			// Not a refusal: the page says the system failed, to try
			// again (refusalText), and keeps what was typed.
			status = s.failureStatus(w, err)
		}
		s.showTicket(w, r, sess, p, status, answer)
		return
	}
	s.audit(ctx, me, action, number, detail)
	done := number
	if answered.Channel == inquiry.ChannelTelegram && answered.ChatID == 0 {
		// From the public group: the answer waits for the citizen's private
		// chat with the bot, as Telegram and mail tell an officer who
		// answers there.
		done += heldSuffix
	}
	http.SetCookie(w, s.cookie(doneCookie, done, 60))
	http.Redirect(w, r, "/t/"+number, http.StatusSeeOther)
}

// heldSuffix ends the done cookie's ticket number when the answer just
// given waits for the citizen's private chat (relayAnswer holds it).
const heldSuffix = "/held"

// errChangedSince holds back an answer or a closing sent from a page the
// ticket has moved on from.
var errChangedSince = errors.New("the ticket changed since the page was shown")

// officersToMend reports whether err, which an officer's action met, is the
// officer's to mend (a refusal, a ticket number that names no ticket, an
// answer held back as the ticket moved on) rather than a failure of the
// system.
func officersToMend(err error) bool {
	return errors.Is(err, desk.ErrLifecycle) || errors.Is(err, desk.ErrNoTicket) || errors.Is(err, errChangedSince)
}

// newsText names the entries newSince found, each as its kind (named by
// kind: English for the log, the page's language for the officer), the time
// and the author.
func (s *Server) newsText(news []inquiry.Entry, kind func(inquiry.EntryKind) string) string {
	names := make([]string, 0, len(news))
	for _, e := range news {
		names = append(names, kind(e.Kind)+" "+e.CreatedAt.In(s.settings().Location).Format("15:04")+" "+textsafe.Line(e.Author))
	}
	return strings.Join(names, ", ")
}

// overtaken is newSince's news, with errChangedSince naming them when there
// are any: the form was sent from a page the ticket has moved on from.
func (s *Server) overtaken(r *http.Request, number, seen, me string) ([]inquiry.Entry, error) {
	news, err := s.newSince(r, number, seen, me)
	if err == nil && len(news) > 0 {
		err = fmt.Errorf("%w: %s", errChangedSince, s.newsText(news, func(k inquiry.EntryKind) string { return string(k) }))
	}
	return news, err
}

// newSince is the entries that make an answer or a closing sent from a
// page showing entries up to seen stale: the citizen wrote again, or a
// colleague (not me) answered. A form without seen (a page drawn before
// forms carried it) checks nothing.
func (s *Server) newSince(r *http.Request, number, seen, me string) ([]inquiry.Entry, error) {
	last, err := strconv.ParseInt(seen, 10, 64)
	if seen == "" || err != nil {
		return nil, nil
	}
	t, ok, err := s.store.TicketByNumber(r.Context(), number)
	if err != nil || !ok {
		return nil, err // a missing ticket is the desk's to report
	}
	// The record from its newest entry back to seen, a page at a time
	// and without raw mail or files: only what came since matters, and
	// the names of at most a page of news.
	var news []inquiry.Entry
	for before := int64(0); len(news) < recordPageSize; {
		page, older, err := s.store.RecordPage(r.Context(), t.ID, before, recordPageSize)
		if err != nil {
			return nil, fmt.Errorf("read ticket record: %w", err)
		}
		for i := len(page) - 1; i >= 0 && page[i].ID > last && len(news) < recordPageSize; i-- {
			// The officer's own answer is no news to them: it is this very
			// form sent twice (a double click), which AnswerOnce answers once.
			// A colleague's answer held for the citizen's private chat is
			// one they will get all the same.
			if e := page[i].Entry; e.Kind == inquiry.EntryInbound || (answerKind(e.Kind) && e.Author != me) {
				news = append(news, e)
			}
		}
		if !older || len(page) == 0 || page[0].ID <= last {
			break
		}
		before = page[0].ID
	}
	slices.Reverse(news) // in the record's order
	return news, nil
}

// answerKind reports whether an entry of kind is an answer to the citizen,
// sent or held for their private chat.
func answerKind(kind inquiry.EntryKind) bool {
	return kind == inquiry.EntryAnswer || kind == inquiry.EntryHeldAnswer
}

// entry finds the entry named in the path on the ticket named in it.
func (s *Server) entry(w http.ResponseWriter, r *http.Request, sess *session) (inquiry.Ticket, inquiry.Entry, bool) {
	number, valid := ticketNumber(r)
	if !valid {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return inquiry.Ticket{}, inquiry.Entry{}, false
	}
	t, ok, err := s.store.TicketByNumber(r.Context(), number)
	if err != nil {
		s.internal(w, r, sess, "read ticket", err)
		return t, inquiry.Entry{}, false
	}
	id, convErr := strconv.ParseInt(r.PathValue("entry"), 10, 64)
	if ok && convErr == nil {
		// That entry alone: the record's other mails may hold megabytes
		// of files each.
		e, found, err := s.store.Entry(r.Context(), t.ID, id)
		if err != nil {
			s.internal(w, r, sess, "read ticket record", err)
			return t, inquiry.Entry{}, false
		}
		if found {
			return t, e, true
		}
	}
	s.fail(w, r, sess, http.StatusNotFound, "not_found")
	return t, inquiry.Entry{}, false
}

func (s *Server) rawMessage(w http.ResponseWriter, r *http.Request, sess *session) {
	t, e, ok := s.entry(w, r, sess)
	if !ok {
		return
	}
	if len(e.Raw) == 0 {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	s.auditDownload(r, sess, "download_raw", t.Number, strconv.FormatInt(e.ID, 10))
	// Not message/rfc822: some browsers render that type (as MHTML), and a
	// citizen's HTML mail must never run as a page of the workspace.
	download(w, fmt.Sprintf("%s-%d.eml", t.Number, e.ID), "application/octet-stream", e.Raw)
}

func (s *Server) attachment(w http.ResponseWriter, r *http.Request, sess *session) {
	t, e, ok := s.entry(w, r, sess)
	if !ok {
		return
	}
	i, err := strconv.Atoi(r.PathValue("index"))
	if err != nil || i < 0 || i >= len(e.Attachments) {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	// The store keeps each byte once: a mail's files are in its raw mail.
	rec := parse.EntryAttachments(e)[i]
	content := rec.Content
	if content == nil {
		s.fail(w, r, sess, http.StatusNotFound, "not_found")
		return
	}
	s.auditDownload(r, sess, "download_attachment", t.Number, fmt.Sprintf("%d/%d %s", e.ID, i, textsafe.FileName(rec.Name)))
	// Always a download, never rendered here: a citizen's HTML file must
	// not run as the workspace's page.
	download(w, textsafe.FileName(rec.Name), "application/octet-stream", content)
}

// auditDownload records a download in the audit log, unless the request
// was HEAD: a link checker or a browser's look-ahead fetched no file, and
// the log is the record of who read a citizen's documents.
func (s *Server) auditDownload(r *http.Request, sess *session, action, number, detail string) {
	if r.Method == http.MethodHead {
		return
	}
	s.audit(r.Context(), sess.OfficerID, action, number, detail)
}

func download(w http.ResponseWriter, name, contentType string, body []byte) {
	if name == "" {
		name = "attachment"
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disp == "" {
		// A name the header cannot carry: still a download, never inline.
		disp = "attachment"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", disp)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// compose shows the ticket again with the standard text chosen in the
// answer form as the answer's start. Nothing is written. What the officer
// had typed, when it is more than a standard text, is kept on the page
// beside it, so choosing a text never loses work.
func (s *Server) compose(w http.ResponseWriter, r *http.Request, sess *session, number string) {
	kind := strings.TrimSpace(r.PostFormValue("std"))
	typed := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))
	form := answerForm{std: kind}
	if typed != "" {
		form.earlier = typed
		if t, ok, err := s.store.TicketByNumber(r.Context(), number); err == nil && ok {
			for _, k := range desk.StandardTextKindsFor(t) {
				if text, err := s.desk.StandardText(k, t, sess.OfficerID); err == nil && strings.TrimSpace(text) == typed {
					form.earlier = "" // an untouched standard text: nothing to keep
					break
				}
			}
			if strings.TrimSpace(s.answerStart(t, sess.officer)) == typed {
				form.earlier = ""
			}
		}
	}
	if form.earlier == "" {
		// Kept from an earlier choice of a standard text.
		form.earlier = strings.TrimSpace(r.PostFormValue("earlier"))
	}
	p := s.newPage(r, sess, number)
	p.Path = "/t/" + number // the language switch comes back to the ticket
	s.showTicket(w, r, sess, p, http.StatusOK, form)
}
