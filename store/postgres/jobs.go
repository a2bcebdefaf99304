package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
	"sportel/store"
)

// ClaimJobs leases up to limit due pending jobs to owner until now+lease and
// returns them ordered by NextAt, ID, with Attempts already counting this try.
// A job whose earlier lease expired is claimable again. SKIP LOCKED lets
// workers in several processes claim at once without waiting on each
// other's rows or ever sharing one.
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
	until := now.Add(lease)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, query, owner, at(until), ns(until), at(now), ns(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim jobs for %s: %w", owner, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("claim jobs for %s: %w", owner, err)
	}
	// RETURNING gives no order guarantee.
	slices.SortFunc(jobs, func(a, b inquiry.Job) int {
		if c := a.NextAt.Compare(b.NextAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
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
	return `UPDATE jobs SET claimed_by = $1, lease_until = $2, lease_until_ns = $3,
			attempts = attempts + 1, held = false, admitted_at = NULL
		WHERE id IN (
			SELECT id FROM jobs j
			WHERE state = 'pending' AND (next_at, next_at_ns) <= ($4, $5)
				AND (claimed_by IS NULL OR (lease_until, lease_until_ns) < ($4, $5))` + and + `
				AND NOT ` + store.WaitsItsTurnSQL + `
			ORDER BY next_at, next_at_ns, id
			LIMIT $6
			FOR UPDATE SKIP LOCKED)
		RETURNING ` + jobColumns
}

// finishJobSQL marks job $1 done if owner $2 still holds it, also when it
// was cancelled meanwhile (it went out). The claim is kept on the row as a
// record of who sent it. A sent sign-in mail loses its text
// (store.SignInTextSent), so the store never holds a usable link for
// longer than it takes to send: in mail_text, or in the JSON of a row
// that keeps it there (store.EncodeJobMail).
const finishJobSQL = `UPDATE jobs SET state = 'done', sent_ref = $3, finished_at = $4, finished_at_ns = $5,
		lease_until = NULL, lease_until_ns = 0,
		mail = CASE WHEN kind = 'signin' AND mail IS NOT NULL AND mail_text IS NULL
			THEN jsonb_set(mail::jsonb, '{text}', to_jsonb('` + store.SignInTextSent + `'::text))::json ELSE mail END,
		mail_text = CASE WHEN kind = 'signin' AND mail_text IS NOT NULL THEN '` + store.SignInTextSent + `' ELSE mail_text END
	WHERE id = $1 AND claimed_by = $2 AND (state = 'pending' OR (state = 'cancelled' AND ` + cancelledInHand + `))`

// finishedAlreadySQL finds job $1 done by owner $2 with reference $3: this
// same completion, committed by an earlier try whose answer was lost (the
// connection cut after COMMIT went out). It is recorded, with its thread
// reference, so the try again is not a lost lease.
const finishedAlreadySQL = `SELECT EXISTS (SELECT 1 FROM jobs WHERE id = $1 AND claimed_by = $2 AND state = 'done' AND sent_ref = $3)`

// cancelledInHand is, on a cancelled job, the condition that it was
// cancelled while a worker held it (CancelJobs keeps the claim and its
// lease) and that worker has not said yet how its send ended: the claim's
// lease is cleared once it has.
const cancelledInHand = `claimed_by IS NOT NULL AND lease_until IS NOT NULL`

// FinishJobs marks many jobs claimed by owner done in one transaction, each
// with its transport reference and thread reference. It returns the ids
// whose lease was lost; their thread references are not recorded. A job
// owner already recorded done with the same reference is not lost: an
// earlier try committed, and only its answer failed to arrive.
func (s *Store) FinishJobs(ctx context.Context, owner string, sent []store.SentJob, now time.Time) (lost []int64, err error) {
	defer markBusy(&err)
	if len(sent) == 0 {
		return nil, nil
	}
	// Ordered by id, so two finishers never wait on each other's rows in
	// opposite orders.
	sent = slices.Clone(sent)
	slices.SortFunc(sent, func(a, b store.SentJob) int { return cmp.Compare(a.ID, b.ID) })
	err = s.withTx(ctx, func(tx *Tx) error {
		lost = lost[:0]
		cctx, cancel := tx.callCtx()
		defer cancel()
		for _, j := range sent {
			tag, err := tx.tx.Exec(cctx, finishJobSQL, j.ID, owner, text(j.Ref), at(now), ns(now))
			if err != nil {
				return fmt.Errorf("finish job %d: %w", j.ID, err)
			}
			if tag.RowsAffected() != 1 {
				var recorded bool
				if err := tx.tx.QueryRow(cctx, finishedAlreadySQL, j.ID, owner, text(j.Ref)).Scan(&recorded); err != nil {
					return fmt.Errorf("finish job %d: %w", j.ID, err)
				}
				if !recorded {
					lost = append(lost, j.ID)
				}
				continue
			}
			if j.ThreadRef != nil {
				if err := addThreadRef(cctx, tx.tx, *j.ThreadRef); err != nil {
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

// RetryJob releases a job claimed by owner to be tried again at next; one
// cancelled while owner held it stays cancelled (store.ErrJobCancelled).
func (s *Store) RetryJob(ctx context.Context, id int64, owner string, next time.Time, errText string) (err error) {
	defer markBusy(&err)
	return s.settleJob(ctx, "retry", id, owner,
		stmt{`UPDATE jobs SET next_at = $3, next_at_ns = $4, last_error = $5,
			claimed_by = NULL, lease_until = NULL, lease_until_ns = 0
		WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`, []any{id, owner, at(next), ns(next), text(errText)}},
		cancelledFailure(id, owner, errText))
}

// ReleaseJob gives back owner's claim on a job it did not try to send,
// taking back the attempt the claim counted; one cancelled while owner
// held it stays cancelled (store.ErrJobCancelled).
func (s *Store) ReleaseJob(ctx context.Context, id int64, owner string) (err error) {
	defer markBusy(&err)
	return s.settleJob(ctx, "release", id, owner,
		stmt{`UPDATE jobs SET claimed_by = NULL, lease_until = NULL, lease_until_ns = 0,
			attempts = GREATEST(attempts - 1, 0)
		WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`, []any{id, owner}},
		stmt{`UPDATE jobs SET lease_until = NULL, lease_until_ns = 0, attempts = GREATEST(attempts - 1, 0)
		WHERE id = $1 AND claimed_by = $2 AND state = 'cancelled' AND ` + cancelledInHand, []any{id, owner}})
}

// FailJob ends a job claimed by owner as failed for good; one cancelled
// while owner held it stays cancelled (store.ErrJobCancelled).
func (s *Store) FailJob(ctx context.Context, id int64, owner string, errText string, now time.Time) (err error) {
	defer markBusy(&err)
	return s.settleJob(ctx, "fail", id, owner,
		stmt{`UPDATE jobs SET state = 'failed', last_error = $3, finished_at = $4,
			finished_at_ns = $5, lease_until = NULL, lease_until_ns = 0
		WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`, []any{id, owner, text(errText), at(now), ns(now)}},
		cancelledFailure(id, owner, errText))
}

// cancelledFailure records, on a job cancelled while owner held it, how
// its send failed, after the cancel's reason. The claim stays on the row
// as a record of who held it.
func cancelledFailure(id int64, owner, errText string) stmt {
	return stmt{`UPDATE jobs SET lease_until = NULL, lease_until_ns = 0,
			last_error = last_error || '; the send in flight failed: ' || $3::text
		WHERE id = $1 AND claimed_by = $2 AND state = 'cancelled' AND ` + cancelledInHand, []any{id, owner, text(errText)}}
}

// stmt is one statement and its arguments.
type stmt struct {
	query string
	args  []any
}

// settleJob runs an update guarded by "still claimed by owner"; when it
// touches no row, it runs onCancelled, the same word on a job cancelled
// while owner held it (store.ErrJobCancelled), and failing that finds out
// why, for the error. Only the holder settles a job cancelled in its
// hands, so nothing can come between the two statements that matters.
func (s *Store) settleJob(ctx context.Context, verb string, id int64, owner string, update, onCancelled stmt) error {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	for i, st := range []stmt{update, onCancelled} {
		tag, err := s.pool.Exec(ctx, st.query, st.args...)
		if err != nil {
			return fmt.Errorf("%s job %d: %w", verb, id, err)
		}
		switch {
		case tag.RowsAffected() == 1 && i == 0:
			return nil
		case tag.RowsAffected() == 1:
			return fmt.Errorf("%s job %d for %s: %w", verb, id, owner, store.ErrJobCancelled)
		}
	}
	var state string
	var claimedBy *string
	err := s.pool.QueryRow(ctx, `SELECT state, claimed_by FROM jobs WHERE id = $1`, id).Scan(&state, &claimedBy)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%s job %d: no such job", verb, id)
	case err != nil:
		return fmt.Errorf("%s job %d: %w (and reading its state failed: %v)", verb, id, store.ErrLeaseLost, err)
	case state != string(inquiry.JobPending):
		return fmt.Errorf("%s job %d for %s: %w: job is already %s", verb, id, owner, store.ErrLeaseLost, state)
	case claimedBy != nil:
		return fmt.Errorf("%s job %d for %s: %w: now claimed by %s", verb, id, owner, store.ErrLeaseLost, *claimedBy)
	default:
		return fmt.Errorf("%s job %d for %s: %w: job is not claimed", verb, id, owner, store.ErrLeaseLost)
	}
}

// RenewLeases extends owner's leases on ids to until in one statement. It
// locks the rows in id order first, as FinishJobs does: a plain UPDATE locks
// them in whatever order its scan meets them, and a renewal running beside
// the same owner's FinishJobs could then deadlock with it (PostgreSQL would
// break it by failing one, and a failed finish sends its mails again).
func (s *Store) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) (_ []int64, err error) {
	defer markBusy(&err)
	if len(ids) == 0 {
		return nil, nil
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `WITH mine AS (
			SELECT id FROM jobs WHERE claimed_by = $1 AND state = 'pending' AND id = ANY($2)
			ORDER BY id FOR UPDATE)
		UPDATE jobs SET lease_until = $3, lease_until_ns = $4
		FROM mine WHERE jobs.id = mine.id AND jobs.claimed_by = $1 AND jobs.state = 'pending'
		RETURNING jobs.id`, owner, ids, at(until), ns(until))
	if err != nil {
		return nil, fmt.Errorf("renew %d leases for %s: %w", len(ids), owner, err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("renew %d leases for %s: %w", len(ids), owner, err)
	}
	var lost []int64
	for _, id := range ids {
		if !slices.Contains(held, id) {
			lost = append(lost, id)
		}
	}
	return lost, nil
}

// ReleaseClaims frees the claims on pending jobs held by anyone but keep;
// their attempts stay counted (see store.Jobs). With several instances on one database their claims are live: sportel
// run does not call it on PostgreSQL.
func (s *Store) ReleaseClaims(ctx context.Context, keep string) (_ int, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, `UPDATE jobs SET claimed_by = NULL, lease_until = NULL, lease_until_ns = 0
		WHERE state = 'pending' AND claimed_by IS NOT NULL AND claimed_by <> $1`, keep)
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// NextJobAt is when the earliest pending job is due. A claimed job counts as
// due when its lease ends, since that is when it can be claimed again.
func (s *Store) NextJobAt(ctx context.Context) (_ time.Time, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var ts *time.Time
	var tsNs int16
	err = s.pool.QueryRow(ctx, `WITH due AS (
			SELECT claimed_by IS NOT NULL AND (lease_until, lease_until_ns) > (next_at, next_at_ns) AS leased,
				next_at, next_at_ns, lease_until, lease_until_ns
			FROM jobs j WHERE state = 'pending' AND NOT `+store.WaitsItsTurnSQL+`)
		SELECT CASE WHEN leased THEN lease_until ELSE next_at END AS at,
			CASE WHEN leased THEN lease_until_ns ELSE next_at_ns END AS at_ns
		FROM due ORDER BY 1, 2 LIMIT 1`).Scan(&ts, &tsNs)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next job time: %w", err)
	}
	return instant(ts, tsNs), true, nil
}

// RequeueFailed makes failed jobs pending again (ids, or all when empty),
// counted as tried once (see store.Jobs).
func (s *Store) RequeueFailed(ctx context.Context, ids []int64, now time.Time) (_ []int64, err error) {
	defer markBusy(&err)
	var only any // NULL: every failed job
	if len(ids) > 0 {
		only = ids
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `UPDATE jobs SET state = 'pending', attempts = 1, next_at = $1, next_at_ns = $2,
			claimed_by = NULL, lease_until = NULL, lease_until_ns = 0, finished_at = NULL, finished_at_ns = 0
		WHERE state = 'failed' AND ($3::bigint[] IS NULL OR id = ANY($3)) RETURNING id`, at(now), ns(now), only)
	if err != nil {
		return nil, fmt.Errorf("requeue failed jobs: %w", err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("requeue failed jobs: %w", err)
	}
	slices.Sort(done)
	return done, nil
}

// TicketJobs returns the jobs a ticket caused, oldest first.
func (s *Store) TicketJobs(ctx context.Context, ticketID int64) (_ []inquiry.Job, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list jobs of ticket %d: %w", ticketID, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("list jobs of ticket %d: %w", ticketID, err)
	}
	return jobs, nil
}

// ListJobs returns jobs in state ("" = any), newest first, at most limit
// (0 = no cap).
func (s *Store) ListJobs(ctx context.Context, state inquiry.JobState, limit int) (_ []inquiry.Job, err error) {
	defer markBusy(&err)
	var p params
	query := `SELECT ` + jobColumns + ` FROM jobs`
	if state != "" {
		query += ` WHERE state = ` + p.add(string(state))
	}
	query += ` ORDER BY id DESC`
	if limit > 0 {
		query += ` LIMIT ` + p.add(limit)
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, query, p.args...)
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", state, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", state, err)
	}
	return jobs, nil
}

// SentJobs counts the jobs of kind done at or after since, and the earliest
// of their finish times, from one snapshot.
func (s *Store) SentJobs(ctx context.Context, kind inquiry.JobKind, since time.Time) (_ int, _ time.Time, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var n int
	var first *time.Time
	var firstNs *int16
	err = s.pool.QueryRow(ctx, sentJobsSQL,
		string(kind), at(since), ns(since)).Scan(&n, &first, &firstNs)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count sent %s jobs: %w", kind, err)
	}
	if firstNs == nil {
		return n, time.Time{}, nil
	}
	return n, instant(first, *firstNs), nil
}

// sentJobsSQL counts the jobs of kind $1 sent at or after ($2, $3) and
// gives the earliest of their finish times (NULL when none).
const sentJobsSQL = `WITH sent AS (
		SELECT finished_at, finished_at_ns FROM jobs
		WHERE kind = $1 AND state = 'done' AND (finished_at, finished_at_ns) >= ($2, $3)),
	first AS (SELECT finished_at, finished_at_ns FROM sent ORDER BY 1, 2 LIMIT 1)
	SELECT (SELECT COUNT(*) FROM sent), (SELECT finished_at FROM first), (SELECT finished_at_ns FROM first)`

// admitLock is the advisory lock space of capped admissions, one lock a
// job kind ("admt").
const admitLock = 0x61646d74

// AdmitJob admits owner's claimed job id, of kind, against a cap of limit
// sends since since that several instances share: under an advisory lock
// for the kind, it counts the jobs of kind sent since then and those
// another claim admitted and still holds under a live lease at now, and
// marks id admitted when they are under limit. It reports the count and
// the earliest send it counted, for a hold to last until that leaves the
// window. A job no longer owner's is not admitted.
func (s *Store) AdmitJob(ctx context.Context, id int64, owner string, kind inquiry.JobKind, since time.Time, limit int, now time.Time) (admitted bool, counted int, earliest time.Time, err error) {
	defer markBusy(&err)
	err = s.withTx(ctx, func(tx *Tx) error {
		admitted, counted, earliest = false, 0, time.Time{}
		cctx, cancel := tx.callCtx()
		defer cancel()
		if _, err := tx.tx.Exec(cctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, admitLock, string(kind)); err != nil {
			return fmt.Errorf("wait for the %s cap: %w", kind, err)
		}
		var sent, inFlight int
		var first *time.Time
		var firstNs *int16
		err := tx.tx.QueryRow(cctx, sentJobsSQL+`,
				(SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state = 'pending' AND admitted_at IS NOT NULL
					AND claimed_by IS NOT NULL AND id <> $4 AND (lease_until, lease_until_ns) >= ($5, $6))`,
			string(kind), at(since), ns(since), id, at(now), ns(now)).Scan(&sent, &first, &firstNs, &inFlight)
		if err != nil {
			return fmt.Errorf("count %s jobs sent and in flight: %w", kind, err)
		}
		counted = sent + inFlight
		if firstNs != nil {
			earliest = instant(first, *firstNs)
		}
		if counted >= limit {
			return nil
		}
		tag, err := tx.tx.Exec(cctx, `UPDATE jobs SET admitted_at = $3 WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`,
			id, owner, at(now))
		if err != nil {
			return fmt.Errorf("admit %s job %d: %w", kind, id, err)
		}
		admitted = tag.RowsAffected() == 1
		return nil
	})
	if err != nil {
		return false, 0, time.Time{}, fmt.Errorf("admit %s job %d under its cap: %w", kind, id, err)
	}
	return admitted, counted, earliest, nil
}

// HoldJobs releases owner's claims on ids without counting the attempt and
// moves every other pending, unclaimed job of kind due before until to
// until, marking all of them held. Both updates are one transaction; a job
// another worker claims meanwhile fails the claimed_by guard when the
// update re-reads its row, so it is never held while being sent.
func (s *Store) HoldJobs(ctx context.Context, owner string, kind inquiry.JobKind, ids []int64, until time.Time, reason string) (_ int, err error) {
	defer markBusy(&err)
	held := 0
	err = s.withTx(ctx, func(tx *Tx) error {
		held = 0
		cctx, cancel := tx.callCtx()
		defer cancel()
		if len(ids) > 0 {
			tag, err := tx.tx.Exec(cctx, `UPDATE jobs SET next_at = $3, next_at_ns = $4, last_error = $5, held = true,
					claimed_by = NULL, lease_until = NULL, lease_until_ns = 0, attempts = GREATEST(attempts - 1, 0)
				WHERE claimed_by = $1 AND state = 'pending' AND id = ANY($2)`,
				owner, ids, at(until), ns(until), text(reason))
			if err != nil {
				return fmt.Errorf("hold %d claimed %s jobs: %w", len(ids), kind, err)
			}
			held += int(tag.RowsAffected())
		}
		tag, err := tx.tx.Exec(cctx, `UPDATE jobs SET next_at = $2, next_at_ns = $3, last_error = $4, held = true
			WHERE kind = $1 AND state = 'pending' AND claimed_by IS NULL AND (next_at, next_at_ns) < ($2, $3)`,
			string(kind), at(until), ns(until), text(reason))
		if err != nil {
			return fmt.Errorf("hold pending %s jobs: %w", kind, err)
		}
		held += int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("hold %s jobs: %w", kind, err)
	}
	return held, nil
}

// CountHeldJobs counts pending jobs held back and not claimed since.
func (s *Store) CountHeldJobs(ctx context.Context) (_ int, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND held`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count held jobs: %w", err)
	}
	return n, nil
}
