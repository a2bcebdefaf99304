package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// ListTickets returns the tickets matching f, ordered by ReceivedAt then ID.
func (s *Store) ListTickets(ctx context.Context, f inquiry.TicketFilter) (_ []inquiry.Ticket, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return listTickets(ctx, s.db, f)
}

// EachTicket calls fn with each ticket matching f as its row is read, in
// ListTickets's order; fn's error ends the read and is returned unchanged.
func (s *Store) EachTicket(ctx context.Context, f inquiry.TicketFilter, fn func(inquiry.Ticket) error) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	query, args := ticketListQuery(f)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return fmt.Errorf("read tickets: scan: %w", err)
		}
		if err := fn(tk); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read tickets: %w", err)
	}
	return nil
}

func listTickets(ctx context.Context, q querier, f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	query, args := ticketListQuery(f)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	var tickets []inquiry.Ticket
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("list tickets: scan: %w", err)
		}
		tickets = append(tickets, tk)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return tickets, nil
}

// ticketWhereClause is f's conditions as a WHERE clause ("" for none).
func ticketWhereClause(p *params, f inquiry.TicketFilter) string {
	var conds []string
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		conds = append(conds, "state IN ("+p.list(states)+")")
	}
	if f.OfficerID != "" {
		conds = append(conds, "officer_id = "+p.add(f.OfficerID))
	}
	if f.Category != "" {
		conds = append(conds, "category = "+p.add(string(f.Category)))
	}
	if f.Channel != "" {
		conds = append(conds, "channel = "+p.add(string(f.Channel)))
	}
	if f.SenderAddress != "" {
		conds = append(conds, "lower(sender_address) = lower("+p.add(f.SenderAddress)+")")
	}
	if f.ChatID != 0 {
		conds = append(conds, "chat_id = "+p.add(f.ChatID))
	}
	if f.Language != "" {
		conds = append(conds, "language = "+p.add(string(f.Language)))
	}
	// Times are text of one width, so text order is time order.
	if !f.ReceivedFrom.IsZero() {
		conds = append(conds, "received_at >= "+p.add(formatTime(f.ReceivedFrom)))
	}
	if !f.ReceivedBefore.IsZero() {
		conds = append(conds, "received_at < "+p.add(formatTime(f.ReceivedBefore)))
	}
	if !f.CreatedFrom.IsZero() {
		conds = append(conds, "created_at >= "+p.add(formatTime(f.CreatedFrom)))
	}
	if !f.CreatedBefore.IsZero() {
		conds = append(conds, "created_at < "+p.add(formatTime(f.CreatedBefore)))
	}
	if !f.DueFrom.IsZero() {
		conds = append(conds, "due_at >= "+p.add(formatTime(f.DueFrom)))
	}
	if !f.DueBefore.IsZero() {
		// NULL (no deadline) compares to nothing: it is not due.
		conds = append(conds, "due_at < "+p.add(formatTime(f.DueBefore)))
	}
	if f.Urgent {
		conds = append(conds, "urgent")
	}
	conds = append(conds, searchConds(p, f.Text)...)
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(conds, " AND ")
}

// searchConds gives one condition per word of text: the ticket's subject
// or one of its entries holds it (the last word as a prefix). Each word is
// a quoted FTS5 string, so nothing the user types is read as query syntax.
func searchConds(p *params, text string) []string {
	words := store.SearchWords(text)
	conds := make([]string, len(words))
	for i, w := range words {
		// A word matches in any of its spellings (đ, dj, d): FTS5 folds
		// diacritics that decompose, and đ does not.
		var alts []string
		for _, v := range store.SpellingVariants(w) {
			alt := `"` + v + `"`
			if i == len(words)-1 {
				alt += "*"
			}
			alts = append(alts, alt)
		}
		match := strings.Join(alts, " OR ")
		conds[i] = "id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH " + p.add(match) +
			" UNION SELECT e.ticket_id FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid WHERE entries_fts MATCH " + p.add(match) + ")"
	}
	return conds
}

// TicketByNumber returns the ticket numbered number.
func (s *Store) TicketByNumber(ctx context.Context, number string) (_ inquiry.Ticket, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return ticketWhere(ctx, s.db, "number", number)
}

// TicketByID returns the ticket with id.
func (s *Store) TicketByID(ctx context.Context, id int64) (_ inquiry.Ticket, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return ticketWhere(ctx, s.db, "id", id)
}

// ThreadRef returns what ref points at.
func (s *Store) ThreadRef(ctx context.Context, ref string) (_ inquiry.ThreadRef, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	found, err := threadRefs(ctx, s.db, []string{ref})
	if err != nil {
		return inquiry.ThreadRef{}, false, err
	}
	tr, ok := found[ref]
	return tr, ok, nil
}

// ThreadRefs is ThreadRef of several refs, refChunk of them a statement.
func (s *Store) ThreadRefs(ctx context.Context, refs []string) (_ map[string]inquiry.ThreadRef, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	found := make(map[string]inquiry.ThreadRef)
	for start := 0; start < len(refs); start += refChunk {
		part, err := threadRefs(ctx, s.db, refs[start:min(start+refChunk, len(refs))])
		if err != nil {
			return nil, err
		}
		maps.Copy(found, part)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("find thread refs: %w", err)
	}
	return found, nil
}

// SourcesTaken reports which of sourceIDs were taken in.
func (s *Store) SourcesTaken(ctx context.Context, sourceIDs []string) (_ map[string]bool, err error) {
	defer markBusy(&err)
	taken := make(map[string]bool)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	for start := 0; start < len(sourceIDs); start += refChunk {
		var p params
		list := p.list(sourceIDs[start:min(start+refChunk, len(sourceIDs))])
		rows, err := s.db.QueryContext(ctx, `SELECT source_id FROM sources WHERE source_id IN (`+list+`)`, p.args...)
		if err != nil {
			return nil, fmt.Errorf("look up %d sources: %w", len(sourceIDs), err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("look up sources: scan: %w", err)
			}
			taken[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("look up %d sources: %w", len(sourceIDs), err)
		}
	}
	return taken, nil
}

// CountTickets returns how many tickets there are.
func (s *Store) CountTickets(ctx context.Context) (_ int, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

// Entries returns a ticket's record in the order it was written.
func (s *Store) Entries(ctx context.Context, ticketID int64) (_ []inquiry.Entry, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return entriesOf(ctx, s.db, ticketID)
}

// Entry returns one entry of a ticket's record.
func (s *Store) Entry(ctx context.Context, ticketID, entryID int64) (_ inquiry.Entry, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	e, err := scanEntry(s.db.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM entries WHERE id = $1 AND ticket_id = $2`,
		entryID, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return inquiry.Entry{}, false, nil
	}
	if err != nil {
		return inquiry.Entry{}, false, fmt.Errorf("read entry %d of ticket %d: %w", entryID, ticketID, err)
	}
	return e, true, nil
}

func entriesOf(ctx context.Context, q querier, ticketID int64) ([]inquiry.Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+entryColumns+` FROM entries WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list entries of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	var entries []inquiry.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("list entries of ticket %d: scan: %w", ticketID, err)
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list entries of ticket %d: %w", ticketID, err)
	}
	return entries, nil
}

// TicketJobs returns the jobs a ticket caused, oldest first.
func (s *Store) TicketJobs(ctx context.Context, ticketID int64) (_ []inquiry.Job, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list jobs of ticket %d: %w", ticketID, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("list jobs of ticket %d: %w", ticketID, err)
	}
	return jobs, nil
}

// listJobsQuery is ListJobs's statement. The state is written into it, so
// that SQLite can use the partial index of pending jobs (jobs_due) or of
// failed ones (jobs_failed); a parameter would hide which.
func listJobsQuery(state inquiry.JobState, limit int) (string, []any) {
	var p params
	query := `SELECT ` + jobColumns + ` FROM jobs`
	switch state {
	case "":
	case inquiry.JobPending, inquiry.JobDone, inquiry.JobFailed, inquiry.JobCancelled:
		query += ` WHERE state = '` + string(state) + `'`
	default:
		// No job is in it; bound, as any text from a caller is.
		query += ` WHERE state = ` + p.add(string(state))
	}
	query += ` ORDER BY id DESC`
	if limit > 0 {
		query += ` LIMIT ` + p.add(limit)
	}
	return query, p.args
}

// ListJobs returns jobs in state ("" = any), newest first, at most limit
// (0 = no cap).
func (s *Store) ListJobs(ctx context.Context, state inquiry.JobState, limit int) (_ []inquiry.Job, err error) {
	defer markBusy(&err)
	query, args := listJobsQuery(state, limit)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", state, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", state, err)
	}
	return jobs, nil
}

// FailedJobs counts the jobs failed for good with FinishedAt in [from,
// before) and returns the first limit of them (0: all) by FinishedAt, the
// newest id first among equal times. The count is a window over the same
// rows, so both come from one statement's snapshot.
func (s *Store) FailedJobs(ctx context.Context, from, before time.Time, limit int) (_ []inquiry.Job, _ int, err error) {
	defer markBusy(&err)
	query, args := failedJobsQuery(from, before, limit)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list failed jobs: %w", err)
	}
	defer rows.Close()
	var list []jobRow
	total := 0
	for rows.Next() {
		row, err := scanJobRow(withTotal{rows, &total})
		if err != nil {
			return nil, 0, fmt.Errorf("list failed jobs: scan: %w", err)
		}
		list = append(list, row)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list failed jobs: %w", err)
	}
	jobs, err := decodeJobs(list)
	if err != nil {
		return nil, 0, fmt.Errorf("list failed jobs: %w", err)
	}
	return jobs, total, nil
}

// failedJobsQuery is the query FailedJobs runs, and its arguments. Times
// are text of one width, so text order is time order.
func failedJobsQuery(from, before time.Time, limit int) (string, []any) {
	var p params
	query := `SELECT ` + jobColumns + `, COUNT(*) OVER () FROM jobs WHERE state = 'failed' AND finished_at >= ` +
		p.add(formatTime(from)) + ` AND finished_at < ` + p.add(formatTime(before)) + ` ORDER BY finished_at, id DESC`
	if limit > 0 {
		query += ` LIMIT ` + p.add(limit)
	}
	return query, p.args
}

// withTotal scans a job row followed by a count column into total.
type withTotal struct {
	r     rowScanner
	total *int
}

func (w withTotal) Scan(dest ...any) error { return w.r.Scan(append(dest, w.total)...) }

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
	rows, err := s.db.QueryContext(ctx, query, p.args...)
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

// LoadCheckpoint returns the IMAP position saved under key, zeros when none.
func (s *Store) LoadCheckpoint(ctx context.Context, key string) (uidValidity uint32, lastUID uint32, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var v, u int64
	err = s.db.QueryRowContext(ctx, `SELECT uid_validity, last_uid FROM checkpoints WHERE key = $1`, key).Scan(&v, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("load checkpoint %q: %w", key, err)
	}
	return uint32(v), uint32(u), nil
}

// SaveCheckpoint stores the IMAP position under key.
func (s *Store) SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = s.wdb.ExecContext(ctx, `INSERT INTO checkpoints (key, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (key) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
			updated_at = excluded.updated_at`,
		key, int64(uidValidity), int64(lastUID), formatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("save checkpoint %q: %w", key, err)
	}
	return nil
}

// GetState returns the value stored under key.
func (s *Store) GetState(ctx context.Context, key string) (_ string, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var v string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM kv_state WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("get state %q: %w", key, err)
	}
	return v, true, nil
}

// SetState stores value under key, replacing any earlier value.
func (s *Store) SetState(ctx context.Context, key, value string) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	_, err = s.wdb.ExecContext(ctx, `INSERT INTO kv_state (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, formatTime(time.Now()))
	if err != nil {
		return fmt.Errorf("set state %q: %w", key, err)
	}
	return nil
}

// queueJobsSQL counts pending and failed jobs and finds the oldest due one,
// through the partial indexes of pending and failed jobs.
const queueJobsSQL = `SELECT
		(SELECT COUNT(*) FROM jobs WHERE state = 'pending'),
		(SELECT COUNT(*) FROM jobs WHERE state = 'failed'),
		(SELECT MIN(next_at) FROM jobs WHERE state = 'pending' AND next_at <= $1)`

// QueueStats counts open tickets, deadlines and outbox jobs in one read
// transaction, so the figures agree with each other.
func (s *Store) QueueStats(ctx context.Context, now time.Time) (_ store.QueueStats, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return store.QueueStats{}, fmt.Errorf("queue stats: %w", err)
	}
	defer tx.Rollback()
	var q store.QueueStats
	nowText, soon := formatTime(now), formatTime(now.Add(48*time.Hour))
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN due_at >= $1 AND due_at < $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0)
		FROM tickets WHERE state IN ('assigned', 'answered')`, nowText, soon).Scan(&q.Open, &q.DueSoon, &q.Overdue); err != nil {
		return store.QueueStats{}, fmt.Errorf("queue stats: count tickets: %w", err)
	}
	var oldest sql.NullString
	if err := tx.QueryRowContext(ctx, queueJobsSQL, nowText).Scan(&q.PendingJobs, &q.FailedJobs, &oldest); err != nil {
		return store.QueueStats{}, fmt.Errorf("queue stats: count jobs: %w", err)
	}
	if q.OldestDue, err = parseNullTime(oldest); err != nil {
		return store.QueueStats{}, fmt.Errorf("queue stats: %w", err)
	}
	return q, nil
}

// ticketListQuery is the query ListTickets runs for f, and its arguments.
func ticketListQuery(f inquiry.TicketFilter) (string, []any) {
	var p params
	query := `SELECT ` + ticketColumns + ` FROM tickets` + ticketWhereClause(&p, f)
	if f.NewestFirst {
		query += ` ORDER BY received_at DESC, id DESC`
	} else {
		query += ` ORDER BY received_at, id`
	}
	if f.Limit > 0 {
		query += ` LIMIT ` + p.add(f.Limit)
	}
	return query, p.args
}
