package web_test

import (
	"context"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sportel/inquiry"
	"sportel/internal/browsertest"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
)

// mailServer gives the fixture an outbox that sends to a test SMTP server.
type mailServer struct {
	f      *fixture
	smtp   *devserver.SMTP
	outbox *outbox.Outbox
}

func (f *fixture) withMail() *mailServer {
	f.t.Helper()
	srv, err := devserver.StartSMTP()
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { srv.Close() })
	m, err := mailer.New(mailer.Options{Addr: srv.Addr, Security: "none", Logger: testutil.DiscardLogger()})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { m.Close() })
	ob := outbox.New(f.store, m, nil, outbox.Config{BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond, SendTimeout: 10 * time.Second}, testutil.DiscardLogger())
	return &mailServer{f: f, smtp: srv, outbox: ob}
}

// mailTo sends what is due and returns the decoded texts of the mails to
// addr, oldest first.
func (s *mailServer) mailTo(t *testing.T, addr string) []string {
	t.Helper()
	s.f.web.Wait() // sign-in links are written after the answer
	if err := s.outbox.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range s.smtp.Mails() {
		if len(m.To) != 1 || m.To[0] != addr {
			continue
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, decodeBody(t, msg))
	}
	return out
}

func decodeBody(t *testing.T, msg *mail.Message) string {
	t.Helper()
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = qpReader(r)
	case "base64":
		r = b64Reader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// do runs browser steps and fails the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor waits until the page's location contains substr and the page has
// loaded.
func waitFor(t *testing.T, ctx context.Context, substr string) {
	t.Helper()
	var loc string
	testutil.Eventually(t, "location with "+substr, 15*time.Second, func() (bool, error) {
		l, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		loc = l
		return err == nil && strings.Contains(l, substr), nil
	})
	_ = loc
}

// submit clicks a button that posts a form and waits for the next page.
func submit(t *testing.T, ctx context.Context, button string, thenAt string) {
	t.Helper()
	// Mark the page, so the wait sees the new one, not this one.
	eval[bool](t, ctx, `(window.__old = true)`)
	do(t, ctx, chromedp.Click(chromedp.CSS(button)))
	testutil.Eventually(t, "the page after "+button, 15*time.Second, func() (bool, error) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__old !== true && document.readyState === "complete"`))
		return err == nil && v, nil
	})
	waitFor(t, ctx, thenAt)
}

// TestWorkspaceInBrowser drives the workspace in Chromium as an officer
// would: sign-in by the mailed link, the queue with an overdue ticket,
// filtering, answering (the citizen's mail arrives), closing with a
// ground, the figures; then the refusals. axe-core checks the queue, the
// ticket and the figures.
func TestWorkspaceInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	f := newFixture(t, nil)
	ms := f.withMail()
	now := f.now
	f.file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.English, "jusuf", now.Add(-10*24*time.Hour), now.Add(-2*24*time.Hour), "Stadium contracts", "Please send me the stadium renovation contracts.")
	f.file("DKP-2026-000002", inquiry.GeneralQuestion, inquiry.Albanian, "zamira", now.Add(-2*time.Hour), time.Time{}, "Orari i muzeut", "Kur hapet muzeu të dielën?")
	f.file("DKP-2026-000003", inquiry.DocumentRequest, inquiry.SerbianLatin, "jusuf", now.Add(-time.Hour), now.Add(6*24*time.Hour), "Budžet festivala", "Molim budžet festivala.")
	base := f.srv.URL

	// No session: the workspace sends the browser to sign in.
	do(t, ctx, chromedp.Navigate(base+"/t/DKP-2026-000001"))
	waitFor(t, ctx, "/signin")

	// A stranger's address gets the same answer, and no mail.
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#email"), "mallory@example.net"))
	submit(t, ctx, "main form button", "/signin")
	stranger := eval[string](t, ctx, `document.querySelector(".alert.ok").textContent`)

	do(t, ctx, chromedp.SetValue(chromedp.CSS("#email"), "jusuf.lushaku@mkrs.example"))
	submit(t, ctx, "main form button", "/signin")
	if got := eval[string](t, ctx, `document.querySelector(".alert.ok").textContent`); got != stranger {
		t.Errorf("an officer's address is answered %q, a stranger's %q", got, stranger)
	}
	mails := ms.mailTo(t, "jusuf.lushaku@mkrs.example")
	if len(mails) != 1 {
		t.Fatalf("%d sign-in mails to jusuf, want 1", len(mails))
	}
	if n := len(ms.mailTo(t, "mallory@example.net")); n != 0 {
		t.Errorf("%d mails to a stranger", n)
	}
	link := regexp.MustCompile(`http://sportel\.test(/signin/link\?t=[A-Za-z0-9_-]+)`).FindStringSubmatch(mails[0])
	if link == nil {
		t.Fatalf("no link in the sign-in mail:\n%s", mails[0])
	}
	do(t, ctx, chromedp.Navigate(base+link[1]))
	waitFor(t, ctx, "/signin/link")
	submit(t, ctx, "#use-link", base+"/")

	// The queue: the overdue request is shown overdue, in red.
	class := eval[string](t, ctx, `document.querySelector('tr[data-number="DKP-2026-000001"] .badge').className`)
	if !strings.Contains(class, "overdue") {
		t.Errorf("DKP-2026-000001's badge is %q, want overdue", class)
	}
	colour := eval[string](t, ctx, `getComputedStyle(document.querySelector('tr[data-number="DKP-2026-000001"] .badge')).backgroundColor`)
	if colour != "rgb(164, 22, 26)" {
		t.Errorf("the overdue badge's background is %s, want the red rgb(164, 22, 26)", colour)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("table.queue tbody tr").length`); n != 3 {
		t.Errorf("queue shows %d tickets, want 3", n)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "queue")

	// Filtering: overdue only, then mine.
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#f-due"), "overdue"))
	submit(t, ctx, "form.filters button", "due=overdue")
	if rows := eval[[]string](t, ctx, `[...document.querySelectorAll("table.queue tbody tr")].map(r => r.dataset.number)`); strings.Join(rows, " ") != "DKP-2026-000001" {
		t.Errorf("overdue filter shows %v", rows)
	}
	do(t, ctx, chromedp.Navigate(base+"/?mine=1"))
	waitFor(t, ctx, "mine=1")
	if rows := eval[[]string](t, ctx, `[...document.querySelectorAll("table.queue tbody tr")].map(r => r.dataset.number)`); strings.Join(rows, " ") != "DKP-2026-000001 DKP-2026-000003" {
		t.Errorf("mine shows %v", rows)
	}

	// The ticket: answer the citizen.
	do(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/t/DKP-2026-000001"]`)))
	waitFor(t, ctx, "/t/DKP-2026-000001")
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "ticket")
	start := eval[string](t, ctx, `document.querySelector("#answer-text").value`)
	if !strings.HasPrefix(start, "Dear Arben Berisha,") || !strings.Contains(start, "DKP-2026-000001") || !strings.Contains(start, "Jusuf Lushaku") {
		t.Errorf("the answer starts %q, want the English standard text with the number and the officer's name", start)
	}
	// Typing, then choosing a standard text: the text comes in, and what
	// was typed stays on the page.
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#answer-text"), "Two annexes are still with the legal office."),
		chromedp.SetValue(chromedp.CSS("#std"), "extension"))
	submit(t, ctx, "#use-standard", "/t/DKP-2026-000001/compose")
	if kept := eval[string](t, ctx, `document.querySelector("#earlier-text").value`); kept != "Two annexes are still with the legal office." {
		t.Errorf("the typed text kept on the page is %q", kept)
	}
	if chosen := eval[string](t, ctx, `document.querySelector("#answer-text").value`); chosen == start || !strings.Contains(chosen, "DKP-2026-000001") {
		t.Errorf("after choosing the extension text the answer is %q", chosen)
	}
	browsertest.Axe(t, ctx)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#answer-text"), "Dear Mr Berisha,\n\nThe contracts are on their way by post.\n\nJusuf Lushaku"))
	submit(t, ctx, "#send-answer", "/t/DKP-2026-000001")
	if flash := eval[string](t, ctx, `document.querySelector('[role="status"]')?.textContent ?? ""`); flash != "U krye." {
		t.Errorf("after the answer the page says %q, want U krye. (done)", flash)
	}
	citizen := ms.mailTo(t, "arben@example.net")
	if len(citizen) != 1 || !strings.Contains(citizen[0], "The contracts are on their way by post.") {
		t.Fatalf("mail to the citizen after answering: %q", citizen)
	}

	// Close as refused in part, with a ground: the citizen gets the notice.
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#close-outcome"), "partly_granted"), chromedp.SetValue(chromedp.CSS("#close-ground"), "personal_data"))
	submit(t, ctx, "#close-ticket", "/t/DKP-2026-000001")
	if flash := eval[string](t, ctx, `document.querySelector('[role="status"]')?.textContent ?? ""`); flash != "U krye." {
		t.Errorf("after the close the page says %q, want U krye. (done)", flash)
	}
	tk, _, _ := f.store.TicketByNumber(context.Background(), "DKP-2026-000001")
	if tk.State != inquiry.Closed || tk.Outcome != inquiry.PartlyGranted || tk.Ground != "personal_data" {
		t.Errorf("after closing: %s %s %s", tk.State, tk.Outcome, tk.Ground)
	}
	if n := len(ms.mailTo(t, "arben@example.net")); n != 2 {
		t.Errorf("%d mails to the citizen, want the answer and the decision notice", n)
	}

	// The figures: the year's numbers and the weekly charts, checked by axe.
	do(t, ctx, chromedp.Navigate(base+"/figures"))
	waitFor(t, ctx, "/figures")
	if n := eval[int](t, ctx, `document.querySelectorAll("#weekly-category-chart rect.segment").length`); n == 0 {
		t.Error("the weekly chart by category has no bars")
	}
	if got := eval[string](t, ctx, `document.querySelector("#access-table").textContent`); !strings.Contains(got, "Kërkesa të marra") {
		t.Errorf("access table reads %q", got)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "figures")
	do(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/figures/access-2026.html"]`)))
	waitFor(t, ctx, "/figures/access-2026.html")
	if n := eval[int](t, ctx, `document.querySelectorAll("svg").length`); n == 0 {
		t.Error("the annual report's page has no chart")
	}

	// A form posted without its CSRF token is refused and changes nothing.
	do(t, ctx, chromedp.Navigate(base+"/t/DKP-2026-000003"))
	waitFor(t, ctx, "/t/DKP-2026-000003")
	eval[bool](t, ctx, `(() => { const f = document.querySelector('form[action$="/note"]'); f.querySelector('input[name=csrf]').remove(); f.querySelector('textarea').value = 'forged'; window.__old = true; f.submit(); return true })()`)
	waitFor(t, ctx, "/t/DKP-2026-000003/note")
	if alert := eval[string](t, ctx, `document.querySelector('[role=alert]').textContent`); !strings.Contains(alert, "refuzua") {
		t.Errorf("a post without CSRF token shows %q", alert)
	}
	entries, _ := f.store.Entries(context.Background(), mustTicket(t, f, "DKP-2026-000003").ID)
	for _, e := range entries {
		if e.Text == "forged" {
			t.Error("a note without a CSRF token was written")
		}
	}

	// The used link, in another browser, signs nobody in.
	other := browsertest.New(t)
	do(t, other, chromedp.Navigate(base+link[1]))
	waitFor(t, other, "/signin/link")
	submit(t, other, "#use-link", "/signin/link")
	if alert := eval[string](t, other, `document.querySelector('[role=alert]').textContent`); !strings.Contains(alert, "nuk vlen") {
		t.Errorf("a reused link shows %q", alert)
	}
	do(t, other, chromedp.Navigate(base+"/"))
	waitFor(t, other, "/signin")
}

func mustTicket(t *testing.T, f *fixture, number string) inquiry.Ticket {
	t.Helper()
	tk, ok, err := f.store.TicketByNumber(context.Background(), number)
	if err != nil || !ok {
		t.Fatalf("ticket %s: %v %v", number, ok, err)
	}
	return tk
}
