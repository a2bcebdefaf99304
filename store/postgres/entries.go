package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
)

// Entries returns a ticket's record in the order it was written.
func (t *Tx) Entries(ticketID int64) ([]inquiry.Entry, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	return entriesOf(ctx, t.tx, ticketID)
}

// Entries returns a ticket's record in the order it was written.
func (s *Store) Entries(ctx context.Context, ticketID int64) (_ []inquiry.Entry, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return entriesOf(ctx, s.pool, ticketID)
}

// Entry returns one entry of a ticket's record.
func (s *Store) Entry(ctx context.Context, ticketID, entryID int64) (_ inquiry.Entry, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	e, err := scanEntry(s.pool.QueryRow(ctx, `SELECT `+entryColumns+` FROM entries WHERE id = $1 AND ticket_id = $2`,
		entryID, ticketID))
	if errors.Is(err, pgx.ErrNoRows) {
		return inquiry.Entry{}, false, nil
	}
	if err != nil {
		return inquiry.Entry{}, false, fmt.Errorf("read entry %d of ticket %d: %w", entryID, ticketID, err)
	}
	return e, true, nil
}

func entriesOf(ctx context.Context, q querier, ticketID int64) ([]inquiry.Entry, error) {
	rows, err := q.Query(ctx, `SELECT `+entryColumns+` FROM entries WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list entries of ticket %d: %w", ticketID, err)
	}
	entries, err := scanEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("list entries of ticket %d: %w", ticketID, err)
	}
	return entries, nil
}

// FirstEntry returns the first inbound entry of a ticket: what the citizen
// originally wrote.
func (t *Tx) FirstEntry(ticketID int64) (inquiry.Entry, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	e, err := scanEntry(t.tx.QueryRow(ctx, `SELECT `+entryColumns+` FROM entries
		WHERE ticket_id = $1 AND kind = $2 ORDER BY id LIMIT 1`, ticketID, string(inquiry.EntryInbound)))
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := t.tx.Query(ctx, `SELECT `+entryColumns+` FROM entries
		WHERE ticket_id = $1 AND kind = $2 ORDER BY id DESC LIMIT $3`, ticketID, string(kind), limit)
	if err != nil {
		return nil, fmt.Errorf("last entries of ticket %d: %w", ticketID, err)
	}
	out, err := scanEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("last entries of ticket %d: %w", ticketID, err)
	}
	slices.Reverse(out)
	return out, nil
}

// AddEntry appends e to its ticket's record and sets e.ID.
func (t *Tx) AddEntry(e *inquiry.Entry) error {
	atts, err := attachmentsJSON(e.Attachments)
	if err != nil {
		return fmt.Errorf("add entry to ticket %d: %w", e.TicketID, err)
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	err = t.tx.QueryRow(ctx, `INSERT INTO entries (ticket_id, kind, source_id, message_id, author, subject, body,
			attachments, raw, created_at, created_at_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		e.TicketID, string(e.Kind), text(e.SourceID), text(e.MessageID), text(e.Author), text(e.Subject), text(e.Text),
		atts, e.Raw, at(e.CreatedAt), ns(e.CreatedAt)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("add entry to ticket %d: %w", e.TicketID, err)
	}
	return nil
}

// SetEntryKind changes the kind of entry id (a held answer becomes an
// answer once it is sent).
func (t *Tx) SetEntryKind(id int64, kind inquiry.EntryKind) error {
	ctx, cancel := t.callCtx()
	defer cancel()
	tag, err := t.tx.Exec(ctx, `UPDATE entries SET kind = $2 WHERE id = $1`, id, string(kind))
	if err != nil {
		return fmt.Errorf("set kind of entry %d: %w", id, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("set kind of entry %d: no such entry", id)
	}
	return nil
}
