package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// querier is what both *sql.DB and *sql.Tx offer, so reads are written once.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is the driver's store.Tx, valid only inside the WithTx callback. Its
// methods run within WithTx's deadline (see callCtx).
type Tx struct {
	tx  stmtTx
	ctx context.Context
	// searchDirty is set by every write to tickets or entries: their
	// triggers noted rows the search index has yet to take in (migration
	// 0009), and flushSearch must run before the commit.
	searchDirty bool
	// absent is what PrimeAbsent found unknown, less what the transaction
	// wrote since: a look-up of it needs no statement. The transaction
	// holds the write lock, so only its own writes can make one known.
	absent absence
	// seqs is the last ticket number this transaction gave for a prefix
	// and year: the next is counted on without reading the row back (the
	// write lock again), so a batch's tickets after its first cost a
	// write each and no query.
	seqs map[seqKey]int
}

type seqKey struct {
	prefix string
	year   int
}

// absence is what a transaction knows to be unknown.
type absence struct {
	sources, refs map[string]struct{}
	// senders maps an address, lowered as SQLite's lower() lowers it, to
	// the time since which it has no ticket received; recipients a job
	// kind and recipient to the time since which no such job was created.
	senders    map[string]time.Time
	recipients map[kindRecipient]time.Time
}

type kindRecipient struct {
	kind      inquiry.JobKind
	recipient string
}

// callCtx is the context of one statement in the transaction: the
// transaction's values without its deadline. A context that can end makes
// the driver start a goroutine per statement to interrupt it (and
// database/sql one per query to close its rows), which on intake is a few
// percent of the CPU on the path every message waits for. The deadline still
// holds: database/sql rolls the transaction back when its context ends, and
// the next statement fails; a statement waiting for a lock stops at
// busy_timeout.
func (t *Tx) callCtx() (context.Context, context.CancelFunc) {
	return context.WithoutCancel(t.ctx), func() {}
}

// flushSearch indexes the tickets and entries this transaction wrote
// before it commits.
func (t *Tx) flushSearch() error {
	if !t.searchDirty {
		return nil
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	if err := indexPending(ctx, t.tx); err != nil {
		return err
	}
	t.searchDirty = false
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// indexPending indexes the rows the search triggers noted (migration 0009),
// with one statement per index, so FTS5 writes one segment per transaction
// instead of one per row.
func indexPending(ctx context.Context, ex execer) error {
	for _, q := range []string{
		`INSERT INTO tickets_fts (rowid, subject)
			SELECT t.id, t.subject FROM tickets_fts_pending p JOIN tickets t ON t.id = p.id`,
		`DELETE FROM tickets_fts_pending`,
		`INSERT INTO entries_fts (rowid, subject, body)
			SELECT e.id, e.subject, e.body FROM entries_fts_pending p JOIN entries e ON e.id = p.id`,
		`DELETE FROM entries_fts_pending`,
	} {
		if _, err := ex.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("update search index: %w", err)
		}
	}
	return nil
}

// IndexPendingSearch brings the search index up to date in tx, for a
// writer that fills tickets or entries around the Store (store copy): the
// triggers only note new rows, and the Store indexes them at its commits.
func IndexPendingSearch(ctx context.Context, tx *sql.Tx) error {
	return indexPending(ctx, tx)
}

// PrimeAbsent looks up at once which of what the transaction is about to
// look up is unknown (store.Lookahead), so that SourceTicket,
// FindThreadRef, ListTickets by sender and CountJobs answer for those
// without a statement of their own until the transaction writes them. The
// desk primes each chunk of a batch: four statements for up to 32 mails
// instead of five or six a mail, on the transaction every other writer
// waits for.
func (t *Tx) PrimeAbsent(la store.Lookahead) error {
	known, err := t.knownOf(primeSourcesSQL, la.Sources)
	if err != nil {
		return fmt.Errorf("look up source keys: %w", err)
	}
	t.absent.sources = addUnknown(t.absent.sources, la.Sources, known, struct{}{})
	if known, err = t.knownOf(primeRefsSQL, la.Refs); err != nil {
		return fmt.Errorf("look up thread references: %w", err)
	}
	t.absent.refs = addUnknown(t.absent.refs, la.Refs, known, struct{}{})
	if len(la.Senders) > 0 && !la.SendersSince.IsZero() {
		lowered := make([]string, len(la.Senders))
		for i, a := range la.Senders {
			lowered[i] = sqlLower(a)
		}
		if known, err = t.knownOf(primeSendersSQL, lowered, formatTime(la.SendersSince)); err != nil {
			return fmt.Errorf("look up the senders' tickets: %w", err)
		}
		t.absent.senders = addUnknown(t.absent.senders, lowered, known, la.SendersSince)
	}
	if len(la.Recipients) > 0 && la.JobKind != "" && !la.JobsSince.IsZero() {
		if known, err = t.knownOf(primeRecipientsSQL, la.Recipients, string(la.JobKind), formatTime(la.JobsSince)); err != nil {
			return fmt.Errorf("look up the recipients' %s jobs: %w", la.JobKind, err)
		}
		if t.absent.recipients == nil {
			t.absent.recipients = make(map[kindRecipient]time.Time, len(la.Recipients))
		}
		for _, r := range la.Recipients {
			if !known[r] {
				t.absent.recipients[kindRecipient{la.JobKind, r}] = la.JobsSince
			}
		}
	}
	return nil
}

// The statements of PrimeAbsent: which keys of a JSON array ($1) are
// known. A reference is known from thread_refs or as the Message-ID of a
// job of a ticket (threadRefs).
const (
	primeSourcesSQL = `SELECT source_id FROM sources WHERE source_id IN (SELECT value FROM json_each($1))`
	primeRefsSQL    = `SELECT ref FROM thread_refs WHERE ref IN (SELECT value FROM json_each($1))
		UNION ALL
		SELECT message_id FROM jobs WHERE message_id IN (SELECT value FROM json_each($1)) AND ticket_id IS NOT NULL`
	primeSendersSQL = `SELECT lower(sender_address) FROM tickets
		WHERE lower(sender_address) IN (SELECT value FROM json_each($1)) AND received_at >= $2`
	primeRecipientsSQL = `SELECT recipient FROM jobs
		WHERE kind = $2 AND recipient IN (SELECT value FROM json_each($1)) AND created_at >= $3`
)

// knownOf runs query with keys, as a JSON array, and args after them, and
// returns the keys it gives.
func (t *Tx) knownOf(query string, keys []string, args ...any) (map[string]bool, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	rows, err := t.tx.QueryContext(ctx, query, append([]any{string(list)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	known := make(map[string]bool)
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		known[k] = true
	}
	return known, rows.Err()
}

// addUnknown adds to absent each of keys not known, with v.
func addUnknown[V any](absent map[string]V, keys []string, known map[string]bool, v V) map[string]V {
	for _, k := range keys {
		if known[k] {
			continue
		}
		if absent == nil {
			absent = make(map[string]V, len(keys))
		}
		absent[k] = v
	}
	return absent
}

// sqlLower lowers s as SQLite's lower() does: ASCII letters only, byte by
// byte.
func sqlLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// SourceTicket reports whether sourceID was taken in, and its ticket (0: none).
func (t *Tx) SourceTicket(sourceID string) (int64, bool, error) {
	if _, absent := t.absent.sources[sourceID]; absent {
		return 0, false, nil
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	var ticketID sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT ticket_id FROM sources WHERE source_id = $1`, sourceID).Scan(&ticketID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up source %q: %w", sourceID, err)
	}
	return ticketID.Int64, true, nil
}

// MarkSource records that sourceID was taken in (ticketID 0: no ticket). A
// second mark of the same source fails with ErrSourceTaken, so two workers
// racing on one message cannot both commit a ticket for it.
func (t *Tx) MarkSource(sourceID string, ticketID int64, at time.Time) error {
	delete(t.absent.sources, sourceID)
	ctx, cancel := t.callCtx()
	defer cancel()
	_, inserted, err := t.insert(ctx, `INSERT INTO sources (source_id, ticket_id, taken_at) VALUES ($1, $2, $3)
		ON CONFLICT (source_id) DO NOTHING`,
		sourceID, nullInt(ticketID), formatTime(at))
	if err != nil {
		return fmt.Errorf("mark source %q: %w", sourceID, err)
	}
	if !inserted {
		return fmt.Errorf("mark source %q: %w", sourceID, store.ErrSourceTaken)
	}
	return nil
}

// refChunk keeps IN lists well under SQLite's bound-parameter limit even for
// a pathological References header.
const refChunk = 200

// FindThreadRef returns the first of refs (in the given order) that is known.
func (t *Tx) FindThreadRef(refs []string) (inquiry.ThreadRef, bool, error) {
	if len(t.absent.refs) > 0 {
		// Only those not known to be unknown, in their order.
		var maybe []string
		for i, r := range refs {
			if _, absent := t.absent.refs[r]; absent {
				if maybe == nil {
					maybe = append(make([]string, 0, len(refs)), refs[:i]...)
				}
				continue
			}
			if maybe != nil {
				maybe = append(maybe, r)
			}
		}
		if maybe != nil {
			refs = maybe
		}
	}
	for start := 0; start < len(refs); start += refChunk {
		chunk := refs[start:min(start+refChunk, len(refs))]
		ctx, cancel := t.callCtx()
		found, err := threadRefs(ctx, t.tx, chunk)
		cancel()
		if err != nil {
			return inquiry.ThreadRef{}, false, err
		}
		for _, r := range chunk {
			if tr, ok := found[r]; ok {
				return tr, true, nil
			}
		}
	}
	return inquiry.ThreadRef{}, false, nil
}

func threadRefs(ctx context.Context, q querier, refs []string) (map[string]inquiry.ThreadRef, error) {
	// The Message-IDs of mail we send are known from the outbox itself (a
	// notification's recipient is its officer), so sending needs no extra
	// rows; thread_refs holds the rest (citizens' mail, Telegram messages).
	var ph params
	list := ph.list(refs)
	jobList := ph.list(refs)
	rows, err := q.QueryContext(ctx, `SELECT 0, ref, ticket_id, kind, officer_id FROM thread_refs WHERE ref IN (`+list+`)
		UNION ALL
		SELECT 1, message_id, ticket_id, kind, CASE WHEN kind = 'notify' THEN recipient ELSE '' END
		FROM jobs WHERE message_id IN (`+jobList+`) AND ticket_id IS NOT NULL`, ph.args...)
	if err != nil {
		return nil, fmt.Errorf("find thread refs: %w", err)
	}
	defer rows.Close()
	found := make(map[string]inquiry.ThreadRef, len(refs))
	for rows.Next() {
		var fromJobs int
		var tr inquiry.ThreadRef
		if err := rows.Scan(&fromJobs, &tr.Ref, &tr.TicketID, &tr.Kind, &tr.OfficerID); err != nil {
			return nil, fmt.Errorf("find thread refs: scan: %w", err)
		}
		if _, known := found[tr.Ref]; known && fromJobs == 1 {
			continue // an explicit thread ref wins
		}
		found[tr.Ref] = tr
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find thread refs: %w", err)
	}
	return found, nil
}

// AddThreadRef ties ref to a ticket. A ref already known keeps its first
// ticket: a Message-ID names one message, and replies follow where it went.
func (t *Tx) AddThreadRef(ref inquiry.ThreadRef) error {
	delete(t.absent.refs, ref.Ref)
	ctx, cancel := t.callCtx()
	defer cancel()
	return addThreadRef(ctx, t.tx, ref)
}

func addThreadRef(ctx context.Context, q querier, ref inquiry.ThreadRef) error {
	if ref.Ref == "" {
		return errors.New("add thread ref: empty ref")
	}
	_, err := q.ExecContext(ctx, `INSERT INTO thread_refs (ref, ticket_id, kind, officer_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (ref) DO NOTHING`, ref.Ref, ref.TicketID, string(ref.Kind), ref.OfficerID)
	if err != nil {
		return fmt.Errorf("add thread ref %q for ticket %d: %w", ref.Ref, ref.TicketID, err)
	}
	return nil
}

// TicketByID returns the ticket with id.
func (t *Tx) TicketByID(id int64) (inquiry.Ticket, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	return ticketWhere(ctx, t.tx, "id", id)
}

// TicketByNumber returns the ticket numbered number (e.g. DKP-2026-000042).
func (t *Tx) TicketByNumber(number string) (inquiry.Ticket, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	return ticketWhere(ctx, t.tx, "number", number)
}

// NextSequence returns the next ticket sequence for prefix and year,
// starting at 1. The upsert takes the row's write lock, so concurrent
// transactions serialise on it and never share a number.
func (t *Tx) NextSequence(prefix string, year int) (int, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	key := seqKey{prefix, year}
	if last, ok := t.seqs[key]; ok {
		res, err := t.tx.ExecContext(ctx, `UPDATE ticket_sequences SET last = last + 1 WHERE prefix = $1 AND year = $2`, prefix, year)
		if err != nil {
			return 0, fmt.Errorf("next sequence %s-%d: %w", prefix, year, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return 0, fmt.Errorf("next sequence %s-%d: the sequence's row is gone (%d rows, %v)", prefix, year, n, err)
		}
		t.seqs[key] = last + 1
		return last + 1, nil
	}
	var seq int
	err := t.tx.QueryRowContext(ctx, `INSERT INTO ticket_sequences (prefix, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (prefix, year) DO UPDATE SET last = ticket_sequences.last + 1
		RETURNING last`, prefix, year).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("next sequence %s-%d: %w", prefix, year, err)
	}
	if t.seqs == nil {
		t.seqs = make(map[seqKey]int)
	}
	t.seqs[key] = seq
	return seq, nil
}

// RaiseSequence makes the last sequence for prefix and year at least last
// and returns it as it stands.
func (t *Tx) RaiseSequence(prefix string, year, last int) (int, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	var seq int
	err := t.tx.QueryRowContext(ctx, `INSERT INTO ticket_sequences (prefix, year, last) VALUES ($1, $2, $3)
		ON CONFLICT (prefix, year) DO UPDATE SET last = MAX(ticket_sequences.last, excluded.last)
		RETURNING last`, prefix, year, last).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("raise sequence %s-%d to %d: %w", prefix, year, last, err)
	}
	if _, ok := t.seqs[seqKey{prefix, year}]; ok {
		t.seqs[seqKey{prefix, year}] = seq
	}
	return seq, nil
}

// CreateTicket inserts tk and sets tk.ID, and tk.CreatedAt to now when it
// is zero.
func (t *Tx) CreateTicket(tk *inquiry.Ticket) error {
	t.searchDirty = true
	delete(t.absent.senders, sqlLower(tk.Sender.Address))
	if tk.CreatedAt.IsZero() {
		tk.CreatedAt = time.Now().UTC()
	}
	lc, err := lifecycleColumns(tk)
	if err != nil {
		return fmt.Errorf("create ticket %s: %w", tk.Number, err)
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	id, _, err := t.insert(ctx, `INSERT INTO tickets (number, channel, sender_name, sender_address, chat_id, subject,
			message_id, language, category, classifier, confidence, reason, needs_review, officer_id, acted, state,
			outcome, received_at, due_at, answered_at, closed_at, updated_at, linked_to, mentions, urgent, ext_days,
			ext_reason, ext_due_at, ext_at, ext_by, not_held_at, not_held_holder, not_held_by, ground, decided_at,
			decision_in_answer, complaints, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38)`,
		tk.Number, string(tk.Channel), tk.Sender.Name, tk.Sender.Address, tk.ChatID, tk.Subject,
		tk.MessageID, string(tk.Language), string(tk.Category), tk.Classifier, tk.Confidence, tk.Reason, tk.NeedsReview,
		tk.OfficerID, tk.Acted, string(tk.State), string(tk.Outcome),
		formatTime(tk.ReceivedAt), nullTime(tk.DueAt), nullTime(tk.AnsweredAt), nullTime(tk.ClosedAt),
		formatTime(tk.UpdatedAt), tk.LinkedTo, tk.Mentions, lc.urgent, lc.extDays, lc.extReason, lc.extDue, lc.extAt,
		lc.extBy, lc.notHeldAt, lc.notHeldHolder, lc.notHeldBy, lc.ground, lc.decided, lc.inAnswer,
		lc.complaints, formatTime(tk.CreatedAt))
	if err != nil {
		return fmt.Errorf("create ticket %s: %w", tk.Number, err)
	}
	tk.ID = id
	return nil
}

// UpdateTicket writes every field of tk except its identity (ID, Number,
// Channel) and when it was filed (CreatedAt).
func (t *Tx) UpdateTicket(tk *inquiry.Ticket) error {
	t.searchDirty = true
	// It may now be this sender's, or received later.
	delete(t.absent.senders, sqlLower(tk.Sender.Address))
	lc, err := lifecycleColumns(tk)
	if err != nil {
		return fmt.Errorf("update ticket %d: %w", tk.ID, err)
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	res, err := t.tx.ExecContext(ctx, `UPDATE tickets SET sender_name = $2, sender_address = $3, chat_id = $4, subject = $5,
			message_id = $6, language = $7, category = $8, classifier = $9, confidence = $10, reason = $11,
			needs_review = $12, officer_id = $13, acted = $14, state = $15, outcome = $16, received_at = $17,
			due_at = $18, answered_at = $19, closed_at = $20, updated_at = $21, linked_to = $22, mentions = $23,
			urgent = $24, ext_days = $25, ext_reason = $26, ext_due_at = $27, ext_at = $28, ext_by = $29,
			not_held_at = $30, not_held_holder = $31, not_held_by = $32, ground = $33, decided_at = $34,
			decision_in_answer = $35, complaints = $36
		WHERE id = $1`,
		tk.ID, tk.Sender.Name, tk.Sender.Address, tk.ChatID, tk.Subject,
		tk.MessageID, string(tk.Language), string(tk.Category), tk.Classifier, tk.Confidence, tk.Reason, tk.NeedsReview,
		tk.OfficerID, tk.Acted, string(tk.State), string(tk.Outcome),
		formatTime(tk.ReceivedAt), nullTime(tk.DueAt), nullTime(tk.AnsweredAt), nullTime(tk.ClosedAt),
		formatTime(tk.UpdatedAt), tk.LinkedTo, tk.Mentions, lc.urgent, lc.extDays, lc.extReason, lc.extDue, lc.extAt,
		lc.extBy, lc.notHeldAt, lc.notHeldHolder, lc.notHeldBy, lc.ground, lc.decided, lc.inAnswer, lc.complaints)
	if err != nil {
		return fmt.Errorf("update ticket %d: %w", tk.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update ticket %d: %w", tk.ID, err)
	} else if n == 0 {
		return fmt.Errorf("update ticket %d: no such ticket", tk.ID)
	}
	return nil
}

// ListTickets returns the tickets matching f as this transaction sees them,
// ordered by ReceivedAt then ID.
func (t *Tx) ListTickets(f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	if f.SenderAddress != "" && !f.ReceivedFrom.IsZero() {
		// Every other condition only narrows the list.
		if since, ok := t.absent.senders[sqlLower(f.SenderAddress)]; ok && !f.ReceivedFrom.Before(since) {
			return nil, nil
		}
	}
	if f.Text != "" {
		// A search must see what this transaction wrote.
		if err := t.flushSearch(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	return listTickets(ctx, t.tx, f)
}

// LatestChatTicket returns the newest ticket (last filed) answered in a
// Telegram chat.
func (t *Tx) LatestChatTicket(chatID int64) (inquiry.Ticket, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	tk, err := scanTicket(t.tx.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE chat_id = $1 ORDER BY id DESC LIMIT 1`, chatID))
	if errors.Is(err, sql.ErrNoRows) {
		return inquiry.Ticket{}, false, nil
	}
	if err != nil {
		return inquiry.Ticket{}, false, fmt.Errorf("latest ticket of chat %d: %w", chatID, err)
	}
	return tk, true, nil
}

// Entries returns a ticket's record in the order it was written.
func (t *Tx) Entries(ticketID int64) ([]inquiry.Entry, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	return entriesOf(ctx, t.tx, ticketID)
}

// FirstEntry returns the first inbound entry of a ticket: what the citizen
// originally wrote.
func (t *Tx) FirstEntry(ticketID int64) (inquiry.Entry, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	e, err := scanEntry(t.tx.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM entries
		WHERE ticket_id = $1 AND kind = $2 ORDER BY id LIMIT 1`, ticketID, string(inquiry.EntryInbound)))
	if errors.Is(err, sql.ErrNoRows) {
		return inquiry.Entry{}, false, nil
	}
	if err != nil {
		return inquiry.Entry{}, false, fmt.Errorf("first entry of ticket %d: %w", ticketID, err)
	}
	return e, true, nil
}

// LastEntries returns the newest limit entries of kind on a ticket, oldest
// first.
func (t *Tx) LastEntries(ticketID int64, kind inquiry.EntryKind, limit int) ([]inquiry.Entry, error) {
	if limit <= 0 {
		return nil, nil
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	rows, err := t.tx.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries
		WHERE ticket_id = $1 AND kind = $2 ORDER BY id DESC LIMIT $3`, ticketID, string(kind), limit)
	if err != nil {
		return nil, fmt.Errorf("last entries of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	var out []inquiry.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("last entries of ticket %d: %w", ticketID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("last entries of ticket %d: %w", ticketID, err)
	}
	slices.Reverse(out)
	return out, nil
}

// AddEntry appends e to its ticket's record and sets e.ID.
func (t *Tx) AddEntry(e *inquiry.Entry) error {
	t.searchDirty = true
	atts, err := attachmentsJSON(e.Attachments)
	if err != nil {
		return fmt.Errorf("add entry to ticket %d: %w", e.TicketID, err)
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	id, _, err := t.insert(ctx, `INSERT INTO entries (ticket_id, kind, source_id, message_id, author, subject, body,
			attachments, raw, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.TicketID, string(e.Kind), e.SourceID, e.MessageID, e.Author, e.Subject, e.Text,
		atts, nullBlob(e.Raw), formatTime(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("add entry to ticket %d: %w", e.TicketID, err)
	}
	e.ID = id
	return nil
}

// AddJob queues j and sets j.ID. An empty State becomes pending, a zero
// CreatedAt now, and a zero NextAt CreatedAt (due at once). A j.Key already
// taken is an error.
func (t *Tx) AddJob(j *inquiry.Job) error {
	_, err := t.insertJob(j, "")
	return err
}

// AddJobOnce queues j under key unless a job with that key exists; the
// unique index on job_key decides, so the check and the insert are one.
func (t *Tx) AddJobOnce(key string, j *inquiry.Job) (bool, error) {
	if key == "" {
		return false, fmt.Errorf("add %s job for %q once: empty key", j.Kind, j.Recipient)
	}
	prev := j.Key
	j.Key = key
	added, err := t.insertJob(j, ` ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO NOTHING`)
	if !added {
		j.Key = prev
	}
	return added, err
}

// insertJob writes j, with onConflict appended to the INSERT; it reports
// false when that clause skipped the row.
func (t *Tx) insertJob(j *inquiry.Job, onConflict string) (bool, error) {
	if j.State == "" {
		j.State = inquiry.JobPending
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = time.Now().UTC()
	}
	if j.NextAt.IsZero() {
		j.NextAt = j.CreatedAt
	}
	mail, mailText, chat, digest, err := payloadJSON(j)
	if err != nil {
		return false, fmt.Errorf("add %s job for %q: %w", j.Kind, j.Recipient, err)
	}
	delete(t.absent.recipients, kindRecipient{j.Kind, j.Recipient})
	var messageID, key any
	if j.Mail != nil && j.Mail.MessageID != "" {
		messageID = j.Mail.MessageID
		// A job's Message-ID is a thread reference (threadRefs).
		delete(t.absent.refs, j.Mail.MessageID)
	}
	if j.Key != "" {
		key = j.Key
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	id, inserted, err := t.insert(ctx, `INSERT INTO jobs (kind, ticket_id, recipient, mail, chat, message_id, state, attempts,
			next_at, last_error, created_at, finished_at, sent_ref, digest, job_key, mail_text)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`+onConflict,
		string(j.Kind), nullInt(j.TicketID), j.Recipient, mail, chat, messageID, string(j.State), j.Attempts,
		formatTime(j.NextAt), j.LastError, formatTime(j.CreatedAt), nullTime(j.FinishedAt), j.SentRef, digest, key, mailText)
	if err != nil {
		return false, fmt.Errorf("add %s job for %q: %w", j.Kind, j.Recipient, err)
	}
	if inserted {
		j.ID = id
	}
	return inserted, nil
}

// CountJobs counts jobs of kind for recipient created at or after since.
func (t *Tx) CountJobs(kind inquiry.JobKind, recipient string, since time.Time) (int, error) {
	if from, ok := t.absent.recipients[kindRecipient{kind, recipient}]; ok && !since.Before(from) {
		return 0, nil
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND recipient = $2 AND created_at >= $3`,
		string(kind), recipient, formatTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s jobs for %q: %w", kind, recipient, err)
	}
	return n, nil
}

// LatestJob returns the newest job of kind for recipient on a ticket.
func (t *Tx) LatestJob(ticketID int64, kind inquiry.JobKind, recipient string) (inquiry.Job, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	j, err := scanJob(t.tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE ticket_id = $1 AND recipient = $2 AND kind = $3 ORDER BY id DESC LIMIT 1`, ticketID, recipient, string(kind)))
	if errors.Is(err, sql.ErrNoRows) {
		return inquiry.Job{}, false, nil
	}
	if err != nil {
		return inquiry.Job{}, false, fmt.Errorf("latest %s job for %q on ticket %d: %w", kind, recipient, ticketID, err)
	}
	return j, true, nil
}

// JobByMessageID returns the job whose mail has Message-ID messageID.
func (t *Tx) JobByMessageID(messageID string) (inquiry.Job, bool, error) {
	if messageID == "" {
		return inquiry.Job{}, false, nil
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	j, err := scanJob(t.tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE message_id = $1 ORDER BY id LIMIT 1`, messageID))
	if errors.Is(err, sql.ErrNoRows) {
		return inquiry.Job{}, false, nil
	}
	if err != nil {
		return inquiry.Job{}, false, fmt.Errorf("job with Message-ID %q: %w", messageID, err)
	}
	return j, true, nil
}

// neverClaimed is the condition under which a job cannot have been sent:
// a claim counts an attempt, which only a claim given back untried
// (ReleaseJob, HoldJobs) takes back.
const neverClaimed = `state = 'pending' AND attempts = 0 AND claimed_by IS NULL`

// PendingJobs returns the never-claimed pending jobs of kind for recipient
// on a ticket, oldest first.
func (t *Tx) PendingJobs(ticketID int64, kind inquiry.JobKind, recipient string) ([]inquiry.Job, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	rows, err := t.tx.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE ticket_id = $1 AND recipient = $2 AND kind = $3 AND `+neverClaimed+` ORDER BY id`,
		ticketID, recipient, string(kind))
	if err != nil {
		return nil, fmt.Errorf("pending %s jobs for %q on ticket %d: %w", kind, recipient, ticketID, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("pending %s jobs for %q on ticket %d: %w", kind, recipient, ticketID, err)
	}
	return jobs, nil
}

// UpdatePendingJob rewrites a never-claimed job's payload and due time.
// The guard is in the UPDATE itself, so a claim racing with it (on a
// driver with concurrent writers) either comes first and wins, or sees the
// new payload.
func (t *Tx) UpdatePendingJob(j *inquiry.Job) (bool, error) {
	mail, mailText, chat, digest, err := payloadJSON(j)
	if err != nil {
		return false, fmt.Errorf("update job %d: %w", j.ID, err)
	}
	messageID := ""
	if j.Mail != nil {
		messageID = j.Mail.MessageID
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET mail = $2, chat = $3, digest = $4, next_at = $5, mail_text = $7
		WHERE id = $1 AND COALESCE(message_id, '') = $6 AND `+neverClaimed,
		j.ID, mail, chat, digest, formatTime(j.NextAt), messageID, mailText)
	if err != nil {
		return false, fmt.Errorf("update job %d: %w", j.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("update job %d: %w", j.ID, err)
	}
	if n == 1 {
		return true, nil
	}
	// Tell a changed Message-ID (a bug) from a claim that came first.
	var stored sql.NullString
	err = t.tx.QueryRowContext(ctx, `SELECT message_id FROM jobs WHERE id = $1`, j.ID).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("update job %d: no such job", j.ID)
	case err != nil:
		return false, fmt.Errorf("update job %d: %w", j.ID, err)
	case stored.String != messageID:
		return false, fmt.Errorf("update job %d: its Message-ID %q is fixed (got %q)", j.ID, stored.String, messageID)
	}
	return false, nil
}

// AddSetAside records a message that made no ticket and sets s.ID.
func (t *Tx) AddSetAside(s *inquiry.SetAside) error {
	ctx, cancel := t.callCtx()
	defer cancel()
	id, _, err := t.insert(ctx, `INSERT INTO set_aside (kind, source_id, from_addr, subject, reason, received_at, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		string(s.Kind), s.SourceID, s.From, s.Subject, s.Reason, formatTime(s.ReceivedAt), nullBlob(s.Raw))
	if err != nil {
		return fmt.Errorf("set aside %q: %w", s.SourceID, err)
	}
	s.ID = id
	return nil
}

// insert runs the one-row INSERT query and returns the new row's id, and
// false when its ON CONFLICT clause skipped the row. It reads the id from
// the connection (sqlite3_last_insert_rowid) rather than with RETURNING:
// database/sql starts a goroutine for every result set read in a
// transaction, and these inserts are most of a filed message's
// statements. Triggers that insert rows (the search index's) leave the
// connection's last id as the statement's own once they end.
func (t *Tx) insert(ctx context.Context, query string, args ...any) (id int64, inserted bool, err error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, fmt.Errorf("count inserted rows: %w", err)
	}
	if n == 0 {
		return 0, false, nil
	}
	id, err = res.LastInsertId()
	if err != nil {
		return 0, false, fmt.Errorf("read the inserted row's id: %w", err)
	}
	return id, true, nil
}

// params numbers placeholders for a statement built piece by piece.
type params struct{ args []any }

func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return fmt.Sprintf("$%d", len(p.args))
}

// listInt is list for integers.
func (p *params) listInt(vs []int64) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = p.add(v)
	}
	return strings.Join(ph, ", ")
}

func (p *params) list(vs []string) string {
	marks := make([]string, len(vs))
	for i, v := range vs {
		marks[i] = p.add(v)
	}
	return strings.Join(marks, ", ")
}

func nullBlob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func attachmentsJSON(atts []inquiry.Attachment) (any, error) {
	if len(atts) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(atts)
	if err != nil {
		return nil, fmt.Errorf("encode attachments: %w", err)
	}
	return string(b), nil
}

// payloadJSON is what a job's payload columns hold: its mail (without
// its text, store.EncodeJobMail) and the mail's text, its chat message and
// its digest, nil for NULL.
func payloadJSON(j *inquiry.Job) (mail, mailText, chat, digest any, err error) {
	if j.Mail != nil {
		if mail, mailText, err = store.EncodeJobMail(j.Mail); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("encode mail: %w", err)
		}
	}
	if j.Chat != nil {
		b, err := json.Marshal(j.Chat)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("encode chat message: %w", err)
		}
		chat = string(b)
	}
	if j.Digest != nil {
		b, err := json.Marshal(j.Digest)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("encode digest: %w", err)
		}
		digest = string(b)
	}
	return mail, mailText, chat, digest, nil
}

// SetEntryKind changes the kind of entry id (a held answer becomes an
// answer once it is sent).
func (t *Tx) SetEntryKind(id int64, kind inquiry.EntryKind) error {
	ctx, cancel := t.callCtx()
	defer cancel()
	res, err := t.tx.ExecContext(ctx, `UPDATE entries SET kind = $2 WHERE id = $1`, id, string(kind))
	if err != nil {
		return fmt.Errorf("set kind of entry %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("set kind of entry %d: no such entry", id)
	}
	return nil
}
