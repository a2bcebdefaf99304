package desk

import (
	"context"

	"sportel/inquiry"
	"sportel/store"
)

// Store is what the desk needs from persistence: one transaction for every
// change and the sends it causes, and reads of what is committed (which take
// no write lock).
type Store interface {
	WithTx(ctx context.Context, fn func(store.Tx) error) error
	ListTickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error)
	TicketByNumber(ctx context.Context, number string) (inquiry.Ticket, bool, error)
	TicketByID(ctx context.Context, id int64) (inquiry.Ticket, bool, error)
	ThreadRef(ctx context.Context, ref string) (inquiry.ThreadRef, bool, error)
	ThreadRefs(ctx context.Context, refs []string) (map[string]inquiry.ThreadRef, error)
	SourcesTaken(ctx context.Context, sourceIDs []string) (map[string]bool, error)
	Entry(ctx context.Context, ticketID, entryID int64) (inquiry.Entry, bool, error)
}
