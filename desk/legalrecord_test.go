package desk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/report"
	"sportel/store"
)

// The fixture's request is received on Wednesday 25 November 2026 at 10:00
// UTC (11:00 in Kosovo) and is due at the end of Wednesday 2 December; its
// 48 hours, when urgent, end on Friday 27 November at 10:00 UTC.

// on is a moment of the fixture's story, in UTC.
func on(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
}

// step is an officer's (or the citizen's) action at a moment.
type step struct {
	at time.Time
	do func(*testing.T, *fixture) error
}

func (s step) run(t *testing.T, f *fixture) error {
	t.Helper()
	f.now = s.at
	return s.do(t, f)
}

// runSteps runs each step; a step that fails fails the test.
func runSteps(t *testing.T, f *fixture, steps []step) {
	t.Helper()
	for i, s := range steps {
		if err := s.run(t, f); err != nil {
			t.Fatalf("step %d at %s: %v", i+1, s.at.Format(time.RFC3339), err)
		}
	}
}

// The figures of the annual report that say whether the deadline was kept.
type deadlineFigures struct{ onTime, late, silent, pending int }

func reportFigures(f *fixture) deadlineFigures {
	r := report.AccessDocuments(f.tickets(), 2026, f.loc(), f.now)
	return deadlineFigures{r.OnTime, r.Late, r.SilentRefusals, r.Pending}
}

func answerStep(at time.Time) step {
	return step{at, func(t *testing.T, f *fixture) error {
		_, err := f.desk.Answer(context.Background(), ticket1, f.ticket(ticket1).OfficerID, "Të nderuar, ju dërgojmë kontratën.")
		return err
	}}
}

func closeStep(at time.Time, c desk.Closing) step {
	return step{at, func(t *testing.T, f *fixture) error {
		_, err := f.desk.CloseWith(context.Background(), ticket1, c, f.ticket(ticket1).OfficerID)
		return err
	}}
}

func reopenStep(at time.Time) step {
	return step{at, func(t *testing.T, f *fixture) error {
		_, err := f.desk.Reopen(context.Background(), ticket1, f.ticket(ticket1).OfficerID)
		return err
	}}
}

// refusedHere checks that err is a refusal of kind naming value, and that
// the ticket, its record and its sends are as they were before.
func refusedHere(t *testing.T, f *fixture, err error, kind desk.RefusalKind, value string, before inquiry.Ticket, entries, jobs int) {
	t.Helper()
	var r *desk.Refusal
	if !errors.As(err, &r) || r.Kind != kind || r.Value != value || r.Ticket != ticket1 {
		t.Fatalf("err = %v (%+v), want a refusal %s naming %q", err, r, kind, value)
	}
	after := f.ticket(ticket1)
	if after.State != before.State || after.Outcome != before.Outcome || !after.DecidedAt.Equal(before.DecidedAt) ||
		!after.DueAt.Equal(before.DueAt) || (after.Extension == nil) != (before.Extension == nil) {
		t.Errorf("the refused action changed the ticket: %s/%s decided %v due %v extension %+v", after.State, after.Outcome, after.DecidedAt, after.DueAt, after.Extension)
	}
	if got, err := f.store.Entries(context.Background(), after.ID); err != nil || len(got) != entries {
		t.Errorf("the refused action wrote %d entries (%v)", len(got)-entries, err)
	}
	if n := len(f.jobs(ticket1)); n != jobs {
		t.Errorf("the refused action queued %d sends", n-jobs)
	}
}

// A decision "in the answer" is dated by the answer that carried it. After
// a reopen, only an answer relayed since the reopen can carry the new
// decision: one relayed before it went out with (or before) the decision
// the reopen undid. Without such an answer the desk refuses, changing
// nothing, so the officer sends the decision notice (or answers first);
// the answer of 26 November must never date a decision taken in December.
func TestInAnswerTakesOnlyAnAnswerSinceTheReopen(t *testing.T) {
	ctx := context.Background()
	refuse := desk.Closing{Outcome: inquiry.Refused, Ground: "personal_data", InAnswer: true}
	tests := []struct {
		name  string
		cat   inquiry.Category
		steps []step
		final step // the decision in the answer
		// A refusal of the final step, naming the reopen's day; or, when
		// done, the decision's time.
		wantKind    desk.RefusalKind
		wantValue   string
		wantDecided time.Time
		wantReport  deadlineFigures
	}{
		{
			name:  "the only answer went before the reopen",
			cat:   inquiry.DocumentRequest,
			steps: []step{answerStep(on(11, 26, 9)), closeStep(on(11, 27, 9), desk.Closing{Outcome: inquiry.Granted}), reopenStep(on(12, 10, 9))},
			final: closeStep(on(12, 12, 9), refuse), wantKind: desk.RefusedNoAnswerSinceReopen, wantValue: "2026-12-10",
			wantReport: deadlineFigures{silent: 1, pending: 1},
		},
		{
			name: "answered between two reopens",
			cat:  inquiry.DocumentRequest,
			steps: []step{answerStep(on(11, 26, 9)), closeStep(on(11, 27, 9), desk.Closing{Outcome: inquiry.Granted}), reopenStep(on(11, 28, 9)),
				answerStep(on(11, 29, 9)), closeStep(on(11, 30, 9), desk.Closing{Outcome: inquiry.Granted}), reopenStep(on(12, 10, 9))},
			final: closeStep(on(12, 12, 9), refuse), wantKind: desk.RefusedNoAnswerSinceReopen, wantValue: "2026-12-10",
			wantReport: deadlineFigures{silent: 1, pending: 1},
		},
		{
			// A question closed as resolved, reopened by the citizen's
			// reply and found to be a document request: the answer went
			// before the reopen.
			name: "reopened by the citizen's reply",
			cat:  inquiry.GeneralQuestion,
			steps: []step{answerStep(on(11, 26, 9)), closeStep(on(11, 27, 9), desk.Closing{}),
				{on(11, 28, 9), func(t *testing.T, f *fixture) error {
					if d := f.handle(citizen("again@example.net", "arben@example.net", "Re: [DKP-2026-000001] Kërkesë", "Më duhet edhe kontrata.")); d != inquiry.Attached {
						t.Fatalf("the reply: %s, want attached", d)
					}
					return nil
				}},
				{on(11, 29, 9), func(t *testing.T, f *fixture) error {
					_, err := f.desk.Recategorize(ctx, ticket1, inquiry.DocumentRequest, "zamira")
					return err
				}}},
			final: closeStep(on(11, 30, 9), refuse), wantKind: desk.RefusedNoAnswerSinceReopen, wantValue: "2026-11-28",
			wantReport: deadlineFigures{pending: 1},
		},
		{
			// A reopen by a Sportel that did not mark reopenings: the note
			// as it wrote it says when.
			name: "reopened before reopenings were marked",
			cat:  inquiry.DocumentRequest,
			steps: []step{answerStep(on(11, 26, 9)), closeStep(on(11, 27, 9), desk.Closing{Outcome: inquiry.Granted}),
				{on(12, 10, 9), func(t *testing.T, f *fixture) error {
					return f.store.WithTx(ctx, func(tx store.Tx) error {
						tk, _, err := tx.TicketByNumber(ticket1)
						if err != nil {
							return err
						}
						tk.State, tk.Outcome, tk.ClosedAt, tk.DecidedAt = inquiry.Assigned, inquiry.NoOutcome, time.Time{}, time.Time{}
						if err := tx.UpdateTicket(&tk); err != nil {
							return err
						}
						return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryNote, Author: "jusuf",
							Text: "reopened (was closed: granted, decided 2026-11-27 10:00)", CreatedAt: f.now})
					})
				}}},
			final: closeStep(on(12, 12, 9), refuse), wantKind: desk.RefusedNoAnswerSinceReopen, wantValue: "2026-12-10",
			wantReport: deadlineFigures{silent: 1, pending: 1},
		},
		{
			name: "an answer after the reopen carries the decision",
			cat:  inquiry.DocumentRequest,
			steps: []step{answerStep(on(11, 26, 9)), closeStep(on(11, 27, 9), desk.Closing{Outcome: inquiry.Granted}), reopenStep(on(12, 10, 9)),
				answerStep(on(12, 11, 9))},
			final: closeStep(on(12, 12, 9), refuse), wantDecided: on(12, 11, 9),
			wantReport: deadlineFigures{late: 1, silent: 1},
		},
		{
			name:  "never reopened",
			cat:   inquiry.DocumentRequest,
			steps: []step{answerStep(on(11, 26, 9))},
			final: closeStep(on(11, 27, 9), refuse), wantDecided: on(11, 26, 9),
			wantReport: deadlineFigures{onTime: 1},
		},
		{
			// #reopen runs before the answer is relayed and #close after
			// it: the decision went in this very answer.
			name:  "reopened, answered and decided in one mail",
			cat:   inquiry.DocumentRequest,
			steps: []step{answerStep(on(11, 26, 9)), closeStep(on(11, 27, 9), desk.Closing{Outcome: inquiry.Granted})},
			final: step{on(12, 12, 9), func(t *testing.T, f *fixture) error {
				notify := mailNotification(f)
				raw := replyMail(notify, "reopen-decide@mkrs.example", "Re: "+notify.Subject, "", nil,
					"#reopen\nTë nderuar, pas rishqyrtimit kërkesa refuzohet pjesërisht.\n#close refused personal_data\n\n"+quote("> ", notify.Text))
				f.handle(parse.Parse(raw, f.now, parseOptions()))
				return nil
			}},
			wantDecided: on(12, 12, 9),
			wantReport:  deadlineFigures{late: 1, silent: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			runSteps(t, f, tt.steps)
			before := f.ticket(ticket1)
			entries, err := f.store.Entries(ctx, before.ID)
			if err != nil {
				t.Fatal(err)
			}
			jobs := len(f.jobs(ticket1))
			err = tt.final.run(t, f)
			if tt.wantKind != "" {
				refusedHere(t, f, err, tt.wantKind, tt.wantValue, before, len(entries), jobs)
			} else {
				if err != nil {
					t.Fatal(err)
				}
				tk := f.ticket(ticket1)
				if tk.State != inquiry.Closed || tk.Outcome != inquiry.Refused || !tk.DecisionInAnswer || !tk.DecidedAt.Equal(tt.wantDecided) {
					t.Errorf("%s/%s in answer %v, decided %s; want refused in the answer of %s", tk.State, tk.Outcome, tk.DecisionInAnswer,
						tk.DecidedAt.Format(time.RFC3339), tt.wantDecided.Format(time.RFC3339))
				}
			}
			if got := reportFigures(f); got != tt.wantReport {
				t.Errorf("report %+v, want %+v", got, tt.wantReport)
			}
		})
	}
}

// The law's extension is one the requester is told of within the period;
// once the deadline in force has passed with no decision, the request was
// refused by silence, and nothing an officer does later may make a late
// decision count as on time. An extension after the deadline is refused,
// saying when it passed; clearing after its 48 hours an urgent flag an
// officer set keeps the 48-hour deadline, while one set only from the
// text's wording at filing gives way to the ordinary deadline. Within the
// deadline both work as before.
func TestDeadlineThatPassedStands(t *testing.T) {
	ctx := context.Background()
	extend := func(at time.Time) step {
		return step{at, func(t *testing.T, f *fixture) error {
			_, err := f.desk.Extend(ctx, ticket1, 10, "Dokumentet janë në arkivin e Prizrenit", "jusuf")
			return err
		}}
	}
	urgent := func(at time.Time, on bool) step {
		return step{at, func(t *testing.T, f *fixture) error {
			_, err := f.desk.Urgent(ctx, ticket1, on, "jusuf")
			return err
		}}
	}
	const urgentText = "Vëllai im është në paraburgim; kërkoj vendimin e komisionit për të sa më shpejt."
	tests := []struct {
		name  string
		text  string // the request; docRequestSQ when empty
		steps []step
		// refused, when set, is refused with wantKind naming wantValue.
		refused    *step
		wantKind   desk.RefusalKind
		wantValue  string
		wantDue    string // after the steps, in Kosovo
		decided    time.Time
		wantReport deadlineFigures
	}{
		{
			name: "extended within the deadline", steps: []step{extend(on(12, 1, 9))},
			wantDue: "2026-12-14T23:59:59+01:00", decided: on(12, 10, 9), wantReport: deadlineFigures{onTime: 1},
		},
		{
			name: "extended in the deadline's last minute", steps: []step{extend(time.Date(2026, 12, 2, 22, 59, 0, 0, time.UTC))},
			wantDue: "2026-12-14T23:59:59+01:00", decided: on(12, 10, 9), wantReport: deadlineFigures{onTime: 1},
		},
		{
			name: "extended after the deadline passed", refused: ptr(extend(on(12, 4, 9))), wantKind: desk.RefusedDeadlinePassed, wantValue: "2026-12-02",
			wantDue: "2026-12-02T23:59:59+01:00", decided: on(12, 5, 9), wantReport: deadlineFigures{late: 1, silent: 1},
		},
		{
			name: "urgent cleared within its 48 hours", steps: []step{urgent(on(11, 25, 11), true), urgent(on(11, 26, 9), false)},
			wantDue: "2026-12-02T23:59:59+01:00", decided: on(11, 29, 9), wantReport: deadlineFigures{onTime: 1},
		},
		{
			name: "urgent cleared after its 48 hours", steps: []step{urgent(on(11, 25, 11), true), urgent(on(11, 28, 9), false)},
			wantDue: "2026-11-27T11:00:00+01:00", decided: on(11, 29, 9), wantReport: deadlineFigures{late: 1, silent: 1},
		},
		{
			// Set from the text's wording, never judged urgent by anyone:
			// clearing it says the request was an ordinary one all along.
			name: "urgent at filing, cleared after its 48 hours", text: urgentText, steps: []step{urgent(on(11, 28, 9), false)},
			wantDue: "2026-12-02T23:59:59+01:00", decided: on(11, 29, 9), wantReport: deadlineFigures{onTime: 1},
		},
		{
			name: "urgent at filing, cleared after its 48 hours, then extended", text: urgentText, steps: []step{urgent(on(11, 28, 9), false), extend(on(11, 28, 10))},
			wantDue: "2026-12-14T23:59:59+01:00", decided: on(12, 10, 9), wantReport: deadlineFigures{onTime: 1},
		},
		{
			name: "urgent at filing, confirmed by an officer, cleared after its 48 hours", text: urgentText,
			steps:   []step{urgent(on(11, 25, 12), false), urgent(on(11, 25, 13), true), urgent(on(11, 28, 9), false)},
			wantDue: "2026-11-27T11:00:00+01:00", decided: on(11, 29, 9), wantReport: deadlineFigures{late: 1, silent: 1},
		},
		{
			name: "marked urgent by an officer, cleared after its 48 hours, then extended", steps: []step{urgent(on(11, 25, 11), true), urgent(on(11, 28, 9), false)},
			refused: ptr(extend(on(11, 28, 10))), wantKind: desk.RefusedDeadlinePassed, wantValue: "2026-11-27",
			wantDue: "2026-11-27T11:00:00+01:00", decided: on(11, 29, 9), wantReport: deadlineFigures{late: 1, silent: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.text
			if text == "" {
				text = docRequestSQ
			}
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, text)
			runSteps(t, f, tt.steps)
			if tt.refused != nil {
				before := f.ticket(ticket1)
				entries, err := f.store.Entries(ctx, before.ID)
				if err != nil {
					t.Fatal(err)
				}
				jobs := len(f.jobs(ticket1))
				refusedHere(t, f, tt.refused.run(t, f), tt.wantKind, tt.wantValue, before, len(entries), jobs)
			}
			if got := f.ticket(ticket1).DueAt.In(f.loc()).Format(time.RFC3339); got != tt.wantDue {
				t.Errorf("due %s, want %s", got, tt.wantDue)
			}
			if err := closeStep(tt.decided, desk.Closing{Outcome: inquiry.Granted}).run(t, f); err != nil {
				t.Fatal(err)
			}
			if got := reportFigures(f); got != tt.wantReport {
				t.Errorf("report %+v, want %+v", got, tt.wantReport)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
