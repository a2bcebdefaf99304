package schedule_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/schedule"
)

// The warning that no officer is a head is said once per configuration
// loaded: not again each time Run starts (each leadership term), and again
// only when a reload brings a configuration still without a head.
func TestNoHeadWarnedOncePerConfiguration(t *testing.T) {
	const warning = "no officer has role head"
	noHead := []inquiry.Officer{officers[0], officers[1]}
	type step struct {
		do       string // "run", "reload without head", "reload with head"
		warnings int    // in the log after the step
	}
	tests := []struct {
		name     string
		officers []inquiry.Officer
		steps    []step
	}{
		{"no head: three terms", noHead, []step{{"run", 1}, {"run", 1}, {"run", 1}}},
		{"no head: reloads", noHead, []step{{"run", 1}, {"reload without head", 2}, {"run", 2}, {"reload with head", 2}, {"run", 2}}},
		{"a head: never", officers, []step{{"run", 0}, {"reload with head", 0}, {"run", 0}, {"reload without head", 1}, {"run", 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
			t.Cleanup(func() { st.Close() })
			logs := testutil.NewLogBuffer(t)
			cfg := config(t)
			cfg.Officers = tc.officers
			cfg.Now = func() time.Time { return local(t, "2026-05-02 10:00") }
			// One pass per Run: the term ends at the first wait.
			cfg.Sleep = func(ctx context.Context, d time.Duration) error { return context.Canceled }
			s, err := schedule.New(cfg, st, logs.Logger(slog.LevelInfo))
			if err != nil {
				t.Fatal(err)
			}
			for i, sp := range tc.steps {
				switch sp.do {
				case "run":
					ctx, cancel := context.WithCancel(context.Background())
					cancel()
					if err := s.Run(ctx); err != nil {
						t.Fatalf("step %d: Run: %v", i, err)
					}
				case "reload without head", "reload with head":
					c := config(t)
					c.Officers = noHead
					if sp.do == "reload with head" {
						c.Officers = officers
					}
					if err := s.Reconfigure(c); err != nil {
						t.Fatalf("step %d: Reconfigure: %v", i, err)
					}
				}
				if got := strings.Count(logs.String(), warning); got != sp.warnings {
					t.Errorf("after step %d (%s): %d warnings, want %d\n%s", i, sp.do, got, sp.warnings, logs.String())
				}
			}
		})
	}
}
