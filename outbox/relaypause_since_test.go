package outbox

import (
	"errors"
	"testing"
	"time"

	"sportel/internal/backoff"
	"sportel/internal/testutil"
)

// The relay gate says since when the mail is paused on the wall clock:
// from the fault that began the pause, whatever fails after it within the
// same pause (a send begun before it, a failed probe), and anew for a
// later pause; nothing once the relay answers. The workspace's banner
// shows it.
func TestRelayGatePausedSince(t *testing.T) {
	start := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	var mono time.Duration
	g := relayGate{
		pause: backoff.Backoff{Min: 30 * time.Second, Max: 5 * time.Minute},
		mono:  func() time.Duration { return mono },
		wall:  func() time.Time { return start.Add(mono) },
		say:   mailSay{testutil.DiscardLogger()},
	}
	_, _, gen := g.admit(1) // sent while the relay is up
	steps := []struct {
		name  string
		at    time.Duration // on the monotonic clock
		do    func()
		since time.Duration // from start; -1: not paused
	}{
		{"before any fault", 0, func() {}, -1},
		{"the first fault", time.Minute, func() { g.failed(1, false, gen, errors.New("535 authentication failed")) }, time.Minute},
		{"a send begun before the pause fails too", time.Minute + time.Second, func() { g.failed(2, false, gen, errors.New("dial: connection refused")) }, time.Minute},
		{"a probe fails", 10 * time.Minute, func() {
			if ok, probe, _ := g.admit(3); !ok || !probe {
				t.Fatalf("job 3 admitted %v as probe %v, want the probe", ok, probe)
			}
			g.failed(3, true, 0, errors.New("535 authentication failed"))
		}, time.Minute},
		{"a probe gets through", 20 * time.Minute, func() {
			if ok, probe, _ := g.admit(4); !ok || !probe {
				t.Fatalf("job 4 admitted %v as probe %v, want the probe", ok, probe)
			}
			g.answered(4, true)
		}, -1},
		{"a later fault begins a new pause", time.Hour, func() {
			_, _, gen = g.admit(5)
			g.failed(5, false, gen, errors.New("dial: connection refused"))
		}, time.Hour},
	}
	for _, st := range steps {
		mono = st.at
		st.do()
		since, paused := g.paused()
		switch {
		case st.since < 0 && (paused || !since.IsZero()):
			t.Fatalf("%s: paused %v since %v, want not paused", st.name, paused, since)
		case st.since >= 0 && (!paused || !since.Equal(start.Add(st.since))):
			t.Fatalf("%s: paused %v since %v, want paused since %v", st.name, paused, since, start.Add(st.since))
		}
	}
}
