// Package store is Sportel's persistence contract: one Store interface that
// every driver (store/sqlite, later store/postgres) implements, the Tx that
// state changes and the sends they cause are written through, and the errors
// drivers share. It imports no driver; store/drivers opens one by name, and
// store/storetest is the contract suite every driver's tests run.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sportel/inquiry"
)

// ErrSourceTaken is returned (wrapped) by Tx.MarkSource when the source
// message was already taken in: the transaction must not file it again.
var ErrSourceTaken = errors.New("source already taken in")

// ErrLeaseLost is returned (wrapped) by RetryJob, FailJob and ReleaseJob when the job is
// no longer claimed by the caller: its lease ran out and another worker took
// it, or it already ended.
var ErrLeaseLost = errors.New("job lease lost")

// ErrJobCancelled is returned (wrapped) by RetryJob, FailJob and ReleaseJob
// when the job was cancelled (Tx.CancelJobs) while the caller held it: the
// cancel stands, the job is not tried again, and the caller's word is only
// recorded (a failure's text after the cancel's reason).
var ErrJobCancelled = errors.New("job cancelled while claimed")

// ErrBusy marks (wrapped) an error of a store that was momentarily too busy
// to do what it was asked: a lock another connection held for longer than
// the driver waits (SQLite's busy timeout, PostgreSQL's lock_timeout), a
// transaction the database gave up on to settle a conflict (serialization
// failure, deadlock) or no connection to be had (too many). What failed
// was not done, and the same call may well succeed in a moment; any other
// error is a real failure. Drivers mark every method's error so
// (errors.Is), keeping what it wraps.
var ErrBusy = errors.New("store busy")

// ErrConnLost marks (wrapped) an error of a call whose connection to the
// database broke under it: the server ended the session (an administrator,
// a restart) or the network went. The store failed, not what was asked of
// it, and the same call may well succeed on another connection; unlike
// ErrBusy, a commit cut off so may have happened. Drivers that talk to a
// server mark every method's error so (errors.Is), keeping what it wraps.
var ErrConnLost = errors.New("store connection lost")

// Store is everything Sportel keeps. It is safe for concurrent use. An
// error of any of its methods is marked ErrBusy when the database was
// momentarily busy.
type Store interface {
	// WithTx runs fn in one write transaction; fn's error (or panic) rolls
	// it back and is returned unchanged, but for being marked ErrBusy when
	// the database was busy.
	WithTx(ctx context.Context, fn func(Tx) error) error

	Reader
	Jobs
	Web
	Pruner

	// LoadCheckpoint returns the IMAP position saved under key; zeros when
	// nothing was saved yet.
	LoadCheckpoint(ctx context.Context, key string) (uidValidity, lastUID uint32, err error)
	// SaveCheckpoint stores the IMAP position under key.
	SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) error

	// GetState returns the value of a small key-value setting (the Telegram
	// offset, a chat's language).
	GetState(ctx context.Context, key string) (value string, ok bool, err error)
	// SetState stores value under key, replacing any earlier value.
	SetState(ctx context.Context, key, value string) error

	Close() error
}

// Reader is the read-only side: these queries take no write lock and see
// committed data only. Methods that look one thing up return (zero, false,
// nil) when nothing matches.
type Reader interface {
	// ListTickets returns tickets matching f, ordered by ReceivedAt then ID.
	ListTickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error)
	// EachTicket calls fn with each ticket matching f, in ListTickets's
	// order, as the rows are read: a report over a year holds one ticket
	// at a time, not the year's. An error of fn ends the read and is
	// returned unchanged. fn must not call the store: the read holds its
	// connection until it ends, and it ends within one call's time limit.
	EachTicket(ctx context.Context, f inquiry.TicketFilter, fn func(inquiry.Ticket) error) error
	TicketByNumber(ctx context.Context, number string) (inquiry.Ticket, bool, error)
	TicketByID(ctx context.Context, id int64) (inquiry.Ticket, bool, error)
	// ThreadRef returns what a sent or received message reference points at.
	ThreadRef(ctx context.Context, ref string) (inquiry.ThreadRef, bool, error)
	// ThreadRefs is ThreadRef of several refs in one look-up: the known
	// ones, keyed by the ref as given.
	ThreadRefs(ctx context.Context, refs []string) (map[string]inquiry.ThreadRef, error)
	CountTickets(ctx context.Context) (int, error)
	// ListTicketPage returns the page of f's list of tickets (ListTickets'
	// order, f's Limit aside) that at names, with where it
	// stands in the list, all read in one snapshot so they agree: the
	// workspace's paged lists, which a ticket filed or closed between two
	// pages must not shift (no ticket shown twice, none skipped).
	ListTicketPage(ctx context.Context, f inquiry.TicketFilter, at PageAt) (TicketPage, error)
	// SourcesTaken reports which of the source messages were already taken
	// in, so a redelivered message costs no classification.
	SourcesTaken(ctx context.Context, sourceIDs []string) (map[string]bool, error)
	// Entries returns a ticket's record in the order it was written.
	Entries(ctx context.Context, ticketID int64) ([]inquiry.Entry, error)
	// Entry returns one entry of a ticket's record (false when the ticket
	// has no entry with that id).
	Entry(ctx context.Context, ticketID, entryID int64) (inquiry.Entry, bool, error)
	// RecordPage returns a page of a ticket's record to be read: the
	// newest limit entries (limit at least 1) with an id below before (0:
	// from the newest), oldest first, and whether the ticket has entries
	// older than the page's. Neither raw mail nor files' bytes are read
	// (RecordEntry), so a page costs what its entries say, not what they
	// carry.
	RecordPage(ctx context.Context, ticketID, before int64, limit int) (entries []RecordEntry, older bool, err error)
	// TicketJobs returns the jobs a ticket caused, oldest first.
	TicketJobs(ctx context.Context, ticketID int64) ([]inquiry.Job, error)
	// ListJobs returns jobs in state, newest first, at most limit (0: all).
	ListJobs(ctx context.Context, state inquiry.JobState, limit int) ([]inquiry.Job, error)
	// FailedJobs counts the jobs that failed for good (JobFailed) with
	// FinishedAt in [from, before), and returns the first limit of them
	// (0: all) by FinishedAt, newest first among equal times (as ListJobs
	// lists them): failed jobs are kept for ever, and a digest of a day's
	// failures reads that day's, from one snapshot.
	FailedJobs(ctx context.Context, from, before time.Time, limit int) (jobs []inquiry.Job, total int, err error)
	// ListSetAside returns set-aside messages of kind ("": all), newest
	// first, at most limit (0: all).
	ListSetAside(ctx context.Context, kind inquiry.SetAsideKind, limit int) ([]inquiry.SetAside, error)
	// QueueStats counts the open work at now: what an operator alerts on.
	QueueStats(ctx context.Context, now time.Time) (QueueStats, error)
}

// TicketKey is a ticket's place in a list of tickets, which is ordered by
// when each was received and then by ID: what a link to the next or the
// previous page carries, so that the page starts where the last one ended
// whatever arrived or left in between (an offset would shift).
type TicketKey struct {
	ReceivedAt time.Time
	ID         int64
}

// KeyOf is t's place in a list of tickets.
func KeyOf(t inquiry.Ticket) TicketKey { return TicketKey{ReceivedAt: t.ReceivedAt, ID: t.ID} }

// PageAt names a page of a list of tickets.
type PageAt struct {
	// Key is the place the page starts after, in the list's order; nil:
	// the list's first page.
	Key *TicketKey
	// Back names the page before Key instead: the Size tickets just
	// before it, still in the list's order (nil Key: the list's last
	// page).
	Back bool
	// Size is how many tickets a page holds at most, at least 1.
	Size int
}

// TicketPage is one page of a list of tickets.
type TicketPage struct {
	// Tickets are the page's, in the list's order.
	Tickets []inquiry.Ticket
	// Ahead counts the list's tickets before the page's first (an empty
	// page: before its place), Total all the list's.
	Ahead, Total int
}

// QueueStats is the state of the division's queue and the outbox at a
// moment.
type QueueStats struct {
	// Open counts tickets being worked (assigned or answered).
	Open int
	// DueSoon counts open tickets whose deadline falls within 48 hours
	// from now; Overdue those whose deadline has passed.
	DueSoon int
	Overdue int
	// PendingJobs counts outbox jobs not yet sent (including ones waiting
	// for a retry or a later hour); FailedJobs those given up.
	PendingJobs int
	FailedJobs  int
	// OldestDue is the due time of the pending job that has waited longest
	// for a send (zero when none is due): a send stuck for long shows here.
	OldestDue time.Time
}

// WaitsItsTurnSQL is true for a pending job j (the jobs row so aliased)
// that is a ticket's chat answer or notice while an earlier one of the
// same ticket to the same recipient is still pending: it is not claimed
// until that one is done or failed. A chat message is several requests
// (the text, then each file), so two sent at once interleave, and a
// retried one (Telegram's 429) would fall behind the next: answers held
// for a citizen's private chat are all queued at once when it opens, and
// must reach it each with its files, in the order they were given. Both
// drivers use it (SQLite, PostgreSQL); jobs_ticket_recipient serves it.
const WaitsItsTurnSQL = `(j.chat IS NOT NULL AND j.kind IN ('answer', 'notice') AND EXISTS (
	SELECT 1 FROM jobs e WHERE e.ticket_id = j.ticket_id AND e.recipient = j.recipient
		AND e.kind IN ('answer', 'notice') AND e.id < j.id AND e.state = 'pending' AND e.chat IS NOT NULL))`

// Jobs is the outbox's queue: jobs are claimed under a lease, so two workers
// never send one job, and settled only by the worker that holds the lease.
type Jobs interface {
	// ClaimJobs leases up to limit due pending jobs to owner until
	// now+lease, ordered by NextAt then ID, with Attempts counting this try.
	// A job whose lease ran out is claimable again. A ticket's chat answers
	// and notices to one recipient go one at a time, in the order they
	// were queued (WaitsItsTurnSQL).
	ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error)
	// ClaimJobsBy is ClaimJobs of the jobs that go out by transport alone;
	// the others are left as they are. The outbox claims so while the mail
	// relay fails: Telegram messages go on, and the mail stays due as it
	// was, unclaimed, until the relay answers again.
	ClaimJobsBy(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int, transport Transport) ([]inquiry.Job, error)
	// FinishJobs marks jobs claimed by owner done in one transaction, and
	// records each one's thread reference in that same transaction, so a
	// reply to a sent message can always be traced to its ticket. It
	// returns the ids whose lease was lost (nothing is written for them).
	// A job cancelled while owner held it (Tx.CancelJobs) is marked done
	// too: it went out, and the record must say so. A job owner already
	// recorded done with the same reference is not lost, and left as it
	// is: a completion whose commit went through but whose answer was lost
	// (the connection cut) is tried again, and must not read as a lease
	// another worker took.
	FinishJobs(ctx context.Context, owner string, sent []SentJob, now time.Time) (lost []int64, err error)
	// RenewLeases extends to until the leases owner holds on ids, in one
	// write; it returns the ids owner no longer holds (another worker took
	// them, or they ended or were cancelled), which owner must not send.
	RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) (lost []int64, err error)
	// ReleaseClaims frees every pending job claimed by anyone but keep, so
	// those jobs are due at once. Only for a store that one process owns
	// (SQLite under its instance lock), where every other owner is gone.
	// The claims keep their attempts: a process that died may have been
	// sending.
	ReleaseClaims(ctx context.Context, keep string) (released int, err error)
	// ReleaseJob gives back a claim owner holds on a job it has not tried
	// to send (an outbox stopping, or a mail whose relay failed before any
	// mail transaction began): the job stays due as it was, and the claim's
	// attempt is taken back, so stops and relay outages never use up its
	// attempts.
	// A job cancelled while owner held it stays cancelled: ErrJobCancelled.
	ReleaseJob(ctx context.Context, id int64, owner string) error
	// RetryJob releases a job claimed by owner to be tried again at next.
	// A job cancelled while owner held it stays cancelled, with errText
	// after the cancel's reason: ErrJobCancelled.
	RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) error
	// FailJob ends a job claimed by owner as failed for good. A job
	// cancelled while owner held it stays cancelled (never failed, so
	// RequeueFailed cannot bring it back), as for RetryJob.
	FailJob(ctx context.Context, id int64, owner string, errText string, now time.Time) error
	// NextJobAt is when the earliest pending job is due (ok false: none). A
	// claimed job counts as due when its lease ends; one waiting for its
	// turn (WaitsItsTurnSQL) does not count.
	NextJobAt(ctx context.Context) (at time.Time, ok bool, err error)
	// RequeueFailed makes failed jobs pending again, due at now with their
	// attempts reset to one: the ids given, or every failed job when ids is
	// empty. A job keeps its Message-ID, so a mail sent again is the same
	// mail, and counts as tried (a failed send may have reached the server),
	// so it is never rewritten as a job no one claimed (PendingJobs).
	// It returns the ids requeued (ids that are not failed are skipped).
	RequeueFailed(ctx context.Context, ids []int64, now time.Time) ([]int64, error)

	// SentJobs counts the jobs of kind that were sent (done) at or after
	// since, and returns the earliest of their finish times (zero when
	// n is 0): a rate cap counts what was really sent, in the store, so it
	// holds across restarts and instances.
	SentJobs(ctx context.Context, kind inquiry.JobKind, since time.Time) (n int, earliest time.Time, err error)
	// HoldJobs holds jobs of kind back until until, in one transaction:
	// the claims owner holds on ids are released without counting as
	// attempts (they were not tried), and every other pending, unclaimed
	// job of kind due before until is moved to until. All of them count as
	// held until they are next claimed. It returns how many jobs it held.
	HoldJobs(ctx context.Context, owner string, kind inquiry.JobKind, ids []int64, until time.Time, reason string) (int, error)
	// CountHeldJobs counts the pending jobs held back (HoldJobs) and not
	// claimed since.
	CountHeldJobs(ctx context.Context) (int, error)
}

// Transport is the way a job goes out, for Jobs.ClaimJobsBy.
type Transport int

const (
	// TransportMail is the jobs that carry a mail (inquiry.Job.Mail): the
	// SMTP relay sends them.
	TransportMail Transport = iota + 1
	// TransportChat is the others: Telegram messages.
	TransportChat
)

func (t Transport) String() string {
	switch t {
	case TransportMail:
		return "mail"
	case TransportChat:
		return "chat"
	}
	return fmt.Sprintf("transport(%d)", int(t))
}

// SentJob is a job the transport accepted.
type SentJob struct {
	ID int64
	// Ref is the transport's reference to what was sent ("tg:<chat>:<msg>").
	Ref string
	// ThreadRef, when not nil, is recorded with the job's completion.
	ThreadRef *inquiry.ThreadRef
}

// Lookahead is what a transaction is about to look up for a chunk of
// messages. A transaction that can (the SQLite store's PrimeAbsent) finds
// at once which of them are unknown, and answers those look-ups without a
// statement each until it writes them; the answers are the same.
type Lookahead struct {
	// Sources are source keys (Tx.SourceTicket), Refs thread references
	// (Tx.FindThreadRef).
	Sources, Refs []string
	// Senders are addresses whose tickets received at or after
	// SendersSince are listed (Tx.ListTickets by SenderAddress).
	Senders      []string
	SendersSince time.Time
	// Recipients are addresses whose jobs of JobKind created at or after
	// JobsSince are counted (Tx.CountJobs).
	JobKind    inquiry.JobKind
	Recipients []string
	JobsSince  time.Time
}

// Tx is one write transaction, valid only inside WithTx's callback. Its
// methods use WithTx's context. Methods that read return (zero, false, nil)
// when nothing matches.
type Tx interface {
	// SourceTicket reports whether a source message was already taken in,
	// and the ticket it went to (0 when it made no ticket).
	SourceTicket(sourceID string) (ticketID int64, seen bool, err error)
	// MarkSource records that a source message was taken in; a second mark
	// of the same source fails with ErrSourceTaken.
	MarkSource(sourceID string, ticketID int64, at time.Time) error

	// FindThreadRef returns the first of refs that is known.
	FindThreadRef(refs []string) (inquiry.ThreadRef, bool, error)
	AddThreadRef(ref inquiry.ThreadRef) error

	// TicketByID and TicketByNumber (and LatestChatTicket) read a ticket
	// the transaction may change: a concurrent transaction that reads it
	// too waits until this one ends, so neither writes over the other.
	TicketByID(id int64) (inquiry.Ticket, bool, error)
	TicketByNumber(number string) (inquiry.Ticket, bool, error)
	// NextSequence returns the next ticket sequence number for prefix and
	// year, starting at 1; concurrent transactions never get the same one.
	NextSequence(prefix string, year int) (int, error)
	// RaiseSequence makes the last sequence number given for prefix and
	// year at least last, never lowering it, and returns it as it stands
	// then: after a restore from a backup, numbers given since the backup
	// must not be given again.
	RaiseSequence(prefix string, year, last int) (int, error)
	// CreateTicket inserts t and sets t.ID.
	CreateTicket(t *inquiry.Ticket) error
	UpdateTicket(t *inquiry.Ticket) error

	// ListTickets returns the tickets matching f, ordered by ReceivedAt then
	// ID, including what this transaction wrote.
	ListTickets(f inquiry.TicketFilter) ([]inquiry.Ticket, error)
	// LatestChatTicket returns the newest ticket answered in a Telegram chat.
	LatestChatTicket(chatID int64) (inquiry.Ticket, bool, error)
	// Entries returns a ticket's record in order.
	Entries(ticketID int64) ([]inquiry.Entry, error)
	// FirstEntry returns the first inbound entry of a ticket.
	FirstEntry(ticketID int64) (inquiry.Entry, bool, error)
	// SetEntryKind changes what an entry is (a held answer once sent).
	SetEntryKind(id int64, kind inquiry.EntryKind) error
	// LastEntries returns the newest limit entries of kind on a ticket, in
	// the order they were written: a bounded window of a long conversation.
	LastEntries(ticketID int64, kind inquiry.EntryKind, limit int) ([]inquiry.Entry, error)
	// AddEntry appends to a ticket's record and sets e.ID.
	AddEntry(e *inquiry.Entry) error
	// AddJob queues a send and sets j.ID.
	AddJob(j *inquiry.Job) error
	// AddJobOnce queues j under key unless a job holds that key, in any
	// state (a cancelled job gives its key up: CancelJobs): it sets j.Key
	// and j.ID and reports true, or reports false and writes nothing. The
	// store enforces the key, so two instances or a restart never queue
	// one scheduled send twice. key must not be "".
	AddJobOnce(key string, j *inquiry.Job) (added bool, err error)
	// CountJobs counts jobs of kind for recipient created at or after since.
	CountJobs(kind inquiry.JobKind, recipient string, since time.Time) (int, error)
	// LatestJob returns the newest job (by id) of kind for recipient on a
	// ticket, in any state.
	LatestJob(ticketID int64, kind inquiry.JobKind, recipient string) (inquiry.Job, bool, error)
	// JobByMessageID returns the job that sends the mail with Message-ID
	// messageID (without <>), in any state: what an officer's reply quotes.
	JobByMessageID(messageID string) (inquiry.Job, bool, error)
	// PendingJobs returns the jobs of kind for recipient on a ticket that
	// are pending and were never claimed, oldest first: the only jobs that
	// cannot have been sent, whose payload may still change.
	PendingJobs(ticketID int64, kind inquiry.JobKind, recipient string) ([]inquiry.Job, error)
	// CancelJobs ends the pending jobs of kind on a ticket as cancelled,
	// finished at now, with reason as their error (and the last error they
	// had after it), and returns how many. A job a worker holds at now may
	// be being sent: it is cancelled too and keeps its claim, so its
	// worker's word settles it (store.Jobs): sent, it is recorded done; a
	// failure or a stop leaves it cancelled (ErrJobCancelled), never
	// retried; a renewal reports it lost, so it is not sent if not started.
	// A cancelled job gives up its key: it is kept as
	// "<key>#cancelled:<id>", and AddJobOnce under the key queues the send
	// again (the ticket reopened, reassigned back).
	CancelJobs(ticketID int64, kind inquiry.JobKind, reason string, now time.Time) (int, error)
	// UpdatePendingJob replaces the payload (Mail, Chat, Digest) and NextAt
	// of job j.ID, only while it is pending and was never claimed; it
	// reports false, writing nothing, when a worker has claimed it since.
	// The Message-ID is fixed when a job is written: changing it is an error.
	UpdatePendingJob(j *inquiry.Job) (updated bool, err error)

	// AddSetAside records a message that made no ticket and sets s.ID.
	AddSetAside(s *inquiry.SetAside) error
}
