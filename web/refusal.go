package web

import (
	"errors"
	"fmt"
	"strings"

	"sportel/desk"
)

// The workspace's own refusals, before anything reaches the desk: forms
// the page never sends so (a crafted POST).
var (
	errDaysNotANumber = fmt.Errorf("%w: days must be a number", desk.ErrLifecycle)
	errUnknownOutcome = fmt.Errorf("%w: unknown outcome", desk.ErrLifecycle)
)

// unfilledError holds back an answer drawn from a standard text whose
// placeholder, mark, the officer did not replace: the citizen would read
// "[fill in]" where the answer belongs.
type unfilledError struct{ mark string }

func (e unfilledError) Error() string {
	return desk.ErrLifecycle.Error() + ": the answer still holds the standard text's placeholder " + e.mark
}

func (unfilledError) Unwrap() error { return desk.ErrLifecycle }

// refusalText says why an action was not done, in the page's language. The
// desk's refusals, a ticket that does not exist and a failure of the
// system are said as the desk says them to an officer (desk.OfficerText:
// one text for the workspace, Telegram and mail), the workspace's own
// refusals from its table. A refusal without a kind, which the desk no
// longer makes, keeps its reason after a translated lead. The log keeps
// the English text in every case.
func refusalText(p page, err error) string {
	var r *desk.Refusal
	var unfilled unfilledError
	switch {
	case errors.As(err, &r):
		return r.Say(p.Lang)
	case errors.Is(err, errDaysNotANumber):
		return p.T("refused_days")
	case errors.Is(err, errUnknownOutcome):
		return p.T("refused_outcome")
	case errors.As(err, &unfilled):
		return p.Tf("refused_unfilled", unfilled.mark)
	case errors.Is(err, desk.ErrLifecycle):
		return p.Tf("refused_other", strings.TrimPrefix(err.Error(), desk.ErrLifecycle.Error()+": "))
	}
	return desk.OfficerText(err, p.Lang)
}
