package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"sportel/internal/testutil"
)

// A gauge read from a store that fails for many scrapes says so once when
// the failures begin and once when a read works again, reports NaN
// meanwhile and the value again after.
func TestStoreGaugeLogsAnOutageOnce(t *testing.T) {
	tests := []struct {
		name     string
		outages  int // each of scrapes failing scrapes, then one good one
		scrapes  int
		wantWarn int
	}{
		{"no outage", 0, 0, 0},
		{"one outage of 40 scrapes", 1, 40, 1},
		{"two outages", 2, 10, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := testutil.NewLogBuffer(t)
			var down atomic.Bool
			m := New()
			m.StoreGauge("sportel_outbox_acks_held", "Held.", logs.Logger(slog.LevelInfo), func(context.Context) (float64, error) {
				if down.Load() {
					return 0, errors.New("count held jobs: dial tcp 127.0.0.1:5432: connect: connection refused")
				}
				return 3, nil
			})
			srv := httptest.NewServer(m.Handler())
			defer srv.Close()
			scrape := func() string {
				resp, err := srv.Client().Get(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return string(body)
			}
			if body := scrape(); !strings.Contains(body, "sportel_outbox_acks_held 3\n") {
				t.Fatalf("store up: exposition lacks the value:\n%s", body)
			}
			for range tt.outages {
				down.Store(true)
				for range tt.scrapes {
					if body := scrape(); !strings.Contains(body, "sportel_outbox_acks_held NaN\n") {
						t.Fatalf("store down: want NaN, got:\n%s", body)
					}
				}
				down.Store(false)
				if body := scrape(); !strings.Contains(body, "sportel_outbox_acks_held 3\n") {
					t.Fatalf("store back: exposition lacks the value:\n%s", body)
				}
			}
			out := logs.String()
			if got := strings.Count(out, "level=WARN"); got != tt.wantWarn {
				t.Errorf("%d warn lines, want %d (one an outage):\n%s", got, tt.wantWarn, out)
			}
			if got := strings.Count(out, "metric read from the store again"); got != tt.outages {
				t.Errorf("the end of an outage said %d times, want %d:\n%s", got, tt.outages, out)
			}
			if tt.wantWarn > 0 && !strings.Contains(out, "metric=sportel_outbox_acks_held") {
				t.Errorf("the lines do not name the metric:\n%s", out)
			}
		})
	}
}
