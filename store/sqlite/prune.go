package sqlite

import (
	"context"
	"fmt"
	"time"

	"sportel/store"
)

// pruneSQL are the deletions of store.Pruner, each with what it deletes.
// $1, when keep is set, is the cutoff that period gives, as text (text
// order is time order). The chat progress notes are found by the prefix of
// their key, and the id after it read as a number: a note whose job has
// ended goes, whenever it ended. kv_state holds a few settings beside the
// notes of the sends under way, so reading it whole costs little.
var pruneSQL = []struct {
	what string
	keep time.Duration
	sql  string
	n    func(*store.Pruned) *int
}{
	{"sign-in attempts", store.KeepSignInAttempts,
		`DELETE FROM web_signin_attempts WHERE at < $1`,
		func(p *store.Pruned) *int { return &p.SignInAttempts }},
	{"sign-in links", store.KeepSignInLinks,
		`DELETE FROM web_signin_links WHERE expires_at < $1`,
		func(p *store.Pruned) *int { return &p.SignInLinks }},
	{"sessions", store.KeepSessions,
		`DELETE FROM web_sessions WHERE last_seen < $1`,
		func(p *store.Pruned) *int { return &p.Sessions }},
	// jobs_signins_sent serves it.
	{"sent sign-in mails", store.KeepSignInMails,
		`DELETE FROM jobs WHERE kind = 'signin' AND state = 'done' AND finished_at < $1`,
		func(p *store.Pruned) *int { return &p.SignInMails }},
	{"progress of ended chat sends", 0,
		`DELETE FROM kv_state WHERE substr(key, 1, ` + fmt.Sprint(len(store.ChatPartsStatePrefix)) + `) = '` + store.ChatPartsStatePrefix + `'
			AND EXISTS (SELECT 1 FROM jobs WHERE id = CAST(substr(key, ` + fmt.Sprint(len(store.ChatPartsStatePrefix)+1) + `) AS INTEGER)
				AND state IN ('done', 'cancelled'))`,
		func(p *store.Pruned) *int { return &p.ChatProgress }},
}

// Prune deletes what is kept only for a while (store.Pruner).
func (s *Store) Prune(ctx context.Context, now time.Time) (_ store.Pruned, err error) {
	defer markBusy(&err)
	var p store.Pruned
	err = s.withTx(ctx, func(tx *Tx) error {
		p = store.Pruned{}
		for _, d := range pruneSQL {
			var args []any
			if d.keep > 0 {
				args = append(args, formatTime(now.Add(-d.keep)))
			}
			res, err := tx.tx.ExecContext(tx.ctx, d.sql, args...)
			if err != nil {
				return fmt.Errorf("prune %s: %w", d.what, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("prune %s: %w", d.what, err)
			}
			*d.n(&p) = int(n)
		}
		return nil
	})
	if err != nil {
		return store.Pruned{}, err
	}
	return p, nil
}
