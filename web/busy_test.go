package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store/sqlite"
)

// What the workspace says when the store is busy, by language: a page, and
// an action (a POST).
var (
	busyPage = map[inquiry.Language]string{
		inquiry.Albanian:     "Sistemi është i zënë për momentin dhe faqja nuk u shfaq. Provoni sërish pas disa çastesh.",
		inquiry.SerbianLatin: "Sistem je trenutno zauzet i stranica nije prikazana. Pokušajte ponovo za nekoliko trenutaka.",
		inquiry.SerbianCyrl:  "Систем је тренутно заузет и страница није приказана. Покушајте поново за неколико тренутака.",
		inquiry.English:      "The system is busy just now and the page could not be shown. Try again in a moment.",
	}
	busyAction = map[inquiry.Language]string{
		inquiry.Albanian:     "Sistemi është i zënë për momentin dhe veprimi nuk u krye. Provoni sërish pas disa çastesh.",
		inquiry.SerbianLatin: "Sistem je trenutno zauzet i radnja nije izvršena. Pokušajte ponovo za nekoliko trenutaka.",
		inquiry.SerbianCyrl:  "Систем је тренутно заузет и радња није извршена. Покушајте поново за неколико тренутака.",
		inquiry.English:      "The system is busy just now and the action was not done. Try again in a moment.",
	}
)

// While another process holds the database's write lock for longer than
// the store's busy timeout, the workspace answers 503 with a Retry-After,
// never 500: the queue, a ticket, the figures and an officer's action
// (each request first writes the session's last use, which waits for the
// lock), in the officer's language, saying the system is busy and to try
// again in a moment, with none of the error's text; the log has it as a
// warning, not an error. Once the lock is let go the same requests work.
func TestBusyStoreAsksToRetry(t *testing.T) {
	const number = "DKP-2026-000001"
	requests := []struct {
		method, path string
		form         url.Values
		want         map[inquiry.Language]string
		after        int // the status once the lock is let go
	}{
		{http.MethodGet, "/", nil, busyPage, http.StatusOK},
		{http.MethodGet, "/t/" + number, nil, busyPage, http.StatusOK},
		{http.MethodGet, "/figures", nil, busyPage, http.StatusOK},
		{http.MethodPost, "/t/" + number + "/note", url.Values{"text": {"Thirra arkivin."}}, busyAction, http.StatusSeeOther},
	}
	langs := []inquiry.Language{inquiry.Albanian, inquiry.SerbianLatin, inquiry.SerbianCyrl, inquiry.English}
	for i, rq := range requests {
		lang := langs[i%len(langs)]
		t.Run(rq.method+" "+rq.path+" "+string(lang), func(t *testing.T) {
			t.Parallel()
			f := newFixtureOpen(t, sqlite.Options{BusyTimeout: 100 * time.Millisecond}, nil, nil, nil)
			f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Kontratat", "Më dërgoni kontratat")
			b := f.browser()
			b.signIn(officers[1])
			if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {string(lang)}, "back": {"/"}}); r.status != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", lang, r.status)
			}
			csrf := b.csrf() // read now: b.csrf reads the queue
			send := func() response {
				if rq.method == http.MethodGet {
					return b.get(rq.path)
				}
				form := url.Values{"csrf": {csrf}}
				for k, v := range rq.form {
					form[k] = v
				}
				return b.post(rq.path, form)
			}

			release := testutil.HoldSQLiteWriteLock(t, f.path)
			r := send()
			release()

			if r.status != http.StatusServiceUnavailable {
				t.Errorf("status %d, want %d", r.status, http.StatusServiceUnavailable)
			}
			if retry := r.header.Get("Retry-After"); retry == "" {
				t.Error("no Retry-After")
			}
			if got := alertOf(r.body); got != rq.want[lang] {
				t.Errorf("the page says %q, want %q", got, rq.want[lang])
			}
			for _, leak := range append(leaks, "locked", "busy (") {
				if strings.Contains(strings.ToLower(r.body), strings.ToLower(leak)) {
					t.Errorf("the page shows %q", leak)
				}
			}
			logs := f.logs.String()
			if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "SQLITE_BUSY") || strings.Contains(logs, "level=ERROR") {
				t.Errorf("the busy store is not logged as a warning with its error, or is logged as an error:\n%s", logs)
			}

			if r := send(); r.status != rq.after {
				t.Errorf("with the lock let go: status %d, want %d\n%s", r.status, rq.after, alertOf(r.body))
			}
		})
	}
}
