package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/report"
)

// A requester's reply to a decided document request (a thank-you, a
// question about the decision) joins the ticket and its officer hears of
// it, but the decision stands: the annual report counts it decided on
// time, and no refusal by silence is noted. An officer reopens it when it
// needs a new decision. A ticket without a decision is reopened whole.
func TestReplyToADecidedRequestKeepsTheDecision(t *testing.T) {
	ctx := context.Background()
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	f.now = f.now.Add(3 * 24 * time.Hour)
	if _, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Refused, Ground: "personal_data"}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	decided := f.ticket(ticket1)
	notified := len(jobsOf(f.jobs(ticket1), inquiry.JobNotify))
	f.now = f.now.Add(10 * 24 * time.Hour) // past the deadline, within the reopen window
	if d := f.handle(citizen("thanks@example.net", "arben@example.net", "Re: [DKP-2026-000001] Kërkesë", "Faleminderit.")); d != inquiry.Attached {
		t.Fatalf("disposition %s, want attached", d)
	}
	tk := f.ticket(ticket1)
	if tk.State != inquiry.Closed || tk.Outcome != inquiry.Refused || tk.Ground != "personal_data" || !tk.DecidedAt.Equal(decided.DecidedAt) {
		t.Errorf("after the reply: %s, %s, ground %q, decided %v; want the decision as it was", tk.State, tk.Outcome, tk.Ground, tk.DecidedAt)
	}
	if n := len(jobsOf(f.jobs(ticket1), inquiry.JobNotify)); n <= notified {
		t.Error("the officer was not told of the reply")
	}
	r := report.AccessDocuments(f.tickets(), 2026, f.loc(), f.now)
	if r.OnTime != 1 || r.SilentRefusals != 0 || r.Pending != 0 {
		t.Errorf("report: on time %d, silent refusals %d, pending %d; want 1, 0, 0", r.OnTime, r.SilentRefusals, r.Pending)
	}
}

// A reply that reopens a closed ticket without a decision clears its
// outcome and says on the record what it was.
func TestReplyReopensAnUndecidedTicket(t *testing.T) {
	ctx := context.Background()
	f := newLifecycleFixture(t, inquiry.GeneralQuestion, inquiry.Albanian, inquiry.ChannelEmail, "Kur hapet muzeu të dielën?")
	if _, err := f.desk.Close(ctx, ticket1, inquiry.Resolved, "", "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(24 * time.Hour)
	if d := f.handle(citizen("again@example.net", "arben@example.net", "Re: [DKP-2026-000001] Pyetje", "Po të shtunën?")); d != inquiry.Attached {
		t.Fatalf("disposition %s, want attached", d)
	}
	tk := f.ticket(ticket1)
	if tk.State != inquiry.Assigned || tk.Outcome != inquiry.NoOutcome || !tk.ClosedAt.IsZero() {
		t.Errorf("after the reply: %s, %q, closed %v; want assigned, no outcome", tk.State, tk.Outcome, tk.ClosedAt)
	}
	entries, err := f.store.Entries(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var noted bool
	for _, e := range entries {
		noted = noted || (e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "reopened by the citizen's reply (was closed: resolved"))
	}
	if !noted {
		t.Error("the reopening does not say what the ticket was closed as")
	}
}
