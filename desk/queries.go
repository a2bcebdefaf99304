package desk

import (
	"context"
	"fmt"

	"sportel/inquiry"
)

// Known reports whether the message sourceID names was taken in already:
// handling it again changes nothing, so what reading it would cost (a
// Telegram file's download, for an update replayed after a crash) can be
// spared.
func (d *Desk) Known(ctx context.Context, sourceID string) (bool, error) {
	taken, err := d.store.SourcesTaken(ctx, []string{sourceID})
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", sourceID, err)
	}
	return taken[sourceID], nil
}

// Ticket returns the ticket with number.
func (d *Desk) Ticket(ctx context.Context, number string) (inquiry.Ticket, bool, error) {
	return d.store.TicketByNumber(ctx, number)
}

// TicketByRef finds the ticket a sent message belongs to ("tg:<chat>:<id>"
// or a Message-ID), with the reference's details.
func (d *Desk) TicketByRef(ctx context.Context, ref string) (inquiry.Ticket, inquiry.ThreadRef, bool, error) {
	r, ok, err := d.store.ThreadRef(ctx, ref)
	if err != nil || !ok {
		return inquiry.Ticket{}, r, false, err
	}
	t, ok, err := d.store.TicketByID(ctx, r.TicketID)
	return t, r, ok, err
}

// Tickets lists tickets matching f.
func (d *Desk) Tickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	return d.store.ListTickets(ctx, f)
}
