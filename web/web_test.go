package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/route"
	"sportel/store"
	"sportel/store/sqlite"
	"sportel/web"
)

var officers = []inquiry.Officer{
	{ID: "osman", Name: "Osman D. Gashi", Email: "osman.gashi@mkrs.example", Role: inquiry.RoleHead},
	{ID: "jusuf", Name: "Jusuf Lushaku", Email: "jusuf.lushaku@mkrs.example"},
	{ID: "zamira", Name: "Zamira Ahmeti", Email: "zamira.ahmeti@mkrs.example", Language: inquiry.English},
}

var grounds = []desk.Ground{{ID: "personal_data", Label: map[inquiry.Language]string{
	inquiry.Albanian: "të dhëna personale", inquiry.English: "personal data"}}}

// neverClassify is the desk's classifier in tests that file no mail.
type neverClassify struct{}

func (neverClassify) Classify(context.Context, *inquiry.Message) (inquiry.Classification, error) {
	return inquiry.Classification{}, fmt.Errorf("not used")
}

type fixture struct {
	t     *testing.T
	store *sqlite.Store
	// path is the store's database file.
	path string
	desk *desk.Desk
	srv  *httptest.Server
	web  *web.Server
	mu   sync.Mutex
	now  time.Time
	// logs is what the workspace logged, at info level and above.
	logs *testutil.LogBuffer
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func newFixture(t *testing.T, edit func(*web.Config)) *fixture {
	t.Helper()
	return newFixtureWithDesk(t, edit, nil)
}

// newFixtureWithDesk is newFixture whose workspace acts through wrap's
// desk around the real one (nil: the real one), to fail as a desk can.
func newFixtureWithDesk(t *testing.T, edit func(*web.Config), wrap func(web.Desk) web.Desk) *fixture {
	t.Helper()
	return newFixtureWithStore(t, edit, wrap, nil)
}

// fixtureStore is what the desk and the workspace use of the store.
type fixtureStore interface {
	desk.Store
	web.Store
}

// newFixtureWithStore is newFixtureWithDesk whose desk and workspace read
// and write through wrapStore's store around the real one (nil: the real
// one), to fail as a store can; f.store is the real one.
func newFixtureWithStore(t *testing.T, edit func(*web.Config), wrap func(web.Desk) web.Desk, wrapStore func(*sqlite.Store) fixtureStore) *fixture {
	t.Helper()
	return newFixtureOpen(t, sqlite.Options{}, edit, wrap, wrapStore)
}

// newFixtureOpen is newFixtureWithStore on a store opened with opts.
func newFixtureOpen(t *testing.T, opts sqlite.Options, edit func(*web.Config), wrap func(web.Desk) web.Desk, wrapStore func(*sqlite.Store) fixtureStore) *fixture {
	t.Helper()
	path := t.TempDir() + "/sportel.db"
	st, err := sqlite.OpenWith(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var used fixtureStore = st
	if wrapStore != nil {
		used = wrapStore(st)
	}
	loc, _ := time.LoadLocation("Europe/Belgrade")
	f := &fixture{t: t, store: st, path: path, now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	d, err := desk.New(desk.Config{
		Mailbox: inquiry.Address{Name: "DKP", Address: "komunikimi@mkrs.example"}, Prefix: "DKP", Location: loc,
		DocumentDeadlineDays: 7, Officers: officers, RefusalGrounds: grounds,
	}, used, neverClassify{}, route.New([]route.Rule{{Officer: "zamira"}}), testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	d.SetClock(f.clock)
	f.desk = d
	cfg := web.Config{BaseURL: "http://sportel.test", Sessions: store.SessionLimits{Idle: 8 * time.Hour, Max: 7 * 24 * time.Hour}, Officers: officers,
		RefusalGrounds: grounds, Location: loc, Now: f.clock,
		DivisionName: map[inquiry.Language]string{inquiry.Albanian: "Divizioni për Komunikim Publik"}}
	if edit != nil {
		edit(&cfg)
	}
	var wd web.Desk = d
	if wrap != nil {
		wd = wrap(d)
	}
	f.logs = testutil.NewLogBuffer(t)
	s, err := web.New(cfg, used, wd, f.logs.Logger(slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	f.web = s
	f.srv = httptest.NewServer(s)
	t.Cleanup(f.srv.Close)
	return f
}

// file creates a ticket with its inbound entry, as filing would.
func (f *fixture) file(number string, cat inquiry.Category, lang inquiry.Language, officer string, received, due time.Time, subject, text string) {
	f.t.Helper()
	err := f.store.WithTx(context.Background(), func(tx store.Tx) error {
		tk := &inquiry.Ticket{Number: number, Channel: inquiry.ChannelEmail,
			Sender:  inquiry.Address{Name: "Arben Berisha", Address: "arben@example.net"},
			Subject: subject, Language: lang, Category: cat, Classifier: "builtin", Confidence: 0.9,
			OfficerID: officer, State: inquiry.Assigned, ReceivedAt: received, DueAt: due, UpdatedAt: received}
		if err := tx.CreateTicket(tk); err != nil {
			return err
		}
		raw := "From: Arben Berisha <arben@example.net>\r\nTo: komunikimi@mkrs.example\r\nSubject: " + subject +
			"\r\nMessage-ID: <" + number + "@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b\r\nContent-Type: application/pdf\r\n" +
			"Content-Disposition: attachment; filename=\"leje.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
		return tx.AddEntry(&inquiry.Entry{TicketID: tk.ID, Kind: inquiry.EntryInbound, Author: "arben@example.net",
			Subject: subject, Text: text, Raw: []byte(raw), CreatedAt: received,
			Attachments: []inquiry.Attachment{{Name: "leje.pdf", ContentType: "application/pdf", Size: 9}}})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// browser is one client with its own cookies; it does not follow redirects.
type browser struct {
	t *testing.T
	f *fixture
	c *http.Client
	// forwardedFor, when set, is sent as X-Forwarded-For, as a proxy would.
	forwardedFor string
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: f.t, f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *browser) do(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.f.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", b.forwardedFor)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(data), location: resp.Header.Get("Location"), header: resp.Header}
}

func (b *browser) get(path string) response { return b.do(http.MethodGet, path, nil) }

func (b *browser) post(path string, form url.Values) response {
	return b.do(http.MethodPost, path, form)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]*)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil || m[1] == "" {
		t.Fatalf("no CSRF token in page:\n%s", body)
	}
	return m[1]
}

// signInLinks returns the sign-in links queued for officer, oldest first.
func (f *fixture) signInLinks(officer string) []string {
	f.t.Helper()
	f.web.Wait() // links are written after the answer
	jobs, err := f.store.ListJobs(context.Background(), inquiry.JobPending, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var links []string
	for i := len(jobs) - 1; i >= 0; i-- {
		j := jobs[i]
		if j.Kind != inquiry.JobSignIn || j.Recipient != officer {
			continue
		}
		m := regexp.MustCompile(`http://sportel\.test(/signin/link\?t=[A-Za-z0-9_-]+)`).FindStringSubmatch(j.Mail.Text)
		if m == nil {
			f.t.Fatalf("no link in sign-in mail %q", j.Mail.Text)
		}
		links = append(links, m[1])
	}
	return links
}

// askLink posts the sign-in form for addr.
func (b *browser) askLink(addr string) response {
	b.t.Helper()
	page := b.get("/signin")
	return b.post("/signin", url.Values{"csrf": {csrfOf(b.t, page.body)}, "email": {addr}})
}

// useLink opens a link and presses its button.
func (b *browser) useLink(path string) response {
	b.t.Helper()
	page := b.get(path)
	if page.status != http.StatusOK {
		b.t.Fatalf("GET %s = %d", path, page.status)
	}
	u, _ := url.Parse(path)
	form := url.Values{"csrf": {csrfOf(b.t, page.body)}, "t": {u.Query().Get("t")}}
	// The form's other fields, as the browser sends them: the session the
	// page said this browser holds.
	if m := replaceRE.FindStringSubmatch(page.body); m != nil {
		form.Set("replace", m[1])
	}
	return b.post("/signin/link", form)
}

var replaceRE = regexp.MustCompile(`name="replace" value="([0-9]+)"`)

// signIn signs b in as officer through the mailed link.
func (b *browser) signIn(officer inquiry.Officer) {
	b.t.Helper()
	if r := b.askLink(officer.Email); r.status != http.StatusOK {
		b.t.Fatalf("ask link = %d", r.status)
	}
	links := b.f.signInLinks(officer.ID)
	if r := b.useLink(links[len(links)-1]); r.status != http.StatusSeeOther || r.location != "/" {
		b.t.Fatalf("use link = %d %s\n%s", r.status, r.location, r.body)
	}
}

// csrf returns the session's CSRF token from the queue page.
func (b *browser) csrf() string {
	b.t.Helper()
	return csrfOf(b.t, b.get("/").body)
}

func closing(outcome string) desk.Closing { return desk.Closing{Outcome: inquiry.Outcome(outcome)} }

func qpReader(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }

func b64Reader(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }
