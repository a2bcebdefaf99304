package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"
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

// guardLease returns ctx cut off, with a *leaseUnconfirmed cause, once job
// id's lease has gone unconfirmed for cutAfter; stop ends the watch. The
// transports honour ctx: the mailer closes the connection, and the mail
// goes as one BDAT chunk before BDAT 0 LAST (or after DATA with its final
// "."), so a send cut off before that is not taken in by the relay. One cut
// off after it may have been; the outbox then sends it again, as the same
// mail, as after a crash.
func (o *Outbox) guardLease(ctx context.Context, id int64) (sendCtx context.Context, stop func()) {
	sendCtx, cut := context.WithCancelCause(ctx)
	o.held.watch(id, cut)
	done := make(chan struct{})
	var watching sync.WaitGroup
	watching.Go(func() {
		timer := time.NewTimer(o.cfg.Lease)
		defer timer.Stop()
		for {
			wait, ok := o.held.cutIfUnconfirmed(id, o.mono(), o.cutAfter(), o.cfg.Lease)
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

// checkLeases cuts off every send whose lease has gone unconfirmed for
// cutAfter, as each send's watch does when its time comes; tests call it
// with the monotonic clock in hand.
func (o *Outbox) checkLeases() {
	now := o.mono()
	for _, id := range o.held.sending() {
		o.held.cutIfUnconfirmed(id, now, o.cutAfter(), o.cfg.Lease)
	}
}
