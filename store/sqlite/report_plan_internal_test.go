package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/report"
	"sportel/store"
)

// queryPlan is SQLite's plan for query, its steps joined by "; ".
func queryPlan(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

// planStore is a fresh file store filled by fill in one transaction and
// analysed, as the query planner sees a store that has run a while.
func planStore(t *testing.T, fill func(tx store.Tx) error) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.WithTx(ctx, fill); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	return s
}

// A report reads the tickets received in its period, of a store that keeps
// every year's: SQLite must find them through tickets_received (received_at,
// id), in its order, not scan the table and sort it.
func TestReportsReadTheirPeriodThroughTheIndex(t *testing.T) {
	ctx := context.Background()
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2021, 1, 1, 9, 0, 0, 0, time.UTC)
	s := planStore(t, func(tx store.Tx) error {
		for i := range 600 { // one every three days, for five years
			at := base.Add(time.Duration(i) * 72 * time.Hour)
			tk := &inquiry.Ticket{Number: fmt.Sprintf("DKP-%d-%06d", at.Year(), i+1), Channel: inquiry.ChannelEmail,
				Sender: inquiry.Address{Address: "arta@example.org"}, Subject: "Kërkesë", Language: inquiry.Albanian,
				Category: inquiry.DocumentRequest, State: inquiry.Closed, OfficerID: "zamira",
				ReceivedAt: at, CreatedAt: at, UpdatedAt: at}
			if err := tx.CreateTicket(tk); err != nil {
				return err
			}
		}
		return nil
	})
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, loc)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	tests := []struct {
		name     string
		filter   inquiry.TicketFilter
		min, max int // tickets read: the period's, and a day either side
	}{
		{"access-documents 2023", report.NewAccessCounter(2023, loc, now).Filter(), 121, 123},
		{"inbox of a quarter", report.NewInboxCounter(day(2024, 1, 1), day(2024, 3, 31), loc).Filter(), 30, 32},
		{"weekly of a year", report.NewWeeklyCounter(day(2022, 1, 1), day(2022, 12, 31), loc).Filter(), 121, 123},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			if err := s.EachTicket(ctx, tt.filter, func(inquiry.Ticket) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			if n < tt.min || n > tt.max {
				t.Errorf("the read gave %d tickets, want %d to %d of 600", n, tt.min, tt.max)
			}
			query, args := ticketListQuery(tt.filter)
			plan := queryPlan(t, s, query, args)
			if !strings.Contains(plan, "USING INDEX tickets_received (received_at>? AND received_at<?)") || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan %q: want the period's range of tickets_received walked in order, no sort", plan)
			}
		})
	}
}

// The digest's read of a day's failed sends looks only at the window's
// failed jobs (jobs_failed, migration 0015), never at every failed job
// there ever was nor at the whole outbox.
func TestFailedJobsReadOnlyFailedJobs(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	query, args := failedJobsQuery(time.Now().Add(-24*time.Hour), time.Now(), 50)
	plan := queryPlan(t, s, query, args)
	if !strings.Contains(plan, "USING INDEX jobs_failed (state=? AND finished_at>? AND finished_at<?)") {
		t.Errorf("plan %q: want the window's failed jobs found through jobs_failed", plan)
	}
}
