package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestQueueGauges(t *testing.T) {
	figures := QueueFigures{Open: 12, DueSoon: 3, Overdue: 1, PendingJobs: 5, FailedJobs: 2, OldestDueAge: 90 * time.Second}
	var readErr error
	m := New()
	m.Queue(func(context.Context) (QueueFigures, error) { return figures, readErr })
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	scrape := func() string {
		t.Helper()
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("scrape status %d", resp.StatusCode)
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	cases := []struct {
		name    string
		err     error
		want    []string
		notWant []string
	}{
		{"store answers", nil, []string{
			"sportel_queue_stats_ok 1\n", "sportel_tickets_open 12\n", "sportel_tickets_due_within_48h 3\n",
			"sportel_tickets_overdue 1\n", "sportel_outbox_pending_jobs 5\n", "sportel_outbox_failed_jobs 2\n",
			"sportel_outbox_oldest_due_job_age_seconds 90\n",
		}, nil},
		// A store that does not answer must not read as an empty queue.
		{"store down", errors.New("database is locked"), []string{"sportel_queue_stats_ok 0\n", "go_goroutines"},
			[]string{"sportel_tickets_open", "sportel_tickets_overdue", "sportel_outbox_pending_jobs"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			readErr = c.err
			body := scrape()
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("exposition lacks %q", w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(body, w+" ") {
					t.Errorf("exposition has %q although the store did not answer", w)
				}
			}
		})
	}
}
