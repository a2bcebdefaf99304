package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
	"sportel/store/sqlite"
)

// failingStore is the real store whose ticket writes (every desk action's
// transaction) and ticket reads fail, once told to, as a store does whose
// disk fails or that does not answer; sessions and sign-in work on.
type failingStore struct {
	*sqlite.Store
	mu            sync.Mutex
	write, read   error
	writes, reads int // how many calls failed
}

func (s *failingStore) fail(write, read error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.write, s.read = write, read
}

func (s *failingStore) writeErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.write != nil {
		s.writes++
	}
	return s.write
}

func (s *failingStore) readErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.read != nil {
		s.reads++
	}
	return s.read
}

// failed counts the calls that failed.
func (s *failingStore) failed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes + s.reads
}

func (s *failingStore) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.writeErr(); err != nil {
		return err
	}
	return s.Store.WithTx(ctx, fn)
}

func (s *failingStore) TicketByNumber(ctx context.Context, number string) (inquiry.Ticket, bool, error) {
	if err := s.readErr(); err != nil {
		return inquiry.Ticket{}, false, fmt.Errorf("read ticket %s: %w", number, err)
	}
	return s.Store.TicketByNumber(ctx, number)
}

func (s *failingStore) Entries(ctx context.Context, ticketID int64) ([]inquiry.Entry, error) {
	if err := s.readErr(); err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	return s.Store.Entries(ctx, ticketID)
}

func (s *failingStore) Entry(ctx context.Context, ticketID, entryID int64) (inquiry.Entry, bool, error) {
	if err := s.readErr(); err != nil {
		return inquiry.Entry{}, false, fmt.Errorf("read entries: %w", err)
	}
	return s.Store.Entry(ctx, ticketID, entryID)
}

func (s *failingStore) RecordPage(ctx context.Context, ticketID, before int64, limit int) ([]store.RecordEntry, bool, error) {
	if err := s.readErr(); err != nil {
		return nil, false, fmt.Errorf("read a page of the record: %w", err)
	}
	return s.Store.RecordPage(ctx, ticketID, before, limit)
}

func (s *failingStore) ListTicketPage(ctx context.Context, f inquiry.TicketFilter, at store.PageAt) (store.TicketPage, error) {
	if err := s.readErr(); err != nil {
		return store.TicketPage{}, fmt.Errorf("list a page of tickets: %w", err)
	}
	return s.Store.ListTicketPage(ctx, f, at)
}

// What a failing store says, which no officer must read: the Go errors'
// words, paths and the names of what failed.
var (
	errDiskFailed = errors.New("disk I/O error: /var/lib/sportel/sportel.db-wal (SQLITE_IOERR_WRITE)")
	errNotInTime  = fmt.Errorf("begin transaction: %w", context.DeadlineExceeded)
	// errBusy is as the SQLite driver marks a lock held elsewhere.
	errBusy = fmt.Errorf("%w: begin transaction: database is locked (5) (SQLITE_BUSY)", store.ErrBusy)
	leaks   = []string{"SQLITE", "disk I/O", "/var/lib", "sportel.db", "deadline exceeded", "transaction", "internal error",
		"read ticket", "list a page", "read entries", "commit"}
)

// An officer's action the system fails to do (the store cannot be
// written, or read, or does not answer in time, or is busy) is answered
// 500, or 503 with a Retry-After when the store did not answer in time or
// was busy, never 422 as a refusal is: the page says in its language that
// the action was not done and to try again (in a moment, when busy), with
// none of the error's text, and the error is logged at error level (a
// warning when busy). Every action of the ticket page, in each of the
// workspace's languages.
func TestSystemFailureIsNoRefusal(t *testing.T) {
	const number = "DKP-2026-000001"
	actions := []struct {
		action string
		form   url.Values
	}{
		{"take", nil},
		{"assign", url.Values{"officer": {"osman"}}},
		{"category", url.Values{"category": {string(inquiry.PressInquiry)}}},
		{"urgent", url.Values{"on": {"1"}}},
		{"extend", url.Values{"days": {"5"}, "reason": {"archive"}}},
		{"notheld", url.Values{"holder": {"Arkivi"}}},
		{"answer", url.Values{"text": {"Përshëndetje,\n\ndokumentet janë bashkëngjitur."}, "once": {"k1"}, "seen": {"1"}}},
		{"note", url.Values{"text": {"Thirra arkivin."}, "once": {"k2"}}},
		{"close", url.Values{"outcome": {string(inquiry.Granted)}}},
		{"reopen", nil},
	}
	failures := []struct {
		name        string
		write, read error
		status      int
		ticketPage  bool // the ticket's page is shown again (else the error page)
		alert       func(inquiry.Language) string
		level       string // what the failure is logged as
	}{
		{"the store cannot be written", fmt.Errorf("commit transaction: %w", errDiskFailed), nil, http.StatusInternalServerError, true, desk.InternalFailureText, "ERROR"},
		{"the store does not answer in time", errNotInTime, nil, http.StatusServiceUnavailable, true, desk.InternalFailureText, "ERROR"},
		{"the store is busy", errBusy, nil, http.StatusServiceUnavailable, true, func(l inquiry.Language) string { return busyAction[l] }, "WARN"},
		{"the store cannot be read", errDiskFailed, errDiskFailed, http.StatusInternalServerError, false, desk.InternalFailureText, "ERROR"},
	}
	langs := []inquiry.Language{inquiry.Albanian, inquiry.SerbianLatin, inquiry.SerbianCyrl, inquiry.English}
	for _, fl := range failures {
		for i, a := range actions {
			lang := langs[i%len(langs)]
			t.Run(fl.name+"/"+a.action+"/"+string(lang), func(t *testing.T) {
				t.Parallel()
				var st *failingStore
				f := newFixtureWithStore(t, nil, nil, func(s *sqlite.Store) fixtureStore {
					st = &failingStore{Store: s}
					return st
				})
				f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Kontratat", "Më dërgoni kontratat")
				if a.action == "reopen" {
					setAside(t, f, number, inquiry.Closed)
				}
				b := f.browser()
				b.signIn(officers[1])
				if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {string(lang)}, "back": {"/"}}); r.status != http.StatusSeeOther {
					t.Fatalf("switch to %s: %d", lang, r.status)
				}
				before := mustTicket(t, f, number)
				form := url.Values{"csrf": {b.csrf()}}
				for k, v := range a.form {
					form[k] = v
				}
				st.fail(fl.write, fl.read)
				r := b.post("/t/"+number+"/"+a.action, form)
				st.fail(nil, nil)

				if st.failed() == 0 {
					t.Fatal("the action met no failure of the store")
				}
				if r.status != fl.status {
					t.Errorf("status %d, want %d", r.status, fl.status)
				}
				if retry := r.header.Get("Retry-After"); (fl.status == http.StatusServiceUnavailable) != (retry != "") {
					t.Errorf("Retry-After %q with status %d", retry, r.status)
				}
				if got, want := alertOf(r.body), fl.alert(lang); got != want {
					t.Errorf("the page says %q, want %q", got, want)
				}
				if shown := strings.Contains(r.body, `<h1>`+number); shown != fl.ticketPage {
					t.Errorf("the ticket's page shown again: %v, want %v", shown, fl.ticketPage)
				}
				if fl.ticketPage && a.action == "answer" && !strings.Contains(r.body, "dokumentet janë bashkëngjitur.") {
					t.Error("the answer's text is not kept on the page")
				}
				for _, leak := range leaks {
					if strings.Contains(strings.ToLower(r.body), strings.ToLower(leak)) {
						t.Errorf("the page shows %q", leak)
					}
				}
				logs := f.logs.String()
				if !strings.Contains(logs, "level="+fl.level) || !strings.Contains(logs, "SQLITE_IOERR_WRITE") && !strings.Contains(logs, "deadline exceeded") && !strings.Contains(logs, "SQLITE_BUSY") {
					t.Errorf("the failure is not logged at level %s with its error:\n%s", fl.level, logs)
				}
				if fl.level != "ERROR" && strings.Contains(logs, "level=ERROR") {
					t.Errorf("the failure is logged as an error:\n%s", logs)
				}
				if strings.Contains(logs, `msg="web: action refused"`) {
					t.Errorf("the failure is logged as a refusal:\n%s", logs)
				}
				if after := mustTicket(t, f, number); after.State != before.State || after.OfficerID != before.OfficerID ||
					after.Category != before.Category || after.Urgent != before.Urgent || !after.DueAt.Equal(before.DueAt) {
					t.Errorf("the ticket changed: %+v, was %+v", after, before)
				}
			})
		}
	}
}

// A page the store cannot give (the queue, a ticket) is answered 500, or
// 503 when the store did not answer in time, and says so in the page's
// language, with none of the error's text.
func TestSystemFailureShowingAPage(t *testing.T) {
	const number = "DKP-2026-000001"
	tests := []struct {
		path   string
		err    error
		status int
		lang   inquiry.Language
		want   string
	}{
		{"/", errDiskFailed, http.StatusInternalServerError, inquiry.Albanian, "Faqja nuk u shfaq për një gabim të sistemit. Provoni sërish pas pak"},
		{"/?view=closed", errNotInTime, http.StatusServiceUnavailable, inquiry.SerbianLatin, "Stranica nije prikazana zbog greške u sistemu. Pokušajte ponovo malo kasnije"},
		{"/t/" + number, errDiskFailed, http.StatusInternalServerError, inquiry.SerbianCyrl, "Страница није приказана због грешке у систему. Покушајте поново мало касније"},
		{"/t/" + number, errNotInTime, http.StatusServiceUnavailable, inquiry.English, "The page could not be shown: the system failed. Try again in a little while"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+string(tt.lang), func(t *testing.T) {
			t.Parallel()
			var st *failingStore
			f := newFixtureWithStore(t, nil, nil, func(s *sqlite.Store) fixtureStore {
				st = &failingStore{Store: s}
				return st
			})
			f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Kontratat", "Më dërgoni kontratat")
			b := f.browser()
			b.signIn(officers[1])
			if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {string(tt.lang)}, "back": {"/"}}); r.status != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", tt.lang, r.status)
			}
			st.fail(tt.err, tt.err)
			r := b.get(tt.path)
			st.fail(nil, nil)
			if st.failed() == 0 {
				t.Fatal("the page met no failure of the store")
			}
			if r.status != tt.status {
				t.Errorf("status %d, want %d", r.status, tt.status)
			}
			if got := alertOf(r.body); !strings.HasPrefix(got, tt.want) {
				t.Errorf("the page says %q, want it to start %q", got, tt.want)
			}
			for _, leak := range leaks {
				if strings.Contains(strings.ToLower(r.body), strings.ToLower(leak)) {
					t.Errorf("the page shows %q", leak)
				}
			}
			if !strings.Contains(f.logs.String(), "level=ERROR") {
				t.Errorf("the failure is not logged at error level:\n%s", f.logs.String())
			}
		})
	}
}
