package desk

import (
	"fmt"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// saveTicket writes t and, in the same transaction, cancels the reminders
// queued for it (by the scheduler) that no longer fit it: a reminder
// waiting for a retry after a relay's 4xx must not tell an officer about
// a deadline of a request decided, reassigned or moved meanwhile. One a
// worker is sending is cancelled too: it is recorded as sent if it went
// out, and never tried again if not. A new officer or deadline is reminded
// by the scheduler under a key of its own, and a cancelled reminder gives
// its key up, so the ticket that fits it again (reopened, given back) is
// reminded again. Every change to a ticket goes through here, so no path
// can miss it.
func (d *Desk) saveTicket(tx store.Tx, t *inquiry.Ticket) error {
	prev, ok, err := tx.TicketByID(t.ID)
	if err != nil {
		return fmt.Errorf("save ticket %s: %w", t.Number, err)
	}
	if err := tx.UpdateTicket(t); err != nil {
		return err
	}
	if !ok {
		return nil
	}
	why := remindersOutdated(&prev, t, d.cfg.Location)
	if why == "" {
		return nil
	}
	if _, err := tx.CancelJobs(t.ID, inquiry.JobReminder, "cancelled: "+why, d.now()); err != nil {
		return fmt.Errorf("save ticket %s: %w", t.Number, err)
	}
	return nil
}

// remindersOutdated says why reminders queued for prev do not fit next, or
// "" when they still do (or prev had none to fit).
func remindersOutdated(prev, next *inquiry.Ticket, loc *time.Location) string {
	switch {
	case !prev.AwaitsDecision():
		return ""
	case !next.State.Open() && next.Outcome != inquiry.NoOutcome:
		return fmt.Sprintf("the ticket is %s (%s)", next.State, next.Outcome)
	case !next.State.Open():
		return fmt.Sprintf("the ticket is %s", next.State)
	case next.NotHeldMark != nil:
		return "the document was marked not held"
	case next.Category != inquiry.DocumentRequest:
		return fmt.Sprintf("the ticket is now a %s", next.Category)
	case next.DueAt.IsZero():
		return "the ticket has no deadline"
	case next.OfficerID != prev.OfficerID:
		return fmt.Sprintf("reassigned from %s to %s", prev.OfficerID, next.OfficerID)
	case !next.DueAt.Equal(prev.DueAt):
		return "the deadline moved to " + next.DueAt.In(loc).Format("2006-01-02 15:04")
	}
	return ""
}
