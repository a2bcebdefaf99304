package desk

import (
	"context"
	"time"

	"sportel/inquiry"
)

// Store is what the desk needs from persistence. Every state change and the
// jobs it causes are written through one Tx, so they commit together.
type Store interface {
	// WithTx runs fn in one transaction; fn's error rolls it back.
	WithTx(ctx context.Context, fn func(Tx) error) error

	// ClaimJobs leases up to limit pending jobs whose NextAt is due, for
	// owner until now+lease, so two workers never send one job.
	ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error)
	// FinishJobs marks claimed jobs done in one transaction, each with the
	// transport's reference (id → ref); it returns the ids whose lease was
	// lost to another worker.
	FinishJobs(ctx context.Context, owner string, sent map[int64]string, now time.Time) (lost []int64, err error)
	// RetryJob releases a claimed job to be tried again at next.
	RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) error
	// FailJob ends a claimed job as failed for good.
	FailJob(ctx context.Context, id int64, owner string, errText string, now time.Time) error
	// ListTickets returns tickets matching f, oldest first.
	ListTickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error)
	// NextJobAt is when the earliest pending job is due (ok false: none).
	NextJobAt(ctx context.Context) (at time.Time, ok bool, err error)
}

// Tx is one transaction. Methods that read return (zero, false, nil) when
// nothing matches.
type Tx interface {
	// SourceTicket reports whether a source message was already taken in,
	// and the ticket it went to (0 when it made no ticket).
	SourceTicket(sourceID string) (ticketID int64, seen bool, err error)
	// MarkSource records that a source message was taken in.
	MarkSource(sourceID string, ticketID int64, at time.Time) error

	// FindThreadRef returns the first of refs that is known.
	FindThreadRef(refs []string) (inquiry.ThreadRef, bool, error)
	AddThreadRef(ref inquiry.ThreadRef) error

	TicketByID(id int64) (inquiry.Ticket, bool, error)
	TicketByNumber(number string) (inquiry.Ticket, bool, error)
	// NextSequence returns the next ticket sequence number for prefix and
	// year, starting at 1; concurrent transactions never get the same one.
	NextSequence(prefix string, year int) (int, error)
	// CreateTicket inserts t and sets t.ID.
	CreateTicket(t *inquiry.Ticket) error
	UpdateTicket(t *inquiry.Ticket) error

	// LatestChatTicket returns the newest ticket answered in a Telegram chat.
	LatestChatTicket(chatID int64) (inquiry.Ticket, bool, error)
	// Entries returns a ticket's record in order.
	Entries(ticketID int64) ([]inquiry.Entry, error)
	// FirstEntry returns the first inbound entry of a ticket.
	FirstEntry(ticketID int64) (inquiry.Entry, bool, error)
	// SetEntryKind changes what an entry is (a held answer once sent).
	SetEntryKind(id int64, kind inquiry.EntryKind) error
	// AddEntry appends to a ticket's record and sets e.ID.
	AddEntry(e *inquiry.Entry) error
	// AddJob queues a send and sets j.ID.
	AddJob(j *inquiry.Job) error
	// CountJobs counts jobs of kind for recipient created at or after since.
	CountJobs(kind inquiry.JobKind, recipient string, since time.Time) (int, error)

	// AddSetAside records a message that made no ticket and sets s.ID.
	AddSetAside(s *inquiry.SetAside) error
}

// TxStore is a store whose transactions have their own concrete type T:
// a store package cannot name desk.Tx in its WithTx signature without
// importing the desk, so it takes func(T) instead.
type TxStore[T Tx] interface {
	WithTx(ctx context.Context, fn func(T) error) error
	ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error)
	FinishJobs(ctx context.Context, owner string, sent map[int64]string, now time.Time) (lost []int64, err error)
	RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) error
	FailJob(ctx context.Context, id int64, owner string, errText string, now time.Time) error
	ListTickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error)
	NextJobAt(ctx context.Context) (at time.Time, ok bool, err error)
}

// AdaptStore makes a TxStore a Store.
func AdaptStore[T Tx](s TxStore[T]) Store { return adaptedStore[T]{s} }

type adaptedStore[T Tx] struct{ TxStore[T] }

func (a adaptedStore[T]) WithTx(ctx context.Context, fn func(Tx) error) error {
	return a.TxStore.WithTx(ctx, func(tx T) error { return fn(tx) })
}
