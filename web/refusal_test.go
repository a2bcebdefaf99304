package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
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

var alertRE = regexp.MustCompile(`(?s)<div class="alert error" role="alert">(.*?)</div>`)

// alertOf is the refusal a page shows, as the officer reads it.
func alertOf(body string) string {
	m := alertRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// A refused action is explained in the page's language, whichever front
// end's rule refused it: the desk's typed refusals and the workspace's own
// are translated (the English text stays in the log); any other refusal
// of the desk gets at least a translated lead.
func TestRefusalsInThePageLanguage(t *testing.T) {
	const number = "DKP-2026-000001"
	langs := []string{"sq", "sr-Latn", "sr-Cyrl", "en"}
	tests := []struct {
		name   string
		state  inquiry.State // the ticket's state first (open: assigned)
		action string
		form   url.Values
		want   [4]string // in sq, sr-Latn, sr-Cyrl, en
		// english is the desk's English text, which must not be the
		// page's: "" for a refusal shown after a translated lead.
		english string
	}{
		{"take a closed ticket", inquiry.Closed, "take", nil,
			[4]string{"Tiketa DKP-2026-000001 është e mbyllur: rihapeni më parë.", "Tiket DKP-2026-000001 je zatvoren: prvo ga ponovo otvorite.",
				"Тикет DKP-2026-000001 је затворен: прво га поново отворите.", "Ticket DKP-2026-000001 is closed: reopen it first."}, "reopen it before"},
		{"assign spam", inquiry.SpamMail, "assign", url.Values{"officer": {"osman"}},
			[4]string{"është spam: ruhet, por nuk punohet", "je spam: čuva se, ali se ne obrađuje", "је spam: чува се, али се не обрађује", "is spam: kept, not worked"}, "kept and not worked"},
		{"assign bulk", inquiry.BulkMail, "assign", url.Values{"officer": {"osman"}},
			[4]string{"është postë masive", "je masovna pošta", "је масовна пошта", "is bulk mail: kept, not worked"}, "kept and not worked"},
		{"answer a closed ticket from a page left open", inquiry.Closed, "answer", url.Values{"text": {"Dear Sir,\n\nHere."}},
			[4]string{"është e mbyllur: rihapeni më parë", "je zatvoren: prvo ga ponovo otvorite", "је затворен: прво га поново отворите", "is closed: reopen it first"}, "reopen it before"},
		{"category of a closed ticket", inquiry.Closed, "category", url.Values{"category": {"general_question"}},
			[4]string{"është e mbyllur: rihapeni më parë", "je zatvoren", "је затворен", "is closed: reopen it first"}, "reopen it before"},
		{"assign to an unknown officer", inquiry.Assigned, "assign", url.Values{"officer": {"mallory"}},
			[4]string{`Zyrtari "mallory" nuk njihet.`, `Službenik "mallory" nije poznat.`, `Службеник "mallory" није познат.`, `Unknown officer "mallory".`}, "unknown officer"},
		{"an unknown category", inquiry.Assigned, "category", url.Values{"category": {"gossip"}},
			[4]string{`Kategoria "gossip" nuk njihet.`, `Kategorija "gossip" nije poznata.`, `Категорија "gossip" није позната.`, `Unknown category "gossip".`}, "unknown category"},
		{"an empty answer", inquiry.Assigned, "answer", url.Values{"text": {"  \r\n "}},
			[4]string{"Përgjigjja është bosh; asgjë nuk u dërgua.", "Odgovor je prazan; ništa nije poslato.", "Одговор је празан; ништа није послато.", "The answer is empty; nothing was sent."}, "empty text"},
		{"days that are not a number", inquiry.Assigned, "extend", url.Values{"days": {"ten"}, "reason": {"archive"}},
			[4]string{"numër nga 1 deri në 15", "broj od 1 do 15", "број од 1 до 15", "a number from 1 to 15"}, "not allowed: days must be a number"},
		{"an unknown outcome", inquiry.Assigned, "close", url.Values{"outcome": {"maybe"}},
			[4]string{"Zgjidhni një rezultat nga lista.", "Izaberite ishod sa liste.", "Изаберите исход са листе.", "Choose an outcome from the list."}, "unknown outcome"},
		{"another refusal of the desk: a translated lead", inquiry.Assigned, "reopen", nil,
			[4]string{"Veprimi nuk lejohet: ", "Radnja nije dozvoljena: ", "Радња није дозвољена: ", "Not allowed: "}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
			if tt.state != inquiry.Assigned {
				setAside(t, f, number, tt.state)
			}
			b := f.browser()
			b.signIn(officers[1])
			for i, lang := range langs {
				if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {lang}, "back": {"/"}}); r.status != http.StatusSeeOther {
					t.Fatalf("switch to %s: %d", lang, r.status)
				}
				form := url.Values{"csrf": {b.csrf()}}
				for k, v := range tt.form {
					form[k] = v
				}
				r := b.post("/t/"+number+"/"+tt.action, form)
				got := alertOf(r.body)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(got, tt.want[i]) ||
					(tt.english != "" && strings.Contains(got, tt.english)) || (tt.english != "" && strings.Contains(got, "not allowed")) {
					t.Errorf("%s page: status %d, alert %q; want 422 and %q", lang, r.status, got, tt.want[i])
				}
			}
		})
	}
}

// A ticket kept as bulk mail or spam shows a button that takes it into the
// work; pressing it makes it an assigned ticket again.
func TestSetAsideTicketTakenIntoTheWork(t *testing.T) {
	const number = "DKP-2026-000001"
	for _, state := range []inquiry.State{inquiry.BulkMail, inquiry.SpamMail} {
		t.Run(string(state), func(t *testing.T) {
			f := newFixture(t, nil)
			f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
			setAside(t, f, number, state)
			b := f.browser()
			b.signIn(officers[2]) // zamira
			if page := b.get("/t/" + number); !strings.Contains(page.body, `id="restore-ticket"`) {
				t.Fatalf("no button to take the %s ticket into the work:\n%s", state, page.body)
			}
			r := b.post("/t/"+number+"/reopen", url.Values{"csrf": {b.csrf()}})
			if r.status != http.StatusSeeOther {
				t.Errorf("status %d, want 303", r.status)
			}
			if tk := mustTicket(t, f, number); tk.State != inquiry.Assigned {
				t.Errorf("after taking it into the work: %s, want assigned", tk.State)
			}
			if page := b.get("/t/" + number); strings.Contains(page.body, `id="restore-ticket"`) {
				t.Error("an assigned ticket still offers to be taken into the work")
			}
		})
	}
}
