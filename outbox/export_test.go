package outbox

import "time"

// SetLeaseClock gives the tests the outbox's lease machinery to drive:
// mono replaces the monotonic clock that measures how long a lease has
// gone unconfirmed, and renewTicks the renewals' ticker (a channel nobody
// sends on: only RenewHeld renews).
func SetLeaseClock(o *Outbox, mono func() time.Duration, renewTicks <-chan time.Time) {
	o.mono, o.renewTicks = mono, renewTicks
}

// RenewHeld renews every held lease still ours, as one tick of the
// renewals does, and returns when it is recorded.
func RenewHeld(o *Outbox) {
	if ids := o.held.ours(); len(ids) > 0 {
		o.renew(ids)
	}
}

// CheckLeases cuts off, before it returns, every send whose lease has gone
// unconfirmed too long by the monotonic clock now.
func CheckLeases(o *Outbox) { o.checkLeases() }
