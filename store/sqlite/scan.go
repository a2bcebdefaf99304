package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"sportel/inquiry"
	"sportel/store"
)

// Column lists and their scanners are kept side by side so they cannot drift.

const ticketColumns = `id, number, channel, sender_name, sender_address, chat_id, subject, message_id, language,
	category, classifier, confidence, reason, needs_review, officer_id, acted, state, outcome, received_at, created_at, due_at,
	answered_at, closed_at, updated_at, linked_to, mentions, urgent, ext_days, ext_reason, ext_due_at, ext_at, ext_by,
	not_held_at, not_held_holder, not_held_by, ground, decided_at, decision_in_answer, complaints`

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanTicket(r rowScanner) (inquiry.Ticket, error) {
	var (
		tk                           inquiry.Ticket
		received, updated            string
		created                      sql.NullString
		due, answered, closed        sql.NullString
		channel, lang, cat, st, outc string
		ext                          inquiry.Extension
		extDue, extAt                sql.NullString
		notHeld                      inquiry.NotHeldMark
		notHeldAt, decided           sql.NullString
		complaints                   sql.NullString
	)
	err := r.Scan(&tk.ID, &tk.Number, &channel, &tk.Sender.Name, &tk.Sender.Address, &tk.ChatID, &tk.Subject,
		&tk.MessageID, &lang, &cat, &tk.Classifier, &tk.Confidence, &tk.Reason, &tk.NeedsReview, &tk.OfficerID,
		&tk.Acted, &st, &outc,
		&received, &created, &due, &answered, &closed, &updated, &tk.LinkedTo, &tk.Mentions,
		&tk.Urgent, &ext.Days, &ext.Reason, &extDue, &extAt, &ext.By,
		&notHeldAt, &notHeld.Holder, &notHeld.By, &tk.Ground, &decided, &tk.DecisionInAnswer, &complaints)
	if err != nil {
		return inquiry.Ticket{}, err
	}
	tk.Channel, tk.Language, tk.Category = inquiry.Channel(channel), inquiry.Language(lang), inquiry.Category(cat)
	tk.State, tk.Outcome = inquiry.State(st), inquiry.Outcome(outc)
	if tk.ReceivedAt, err = parseTime(received); err != nil {
		return inquiry.Ticket{}, err
	}
	if tk.CreatedAt, err = parseNullTime(created); err != nil {
		return inquiry.Ticket{}, err
	}
	if tk.UpdatedAt, err = parseTime(updated); err != nil {
		return inquiry.Ticket{}, err
	}
	if tk.DueAt, err = parseNullTime(due); err != nil {
		return inquiry.Ticket{}, err
	}
	if tk.AnsweredAt, err = parseNullTime(answered); err != nil {
		return inquiry.Ticket{}, err
	}
	if tk.ClosedAt, err = parseNullTime(closed); err != nil {
		return inquiry.Ticket{}, err
	}
	if ext.Days > 0 {
		if ext.DueAt, err = parseNullTime(extDue); err != nil {
			return inquiry.Ticket{}, err
		}
		if ext.At, err = parseNullTime(extAt); err != nil {
			return inquiry.Ticket{}, err
		}
		tk.Extension = &ext
	}
	if notHeldAt.Valid {
		if notHeld.At, err = parseTime(notHeldAt.String); err != nil {
			return inquiry.Ticket{}, err
		}
		tk.NotHeldMark = &notHeld
	}
	if tk.DecidedAt, err = parseNullTime(decided); err != nil {
		return inquiry.Ticket{}, err
	}
	if complaints.Valid {
		if err := json.Unmarshal([]byte(complaints.String), &tk.Complaints); err != nil {
			return inquiry.Ticket{}, fmt.Errorf("ticket %d: decode complaints: %w", tk.ID, err)
		}
	}
	return tk, nil
}

// ticketWhere loads one ticket by a unique column (id or number); column is
// never user input.
func ticketWhere(ctx context.Context, q querier, column string, value any) (inquiry.Ticket, bool, error) {
	tk, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE `+column+` = $1`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return inquiry.Ticket{}, false, nil
	}
	if err != nil {
		return inquiry.Ticket{}, false, fmt.Errorf("load ticket by %s %v: %w", column, value, err)
	}
	return tk, true, nil
}

const jobColumns = `id, kind, ticket_id, recipient, mail, mail_text, chat, state, attempts, next_at, last_error, created_at,
	finished_at, sent_ref, digest, job_key`

// jobRow is a job's row as stored, before its JSON and times are decoded:
// a claim reads its rows under the write lock and decodes them after.
type jobRow struct {
	j                 inquiry.Job
	kind, state       string
	ticketID          sql.NullInt64
	mail, mailText    sql.NullString
	chat              sql.NullString
	digest, key       sql.NullString
	nextAt, createdAt string
	finishedAt        sql.NullString
}

func scanJobRow(r rowScanner) (jobRow, error) {
	var row jobRow
	err := r.Scan(&row.j.ID, &row.kind, &row.ticketID, &row.j.Recipient, &row.mail, &row.mailText, &row.chat, &row.state, &row.j.Attempts,
		&row.nextAt, &row.j.LastError, &row.createdAt, &row.finishedAt, &row.j.SentRef, &row.digest, &row.key)
	return row, err
}

func (row *jobRow) decode() (inquiry.Job, error) {
	j := row.j
	j.Kind, j.State, j.TicketID, j.Key = inquiry.JobKind(row.kind), inquiry.JobState(row.state), row.ticketID.Int64, row.key.String
	if row.mail.Valid {
		m, err := store.DecodeJobMail([]byte(row.mail.String), row.mailText.String, row.mailText.Valid)
		if err != nil {
			return inquiry.Job{}, fmt.Errorf("job %d: %w", j.ID, err)
		}
		j.Mail = m
	}
	if row.chat.Valid {
		j.Chat = new(inquiry.ChatMessage)
		if err := json.Unmarshal([]byte(row.chat.String), j.Chat); err != nil {
			return inquiry.Job{}, fmt.Errorf("job %d: decode chat message: %w", j.ID, err)
		}
	}
	if row.digest.Valid {
		j.Digest = new(inquiry.Digest)
		if err := json.Unmarshal([]byte(row.digest.String), j.Digest); err != nil {
			return inquiry.Job{}, fmt.Errorf("job %d: decode digest: %w", j.ID, err)
		}
	}
	var err error
	if j.NextAt, err = parseTime(row.nextAt); err != nil {
		return inquiry.Job{}, fmt.Errorf("job %d: %w", j.ID, err)
	}
	if j.CreatedAt, err = parseTime(row.createdAt); err != nil {
		return inquiry.Job{}, fmt.Errorf("job %d: %w", j.ID, err)
	}
	if j.FinishedAt, err = parseNullTime(row.finishedAt); err != nil {
		return inquiry.Job{}, fmt.Errorf("job %d: %w", j.ID, err)
	}
	return j, nil
}

func scanJob(r rowScanner) (inquiry.Job, error) {
	row, err := scanJobRow(r)
	if err != nil {
		return inquiry.Job{}, err
	}
	return row.decode()
}

func scanJobs(rows *sql.Rows) ([]inquiry.Job, error) {
	list, err := scanJobRows(rows)
	if err != nil {
		return nil, err
	}
	return decodeJobs(list)
}

// scanJobRows reads every row of rows and closes them.
func scanJobRows(rows *sql.Rows) ([]jobRow, error) {
	defer rows.Close()
	var list []jobRow
	for rows.Next() {
		row, err := scanJobRow(rows)
		if err != nil {
			return nil, fmt.Errorf("scan job: %w", err)
		}
		list = append(list, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return list, nil
}

func decodeJobs(list []jobRow) ([]inquiry.Job, error) {
	jobs := make([]inquiry.Job, 0, len(list))
	for i := range list {
		j, err := list[i].decode()
		if err != nil {
			return nil, fmt.Errorf("scan job: %w", err)
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

const entryColumns = `id, ticket_id, kind, source_id, message_id, author, subject, body, attachments, raw, created_at`

func scanEntry(r rowScanner) (inquiry.Entry, error) {
	var (
		e         inquiry.Entry
		kind      string
		atts      sql.NullString
		createdAt string
	)
	err := r.Scan(&e.ID, &e.TicketID, &kind, &e.SourceID, &e.MessageID, &e.Author, &e.Subject, &e.Text,
		&atts, &e.Raw, &createdAt)
	if err != nil {
		return inquiry.Entry{}, err
	}
	e.Kind = inquiry.EntryKind(kind)
	if atts.Valid {
		if err := json.Unmarshal([]byte(atts.String), &e.Attachments); err != nil {
			return inquiry.Entry{}, fmt.Errorf("entry %d: decode attachments: %w", e.ID, err)
		}
	}
	if e.CreatedAt, err = parseTime(createdAt); err != nil {
		return inquiry.Entry{}, fmt.Errorf("entry %d: %w", e.ID, err)
	}
	return e, nil
}

const setAsideColumns = `id, kind, source_id, from_addr, subject, reason, received_at, raw`

func scanSetAside(r rowScanner) (inquiry.SetAside, error) {
	var (
		s          inquiry.SetAside
		kind       string
		receivedAt string
	)
	if err := r.Scan(&s.ID, &kind, &s.SourceID, &s.From, &s.Subject, &s.Reason, &receivedAt, &s.Raw); err != nil {
		return inquiry.SetAside{}, err
	}
	s.Kind = inquiry.SetAsideKind(kind)
	var err error
	if s.ReceivedAt, err = parseTime(receivedAt); err != nil {
		return inquiry.SetAside{}, fmt.Errorf("set-aside %d: %w", s.ID, err)
	}
	return s, nil
}

// lifecycle is a ticket's lifecycle fields as column values.
type lifecycle struct {
	urgent, inAnswer                              bool
	extDays                                       int
	extReason, extBy, notHeldHolder               string
	notHeldBy, ground                             string
	extDue, extAt, notHeldAt, decided, complaints any
}

func lifecycleColumns(tk *inquiry.Ticket) (lifecycle, error) {
	lc := lifecycle{urgent: tk.Urgent, inAnswer: tk.DecisionInAnswer, ground: tk.Ground, decided: nullTime(tk.DecidedAt)}
	if e := tk.Extension; e != nil {
		if e.Days < 1 {
			return lifecycle{}, fmt.Errorf("extension of %d days", e.Days)
		}
		lc.extDays, lc.extReason, lc.extBy = e.Days, e.Reason, e.By
		lc.extDue, lc.extAt = nullTime(e.DueAt), nullTime(e.At)
	}
	if n := tk.NotHeldMark; n != nil {
		if n.At.IsZero() {
			return lifecycle{}, errors.New("not-held mark without a time")
		}
		lc.notHeldAt, lc.notHeldHolder, lc.notHeldBy = formatTime(n.At), n.Holder, n.By
	}
	if len(tk.Complaints) > 0 {
		cs := make([]inquiry.Complaint, len(tk.Complaints))
		for i, c := range tk.Complaints {
			// Every time the store returns is UTC.
			c.At = c.At.UTC()
			cs[i] = c
		}
		b, err := json.Marshal(cs)
		if err != nil {
			return lifecycle{}, fmt.Errorf("encode complaints: %w", err)
		}
		lc.complaints = string(b)
	}
	return lc, nil
}
