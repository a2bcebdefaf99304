package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sportel/internal/testutil"
)

func TestRunAll(t *testing.T) {
	untilDone := func(ctx context.Context) error { <-ctx.Done(); return nil }
	tests := []struct {
		name        string
		cancelAfter time.Duration // 0: the parent context is never cancelled
		runners     []runner
		wantErr     []string // substrings; none: nil error
	}{
		{
			name:        "all stop when the daemon is told to",
			cancelAfter: 10 * time.Millisecond,
			runners:     []runner{{"imap", untilDone}, {"outbox", untilDone}},
		},
		{
			name: "one failure stops the rest and is named",
			runners: []runner{
				{"imap", untilDone},
				{"metrics", func(context.Context) error { return errors.New("listen tcp 127.0.0.1:9: address already in use") }},
				{"outbox", untilDone},
			},
			wantErr: []string{"metrics: listen tcp", "address already in use"},
		},
		{
			name:    "a part that returns early is a failure",
			runners: []runner{{"imap", untilDone}, {"telegram", func(context.Context) error { return nil }}},
			wantErr: []string{"telegram: stopped unexpectedly"},
		},
		{
			name:        "a stuck part cannot hold the stop forever",
			cancelAfter: 10 * time.Millisecond,
			runners: []runner{
				{"imap", untilDone},
				{"outbox", func(ctx context.Context) error { <-ctx.Done(); time.Sleep(time.Hour); return nil }},
			},
			wantErr: []string{"did not stop within", "still running: outbox"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := testutil.Await(t, "runAll", 10*time.Second, func(ctx context.Context) error {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				if tt.cancelAfter > 0 {
					time.AfterFunc(tt.cancelAfter, cancel) // the daemon is told to stop
				}
				return runAll(ctx, testutil.DiscardLogger(), 200*time.Millisecond, tt.runners)
			})
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("runAll: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("runAll returned nil, want an error with %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("runAll: %v; want it to contain %q", err, w)
				}
			}
		})
	}
}
