package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// recordPageQuery reads a page of a ticket's record newest first, one row
// more than the page to learn whether older entries exist. PostgreSQL
// drops what a page must not carry: octet_length of a bytea reads its
// size, not its bytes, and each attachment's content (a Telegram file's
// base64) becomes has_content. That is done on the column's text, not by
// PostgreSQL's JSON functions: they fail on the \u0000 a file's name may
// hold (as jsonb refuses it). The text is json.Marshal's (attachmentsJSON):
// a "content" key with a base64 string, never the first key, and a quote
// inside a string is escaped, so only a key can match.
const recordPageQuery = `SELECT id, ticket_id, kind, source_id, message_id, author, subject, body,
	regexp_replace(attachments::text, ',\s*"content"\s*:\s*"[^"\\]*"', ',"has_content":true', 'g'),
	coalesce(octet_length(raw), 0)::bigint, created_at, created_at_ns
	FROM entries WHERE ticket_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`

// RecordPage returns the newest limit entries of a ticket's record below
// before (0: from the newest), oldest first, without raw mail or files'
// bytes, and whether older entries exist.
func (s *Store) RecordPage(ctx context.Context, ticketID, before int64, limit int) (_ []store.RecordEntry, _ bool, err error) {
	defer markBusy(&err)
	if limit < 1 {
		return nil, false, fmt.Errorf("read a page of ticket %d's record: limit %d is not at least 1", ticketID, limit)
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, recordPageQuery, ticketID, before, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("read a page of ticket %d's record: %w", ticketID, err)
	}
	defer rows.Close()
	var out []store.RecordEntry
	for rows.Next() {
		var (
			e         store.RecordEntry
			kind      string
			files     []byte
			created   *time.Time
			createdNs int16
		)
		if err := rows.Scan(&e.ID, &e.TicketID, &kind, &e.SourceID, &e.MessageID, &e.Author, &e.Subject, &e.Text,
			&files, &e.RawSize, &created, &createdNs); err != nil {
			return nil, false, fmt.Errorf("read a page of ticket %d's record: scan: %w", ticketID, err)
		}
		e.Kind = inquiry.EntryKind(kind)
		if files != nil {
			if err := json.Unmarshal(files, &e.Files); err != nil {
				return nil, false, fmt.Errorf("read a page of ticket %d's record: entry %d: decode attachments: %w", ticketID, e.ID, err)
			}
			for i := range e.Files {
				// Content written otherwise than attachmentsJSON does (the
				// contract test holds that it never is) still counts.
				e.Files[i].HasContent = e.Files[i].HasContent || e.Files[i].Content != nil
			}
		}
		e.CreatedAt = instant(created, createdNs)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read a page of ticket %d's record: %w", ticketID, err)
	}
	older := len(out) > limit
	if older {
		out = out[:limit]
	}
	slices.Reverse(out)
	return out, older, nil
}
