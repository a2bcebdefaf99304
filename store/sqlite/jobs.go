package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// ClaimJobs leases up to limit due pending jobs to owner until now+lease and
// returns them ordered by NextAt, ID, with Attempts already counting this try.
// A job whose earlier lease expired is claimable again.
func (s *Store) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) (_ []inquiry.Job, err error) {
	defer markBusy(&err)
	return s.claimJobs(ctx, claimJobsSQL, owner, now, lease, limit)
}

// ClaimJobsBy is ClaimJobs of the jobs that go out by transport alone.
func (s *Store) ClaimJobsBy(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int, transport store.Transport) (_ []inquiry.Job, err error) {
	defer markBusy(&err)
	switch transport {
	case store.TransportMail:
		return s.claimJobs(ctx, claimMailJobsSQL, owner, now, lease, limit)
	case store.TransportChat:
		return s.claimJobs(ctx, claimChatJobsSQL, owner, now, lease, limit)
	}
	return nil, fmt.Errorf("claim jobs for %s: unknown %v", owner, transport)
}

// claimJobs claims with query, one of the claim statements below.
func (s *Store) claimJobs(ctx context.Context, query, owner string, now time.Time, lease time.Duration, limit int) ([]inquiry.Job, error) {
	if owner == "" {
		return nil, errors.New("claim jobs: empty owner")
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claim jobs for %s: lease %v must be positive", owner, lease)
	}
	if limit <= 0 {
		return nil, nil
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	unlock, err := s.lockWriteAs(ctx, relaxed) // see durability
	if err != nil {
		return nil, fmt.Errorf("claim jobs for %s: %w", owner, err)
	}
	// One statement, so the select and the claim are atomic. PostgreSQL
	// needs FOR UPDATE SKIP LOCKED in the subquery for the same guarantee.
	rows, err := s.writeQuery(ctx, query, owner, formatTime(now.Add(lease)), formatTime(now), limit)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("claim jobs for %s: %w", owner, err)
	}
	list, err := scanJobRows(rows)
	// The claim is written once its rows are read; decoding them needs no
	// lock, and intake waits for it.
	unlock()
	if err != nil {
		return nil, fmt.Errorf("claim jobs for %s: %w", owner, err)
	}
	jobs, err := decodeJobs(list)
	if err != nil {
		return nil, fmt.Errorf("claim jobs for %s: %w", owner, err)
	}
	// RETURNING gives no order guarantee.
	sort.Slice(jobs, func(i, k int) bool {
		if !jobs[i].NextAt.Equal(jobs[k].NextAt) {
			return jobs[i].NextAt.Before(jobs[k].NextAt)
		}
		return jobs[i].ID < jobs[k].ID
	})
	return jobs, nil
}

// The claim statements: of every due job, of those carrying a mail, and
// of the others (store.Transport).
var (
	claimJobsSQL     = claimSQL("")
	claimMailJobsSQL = claimSQL(" AND mail IS NOT NULL")
	claimChatJobsSQL = claimSQL(" AND mail IS NULL")
)

// claimSQL is the claim statement of the due jobs that also meet and.
func claimSQL(and string) string {
	return `UPDATE jobs SET claimed_by = $1, lease_until = $2, attempts = attempts + 1, held = 0
		WHERE id IN (
			SELECT id FROM jobs j
			WHERE state = 'pending' AND next_at <= $3 AND (claimed_by IS NULL OR lease_until < $3)` + and + `
				AND NOT ` + store.WaitsItsTurnSQL + `
			ORDER BY next_at, id
			LIMIT $4)
		RETURNING ` + jobColumns
}

// finishJobSQL marks job $1 done if owner $2 still holds it, also when it
// was cancelled meanwhile (it went out). The claim is kept on the row as a
// record of who sent it. A sent sign-in mail loses its text
// (store.SignInTextSent), so the store never holds a usable link for
// longer than it takes to send: in mail_text, or in the JSON of a row
// that keeps it there (store.EncodeJobMail).
const finishJobSQL = `UPDATE jobs SET state = 'done', sent_ref = $3, finished_at = $4, lease_until = NULL,
		mail = CASE WHEN kind = 'signin' AND mail IS NOT NULL AND mail_text IS NULL
			THEN json_set(mail, '$.text', '` + store.SignInTextSent + `') ELSE mail END,
		mail_text = CASE WHEN kind = 'signin' AND mail_text IS NOT NULL THEN '` + store.SignInTextSent + `' ELSE mail_text END
	WHERE id = $1 AND claimed_by = $2 AND (state = 'pending' OR (state = 'cancelled' AND ` + cancelledInHand + `))`

// finishedAlreadySQL finds job $1 done by owner $2 with reference $3: this
// same completion, committed by an earlier try whose answer was lost. It is
// recorded, so the try again is not a lost lease (as on PostgreSQL).
const finishedAlreadySQL = `SELECT EXISTS (SELECT 1 FROM jobs WHERE id = $1 AND claimed_by = $2 AND state = 'done' AND sent_ref = $3)`

// cancelledInHand is, on a cancelled job, the condition that it was
// cancelled while a worker held it (CancelJobs keeps the claim and its
// lease) and that worker has not said yet how its send ended: the claim's
// lease is cleared once it has.
const cancelledInHand = `claimed_by IS NOT NULL AND lease_until IS NOT NULL`

// RetryJob releases a job claimed by owner to be tried again at next; one
// cancelled while owner held it stays cancelled (store.ErrJobCancelled).
func (s *Store) RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) (err error) {
	defer markBusy(&err)
	return s.settleJob(ctx, "retry", id, owner,
		stmt{`UPDATE jobs SET next_at = $3, last_error = $4, claimed_by = NULL, lease_until = NULL
		WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`, []any{id, owner, formatTime(next), errText}},
		cancelledFailure(id, owner, errText))
}

// ReleaseJob gives back owner's claim on a job it did not try to send,
// taking back the attempt the claim counted; one cancelled while owner
// held it stays cancelled (store.ErrJobCancelled).
func (s *Store) ReleaseJob(ctx context.Context, id int64, owner string) (err error) {
	defer markBusy(&err)
	return s.settleJob(ctx, "release", id, owner,
		stmt{`UPDATE jobs SET claimed_by = NULL, lease_until = NULL, attempts = MAX(attempts - 1, 0)
		WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`, []any{id, owner}},
		stmt{`UPDATE jobs SET lease_until = NULL, attempts = MAX(attempts - 1, 0)
		WHERE id = $1 AND claimed_by = $2 AND state = 'cancelled' AND ` + cancelledInHand, []any{id, owner}})
}

// FailJob ends a job claimed by owner as failed for good; one cancelled
// while owner held it stays cancelled (store.ErrJobCancelled).
func (s *Store) FailJob(ctx context.Context, id int64, owner string, errText string, now time.Time) (err error) {
	defer markBusy(&err)
	return s.settleJob(ctx, "fail", id, owner,
		stmt{`UPDATE jobs SET state = 'failed', last_error = $3, finished_at = $4, lease_until = NULL
		WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`, []any{id, owner, errText, formatTime(now)}},
		cancelledFailure(id, owner, errText))
}

// cancelledFailure records, on a job cancelled while owner held it, how
// its send failed, after the cancel's reason. The claim stays on the row
// as a record of who held it.
func cancelledFailure(id int64, owner, errText string) stmt {
	return stmt{`UPDATE jobs SET lease_until = NULL, last_error = last_error || '; the send in flight failed: ' || $3
		WHERE id = $1 AND claimed_by = $2 AND state = 'cancelled' AND ` + cancelledInHand, []any{id, owner, errText}}
}

// stmt is one statement and its arguments.
type stmt struct {
	query string
	args  []any
}

// settleJob runs an update guarded by "still claimed by owner"; when it
// touches no row, it runs onCancelled, the same word on a job cancelled
// while owner held it (store.ErrJobCancelled), and failing that finds out
// why, for the error.
func (s *Store) settleJob(ctx context.Context, verb string, id int64, owner string, update, onCancelled stmt) error {
	cctx, cancel := s.callCtx(ctx)
	defer cancel()
	unlock, err := s.lockWrite(cctx)
	if err != nil {
		return fmt.Errorf("%s job %d: %w", verb, id, err)
	}
	defer unlock()
	for i, st := range []stmt{update, onCancelled} {
		res, err := s.wdb.ExecContext(cctx, st.query, st.args...)
		if err != nil {
			return fmt.Errorf("%s job %d: %w", verb, id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("%s job %d: %w", verb, id, err)
		}
		switch {
		case n == 1 && i == 0:
			return nil
		case n == 1:
			return fmt.Errorf("%s job %d for %s: %w", verb, id, owner, store.ErrJobCancelled)
		}
	}
	var state string
	var claimedBy sql.NullString
	err = s.wdb.QueryRowContext(cctx, `SELECT state, claimed_by FROM jobs WHERE id = $1`, id).Scan(&state, &claimedBy)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s job %d: no such job", verb, id)
	case err != nil:
		return fmt.Errorf("%s job %d: %w (and reading its state failed: %v)", verb, id, store.ErrLeaseLost, err)
	case state != string(inquiry.JobPending):
		return fmt.Errorf("%s job %d for %s: %w: job is already %s", verb, id, owner, store.ErrLeaseLost, state)
	case claimedBy.Valid:
		return fmt.Errorf("%s job %d for %s: %w: now claimed by %s", verb, id, owner, store.ErrLeaseLost, claimedBy.String)
	default:
		return fmt.Errorf("%s job %d for %s: %w: job is not claimed", verb, id, owner, store.ErrLeaseLost)
	}
}

// NextJobAt is when the earliest pending job is due. A claimed job counts as
// due when its lease ends, since that is when it can be claimed again.
func (s *Store) NextJobAt(ctx context.Context) (_ time.Time, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var at sql.NullString
	// A job waiting for its turn is not due: the one before it is, and
	// counting it would have the outbox claim nothing in a busy loop.
	err = s.db.QueryRowContext(ctx, `SELECT MIN(CASE WHEN claimed_by IS NOT NULL AND lease_until > next_at
			THEN lease_until ELSE next_at END)
		FROM jobs j WHERE state = 'pending' AND NOT `+store.WaitsItsTurnSQL).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next job time: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	t, err := parseTime(at.String)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next job time: %w", err)
	}
	return t, true, nil
}

// FinishJobs marks many jobs claimed by owner done in one transaction, each
// with its transport reference and thread reference, so a busy outbox pays
// for one commit per batch rather than per mail. It returns the ids whose
// lease was lost; their thread references are not recorded. A job owner
// already recorded done with the same reference is not lost (see
// store.Store).
func (s *Store) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) (lost []int64, err error) {
	defer markBusy(&err)
	if len(sent) == 0 {
		return nil, nil
	}
	// Ordered by id, so two finishers never wait on each other's rows.
	sent = slices.Clone(sent)
	slices.SortFunc(sent, func(a, b store.SentJob) int { return cmp.Compare(a.ID, b.ID) })
	finished := formatTime(now)
	// Through withTx, so the statements are the cached prepared ones: a
	// busy outbox finishes a few jobs at a time, thousands of times. Not
	// flushed to disk (see durability).
	err = s.withTxAs(ctx, s.txTimeout, relaxed, func(tx *Tx) error {
		lost = lost[:0]
		for _, j := range sent {
			res, err := tx.tx.ExecContext(tx.ctx, finishJobSQL, j.ID, owner, j.Ref, finished)
			if err != nil {
				return fmt.Errorf("finish job %d: %w", j.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				var recorded bool
				if err := tx.tx.QueryRowContext(tx.ctx, finishedAlreadySQL, j.ID, owner, j.Ref).Scan(&recorded); err != nil {
					return fmt.Errorf("finish job %d: %w", j.ID, err)
				}
				if !recorded {
					lost = append(lost, j.ID)
				}
				continue
			}
			if j.ThreadRef != nil {
				if err := addThreadRef(tx.ctx, tx.tx, *j.ThreadRef); err != nil {
					return fmt.Errorf("finish job %d: %w", j.ID, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finish %d jobs: %w", len(sent), err)
	}
	return lost, nil
}

// RenewLeases extends owner's leases on ids to until in one statement.
func (s *Store) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) (_ []int64, err error) {
	defer markBusy(&err)
	if len(ids) == 0 {
		return nil, nil
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	unlock, err := s.lockWriteAs(ctx, relaxed) // see durability
	if err != nil {
		return nil, fmt.Errorf("renew %d leases for %s: %w", len(ids), owner, err)
	}
	defer unlock()
	held := make(map[int64]bool, len(ids))
	for start := 0; start < len(ids); start += refChunk {
		var p params
		ownerP, untilP := p.add(owner), p.add(formatTime(until))
		list := p.listInt(ids[start:min(start+refChunk, len(ids))])
		rows, err := s.wdb.QueryContext(ctx, `UPDATE jobs SET lease_until = `+untilP+`
			WHERE claimed_by = `+ownerP+` AND state = 'pending' AND id IN (`+list+`) RETURNING id`, p.args...)
		if err != nil {
			return nil, fmt.Errorf("renew %d leases for %s: %w", len(ids), owner, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("renew leases for %s: scan: %w", owner, err)
			}
			held[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("renew %d leases for %s: %w", len(ids), owner, err)
		}
	}
	var lost []int64
	for _, id := range ids {
		if !held[id] {
			lost = append(lost, id)
		}
	}
	return lost, nil
}

// ReleaseClaims frees the claims on pending jobs held by anyone but keep;
// their attempts stay counted (see store.Jobs).
func (s *Store) ReleaseClaims(ctx context.Context, keep string) (_ int, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	defer unlock()
	res, err := s.wdb.ExecContext(ctx, `UPDATE jobs SET claimed_by = NULL, lease_until = NULL
		WHERE state = 'pending' AND claimed_by IS NOT NULL AND claimed_by <> $1`, keep)
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	return int(n), nil
}

// RequeueFailed makes failed jobs pending again (ids, or all when empty),
// counted as tried once (see store.Jobs).
func (s *Store) RequeueFailed(ctx context.Context, ids []int64, now time.Time) (_ []int64, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("requeue failed jobs: %w", err)
	}
	defer unlock()
	query := `UPDATE jobs SET state = 'pending', attempts = 1, next_at = $1, claimed_by = NULL,
		lease_until = NULL, finished_at = NULL WHERE state = 'failed'`
	args := []any{formatTime(now)}
	if len(ids) > 0 {
		p := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			p[i] = fmt.Sprintf("$%d", i+2)
		}
		query += " AND id IN (" + strings.Join(p, ", ") + ")"
	}
	rows, err := s.wdb.QueryContext(ctx, query+" RETURNING id", args...)
	if err != nil {
		return nil, fmt.Errorf("requeue failed jobs: %w", err)
	}
	defer rows.Close()
	var done []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("requeue failed jobs: %w", err)
		}
		done = append(done, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("requeue failed jobs: %w", err)
	}
	slices.Sort(done)
	return done, nil
}

// SentJobs counts the jobs of kind done at or after since, and the earliest
// of their finish times.
func (s *Store) SentJobs(ctx context.Context, kind inquiry.JobKind, since time.Time) (_ int, _ time.Time, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	lit, err := jobKindLiteral(kind)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count sent jobs: %w", err)
	}
	var n int
	var earliest sql.NullString
	err = s.db.QueryRowContext(ctx, sentJobsSQL(lit), formatTime(since)).Scan(&n, &earliest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count sent %s jobs: %w", kind, err)
	}
	if !earliest.Valid {
		return n, time.Time{}, nil
	}
	t, err := parseTime(earliest.String)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count sent %s jobs: %w", kind, err)
	}
	return n, t, nil
}

// HoldJobs releases owner's claims on ids without counting the attempt and
// moves every other pending, unclaimed job of kind due before until to
// until, marking all of them held.
func (s *Store) HoldJobs(ctx context.Context, owner string, kind inquiry.JobKind, ids []int64, until time.Time, reason string) (_ int, err error) {
	defer markBusy(&err)
	ctx, cancel := context.WithTimeout(ctx, s.txTimeout)
	defer cancel()
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return 0, fmt.Errorf("hold %s jobs: %w", kind, err)
	}
	defer unlock()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("hold %s jobs: %w", kind, err)
	}
	defer tx.Rollback()
	at := formatTime(until)
	held := 0
	for start := 0; start < len(ids); start += refChunk {
		var p params
		ownerP, atP, reasonP := p.add(owner), p.add(at), p.add(reason)
		list := p.listInt(ids[start:min(start+refChunk, len(ids))])
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET next_at = `+atP+`, last_error = `+reasonP+`, held = 1,
			claimed_by = NULL, lease_until = NULL, attempts = MAX(attempts - 1, 0)
			WHERE claimed_by = `+ownerP+` AND state = 'pending' AND id IN (`+list+`)`, p.args...)
		if err != nil {
			return 0, fmt.Errorf("hold %d claimed %s jobs: %w", len(ids), kind, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("hold %d claimed %s jobs: %w", len(ids), kind, err)
		}
		held += int(n)
	}
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET next_at = $1, last_error = $2, held = 1
		WHERE kind = $3 AND state = 'pending' AND claimed_by IS NULL AND next_at < $1`, at, reason, string(kind))
	if err != nil {
		return 0, fmt.Errorf("hold pending %s jobs: %w", kind, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("hold pending %s jobs: %w", kind, err)
	}
	held += int(n)
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("hold %s jobs: commit: %w", kind, err)
	}
	return held, nil
}

// CountHeldJobs counts pending jobs held back and not claimed since.
func (s *Store) CountHeldJobs(ctx context.Context) (_ int, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND held = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count held jobs: %w", err)
	}
	return n, nil
}

// CancelJobs ends a ticket's pending jobs of kind as cancelled (see
// store.Tx). A job whose worker still holds it at now keeps its claim and
// lease, so that worker's word settles it (cancelledInHand); a lease run
// out is cleared, as no worker will speak for it. The key is given up in
// the same statement; with one writer at a time, an AddJobOnce under it
// finds either the job holding it or the key free, never both.
func (t *Tx) CancelJobs(ticketID int64, kind inquiry.JobKind, reason string, now time.Time) (int, error) {
	ctx, cancel := t.callCtx()
	defer cancel()
	// SQLite reads every SET expression from the row as it was.
	res, err := t.tx.ExecContext(ctx, `UPDATE jobs SET state = 'cancelled', finished_at = $4,
			claimed_by = CASE WHEN lease_until >= $4 THEN claimed_by END,
			lease_until = CASE WHEN lease_until >= $4 THEN lease_until END,
			job_key = job_key || '`+cancelledKeyInfix+`' || id,
			last_error = CASE WHEN last_error = '' THEN $3 ELSE $3 || '; last error: ' || last_error END
		WHERE ticket_id = $1 AND kind = $2 AND state = 'pending'`,
		ticketID, string(kind), reason, formatTime(now))
	if err != nil {
		return 0, fmt.Errorf("cancel %s jobs of ticket %d: %w", kind, ticketID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("cancel %s jobs of ticket %d: %w", kind, ticketID, err)
	}
	return int(n), nil
}

// cancelledKeyInfix joins a cancelled job's key and its id into the key it
// keeps (store.Tx.CancelJobs): no scheduled send is ever queued under it.
const cancelledKeyInfix = "#cancelled:"

// sentJobsSQL is SentJobs's statement for the kind literal kind. The kind
// is written into it: only then can SQLite use the partial index of that
// kind's sent jobs (jobs_acks_sent).
func sentJobsSQL(kind string) string {
	return `SELECT COUNT(*), MIN(finished_at) FROM jobs WHERE kind = ` + kind + ` AND state = 'done' AND finished_at >= $1`
}

// jobKindLiteral is kind as an SQL string literal, for a statement that
// names it so that SQLite can use a partial index of that kind; kinds are
// lower-case words, and anything else is refused rather than quoted.
func jobKindLiteral(kind inquiry.JobKind) (string, error) {
	if kind == "" || strings.Trim(string(kind), "abcdefghijklmnopqrstuvwxyz_") != "" {
		return "", fmt.Errorf("job kind %q is not a lower-case word", kind)
	}
	return "'" + string(kind) + "'", nil
}
