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

	"sportel/inquiry"
	"sportel/store"
)

// queueRows returns the ticket numbers the queue page lists, in order.
func queueRows(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr data-number="([^"]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// badgeOf returns the deadline badge's class and text on number's row.
func badgeOf(body, number string) (string, string) {
	i := strings.Index(body, `<tr data-number="`+number+`">`)
	if i < 0 {
		return "", ""
	}
	m := regexp.MustCompile(`<span class="badge ([a-z]+)">([^<]*)</span>`).FindStringSubmatch(body[i:])
	return m[1], m[2]
}

func TestQueue(t *testing.T) {
	f := newFixture(t, nil)
	now := f.now
	f.file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.Albanian, "jusuf", now.Add(-10*24*time.Hour), now.Add(-3*24*time.Hour), "Kontratat 2025", "Kërkoj kontratat")
	f.file("DKP-2026-000002", inquiry.DocumentRequest, inquiry.SerbianLatin, "jusuf", now.Add(-6*24*time.Hour), now.Add(30*time.Hour), "Ugovori", "Tražim ugovore")
	f.file("DKP-2026-000003", inquiry.PressInquiry, inquiry.English, "osman", now.Add(-time.Hour), time.Time{}, "Festival budget", "How much")
	f.file("DKP-2026-000004", inquiry.DocumentRequest, inquiry.Albanian, "zamira", now.Add(-time.Hour), now.Add(5*24*time.Hour+time.Hour), "Buxheti", "Buxheti i vitit")
	f.file("DKP-2026-000005", inquiry.DocumentRequest, inquiry.English, "zamira", now.Add(-time.Hour), now.Add(47*time.Hour), "Detained", "Urgent")
	if _, err := f.desk.Urgent(context.Background(), "DKP-2026-000005", true, "osman"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.CloseWith(context.Background(), "DKP-2026-000003", closing("resolved"), "osman"); err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(officers[1]) // jusuf
	f.advance(0)

	q := b.get("/")
	if got := queueRows(q.body); strings.Join(got, " ") != "DKP-2026-000001 DKP-2026-000002 DKP-2026-000004 DKP-2026-000005" {
		t.Errorf("queue lists %v; want the open tickets, oldest first", got)
	}
	badges := []struct{ number, class, text string }{
		{"DKP-2026-000001", "overdue", "kaluar 3 ditë"},
		{"DKP-2026-000002", "soon", "skadon për 30 orë"},
		{"DKP-2026-000004", "ok", "6 ditë"},
		{"DKP-2026-000005", "urgent", "urgjente · skadon për "},
	}
	for _, w := range badges {
		class, text := badgeOf(q.body, w.number)
		if class != w.class || !strings.HasPrefix(text, w.text) {
			t.Errorf("%s badge = %s %q, want %s %q", w.number, class, text, w.class, w.text)
		}
	}

	filters := []struct {
		query string
		want  string
	}{
		{"due=overdue", "DKP-2026-000001"},
		{"due=soon", "DKP-2026-000002 DKP-2026-000005"},
		{"due=urgent", "DKP-2026-000005"},
		{"mine=1", "DKP-2026-000001 DKP-2026-000002"},
		{"officer=zamira", "DKP-2026-000004 DKP-2026-000005"},
		{"language=sr-Latn", "DKP-2026-000002"},
		{"category=press_inquiry", ""},
		{"category=document_request&language=en", "DKP-2026-000005"},
		{"channel=telegram", ""},
		{"state=answered", ""},
		{"mine=1&due=overdue", "DKP-2026-000001"},
		{"since=2026-11-19", "DKP-2026-000002 DKP-2026-000004 DKP-2026-000005"},
		{"since=2026-11-16&until=2026-11-19", "DKP-2026-000002"},
		{"until=2026-11-15", "DKP-2026-000001"},
		{"since=not-a-day", "DKP-2026-000001 DKP-2026-000002 DKP-2026-000004 DKP-2026-000005"},
	}
	for _, c := range filters {
		r := b.get("/?" + c.query)
		if got := strings.Join(queueRows(r.body), " "); got != c.want {
			t.Errorf("/?%s lists %q, want %q", c.query, got, c.want)
		}
	}
	if r := b.get("/?q=kontratat"); r.status != http.StatusOK || !strings.Contains(r.body, `value="kontratat"`) ||
		strings.Join(queueRows(r.body), " ") != "DKP-2026-000001" {
		t.Errorf("search = %d %v; want DKP-2026-000001 and the query kept in the form", r.status, queueRows(r.body))
	}
	if r := b.get("/?q=buxheti&officer=jusuf"); len(queueRows(r.body)) != 0 {
		t.Errorf("search with an officer filter lists %v, want none", queueRows(r.body))
	}
}

func TestTicketPageAndActions(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts <b>2025</b>", "I ask for the contracts.\x1b[2J")
	b := f.browser()
	b.signIn(officers[1])
	ctx := context.Background()

	p := b.get("/t/DKP-2026-000001")
	for _, want := range []string{"Contracts &lt;b&gt;2025&lt;/b&gt;", `I ask for the contracts.\x1b[2J`, "leje.pdf", "Dear Arben Berisha,", "Jusuf Lushaku",
		`href="/t/DKP-2026-000001/raw/1"`, `href="/t/DKP-2026-000001/attachment/1/0"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("ticket page lacks %q", want)
		}
	}
	// A standard text chosen from the list starts the answer instead.
	if std := b.get("/t/DKP-2026-000001?std=extension"); !strings.Contains(std.body, `<option value="extension" selected>`) {
		t.Errorf("standard text not chosen")
	}
	if std := b.get("/t/DKP-2026-000001?std=bogus"); std.status != http.StatusOK || !strings.Contains(std.body, "Dear Sir or Madam,") {
		t.Errorf("an unknown standard text = %d; want the plain start", std.status)
	}
	if raw := b.get("/t/DKP-2026-000001/raw/1"); raw.status != http.StatusOK || !strings.Contains(raw.body, "Message-ID: <DKP-2026-000001@example.net>") ||
		raw.header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(raw.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("raw download = %d %q %q", raw.status, raw.header.Get("Content-Type"), raw.header.Get("Content-Disposition"))
	}
	if a := b.get("/t/DKP-2026-000001/attachment/1/0"); a.status != http.StatusOK || a.body != "%PDF-1.4\n" ||
		a.header.Get("Content-Type") != "application/octet-stream" || !strings.Contains(a.header.Get("Content-Disposition"), `filename=leje.pdf`) {
		t.Errorf("attachment = %d %q %q %q", a.status, a.body, a.header.Get("Content-Type"), a.header.Get("Content-Disposition"))
	}
	for _, path := range []string{"/t/DKP-2026-000001/attachment/1/7", "/t/DKP-2026-000001/raw/99", "/t/DKP-2026-000099"} {
		if r := b.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, r.status)
		}
	}

	steps := []struct {
		action string
		form   url.Values
		status int
		check  func(inquiry.Ticket) bool
	}{
		{"take", nil, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.OfficerID == "jusuf" }},
		{"assign", url.Values{"officer": {"zamira"}}, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.OfficerID == "zamira" }},
		{"assign", url.Values{"officer": {"nobody"}}, http.StatusUnprocessableEntity, func(tk inquiry.Ticket) bool { return tk.OfficerID == "zamira" }},
		{"take", nil, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.OfficerID == "jusuf" }},
		{"urgent", url.Values{"on": {"1"}}, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.Urgent }},
		{"urgent", url.Values{"on": {"0"}}, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return !tk.Urgent }},
		{"extend", url.Values{"days": {"20"}, "reason": {"volume"}}, http.StatusUnprocessableEntity, func(tk inquiry.Ticket) bool { return tk.Extension == nil }},
		{"extend", url.Values{"days": {"5"}, "reason": {"many files"}}, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.Extension != nil && tk.Extension.Days == 5 }},
		{"note", url.Values{"text": {"Asked the archive."}}, http.StatusSeeOther, nil},
		{"answer", url.Values{"text": {"Dear Sir,\n\nThe contracts are attached.\n"}}, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.State == inquiry.Answered }},
		{"close", url.Values{"outcome": {"refused"}}, http.StatusUnprocessableEntity, func(tk inquiry.Ticket) bool { return tk.State == inquiry.Answered }},
		{"close", url.Values{"outcome": {"partly_granted"}, "ground": {"personal_data"}, "in_answer": {"1"}}, http.StatusSeeOther,
			func(tk inquiry.Ticket) bool {
				return tk.State == inquiry.Closed && tk.Outcome == inquiry.PartlyGranted && tk.Ground == "personal_data" && tk.DecisionInAnswer
			}},
		{"answer", url.Values{"text": {"More"}}, http.StatusUnprocessableEntity, func(tk inquiry.Ticket) bool { return tk.State == inquiry.Closed }},
		{"reopen", nil, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.State.Open() && tk.Outcome == "" }},
		{"category", url.Values{"category": {"press_inquiry"}}, http.StatusSeeOther, func(tk inquiry.Ticket) bool { return tk.Category == inquiry.PressInquiry }},
		{"explode", nil, http.StatusNotFound, nil},
	}
	audited := 0
	for i, st := range steps {
		form := url.Values{"csrf": {b.csrf()}}
		for k, v := range st.form {
			form[k] = v
		}
		r := b.post("/t/DKP-2026-000001/"+st.action, form)
		if r.status != st.status {
			t.Fatalf("step %d %s = %d, want %d\n%s", i, st.action, r.status, st.status, r.body)
		}
		if r.status == http.StatusSeeOther {
			audited++
			if r.location != "/t/DKP-2026-000001" {
				t.Errorf("step %d %s redirects to %q", i, st.action, r.location)
			}
			// The page it leads to says it was done, once.
			if body := b.get(r.location).body; !strings.Contains(body, `role="status">U krye.<`) {
				t.Errorf("step %d %s: the page after it does not say it was done", i, st.action)
			}
			if body := b.get(r.location).body; strings.Contains(body, `role="status"`) {
				t.Errorf("step %d %s: the page says it was done again when reloaded", i, st.action)
			}
		}
		if r.status == http.StatusUnprocessableEntity && !strings.Contains(r.body, `role="alert"`) {
			t.Errorf("step %d %s refused without saying why", i, st.action)
		}
		tk, _, _ := f.store.TicketByNumber(ctx, "DKP-2026-000001")
		if st.check != nil && !st.check(tk) {
			t.Errorf("step %d %s: ticket %+v", i, st.action, tk)
		}
	}
	audit, err := f.store.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		if a.Ticket == "DKP-2026-000001" && a.OfficerID == "jusuf" && !strings.HasPrefix(a.Action, "download") {
			actions = append(actions, a.Action)
		}
	}
	if len(actions) != audited {
		t.Errorf("audit has %d actions on the ticket (%v), want %d", len(actions), actions, audited)
	}
	tk, _, _ := f.store.TicketByNumber(ctx, "DKP-2026-000001")
	jobs, _ := f.store.TicketJobs(ctx, tk.ID)
	var answers int
	for _, j := range jobs {
		if j.Kind == inquiry.JobAnswer && j.Mail != nil && strings.Contains(j.Mail.Text, "The contracts are attached.") && j.Mail.To[0].Address == "arben@example.net" {
			answers++
		}
	}
	if answers != 1 {
		t.Errorf("%d answers to the citizen queued, want 1", answers)
	}
	p = b.get("/t/DKP-2026-000001")
	for _, want := range []string{"Asked the archive.", "The contracts are attached."} {
		if !strings.Contains(p.body, want) {
			t.Errorf("record lacks %q", want)
		}
	}
}

// Choosing a standard text after writing keeps what was written: the
// page comes back with the standard text as the answer and the typed text
// beside it; an untouched standard text is not kept twice; nothing is sent
// or written, and the form still needs its CSRF token.
func TestChooseStandardTextKeepsTyping(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "I ask for the contracts.")
	b := f.browser()
	b.signIn(officers[1])
	page := b.get("/t/DKP-2026-000001")
	if !strings.Contains(page.body, `formaction="/t/DKP-2026-000001/compose"`) {
		t.Fatal("the answer form has no button to use a standard text")
	}
	start := html.UnescapeString(textareaOf(t, page.body, "answer-text"))
	typed := "The contracts of 2025 are ready; two annexes are still with the legal office."
	tests := []struct {
		name        string
		text        string
		wantEarlier string // "" : no earlier-text block
	}{
		{"typed text", typed, typed},
		{"typed over the start", start + "\n\n" + typed, start + "\n\n" + typed},
		{"the untouched start", start, ""},
		{"nothing", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.post("/t/DKP-2026-000001/compose", url.Values{"csrf": {b.csrf()}, "std": {"extension"}, "text": {strings.ReplaceAll(tt.text, "\n", "\r\n")}})
			if r.status != http.StatusOK || !strings.Contains(r.body, `<option value="extension" selected>`) {
				t.Fatalf("compose = %d, extension not chosen", r.status)
			}
			if answer := html.UnescapeString(textareaOf(t, r.body, "answer-text")); answer == start || answer == "" {
				t.Errorf("the answer is still the plain start, not the extension text:\n%s", answer)
			}
			earlier := strings.Contains(r.body, `id="earlier-text"`)
			if earlier != (tt.wantEarlier != "") {
				t.Fatalf("earlier-text block shown %v, want %v", earlier, tt.wantEarlier != "")
			}
			if earlier {
				if got := html.UnescapeString(textareaOf(t, r.body, "earlier-text")); strings.TrimSpace(got) != strings.TrimSpace(tt.wantEarlier) {
					t.Errorf("kept text = %q, want %q", got, tt.wantEarlier)
				}
			}
		})
	}
	if r := b.post("/t/DKP-2026-000001/compose", url.Values{"std": {"extension"}, "text": {typed}}); r.status != http.StatusForbidden {
		t.Errorf("compose without its CSRF token = %d, want 403", r.status)
	}
	jobs, err := f.store.ListJobs(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Kind == inquiry.JobAnswer {
			t.Errorf("choosing a standard text queued an answer: %+v", j)
		}
	}
}

// textareaOf is the content of the textarea with id.
func textareaOf(t *testing.T, body, id string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="`+id+`"`)
	if !ok {
		t.Fatalf("no textarea %s in page", id)
	}
	_, rest, _ = strings.Cut(rest, ">")
	text, _, _ := strings.Cut(rest, "</textarea>")
	return text
}

// One answer form sent twice (a double click, a resubmit after a network
// error, the back button) queues one answer to the citizen; a second form
// drawn afterwards is a second answer.
func TestAnswerFormSentTwiceAnswersOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.English, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Question", "When?")
	b := f.browser()
	b.signIn(officers[1])
	answers := func() int { return answersOn(t, f, "DKP-2026-000001") }
	page := b.get("/t/DKP-2026-000001").body
	form := url.Values{"csrf": {csrfOf(t, page)}, "once": {formOnce(t, page)}, "text": {"Dear Sir,\n\nTomorrow.\n"}}
	for i := range 2 {
		if r := b.post("/t/DKP-2026-000001/answer", form); r.status != http.StatusSeeOther {
			t.Fatalf("post %d: status %d", i+1, r.status)
		}
	}
	if n := answers(); n != 1 {
		t.Errorf("%d answers queued for one form sent twice, want 1", n)
	}
	page = b.get("/t/DKP-2026-000001").body
	form.Set("once", formOnce(t, page))
	if r := b.post("/t/DKP-2026-000001/answer", form); r.status != http.StatusSeeOther {
		t.Fatalf("a second form: status %d", r.status)
	}
	if n := answers(); n != 2 {
		t.Errorf("%d answers queued after a second form, want 2", n)
	}
}

// formOnce is the answer form's once-only key on a ticket page.
func formOnce(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="once" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no once-only key in the answer form")
	}
	return m[1]
}

// A closed ticket is the record the annual report counts: its category and
// its urgent flag (which sets its deadline) cannot be changed until it is
// reopened.
func TestClosedTicketKeepsItsCategoryAndDeadline(t *testing.T) {
	tests := []struct {
		name   string
		action string
		field  string
		value  string
	}{
		{"category", "category", "category", "general_question"},
		{"urgent cleared", "urgent", "on", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.file("DKP-2026-000003", inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-72*time.Hour), f.now.Add(4*24*time.Hour), "Urgent", "Now.")
			b := f.browser()
			b.signIn(officers[1])
			for _, st := range []struct{ action, key, value string }{{"urgent", "on", "1"}, {"close", "outcome", "granted"}} {
				if r := b.post("/t/DKP-2026-000003/"+st.action, url.Values{"csrf": {b.csrf()}, st.key: {st.value}}); r.status != http.StatusSeeOther {
					t.Fatalf("%s: status %d", st.action, r.status)
				}
			}
			before, _, err := f.store.TicketByNumber(context.Background(), "DKP-2026-000003")
			if err != nil {
				t.Fatal(err)
			}
			r := b.post("/t/DKP-2026-000003/"+tt.action, url.Values{"csrf": {b.csrf()}, tt.field: {tt.value}})
			after, _, err := f.store.TicketByNumber(context.Background(), "DKP-2026-000003")
			if err != nil {
				t.Fatal(err)
			}
			if r.status == http.StatusSeeOther {
				t.Errorf("changing the %s of a closed ticket was accepted", tt.name)
			}
			if after.Category != before.Category || after.Urgent != before.Urgent || !after.DueAt.Equal(before.DueAt) {
				t.Errorf("closed ticket changed: category %s → %s, urgent %v → %v, due %v → %v",
					before.Category, after.Category, before.Urgent, after.Urgent, before.DueAt, after.DueAt)
			}
		})
	}
}

// An answer written on a page the ticket has moved on from is held back,
// its text kept on the page that shows what is new: the citizen wrote
// again, or a colleague answered. Sent again from that page, it goes.
func TestAnswerFromAStalePageIsHeldBack(t *testing.T) {
	const number = "DKP-2026-000001"
	tests := []struct {
		name   string
		change func(f *fixture)
	}{
		{"a colleague answered", func(f *fixture) {
			if _, err := f.desk.Answer(context.Background(), number, "zamira", "Dear Sir,\n\nOn Sunday at ten.\n"); err != nil {
				t.Fatal(err)
			}
		}},
		{"the citizen wrote again", func(f *fixture) {
			err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
				tk, _, err := tx.TicketByNumber(number)
				if err != nil {
					return err
				}
				return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
					Text: "Never mind, I found it on the website.", CreatedAt: f.now})
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.file(number, inquiry.GeneralQuestion, inquiry.English, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Question", "When?")
			b := f.browser()
			b.signIn(officers[1])
			page := b.get("/t/" + number).body
			tt.change(f)
			before := answersOn(t, f, number)
			const text = "Dear Sir,\n\nTomorrow.\n"
			form := url.Values{"csrf": {csrfOf(t, page)}, "once": {formOnce(t, page)}, "seen": {formSeen(t, page)}, "text": {text}}
			r := b.post("/t/"+number+"/answer", form)
			if r.status != http.StatusConflict {
				t.Fatalf("answer from the stale page: status %d, want %d", r.status, http.StatusConflict)
			}
			if !strings.Contains(r.body, `role="alert"`) || !strings.Contains(r.body, "Tomorrow.") {
				t.Errorf("the page that holds the answer back does not say why or lost the text:\n%s", r.body)
			}
			if n := answersOn(t, f, number); n != before {
				t.Errorf("%d answers sent from the stale page", n-before)
			}
			form = url.Values{"csrf": {csrfOf(t, r.body)}, "once": {formOnce(t, r.body)}, "seen": {formSeen(t, r.body)}, "text": {text}}
			if r := b.post("/t/"+number+"/answer", form); r.status != http.StatusSeeOther {
				t.Fatalf("answer sent again from the page that showed the news: status %d", r.status)
			}
			if n := answersOn(t, f, number); n != before+1 {
				t.Errorf("%d answers after sending again, want %d", n, before+1)
			}
		})
	}
}

// A note form sent twice (a double click) adds one note.
func TestNoteFormSentTwiceNotesOnce(t *testing.T) {
	const number = "DKP-2026-000001"
	f, b := questionSignedIn(t, number)
	page := b.get("/t/" + number).body
	m := regexp.MustCompile(`action="/t/` + number + `/note"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="once" value="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no once-only key in the note form")
	}
	form := url.Values{"csrf": {csrfOf(t, page)}, "once": {m[1]}, "text": {"Asked the museum."}}
	for i := range 2 {
		if r := b.post("/t/"+number+"/note", form); r.status != http.StatusSeeOther {
			t.Fatalf("post %d: status %d", i+1, r.status)
		}
	}
	tk, _, err := f.store.TicketByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, e := range entries {
		if e.Kind == inquiry.EntryNote && e.Text == "Asked the museum." {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes for one form sent twice, want 1", notes)
	}
}

// "Done." follows an action; an address cannot make the page say it.
func TestDoneCannotBeClaimedByALink(t *testing.T) {
	const number = "DKP-2026-000001"
	_, b := questionSignedIn(t, number)
	for _, path := range []string{"/t/" + number + "?done=close", "/t/" + number + "?done=answer"} {
		if body := b.get(path).body; strings.Contains(body, `role="status"`) {
			t.Errorf("%s says something was done", path)
		}
	}
}

// answersOn counts the answers queued on a ticket.
func answersOn(t *testing.T, f *fixture, number string) int {
	t.Helper()
	tk, _, err := f.store.TicketByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := f.store.TicketJobs(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range jobs {
		if j.Kind == inquiry.JobAnswer {
			n++
		}
	}
	return n
}

// formSeen is the answer form's newest entry on a ticket page.
func formSeen(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="seen" value="([0-9]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no seen entry in the answer form")
	}
	return m[1]
}

// questionSignedIn files a general question numbered number for jusuf and
// signs jusuf in: the start of the tests of the ticket page's forms.
func questionSignedIn(t *testing.T, number string) (*fixture, *browser) {
	t.Helper()
	f := newFixture(t, nil)
	f.file(number, inquiry.GeneralQuestion, inquiry.English, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Question", "When?")
	b := f.browser()
	b.signIn(officers[1])
	return f, b
}

// The page that holds back an answer from a stale page names what is new
// in the page's language: the kinds of entry as the record names them,
// never the store's English ("inbound", "answer").
func TestChangedSinceSaidInThePageLanguage(t *testing.T) {
	const number = "DKP-2026-000001"
	langs := []string{"sq", "sr-Latn", "sr-Cyrl", "en"}
	tests := []struct {
		name    string
		change  func(t *testing.T, f *fixture)
		want    [4]string // in sq, sr-Latn, sr-Cyrl, en
		english string
	}{
		{"a colleague answered", func(t *testing.T, f *fixture) {
			if _, err := f.desk.Answer(context.Background(), number, "zamira", "Dear Sir,\n\nOn Sunday at ten.\n"); err != nil {
				t.Fatal(err)
			}
		}, [4]string{"(Përgjigje 11:00 zamira)", "(Odgovor 11:00 zamira)", "(Одговор 11:00 zamira)", "(Answer 11:00 zamira)"}, "answer 11:00"},
		{"the citizen wrote again", func(t *testing.T, f *fixture) {
			err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
				tk, _, err := tx.TicketByNumber(number)
				if err != nil {
					return err
				}
				return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
					Text: "Never mind, I found it on the website.", CreatedAt: f.now})
			})
			if err != nil {
				t.Fatal(err)
			}
		}, [4]string{"(Nga qytetari 11:00 arben@example.net)", "(Od građanina 11:00 arben@example.net)",
			"(Од грађанина 11:00 arben@example.net)", "(From the citizen 11:00 arben@example.net)"}, "inbound"},
	}
	for _, tt := range tests {
		for i, lang := range langs {
			t.Run(tt.name+" "+lang, func(t *testing.T) {
				f, b := questionSignedIn(t, number)
				if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {lang}, "back": {"/"}}); r.status != http.StatusSeeOther {
					t.Fatalf("switch to %s: %d", lang, r.status)
				}
				page := b.get("/t/" + number).body
				tt.change(t, f)
				form := url.Values{"csrf": {csrfOf(t, page)}, "once": {formOnce(t, page)}, "seen": {formSeen(t, page)}, "text": {"Dear Sir,\n\nTomorrow.\n"}}
				r := b.post("/t/"+number+"/answer", form)
				got := alertOf(r.body)
				if r.status != http.StatusConflict || !strings.Contains(got, tt.want[i]) || strings.Contains(got, tt.english) {
					t.Errorf("%s page: status %d, alert %q; want %d and %q in it, not %q", lang, r.status, got, http.StatusConflict, tt.want[i], tt.english)
				}
				// The log keeps the English, for whoever reads it.
				if !strings.Contains(f.logs.String(), "the ticket changed since the page was shown: "+tt.english) {
					t.Errorf("the log lacks the English %q:\n%s", tt.english, f.logs.String())
				}
			})
		}
	}
}

// A ticket number typed or pasted in the search box opens that ticket,
// whichever list it is in and however it is written; the search index holds
// what was written, where a ticket's own number seldom is. A number that
// names no ticket is searched as text: the tickets that mention it.
func TestSearchForATicketNumberOpensIt(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.English, "jusuf", f.now.Add(-2*time.Hour), time.Time{}, "Question", "When?")
	f.file("DKP-2026-000002", inquiry.GeneralQuestion, inquiry.English, "zamira", f.now.Add(-time.Hour), time.Time{}, "Museum", "Opening hours?")
	f.file("DKP-2026-000003", inquiry.GeneralQuestion, inquiry.English, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Again", "About my request DKP-2026-000099 of last year.")
	if _, err := f.desk.CloseWith(context.Background(), "DKP-2026-000002", closing("resolved"), "zamira"); err != nil {
		t.Fatal(err)
	}
	b := f.browser()
	b.signIn(officers[1])
	tests := []struct {
		query    string
		location string // the ticket opened; "" : a list
		list     string // the list's tickets
	}{
		{"q=DKP-2026-000001", "/t/DKP-2026-000001", ""},
		{"q=DKP-2026-000002", "/t/DKP-2026-000002", ""}, // closed: not in the open list
		{"q=dkp-2026-2", "/t/DKP-2026-000002", ""},
		{"q=" + url.QueryEscape(" [DKP-2026-000001] "), "/t/DKP-2026-000001", ""},
		{"q=DKP-2026-000001&view=setaside&mine=1", "/t/DKP-2026-000001", ""},
		{"q=DKP-2026-000099", "", "DKP-2026-000003"},
		{"q=DKP-2026-000000", "", ""},
		{"q=DKP-2026", "", "DKP-2026-000003"}, // no number: the text search
	}
	for _, tt := range tests {
		r := b.get("/?" + tt.query)
		if tt.location != "" {
			if r.status != http.StatusSeeOther || r.location != tt.location {
				t.Errorf("/?%s = %d %q, want the ticket %s", tt.query, r.status, r.location, tt.location)
			}
			continue
		}
		if got := strings.Join(queueRows(r.body), " "); r.status != http.StatusOK || got != tt.list {
			t.Errorf("/?%s = %d listing %q, want %q", tt.query, r.status, got, tt.list)
		}
	}
}

// Closing sends the citizen a decision, and one "in the answer" is dated by
// the last answer: from a page the citizen's newer words or a colleague's
// answer never reached, it is held back, said so, what was typed kept, and
// the ticket stays open; from the page that shows them it closes.
func TestCloseFromAStalePageIsHeldBack(t *testing.T) {
	const number = "DKP-2026-000001"
	tests := []struct {
		name   string
		change func(t *testing.T, f *fixture)
		form   url.Values
	}{
		{"the citizen withdrew", func(t *testing.T, f *fixture) {
			err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
				tk, _, err := tx.TicketByNumber(number)
				if err != nil {
					return err
				}
				return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
					Text: "I withdraw my request.", CreatedAt: f.now})
			})
			if err != nil {
				t.Fatal(err)
			}
		}, url.Values{"outcome": {"granted"}, "note": {"all contracts sent"}}},
		{"a colleague answered", func(t *testing.T, f *fixture) {
			if _, err := f.desk.Answer(context.Background(), number, "zamira", "Dear Sir,\n\nAccess is refused.\n"); err != nil {
				t.Fatal(err)
			}
		}, url.Values{"outcome": {"granted"}, "in_answer": {"1"}, "note": {"all contracts sent"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.file(number, inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Contracts", "Send them")
			if _, err := f.desk.Answer(context.Background(), number, "jusuf", "Dear Sir,\n\nThe contracts are attached.\n"); err != nil {
				t.Fatal(err)
			}
			b := f.browser()
			b.signIn(officers[1])
			page := b.get("/t/" + number).body
			tt.change(t, f)
			jobs := len(jobsOf(t, f, number))
			form := url.Values{"csrf": {csrfOf(t, page)}, "seen": {formSeen(t, page)}}
			for k, v := range tt.form {
				form[k] = v
			}
			r := b.post("/t/"+number+"/close", form)
			if r.status != http.StatusConflict {
				t.Fatalf("close from the stale page = %d, want 409", r.status)
			}
			if a := alertOf(r.body); !strings.HasPrefix(a, "Tiketa nuk u mbyll") {
				t.Errorf("the page says %q; want that the ticket was not closed", a)
			}
			if !strings.Contains(r.body, `value="all contracts sent"`) {
				t.Error("the closing note typed is gone from the page")
			}
			if tk, _, _ := f.store.TicketByNumber(context.Background(), number); tk.State == inquiry.Closed {
				t.Errorf("the ticket was closed from the stale page (%s)", tk.Outcome)
			}
			if n := len(jobsOf(t, f, number)); n != jobs {
				t.Errorf("%d sends queued from the stale page", n-jobs)
			}
			form.Set("csrf", csrfOf(t, r.body))
			form.Set("seen", formSeen(t, r.body))
			if r := b.post("/t/"+number+"/close", form); r.status != http.StatusSeeOther {
				t.Errorf("close from the page that shows the news = %d, want 303: %s", r.status, alertOf(r.body))
			}
		})
	}
}

// jobsOf is every send queued for the ticket numbered number.
func jobsOf(t *testing.T, f *fixture, number string) []inquiry.Job {
	t.Helper()
	tk, _, err := f.store.TicketByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := f.store.TicketJobs(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// An answer to a citizen who wrote in the public Telegram group waits for
// their private chat with the bot: the page says so, as the bot and the mail
// tell an officer who answers there, not a bare "Done." as if it had gone.
// An answer that goes says done.
func TestHeldAnswerSaidSo(t *testing.T) {
	tests := []struct {
		name   string
		chatID int64
		flash  string
	}{
		{"public group", 0, "ende nuk i ka arritur qytetarit"},
		{"private chat", 4242, "U krye."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const number = "DKP-2026-000001"
			f := newFixture(t, nil)
			fileTelegram(t, f, number, tt.chatID)
			b := f.browser()
			b.signIn(officers[1])
			page := b.get("/t/" + number).body
			r := b.post("/t/"+number+"/answer", url.Values{"csrf": {csrfOf(t, page)}, "once": {formOnce(t, page)}, "seen": {formSeen(t, page)},
				"text": {"Muzeu hapet në orën 10."}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("answer = %d: %s", r.status, alertOf(r.body))
			}
			after := b.get(r.location).body
			if flash := flashOf(after); !strings.Contains(flash, tt.flash) {
				t.Errorf("after the answer the page says %q, want %q", flash, tt.flash)
			}
		})
	}
}

// flashOf is the page's note of what was done, unescaped.
func flashOf(body string) string {
	m := regexp.MustCompile(`<div class="alert ok" role="status">([^<]*)</div>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// fileTelegram files a general question from Telegram for jusuf, from the
// citizen's private chat chatID (0: the public group).
func fileTelegram(t *testing.T, f *fixture, number string, chatID int64) {
	t.Helper()
	err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
		tk := &inquiry.Ticket{Number: number, Channel: inquiry.ChannelTelegram, ChatID: chatID,
			Sender: inquiry.Address{Name: "Arben", Address: "tg:1234"}, Subject: "Pyetje", Language: inquiry.Albanian,
			Category: inquiry.GeneralQuestion, OfficerID: "jusuf", State: inquiry.Assigned, ReceivedAt: f.now, UpdatedAt: f.now}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "Arben", Text: "Kur hapet muzeu?", CreatedAt: f.now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A colleague's answer to a citizen from the public Telegram group is held
// for their private chat, and they will get it all the same: an answer from
// a page that did not show it is held back, as after any colleague's answer,
// or the citizen would get both.
func TestColleaguesHeldAnswerIsNews(t *testing.T) {
	const number = "DKP-2026-000001"
	f := newFixture(t, nil)
	fileTelegram(t, f, number, 0)
	b := f.browser()
	b.signIn(officers[1])
	page := b.get("/t/" + number).body
	if _, err := f.desk.Answer(context.Background(), number, "zamira", "Muzeu hapet në orën 10."); err != nil {
		t.Fatal(err)
	}
	r := b.post("/t/"+number+"/answer", url.Values{"csrf": {csrfOf(t, page)}, "once": {formOnce(t, page)}, "seen": {formSeen(t, page)},
		"text": {"Muzeu hapet në orën 9."}})
	if r.status != http.StatusConflict {
		t.Errorf("answer from a page without the colleague's held answer = %d, want 409", r.status)
	}
	tk, _, err := f.store.TicketByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := f.store.RecordPage(context.Background(), tk.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, e := range entries {
		if e.Kind == inquiry.EntryHeldAnswer {
			held++
		}
	}
	if held != 1 {
		t.Errorf("%d answers held for the citizen, want the colleague's alone", held)
	}
}

// A ticket's address typed in lower case leads to the ticket, at its one
// address; a number no ticket has is still "not found".
func TestTicketAddressInAnyCase(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.English, "jusuf", f.now.Add(-time.Hour), time.Time{}, "Question", "When?")
	b := f.browser()
	b.signIn(officers[1])
	tests := []struct {
		path, location string
		status         int
	}{
		{"/t/dkp-2026-000001", "/t/DKP-2026-000001", http.StatusSeeOther},
		{"/t/Dkp-2026-000001?std=x", "/t/DKP-2026-000001?std=x", http.StatusSeeOther},
		{"/t/DKP-2026-000001", "", http.StatusOK},
		{"/t/dkp-2026-000009", "/t/DKP-2026-000009", http.StatusSeeOther},
		{"/t/DKP-2026-000009", "", http.StatusNotFound},
	}
	for _, tt := range tests {
		r := b.get(tt.path)
		if r.status != tt.status || r.location != tt.location {
			t.Errorf("%s = %d %q, want %d %q", tt.path, r.status, r.location, tt.status, tt.location)
		}
	}
}

// A ticket whose officer is gone from the configuration shows no officer
// chosen in the reassign list, naming the one gone: the form sent as it
// stands is refused instead of handing the ticket to the first officer
// listed. A ticket of a configured officer has that officer chosen.
func TestReassignListOfAGoneOfficer(t *testing.T) {
	f := newFixture(t, nil)
	f.file("DKP-2026-000001", inquiry.GeneralQuestion, inquiry.English, "besim", f.now.Add(-time.Hour), time.Time{}, "Question", "When?")
	f.file("DKP-2026-000002", inquiry.GeneralQuestion, inquiry.English, "zamira", f.now.Add(-time.Hour), time.Time{}, "Museum", "Opening hours?")
	b := f.browser()
	b.signIn(officers[1])
	selectedRE := regexp.MustCompile(`<select id="assign-officer" name="officer"><option value="([^"]*)"[^>]*?( selected)?>([^<]*)</option>`)
	chosenRE := regexp.MustCompile(`<option value="([^"]*)" selected>`)
	tests := []struct {
		number, chosen string
		goneLabel      bool
	}{
		{"DKP-2026-000001", "", true},
		{"DKP-2026-000002", "zamira", false},
	}
	for _, tt := range tests {
		r := b.get("/t/" + tt.number)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s = %d", tt.number, r.status)
		}
		i := strings.Index(r.body, `<select id="assign-officer"`)
		list := r.body[i : i+strings.Index(r.body[i:], "</select>")]
		m := chosenRE.FindStringSubmatch(list)
		if m == nil || m[1] != tt.chosen {
			t.Errorf("%s: the reassign list has %v chosen, want %q", tt.number, m, tt.chosen)
		}
		first := selectedRE.FindStringSubmatch(list)
		if gone := first != nil && first[1] == "" && strings.Contains(html.UnescapeString(first[3]), "besim (nuk është më në konfigurim)"); gone != tt.goneLabel {
			t.Errorf("%s: the list's first option %v, naming the officer gone: %v, want %v", tt.number, first, gone, tt.goneLabel)
		}
	}
	r := b.post("/t/DKP-2026-000001/assign", url.Values{"csrf": {b.csrf()}, "officer": {""}})
	if r.status == http.StatusSeeOther {
		t.Fatalf("the form sent as it stands was taken")
	}
	tk, _, err := f.store.TicketByNumber(context.Background(), "DKP-2026-000001")
	if err != nil || tk.OfficerID != "besim" {
		t.Errorf("the ticket is %q's (%v), want still besim's", tk.OfficerID, err)
	}
}
