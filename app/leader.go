package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// leaderLease is a store that several instances share and that elects one
// of them (PostgreSQL). A store without it (SQLite, which one daemon owns
// under its instance lock) makes every instance the leader.
type leaderLease interface {
	// TryLead takes or renews owner's lease for ttl; true while owner holds it.
	TryLead(ctx context.Context, owner string, ttl time.Duration) (bool, error)
	// Resign frees owner's lease at once.
	Resign(ctx context.Context, owner string) error
	// LeaseHolder names the live lease's owner ("" when none).
	LeaseHolder(ctx context.Context) (holder string, until time.Time, err error)
}

const (
	// leaderTTL is how long a lease holds unrenewed: a dead leader's
	// standby takes over within it and one renewal interval.
	leaderTTL = 6 * time.Second
	// leaderRenew is how often the leader renews, and a standby asks.
	leaderRenew = 2 * time.Second
	// resignTimeout bounds giving the lease up at shutdown.
	resignTimeout = 5 * time.Second
	// leaderStopBudget is how long a stopping leader keeps its lease
	// renewed while its leader-only parts finish what they hold (the
	// Telegram update in hand has 10 s, the intake its batch): longer
	// than those, well inside systemd's stop timeout.
	leaderStopBudget = 20 * time.Second
)

// leadership runs the leader-only parts of the daemon (the IMAP watcher,
// Telegram's long polling, the scheduler) while this instance holds the
// leader lease, and stops them at once when it stops holding it. Safety
// never rests on it: intake is idempotent and scheduled sends have unique
// keys, so two instances briefly both leading file nothing twice. It saves
// the work twice and the second Telegram poller.
type leadership struct {
	lease leaderLease // nil: always the leader
	owner string
	ttl   time.Duration
	every time.Duration
	log   *slog.Logger

	mu sync.Mutex
	// term is live while this instance leads; nil while it stands by.
	term    context.Context
	endTerm context.CancelFunc
	// deadline is when the lease runs out unless renewed: by this
	// process's clock, from before the renewal was asked for, so it falls
	// before the database's own expiry.
	deadline time.Time
	// changed is closed and replaced whenever a term begins.
	changed chan struct{}
	// running counts leader-only parts inside a term, so the lease is
	// given up only once they have stopped.
	running sync.WaitGroup
}

// newLeadership elects through st when st can, else always leads.
func newLeadership(st any, owner string, log *slog.Logger) *leadership {
	l := &leadership{owner: owner, ttl: leaderTTL, every: leaderRenew, log: log, changed: make(chan struct{})}
	if lease, ok := st.(leaderLease); ok {
		l.lease = lease
	}
	return l
}

// Leading reports whether this instance leads now. Without an election
// (SQLite: one daemon a store) it always does, from before Run begins its
// term: /readyz and sportel_leader, served from the start, must not call
// the only instance a standby for the moment until then.
func (l *leadership) Leading() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lease == nil || l.term != nil
}

// Role is "leader" or "standby", for /readyz.
func (l *leadership) Role() string {
	if l.Leading() {
		return "leader"
	}
	return "standby"
}

// begin starts a term under ctx unless one runs.
func (l *leadership) begin(ctx context.Context) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term != nil {
		return false
	}
	l.term, l.endTerm = context.WithCancel(ctx)
	close(l.changed)
	l.changed = make(chan struct{})
	return true
}

// end ends the running term, if any, which stops the leader-only parts.
func (l *leadership) end() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.term == nil {
		return false
	}
	l.endTerm()
	l.term, l.endTerm = nil, nil
	return true
}

// Run elects until ctx ends, then stops the leader-only parts and gives the
// lease up, so a standby takes over within one of its intervals.
func (l *leadership) Run(ctx context.Context) error {
	if l.lease == nil {
		l.begin(ctx)
		<-ctx.Done()
		l.end()
		return nil
	}
	// The lease runs out by itself unless renewed in time, whether the
	// renewal failed or never returned.
	expiry := time.AfterFunc(time.Hour, func() { l.expire() })
	expiry.Stop()
	defer expiry.Stop()
	first := true
	failing := false // the store has refused since the last good answer
	for {
		asked := time.Now()
		cctx, cancel := context.WithTimeout(ctx, l.every)
		ok, err := l.lease.TryLead(cctx, l.owner, l.ttl)
		cancel()
		if ctx.Err() != nil {
			break
		}
		if err == nil && failing {
			failing = false
			l.log.Info("leader lease: the store answers again")
		}
		switch {
		case err != nil:
			// Once per outage: it is retried every interval.
			if !failing {
				l.log.Warn("leader lease: cannot reach the store; retrying", "err", err, "leading", l.Leading())
			}
			failing = true
		case ok && time.Since(asked) < l.ttl:
			l.mu.Lock()
			l.deadline = asked.Add(l.ttl)
			l.mu.Unlock()
			expiry.Reset(time.Until(asked.Add(l.ttl)))
			if l.begin(ctx) {
				l.log.Info("leading: this instance takes mail and Telegram messages in and runs the scheduler", "instance", l.owner)
			}
		case ok:
			// Granted, but so late that the lease may have run out already.
		default:
			if l.end() {
				l.log.Warn("no longer leading: another instance holds the leader lease; intake stopped here", "instance", l.owner)
			} else if first {
				holder, _, _ := l.lease.LeaseHolder(ctx)
				l.log.Info("standby: another instance leads; this one sends from the outbox and takes over if it stops", "leader", holder, "instance", l.owner)
			}
		}
		first = false
		wait := l.every
		if err != nil && l.Leading() {
			// The lease is still ours for a while: try again soon, so one
			// slow answer does not cost the lead.
			wait = l.every / 4
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		if ctx.Err() != nil {
			break
		}
	}
	expiry.Stop()
	if !l.end() {
		return nil
	}
	// Resign once the leader-only parts have stopped, so the next leader
	// does not start beside them, and renew meanwhile: the lease runs from
	// its last renewal, so unrenewed it could lapse under a part still
	// finishing its Telegram update or its batch.
	stopped := make(chan struct{})
	go func() { l.running.Wait(); close(stopped) }()
	l.holdUntil(ctx, stopped, leaderStopBudget)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resignTimeout)
	defer cancel()
	if err := l.lease.Resign(rctx, l.owner); err != nil {
		l.log.Warn("leader lease: resign at stop (a standby takes over when it expires)", "err", err)
		return nil
	}
	l.log.Info("leader lease given up", "instance", l.owner)
	return nil
}

// holdUntil keeps renewing the lease until stopped closes or budget has
// passed (a part that will not stop is given up on), or the lease is lost.
func (l *leadership) holdUntil(ctx context.Context, stopped <-chan struct{}, budget time.Duration) {
	give := time.NewTimer(budget)
	defer give.Stop()
	tick := time.NewTicker(l.every)
	defer tick.Stop()
	for {
		select {
		case <-stopped:
			return
		case <-give.C:
			l.log.Warn("leader-only parts still running at stop; giving the leader lease up anyway", "waited", budget, "instance", l.owner)
			return
		case <-tick.C:
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.every)
			ok, err := l.lease.TryLead(rctx, l.owner, l.ttl)
			cancel()
			if err == nil && !ok {
				return // another instance holds it already
			}
		}
	}
}

// expire ends the term when the lease's deadline has passed unrenewed.
func (l *leadership) expire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Checked under the lock: a renewal that just moved the deadline wins.
	if l.term == nil || time.Now().Before(l.deadline) {
		return
	}
	l.endTerm()
	l.term, l.endTerm = nil, nil
	l.log.Warn("no longer leading: the leader lease could not be renewed in time; intake stopped here", "instance", l.owner)
}

// await blocks until a term runs and returns it, counted as running; false
// when ctx ends first.
func (l *leadership) await(ctx context.Context) (context.Context, bool) {
	for {
		l.mu.Lock()
		if term := l.term; term != nil {
			l.running.Add(1)
			l.mu.Unlock()
			return term, true
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, false
		case <-changed:
		}
	}
}

// whileLeading runs fn during every term until ctx ends: fn's context ends
// with the term. fn returning while the term runs is a failure of the
// daemon, as for any runner.
func (l *leadership) whileLeading(ctx context.Context, fn func(context.Context) error) error {
	for {
		term, ok := l.await(ctx)
		if !ok {
			return nil
		}
		fctx, cancel := context.WithCancel(term)
		stop := context.AfterFunc(ctx, cancel)
		err := fn(fctx)
		termLive := fctx.Err() == nil
		stop()
		cancel()
		l.running.Done()
		switch {
		case ctx.Err() != nil:
			return err
		case termLive && err == nil:
			return errors.New("stopped unexpectedly")
		case termLive:
			return err
		}
		// The term ended; wait for the next.
	}
}
