package bot

import (
	"testing"
	"time"
)

// A chat is told what the bot reads at most once per unsupportedEvery,
// and again once a window has passed; each chat on its own.
func TestFirstUnsupportedOncePerWindow(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		chat  int64
		after time.Duration // since start
		want  bool
	}{
		{"first", 1, 0, true},
		{"a second later", 1, time.Second, false},
		{"another chat", 2, time.Second, true},
		{"still within the window", 1, 9 * time.Minute, false},
		{"a window after the last unanswered one", 1, 9*time.Minute + unsupportedEvery, true},
		{"right after that answer", 1, 9*time.Minute + unsupportedEvery + time.Second, false},
	}
	now := start
	b := &Bot{unsupported: newFloodGate(1, unsupportedEvery), now: func() time.Time { return now }}
	for i, tt := range tests {
		now = start.Add(tt.after)
		if got := b.firstUnsupported(tt.chat, int64(i+1)); got != tt.want {
			t.Errorf("%s: answered %v, want %v", tt.name, got, tt.want)
		}
	}
}

// An update whose handling failed is noted again when it is tried again:
// it gets the answer it got the first time and is not counted twice, so a
// store outage does not mute a citizen who wrote once.
func TestFloodGateCountsAnUpdateOnce(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	type note struct {
		update       int64
		muted, first bool
	}
	tests := []struct {
		name  string
		notes []note
	}{
		{"one update tried five times", []note{{1, false, false}, {1, false, false}, {1, false, false}, {1, false, false}, {1, false, false}}},
		{"retries do not fill the window", []note{{1, false, false}, {2, false, false}, {2, false, false}, {2, false, false}, {3, false, false}, {4, true, true}}},
		{"the update that muted, tried again, still notifies", []note{{1, false, false}, {2, false, false}, {3, false, false}, {4, true, true}, {4, true, true}, {5, true, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFloodGate(3, time.Minute)
			for i, n := range tt.notes {
				muted, notify := g.note(7, n.update, start.Add(time.Duration(i)*time.Second))
				if muted != n.muted || notify != n.first {
					t.Errorf("note %d (update %d): muted %v notify %v, want %v %v", i, n.update, muted, notify, n.muted, n.first)
				}
			}
		})
	}
}
