package desk

import (
	"context"
	"fmt"
	"strings"

	"sportel/inquiry"
	"sportel/store"
)

// Note adds an officer's internal note to a ticket's record; nothing is
// sent to anyone.
func (d *Desk) Note(ctx context.Context, number, author, text string) (inquiry.Ticket, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return inquiry.Ticket{}, fmt.Errorf("note on %s: empty text", number)
	}
	return d.update(ctx, number, func(tx store.Tx, t *inquiry.Ticket) error {
		return d.note(tx, t.ID, author, text, d.now())
	})
}
