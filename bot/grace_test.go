package bot

import (
	"context"
	"testing"
	"time"
)

// The update in hand outlives the stop by the grace and no more; stopping
// the loop ends it at once.
func TestAfterGrace(t *testing.T) {
	const grace = 500 * time.Millisecond
	tests := []struct {
		name     string
		end      func(cancel context.CancelFunc, stop func())
		minAlive time.Duration // still running this long after end
		within   time.Duration // and ended by this
	}{
		{"the parent stops", func(cancel context.CancelFunc, _ func()) { cancel() }, grace / 5, 5 * time.Second},
		{"the loop returns", func(_ context.CancelFunc, stop func()) { stop() }, 0, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, stop := afterGrace(parent, grace)
			defer stop()
			start := time.Now()
			tt.end(cancel, stop)
			if tt.minAlive > 0 {
				time.Sleep(tt.minAlive)
				if c.Err() != nil {
					t.Fatalf("ended %v after the stop, want at least %v", time.Since(start), tt.minAlive)
				}
			}
			select {
			case <-c.Done():
			case <-time.After(tt.within):
				t.Fatalf("still running %v after the stop", tt.within)
			}
		})
	}
}
