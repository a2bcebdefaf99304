package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"sportel/inquiry"
	"sportel/store"
)

// QueueStats counts open tickets, deadlines and outbox jobs in one
// statement, which reads one snapshot, so the figures agree with each other.
func (s *Store) QueueStats(ctx context.Context, now time.Time) (_ store.QueueStats, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	soon := now.Add(48 * time.Hour)
	var q store.QueueStats
	var oldest *time.Time
	var oldestNs *int16
	err = s.pool.QueryRow(ctx, `WITH open AS (
			SELECT due_at, due_at_ns FROM tickets WHERE state IN ('assigned', 'answered')),
		oldest AS (
			SELECT next_at, next_at_ns FROM jobs WHERE state = 'pending' AND (next_at, next_at_ns) <= ($1, $2)
			ORDER BY next_at, next_at_ns LIMIT 1)
		SELECT
			(SELECT COUNT(*) FROM open),
			(SELECT COUNT(*) FROM open WHERE (due_at, due_at_ns) >= ($1, $2) AND (due_at, due_at_ns) < ($3, $4)),
			(SELECT COUNT(*) FROM open WHERE (due_at, due_at_ns) < ($1, $2)),
			(SELECT COUNT(*) FROM jobs WHERE state = 'pending'),
			(SELECT COUNT(*) FROM jobs WHERE state = 'failed'),
			(SELECT next_at FROM oldest), (SELECT next_at_ns FROM oldest)`,
		at(now), ns(now), at(soon), ns(soon)).Scan(&q.Open, &q.DueSoon, &q.Overdue, &q.PendingJobs, &q.FailedJobs,
		&oldest, &oldestNs)
	if err != nil {
		return store.QueueStats{}, fmt.Errorf("queue stats: %w", err)
	}
	if oldestNs != nil {
		q.OldestDue = instant(oldest, *oldestNs)
	}
	return q, nil
}

// FailedJobs counts the jobs failed for good with FinishedAt in [from,
// before) and returns the first limit of them (0: all) by FinishedAt, the
// newest id first among equal times. The count is a window over the same
// rows, so both come from one statement's snapshot.
func (s *Store) FailedJobs(ctx context.Context, from, before time.Time, limit int) (_ []inquiry.Job, _ int, err error) {
	defer markBusy(&err)
	var p params
	query := `SELECT ` + jobColumns + `, COUNT(*) OVER () FROM jobs WHERE state = 'failed'
		AND (finished_at, finished_at_ns) >= (` + p.add(at(from)) + `, ` + p.add(ns(from)) + `)
		AND (finished_at, finished_at_ns) < (` + p.add(at(before)) + `, ` + p.add(ns(before)) + `)
		ORDER BY finished_at, finished_at_ns, id DESC`
	if limit > 0 {
		query += ` LIMIT ` + p.add(limit)
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, query, p.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list failed jobs: %w", err)
	}
	defer rows.Close()
	var jobs []inquiry.Job
	total := 0
	for rows.Next() {
		j, err := scanJob(withTotal{rows, &total})
		if err != nil {
			return nil, 0, fmt.Errorf("list failed jobs: scan: %w", err)
		}
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list failed jobs: %w", err)
	}
	return jobs, total, nil
}

// withTotal scans a job row followed by a count column into total.
type withTotal struct {
	r     pgx.Row
	total *int
}

func (w withTotal) Scan(dest ...any) error { return w.r.Scan(append(dest, w.total)...) }
