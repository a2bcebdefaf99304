package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
	"sportel/store"
)

// Column lists and their scanners are kept side by side so they cannot drift.

const ticketColumns = `id, number, channel, sender_name, sender_address, chat_id, subject, message_id, language,
	category, classifier, confidence, reason, needs_review, officer_id, acted, state, outcome,
	received_at, received_at_ns, created_at, created_at_ns, due_at, due_at_ns, answered_at, answered_at_ns,
	closed_at, closed_at_ns, updated_at, updated_at_ns, linked_to, mentions, ` + lifecycleColumns

// lifecycleColumns are a ticket's lifecycle fields (migrations/0002), in the
// order lifecycleArgs gives their values.
const lifecycleColumns = `urgent, ext_days, ext_reason, ext_due_at, ext_due_at_ns, ext_at, ext_at_ns, ext_by,
	not_held_at, not_held_at_ns, not_held_holder, not_held_by, ground, decided_at, decided_at_ns,
	decision_in_answer, complaints`

func scanTicket(r pgx.Row) (inquiry.Ticket, error) {
	var (
		tk                                     inquiry.Ticket
		received, due, answered, closed, upd   *time.Time
		receivedNs, dueNs, answeredNs, closeNs int16
		created                                *time.Time
		createdNs, updNs                       int16
		channel, lang, cat, st, outc           string
		ext                                    inquiry.Extension
		extDue, extAt, notHeldAt, decided      *time.Time
		extDueNs, extAtNs, notHeldNs, decNs    int16
		notHeld                                inquiry.NotHeldMark
		complaints                             []byte
	)
	err := r.Scan(&tk.ID, &tk.Number, &channel, &tk.Sender.Name, &tk.Sender.Address, &tk.ChatID, &tk.Subject,
		&tk.MessageID, &lang, &cat, &tk.Classifier, &tk.Confidence, &tk.Reason, &tk.NeedsReview, &tk.OfficerID,
		&tk.Acted, &st, &outc,
		&received, &receivedNs, &created, &createdNs, &due, &dueNs, &answered, &answeredNs, &closed, &closeNs,
		&upd, &updNs,
		&tk.LinkedTo, &tk.Mentions,
		&tk.Urgent, &ext.Days, &ext.Reason, &extDue, &extDueNs, &extAt, &extAtNs, &ext.By,
		&notHeldAt, &notHeldNs, &notHeld.Holder, &notHeld.By, &tk.Ground, &decided, &decNs,
		&tk.DecisionInAnswer, &complaints)
	if err != nil {
		return inquiry.Ticket{}, err
	}
	tk.Channel, tk.Language, tk.Category = inquiry.Channel(channel), inquiry.Language(lang), inquiry.Category(cat)
	tk.State, tk.Outcome = inquiry.State(st), inquiry.Outcome(outc)
	tk.ReceivedAt, tk.DueAt = instant(received, receivedNs), instant(due, dueNs)
	tk.CreatedAt = instant(created, createdNs)
	tk.AnsweredAt, tk.ClosedAt = instant(answered, answeredNs), instant(closed, closeNs)
	tk.UpdatedAt = instant(upd, updNs)
	if ext.Days > 0 {
		ext.DueAt, ext.At = instant(extDue, extDueNs), instant(extAt, extAtNs)
		tk.Extension = &ext
	}
	if notHeldAt != nil {
		notHeld.At = instant(notHeldAt, notHeldNs)
		tk.NotHeldMark = &notHeld
	}
	tk.DecidedAt = instant(decided, decNs)
	if complaints != nil {
		if err := json.Unmarshal(complaints, &tk.Complaints); err != nil {
			return inquiry.Ticket{}, fmt.Errorf("ticket %d: decode complaints: %w", tk.ID, err)
		}
	}
	return tk, nil
}

// lifecycleArgs is tk's lifecycle as the values of lifecycleColumns. An
// extension of no days or a not-held mark without a time would not come
// back as written, so they are refused.
func lifecycleArgs(tk *inquiry.Ticket) ([]any, error) {
	var (
		extDays                  int
		extReason, extBy         string
		extDue, extAt            time.Time
		notHeldAt                any
		notHeldNs                int16
		notHeldHolder, notHeldBy string
		complaints               any
	)
	if e := tk.Extension; e != nil {
		if e.Days < 1 {
			return nil, fmt.Errorf("extension of %d days", e.Days)
		}
		extDays, extReason, extBy, extDue, extAt = e.Days, e.Reason, e.By, e.DueAt, e.At
	}
	if n := tk.NotHeldMark; n != nil {
		if n.At.IsZero() {
			return nil, errors.New("not-held mark without a time")
		}
		notHeldAt, notHeldNs, notHeldHolder, notHeldBy = at(n.At), ns(n.At), n.Holder, n.By
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
			return nil, fmt.Errorf("encode complaints: %w", err)
		}
		complaints = string(b)
	}
	return []any{tk.Urgent, extDays, text(extReason), atOrNull(extDue), ns(extDue), atOrNull(extAt), ns(extAt),
		text(extBy), notHeldAt, notHeldNs, text(notHeldHolder), text(notHeldBy), text(tk.Ground),
		atOrNull(tk.DecidedAt), ns(tk.DecidedAt), tk.DecisionInAnswer, complaints}, nil
}

func scanTickets(rows pgx.Rows) ([]inquiry.Ticket, error) {
	defer rows.Close()
	var out []inquiry.Ticket
	for rows.Next() {
		tk, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("scan ticket: %w", err)
		}
		out = append(out, tk)
	}
	return out, rows.Err()
}

// ticketWhere loads one ticket by a unique column (id or number); column is
// never user input.
func ticketWhere(ctx context.Context, q querier, column string, value any, lock string) (inquiry.Ticket, bool, error) {
	tk, err := scanTicket(q.QueryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE `+column+` = $1`+lock, value))
	if errors.Is(err, pgx.ErrNoRows) {
		return inquiry.Ticket{}, false, nil
	}
	if err != nil {
		return inquiry.Ticket{}, false, fmt.Errorf("load ticket by %s %v: %w", column, value, err)
	}
	return tk, true, nil
}

const jobColumns = `id, kind, ticket_id, recipient, mail, mail_text, chat, digest, state, attempts, next_at, next_at_ns,
	last_error, created_at, created_at_ns, finished_at, finished_at_ns, sent_ref, job_key`

func scanJob(r pgx.Row) (inquiry.Job, error) {
	var (
		j                        inquiry.Job
		kind, state              string
		ticketID                 *int64
		mail, chat, digest       []byte
		next, created, finished  *time.Time
		nextNs, createdNs, finNs int16
		key, mailText            *string
	)
	err := r.Scan(&j.ID, &kind, &ticketID, &j.Recipient, &mail, &mailText, &chat, &digest, &state, &j.Attempts,
		&next, &nextNs, &j.LastError, &created, &createdNs, &finished, &finNs, &j.SentRef, &key)
	if err != nil {
		return inquiry.Job{}, err
	}
	j.Kind, j.State = inquiry.JobKind(kind), inquiry.JobState(state)
	if key != nil {
		j.Key = *key
	}
	if ticketID != nil {
		j.TicketID = *ticketID
	}
	if mail != nil {
		var text string
		if mailText != nil {
			text = *mailText
		}
		if j.Mail, err = store.DecodeJobMail(mail, text, mailText != nil); err != nil {
			return inquiry.Job{}, fmt.Errorf("job %d: %w", j.ID, err)
		}
	}
	if chat != nil {
		j.Chat = new(inquiry.ChatMessage)
		if err := json.Unmarshal(chat, j.Chat); err != nil {
			return inquiry.Job{}, fmt.Errorf("job %d: decode chat message: %w", j.ID, err)
		}
	}
	if digest != nil {
		j.Digest = new(inquiry.Digest)
		if err := json.Unmarshal(digest, j.Digest); err != nil {
			return inquiry.Job{}, fmt.Errorf("job %d: decode digest: %w", j.ID, err)
		}
	}
	j.NextAt, j.CreatedAt, j.FinishedAt = instant(next, nextNs), instant(created, createdNs), instant(finished, finNs)
	return j, nil
}

func scanJobs(rows pgx.Rows) ([]inquiry.Job, error) {
	defer rows.Close()
	var jobs []inquiry.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("scan job: %w", err)
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

const entryColumns = `id, ticket_id, kind, source_id, message_id, author, subject, body, attachments, raw,
	created_at, created_at_ns`

func scanEntry(r pgx.Row) (inquiry.Entry, error) {
	var (
		e         inquiry.Entry
		kind      string
		atts      []byte
		created   *time.Time
		createdNs int16
	)
	err := r.Scan(&e.ID, &e.TicketID, &kind, &e.SourceID, &e.MessageID, &e.Author, &e.Subject, &e.Text,
		&atts, &e.Raw, &created, &createdNs)
	if err != nil {
		return inquiry.Entry{}, err
	}
	e.Kind = inquiry.EntryKind(kind)
	if atts != nil {
		if err := json.Unmarshal(atts, &e.Attachments); err != nil {
			return inquiry.Entry{}, fmt.Errorf("entry %d: decode attachments: %w", e.ID, err)
		}
	}
	e.CreatedAt = instant(created, createdNs)
	return e, nil
}

func scanEntries(rows pgx.Rows) ([]inquiry.Entry, error) {
	defer rows.Close()
	var out []inquiry.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("scan entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const setAsideColumns = `id, kind, source_id, from_addr, subject, reason, received_at, received_at_ns, raw`

func scanSetAside(r pgx.Row) (inquiry.SetAside, error) {
	var (
		s          inquiry.SetAside
		kind       string
		received   *time.Time
		receivedNs int16
	)
	if err := r.Scan(&s.ID, &kind, &s.SourceID, &s.From, &s.Subject, &s.Reason, &received, &receivedNs, &s.Raw); err != nil {
		return inquiry.SetAside{}, err
	}
	s.Kind = inquiry.SetAsideKind(kind)
	s.ReceivedAt = instant(received, receivedNs)
	return s, nil
}

// jsonArg encodes v for a json column; nil stays NULL.
func jsonArg[T any](v *T) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// payloadJSON is what a job's payload columns hold: its mail (without
// its text, store.EncodeJobMail) and the mail's text, its chat message and
// its digest, nil for NULL.
func payloadJSON(j *inquiry.Job) (mail, mailText, chat, digest any, err error) {
	if j.Mail != nil {
		if mail, mailText, err = store.EncodeJobMail(j.Mail); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("encode mail: %w", err)
		}
	}
	if chat, err = jsonArg(j.Chat); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("encode chat message: %w", err)
	}
	if digest, err = jsonArg(j.Digest); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("encode digest: %w", err)
	}
	return mail, mailText, chat, digest, nil
}

func attachmentsJSON(atts []inquiry.Attachment) (any, error) {
	if len(atts) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(atts)
	if err != nil {
		return nil, fmt.Errorf("encode attachments: %w", err)
	}
	return string(b), nil
}
