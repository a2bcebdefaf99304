// Package backoff is Sportel's one retry delay: capped exponential growth
// with jitter, and a sleep that ends early when its context does. The IMAP
// watcher, the Telegram loops and the outbox all wait through it.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff grows from Min, doubling per attempt, up to Max.
type Backoff struct {
	Min, Max time.Duration
}

// Delay is the wait before attempt n (1-based; n < 1 counts as 1). It lies
// in the upper half of the nominal delay, so several daemons retrying
// together spread out instead of hammering a recovering server in step, and
// it never exceeds Max.
func (b Backoff) Delay(n int) time.Duration {
	d := max(b.Min, 0)
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// Sleep waits for d or until ctx is done; it reports whether d passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
