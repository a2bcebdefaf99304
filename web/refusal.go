package web

import (
	"errors"
	"fmt"
	"strings"

	"sportel/desk"
	"sportel/inquiry"
)

// The workspace's own refusals, before anything reaches the desk: forms
// the page never sends so (a crafted POST).
var (
	errDaysNotANumber = fmt.Errorf("%w: days must be a number", desk.ErrLifecycle)
	errUnknownOutcome = fmt.Errorf("%w: unknown outcome", desk.ErrLifecycle)
)

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
