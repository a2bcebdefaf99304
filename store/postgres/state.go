package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// LoadCheckpoint returns the IMAP position saved under key, zeros when none.
func (s *Store) LoadCheckpoint(ctx context.Context, key string) (uidValidity uint32, lastUID uint32, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var v, u int64
	err = s.pool.QueryRow(ctx, `SELECT uid_validity, last_uid FROM checkpoints WHERE key = $1`, key).Scan(&v, &u)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("load checkpoint %q: %w", key, err)
	}
	return uint32(v), uint32(u), nil
}

// SaveCheckpoint stores the IMAP position under key.
func (s *Store) SaveCheckpoint(ctx context.Context, key string, uidValidity, lastUID uint32) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	_, err = s.pool.Exec(ctx, `INSERT INTO checkpoints (key, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (key) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
			updated_at = excluded.updated_at`,
		key, int64(uidValidity), int64(lastUID))
	if err != nil {
		return fmt.Errorf("save checkpoint %q: %w", key, err)
	}
	return nil
}

// GetState returns the value stored under key.
func (s *Store) GetState(ctx context.Context, key string) (_ string, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	var v string
	err = s.pool.QueryRow(ctx, `SELECT value FROM kv_state WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("get state %q: %w", key, err)
	}
	return v, true, nil
}

// SetState stores value under key, replacing any earlier value.
func (s *Store) SetState(ctx context.Context, key, value string) (err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	_, err = s.pool.Exec(ctx, `INSERT INTO kv_state (key, value, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, text(value))
	if err != nil {
		return fmt.Errorf("set state %q: %w", key, err)
	}
	return nil
}
