package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/store"
)

// SourceTicket reports whether sourceID was taken in, and its ticket (0: none).
func (t *Tx) SourceTicket(sourceID string) (int64, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	var ticketID *int64
	err := t.tx.QueryRow(ctx, `SELECT ticket_id FROM sources WHERE source_id = $1`, text(sourceID)).Scan(&ticketID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up source %q: %w", sourceID, err)
	}
	if ticketID == nil {
		return 0, true, nil
	}
	return *ticketID, true, nil
}

// MarkSource records that sourceID was taken in (ticketID 0: no ticket). A
// second mark of the same source fails with ErrSourceTaken. When another
// transaction has marked it but not yet committed, the insert waits for it:
// of two instances racing on one message, one commits and the other is
// told.
func (t *Tx) MarkSource(sourceID string, ticketID int64, when time.Time) error {
	ctx, cancel := t.callCtx()
	defer cancel()
	var tid any
	if ticketID != 0 {
		tid = ticketID
	}
	var got string
	err := t.tx.QueryRow(ctx, `INSERT INTO sources (source_id, ticket_id, taken_at) VALUES ($1, $2, $3)
		ON CONFLICT (source_id) DO NOTHING RETURNING source_id`,
		text(sourceID), tid, at(when)).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("mark source %q: %w", sourceID, store.ErrSourceTaken)
	}
	if err != nil {
		return fmt.Errorf("mark source %q: %w", sourceID, err)
	}
	return nil
}

// SourcesTaken reports which of sourceIDs were taken in.
func (s *Store) SourcesTaken(ctx context.Context, sourceIDs []string) (_ map[string]bool, err error) {
	defer markBusy(&err)
	taken := make(map[string]bool)
	if len(sourceIDs) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("look up sources: %w", err)
		}
		return taken, nil
	}
	// A stored id had its NULs replaced: look it up the same way and
	// answer in the caller's terms.
	asked := make(map[string]string, len(sourceIDs))
	list := make([]string, len(sourceIDs))
	for i, id := range sourceIDs {
		list[i] = text(id)
		asked[list[i]] = id
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT source_id FROM sources WHERE source_id = ANY($1)`, list)
	if err != nil {
		return nil, fmt.Errorf("look up %d sources: %w", len(sourceIDs), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("look up sources: scan: %w", err)
		}
		taken[asked[id]] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up %d sources: %w", len(sourceIDs), err)
	}
	return taken, nil
}
