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
}

// check measures the skew once, against the middle of the round trip.
func (c *clockWatch) check(ctx context.Context) {
	before := c.now()
	db, err := c.db.DatabaseNow(ctx)
	after := c.now()
	if err != nil {
		if ctx.Err() == nil { // a stop is not the database failing to answer
			c.log.Warn("cannot compare this host's clock with the database's", "err", err)
		}
		return
	}
	skew := db.Sub(before.Add(after.Sub(before) / 2))
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
}

// run checks at start and every clockCheckEvery until ctx ends.
func (c *clockWatch) run(ctx context.Context) error {
	for {
		c.check(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(clockCheckEvery):
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
