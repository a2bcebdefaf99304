package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaseName is the one leader lease of a Sportel database.
const leaseName = "sportel"

// TryLead takes the leader lease for owner, or renews it when owner holds
// it, until ttl from now by the database's clock. It reports whether owner
// holds the lease now. The lease passes to another owner only once it has
// expired: the row lock of the upsert lets exactly one of several callers
// win it.
func (s *Store) TryLead(ctx context.Context, owner string, ttl time.Duration) (_ bool, err error) {
	defer markBusy(&err)
	if owner == "" {
		return false, errors.New("take the leader lease: empty owner")
	}
	if ttl <= 0 {
		return false, fmt.Errorf("take the leader lease for %s: ttl %v must be positive", owner, ttl)
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var holder string
	err = s.pool.QueryRow(ctx, `INSERT INTO leader_lease AS l (name, holder, acquired_at, renewed_at, expires_at)
			VALUES ($1, $2, clock_timestamp(), clock_timestamp(), clock_timestamp() + $3::float8 * interval '1 second')
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
			acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
			renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
		WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
		RETURNING holder`, leaseName, owner, ttl.Seconds()).Scan(&holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // another owner's lease is live
	}
	if err != nil {
		return false, fmt.Errorf("take the leader lease for %s: %w", owner, err)
	}
	return holder == owner, nil
}

// Resign gives up owner's leader lease at once, so a standby need not wait
// for it to expire. It does nothing when owner does not hold it.
func (s *Store) Resign(ctx context.Context, owner string) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	if _, err := s.pool.Exec(ctx, `DELETE FROM leader_lease WHERE name = $1 AND holder = $2`, leaseName, owner); err != nil {
		return fmt.Errorf("resign the leader lease of %s: %w", owner, err)
	}
	return nil
}

// LeaseHolder names the owner of the live leader lease and when it expires;
// holder is "" when no lease is live.
func (s *Store) LeaseHolder(ctx context.Context) (holder string, until time.Time, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	err = s.pool.QueryRow(ctx, `SELECT holder, expires_at FROM leader_lease
		WHERE name = $1 AND expires_at > clock_timestamp()`, leaseName).Scan(&holder, &until)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("read the leader lease: %w", err)
	}
	return holder, until, nil
}
