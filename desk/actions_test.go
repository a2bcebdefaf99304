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

// The lifecycle's and the note's refusals have kinds too, with what a
// front end needs to say them (the category, the outcome or ground, the
// days, the date), and keep their English text word for word.
func TestLifecycleRefusalKinds(t *testing.T) {
	ctx := context.Background()
	closing := func(c desk.Closing) func(*desk.Desk) error {
		return func(d *desk.Desk) error { _, err := d.CloseWith(ctx, ticket1, c, "jusuf"); return err }
	}
	extend := func(days int, reason string) func(*desk.Desk) error {
		return func(d *desk.Desk) error { _, err := d.Extend(ctx, ticket1, days, reason, "jusuf"); return err }
	}
	notHeld := func(d *desk.Desk) error { _, err := d.NotHeld(ctx, ticket1, "", "jusuf"); return err }
	urgent := func(d *desk.Desk) error { _, err := d.Urgent(ctx, ticket1, true, "jusuf"); return err }
	note := func(text string) func(*desk.Desk) error {
		return func(d *desk.Desk) error { _, err := d.Note(ctx, ticket1, "jusuf", text); return err }
	}
	doc, press := inquiry.DocumentRequest, inquiry.PressInquiry
	tests := []struct {
		name   string
		cat    inquiry.Category
		state  inquiry.State
		before func(*desk.Desk) error // done first, on the open ticket
		act    func(*desk.Desk) error
		want   desk.Refusal // its kind, category, value, N and Max
		text   string       // its English text, whole
	}{
		{"urgent on a closed ticket", doc, inquiry.Closed, nil, urgent, desk.Refusal{Kind: desk.RefusedClosed},
			"not allowed: ticket DKP-2026-000001 is closed: reopen it before changing its urgent flag"},
		{"urgent on spam", doc, inquiry.SpamMail, nil, urgent, desk.Refusal{Kind: desk.RefusedSetAside},
			"not allowed: ticket DKP-2026-000001 is spam: reopen it before changing its urgent flag"},
		{"extend by 16 days", doc, inquiry.Assigned, nil, extend(16, "arkivi"), desk.Refusal{Kind: desk.RefusedExtensionDays, N: 16, Max: 15},
			"not allowed: extend DKP-2026-000001: an extension is 1 to 15 days, not 16"},
		{"extend without a reason", doc, inquiry.Assigned, nil, extend(5, " "), desk.Refusal{Kind: desk.RefusedNoReason},
			"not allowed: extend DKP-2026-000001: give the reason; the requester is told it"},
		{"extend a press inquiry", press, inquiry.Assigned, nil, extend(5, "arkivi"), desk.Refusal{Kind: desk.RefusedExtendCategory},
			"not allowed: ticket DKP-2026-000001 is a press_inquiry: only document requests have a deadline to extend"},
		{"extend a closed ticket", doc, inquiry.Closed, nil, extend(5, "arkivi"), desk.Refusal{Kind: desk.RefusedClosed},
			"not allowed: ticket DKP-2026-000001 is closed: reopen it before extending"},
		{"extend twice", doc, inquiry.Assigned, extend(5, "arkivi"), extend(5, "arkivi"),
			desk.Refusal{Kind: desk.RefusedAlreadyExtended, N: 5, Value: "2026-11-25"},
			"not allowed: ticket DKP-2026-000001 was already extended by 5 days on 2026-11-25: the law allows one extension"},
		{"extend an urgent request", doc, inquiry.Assigned, urgent, extend(5, "arkivi"), desk.Refusal{Kind: desk.RefusedUrgentExtension},
			"not allowed: ticket DKP-2026-000001 is urgent (48 hours): an urgent request cannot be extended; clear the flag first"},
		{"not held on a press inquiry", press, inquiry.Assigned, nil, notHeld, desk.Refusal{Kind: desk.RefusedNotHeldCategory},
			"not allowed: ticket DKP-2026-000001 is a press_inquiry: only a document request can be marked not held"},
		{"not held on bulk mail", doc, inquiry.BulkMail, nil, notHeld, desk.Refusal{Kind: desk.RefusedSetAside},
			"not allowed: ticket DKP-2026-000001 is bulk: reopen it first"},
		{"not held twice", doc, inquiry.Assigned, notHeld, notHeld, desk.Refusal{Kind: desk.RefusedAlreadyNotHeld, Value: "2026-11-25"},
			"not allowed: ticket DKP-2026-000001 was already marked not held on 2026-11-25"},
		{"close a closed ticket", doc, inquiry.Closed, nil, closing(desk.Closing{Outcome: inquiry.Granted}), desk.Refusal{Kind: desk.RefusedClosed},
			"not allowed: ticket DKP-2026-000001 is already closed (granted); reopen it to close it again"},
		{"close spam", doc, inquiry.SpamMail, nil, closing(desk.Closing{Outcome: inquiry.Granted}), desk.Refusal{Kind: desk.RefusedSetAside},
			"not allowed: ticket DKP-2026-000001 is spam mail, kept and not worked: there is nothing to close"},
		{"a press inquiry granted", press, inquiry.Assigned, nil, closing(desk.Closing{Outcome: inquiry.Granted}),
			desk.Refusal{Kind: desk.RefusedCloseOutcome, Value: "granted"},
			"not allowed: ticket DKP-2026-000001 is a press_inquiry: close it as resolved or no_answer_needed, not granted (those outcomes are for document requests)"},
		{"a press inquiry with a ground", press, inquiry.Assigned, nil, closing(desk.Closing{Ground: "classified"}), desk.Refusal{Kind: desk.RefusedGroundCategory},
			"not allowed: ticket DKP-2026-000001 is a press_inquiry: a ground or a decision in an answer is only for document requests"},
		{"a document request resolved", doc, inquiry.Assigned, nil, closing(desk.Closing{Outcome: inquiry.Resolved}),
			desk.Refusal{Kind: desk.RefusedNoDecision, Value: "resolved"},
			`not allowed: ticket DKP-2026-000001 is a document request: give an outcome (granted, partly_granted, refused, not_held, withdrawn), not "resolved"`},
		{"refused without a ground", doc, inquiry.Assigned, nil, closing(desk.Closing{Outcome: inquiry.Refused}),
			desk.Refusal{Kind: desk.RefusedNeedsGround, Value: "refused"},
			"not allowed: ticket DKP-2026-000001: refused needs a ground (one of personal_data, classified)"},
		{"an unknown ground", doc, inquiry.Assigned, nil, closing(desk.Closing{Outcome: inquiry.Refused, Ground: "whim"}),
			desk.Refusal{Kind: desk.RefusedUnknownGround, Value: "whim"},
			`not allowed: ticket DKP-2026-000001: unknown ground "whim" (one of personal_data, classified)`},
		{"granted with a ground", doc, inquiry.Assigned, nil, closing(desk.Closing{Outcome: inquiry.Granted, Ground: "classified"}),
			desk.Refusal{Kind: desk.RefusedGroundNotTaken, Value: "granted"},
			"not allowed: ticket DKP-2026-000001: granted takes no ground; grounds are for refused and partly_granted"},
		{"in an answer never sent", doc, inquiry.Assigned, nil, closing(desk.Closing{Outcome: inquiry.Granted, InAnswer: true}),
			desk.Refusal{Kind: desk.RefusedNoAnswerSent},
			"not allowed: ticket DKP-2026-000001: no answer was relayed to the requester, so the decision cannot have gone out in one"},
		{"reopen an open ticket", doc, inquiry.Assigned, nil,
			func(d *desk.Desk) error { _, err := d.Reopen(ctx, ticket1, "jusuf"); return err },
			desk.Refusal{Kind: desk.RefusedNotClosed}, "not allowed: ticket DKP-2026-000001 is assigned, not closed"},
		{"an empty note", doc, inquiry.Assigned, nil, note(" \n "), desk.Refusal{Kind: desk.RefusedEmptyNote},
			"not allowed: note on DKP-2026-000001: the note is empty"},
		{"a note too long", doc, inquiry.Assigned, nil, note(strings.Repeat("ë", desk.MaxNoteRunes+1)),
			desk.Refusal{Kind: desk.RefusedNoteTooLong, N: desk.MaxNoteRunes + 1, Max: desk.MaxNoteRunes},
			"not allowed: note on DKP-2026-000001: 10001 characters, at most 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			if tt.before != nil {
				if err := tt.before(f.desk); err != nil {
					t.Fatal(err)
				}
			}
			setState(t, f, tt.state)
			err := tt.act(f.desk)
			var r *desk.Refusal
			if !errors.As(err, &r) || !errors.Is(err, desk.ErrLifecycle) {
				t.Fatalf("err = %v (%T), want a desk.Refusal", err, err)
			}
			if r.Kind != tt.want.Kind || r.Ticket != ticket1 || r.Value != tt.want.Value || r.N != tt.want.N || r.Max != tt.want.Max {
				t.Errorf("refusal %+v, want kind %s, value %q, N %d, Max %d", *r, tt.want.Kind, tt.want.Value, tt.want.N, tt.want.Max)
			}
			// A note is refused before its ticket is read.
			if note := r.Kind == desk.RefusedEmptyNote || r.Kind == desk.RefusedNoteTooLong; !note && r.Category != tt.cat {
				t.Errorf("refusal's category %q, want the ticket's %q", r.Category, tt.cat)
			}
			if err.Error() != tt.text {
				t.Errorf("English text %q, want %q", err, tt.text)
			}
		})
	}
}
