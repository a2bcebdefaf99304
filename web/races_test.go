package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"sportel/inquiry"
)

// Every state-changing form of a signed-in officer carries the session's
// CSRF token: each one posted without it, or with another session's, is
// refused and changes nothing (TestMissingCSRFToken tries close alone).
func TestEveryActionNeedsTheCSRFToken(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(7*24*time.Hour), "Leje", "Kërkoj")
	b := f.browser()
	b.signIn(officers[1])
	other := f.browser()
	other.signIn(officers[2])
	ctx := context.Background()
	state := func() string {
		tk, _, err := f.store.TicketByNumber(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		es, err := f.store.Entries(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s %s %s urgent=%v due=%s entries=%d", tk.State, tk.OfficerID, tk.Category, tk.Urgent, tk.DueAt, len(es))
	}
	before := state()
	actions := []struct {
		path string
		form url.Values
	}{
		{"/t/" + number + "/take", url.Values{}},
		{"/t/" + number + "/assign", url.Values{"officer": {"zamira"}}},
		{"/t/" + number + "/category", url.Values{"category": {"complaint"}}},
		{"/t/" + number + "/urgent", url.Values{"on": {"1"}}},
		{"/t/" + number + "/extend", url.Values{"days": {"7"}, "reason": {"arkivi"}}},
		{"/t/" + number + "/notheld", url.Values{"holder": {"Ministria e Financave"}}},
		{"/t/" + number + "/answer", url.Values{"text": {"Përgjigje"}}},
		{"/t/" + number + "/note", url.Values{"text": {"Shënim"}}},
		{"/t/" + number + "/close", url.Values{"outcome": {"granted"}}},
		{"/t/" + number + "/reopen", url.Values{}},
		{"/t/" + number + "/compose", url.Values{"std": {"extension"}}},
		{"/lang", url.Values{"lang": {"en"}, "back": {"/"}}},
		{"/signout", url.Values{}},
	}
	for _, a := range actions {
		for name, token := range map[string][]string{"no token": nil, "another session's": {other.csrf()}} {
			form := url.Values{}
			for k, v := range a.form {
				form[k] = v
			}
			if token != nil {
				form["csrf"] = token
			}
			if r := b.post(a.path, form); r.status != http.StatusForbidden {
				t.Errorf("POST %s with %s = %d, want 403", a.path, name, r.status)
			}
		}
	}
	if after := state(); after != before {
		t.Errorf("forms without the token changed the ticket: %s → %s", before, after)
	}
	if r := b.get("/"); r.status != http.StatusOK {
		t.Errorf("after a sign-out without the token the session is gone: GET / = %d", r.status)
	}
}

// Closing and reassigning one ticket at the same moment, from two
// browsers: each action is whole or refused, never half of each. The
// ticket ends closed, with the new officer only if the reassignment was
// accepted (it came first), and nothing fails.
func TestCloseAndReassignAtOnce(t *testing.T) {
	f := newFixture(t, nil)
	jusuf, zamira := f.browser(), f.browser()
	jusuf.signIn(officers[1])
	zamira.signIn(officers[2])
	jc, zc := jusuf.csrf(), zamira.csrf()
	ctx := context.Background()
	for i := 1; i <= 12; i++ {
		number := fmt.Sprintf("DKP-2026-%06d", i)
		f.file(number, inquiry.GeneralQuestion, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Pyetje", "Tekst")
		var closed, assigned int
		var wg sync.WaitGroup
		wg.Go(func() {
			closed = jusuf.post("/t/"+number+"/close", url.Values{"csrf": {jc}, "outcome": {"resolved"}}).status
		})
		wg.Go(func() {
			assigned = zamira.post("/t/"+number+"/assign", url.Values{"csrf": {zc}, "officer": {"osman"}}).status
		})
		wg.Wait()
		tk, _, err := f.store.TicketByNumber(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		if closed != http.StatusSeeOther {
			t.Errorf("%s: close = %d, want 303", number, closed)
		}
		wantOfficer := map[int]string{http.StatusSeeOther: "osman", http.StatusUnprocessableEntity: "jusuf"}[assigned]
		if wantOfficer == "" {
			t.Errorf("%s: reassign = %d, want 303 or 422", number, assigned)
		}
		if tk.State != inquiry.Closed || tk.OfficerID != wantOfficer {
			t.Errorf("%s: close %d, reassign %d; the ticket is %s with %s, want closed with %s", number, closed, assigned, tk.State, tk.OfficerID, wantOfficer)
		}
	}
}
