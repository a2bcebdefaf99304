package postgres

import (
	"context"
	"fmt"
	"time"
)

// DatabaseNow is the database server's clock: instances sharing the store
// compare theirs with it, since the outbox's leases are written and judged
// by each instance's own clock.
func (s *Store) DatabaseNow(ctx context.Context) (_ time.Time, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var now time.Time
	if err := s.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&now); err != nil {
		return time.Time{}, fmt.Errorf("read the database's clock: %w", err)
	}
	return now, nil
}
