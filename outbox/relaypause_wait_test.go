package outbox

import (
	"errors"
	"testing"
	"time"

	"sportel/internal/backoff"
	"sportel/internal/outage"
	"sportel/internal/testutil"
)

// floodWait is Telegram's 429 as the bot gives it: a fault of the API
// that says how long to wait.
type floodWait time.Duration

func (e floodWait) Error() string             { return "429 Too Many Requests: retry after" }
func (e floodWait) RelayFault() bool          { return true }
func (e floodWait) RetryAfter() time.Duration { return time.Duration(e) }

// A pause lasts at least what the fault that began or lengthened it asked
// to wait (a 429's retry_after), however short the pause would be, and no
// longer than the pause when the fault asks less.
func TestRelayGateWaitsRetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		min, max time.Duration // the wait until the probe
	}{
		{"retry_after longer than the pause", floodWait(90 * time.Second), 90 * time.Second, 90 * time.Second},
		{"retry_after shorter than the pause", floodWait(time.Second), 5 * time.Second, 10 * time.Second},
		{"no retry_after", errors.New("connection refused"), 5 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mono time.Duration
			g := relayGate{
				pause: backoff.Backoff{Min: 10 * time.Second, Max: 10 * time.Second},
				mono:  func() time.Duration { return mono },
				wall:  time.Now,
				say:   chatSay{outage.New(testutil.DiscardLogger(), 0, nil)},
			}
			_, _, gen := g.admit(1)
			g.failed(1, false, gen, tt.err)
			if d, paused := g.probeIn(); !paused || d < tt.min || d > tt.max {
				t.Fatalf("after the fault: probe in %v (paused %v), want %v to %v", d, paused, tt.min, tt.max)
			}
			mono = time.Hour
			if ok, probe, _ := g.admit(2); !ok || !probe {
				t.Fatalf("job 2 admitted %v as probe %v, want the probe", ok, probe)
			}
			g.failed(2, true, 0, tt.err)
			if d, paused := g.probeIn(); !paused || d < tt.min || d > tt.max {
				t.Fatalf("after the probe failed: probe in %v (paused %v), want %v to %v", d, paused, tt.min, tt.max)
			}
		})
	}
}
