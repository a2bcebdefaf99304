package outbox

import (
	"log/slog"
	"sync"
	"time"
)

// storeHealth says once that the store fails the outbox's own bookkeeping
// (claims, lease renewals, completions) and once that it answers again. A
// database that is down fails every claim poll, every renewal tick and
// every retry of a completion: logged each, an outage of a minute would be
// a hundred error lines on every instance, and the one that matters, when
// it began, would scroll away. The later failures of the same outage go to
// debug.
type storeHealth struct {
	log  *slog.Logger
	mono func() time.Duration

	mu sync.Mutex
	// since is when the outage began (mono); failing says there is one.
	since   time.Duration
	failing bool
	// lastFailure is when (mono) a call last failed, failedOnce whether
	// one ever did.
	lastFailure time.Duration
	failedOnce  bool
}

// failed records a failure of what (the operation) and logs it: at error
// when it begins an outage, at debug while one lasts.
func (h *storeHealth) failed(what string, err error, attrs ...any) {
	h.mu.Lock()
	first := !h.failing
	now := h.mono()
	if first {
		h.failing, h.since = true, now
	}
	h.lastFailure, h.failedOnce = now, true
	h.mu.Unlock()
	args := append([]any{"while", what, "err", err}, attrs...)
	if first {
		h.log.Error("store failing: the outbox's claims, lease renewals and completions wait for it (logged again when it answers)", args...)
		return
	}
	h.log.Debug("store still failing", args...)
}

// isFailing reports whether the last call of the outbox's bookkeeping
// failed and none has been taken since.
func (h *storeHealth) isFailing() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failing
}

// failedSince reports whether a call has failed at t (mono) or later.
func (h *storeHealth) failedSince(t time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failedOnce && h.lastFailure >= t
}

// failingFor is how long the store has failed the outbox's bookkeeping; 0
// when it answers.
func (h *storeHealth) failingFor() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.failing {
		return 0
	}
	return h.mono() - h.since
}

// answered records that the store took a call begun at began (mono): it
// ends an outage under way, with a line saying how long it lasted, unless
// the call began before the outage did, and so says nothing of the store
// since.
func (h *storeHealth) answered(began time.Duration) {
	h.mu.Lock()
	was, since := h.failing, h.since
	if was && began < since {
		h.mu.Unlock()
		return
	}
	h.failing = false
	h.mu.Unlock()
	if was {
		h.log.Info("store answers again", "failing_for", (h.mono() - since).Round(time.Millisecond))
	}
}
