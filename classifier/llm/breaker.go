package llm

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"sportel/internal/backoff"
)

// Breaker defaults: three failures in a row stop the calls; the first pause
// is half a minute and each failed probe doubles it, up to ten minutes.
const (
	defaultBreakerFailures    = 3
	defaultBreakerCooldown    = 30 * time.Second
	defaultBreakerMaxCooldown = 10 * time.Minute
)

type breakerState int

const (
	closed   breakerState = iota // calls go to the endpoint
	open                         // calls are answered by the built-in model until the cool-down ends
	halfOpen                     // one probe is in flight; the others are answered by the built-in model
)

// breaker stops calling an endpoint that keeps failing, so that a dead or
// hanging model costs a few timeouts, not one per message. It is safe for
// concurrent use.
type breaker struct {
	threshold int
	cooldown  backoff.Backoff
	now       func() time.Time
	log       *slog.Logger

	mu       sync.Mutex
	state    breakerState
	failures int       // consecutive endpoint failures while closed
	trips    int       // openings since the last success; grows the cool-down
	until    time.Time // when open, the end of the cool-down
}

// allow reports whether a call may go to the endpoint, and whether it is the
// probe that decides if the breaker closes.
func (b *breaker) allow(ctx context.Context) (ok, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case closed:
		return true, false
	case open:
		if b.now().Before(b.until) {
			return false, false
		}
		b.state = halfOpen
		b.log.LogAttrs(ctx, slog.LevelInfo, "llm breaker half-open: probing the endpoint with one request")
		return true, true
	default: // halfOpen: the probe is out
		return false, false
	}
}

// success records an answer. The probe's closes the breaker; an answer that
// was in flight when the breaker opened changes nothing.
func (b *breaker) success(ctx context.Context, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case probe:
		b.state, b.failures, b.trips = closed, 0, 0
		b.log.LogAttrs(ctx, slog.LevelInfo, "llm breaker closed: the endpoint answers again")
	case b.state == closed:
		b.failures = 0
	}
}

// failure records an endpoint failure (timeout, HTTP error, unusable
// answer). The threshold-th in a row opens the breaker; a failed probe
// re-opens it with a longer cool-down.
func (b *breaker) failure(ctx context.Context, probe bool, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case probe:
		b.trip(ctx, "llm breaker re-opened: the probe failed; using the built-in classifier", reason, 1)
	case b.state == closed:
		b.failures++
		if b.failures >= b.threshold {
			b.trip(ctx, "llm breaker open: the endpoint keeps failing; using the built-in classifier", reason, b.failures)
		}
	}
}

// abandon returns an unfinished probe (the caller stopped waiting before the
// endpoint answered): the next call probes again.
func (b *breaker) abandon(probe bool) {
	if !probe {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == halfOpen {
		b.state = open
	}
}

func (b *breaker) trip(ctx context.Context, msg, reason string, failures int) {
	b.trips++
	pause := b.cooldown.Delay(b.trips)
	b.state, b.failures, b.until = open, 0, b.now().Add(pause)
	b.log.LogAttrs(ctx, slog.LevelWarn, msg,
		slog.String("last_reason", reason),
		slog.Int("failures_in_a_row", failures),
		slog.Duration("cooldown", pause))
}

// isOpen reports whether calls are being kept from the endpoint.
func (b *breaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state != closed
}
