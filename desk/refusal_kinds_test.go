package desk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
)

// The refusals that were untyped (a complaint's date, a standard text
// that does not fit, a note without its author) have kinds now, and an
// officer reads them in Albanian; a ticket that does not exist is
// ErrNoTicket, no refusal, and said by its number.
func TestRefusalsOnceUntyped(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		cat   inquiry.Category
		act   func(*desk.Desk, inquiry.Ticket) error
		kind  desk.RefusalKind
		value string
		text  string // a piece of its English, kept for the log
		say   string // a piece of its Albanian
	}{
		{"a complaint's date in the officers' way", inquiry.DocumentRequest,
			func(d *desk.Desk, _ inquiry.Ticket) error {
				_, err := d.Complaint(ctx, ticket1, "26.11.2026", "", "jusuf")
				return err
			}, desk.RefusedComplaintDate, "26.11.2026", "is not a date like 2026-12-01", `Data e ankesës "26.11.2026" nuk është datë si 2026-12-01.`},
		{"a complaint in the future", inquiry.DocumentRequest,
			func(d *desk.Desk, _ inquiry.Ticket) error {
				_, err := d.Complaint(ctx, ticket1, "2026-11-30", "", "jusuf")
				return err
			}, desk.RefusedComplaintFuture, "2026-11-30", "2026-11-30 is in the future", "Data e ankesës, 30.11.2026, është në të ardhmen."},
		{"a complaint before the request", inquiry.DocumentRequest,
			func(d *desk.Desk, _ inquiry.Ticket) error {
				_, err := d.Complaint(ctx, ticket1, "2026-11-01", "", "jusuf")
				return err
			}, desk.RefusedComplaintEarly, "2026-11-01", "is before the request was received", "Data e ankesës, 01.11.2026, është para ditës kur u pranua kërkesa e tiketës DKP-2026-000001."},
		{"a decision's standard text for a press inquiry", inquiry.PressInquiry,
			func(d *desk.Desk, tk inquiry.Ticket) error {
				_, err := d.StandardText(desk.StandardRefusal, tk, "")
				return err
			}, desk.RefusedStandardCategory, desk.StandardRefusal, "the refusal text is for document requests", "Tiketa DKP-2026-000001 është në kategorinë „pyetje nga media”: ky tekst standard është vetëm për kërkesat për dokumente."},
		{"a standard text signed by nobody", inquiry.DocumentRequest,
			func(d *desk.Desk, tk inquiry.Ticket) error {
				_, err := d.StandardText(desk.StandardAnswer, tk, "mallory")
				return err
			}, desk.RefusedUnknownOfficer, "mallory", `no officer "mallory"`, `Zyrtari "mallory" nuk njihet.`},
		{"a note by nobody", inquiry.DocumentRequest,
			func(d *desk.Desk, _ inquiry.Ticket) error {
				_, err := d.Note(ctx, ticket1, " ", "Shënim.")
				return err
			}, desk.RefusedNoAuthor, "", "no author", "Shënimi nuk ka autor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			err := tt.act(f.desk, f.ticket(ticket1))
			var r *desk.Refusal
			if !errors.As(err, &r) || !errors.Is(err, desk.ErrLifecycle) {
				t.Fatalf("err = %v (%T), want a desk.Refusal", err, err)
			}
			if r.Kind != tt.kind || r.Value != tt.value || r.Ticket != ticket1 || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("refusal %+v (%q), want kind %s, value %q on %s, English with %q", *r, err, tt.kind, tt.value, ticket1, tt.text)
			}
			if got := desk.OfficerText(err, inquiry.Albanian); !strings.Contains(got, tt.say) {
				t.Errorf("the officer reads %q; want %q in it", got, tt.say)
			}
		})
	}

	t.Run("no such ticket", func(t *testing.T) {
		f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
		_, err := f.desk.Take(ctx, "DKP-2026-999999", "jusuf")
		if !errors.Is(err, desk.ErrNoTicket) || errors.Is(err, desk.ErrLifecycle) || !strings.HasPrefix(err.Error(), "no ticket DKP-2026-999999") {
			t.Fatalf("err = %v, want ErrNoTicket, no refusal, its text as before", err)
		}
		if got, want := desk.OfficerText(err, inquiry.Albanian), "Nuk ka tiketë DKP-2026-999999."; got != want {
			t.Errorf("the officer reads %q, want %q", got, want)
		}
	})
}
