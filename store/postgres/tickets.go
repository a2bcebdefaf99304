package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
	"sportel/store"
)

// TicketByID returns the ticket with id, locked for the transaction (see
// lockTicket).
func (t *Tx) TicketByID(id int64) (inquiry.Ticket, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	return ticketWhere(ctx, t.tx, "id", id, lockTicket)
}

// TicketByNumber returns the ticket numbered number (e.g. DKP-2026-000042),
// locked for the transaction (see lockTicket).
func (t *Tx) TicketByNumber(number string) (inquiry.Ticket, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	return ticketWhere(ctx, t.tx, "number", text(number), lockTicket)
}

// lockTicket ends a ticket read in a transaction. Every change to a ticket
// reads it, changes it in Go and writes the row back; at READ COMMITTED two
// such transactions (an officer's mail command and a close from the web
// workspace, on any instance) would each write over the other. Locked,
// the second waits for the first and reads what it wrote. SQLite's one
// writer gives the same by itself.
const lockTicket = " FOR UPDATE"

// TicketByNumber returns the ticket numbered number.
func (s *Store) TicketByNumber(ctx context.Context, number string) (_ inquiry.Ticket, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return ticketWhere(ctx, s.pool, "number", text(number), "")
}

// TicketByID returns the ticket with id.
func (s *Store) TicketByID(ctx context.Context, id int64) (_ inquiry.Ticket, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return ticketWhere(ctx, s.pool, "id", id, "")
}

// NextSequence returns the next ticket sequence for prefix and year,
// starting at 1. The upsert locks the counter row until this transaction
// ends, so a concurrent filer waits and then counts on from the committed
// value (or from the same one, if this transaction rolled back): no number
// is given twice and none is skipped.
func (t *Tx) NextSequence(prefix string, year int) (int, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	var seq int
	err := t.tx.QueryRow(ctx, `INSERT INTO ticket_sequences (prefix, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (prefix, year) DO UPDATE SET last = ticket_sequences.last + 1
		RETURNING last`, prefix, year).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("next sequence %s-%d: %w", prefix, year, err)
	}
	return seq, nil
}

// RaiseSequence makes the last sequence for prefix and year at least last
// and returns it as it stands.
func (t *Tx) RaiseSequence(prefix string, year, last int) (int, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	var seq int
	err := t.tx.QueryRow(ctx, `INSERT INTO ticket_sequences (prefix, year, last) VALUES ($1, $2, $3)
		ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(ticket_sequences.last, EXCLUDED.last)
		RETURNING last`, prefix, year, last).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("raise sequence %s-%d to %d: %w", prefix, year, last, err)
	}
	return seq, nil
}

// is zero.
func (t *Tx) CreateTicket(tk *inquiry.Ticket) error {
	if tk.CreatedAt.IsZero() {
		tk.CreatedAt = time.Now().UTC()
	}
	lc, err := lifecycleArgs(tk)
	if err != nil {
		return fmt.Errorf("create ticket %s: %w", tk.Number, err)
	}
	args := append([]any{
		text(tk.Number), string(tk.Channel), text(tk.Sender.Name), text(tk.Sender.Address), tk.ChatID, text(tk.Subject),
		text(tk.MessageID), string(tk.Language), string(tk.Category), text(tk.Classifier), tk.Confidence, text(tk.Reason),
		tk.NeedsReview, tk.OfficerID, tk.Acted, string(tk.State), string(tk.Outcome),
		at(tk.ReceivedAt), ns(tk.ReceivedAt), atOrNull(tk.DueAt), ns(tk.DueAt), atOrNull(tk.AnsweredAt), ns(tk.AnsweredAt),
		atOrNull(tk.ClosedAt), ns(tk.ClosedAt), at(tk.UpdatedAt), ns(tk.UpdatedAt), text(tk.LinkedTo), text(tk.Mentions),
	}, lc...)
	args = append(args, at(tk.CreatedAt), ns(tk.CreatedAt))
	ctx, cancel := t.callCtx()
	defer cancel()
	err = t.tx.QueryRow(ctx, `INSERT INTO tickets (number, channel, sender_name, sender_address, chat_id, subject,
			message_id, language, category, classifier, confidence, reason, needs_review, officer_id, acted, state,
			outcome, received_at, received_at_ns, due_at, due_at_ns, answered_at, answered_at_ns, closed_at,
			closed_at_ns, updated_at, updated_at_ns, linked_to, mentions, `+lifecycleColumns+`, created_at, created_at_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41, $42, $43,
			$44, $45, $46, $47, $48)
		RETURNING id`, args...).Scan(&tk.ID)
	if err != nil {
		return fmt.Errorf("create ticket %s: %w", tk.Number, err)
	}
	return nil
}

// UpdateTicket writes every field of tk except its identity (ID, Number,
// Channel) and when it was filed (CreatedAt).
func (t *Tx) UpdateTicket(tk *inquiry.Ticket) error {
	lc, err := lifecycleArgs(tk)
	if err != nil {
		return fmt.Errorf("update ticket %d: %w", tk.ID, err)
	}
	args := append([]any{
		tk.ID, text(tk.Sender.Name), text(tk.Sender.Address), tk.ChatID, text(tk.Subject),
		text(tk.MessageID), string(tk.Language), string(tk.Category), text(tk.Classifier), tk.Confidence, text(tk.Reason),
		tk.NeedsReview, tk.OfficerID, tk.Acted, string(tk.State), string(tk.Outcome),
		at(tk.ReceivedAt), ns(tk.ReceivedAt), atOrNull(tk.DueAt), ns(tk.DueAt), atOrNull(tk.AnsweredAt), ns(tk.AnsweredAt),
		atOrNull(tk.ClosedAt), ns(tk.ClosedAt), at(tk.UpdatedAt), ns(tk.UpdatedAt), text(tk.LinkedTo), text(tk.Mentions),
	}, lc...)
	ctx, cancel := t.callCtx()
	defer cancel()
	tag, err := t.tx.Exec(ctx, `UPDATE tickets SET sender_name = $2, sender_address = $3, chat_id = $4, subject = $5,
			message_id = $6, language = $7, category = $8, classifier = $9, confidence = $10, reason = $11,
			needs_review = $12, officer_id = $13, acted = $14, state = $15, outcome = $16,
			received_at = $17, received_at_ns = $18, due_at = $19, due_at_ns = $20, answered_at = $21,
			answered_at_ns = $22, closed_at = $23, closed_at_ns = $24, updated_at = $25, updated_at_ns = $26,
			linked_to = $27, mentions = $28, (`+lifecycleColumns+`) = ROW($29, $30, $31, $32, $33, $34, $35, $36, $37,
			$38, $39, $40, $41, $42, $43, $44, $45)
		WHERE id = $1`, args...)
	if err != nil {
		return fmt.Errorf("update ticket %d: %w", tk.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("update ticket %d: no such ticket", tk.ID)
	}
	return nil
}

// LatestChatTicket returns the newest ticket (last filed) answered in a
// Telegram chat.
func (t *Tx) LatestChatTicket(chatID int64) (inquiry.Ticket, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	tk, err := scanTicket(t.tx.QueryRow(ctx, `SELECT `+ticketColumns+` FROM tickets
		WHERE chat_id = $1 ORDER BY id DESC LIMIT 1`+lockTicket, chatID))
	if errors.Is(err, pgx.ErrNoRows) {
		return inquiry.Ticket{}, false, nil
	}
	if err != nil {
		return inquiry.Ticket{}, false, fmt.Errorf("latest ticket of chat %d: %w", chatID, err)
	}
	return tk, true, nil
}

// CountTickets returns how many tickets there are.
func (s *Store) CountTickets(ctx context.Context) (_ int, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

// ListTickets returns the tickets matching f, ordered by ReceivedAt then ID.
func (s *Store) ListTickets(ctx context.Context, f inquiry.TicketFilter) (_ []inquiry.Ticket, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return listTickets(ctx, s.pool, f)
}

// ListTickets returns the tickets matching f as this transaction sees them
// (its own writes included), ordered by ReceivedAt then ID.
func (t *Tx) ListTickets(f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	return listTickets(ctx, t.tx, f)
}

// EachTicket calls fn with each ticket matching f as its row is read, in
// ListTickets's order; fn's error ends the read and is returned unchanged.
func (s *Store) EachTicket(ctx context.Context, f inquiry.TicketFilter, fn func(inquiry.Ticket) error) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	query, args := ticketListQuery(f)
	rows, err := s.pool.Query(ctx, query, args...)
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

// ticketListQuery is the query ListTickets runs for f, and its arguments.
func ticketListQuery(f inquiry.TicketFilter) (string, []any) {
	var p params
	query := `SELECT ` + ticketColumns + ` FROM tickets` + ticketWhereClause(&p, f)
	if f.NewestFirst {
		query += ` ORDER BY received_at DESC, received_at_ns DESC, id DESC`
	} else {
		query += ` ORDER BY received_at, received_at_ns, id`
	}
	if f.Limit > 0 {
		query += ` LIMIT ` + p.add(f.Limit)
	}
	return query, p.args
}

func listTickets(ctx context.Context, q querier, f inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	query, args := ticketListQuery(f)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	tickets, err := scanTickets(rows)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return tickets, nil
}

// ticketWhereClause is f's conditions as a WHERE clause ("" for none).
// Every text goes through text(), as it was stored: a filter from a
// hand-made request may carry a NUL, which PostgreSQL would refuse.
func ticketWhereClause(p *params, f inquiry.TicketFilter) string {
	var conds []string
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = text(string(st))
		}
		conds = append(conds, "state = ANY("+p.add(states)+")")
	}
	if f.OfficerID != "" {
		conds = append(conds, "officer_id = "+p.add(text(f.OfficerID)))
	}
	if f.Category != "" {
		conds = append(conds, "category = "+p.add(text(string(f.Category))))
	}
	if f.Channel != "" {
		conds = append(conds, "channel = "+p.add(text(string(f.Channel))))
	}
	if f.SenderAddress != "" {
		// ASCII case only, whatever the database's locale (migration 0017).
		conds = append(conds, `lower(sender_address COLLATE "C") = lower(`+p.add(text(f.SenderAddress))+` COLLATE "C")`)
	}
	if f.ChatID != 0 {
		conds = append(conds, "chat_id = "+p.add(f.ChatID))
	}
	if f.Language != "" {
		conds = append(conds, "language = "+p.add(text(string(f.Language))))
	}
	// A time is its microseconds and the nanoseconds beyond: compared as
	// a pair, to the nanosecond.
	if !f.ReceivedFrom.IsZero() {
		conds = append(conds, "(received_at, received_at_ns) >= ("+p.add(at(f.ReceivedFrom))+", "+p.add(ns(f.ReceivedFrom))+")")
	}
	if !f.ReceivedBefore.IsZero() {
		conds = append(conds, "(received_at, received_at_ns) < ("+p.add(at(f.ReceivedBefore))+", "+p.add(ns(f.ReceivedBefore))+")")
	}
	if !f.CreatedFrom.IsZero() {
		conds = append(conds, "(created_at, created_at_ns) >= ("+p.add(at(f.CreatedFrom))+", "+p.add(ns(f.CreatedFrom))+")")
	}
	if !f.CreatedBefore.IsZero() {
		conds = append(conds, "(created_at, created_at_ns) < ("+p.add(at(f.CreatedBefore))+", "+p.add(ns(f.CreatedBefore))+")")
	}
	if !f.DueFrom.IsZero() {
		conds = append(conds, "(due_at, due_at_ns) >= ("+p.add(at(f.DueFrom))+", "+p.add(ns(f.DueFrom))+")")
	}
	if !f.DueBefore.IsZero() {
		// A NULL due_at (no deadline) makes the comparison NULL: not due.
		conds = append(conds, "(due_at, due_at_ns) < ("+p.add(at(f.DueBefore))+", "+p.add(ns(f.DueBefore))+")")
	}
	if f.Urgent {
		conds = append(conds, "urgent")
	}
	conds = append(conds, searchConds(p, f.Text)...)
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + joinAnd(conds)
}

// searchConds gives one condition per word of text: the ticket's subject or
// one of its entries holds it (the last word as a prefix). The expressions
// are those of the indexes (migrations 0003 and 0016), so the planner uses
// them. sportel_fold leaves letters and digits only, so to_tsquery reads no
// syntax in a word; but a letter it does not keep (ℓ, one beyond U+FFFF)
// splits a word or leaves none, and to_tsquery refuses "a b" and ":*".
// The folded word is therefore its pieces in a row (a <-> b), and a word
// left with no piece is NULL, which no text matches: none can hold it.
func searchConds(p *params, text string) []string {
	words := store.SearchWords(text)
	conds := make([]string, len(words))
	for i, w := range words {
		// A word matches in any of its spellings (dj and d: sportel_fold
		// folds đ to d).
		var alts []string
		for _, v := range store.SpellingVariants(w) {
			term := "array_to_string(string_to_array(nullif(btrim(sportel_fold(" + p.add(v) + "::text)), ''), ' '), ' <-> ')"
			if i == len(words)-1 {
				term += " || ':*'"
			}
			alts = append(alts, "'(' || "+term+" || ')'")
		}
		q := "to_tsquery('simple', " + strings.Join(alts, " || ' | ' || ") + ")"
		conds[i] = "id IN (SELECT id FROM tickets WHERE to_tsvector('simple', sportel_fold(left(subject, 100000))) @@ " + q +
			" UNION SELECT ticket_id FROM entries WHERE to_tsvector('simple', sportel_fold(left(subject || ' ' || body, 100000))) @@ " + q + ")"
	}
	return conds
}
