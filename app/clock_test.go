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
