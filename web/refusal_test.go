package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
)

// setAside puts number in state: closed as granted, spam by the desk; bulk,
// which only filing sets, in the store.
func setAside(t *testing.T, f *fixture, number string, state inquiry.State) {
	t.Helper()
	ctx := context.Background()
	var err error
	switch state {
	case inquiry.Closed:
		_, err = f.desk.CloseWith(ctx, number, desk.Closing{Outcome: inquiry.Granted}, "jusuf")
	case inquiry.SpamMail:
		_, err = f.desk.MarkSpam(ctx, number, "jusuf")
	default:
		err = f.store.WithTx(ctx, func(tx store.Tx) error {
			tk, _, err := tx.TicketByNumber(number)
			if err != nil {
				return err
			}
			tk.State = state
			return tx.UpdateTicket(&tk)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// The page hides Take and Reassign on a ticket that is not open, but a
// crafted POST (or a page left open while a colleague closed the ticket)
// reaches the handler: the desk refuses, and nothing changes.
func TestTakeAndAssignPostedOnTicketNotOpen(t *testing.T) {
	const number = "DKP-2026-000001"
	for _, state := range []inquiry.State{inquiry.Closed, inquiry.BulkMail, inquiry.SpamMail} {
		for _, post := range []struct {
			action string
			form   url.Values
		}{
			{"take", url.Values{}},
			{"assign", url.Values{"officer": {"osman"}}},
		} {
			t.Run(post.action+" "+string(state), func(t *testing.T) {
				f := newFixture(t, nil)
				f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
				setAside(t, f, number, state)
				b := f.browser()
				b.signIn(officers[2]) // zamira
				form := url.Values{"csrf": {b.csrf()}}
				for k, v := range post.form {
					form[k] = v
				}
				r := b.post("/t/"+number+"/"+post.action, form)
				if r.status != http.StatusUnprocessableEntity {
					t.Errorf("%s on a %s ticket: status %d, want 422 (refused)", post.action, state, r.status)
				}
				if tk := mustTicket(t, f, number); tk.OfficerID != "jusuf" || tk.State != state {
					t.Errorf("after a refused %s: officer %s, state %s; want jusuf, %s", post.action, tk.OfficerID, tk.State, state)
				}
			})
		}
	}
}
