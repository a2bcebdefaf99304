package desk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
)

// setState puts ticket1 in state as the desk would (closed as granted,
// marked spam) or, for bulk mail, which only filing sets, in the store.
func setState(t *testing.T, f *fixture, state inquiry.State) {
	t.Helper()
	ctx := context.Background()
	var err error
	switch state {
	case inquiry.Assigned:
	case inquiry.Answered:
		_, err = f.desk.Answer(ctx, ticket1, "jusuf", "Të nderuar, po e kërkojmë.")
	case inquiry.Closed:
		_, err = f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf")
	case inquiry.SpamMail:
		_, err = f.desk.MarkSpam(ctx, ticket1, "jusuf")
	case inquiry.BulkMail:
		err = f.store.WithTx(ctx, func(tx store.Tx) error {
			tk, _, err := tx.TicketByNumber(ticket1)
			if err != nil {
				return err
			}
			tk.State = inquiry.BulkMail
			return tx.UpdateTicket(&tk)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ticket(ticket1).State; got != state {
		t.Fatalf("set up %s, ticket is %s", state, got)
	}
}

// Take and assign change who answers for a ticket: on a closed one that is
// the record the annual report counts, and bulk and spam mail is not
// worked, so both are refused there, by the desk, for every front end.
func TestTakeAndAssignOnlyOnOpenTickets(t *testing.T) {
	ctx := context.Background()
	acts := []struct {
		name string
		act  func(*desk.Desk) error
	}{
		{"take", func(d *desk.Desk) error { _, err := d.Take(ctx, ticket1, "zamira"); return err }},
		{"assign", func(d *desk.Desk) error { _, err := d.Assign(ctx, ticket1, "zamira", "osman"); return err }},
	}
	states := []struct {
		state    inquiry.State
		wantErr  string // "": done
		wantKind desk.RefusalKind
	}{
		{inquiry.Assigned, "", ""},
		{inquiry.Answered, "", ""},
		{inquiry.Closed, "is closed: reopen it before", desk.RefusedClosed},
		{inquiry.BulkMail, "is bulk mail, kept and not worked", desk.RefusedSetAside},
		{inquiry.SpamMail, "is spam mail, kept and not worked", desk.RefusedSetAside},
	}
	for _, a := range acts {
		for _, s := range states {
			t.Run(a.name+" "+string(s.state), func(t *testing.T) {
				f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
				setState(t, f, s.state)
				before := f.ticket(ticket1)
				entries, _ := f.store.Entries(ctx, before.ID)
				jobs := len(f.jobs(ticket1))
				err := a.act(f.desk)
				after := f.ticket(ticket1)
				if s.wantErr == "" {
					if err != nil || after.OfficerID != "zamira" {
						t.Fatalf("%s on an open ticket: err %v, officer %s", a.name, err, after.OfficerID)
					}
					return
				}
				if err == nil || !errors.Is(err, desk.ErrLifecycle) || !strings.Contains(err.Error(), s.wantErr) {
					t.Fatalf("err = %v, want ErrLifecycle with %q", err, s.wantErr)
				}
				var r *desk.Refusal
				if !errors.As(err, &r) || r.Kind != s.wantKind || r.Ticket != ticket1 || r.State != s.state {
					t.Errorf("refusal %+v, want kind %s on %s, %s", r, s.wantKind, ticket1, s.state)
				}
				if after.OfficerID != before.OfficerID || after.State != before.State || after.Outcome != before.Outcome {
					t.Errorf("a refused %s changed the ticket: officer %s→%s, state %s→%s", a.name, before.OfficerID, after.OfficerID, before.State, after.State)
				}
				if now, _ := f.store.Entries(ctx, before.ID); len(now) != len(entries) {
					t.Errorf("a refused %s wrote %d entries", a.name, len(now)-len(entries))
				}
				if n := len(f.jobs(ticket1)); n != jobs {
					t.Errorf("a refused %s queued %d sends", a.name, n-jobs)
				}
			})
		}
	}
}

// Every refusal of the actions here has a kind a front end can say in the
// officer's language, and keeps its English text for the log and the
// command line.
func TestRefusalKinds(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		state    inquiry.State
		act      func(*desk.Desk) error
		kind     desk.RefusalKind
		value    string
		wantText string
	}{
		{"answer a closed ticket", inquiry.Closed,
			func(d *desk.Desk) error { _, err := d.Answer(ctx, ticket1, "jusuf", "Të nderuar"); return err },
			desk.RefusedClosed, "", "not allowed: ticket DKP-2026-000001 is closed: reopen it before answering"},
		{"answer spam", inquiry.SpamMail,
			func(d *desk.Desk) error { _, err := d.Answer(ctx, ticket1, "jusuf", "Të nderuar"); return err },
			desk.RefusedSetAside, "", "is spam mail, kept and not worked"},
		{"an empty answer", inquiry.Assigned,
			func(d *desk.Desk) error { _, err := d.Answer(ctx, ticket1, "jusuf", " \n "); return err },
			desk.RefusedEmptyAnswer, "", "empty text"},
		{"an answer by nobody", inquiry.Assigned,
			func(d *desk.Desk) error { _, err := d.Answer(ctx, ticket1, "mallory", "Të nderuar"); return err },
			desk.RefusedUnknownOfficer, "mallory", `unknown officer "mallory"`},
		{"category of a closed ticket", inquiry.Closed,
			func(d *desk.Desk) error {
				_, err := d.Recategorize(ctx, ticket1, inquiry.PressInquiry, "jusuf")
				return err
			},
			desk.RefusedClosed, "", "is closed: reopen it before changing its category"},
		{"category of bulk mail", inquiry.BulkMail,
			func(d *desk.Desk) error {
				_, err := d.Recategorize(ctx, ticket1, inquiry.PressInquiry, "jusuf")
				return err
			},
			desk.RefusedSetAside, "", "is bulk mail, kept and not worked"},
		{"an unknown category", inquiry.Assigned,
			func(d *desk.Desk) error { _, err := d.Recategorize(ctx, ticket1, "gossip", "jusuf"); return err },
			desk.RefusedUnknownCategory, "gossip", `unknown category "gossip"`},
		{"assign to nobody", inquiry.Assigned,
			func(d *desk.Desk) error { _, err := d.Assign(ctx, ticket1, "mallory", "osman"); return err },
			desk.RefusedUnknownOfficer, "mallory", `unknown officer "mallory"`},
		{"taken by nobody", inquiry.Assigned,
			func(d *desk.Desk) error { _, err := d.Take(ctx, ticket1, "mallory"); return err },
			desk.RefusedUnknownOfficer, "mallory", `unknown officer "mallory"`},
		{"spam a closed ticket", inquiry.Closed,
			func(d *desk.Desk) error { _, err := d.MarkSpam(ctx, ticket1, "jusuf"); return err },
			desk.RefusedClosed, "", "is closed (granted): reopen it before marking it as spam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			setState(t, f, tt.state)
			err := tt.act(f.desk)
			var r *desk.Refusal
			if !errors.As(err, &r) || !errors.Is(err, desk.ErrLifecycle) {
				t.Fatalf("err = %v (%T), want a desk.Refusal", err, err)
			}
			if r.Kind != tt.kind || r.Ticket != ticket1 || r.Value != tt.value || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("refusal %+v (%q), want kind %s, value %q, text with %q", *r, err, tt.kind, tt.value, tt.wantText)
			}
		})
	}
}
