package desk_test

import (
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/report"
)

// The legal clock runs from the mail's receipt (IMAP's INTERNALDATE, the
// message's ReceivedAt), never from the Date header the sender wrote, which
// may lie either way: a request back-dated to last year must neither be
// numbered in that year nor start its clock there, and one dated ahead must
// not gain days.
func TestDeadlineRunsFromReceiptNotDateHeader(t *testing.T) {
	received := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // Wednesday, 11:00 in Kosovo
	tests := []struct {
		name string
		sent time.Time
	}{
		{"dated last year", time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)},
		{"dated weeks ahead", time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC)},
		{"dated a Saturday before", time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureClassifier(t, t.TempDir()+"/sportel.db", fixedClassifier{inquiry.DocumentRequest, inquiry.Albanian}, nil)
			f.now = received.Add(3 * time.Hour) // taken in a little late
			m := citizen("lie@example.net", "arben@example.net", "Kërkesë", docRequestSQ)
			m.SentAt, m.ReceivedAt = tt.sent, received
			if d := f.handle(m); d != inquiry.Filed {
				t.Fatalf("disposition %s", d)
			}
			tk := f.ticket(ticket1) // numbered in 2026, the year of receipt
			if !tk.ReceivedAt.Equal(received) {
				t.Errorf("received %s, want %s", tk.ReceivedAt, received)
			}
			// Wednesday 25 November + 7 calendar days = Wednesday 2 December.
			if got := tk.DueAt.In(f.loc()).Format(time.RFC3339); got != "2026-12-02T23:59:59+01:00" {
				t.Errorf("due %s, want 2026-12-02T23:59:59+01:00", got)
			}
		})
	}
}

// A request decided, reopened and decided again through the desk is one
// request in the annual report, counted by its last decision: the reopen
// undid the first. The request is received Wednesday 25 November 2026 at
// 11:00 in Kosovo and due Wednesday 2 December at 23:59:59.
func TestReopenedRequestCountedOnceAudit(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		now   time.Time
		want  deadlineFigures
		// outcome is the report's one outcome with a count.
		outcome string
	}{
		{"refused in time, reopened, granted late", []step{
			closeStep(on(11, 27, 9), desk.Closing{Outcome: inquiry.Refused, Ground: "classified"}),
			reopenStep(on(11, 30, 9)),
			closeStep(on(12, 4, 9), desk.Closing{Outcome: inquiry.Granted}),
		}, on(12, 10, 9), deadlineFigures{late: 1, silent: 1}, "granted"},
		{"granted in time, reopened after the deadline, still open", []step{
			closeStep(on(11, 27, 9), desk.Closing{Outcome: inquiry.Granted}),
			reopenStep(on(12, 4, 9)),
		}, on(12, 10, 9), deadlineFigures{silent: 1, pending: 1}, "pending"},
		{"withdrawn, reopened, granted in time", []step{
			closeStep(on(11, 26, 9), desk.Closing{Outcome: inquiry.Withdrawn}),
			reopenStep(on(11, 27, 9)),
			closeStep(on(11, 30, 9), desk.Closing{Outcome: inquiry.Granted}),
		}, on(12, 10, 9), deadlineFigures{onTime: 1}, "granted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			runSteps(t, f, tt.steps)
			f.now = tt.now
			r := report.AccessDocuments(f.tickets(), 2026, f.loc(), f.now)
			if got := reportFigures(f); got != tt.want || r.Received != 1 {
				t.Errorf("received %d, figures %+v, want 1 and %+v", r.Received, got, tt.want)
			}
			for o, n := range r.Outcomes {
				if want := map[bool]int{true: 1}[o == tt.outcome]; n != want {
					t.Errorf("outcome %s: %d, want %d", o, n, want)
				}
			}
		})
	}
}
