package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sportel/inquiry"
	"sportel/internal/browsertest"
	"sportel/web"
)

// relayState is what the outbox would report to the workspace: whether its
// mail sends are paused, and since when.
type relayState struct {
	mu     sync.Mutex
	since  time.Time
	paused bool
}

func (r *relayState) set(since time.Time, paused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.since, r.paused = since, paused
}

func (r *relayState) get() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.since, r.paused
}

var (
	bannerRE = regexp.MustCompile(`(?s)<div class="alert paused" role="status" id="mail-paused">(.*?)</div>`)
	tagRE    = regexp.MustCompile(`<[^>]*>`)
)

// bannerOf is the mail-paused banner's text in body, "" when it has none.
func bannerOf(body string) string {
	m := bannerRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(tagRE.ReplaceAllString(m[1], ""))
}

// pausedSince is when the relay failed in the tests: 08:15 UTC, 09:15 in
// the workspace's time zone (Europe/Belgrade).
var pausedSince = time.Date(2026, 11, 25, 8, 15, 0, 0, time.UTC)

// While the outbox has paused the mail, the queue and a ticket's page say
// so in the officer's language: mail to citizens is not going out, the
// mail server fails since when (local time), answers are kept and go by
// themselves, the IT administrator is alerted; without the relay's error.
// Once the mail goes again the banner is gone. The sign-in page never
// shows it: only officers learn of the relay.
func TestMailPausedBanner(t *testing.T) {
	const number = "DKP-2026-000001"
	tests := []struct {
		lang inquiry.Language
		want string
	}{
		{inquiry.Albanian, "Posta për qytetarët nuk po dërgohet tani. Serveri i postës nuk funksionon, që nga 25.11.2026 09:15. " +
			"Përgjigjet ruhen dhe dërgohen vetë sapo serveri të përgjigjet sërish: nuk ka nevojë t'i dërgoni përsëri. " +
			"Administratori i IT-së është njoftuar (regjistri i gabimeve dhe alarmi)."},
		{inquiry.SerbianLatin, "Pošta građanima se trenutno ne šalje. Server za poštu ne radi od 25.11.2026 09:15. " +
			"Odgovori su sačuvani i biće poslati sami čim server ponovo proradi: ne treba ih slati ponovo. " +
			"IT administrator je obavešten (dnevnik grešaka i upozorenje)."},
		{inquiry.SerbianCyrl, "Пошта грађанима се тренутно не шаље. Сервер за пошту не ради од 25.11.2026 09:15. " +
			"Одговори су сачувани и биће послати сами чим сервер поново проради: не треба их слати поново. " +
			"ИТ администратор је обавештен (дневник грешака и упозорење)."},
		{inquiry.English, "Mail to citizens is not going out at the moment. The mail server has been failing since 25.11.2026 09:15. " +
			"Answers are kept and go out by themselves once it answers again: there is no need to send them again. " +
			"The IT administrator has been alerted (the error log and the alert)."},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			t.Parallel()
			relay := &relayState{}
			f := newFixture(t, func(c *web.Config) { c.MailPaused = relay.get })
			f.file(number, inquiry.DocumentRequest, inquiry.Albanian, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Kontratat", "Më dërgoni kontratat")
			b := f.browser()
			b.signIn(officers[1])
			if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {string(tt.lang)}, "back": {"/"}}); r.status != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", tt.lang, r.status)
			}
			pages := []string{"/", "/t/" + number}
			for _, state := range []struct {
				name   string
				paused bool
			}{{"mail goes", false}, {"mail paused", true}, {"mail goes again", false}} {
				relay.set(pausedSince, state.paused)
				if !state.paused {
					relay.set(time.Time{}, false)
				}
				for _, path := range pages {
					r := b.get(path)
					if r.status != http.StatusOK {
						t.Fatalf("%s: GET %s = %d", state.name, path, r.status)
					}
					got := bannerOf(r.body)
					switch {
					case state.paused && got != tt.want:
						t.Errorf("%s: %s says\n%q\nwant\n%q", state.name, path, got, tt.want)
					case !state.paused && strings.Contains(r.body, "mail-paused"):
						t.Errorf("%s: %s shows the banner %q", state.name, path, got)
					}
				}
			}

			relay.set(pausedSince, true)
			anon := f.browser()
			if r := anon.get("/signin"); r.status != http.StatusOK || strings.Contains(r.body, "mail-paused") {
				t.Errorf("the sign-in page (%d) shows the mail paused to whoever reaches it", r.status)
			}
		})
	}
}

// In the browser the banners are seen: shown, at the top of the page, in
// the page's colours that pass axe-core's contrast check, and announced
// as a status.
func TestMailPausedBannerInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	relay, chat := &relayState{}, &relayState{}
	relay.set(pausedSince, true)
	chat.set(pausedSince, true)
	f := newFixture(t, func(c *web.Config) { c.MailPaused, c.ChatPaused = relay.get, chat.get })
	f.file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.English, "jusuf", f.now.Add(-time.Hour), f.now.Add(6*24*time.Hour), "Stadium contracts", "Please send me the contracts.")
	do(t, ctx, chromedp.Navigate(f.srv.URL+"/signin"))
	waitFor(t, ctx, "/signin")
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#email"), officers[1].Email))
	submit(t, ctx, "main form button", "/signin")
	links := f.signInLinks(officers[1].ID)
	if len(links) != 1 {
		t.Fatalf("%d sign-in links, want 1", len(links))
	}
	do(t, ctx, chromedp.Navigate(f.srv.URL+links[0]))
	waitFor(t, ctx, "/signin/link")
	submit(t, ctx, "#use-link", f.srv.URL+"/")

	for _, path := range []string{"/", "/t/DKP-2026-000001"} {
		do(t, ctx, chromedp.Navigate(f.srv.URL+path))
		waitFor(t, ctx, path)
		for _, id := range []string{"mail-paused", "telegram-paused"} {
			visible := eval[bool](t, ctx, `(() => { const e = document.querySelector("#`+id+`"); if (!e) return false;
			const r = e.getBoundingClientRect(), s = getComputedStyle(e);
			return r.width > 0 && r.height > 0 && r.top < window.innerHeight && s.visibility === "visible" && s.display !== "none"; })()`)
			if !visible {
				t.Fatalf("%s: the banner #%s is not visible", path, id)
			}
			if role := eval[string](t, ctx, `document.querySelector("#`+id+`").getAttribute("role")`); role != "status" {
				t.Errorf("%s: the banner #%s's role is %q, want status", path, id, role)
			}
		}
		if text := eval[string](t, ctx, `document.querySelector("#mail-paused").innerText`); !strings.Contains(text, "Posta për qytetarët nuk po dërgohet tani.") || !strings.Contains(text, "25.11.2026 09:15") {
			t.Errorf("%s: the banner reads %q", path, text)
		}
		browsertest.Axe(t, ctx)
	}
	browsertest.Screenshot(t, ctx, "mail-paused")
}

var telegramBannerRE = regexp.MustCompile(`(?s)<div class="alert paused" role="status" id="telegram-paused">(.*?)</div>`)

// While the outbox has paused the Telegram sends (the Bot API fails), the
// pages say so too, apart from the mail's banner: officers answering a
// Telegram citizen learn that the answer waits, and need not send it again.
func TestTelegramPausedBanner(t *testing.T) {
	tests := []struct {
		lang inquiry.Language
		want string
	}{
		{inquiry.Albanian, "Mesazhet në Telegram për qytetarët nuk po dërgohen tani. Telegrami nuk përgjigjet, që nga 25.11.2026 09:15. " +
			"Përgjigjet ruhen dhe dërgohen vetë sapo Telegrami të përgjigjet sërish: nuk ka nevojë t'i dërgoni përsëri. " +
			"Administratori i IT-së është njoftuar (regjistri i gabimeve dhe alarmi)."},
		// Telegram's name stays as it is written, in Latin letters.
		{inquiry.SerbianCyrl, "Поруке грађанима (Telegram) се тренутно не шаљу. Telegram не одговара од 25.11.2026 09:15. " +
			"Одговори су сачувани и биће послати сами чим Telegram поново проради: не треба их слати поново. " +
			"ИТ администратор је обавештен (дневник грешака и упозорење)."},
		{inquiry.English, "Telegram messages to citizens are not going out at the moment. Telegram has been failing since 25.11.2026 09:15. " +
			"Answers are kept and go out by themselves once it answers again: there is no need to send them again. " +
			"The IT administrator has been alerted (the error log and the alert)."},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			t.Parallel()
			mail, chat := &relayState{}, &relayState{}
			f := newFixture(t, func(c *web.Config) { c.MailPaused, c.ChatPaused = mail.get, chat.get })
			b := f.browser()
			b.signIn(officers[1])
			if r := b.post("/lang", url.Values{"csrf": {b.csrf()}, "lang": {string(tt.lang)}, "back": {"/"}}); r.status != http.StatusSeeOther {
				t.Fatalf("switch to %s: %d", tt.lang, r.status)
			}
			for _, state := range []struct {
				name       string
				mail, chat bool
			}{{"both go", false, false}, {"Telegram paused", false, true}, {"both paused", true, true}, {"mail paused", true, false}} {
				mail.set(pausedSince, state.mail)
				chat.set(pausedSince, state.chat)
				r := b.get("/")
				if r.status != http.StatusOK {
					t.Fatalf("%s: GET / = %d", state.name, r.status)
				}
				got := ""
				if m := telegramBannerRE.FindStringSubmatch(r.body); m != nil {
					got = html.UnescapeString(tagRE.ReplaceAllString(m[1], ""))
				}
				if want := map[bool]string{true: tt.want}[state.chat]; got != want {
					t.Errorf("%s: the Telegram banner says %q, want %q", state.name, got, want)
				}
				if shown := bannerOf(r.body) != ""; shown != state.mail {
					t.Errorf("%s: the mail banner shown %v, want %v", state.name, shown, state.mail)
				}
			}
		})
	}
}
