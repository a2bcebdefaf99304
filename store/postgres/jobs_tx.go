package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
)

// AddJob queues j and sets j.ID. An empty State becomes pending, a zero
// CreatedAt now, and a zero NextAt CreatedAt (due at once). A j.Key already
// taken is an error.
func (t *Tx) AddJob(j *inquiry.Job) error {
	_, err := t.insertJob(j, "")
	return err
}

// AddJobOnce queues j under key unless a job with that key exists. The
// unique index on job_key decides, so the check and the insert are one
// statement: a writer racing on the same key waits for the first one's
// transaction and then skips the row, or inserts it if that one rolled back.
func (t *Tx) AddJobOnce(key string, j *inquiry.Job) (bool, error) {
	if key == "" {
		return false, fmt.Errorf("add %s job for %q once: empty key", j.Kind, j.Recipient)
	}
	prev := j.Key
	j.Key = key
	added, err := t.insertJob(j, ` ON CONFLICT (job_key) DO NOTHING`)
	if !added {
		j.Key = prev
	}
	return added, err
}

// insertJob writes j, with onConflict after the VALUES; it reports false
// when that clause skipped the row.
func (t *Tx) insertJob(j *inquiry.Job, onConflict string) (bool, error) {
	if j.State == "" {
		j.State = inquiry.JobPending
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = time.Now().UTC()
	}
	if j.NextAt.IsZero() {
		j.NextAt = j.CreatedAt
	}
	mail, mailText, chat, digest, err := payloadJSON(j)
	if err != nil {
		return false, fmt.Errorf("add %s job for %q: %w", j.Kind, j.Recipient, err)
	}
	var messageID, ticketID, key any
	if j.Mail != nil && j.Mail.MessageID != "" {
		messageID = text(j.Mail.MessageID)
	}
	if j.TicketID != 0 {
		ticketID = j.TicketID
	}
	if j.Key != "" {
		key = text(j.Key)
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	var id int64
	err = t.tx.QueryRow(ctx, `INSERT INTO jobs (kind, ticket_id, recipient, mail, chat, digest, message_id, state,
			attempts, next_at, next_at_ns, last_error, created_at, created_at_ns, finished_at, finished_at_ns, sent_ref,
			job_key, mail_text)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`+onConflict+` RETURNING id`,
		string(j.Kind), ticketID, text(j.Recipient), mail, chat, digest, messageID, string(j.State), j.Attempts,
		at(j.NextAt), ns(j.NextAt), text(j.LastError), at(j.CreatedAt), ns(j.CreatedAt), atOrNull(j.FinishedAt),
		ns(j.FinishedAt), text(j.SentRef), key, mailText).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) && onConflict != "" {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add %s job for %q: %w", j.Kind, j.Recipient, err)
	}
	j.ID = id
	return true, nil
}

// CountJobs counts jobs of kind for recipient created at or after since.
func (t *Tx) CountJobs(kind inquiry.JobKind, recipient string, since time.Time) (int, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	var n int
	err := t.tx.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND recipient = $2
		AND (created_at, created_at_ns) >= ($3, $4)`,
		string(kind), text(recipient), at(since), ns(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s jobs for %q: %w", kind, recipient, err)
	}
	return n, nil
}

// LatestJob returns the newest job of kind for recipient on a ticket.
func (t *Tx) LatestJob(ticketID int64, kind inquiry.JobKind, recipient string) (inquiry.Job, bool, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	j, err := scanJob(t.tx.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE ticket_id = $1 AND recipient = $2 AND kind = $3 ORDER BY id DESC LIMIT 1`,
		ticketID, text(recipient), string(kind)))
	if errors.Is(err, pgx.ErrNoRows) {
		return inquiry.Job{}, false, nil
	}
	if err != nil {
		return inquiry.Job{}, false, fmt.Errorf("latest %s job for %q on ticket %d: %w", kind, recipient, ticketID, err)
	}
	return j, true, nil
}

// JobByMessageID returns the job whose mail has Message-ID messageID, in
// any state; a job without mail has none, so "" matches nothing.
func (t *Tx) JobByMessageID(messageID string) (inquiry.Job, bool, error) {
	if messageID == "" {
		return inquiry.Job{}, false, nil
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	j, err := scanJob(t.tx.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE message_id = $1 ORDER BY id LIMIT 1`,
		text(messageID)))
	if errors.Is(err, pgx.ErrNoRows) {
		return inquiry.Job{}, false, nil
	}
	if err != nil {
		return inquiry.Job{}, false, fmt.Errorf("job with Message-ID %q: %w", messageID, err)
	}
	return j, true, nil
}

// neverClaimed is the condition under which a job cannot have been sent:
// a claim counts an attempt, which only a claim given back untried
// (ReleaseJob, HoldJobs) takes back.
const neverClaimed = `state = 'pending' AND attempts = 0 AND claimed_by IS NULL`

// PendingJobs returns the never-claimed pending jobs of kind for recipient
// on a ticket, oldest first.
func (t *Tx) PendingJobs(ticketID int64, kind inquiry.JobKind, recipient string) ([]inquiry.Job, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	rows, err := t.tx.Query(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE ticket_id = $1 AND recipient = $2 AND kind = $3 AND `+neverClaimed+` ORDER BY id`,
		ticketID, text(recipient), string(kind))
	if err != nil {
		return nil, fmt.Errorf("pending %s jobs for %q on ticket %d: %w", kind, recipient, ticketID, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("pending %s jobs for %q on ticket %d: %w", kind, recipient, ticketID, err)
	}
	return jobs, nil
}

// UpdatePendingJob rewrites a never-claimed job's payload and due time.
// The guard is in the UPDATE itself: a worker's claim that committed first
// makes the row fail the guard when the UPDATE re-reads it, and a claim
// that comes later waits for this transaction and sees the new payload.
func (t *Tx) UpdatePendingJob(j *inquiry.Job) (bool, error) {
	mail, mailText, chat, digest, err := payloadJSON(j)
	if err != nil {
		return false, fmt.Errorf("update job %d: %w", j.ID, err)
	}
	messageID := ""
	if j.Mail != nil {
		messageID = text(j.Mail.MessageID)
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	tag, err := t.tx.Exec(ctx, `UPDATE jobs SET mail = $2, chat = $3, digest = $4, next_at = $5, next_at_ns = $6,
			mail_text = $8
		WHERE id = $1 AND COALESCE(message_id, '') = $7 AND `+neverClaimed,
		j.ID, mail, chat, digest, at(j.NextAt), ns(j.NextAt), messageID, mailText)
	if err != nil {
		return false, fmt.Errorf("update job %d: %w", j.ID, err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	// Tell a changed Message-ID (a bug) from a claim that came first.
	var stored *string
	err = t.tx.QueryRow(ctx, `SELECT message_id FROM jobs WHERE id = $1`, j.ID).Scan(&stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, fmt.Errorf("update job %d: no such job", j.ID)
	case err != nil:
		return false, fmt.Errorf("update job %d: %w", j.ID, err)
	case stored == nil && messageID != "", stored != nil && *stored != messageID:
		was := ""
		if stored != nil {
			was = *stored
		}
		return false, fmt.Errorf("update job %d: its Message-ID %q is fixed (got %q)", j.ID, was, messageID)
	}
	return false, nil
}

// CancelJobs ends a ticket's pending jobs of kind as cancelled (see
// store.Tx). A job whose worker still holds it at now keeps its claim and
// lease, so that worker's word settles it (cancelledInHand); a lease run
// out is cleared, as no worker will speak for it. The UPDATE locks each
// row: a worker's finish, retry or renewal that committed first is seen
// (a job done is not touched), and one that comes later waits and finds
// the job cancelled. The key is given up in the same statement: an
// AddJobOnce under it that comes later in another transaction waits for
// this one (the unique index) and then queues the send again.
func (t *Tx) CancelJobs(ticketID int64, kind inquiry.JobKind, reason string, now time.Time) (int, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	// PostgreSQL reads every SET expression from the row as it was.
	tag, err := t.tx.Exec(ctx, `UPDATE jobs SET state = 'cancelled', finished_at = $4, finished_at_ns = $5,
			claimed_by = CASE WHEN (lease_until, lease_until_ns) >= ($4, $5) THEN claimed_by END,
			lease_until = CASE WHEN (lease_until, lease_until_ns) >= ($4, $5) THEN lease_until END,
			lease_until_ns = CASE WHEN (lease_until, lease_until_ns) >= ($4, $5) THEN lease_until_ns ELSE 0 END,
			job_key = job_key || '`+cancelledKeyInfix+`' || id::text,
			last_error = CASE WHEN last_error = '' THEN $3::text ELSE $3::text || '; last error: ' || last_error END
		WHERE ticket_id = $1 AND kind = $2 AND state = 'pending'`,
		ticketID, string(kind), text(reason), at(now), ns(now))
	if err != nil {
		return 0, fmt.Errorf("cancel %s jobs of ticket %d: %w", kind, ticketID, err)
	}
	return int(tag.RowsAffected()), nil
}

// cancelledKeyInfix joins a cancelled job's key and its id into the key it
// keeps (store.Tx.CancelJobs): no scheduled send is ever queued under it.
const cancelledKeyInfix = "#cancelled:"
