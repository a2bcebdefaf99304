package sqlite

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// Every read of jobs by state or by sent time goes through a partial index
// of the jobs it wants, never through the whole table: sent jobs are kept,
// so a store's jobs are mostly sent ones, and the indexes that held every
// job (jobs_state, jobs_sent) cost each send two index writes (migration
// 16).
func TestJobReadsUseTheirPartialIndexes(t *testing.T) {
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	// Mostly sent jobs, as a store that has run a while holds, and a few
	// of every other state.
	s := planStore(t, func(tx store.Tx) error {
		tk := &inquiry.Ticket{Number: "DKP-2026-000001", Channel: inquiry.ChannelEmail, State: inquiry.Assigned,
			ReceivedAt: base, UpdatedAt: base}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		states := []inquiry.JobState{inquiry.JobPending, inquiry.JobFailed, inquiry.JobCancelled}
		for i := range 400 {
			kind, state := inquiry.JobNotify, inquiry.JobDone
			if i%2 == 0 {
				kind = inquiry.JobAck
			}
			if i%40 == 0 {
				state = states[i/40%len(states)]
			}
			j := &inquiry.Job{TicketID: tk.ID, Kind: kind, Recipient: fmt.Sprintf("r%d@example.net", i), State: state,
				NextAt: base, CreatedAt: base, FinishedAt: base.Add(time.Duration(i) * time.Minute),
				Mail: &inquiry.Mail{MessageID: fmt.Sprintf("plan-%d@sportel", i), Date: base, Text: "x"}}
			if err := tx.AddJob(j); err != nil {
				return err
			}
		}
		return nil
	})
	signinPrune := ""
	for _, p := range pruneSQL {
		if strings.Contains(p.sql, "kind = 'signin'") {
			signinPrune = p.sql
		}
	}
	if signinPrune == "" {
		t.Fatal("no pruning of sent sign-in mails")
	}
	list := func(state inquiry.JobState) string {
		q, _ := listJobsQuery(state, 50)
		return q
	}
	ack, err := jobKindLiteral(inquiry.JobAck)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, query string
		args        []any
		index       string
	}{
		{"acknowledgements sent in the hour", sentJobsSQL(ack), []any{formatTime(base)}, "jobs_acks_sent"},
		{"sent sign-in mails to prune", signinPrune, []any{formatTime(base)}, "jobs_signins_sent"},
		{"failed jobs listed", list(inquiry.JobFailed), []any{50}, "jobs_failed"},
		{"pending jobs listed", list(inquiry.JobPending), []any{50}, "jobs_due"},
		{"the queue's counts", queueJobsSQL, []any{formatTime(base)}, "jobs_due"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := queryPlan(t, s, tt.query, tt.args)
			if !strings.Contains(plan, tt.index) {
				t.Errorf("plan %q: want index %s", plan, tt.index)
			}
			for _, step := range strings.Split(plan, "; ") {
				if step == "SCAN jobs" {
					t.Errorf("plan %q reads every job", plan)
				}
			}
		})
	}
	if _, err := jobKindLiteral("ack' OR 1=1 --"); err == nil {
		t.Error("a job kind that is not a word was written into a statement")
	}
}
