package desk

import (
	"fmt"

	"sportel/inquiry"
	"sportel/store"
)

// restore takes a ticket kept as bulk mail or spam into the work, when an
// officer finds the filter was wrong about a person's mail: it becomes an
// assigned ticket as if it had been filed so, and what filing would have
// sent goes now — the acknowledgement (within the usual caps) and the
// officer's notification. Its clock still runs from when it came: the
// ministry had it then.
func (d *Desk) restore(tx store.Tx, t *inquiry.Ticket, by string) error {
	now := d.now()
	was := t.State
	t.State = inquiry.Assigned
	t.DueAt = d.dueFor(t)
	note := fmt.Sprintf("taken into the work (was %s): acknowledged and its officer notified now", was)
	if !t.DueAt.IsZero() && !now.Before(t.DueAt) {
		note += "; its legal deadline (" + d.formatDue(t.DueAt) + ") has passed already"
	}
	if err := d.note(tx, t.ID, by, note, now); err != nil {
		return err
	}
	m, err := d.firstMessage(tx, t)
	if err != nil {
		return err
	}
	if err := d.queueAck(tx, t, m, now); err != nil {
		return err
	}
	return d.queueNotifications(tx, t, m, false, now)
}
