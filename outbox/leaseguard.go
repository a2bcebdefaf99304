package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"sportel/internal/noreturn"
)

// A send outlives its lease only when its instance lost the store: the
// renewals, every third of a lease, fail, and once the lease has run out by
// the database's clock another instance claims the job and sends it too.
// guardLease cuts such a send off before that, going by how long the lease
// has gone unconfirmed on the monotonic clock, not by the lease's end on
// the wall clock: a wall clock stepped forward (NTP, a resumed VM) makes a
// lease in hand look run out, while the renewals, which succeed, show it is
// ours.
//
// The margin: a claim or renewal asked at monotonic time c writes the lease
// to run until now+lease by this outbox's clock, which app sets to the
// database's by the skew it measured; another instance claims once its own
// such clock passes that. The send is cut off at c + cutAfter(), which
// leaves a third of a lease (10 s by default, 1 s at MinLease) for the two
// instances' skew measurements to be off (each by half its round trip and
// the drift since, every 5 minutes) and for the cut to close the
// connection. What it does not cover: another host's clock stepped forward
// by more than that since its last measurement (it claims early), and a
// suspended machine, whose monotonic clock stops while the database's runs.

// cutAfter is how long a send's lease may go unconfirmed before the send is
// cut off: two thirds of a lease, so two renewals in a row have failed (or
// not been answered).
func (o *Outbox) cutAfter() time.Duration { return o.cfg.Lease * 2 / 3 }

// leaseUnconfirmed is why a send was cut off.
type leaseUnconfirmed struct {
	since, lease time.Duration
}

func (e *leaseUnconfirmed) Error() string {
	return fmt.Sprintf("its lease was last confirmed %s ago (renewals failing) and, unrenewed, runs out %s after that, when another instance may claim the job",
		e.since.Round(time.Millisecond), e.lease)
}

// leaseFresh reports whether job id's lease is ours and known to be for a
// while yet: a third of a lease ahead by the outbox's clock, and confirmed
// within the last third of a lease, so a send has at least a third of a
// lease before guardLease would cut it off, and the renewals to extend it.
func (o *Outbox) leaseFresh(id int64) bool {
	until, confirmed := o.held.lease(id)
	return !until.IsZero() && until.Sub(o.now()) >= o.cfg.Lease/3 && o.mono()-confirmed < o.cfg.Lease/3
}

// storeWaitPoll is how often a send held back by a failing store looks
// whether it answers again.
const storeWaitPoll = 50 * time.Millisecond

// waitForStore holds back job id's send while the store fails the
// outbox's bookkeeping (claims, renewals, completions: storeHealth), or
// takes completions in no more (recordGate), and reports whether it may
// go. A send made then is not recorded: its completion cannot be written,
// and once its lease runs out another instance (or this one, after a
// restart) claims it and sends it again, so an outage would send twice
// everything sent during it. Held back, only what was in flight when the
// store began failing can go twice, or, while it is locked, what was sent
// in the RecordStall after the stuck commit began. A job whose lease goes
// stale while it waits, or whose outbox stops, is not sent here: its lease
// runs out and the next claim, once the store answers, sends it.
func (o *Outbox) waitForStore(ctx context.Context, id int64) bool {
	for {
		// The gate's lock-free look first: on the hot path it is open.
		failing := o.store.isFailing()
		if o.records.open() && !failing {
			return true
		}
		// While the store fails its completions are not recorded either:
		// storeHealth has said so, and the gate is not asked to say it
		// again as a lock.
		var opened <-chan struct{}
		if !failing {
			var closed bool
			if opened, closed = o.records.check(); !closed {
				return true
			}
		}
		if ctx.Err() != nil || !o.leaseFresh(id) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-opened:
		case <-time.After(storeWaitPoll):
		}
	}
}

// awaitStore holds job id, whose send could not read what it needs from
// the store, until the store answers the outbox again (and records its
// completions: recordGate), and reports whether it may be tried again: not
// when ctx ends (the outbox stops), nor when the store said the job is no
// longer ours. Unlike waitForStore it does not give up when the lease goes
// stale: nothing of this job was sent, so holding it risks no second copy,
// and the renewals, once the store answers, say whether the lease is still
// ours (a lease that ran out and was taken by another instance is reported
// lost, and send leaves the job to it).
func (o *Outbox) awaitStore(ctx context.Context, id int64) bool {
	for o.store.isFailing() || !o.records.open() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(storeWaitPoll):
		}
	}
	until, _ := o.held.lease(id)
	return ctx.Err() == nil && !until.IsZero()
}

// guardLease returns ctx cut off, with a *leaseUnconfirmed cause, once job
// id's lease has gone unconfirmed for cutAfter; stop ends the watch. The
// transports honour ctx: the mailer closes the connection, and the mail
// goes as one BDAT chunk before BDAT 0 LAST (or after DATA with its final
// "."), so a send cut off before that is not taken in by the relay; the
// Telegram bot's request is cancelled, and one cut off before it was
// written sends nothing.
//
// Once the send reaches its point of no return (noreturn.With: the mailer
// about to write the mail's end, the bot having written its sendMessage
// request), it is no longer cut off: the relay or Telegram may take the
// message in whatever becomes of the connection, so a cut would save
// nothing and the job would be sent again as after a crash, a second copy
// for sure where letting the send finish risks one only if another
// instance claims the job before it is recorded. The transport's own
// timeout still bounds the wait for the reply (the mailer's submission
// timeout, the bot's HTTP client's), and so does ctx's deadline. log,
// with the job's fields, says when a send is let finish past the cut so.
func (o *Outbox) guardLease(ctx context.Context, id int64, log func() *slog.Logger) (sendCtx context.Context, stop func()) {
	cutCtx, cut := context.WithCancelCause(ctx)
	o.held.watch(id, cut, log)
	sendCtx = noreturn.With(cutCtx, func() bool { return o.held.pastNoReturn(cutCtx, id) })
	done := make(chan struct{})
	var watching sync.WaitGroup
	watching.Go(func() {
		timer := time.NewTimer(o.cfg.Lease)
		defer timer.Stop()
		for {
			wait, ok := o.checkLease(id, o.mono())
			if !ok {
				return
			}
			// Renewals only move the moment later: waking early, the
			// watch looks again.
			timer.Reset(wait)
			select {
			case <-done:
				return
			case <-timer.C:
			}
		}
	})
	return sendCtx, func() {
		o.held.unwatch(id)
		close(done)
		watching.Wait()
		cut(nil)
	}
}

// checkLease cuts off job id's send if its lease has gone unconfirmed for
// cutAfter by now, or, the send being past its point of no return, says
// at warn level that it is let finish. It returns how long until it
// should look again, with watching false when there is nothing more to
// watch.
func (o *Outbox) checkLease(id int64, now time.Duration) (wait time.Duration, watching bool) {
	wait, watching, late, log := o.held.cutIfUnconfirmed(id, now, o.cutAfter(), o.cfg.Lease)
	if late != nil {
		log().Warn("lease unconfirmed too long while the send was past its point of no return (the relay, or Telegram, may have the whole message): not cut off, left to finish within the transport's own timeout (the mailer's submission timeout, the bot's request timeout); should another instance claim the job before it is recorded, it goes twice",
			"reason", late)
	}
	return wait, watching
}

// checkLeases looks at every watched send as its watch does when its time
// comes; tests call it with the monotonic clock in hand.
func (o *Outbox) checkLeases() {
	now := o.mono()
	for _, id := range o.held.sending() {
		o.checkLease(id, now)
	}
}
