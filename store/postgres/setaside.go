package postgres

import (
	"context"
	"fmt"

	"sportel/inquiry"
)

// AddSetAside records a message that made no ticket and sets s.ID.
func (t *Tx) AddSetAside(s *inquiry.SetAside) error {
	ctx, cancel := t.callCtx()
	defer cancel()
	err := t.tx.QueryRow(ctx, `INSERT INTO set_aside (kind, source_id, from_addr, subject, reason, received_at,
			received_at_ns, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		string(s.Kind), text(s.SourceID), text(s.From), text(s.Subject), text(s.Reason),
		at(s.ReceivedAt), ns(s.ReceivedAt), s.Raw).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("set aside %q: %w", s.SourceID, err)
	}
	return nil
}

// ListSetAside returns set-aside messages of kind ("" = all), newest first,
// at most limit (0 = no cap).
func (s *Store) ListSetAside(ctx context.Context, kind inquiry.SetAsideKind, limit int) (_ []inquiry.SetAside, err error) {
	defer markBusy(&err)
	var p params
	query := `SELECT ` + setAsideColumns + ` FROM set_aside`
	if kind != "" {
		query += ` WHERE kind = ` + p.add(string(kind))
	}
	query += ` ORDER BY id DESC`
	if limit > 0 {
		query += ` LIMIT ` + p.add(limit)
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, query, p.args...)
	if err != nil {
		return nil, fmt.Errorf("list set-aside %s: %w", kind, err)
	}
	defer rows.Close()
	var out []inquiry.SetAside
	for rows.Next() {
		sa, err := scanSetAside(rows)
		if err != nil {
			return nil, fmt.Errorf("list set-aside %s: scan: %w", kind, err)
		}
		out = append(out, sa)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list set-aside %s: %w", kind, err)
	}
	return out, nil
}
