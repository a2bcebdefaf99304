package desk

import (
	"context"

	"sportel/inquiry"
)

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
