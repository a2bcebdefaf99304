package web

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// The workspace's own refusals, before anything reaches the desk: forms
// the page never sends so (a crafted POST).
var (
	errDaysNotANumber = fmt.Errorf("%w: days must be a number", desk.ErrLifecycle)
	errUnknownOutcome = fmt.Errorf("%w: unknown outcome", desk.ErrLifecycle)
)

// isoDate is a day the desk names (2006-01-02) as the workspace writes
// days; as it is if it does not parse.
func isoDate(s string) string {
	if day, err := time.Parse(time.DateOnly, s); err == nil {
		return day.Format("02.01.2006")
	}
	return s
}

// refusalText says why an action was not done, in the page's language. The
// desk's typed refusals (desk.Refusal) and the workspace's own are said
// whole; any other refusal keeps the desk's English reason after a
// translated lead, so the officer still learns why. The log keeps the
// English text in every case.
func refusalText(p page, err error) string {
	var r *desk.Refusal
	switch {
	case errors.As(err, &r):
		switch {
		case r.Kind == desk.RefusedClosed:
			return p.Tf("refused_closed", r.Ticket)
		case r.Kind == desk.RefusedSetAside && r.State == inquiry.BulkMail:
			return p.Tf("refused_bulk", r.Ticket)
		case r.Kind == desk.RefusedSetAside && r.State == inquiry.SpamMail:
			return p.Tf("refused_spam", r.Ticket)
		case r.Kind == desk.RefusedUnknownOfficer:
			return p.Tf("refused_unknown_officer", oneLine(r.Value, 40))
		case r.Kind == desk.RefusedUnknownCategory:
			return p.Tf("refused_unknown_category", oneLine(r.Value, 40))
		case r.Kind == desk.RefusedEmptyAnswer:
			return p.T("refused_empty_answer")
		case r.Kind == desk.RefusedExtensionDays:
			return p.Tf("refused_extension_days", r.Max, r.N)
		case r.Kind == desk.RefusedNoReason:
			return p.T("refused_no_reason")
		case r.Kind == desk.RefusedCalendar:
			return p.T("refused_calendar")
		case r.Kind == desk.RefusedExtendCategory:
			return p.Tf("refused_extend_category", r.Ticket, desk.CategoryName(r.Category, p.Lang))
		case r.Kind == desk.RefusedAlreadyExtended:
			return p.Tf("refused_already_extended", r.Ticket, r.N, isoDate(r.Value))
		case r.Kind == desk.RefusedUrgentExtension:
			return p.Tf("refused_urgent_extension", r.Ticket)
		case r.Kind == desk.RefusedNotHeldCategory:
			return p.Tf("refused_notheld_category", r.Ticket, desk.CategoryName(r.Category, p.Lang))
		case r.Kind == desk.RefusedAlreadyNotHeld:
			return p.Tf("refused_already_not_held", r.Ticket, isoDate(r.Value))
		case r.Kind == desk.RefusedCloseOutcome:
			return p.Tf("refused_close_outcome", r.Ticket, desk.CategoryName(r.Category, p.Lang))
		case r.Kind == desk.RefusedGroundCategory:
			return p.Tf("refused_ground_category", r.Ticket, desk.CategoryName(r.Category, p.Lang))
		case r.Kind == desk.RefusedNoDecision:
			return p.Tf("refused_no_decision", r.Ticket)
		case r.Kind == desk.RefusedNeedsGround:
			return p.Tf("refused_needs_ground", p.T("outcome_"+r.Value))
		case r.Kind == desk.RefusedUnknownGround:
			return p.Tf("refused_unknown_ground", oneLine(r.Value, 40))
		case r.Kind == desk.RefusedGroundNotTaken:
			return p.Tf("refused_ground_not_taken", p.T("outcome_"+r.Value))
		case r.Kind == desk.RefusedNoAnswerSent:
			return p.Tf("refused_no_answer_sent", r.Ticket)
		case r.Kind == desk.RefusedNotClosed:
			return p.Tf("refused_not_closed", r.Ticket, p.T("state_"+string(r.State)))
		case r.Kind == desk.RefusedEmptyNote:
			return p.T("refused_empty_note")
		case r.Kind == desk.RefusedNoteTooLong:
			return p.Tf("refused_note_too_long", r.N, r.Max)
		}
	case errors.Is(err, errDaysNotANumber):
		return p.T("refused_days")
	case errors.Is(err, errUnknownOutcome):
		return p.T("refused_outcome")
	}
	if errors.Is(err, desk.ErrLifecycle) {
		return p.Tf("refused_other", strings.TrimPrefix(err.Error(), desk.ErrLifecycle.Error()+": "))
	}
	return p.Tf("action_failed", err.Error())
}
