package app

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"
)

// databaseClock is a store shared by several instances whose own clock
// they can compare theirs with (PostgreSQL).
type databaseClock interface {
	DatabaseNow(ctx context.Context) (time.Time, error)
}

const (
	// maxClockSkew is how far this host's clock may be from the database's
	// before it is logged as an error: the outbox's leases are judged by
	// the database's clock as last measured (leaseClock), but the rest of
	// the daemon (dates on mail, the scheduler) goes by the host's.
	maxClockSkew = 2 * time.Second
	// clockCheckEvery is how often the clocks are compared.
	clockCheckEvery = 5 * time.Minute
	// skewRoundTrip is the longest round trip a measurement of the skew
	// is trusted over: it is off by up to half its round trip. A slow
	// answer is mostly a wait (for a connection of a pool busy with calls
	// that wait on a lock, for a loaded server) at the start, so the skew
	// read over it errs by up to half that wait (the pool's, up to the
	// store's 10-s call timeout), making the database's clock look ahead:
	// this instance would take other instances' leases as run out early.
	skewRoundTrip = 500 * time.Millisecond
	// skewTries is how many measurements a check takes at most to find one
	// with a round trip within skewRoundTrip.
	skewTries = 3
	// skewRetry is how soon a check that found none is made again.
	skewRetry = 10 * time.Second
)

// clockWatch compares this host's clock with the database's, logs an error
// when they drift apart (once, and again when they agree), and keeps the
// last skew for the outbox's lease clock and the metrics.
type clockWatch struct {
	db    databaseClock
	now   func() time.Time
	log   *slog.Logger
	skew  atomic.Int64 // nanoseconds, database minus host; NaN-free
	known atomic.Bool
	bad   bool
	// took is the round trip the skew was measured over.
	took time.Duration
}

// check measures the skew, against the middle of the round trip, and
// returns when to check again. Of up to skewTries measurements it keeps the
// one with the shortest round trip. When even that took longer than
// skewRoundTrip, and than twice the round trip of the skew it has (a link
// always that slow is trusted as far as it can be), that skew is kept and
// the check is made again soon; the first check, with none before it,
// takes it all the same: better than none.
func (c *clockWatch) check(ctx context.Context) (next time.Duration) {
	limit := max(skewRoundTrip, 2*c.took)
	var skew, took time.Duration
	for try := range skewTries {
		before := c.now()
		db, err := c.db.DatabaseNow(ctx)
		after := c.now()
		if err != nil {
			if ctx.Err() == nil { // a stop is not the database failing to answer
				c.log.Warn("cannot compare this host's clock with the database's", "err", err)
			}
			return clockCheckEvery
		}
		if rtt := after.Sub(before); try == 0 || rtt < took {
			skew, took = db.Sub(before.Add(rtt/2)), rtt
		}
		if took <= limit {
			break
		}
	}
	next = clockCheckEvery
	if took > limit {
		next = skewRetry
		if c.known.Load() {
			c.log.Debug("the database's clock answered too slowly to compare with; the last measurement is kept",
				"round_trip", took.Round(time.Millisecond), "kept_round_trip", c.took.Round(time.Millisecond))
			return next
		}
	}
	c.took = took
	c.skew.Store(int64(skew))
	c.known.Store(true)
	switch off := skew.Abs() > maxClockSkew; {
	case off && !c.bad:
		c.log.Error("this host's clock differs from the database's: instances sharing the store judge the outbox's leases by their own clocks, so keep them within a second or two (NTP), or mail may be sent twice",
			"skew", skew.Round(time.Millisecond), "allowed", maxClockSkew)
	case !off && c.bad:
		c.log.Info("this host's clock agrees with the database's again", "skew", skew.Round(time.Millisecond))
	}
	c.bad = skew.Abs() > maxClockSkew
	return next
}

// run checks at start and every clockCheckEvery (sooner after a check
// whose answers were too slow) until ctx ends.
func (c *clockWatch) run(ctx context.Context) error {
	for {
		next := c.check(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(next):
		}
	}
}

// leaseClock is this host's clock set to the database's by the last skew
// measured: the outbox writes and judges its leases by it, so instances
// whose own clocks drift apart still agree on whose lease has run out
// (to within the round trip the skew was measured over).
func (c *clockWatch) leaseClock() time.Time {
	return c.now().Add(time.Duration(c.skew.Load()))
}

// seconds is the last skew measured, for the metrics (NaN: none yet).
func (c *clockWatch) seconds() float64 {
	if !c.known.Load() {
		return math.NaN()
	}
	return time.Duration(c.skew.Load()).Seconds()
}
