// Package outage logs a fault that repeats at every retry — a server that
// stays down — as an administrator wants to read it: when it began and
// why, at error level; that it goes on, at warn, every so often; and when
// it ended, at info, with how long it lasted. The tries in between are at
// debug: an hour's outage retried every two minutes is three or four
// lines, not thirty. Counters and metrics are the caller's and go on
// counting every failure.
package outage

import (
	"log/slog"
	"sync"
	"time"
)

// DefaultEvery is how often an outage that goes on is said again.
const DefaultEvery = 20 * time.Minute

// Log follows one fault. Its zero value is not usable: make it with New.
// It is safe for concurrent use.
type Log struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu       sync.Mutex
	since    time.Time // when the outage began; zero while none is on
	said     time.Time // when it was last logged above debug
	saidMsg  string    // what that line said
	failures int       // failures in this outage
}

// New returns a Log that says an outage again every every (DefaultEvery
// when zero), reading the time from now (time.Now when nil).
func New(log *slog.Logger, every time.Duration, now func() time.Time) *Log {
	if every <= 0 {
		every = DefaultEvery
	}
	if now == nil {
		now = time.Now
	}
	return &Log{log: log, every: every, now: now}
}

// Failed records one failure, msg with attrs (the cause among them). The
// first of an outage is logged at error; another with a message other
// than the last one logged, or once every has passed since it, at warn
// with how long the outage has lasted; the others at debug.
func (l *Log) Failed(msg string, attrs ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.failures++
	if l.since.IsZero() {
		l.since, l.said, l.saidMsg = now, now, msg
		l.log.Error(msg, append(attrs, "logged_again", "every "+l.every.String()+" while it lasts, and when it ends")...)
		return
	}
	attrs = append(attrs, "down_for", now.Sub(l.since).Round(time.Second).String(), "failures", l.failures)
	if msg != l.saidMsg || now.Sub(l.said) >= l.every {
		l.said, l.saidMsg = now, msg
		l.log.Warn(msg, attrs...)
		return
	}
	l.log.Debug(msg, attrs...)
}

// Ended ends the outage, if one is on, with msg at info, how long it
// lasted and how many failures it counted. It reports whether one was on.
func (l *Log) Ended(msg string, attrs ...any) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.since.IsZero() {
		return false
	}
	l.log.Info(msg, append(attrs, "down_for", l.now().Sub(l.since).Round(time.Millisecond).String(), "failures", l.failures)...)
	l.since, l.said, l.saidMsg, l.failures = time.Time{}, time.Time{}, "", 0
	return true
}
