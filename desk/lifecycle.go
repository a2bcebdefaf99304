package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/store"
)

// The lifecycle of a document request under the Law on Access to Public
// Documents: urgency (48 hours), one extension of up to 15 days, a
// document not held, the decision with its ground, reopening, and
// complaints to the Information and Privacy Agency. Every change is a note
// in the ticket's record, and every notice the law requires goes to the
// requester through the outbox, in their language.

// Ground is a legal ground on which a request may be refused in whole or in
// part, with its label in each language.
type Ground struct {
	ID    string
	Label map[inquiry.Language]string
}

// ErrLifecycle marks an officer action the ticket's state or category does
// not allow. The desk makes each as a *Refusal, whose kind a front end
// says in the officer's language (Refusal.Say).
var ErrLifecycle = errors.New("not allowed")

func (d *Desk) ground(id string) (Ground, bool) {
	for _, g := range d.cfg.RefusalGrounds {
		if g.ID == id {
			return g, true
		}
	}
	return Ground{}, false
}

func (d *Desk) groundIDs() string {
	if len(d.cfg.RefusalGrounds) == 0 {
		return "none is configured in tickets.refusal_grounds"
	}
	return strings.Join(d.groundChoices(), ", ")
}

// groundChoices are the configured grounds' ids, for a refusal to offer.
func (d *Desk) groundChoices() []string {
	ids := make([]string, len(d.cfg.RefusalGrounds))
	for i, g := range d.cfg.RefusalGrounds {
		ids[i] = g.ID
	}
	return ids
}

// dueFor is t's legal deadline: 48 hours when urgent, else the extended
// deadline, else the ordinary one; none for tickets that are not document
// requests.
func (d *Desk) dueFor(t *inquiry.Ticket) time.Time {
	switch {
	case t.Category != inquiry.DocumentRequest:
		return time.Time{}
	case t.Urgent && d.cfg.Clock != nil:
		return d.cfg.Clock.Urgent(t.ReceivedAt).At
	case t.Extension != nil:
		return t.Extension.DueAt
	case d.cfg.DocumentDeadline != nil:
		return d.cfg.DocumentDeadline(t.ReceivedAt)
	}
	return time.Time{}
}

func (d *Desk) formatDue(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.In(d.cfg.Location).Format("2006-01-02 15:04")
}

// Urgent sets (on) or clears an officer's urgent flag. An urgent document
// request is due 48 hours after registration; the assigned officer gets a
// notification marked URGENT and the heads of the division are told. The
// flag never changes who is assigned.
func (d *Desk) Urgent(ctx context.Context, number string, on bool, by string) (inquiry.Ticket, error) {
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.urgent(tx, t, on, by)
	})
}

// urgent is Urgent within tx; the caller saves t.
func (d *Desk) urgent(tx store.Tx, t *inquiry.Ticket, on bool, by string) error {
	t.Acted = true
	if t.Urgent == on {
		return nil
	}
	if !t.State.Open() {
		// Either way the deadline would move under a decision already made,
		// and the annual report would count it otherwise.
		return refuseNotOpen(t, "ticket %s is %s: reopen it before changing its urgent flag", t.Number, t.State)
	}
	now := d.now()
	t.Urgent = on
	text := "urgent flag cleared"
	keep := false
	if !on && !t.DueAt.IsZero() && now.After(t.DueAt) {
		byOfficer, err := d.urgentByOfficer(tx, t)
		if err != nil {
			return err
		}
		// The 48 hours passed with no decision. When an officer judged the
		// request urgent, it was refused by silence then (the scheduler
		// noted it so), and a later deadline would count a late decision
		// on time: the deadline that passed stays. A flag set only from
		// the text's wording at filing was no one's judgement: clearing it
		// says the request never was urgent, and the ordinary deadline
		// applies (the record keeps both notes).
		if keep = byOfficer; keep {
			text += "; an officer had judged it urgent and the 48 hours had passed, so that deadline stands"
		} else {
			text += "; it was set from the text's wording at filing, so the ordinary deadline applies"
		}
	}
	if !keep {
		t.DueAt = d.dueFor(t)
	}
	if on {
		text = "marked urgent: life or liberty depends on the answer"
	}
	if err := d.note(tx, t.ID, by, fmt.Sprintf("%s (due %s)", text, d.formatDue(t.DueAt)), now); err != nil {
		return err
	}
	if !on {
		return nil
	}
	m, err := d.firstMessage(tx, t)
	if err != nil {
		return err
	}
	if err := d.queueNotifications(tx, t, m, false, now); err != nil {
		return err
	}
	return d.queueHeadNotices(tx, t, m, "marked by "+by, now)
}

// Extend extends a document request's deadline once, by 1 to 15 days with
// a reason, counted from the original deadline; the requester is told the
// new date and the reason in their language.
func (d *Desk) Extend(ctx context.Context, number string, days int, reason, by string) (inquiry.Ticket, error) {
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.extend(tx, t, days, reason, by)
	})
}

// extend is Extend within tx; the caller saves t.
func (d *Desk) extend(tx store.Tx, t *inquiry.Ticket, days int, reason, by string) error {
	reason = strings.TrimSpace(reason)
	if days < 1 || days > calendar.MaxExtensionDays {
		return refuseWith(Refusal{Kind: RefusedExtensionDays, N: days, Max: calendar.MaxExtensionDays}, t,
			"extend %s: an extension is 1 to %d days, not %d", t.Number, calendar.MaxExtensionDays, days)
	}
	if reason == "" {
		return refuseAs(RefusedNoReason, t, "extend %s: give the reason; the requester is told it", t.Number)
	}
	if d.cfg.Clock == nil {
		return refuseAs(RefusedCalendar, t, "extend %s: no legal clock configured", t.Number)
	}
	t.Acted = true
	switch {
	case t.Category != inquiry.DocumentRequest:
		return refuseAs(RefusedExtendCategory, t, "ticket %s is a %s: only document requests have a deadline to extend", t.Number, t.Category)
	case !t.State.Open():
		return refuseNotOpen(t, "ticket %s is %s: reopen it before extending", t.Number, t.State)
	case t.Extension != nil:
		on := t.Extension.At.In(d.cfg.Location).Format("2006-01-02")
		return refuseWith(Refusal{Kind: RefusedAlreadyExtended, N: t.Extension.Days, Value: on}, t,
			"ticket %s was already extended by %d days on %s: the law allows one extension", t.Number, t.Extension.Days, on)
	case t.Urgent:
		return refuseAs(RefusedUrgentExtension, t, "ticket %s is urgent (48 hours): an urgent request cannot be extended; clear the flag first", t.Number)
	}
	original := t.DueAt
	if original.IsZero() {
		original = d.dueFor(t)
	}
	if now := d.now(); !original.IsZero() && now.After(original) {
		// The law's extension is one the requester is told of within the
		// period; past it, the silence was a refusal (the scheduler has
		// noted it so), and a later deadline would count a late decision
		// on time. The officer decides now instead.
		on := original.In(d.cfg.Location).Format("2006-01-02")
		return refuseWith(Refusal{Kind: RefusedDeadlinePassed, Value: on}, t,
			"extend %s: the deadline %s passed with no decision; an extension is made within the deadline, and one after it cannot undo the refusal by silence", t.Number, d.formatDue(original))
	}
	due, err := d.cfg.Clock.Extend(calendar.Due{At: original, Count: d.cfg.Clock.Count}, days)
	if err != nil {
		// The calendar cannot count that far (no holidays known yet):
		// the officer's to hear, not a fault of the store.
		return refuseAs(RefusedCalendar, t, "extend %s: %v", t.Number, err)
	}
	now := d.now()
	t.Extension = &inquiry.Extension{Days: days, Reason: reason, DueAt: due.At, At: now, By: by}
	t.DueAt = due.At
	if err := d.note(tx, t.ID, by, fmt.Sprintf("extended by %d days (due %s, was %s): %s", days, d.formatDue(due.At), d.formatDue(original), reason), now); err != nil {
		return err
	}
	data := d.noticeData(t)
	data.Days, data.Reason, data.Deadline = days, reason, formatDate(d.lastDay(due.At), replyLanguage(t.Language))
	return d.queueNotice(tx, t, NoticeExtension, data, now)
}

// NotHeld records that the ministry does not hold the document asked for
// and tells the requester, naming the holder when it is known. Closing the
// ticket as not_held afterwards sends no second notice.
func (d *Desk) NotHeld(ctx context.Context, number, holder, by string) (inquiry.Ticket, error) {
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.notHeld(tx, t, holder, by)
	})
}

// notHeld is NotHeld within tx; the caller saves t.
func (d *Desk) notHeld(tx store.Tx, t *inquiry.Ticket, holder, by string) error {
	holder = strings.TrimSpace(holder)
	t.Acted = true
	switch {
	case t.Category != inquiry.DocumentRequest:
		return refuseAs(RefusedNotHeldCategory, t, "ticket %s is a %s: only a document request can be marked not held", t.Number, t.Category)
	case !t.State.Open():
		return refuseNotOpen(t, "ticket %s is %s: reopen it first", t.Number, t.State)
	case t.NotHeldMark != nil:
		on := t.NotHeldMark.At.In(d.cfg.Location).Format("2006-01-02")
		return refuseWith(Refusal{Kind: RefusedAlreadyNotHeld, Value: on}, t, "ticket %s was already marked not held on %s", t.Number, on)
	}
	now := d.now()
	t.NotHeldMark = &inquiry.NotHeldMark{Holder: holder, At: now, By: by}
	text := "document not held by the ministry"
	if holder != "" {
		text += "; held by " + holder
	}
	if err := d.note(tx, t.ID, by, text, now); err != nil {
		return err
	}
	data := d.noticeData(t)
	data.Holder = holder
	return d.queueNotice(tx, t, NoticeNotHeld, data, now)
}

// Closing is how an officer closes a ticket.
type Closing struct {
	Outcome inquiry.Outcome
	// Ground is the refusal ground's id; refused and partly granted
	// document requests need one, other outcomes take none.
	Ground string
	// InAnswer says the decision already went out in the last answer
	// relayed to the requester: no decision notice is sent, and that
	// answer's time is the decision's.
	InAnswer bool
	Note     string
}

// Close closes a ticket with an outcome and no ground (see CloseWith).
func (d *Desk) Close(ctx context.Context, number string, outcome inquiry.Outcome, note, by string) (inquiry.Ticket, error) {
	return d.CloseWith(ctx, number, Closing{Outcome: outcome, Note: note}, by)
}

// CloseWith closes a ticket. A document request is decided: granted,
// partly_granted, refused, not_held or withdrawn, with a ground for a
// (partial) refusal, and the requester gets a decision notice in their
// language unless c.InAnswer. Press inquiries and general questions close
// as resolved (the default) or no_answer_needed.
func (d *Desk) CloseWith(ctx context.Context, number string, c Closing, by string) (inquiry.Ticket, error) {
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.closeWith(tx, t, c, by)
	})
}

// CloseWithOnce is CloseWith for a closing that may be handed over again
// (a form sent twice): key names it, and a key already used closes nothing
// and reports again, where CloseWith would refuse the ticket as closed and
// have the officer reopen it, to close it and send its notice once more.
func (d *Desk) CloseWithOnce(ctx context.Context, key, number string, c Closing, by string) (t inquiry.Ticket, again bool, err error) {
	if key == "" {
		return inquiry.Ticket{}, false, fmt.Errorf("close %s: no key", number)
	}
	return d.updateOnce(ctx, key, number, func(tx store.Tx, t *inquiry.Ticket, _ time.Time) error {
		return d.closeWith(tx, t, c, by)
	})
}

// closeWith is CloseWith within tx; the caller saves t.
func (d *Desk) closeWith(tx store.Tx, t *inquiry.Ticket, c Closing, by string) error {
	c.Ground, c.Note = strings.TrimSpace(c.Ground), strings.TrimSpace(c.Note)
	t.Acted = true
	switch t.State {
	case inquiry.Closed:
		return refuseAs(RefusedClosed, t, "ticket %s is already closed (%s); reopen it to close it again", t.Number, t.Outcome)
	case inquiry.BulkMail, inquiry.SpamMail:
		// Kept, not worked, and outside the reports; closed, a document
		// request among them would count as one decided without a decision.
		return refuseAs(RefusedSetAside, t, "ticket %s is %s mail, kept and not worked: there is nothing to close", t.Number, t.State)
	}
	decision := t.Category == inquiry.DocumentRequest && t.State.Open()
	if err := d.checkClosing(t, &c, decision); err != nil {
		return err
	}
	if decision && c.InAnswer {
		if err := d.checkAnswerSinceReopen(tx, t); err != nil {
			return err
		}
	}
	now := d.now()
	t.State, t.Outcome, t.ClosedAt, t.Ground = inquiry.Closed, c.Outcome, now, c.Ground
	text := "closed: " + string(c.Outcome)
	if c.Ground != "" {
		text += " (ground " + c.Ground + ")"
	}
	if !decision {
		if c.Note != "" {
			text += ": " + c.Note
		}
		return d.note(tx, t.ID, by, text, now)
	}
	send := true
	switch {
	case c.InAnswer:
		t.DecidedAt, t.DecisionInAnswer, send = t.AnsweredAt, true, false
		text += "; the decision went out in the answer of " + d.formatDue(t.AnsweredAt)
	case c.Outcome == inquiry.NotHeld && t.NotHeldMark != nil:
		// The not-held notice already told the requester.
		t.DecidedAt, send = t.NotHeldMark.At, false
		text += "; the requester was told on " + d.formatDue(t.NotHeldMark.At)
	default:
		t.DecidedAt = now
	}
	if !t.DueAt.IsZero() && t.DecidedAt.After(t.DueAt) {
		text += "; late (due " + d.formatDue(t.DueAt) + ")"
	}
	if c.Note != "" {
		text += ": " + c.Note
	}
	if err := d.note(tx, t.ID, by, text, now); err != nil {
		return err
	}
	if !send {
		return nil
	}
	data := d.noticeData(t)
	data.Outcome = string(c.Outcome)
	if g, ok := d.ground(c.Ground); ok {
		data.Ground = g.Label[replyLanguage(t.Language)]
	}
	if t.NotHeldMark != nil {
		data.Holder = t.NotHeldMark.Holder
	}
	return d.queueNotice(tx, t, NoticeDecision, data, now)
}

// checkClosing refuses an outcome or ground that does not fit the ticket,
// and fills the default outcome of a ticket that is not a decision.
func (d *Desk) checkClosing(t *inquiry.Ticket, c *Closing, decision bool) error {
	if !decision {
		switch c.Outcome {
		case inquiry.NoOutcome:
			c.Outcome = inquiry.Resolved
		case inquiry.Resolved, inquiry.NoAnswerNeeded:
		default:
			return refuseWith(Refusal{Kind: RefusedCloseOutcome, Value: string(c.Outcome)}, t,
				"ticket %s is a %s: close it as resolved or no_answer_needed, not %s (those outcomes are for document requests)", t.Number, t.Category, c.Outcome)
		}
		if c.Ground != "" || c.InAnswer {
			return refuseAs(RefusedGroundCategory, t, "ticket %s is a %s: a ground or a decision in an answer is only for document requests", t.Number, t.Category)
		}
		return nil
	}
	if !c.Outcome.IsDecision() {
		return refuseWith(Refusal{Kind: RefusedNoDecision, Value: string(c.Outcome)}, t,
			"ticket %s is a document request: give an outcome (granted, partly_granted, refused, not_held, withdrawn), not %q", t.Number, c.Outcome)
	}
	if c.Outcome.NeedsGround() {
		if c.Ground == "" {
			return refuseWith(Refusal{Kind: RefusedNeedsGround, Value: string(c.Outcome), Choices: d.groundChoices()}, t, "ticket %s: %s needs a ground (one of %s)", t.Number, c.Outcome, d.groundIDs())
		}
		if _, ok := d.ground(c.Ground); !ok {
			return refuseWith(Refusal{Kind: RefusedUnknownGround, Value: c.Ground, Choices: d.groundChoices()}, t, "ticket %s: unknown ground %q (one of %s)", t.Number, c.Ground, d.groundIDs())
		}
	} else if c.Ground != "" {
		return refuseWith(Refusal{Kind: RefusedGroundNotTaken, Value: string(c.Outcome)}, t, "ticket %s: %s takes no ground; grounds are for refused and partly_granted", t.Number, c.Outcome)
	}
	if c.InAnswer && t.AnsweredAt.IsZero() {
		return refuseAs(RefusedNoAnswerSent, t, "ticket %s: no answer was relayed to the requester, so the decision cannot have gone out in one", t.Number)
	}
	return nil
}

// urgentByOfficer reports whether t's urgent flag was last set by an
// officer, not from the text's wording at filing (the note filing writes,
// by "sportel").
func (d *Desk) urgentByOfficer(tx store.Tx, t *inquiry.Ticket) (bool, error) {
	entries, err := tx.Entries(t.ID)
	if err != nil {
		return false, fmt.Errorf("read the record of %s: %w", t.Number, err)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "marked urgent:") {
			return e.Author != filingAuthor, nil
		}
	}
	// No note says who set it: the conservative reading.
	return true, nil
}

// checkAnswerSinceReopen refuses a decision said to be in the last answer
// when no answer was relayed since the ticket was last reopened: the
// answer before went out with (or before) the decision the reopen undid,
// and dating the new decision by it would count it on time, however late
// it came.
func (d *Desk) checkAnswerSinceReopen(tx store.Tx, t *inquiry.Ticket) error {
	entries, err := tx.Entries(t.ID)
	if err != nil {
		return fmt.Errorf("read the record of %s: %w", t.Number, err)
	}
	// The record is in the order it was written: an answer after the
	// latest reopen is one relayed since, whatever the clock says (a
	// #reopen and its answer in one mail share their moment).
	var reopened *inquiry.Entry
	answered := false
	for i := range entries {
		switch e := &entries[i]; {
		case isReopen(e):
			reopened, answered = e, false
		case e.Kind == inquiry.EntryAnswer || e.Kind == inquiry.EntryHeldAnswer:
			answered = true
		}
	}
	if reopened == nil || answered {
		return nil
	}
	on := reopened.CreatedAt.In(d.cfg.Location).Format("2006-01-02")
	return refuseWith(Refusal{Kind: RefusedNoAnswerSinceReopen, Value: on}, t,
		"ticket %s: no answer was relayed to the requester since it was reopened on %s, so the new decision cannot have gone out in one; send the decision notice instead", t.Number, on)
}

// reopenSource marks the note that records a reopening (SourceID of an
// EntryNote, as the scheduler marks its refusal-by-silence notes), so the
// record says when a ticket was last reopened without reading its text.
const reopenSource = "desk:reopened"

// noteReopen writes the note that records a reopening.
func (d *Desk) noteReopen(tx store.Tx, ticketID int64, author, text string, now time.Time) error {
	return tx.AddEntry(&inquiry.Entry{TicketID: ticketID, Kind: inquiry.EntryNote, SourceID: reopenSource, Author: author, Text: text, CreatedAt: now})
}

// isReopen reports whether e records a reopening: marked so, or written
// as the desk wrote reopenings before it marked them.
func isReopen(e *inquiry.Entry) bool {
	if e.Kind != inquiry.EntryNote {
		return false
	}
	if e.SourceID == reopenSource {
		return true
	}
	return e.SourceID == "" && (strings.HasPrefix(e.Text, "reopened (was closed: ") || strings.HasPrefix(e.Text, "reopened by the citizen's reply (was closed: "))
}

// Reopen reopens a closed ticket: its outcome, ground and decision are
// cleared (the record keeps them, in the note this writes).
func (d *Desk) Reopen(ctx context.Context, number, by string) (inquiry.Ticket, error) {
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.reopen(tx, t, by)
	})
}

// reopen is Reopen within tx; the caller saves t.
func (d *Desk) reopen(tx store.Tx, t *inquiry.Ticket, by string) error {
	t.Acted = true
	if t.State == inquiry.BulkMail || t.State == inquiry.SpamMail {
		return d.restore(tx, t, by)
	}
	if t.State != inquiry.Closed {
		return refuseAs(RefusedNotClosed, t, "ticket %s is %s, not closed", t.Number, t.State)
	}
	was := d.clearClosing(t)
	return d.noteReopen(tx, t.ID, by, "reopened (was closed: "+was+")", d.now())
}

// clearClosing opens t again as assigned, with no outcome, ground or
// decision, and returns what it was closed as, for the record.
func (d *Desk) clearClosing(t *inquiry.Ticket) (was string) {
	was = string(t.Outcome)
	if t.Ground != "" {
		was += ", ground " + t.Ground
	}
	if !t.DecidedAt.IsZero() {
		was += ", decided " + d.formatDue(t.DecidedAt)
	}
	t.State, t.Outcome, t.Ground, t.ClosedAt = inquiry.Assigned, inquiry.NoOutcome, "", time.Time{}
	t.DecidedAt, t.DecisionInAnswer = time.Time{}, false
	return was
}

// Complaint records a complaint to the Information and Privacy Agency made
// on date (an ISO date, not in the future); a ticket may have several.
func (d *Desk) Complaint(ctx context.Context, number, date, note, by string) (inquiry.Ticket, error) {
	day, err := calendar.ParseDate(strings.TrimSpace(date))
	if err != nil {
		return inquiry.Ticket{}, &Refusal{Kind: RefusedComplaintDate, Ticket: number, Value: date,
			text: fmt.Sprintf("complaint on %s: %q is not a date like 2026-12-01", number, date)}
	}
	note = strings.TrimSpace(note)
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		now := d.now()
		if day.Compare(calendar.DateOf(now.In(d.cfg.Location))) > 0 {
			return refuseWith(Refusal{Kind: RefusedComplaintFuture, Value: day.String()}, t, "complaint on %s: %s is in the future", t.Number, day)
		}
		if day.Compare(calendar.DateOf(t.ReceivedAt.In(d.cfg.Location))) < 0 {
			return refuseWith(Refusal{Kind: RefusedComplaintEarly, Value: day.String()}, t, "complaint on %s: %s is before the request was received", t.Number, day)
		}
		t.Complaints = append(t.Complaints, inquiry.Complaint{Date: day.String(), Note: note, At: now, By: by})
		text := "complaint to the Information and Privacy Agency, made " + day.String()
		if note != "" {
			text += ": " + note
		}
		return d.note(tx, t.ID, by, text, now)
	})
}

// queueHeadNotices tells the heads of the division (other than the
// assigned officer) about an urgent ticket, by email and, when they use it,
// Telegram. They are told, not assigned.
func (d *Desk) queueHeadNotices(tx store.Tx, t *inquiry.Ticket, m *inquiry.Message, why string, now time.Time) error {
	officer := d.officers[t.OfficerID]
	for _, head := range d.cfg.Officers {
		if !head.IsHead() || head.ID == t.OfficerID {
			continue
		}
		text := fmt.Sprintf("URGJENTE / URGENT: tiketa %s (%s) kërkon përgjigje brenda 48 orëve: jeta ose liria e dikujt varet nga përgjigjja (%s).\n"+
			"Zyrtari përgjegjës: %s. Afati: %s.\n\n%s",
			t.Number, CategoryName(t.Category, inquiry.Albanian), why, officer.Name, d.formatDue(t.DueAt), messageBody(m))
		if head.Email != "" {
			job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobHeadNotice, Recipient: head.ID, State: inquiry.JobPending, NextAt: now, CreatedAt: now,
				Mail: &inquiry.Mail{
					MessageID:   d.newMessageID("urgent"),
					Date:        now,
					From:        d.cfg.Mailbox,
					To:          []inquiry.Address{head.Address()},
					Subject:     fmt.Sprintf("[%s] URGENT: %s", t.Number, oneLine(m.Subject, 80)),
					AutoReplied: true,
					Headers:     map[string]string{"X-Sportel-Ticket": t.Number},
					Text:        text,
				}}
			if err := tx.AddJob(job); err != nil {
				return err
			}
		}
		if d.cfg.NotifyByTelegram && head.TelegramUserID != 0 {
			job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobHeadNotice, Recipient: head.ID, State: inquiry.JobPending, NextAt: now, CreatedAt: now,
				Chat: &inquiry.ChatMessage{ChatID: head.TelegramUserID, Text: text}}
			if err := tx.AddJob(job); err != nil {
				return err
			}
		}
	}
	return nil
}
