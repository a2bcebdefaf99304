package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"sportel/inquiry"
	"sportel/store"
)

// recordPageQuery reads a page of a ticket's record newest first, one row
// more than the page to learn whether older entries exist. SQLite drops
// what a page must not carry: length() of a blob reads its size, not its
// bytes, and each attachment's JSON object loses its content (a Telegram
// file's base64), gaining has_content in its stead.
const recordPageQuery = `SELECT id, ticket_id, kind, source_id, message_id, author, subject, body,
	(SELECT json_group_array(json_set(json_remove(a.value, '$.content'), '$.has_content',
			json(iif(json_type(a.value, '$.content') = 'text', 'true', 'false'))) ORDER BY a.key)
		FROM json_each(CASE json_type(entries.attachments) WHEN 'array' THEN entries.attachments END) AS a),
	coalesce(length(raw), 0), created_at
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
	rows, err := s.db.QueryContext(ctx, recordPageQuery, ticketID, before, limit+1)
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
			createdAt string
		)
		if err := rows.Scan(&e.ID, &e.TicketID, &kind, &e.SourceID, &e.MessageID, &e.Author, &e.Subject, &e.Text,
			&files, &e.RawSize, &createdAt); err != nil {
			return nil, false, fmt.Errorf("read a page of ticket %d's record: scan: %w", ticketID, err)
		}
		e.Kind = inquiry.EntryKind(kind)
		if err := json.Unmarshal(files, &e.Files); err != nil {
			return nil, false, fmt.Errorf("read a page of ticket %d's record: entry %d: decode attachments: %w", ticketID, e.ID, err)
		}
		if len(e.Files) == 0 {
			e.Files = nil
		}
		if e.CreatedAt, err = parseTime(createdAt); err != nil {
			return nil, false, fmt.Errorf("read a page of ticket %d's record: entry %d: %w", ticketID, e.ID, err)
		}
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
