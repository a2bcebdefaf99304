package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// The web workspace's sessions, sign-in links, attempts and audit log
// (store.Web).

// AddSignInLink records a one-time sign-in link.
func (s *Store) AddSignInLink(ctx context.Context, tokenHash, officerID string, created, expires time.Time) (err error) {
	defer markBusy(&err)
	return s.withTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO web_signin_links (token_hash, officer_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`, tokenHash, officerID, formatTime(created), formatTime(expires))
		if err != nil {
			return fmt.Errorf("add sign-in link: %w", err)
		}
		return nil
	})
}

// UseSignInLink consumes a link in one UPDATE, so it is used once.
func (s *Store) UseSignInLink(ctx context.Context, tokenHash string, now time.Time) (_ string, _ bool, err error) {
	defer markBusy(&err)
	var officer string
	err = s.withTx(ctx, func(tx *Tx) error {
		err := tx.tx.QueryRowContext(tx.ctx, `UPDATE web_signin_links SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING officer_id`,
			tokenHash, formatTime(now)).Scan(&officer)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("use sign-in link: %w", err)
		}
		return nil
	})
	return officer, officer != "", err
}

// AllowSignInAttempt counts an attempt under keys unless one is at limit.
func (s *Store) AllowSignInAttempt(ctx context.Context, keys []string, now time.Time, window time.Duration, limit int) (_ bool, err error) {
	defer markBusy(&err)
	allowed := false
	err = s.withTx(ctx, func(tx *Tx) error {
		since := formatTime(now.Add(-window))
		for _, k := range keys {
			var n int
			if err := tx.tx.QueryRowContext(tx.ctx, `SELECT COUNT(*) FROM web_signin_attempts WHERE key = $1 AND at > $2`,
				k, since).Scan(&n); err != nil {
				return fmt.Errorf("count sign-in attempts: %w", err)
			}
			if n >= limit {
				return nil
			}
		}
		// Old attempts count for nothing; drop them as we go.
		if _, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM web_signin_attempts WHERE at <= $1`, since); err != nil {
			return fmt.Errorf("prune sign-in attempts: %w", err)
		}
		for _, k := range keys {
			if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO web_signin_attempts (key, at) VALUES ($1, $2)`,
				k, formatTime(now)); err != nil {
				return fmt.Errorf("record sign-in attempt: %w", err)
			}
		}
		allowed = true
		return nil
	})
	return allowed, err
}

// CreateSession stores a session and sets its ID.
func (s *Store) CreateSession(ctx context.Context, ws *store.WebSession) (err error) {
	defer markBusy(&err)
	return s.withTx(ctx, func(tx *Tx) error {
		err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO web_sessions (token_hash, officer_id, language, client_ip, created_at, last_seen)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			ws.TokenHash, ws.OfficerID, ws.Language, ws.ClientIP, formatTime(ws.CreatedAt), formatTime(ws.LastSeen)).Scan(&ws.ID)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

const sessionColumns = `id, token_hash, officer_id, language, client_ip, created_at, last_seen`

func scanSession(sc interface{ Scan(...any) error }) (store.WebSession, error) {
	var ws store.WebSession
	var created, seen string
	if err := sc.Scan(&ws.ID, &ws.TokenHash, &ws.OfficerID, &ws.Language, &ws.ClientIP, &created, &seen); err != nil {
		return ws, err
	}
	var err error
	if ws.CreatedAt, err = parseTime(created); err != nil {
		return ws, err
	}
	ws.LastSeen, err = parseTime(seen)
	return ws, err
}

// TouchSession finds a live session and records its use.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, now time.Time, limits store.SessionLimits) (_ store.WebSession, _ bool, err error) {
	defer markBusy(&err)
	var ws store.WebSession
	found := false
	err = s.withTx(ctx, func(tx *Tx) error {
		var err error
		ws, err = scanSession(tx.tx.QueryRowContext(tx.ctx, `UPDATE web_sessions SET last_seen = $2
			WHERE token_hash = $1 AND revoked_at IS NULL AND last_seen >= $3 AND created_at >= $4 RETURNING `+sessionColumns,
			tokenHash, formatTime(now), formatTime(now.Add(-limits.Idle)), oldestStart(limits, now)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("touch session: %w", err)
		}
		found = true
		return nil
	})
	return ws, found, err
}

// SetSessionLanguage records a session's language.
func (s *Store) SetSessionLanguage(ctx context.Context, id int64, lang string) (err error) {
	defer markBusy(&err)
	return s.withTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE web_sessions SET language = $2 WHERE id = $1`, id, lang); err != nil {
			return fmt.Errorf("set session language: %w", err)
		}
		return nil
	})
}

// ListSessions returns the live sessions, newest first.
func (s *Store) ListSessions(ctx context.Context, now time.Time, limits store.SessionLimits) (_ []store.WebSession, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM web_sessions
		WHERE revoked_at IS NULL AND last_seen >= $1 AND created_at >= $2 ORDER BY id DESC`,
		formatTime(now.Add(-limits.Idle)), oldestStart(limits, now))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []store.WebSession
	for rows.Next() {
		ws, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, ws)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// RevokeSession ends one session.
func (s *Store) RevokeSession(ctx context.Context, id int64, now time.Time) (_ bool, err error) {
	defer markBusy(&err)
	n, err := s.revoke(ctx, `id = $2`, now, id)
	return n > 0, err
}

// RevokeOfficerSessions ends every session of an officer.
func (s *Store) RevokeOfficerSessions(ctx context.Context, officerID string, now time.Time) (_ int, err error) {
	defer markBusy(&err)
	return s.revoke(ctx, `officer_id = $2`, now, officerID)
}

func (s *Store) revoke(ctx context.Context, where string, now time.Time, arg any) (int, error) {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(tx.ctx, `UPDATE web_sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND `+where,
			formatTime(now), arg)
		if err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// AddAudit appends to the audit log.
func (s *Store) AddAudit(ctx context.Context, e *store.AuditEntry) (err error) {
	defer markBusy(&err)
	return s.withTx(ctx, func(tx *Tx) error {
		err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO web_audit (officer_id, action, ticket, detail, at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, e.OfficerID, e.Action, e.Ticket, e.Detail, formatTime(e.At)).Scan(&e.ID)
		if err != nil {
			return fmt.Errorf("add audit entry: %w", err)
		}
		return nil
	})
}

// Audit returns the newest audit entries first.
func (s *Store) Audit(ctx context.Context, limit int) (_ []store.AuditEntry, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, officer_id, action, ticket, detail, at FROM web_audit ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &e.OfficerID, &e.Action, &e.Ticket, &e.Detail, &at); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// oldestStart is the earliest created_at of a live session, as text that
// sorts below every stored time when sessions have no maximum age.
func oldestStart(l store.SessionLimits, now time.Time) string {
	if t, ok := l.OldestStart(now); ok {
		return formatTime(t)
	}
	return ""
}

// ListTicketPage reads a page of f's list and where it stands in one read
// transaction, so the counts are of the list the page was cut from.
func (s *Store) ListTicketPage(ctx context.Context, f inquiry.TicketFilter, at store.PageAt) (_ store.TicketPage, err error) {
	defer markBusy(&err)
	if at.Size < 1 {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: page size %d", at.Size)
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: %w", err)
	}
	defer tx.Rollback()
	f.Limit = 0
	// The page before a place is the first Size after it in the list
	// read the other way round.
	read := f
	read.NewestFirst = f.NewestFirst != at.Back
	dir := "ASC"
	if read.NewestFirst {
		dir = "DESC"
	}
	var p params
	query := `SELECT ` + ticketColumns + ` FROM tickets` + afterKey(&p, read, at.Key) +
		` ORDER BY received_at ` + dir + `, id ` + dir + ` LIMIT ` + p.add(at.Size)
	rows, err := tx.QueryContext(ctx, query, p.args...)
	if err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: %w", err)
	}
	defer rows.Close()
	var pg store.TicketPage
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return store.TicketPage{}, fmt.Errorf("list a page of tickets: scan: %w", err)
		}
		pg.Tickets = append(pg.Tickets, tk)
	}
	if err := rows.Err(); err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: %w", err)
	}
	if at.Back {
		slices.Reverse(pg.Tickets)
	}
	p = params{}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`+ticketWhereClause(&p, f), p.args...).Scan(&pg.Total); err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: count: %w", err)
	}
	switch {
	case len(pg.Tickets) > 0:
		// Before the first is after it in the list read the other way.
		before := f
		before.NewestFirst = !f.NewestFirst
		first := store.KeyOf(pg.Tickets[0])
		p = params{}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`+afterKey(&p, before, &first), p.args...).Scan(&pg.Ahead); err != nil {
			return store.TicketPage{}, fmt.Errorf("list a page of tickets: count those before: %w", err)
		}
	case !at.Back:
		// Nothing after the place: the whole list is before it.
		pg.Ahead = pg.Total
	}
	return pg, nil
}

// afterKey is f's WHERE clause keeping only the tickets after key in f's
// order (every ticket when key is nil): a row value over the
// tickets_received index (received_at, id). The times are text of one
// width, so text order is time order.
func afterKey(p *params, f inquiry.TicketFilter, key *store.TicketKey) string {
	where := ticketWhereClause(p, f)
	if key == nil {
		return where
	}
	cmp := ">"
	if f.NewestFirst {
		cmp = "<"
	}
	cond := "(received_at, id) " + cmp + " (" + p.add(formatTime(key.ReceivedAt)) + ", " + p.add(key.ID) + ")"
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
}
