package desk

import (
	"context"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// UrgentChange is what SetUrgent did.
type UrgentChange struct {
	// Changed is false when the flag already was as asked: nothing was
	// done and nobody was told.
	Changed bool
	// MarkedBy and MarkedAt, for a ticket that already was urgent, are
	// who marked it ("sportel" when the citizen's text did) and when, as
	// its record says; empty when the record does not say.
	MarkedBy string
	MarkedAt time.Time
}

// SetUrgent is Urgent for a caller that tells an officer what happened: a
// second "urgent" on a ticket already urgent must not be reported as the
// heads being told again, since they are not.
func (d *Desk) SetUrgent(ctx context.Context, number string, on bool, by string) (inquiry.Ticket, UrgentChange, error) {
	var ch UrgentChange
	t, err := d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		was := t.Urgent
		if err := d.urgent(tx, t, on, by); err != nil {
			return err
		}
		ch.Changed = t.Urgent != was
		if ch.Changed || !t.Urgent {
			return nil
		}
		var err error
		ch.MarkedBy, ch.MarkedAt, err = urgentMark(tx, t.ID)
		return err
	})
	if err != nil {
		return inquiry.Ticket{}, UrgentChange{}, err
	}
	return t, ch, nil
}

// urgentMark finds who marked a ticket urgent, and when, in its record:
// the last note that says so. Every writer of the flag (urgent, filing and
// a Telegram conversation's intake) begins that note "marked urgent".
func urgentMark(tx store.Tx, ticketID int64) (by string, at time.Time, err error) {
	entries, err := tx.Entries(ticketID)
	if err != nil {
		return "", time.Time{}, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "marked urgent") {
			return e.Author, e.CreatedAt, nil
		}
	}
	return "", time.Time{}, nil
}
