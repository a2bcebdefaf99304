package postgres

import (
	"context"
	"fmt"
	"time"

	"sportel/store"
)

// QueueStats counts open tickets, deadlines and outbox jobs in one
// statement, which reads one snapshot, so the figures agree with each other.
func (s *Store) QueueStats(ctx context.Context, now time.Time) (store.QueueStats, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	soon := now.Add(48 * time.Hour)
	var q store.QueueStats
	var oldest *time.Time
	var oldestNs *int16
	err := s.pool.QueryRow(ctx, `WITH open AS (
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
