package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/browsertest"
)

// A double click on "Send answer" posts the same form twice, with its seen.
// The second post must count as the same answer (once-only key), not be
// held back as if a colleague had answered, inviting a second send.
func TestAnswerDoubleClickWithSeenAnswersOnce(t *testing.T) {
	const number = "DKP-2026-000001"
	f, b := questionSignedIn(t, number)
	page := b.get("/t/" + number).body
	const text = "Dear Sir,\n\nTomorrow.\n"
	form := url.Values{"csrf": {csrfOf(t, page)}, "once": {formOnce(t, page)}, "seen": {formSeen(t, page)}, "text": {text}}
	r1 := b.post("/t/"+number+"/answer", form)
	r2 := b.post("/t/"+number+"/answer", form)
	t.Logf("first post: %d, second post (same form): %d", r1.status, r2.status)
	if r2.status != http.StatusSeeOther {
		i := strings.Index(r2.body, `role="alert"`)
		t.Errorf("the same form sent twice: second post %d, want 303 (already answered); page says: %.200s", r2.status, r2.body[i:])
	}
	// The officer, told the answer was held back with its text kept, sends it from there.
	if r2.status == http.StatusConflict {
		again := url.Values{"csrf": {csrfOf(t, r2.body)}, "once": {formOnce(t, r2.body)}, "seen": {formSeen(t, r2.body)}, "text": {textareaOf(t, r2.body, "answer-text")}}
		b.post("/t/"+number+"/answer", again)
	}
	if n := answersOn(t, f, number); n != 1 {
		t.Errorf("%d answers queued to the citizen after one double click, want 1", n)
	}
}

// A note the desk refuses (over desk.MaxNoteRunes) comes back with its text.
func TestRefusedNoteKeepsItsText(t *testing.T) {
	const number = "DKP-2026-000001"
	_, b := questionSignedIn(t, number)
	note := "Call log: " + strings.Repeat("x", desk.MaxNoteRunes)
	r := b.post("/t/"+number+"/note", url.Values{"csrf": {b.csrf()}, "once": {"k1"}, "text": {note}})
	if r.status == http.StatusSeeOther {
		t.Fatal("note over the limit accepted")
	}
	i := strings.Index(r.body, `role="alert"`)
	t.Logf("status %d, alert: %.120s", r.status, r.body[i:])
	if got := textareaOf(t, r.body, "note-text"); !strings.Contains(got, "Call log: xxx") {
		t.Errorf("refused note's text is gone: note textarea = %q", got)
	}
}

// A refused extension keeps the reason typed.
func TestRefusedExtensionKeepsReason(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
	b := f.browser()
	b.signIn(officers[1])
	const reason = "The archive in Prizren must search forty boxes of contracts"
	r := b.post("/t/"+number+"/extend", url.Values{"csrf": {b.csrf()}, "days": {"20"}, "reason": {reason}})
	if r.status == http.StatusSeeOther {
		t.Fatal("20 days accepted")
	}
	if !strings.Contains(r.body, "forty boxes") {
		t.Errorf("refused extension (status %d): the reason typed is not on the page", r.status)
	}
}

// A closed ticket's outcome and ground are shown in the page's language.
func TestOutcomeAndGroundInPageLanguage(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Kontratat", "Kërkoj")
	if _, err := f.desk.CloseWith(context.Background(), number, desk.Closing{Outcome: inquiry.PartlyGranted, Ground: "personal_data"}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(officers[1]) // Albanian
	body := b.get("/t/" + number).body
	i := strings.Index(body, "mbyllur")
	t.Logf("state shown: %.60s", body[i:])
	if strings.Contains(body, "(partly_granted") || strings.Contains(body, ", personal_data)") {
		t.Errorf("outcome/ground shown as identifiers on the Albanian page: %.60s", body[i:])
	}
}

// Switching language on the page shown after a refused action (its address is
// the action's POST path) must come back to the ticket, not a 404.
func TestLanguageSwitchAfterRefusedAction(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
	b := f.browser()
	b.signIn(officers[1])
	r := b.post("/t/"+number+"/extend", url.Values{"csrf": {b.csrf()}, "days": {"20"}, "reason": {"x"}})
	m := strings.Index(r.body, `name="back" value="`)
	back := r.body[m+len(`name="back" value="`):]
	back = back[:strings.Index(back, `"`)]
	sw := b.post("/lang", url.Values{"csrf": {csrfOf(t, r.body)}, "lang": {"en"}, "back": {back}})
	t.Logf("back=%q → %d %s", back, sw.status, sw.location)
	g := b.get(sw.location)
	if g.status != http.StatusOK {
		t.Errorf("after switching language on the refused action's page: GET %s = %d, want the ticket", sw.location, g.status)
	}
}

// A closed ticket decided in time does not show "overdue" in red for ever.
func TestClosedTicketNotOverdue(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-48*time.Hour), f.now.Add(5*24*time.Hour), "Contracts", "Send them")
	if _, err := f.desk.CloseWith(context.Background(), number, desk.Closing{Outcome: inquiry.Granted}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	f.advance(30 * 24 * time.Hour)
	b := f.browser()
	b.signIn(officers[2]) // English
	body := b.get("/t/" + number).body
	i := strings.Index(body, `class="badge`)
	t.Logf("badge: %.60s", body[i:])
	if strings.Contains(body, `class="badge overdue"`) {
		t.Errorf("closed, granted on time, shown overdue: %.60s", body[i:])
	}
}

// A citizen's subject that is one very long word (a pasted link, a file
// name) must not push the page wider than the window, hiding the actions.
func TestLongWordInSubjectInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	f := newFixture(t, nil)
	const number = "DKP-2026-000001"
	word := "https://drive.example.net/" + strings.Repeat("aB3xY9", 40)
	f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), word, "See "+word)
	b := f.browser()
	b.askLink(officers[1].Email)
	links := f.signInLinks(officers[1].ID)
	do(t, ctx, chromedp.Navigate(f.srv.URL+links[0]))
	waitFor(t, ctx, "/signin/link")
	submit(t, ctx, "#use-link", f.srv.URL+"/")
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/t/"+number))
	waitFor(t, ctx, "/t/"+number)
	sw := eval[int](t, ctx, `document.documentElement.scrollWidth`)
	cw := eval[int](t, ctx, `document.documentElement.clientWidth`)
	right := eval[float64](t, ctx, `document.querySelector("#send-answer").getBoundingClientRect().right`)
	over := eval[[]string](t, ctx, `[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).map(e => e.tagName + "." + e.className).slice(0, 8)`)
	t.Logf("elements past the window's right edge: %v", over)
	overlap := eval[[]float64](t, ctx, `[document.querySelector(".entry .subject").scrollWidth, document.querySelector(".entry .subject").getBoundingClientRect().right, document.querySelector("section.actions").getBoundingClientRect().left]`)
	t.Logf("record's subject: text width %.0f, box right %.0f; actions column starts at x=%.0f", overlap[0], overlap[1], overlap[2])
	t.Logf("page scrollWidth %d, window clientWidth %d, send button right edge %.0f", sw, cw, right)
	if sw > cw {
		t.Errorf("page %dpx wide in a %dpx window: the long subject overflows (send button at x=%.0f)", sw, cw, right)
	}
}

// What the officer typed before choosing a standard text is kept beside the
// answer; an answer then held back (a colleague answered meanwhile) must not
// drop it.
func TestEarlierTextSurvivesHeldBackAnswer(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
	b := f.browser()
	b.signIn(officers[1])
	page := b.get("/t/" + number).body
	const typed = "The contracts of 2019 are with the archive; 2020 attached."
	composed := b.post("/t/"+number+"/compose", url.Values{"csrf": {csrfOf(t, page)}, "std": {"extension"}, "text": {typed}})
	if got := textareaOf(t, composed.body, "earlier-text"); !strings.Contains(got, "archive") {
		t.Fatalf("compose did not keep the typed text beside: %q", got)
	}
	if _, err := f.desk.Answer(context.Background(), number, "zamira", "Dear Sir,\n\nSoon.\n"); err != nil {
		t.Fatal(err)
	}
	// The form as a browser sends it: every named field, the kept text too.
	if !strings.Contains(composed.body, `id="earlier-text" name="earlier"`) {
		t.Fatal("the kept text is not a field of the answer form: it would not be sent with it")
	}
	r := b.post("/t/"+number+"/answer", url.Values{"csrf": {csrfOf(t, composed.body)}, "once": {formOnce(t, composed.body)},
		"seen": {formSeen(t, composed.body)}, "text": {textareaOf(t, composed.body, "answer-text")},
		"earlier": {textareaOf(t, composed.body, "earlier-text")}})
	if r.status != http.StatusConflict {
		t.Fatalf("answer after a colleague's: status %d, want it held back (409)", r.status)
	}
	if !strings.Contains(r.body, "with the archive") {
		t.Errorf("the text typed before the standard text was chosen is gone from the held-back page")
	}
}

// A standard text marks where the officer writes ("[fill in]" in the
// requester's language). Sent with the mark still in it, the citizen would
// get a letter without its answer: it is held back, said in the page's
// language with the mark named, and its text kept to finish; with the mark
// replaced it goes.
func TestAnswerWithPlaceholderLeftIsHeldBack(t *testing.T) {
	tests := []struct {
		name      string
		citizen   inquiry.Language // the draft's language
		std       string           // the standard text drawn ("" : the answer's start)
		page      string           // the officer's language
		mark, say string
	}{
		{"answer start, English citizen", inquiry.English, "", "sq", "[fill in]", "ka ende shenjën e tekstit standard"},
		{"answer start, Albanian citizen", inquiry.Albanian, "", "en", "[plotësoni]", "it still holds the standard text's mark"},
		{"extension text, Cyrillic citizen", inquiry.SerbianCyrl, desk.StandardExtension, "sr-Cyrl", "[допуните]", "још садржи ознаку стандардног текста"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			number := fmt.Sprintf("DKP-2026-%06d", i+1)
			f := newFixture(t, nil)
			f.file(number, inquiry.DocumentRequest, tt.citizen, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
			b := f.browser()
			b.signIn(officers[1])
			b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {tt.page}, "back": {"/"}})
			page := b.get("/t/" + number + "?std=" + tt.std).body
			draft := html.UnescapeString(textareaOf(t, page, "answer-text"))
			if !strings.Contains(draft, tt.mark) {
				t.Fatalf("the draft lacks %q:\n%s", tt.mark, draft)
			}
			form := url.Values{"csrf": {csrfOf(t, page)}, "once": {formOnce(t, page)}, "seen": {formSeen(t, page)}, "text": {strings.ReplaceAll(draft, "\n", "\r\n")}}
			r := b.post("/t/"+number+"/answer", form)
			if r.status != http.StatusUnprocessableEntity {
				t.Errorf("the draft sent as drawn = %d, want 422", r.status)
			}
			if a := alertOf(r.body); !strings.Contains(a, tt.say) || !strings.Contains(a, tt.mark) {
				t.Errorf("the page says %q; want %q and the mark %q", a, tt.say, tt.mark)
			}
			if got := html.UnescapeString(textareaOf(t, r.body, "answer-text")); strings.ReplaceAll(got, "\r\n", "\n") != draft {
				t.Errorf("the text held back is not kept to finish: %q", got)
			}
			if n := answersOn(t, f, number); n != 0 {
				t.Fatalf("%d answers queued with the mark in them, want none", n)
			}
			form.Set("once", formOnce(t, r.body))
			form.Set("text", strings.ReplaceAll(draft, tt.mark, "The contracts are attached."))
			if r := b.post("/t/"+number+"/answer", form); r.status != http.StatusSeeOther {
				t.Errorf("the finished answer = %d, want 303: %s", r.status, alertOf(r.body))
			}
			if n := answersOn(t, f, number); n != 1 {
				t.Errorf("%d answers queued once the mark was replaced, want 1", n)
			}
		})
	}
}

// A double click on "Close" posts the closing form twice. The second post
// is the same closing, done: refused as closing a closed ticket ("reopen
// it first"), it would lead the officer to reopen and close again, and the
// citizen to get the decision twice.
func TestCloseDoubleClickClosesOnce(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
	b := f.browser()
	b.signIn(officers[1])
	page := b.get("/t/" + number).body
	m := regexp.MustCompile(`action="/t/` + number + `/close"[^>]*>\s*<input type="hidden" name="csrf" value="[0-9a-f]+">\s*<input type="hidden" name="seen" value="([0-9]+)">\s*<input type="hidden" name="once" value="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the closing form carries no seen and once-only key")
	}
	form := url.Values{"csrf": {csrfOf(t, page)}, "seen": {m[1]}, "once": {m[2]}, "outcome": {"granted"}}
	for i := range 2 {
		if r := b.post("/t/"+number+"/close", form); r.status != http.StatusSeeOther {
			t.Errorf("post %d of the closing form = %d, want 303 (done): %s", i+1, r.status, alertOf(r.body))
		}
	}
	notices := 0
	for _, j := range jobsOf(t, f, number) {
		if j.Kind == inquiry.JobNotice {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d decision notices queued after one double click, want 1", notices)
	}
}

// A closing the desk refuses comes back with the decision as chosen: the
// outcome, the ground and "in the answer", not the lists' first entries. A
// refusal sent again after the officer mends what was refused would
// otherwise go out to the citizen as access granted.
func TestRefusedClosingKeepsTheDecision(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
	b := f.browser()
	b.signIn(officers[1])
	page := b.get("/t/" + number).body
	// No answer went out yet: the decision cannot have gone in one.
	r := b.post("/t/"+number+"/close", url.Values{"csrf": {csrfOf(t, page)}, "seen": {formSeen(t, page)},
		"outcome": {"refused"}, "ground": {"personal_data"}, "in_answer": {"1"}, "note": {"third parties' data"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("closing in an answer never sent = %d, want 422", r.status)
	}
	for _, want := range []string{`<option value="refused" selected>`, `<option value="personal_data" selected>`,
		`name="in_answer" type="checkbox" value="1" checked>`, `value="third parties&#39; data"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refused closing's page lacks %s", want)
		}
	}
	if strings.Contains(r.body, `<option value="granted" selected>`) {
		t.Error("the refused closing's page has granted chosen")
	}
}
