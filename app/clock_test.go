package app

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// skewedDB is a database whose clock runs off from the host's by skew.
type skewedDB struct{ skew *time.Duration }

func (d skewedDB) DatabaseNow(context.Context) (time.Time, error) {
	return time.Now().Add(*d.skew), nil
}

// A host whose clock drifts from the database's is an error in the log,
// once while it lasts, and the gauge says by how much: instances sharing
// a PostgreSQL store judge the outbox's leases by their own clocks.
func TestClockSkewIsReported(t *testing.T) {
	var skew time.Duration
	logs := testutil.NewLogBuffer(t)
	c := &clockWatch{db: skewedDB{&skew}, now: time.Now, log: logs.Logger(slog.LevelInfo)}
	if got := c.seconds(); !math.IsNaN(got) { // none before any measure
		t.Errorf("gauge %v before any measure, want NaN", got)
	}
	steps := []struct {
		skew             time.Duration
		errors, recovers int // in the log so far
	}{
		{0, 0, 0},
		{40 * time.Second, 1, 0},
		{-40 * time.Second, 1, 0}, // still off: said once
		{500 * time.Millisecond, 1, 1},
		{-3 * time.Second, 2, 1},
	}
	for i, s := range steps {
		skew = s.skew
		c.check(context.Background())
		log := logs.String()
		if n := strings.Count(log, "this host's clock differs from the database's"); n != s.errors {
			t.Errorf("step %d (skew %v): %d errors logged, want %d", i, s.skew, n, s.errors)
		}
		if n := strings.Count(log, "agrees with the database's again"); n != s.recovers {
			t.Errorf("step %d (skew %v): %d recoveries logged, want %d", i, s.skew, n, s.recovers)
		}
		if got := c.seconds(); got < s.skew.Seconds()-0.5 || got > s.skew.Seconds()+0.5 {
			t.Errorf("step %d: gauge %.3f s, want about %.3f", i, got, s.skew.Seconds())
		}
	}
}

// slowDB is a database whose clock runs skew off the host's, read through
// a store that makes each answer wait (a busy pool, a loaded server): the
// host's clock moves on by waits[i] before the i-th answer, which reads
// the database's clock as it is when the answer is given.
type slowDB struct {
	host  *time.Time
	skew  time.Duration
	waits []time.Duration
	calls int
}

func (d *slowDB) DatabaseNow(context.Context) (time.Time, error) {
	w := d.waits[min(d.calls, len(d.waits)-1)]
	d.calls++
	*d.host = d.host.Add(w)
	return d.host.Add(d.skew), nil
}

// A measurement of the skew is off by up to half its round trip, to the
// side that makes the database's clock look ahead when the wait was for a
// connection: an instance would take others' leases as run out that much
// early. A check keeps the fastest of a few measurements, and a check
// whose answers were all slow keeps the skew measured before (the first
// takes what it gets) and comes again soon, instead of trusting it for
// five minutes, nor says the clocks differ because of it.
func TestClockSkewIsNotMeasuredOverASlowAnswer(t *testing.T) {
	const skew = 0 // NTP keeps the host's clock right
	tests := []struct {
		name  string
		known bool            // a fast check came before
		waits []time.Duration // each answer's wait, the last repeated
		// want is the skew measured, within 10 ms; next when to check again.
		want time.Duration
		next time.Duration
		// calls is how many measurements the check took.
		calls int
	}{
		{"fast", false, []time.Duration{10 * time.Millisecond}, skew, clockCheckEvery, 1},
		{"first answer after a pool's 10 s wait, the next fast", false,
			[]time.Duration{10 * time.Second, 10 * time.Millisecond}, skew, clockCheckEvery, 2},
		{"every answer slow, a skew known", true, []time.Duration{8 * time.Second}, skew, skewRetry, skewTries},
		{"every answer slow, none known: the fastest taken", false,
			[]time.Duration{8 * time.Second, 6 * time.Second, 9 * time.Second}, skew + 3*time.Second, skewRetry, skewTries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
			logs := testutil.NewLogBuffer(t)
			db := &slowDB{host: &host, skew: skew, waits: []time.Duration{10 * time.Millisecond}}
			c := &clockWatch{db: db, now: func() time.Time { return host }, log: logs.Logger(slog.LevelInfo)}
			if tt.known {
				c.check(context.Background())
			}
			db.waits, db.calls = tt.waits, 0
			next := c.check(context.Background())
			if got := time.Duration(c.skew.Load()); got < tt.want-10*time.Millisecond || got > tt.want+10*time.Millisecond {
				t.Errorf("skew %v, want %v", got, tt.want)
			}
			if next != tt.next {
				t.Errorf("next check in %v, want %v", next, tt.next)
			}
			if db.calls != tt.calls {
				t.Errorf("%d measurements, want %d", db.calls, tt.calls)
			}
			differs := strings.Contains(logs.String(), "clock differs")
			if want := tt.want.Abs() > maxClockSkew; differs != want {
				t.Errorf("said the clocks differ: %v, want %v", differs, want)
			}
		})
	}
}
