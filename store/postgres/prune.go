package postgres

import (
	"context"
	"fmt"
	"time"

	"sportel/store"
)

// pruneSQL are the deletions of store.Pruner, each with what it deletes.
// $1, when keep is set, is the cutoff that period gives. The chat progress
// notes are found by the prefix of their key, and the id after it read as
// a number only once the key is known to be one (CASE keeps the cast from
// seeing another key), so the job is looked up by its primary key: a note
// whose job has ended goes, whenever it ended. kv_state holds a few
// settings beside the notes of the sends under way, so reading it whole
// costs little. Two instances pruning at once delete each row once: the
// second waits for the first's row locks and then finds nothing.
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
	// jobs_sent (kind, finished_at, finished_at_ns) WHERE state = 'done'
	// serves it; a microsecond either side of 30 days matters to nobody.
	{"sent sign-in mails", store.KeepSignInMails,
		`DELETE FROM jobs WHERE kind = 'signin' AND state = 'done' AND finished_at < $1`,
		func(p *store.Pruned) *int { return &p.SignInMails }},
	{"progress of ended chat sends", 0,
		`DELETE FROM kv_state k USING jobs j
		WHERE left(k.key, ` + fmt.Sprint(len(store.ChatPartsStatePrefix)) + `) = '` + store.ChatPartsStatePrefix + `'
			AND j.id = CASE WHEN substr(k.key, ` + fmt.Sprint(len(store.ChatPartsStatePrefix)+1) + `) ~ '^[0-9]{1,18}$'
				THEN substr(k.key, ` + fmt.Sprint(len(store.ChatPartsStatePrefix)+1) + `)::bigint END
			AND j.state IN ('done', 'cancelled')`,
		func(p *store.Pruned) *int { return &p.ChatProgress }},
}

// Prune deletes what is kept only for a while (store.Pruner).
func (s *Store) Prune(ctx context.Context, now time.Time) (_ store.Pruned, err error) {
	defer markBusy(&err)
	var p store.Pruned
	err = s.withTx(ctx, func(tx *Tx) error {
		cctx, cancel := tx.callCtx()
		defer cancel()
		p = store.Pruned{}
		for _, d := range pruneSQL {
			var args []any
			if d.keep > 0 {
				args = append(args, at(now.Add(-d.keep)))
			}
			tag, err := tx.tx.Exec(cctx, d.sql, args...)
			if err != nil {
				return fmt.Errorf("prune %s: %w", d.what, err)
			}
			*d.n(&p) = int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return store.Pruned{}, err
	}
	return p, nil
}
