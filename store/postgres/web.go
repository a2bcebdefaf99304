package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
	"sportel/store"
)

// The web workspace's sessions, sign-in links, attempts and audit log
// (store.Web). Times are kept to the microsecond: nothing here needs more.

// AddSignInLink records a one-time sign-in link.
func (s *Store) AddSignInLink(ctx context.Context, tokenHash, officerID string, created, expires time.Time) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	_, err = s.pool.Exec(ctx, `INSERT INTO web_signin_links (token_hash, officer_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, tokenHash, officerID, at(created), at(expires))
	if err != nil {
		return fmt.Errorf("add sign-in link: %w", err)
	}
	return nil
}

// UseSignInLink consumes a link in one UPDATE, so it is used once.
func (s *Store) UseSignInLink(ctx context.Context, tokenHash string, now time.Time) (_ string, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var officer string
	err = s.pool.QueryRow(ctx, `UPDATE web_signin_links SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING officer_id`,
		tokenHash, at(now)).Scan(&officer)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("use sign-in link: %w", err)
	}
	return officer, true, nil
}

// webAttemptLock is the advisory lock space of sign-in attempt keys
// ("sportel-web"): a key's count and insert happen under its lock.
const webAttemptLock = 0x7765626c

// AllowSignInAttempt counts an attempt under keys unless one is at limit.
func (s *Store) AllowSignInAttempt(ctx context.Context, keys []string, now time.Time, window time.Duration, limit int) (_ bool, err error) {
	defer markBusy(&err)
	allowed := false
	// Locks are taken in one order, so two attempts never deadlock.
	sorted := slices.Sorted(slices.Values(keys))
	err = s.withTx(ctx, func(tx *Tx) error {
		ctx, cancel := tx.callCtx()
		defer cancel()
		since := at(now.Add(-window))
		for _, k := range sorted {
			if _, err := tx.tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, webAttemptLock, k); err != nil {
				return fmt.Errorf("lock sign-in attempts: %w", err)
			}
		}
		for _, k := range sorted {
			var n int
			if err := tx.tx.QueryRow(ctx, `SELECT COUNT(*) FROM web_signin_attempts WHERE key = $1 AND at > $2`, k, since).Scan(&n); err != nil {
				return fmt.Errorf("count sign-in attempts: %w", err)
			}
			if n >= limit {
				return nil
			}
		}
		if _, err := tx.tx.Exec(ctx, `DELETE FROM web_signin_attempts WHERE key = ANY($1) AND at <= $2`, sorted, since); err != nil {
			return fmt.Errorf("prune sign-in attempts: %w", err)
		}
		for _, k := range sorted {
			if _, err := tx.tx.Exec(ctx, `INSERT INTO web_signin_attempts (key, at) VALUES ($1, $2)`, k, at(now)); err != nil {
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
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	err = s.pool.QueryRow(ctx, `INSERT INTO web_sessions (token_hash, officer_id, language, client_ip, created_at, last_seen)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		ws.TokenHash, ws.OfficerID, text(ws.Language), text(ws.ClientIP), at(ws.CreatedAt), at(ws.LastSeen)).Scan(&ws.ID)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

const sessionColumns = `id, token_hash, officer_id, language, client_ip, created_at, last_seen`

func scanSession(row pgx.Row) (store.WebSession, error) {
	var ws store.WebSession
	err := row.Scan(&ws.ID, &ws.TokenHash, &ws.OfficerID, &ws.Language, &ws.ClientIP, &ws.CreatedAt, &ws.LastSeen)
	ws.CreatedAt, ws.LastSeen = ws.CreatedAt.UTC(), ws.LastSeen.UTC()
	return ws, err
}

// TouchSession finds a live session and records its use.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, now time.Time, limits store.SessionLimits) (_ store.WebSession, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	ws, err := scanSession(s.pool.QueryRow(ctx, `UPDATE web_sessions SET last_seen = $2
		WHERE token_hash = $1 AND revoked_at IS NULL AND last_seen >= $3 AND ($4::timestamptz IS NULL OR created_at >= $4)
		RETURNING `+sessionColumns,
		tokenHash, at(now), at(now.Add(-limits.Idle)), oldestStart(limits, now)))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.WebSession{}, false, nil
	}
	if err != nil {
		return store.WebSession{}, false, fmt.Errorf("touch session: %w", err)
	}
	return ws, true, nil
}

// SetSessionLanguage records a session's language.
func (s *Store) SetSessionLanguage(ctx context.Context, id int64, lang string) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	if _, err := s.pool.Exec(ctx, `UPDATE web_sessions SET language = $2 WHERE id = $1`, id, text(lang)); err != nil {
		return fmt.Errorf("set session language: %w", err)
	}
	return nil
}

// ListSessions returns the live sessions, newest first.
func (s *Store) ListSessions(ctx context.Context, now time.Time, limits store.SessionLimits) (_ []store.WebSession, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT `+sessionColumns+` FROM web_sessions
		WHERE revoked_at IS NULL AND last_seen >= $1 AND ($2::timestamptz IS NULL OR created_at >= $2) ORDER BY id DESC`,
		at(now.Add(-limits.Idle)), oldestStart(limits, now))
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
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `UPDATE web_sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND `+where, at(now), arg)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// AddAudit appends to the audit log.
func (s *Store) AddAudit(ctx context.Context, e *store.AuditEntry) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	err = s.pool.QueryRow(ctx, `INSERT INTO web_audit (officer_id, action, ticket, detail, at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, e.OfficerID, e.Action, text(e.Ticket), text(e.Detail), at(e.At)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	return nil
}

// Audit returns the newest audit entries first.
func (s *Store) Audit(ctx context.Context, limit int) (_ []store.AuditEntry, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id, officer_id, action, ticket, detail, at FROM web_audit ORDER BY id DESC LIMIT $1`, lim)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		if err := rows.Scan(&e.ID, &e.OfficerID, &e.Action, &e.Ticket, &e.Detail, &e.At); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// oldestStart is the earliest created_at of a live session, or nil (no
// maximum age).
func oldestStart(l store.SessionLimits, now time.Time) any {
	if t, ok := l.OldestStart(now); ok {
		return at(t)
	}
	return nil
}

// ListTicketPage reads a page of f's list and where it stands in one
// read-only transaction at REPEATABLE READ, so the counts are of the list
// the page was cut from.
func (s *Store) ListTicketPage(ctx context.Context, f inquiry.TicketFilter, at store.PageAt) (_ store.TicketPage, err error) {
	defer markBusy(&err)
	if at.Size < 1 {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: page size %d", at.Size)
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: %w", err)
	}
	defer func() {
		// Nothing was written; the rollback returns the connection even
		// when ctx ended the reads.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.callTimeout)
		defer cancel()
		_ = tx.Rollback(rctx)
	}()
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
	query := `SELECT ` + ticketColumns + ` FROM tickets` + afterKey(&p, read, at.Key) + ` ORDER BY received_at ` + dir +
		`, received_at_ns ` + dir + `, id ` + dir + ` LIMIT ` + p.add(at.Size)
	rows, err := tx.Query(ctx, query, p.args...)
	if err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: %w", err)
	}
	var pg store.TicketPage
	if pg.Tickets, err = scanTickets(rows); err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: %w", err)
	}
	if at.Back {
		slices.Reverse(pg.Tickets)
	}
	p = params{}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tickets`+ticketWhereClause(&p, f), p.args...).Scan(&pg.Total); err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: count: %w", err)
	}
	switch {
	case len(pg.Tickets) > 0:
		// Before the first is after it in the list read the other way.
		before := f
		before.NewestFirst = !f.NewestFirst
		first := store.KeyOf(pg.Tickets[0])
		p = params{}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tickets`+afterKey(&p, before, &first), p.args...).Scan(&pg.Ahead); err != nil {
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
// tickets_received index (received_at, received_at_ns, id).
func afterKey(p *params, f inquiry.TicketFilter, key *store.TicketKey) string {
	where := ticketWhereClause(p, f)
	if key == nil {
		return where
	}
	cmp := ">"
	if f.NewestFirst {
		cmp = "<"
	}
	cond := "(received_at, received_at_ns, id) " + cmp + " (" + p.add(at(key.ReceivedAt)) + ", " + p.add(ns(key.ReceivedAt)) + ", " + p.add(key.ID) + ")"
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
}
