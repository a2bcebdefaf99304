package web_test

import (
	"context"
	"errors"
	"fmt"
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
	"sportel/web"
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
// are translated (the English text stays in the log), every refusal of
// the desk an action of the workspace can meet among them.
func TestRefusalsInThePageLanguage(t *testing.T) {
	const number = "DKP-2026-000001"
	langs := []string{"sq", "sr-Latn", "sr-Cyrl", "en"}
	ctx := context.Background()
	extended := func(t *testing.T, f *fixture) {
		if _, err := f.desk.Extend(ctx, number, 5, "archive", "jusuf"); err != nil {
			t.Fatal(err)
		}
	}
	urgent := func(t *testing.T, f *fixture) {
		if _, err := f.desk.Urgent(ctx, number, true, "jusuf"); err != nil {
			t.Fatal(err)
		}
	}
	notHeld := func(t *testing.T, f *fixture) {
		if _, err := f.desk.NotHeld(ctx, number, "", "jusuf"); err != nil {
			t.Fatal(err)
		}
	}
	press := inquiry.PressInquiry
	tests := []struct {
		name   string
		state  inquiry.State // the ticket's state first (open: assigned)
		action string
		form   url.Values
		want   [4]string // in sq, sr-Latn, sr-Cyrl, en
		// english is a piece of the desk's English text, which must not
		// be on the page.
		english string
		cat     inquiry.Category           // the ticket's (document request when unset)
		setup   func(*testing.T, *fixture) // what was done to it before
	}{
		{"take a closed ticket", inquiry.Closed, "take", nil,
			[4]string{"Tiketa DKP-2026-000001 është e mbyllur: rihapeni më parë.", "Tiket DKP-2026-000001 je zatvoren: prvo ga ponovo otvorite.",
				"Тикет DKP-2026-000001 је затворен: прво га поново отворите.", "Ticket DKP-2026-000001 is closed: reopen it first."}, "reopen it before", "", nil},
		{"assign spam", inquiry.SpamMail, "assign", url.Values{"officer": {"osman"}},
			[4]string{"është spam: ruhet, por nuk punohet", "je spam: čuva se, ali se ne obrađuje", "је spam: чува се, али се не обрађује", "is spam: kept, not worked"}, "kept and not worked", "", nil},
		{"assign bulk", inquiry.BulkMail, "assign", url.Values{"officer": {"osman"}},
			[4]string{"është postë masive", "je masovna pošta", "је масовна пошта", "is bulk mail: kept, not worked"}, "kept and not worked", "", nil},
		{"answer a closed ticket from a page left open", inquiry.Closed, "answer", url.Values{"text": {"Dear Sir,\n\nHere."}},
			[4]string{"është e mbyllur: rihapeni më parë", "je zatvoren: prvo ga ponovo otvorite", "је затворен: прво га поново отворите", "is closed: reopen it first"}, "reopen it before", "", nil},
		{"category of a closed ticket", inquiry.Closed, "category", url.Values{"category": {"general_question"}},
			[4]string{"është e mbyllur: rihapeni më parë", "je zatvoren", "је затворен", "is closed: reopen it first"}, "reopen it before", "", nil},
		{"assign to an unknown officer", inquiry.Assigned, "assign", url.Values{"officer": {"mallory"}},
			[4]string{`Zyrtari "mallory" nuk njihet.`, `Službenik "mallory" nije poznat.`, `Службеник "mallory" није познат.`, `Unknown officer "mallory".`}, "unknown officer", "", nil},
		{"an unknown category", inquiry.Assigned, "category", url.Values{"category": {"gossip"}},
			[4]string{`Kategoria "gossip" nuk njihet.`, `Kategorija "gossip" nije poznata.`, `Категорија "gossip" није позната.`, `Unknown category "gossip".`}, "unknown category", "", nil},
		{"an empty answer", inquiry.Assigned, "answer", url.Values{"text": {"  \r\n "}},
			[4]string{"Përgjigjja është bosh; asgjë nuk u dërgua.", "Odgovor je prazan; ništa nije poslato.", "Одговор је празан; ништа није послато.", "The answer is empty; nothing was sent."}, "empty text", "", nil},
		{"days that are not a number", inquiry.Assigned, "extend", url.Values{"days": {"ten"}, "reason": {"archive"}},
			[4]string{"numër nga 1 deri në 15", "broj od 1 do 15", "број од 1 до 15", "a number from 1 to 15"}, "not allowed: days must be a number", "", nil},
		{"an unknown outcome", inquiry.Assigned, "close", url.Values{"outcome": {"maybe"}},
			[4]string{"Zgjidhni një rezultat nga lista.", "Izaberite ishod sa liste.", "Изаберите исход са листе.", "Choose an outcome from the list."}, "unknown outcome", "", nil},
		// The lifecycle's refusals: urgent, extend, not held, close, reopen.
		{"urgent on a closed ticket", inquiry.Closed, "urgent", url.Values{"on": {"1"}},
			[4]string{"Tiketa DKP-2026-000001 është e mbyllur: rihapeni më parë.", "je zatvoren: prvo ga ponovo otvorite", "је затворен: прво га поново отворите", "is closed: reopen it first"}, "urgent flag", "", nil},
		{"urgent on bulk mail", inquiry.BulkMail, "urgent", url.Values{"on": {"1"}},
			[4]string{"është postë masive", "je masovna pošta", "је масовна пошта", "is bulk mail: kept, not worked"}, "urgent flag", "", nil},
		{"extend a closed ticket", inquiry.Closed, "extend", url.Values{"days": {"5"}, "reason": {"archive"}},
			[4]string{"është e mbyllur: rihapeni më parë", "je zatvoren", "је затворен", "is closed: reopen it first"}, "before extending", "", nil},
		{"extend by too many days", inquiry.Assigned, "extend", url.Values{"days": {"20"}, "reason": {"archive"}},
			[4]string{"Zgjatja është nga 1 deri në 15 ditë, jo 20.", "Produženje je od 1 do 15 dana, ne 20.", "Продужење је од 1 до 15 дана, не 20.", "An extension is 1 to 15 days, not 20."}, "extend DKP", "", nil},
		{"extend without a reason", inquiry.Assigned, "extend", url.Values{"days": {"5"}, "reason": {" "}},
			[4]string{"Shkruani arsyen e zgjatjes", "Navedite razlog produženja", "Наведите разлог продужења", "Give the reason for the extension"}, "extend DKP", "", nil},
		{"extend a press inquiry", inquiry.Assigned, "extend", url.Values{"days": {"5"}, "reason": {"archive"}},
			[4]string{"Tiketa DKP-2026-000001 është në kategorinë „pyetje nga media”", "je u kategoriji „upit medija”", "је у категорији „упит медија”", "is a “press inquiry”: only document requests"}, "is a press_inquiry", press, nil},
		{"extend twice", inquiry.Assigned, "extend", url.Values{"days": {"5"}, "reason": {"archive"}},
			[4]string{"është zgjatur tashmë me 5 ditë më 25.11.2026", "već produžen za 5 dana, 25.11.2026", "већ продужен за 5 дана, 25.11.2026", "already extended by 5 days on 25.11.2026"}, "2026-11-25", "", extended},
		{"extend an urgent request", inquiry.Assigned, "extend", url.Values{"days": {"5"}, "reason": {"archive"}},
			[4]string{"kërkesa urgjente nuk zgjatet", "hitan zahtev se ne produžava", "хитан захтев се не продужава", "an urgent request cannot be extended. Clear"}, "clear the flag", "", urgent},
		{"not held on a press inquiry", inquiry.Assigned, "notheld", nil,
			[4]string{"vetëm një kërkesë për dokumente mund të shënohet", "samo zahtev za dokumente može da se označi", "само захтев за документе може да се означи", "only a document request can be marked not held"}, "is a press_inquiry", press, nil},
		{"not held on a closed ticket", inquiry.Closed, "notheld", nil,
			[4]string{"është e mbyllur: rihapeni më parë", "je zatvoren", "је затворен", "is closed: reopen it first"}, "ticket DKP", "", nil},
		{"not held twice", inquiry.Assigned, "notheld", nil,
			[4]string{"është shënuar tashmë më 25.11.2026", "već označen 25.11.2026", "већ означен 25.11.2026", "already marked not held on 25.11.2026"}, "2026-11-25", "", notHeld},
		{"close a closed ticket", inquiry.Closed, "close", url.Values{"outcome": {"granted"}},
			[4]string{"është e mbyllur: rihapeni më parë", "je zatvoren", "је затворен", "is closed: reopen it first"}, "already closed", "", nil},
		{"close spam", inquiry.SpamMail, "close", url.Values{"outcome": {"granted"}},
			[4]string{"është spam: ruhet, por nuk punohet", "je spam", "је spam", "is spam: kept, not worked"}, "nothing to close", "", nil},
		{"close a press inquiry as granted", inquiry.Assigned, "close", url.Values{"outcome": {"granted"}},
			[4]string{"mbyllet si „zgjidhur” ose „pa nevojë për përgjigje”", "zatvara se kao „rešeno” ili „bez potrebe za odgovorom”", "затвара се као „решено” или „без потребе за одговором”", "close it as “resolved” or “no answer needed”"}, "no_answer_needed", press, nil},
		{"close a press inquiry with a ground", inquiry.Assigned, "close", url.Values{"outcome": {"resolved"}, "ground": {"personal_data"}},
			[4]string{"baza e refuzimit dhe vendimi në përgjigje janë vetëm për kërkesat për dokumente", "osnov odbijanja i odluka u odgovoru postoje samo za zahteve za dokumente", "основ одбијања и одлука у одговору постоје само за захтеве за документе", "a refusal ground or a decision in an answer is only for document requests"}, "is a press_inquiry", press, nil},
		{"close a document request as resolved", inquiry.Assigned, "close", url.Values{"outcome": {"resolved"}},
			[4]string{"zgjidhni vendimin (miratuar,", "izaberite odluku (odobreno,", "изаберите одлуку (одобрено,", "choose its decision (granted,"}, "give an outcome", "", nil},
		{"refused without a ground", inquiry.Assigned, "close", url.Values{"outcome": {"refused"}},
			[4]string{"Vendimi „refuzuar” kërkon bazën e refuzimit", "Odluka „odbijeno” zahteva osnov odbijanja", "Одлука „одбијено” захтева основ одбијања", "A decision “refused” needs a refusal ground"}, "needs a ground", "", nil},
		{"an unknown ground", inquiry.Assigned, "close", url.Values{"outcome": {"refused"}, "ground": {"whim"}},
			[4]string{`Baza e refuzimit "whim" nuk njihet.`, `Osnov odbijanja "whim" nije poznat.`, `Основ одбијања "whim" није познат.`, `Unknown refusal ground "whim".`}, "one of personal_data", "", nil},
		{"granted with a ground", inquiry.Assigned, "close", url.Values{"outcome": {"granted"}, "ground": {"personal_data"}},
			[4]string{"Vendimi „miratuar” nuk ka bazë refuzimi", "Odluka „odobreno” nema osnov odbijanja", "Одлука „одобрено” нема основ одбијања", "A decision “granted” takes no refusal ground"}, "takes no ground", "", nil},
		{"the decision in an answer never sent", inquiry.Assigned, "close", url.Values{"outcome": {"granted"}, "in_answer": {"1"}},
			[4]string{"nuk i është dërguar asnjë përgjigje", "nije poslat nijedan odgovor", "није послат ниједан одговор", "No answer went to the requester"}, "was relayed", "", nil},
		{"reopen an open ticket", inquiry.Assigned, "reopen", nil,
			[4]string{"Tiketa DKP-2026-000001 nuk është e mbyllur (caktuar)", "Tiket DKP-2026-000001 nije zatvoren (dodeljen)", "Тикет DKP-2026-000001 није затворен (додељен)", "Ticket DKP-2026-000001 is not closed (assigned)"}, "assigned, not closed", "", nil},
		// The note's.
		{"an empty note", inquiry.Assigned, "note", url.Values{"text": {" \r\n "}},
			[4]string{"Shënimi është bosh; asgjë nuk u shtua.", "Beleška je prazna; ništa nije dodato.", "Белешка је празна; ништа није додато.", "The note is empty; nothing was added."}, "the note is empty", "", nil},
		{"a note too long", inquiry.Assigned, "note", url.Values{"text": {strings.Repeat("a", desk.MaxNoteRunes+1)}},
			[4]string{"Shënimi ka 10001 shenja; lejohen më së shumti 10000.", "Beleška ima 10001 znakova; dozvoljeno je najviše 10000.", "Белешка има 10001 знакова; дозвољено је највише 10000.", "The note has 10001 characters; at most 10000 are allowed."}, "note on", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			cat := tt.cat
			if cat == "" {
				cat = inquiry.DocumentRequest
			}
			f.file(number, cat, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
			if tt.setup != nil {
				tt.setup(t, f)
			}
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

// storeDownDesk fails marking a ticket urgent as a desk does whose store
// does not answer.
type storeDownDesk struct{ web.Desk }

func (storeDownDesk) Urgent(context.Context, string, bool, string) (inquiry.Ticket, error) {
	return inquiry.Ticket{}, fmt.Errorf("urgent: %w", errors.New("database is locked (SQLITE_BUSY)"))
}

// An action the system failed to do is logged at error level with the
// ticket and the action, for whoever runs Sportel; one the officer can
// mend (a refusal, a number that names no ticket) stays at info level.
func TestFailedActionLoggedAtErrorLevel(t *testing.T) {
	const filed = "DKP-2026-000001"
	storeDown := func(d web.Desk) web.Desk { return storeDownDesk{d} }
	tests := []struct {
		name   string
		desk   func(web.Desk) web.Desk
		closed bool   // the filed ticket is closed first
		number string // the ticket the action is posted on
		status int
		alert  string
		log    string // the log line's start, with its level
		err    bool   // anything logged at error level
	}{
		{"the store down", storeDown, false, filed, http.StatusInternalServerError,
			"Veprimi nuk u krye për një gabim të sistemit.", `level=ERROR msg="web: officer action failed" officer=jusuf ticket=DKP-2026-000001 action=urgent err="urgent: database is locked`, true},
		{"refused, closed", nil, true, filed, http.StatusUnprocessableEntity,
			"është e mbyllur: rihapeni më parë", `level=INFO msg="web: action refused" officer=jusuf ticket=DKP-2026-000001 action=urgent`, false},
		// The page shown again for a ticket that is not there is "not found".
		{"no such ticket", nil, false, "DKP-2026-000009", http.StatusNotFound,
			"Nuk u gjet.", `level=INFO msg="web: action refused" officer=jusuf ticket=DKP-2026-000009 action=urgent`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureWithDesk(t, nil, tt.desk)
			f.file(filed, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
			if tt.closed {
				setAside(t, f, filed, inquiry.Closed)
			}
			b := f.browser()
			b.signIn(officers[1])
			r := b.post("/t/"+tt.number+"/urgent", url.Values{"csrf": {b.csrf()}, "on": {"1"}})
			if got := alertOf(r.body); r.status != tt.status || !strings.Contains(got, tt.alert) {
				t.Errorf("status %d, alert %q; want %d and %q", r.status, got, tt.status, tt.alert)
			}
			logs := f.logs.String()
			if !strings.Contains(logs, tt.log) {
				t.Errorf("the log lacks %q:\n%s", tt.log, logs)
			}
			if got := strings.Contains(logs, "level=ERROR"); got != tt.err {
				t.Errorf("logged at error level: %v, want %v:\n%s", got, tt.err, logs)
			}
		})
	}
}
