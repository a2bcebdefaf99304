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
	for _, tt := range tests {
		now = start.Add(tt.after)
		if got := b.firstUnsupported(tt.chat); got != tt.want {
			t.Errorf("%s: answered %v, want %v", tt.name, got, tt.want)
		}
	}
}
