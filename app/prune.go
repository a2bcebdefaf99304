package app

import (
	"context"
	"log/slog"
	"time"

	"sportel/store"
)

// pruneEvery is how often the leader deletes what the store keeps only for
// a while (store.Pruner): well inside the shortest period kept (a day), and
// a pass costs a few small deletions.
const pruneEvery = time.Hour

// pruner runs store.Pruner on the leader: at the start of each term, then
// every pruneEvery. It is leader-only to save the work, not for safety:
// every deletion goes by what a row says, so two instances pruning at once
// delete nothing more.
type pruner struct {
	store store.Pruner
	now   func() time.Time
	every time.Duration
	log   *slog.Logger
}

// run prunes until ctx ends. A pass that fails is logged and tried again at
// the next: nothing kept for ever depends on it, so it never stops the
// daemon.
func (p *pruner) run(ctx context.Context) error {
	for {
		p.pass(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(p.every):
		}
	}
}

func (p *pruner) pass(ctx context.Context) {
	n, err := p.store.Prune(ctx, p.now())
	switch {
	case err != nil && ctx.Err() == nil:
		p.log.Warn("prune what is kept only for a while; trying again later", "err", err, "next_in", p.every)
	case err == nil && n.Total() > 0:
		p.log.Info("pruned what is kept only for a while", "signin_attempts", n.SignInAttempts, "signin_links", n.SignInLinks,
			"sessions", n.Sessions, "signin_mails", n.SignInMails, "chat_progress", n.ChatProgress)
	}
}
