package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/go-telegram/bot/models"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"sportel/bot"
	"sportel/classifier"
	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/browsertest"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/route"
)

// xss is what a hostile citizen writes wherever the workspace shows their
// words: each piece, should it ever become markup, runs a script that
// counts itself in window.__xss (the browser test reads it back), and
// each is a different way out of the place it is shown in (an element's
// text, an attribute, a <pre>, a <textarea>, a <title>).
var xss = []string{
	`<script>window.__xss=(window.__xss||0)+1</script>`,
	`<img src=x onerror="window.__xss=(window.__xss||0)+1">`,
	`"><svg onload="window.__xss=(window.__xss||0)+1">`,
	`</pre></textarea></title><script>window.__xss=(window.__xss||0)+1</script>`,
	`' autofocus onfocus='window.__xss=(window.__xss||0)+1`,
}

// payload is every piece of xss in one string.
func payload() string { return strings.Join(xss, " ") }

// encWord is s as an RFC 2047 encoded word, as a mail client writes a
// header with characters beyond ASCII.
func encWord(s string) string {
	return "=?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
}

// page is a script that would run in a page of the workspace's origin.
const scriptPage = `<html><body><script>window.__xss=(window.__xss||0)+1</script></body></html>`

// hostileMails are the raw mails of a hostile citizen: every field the
// workspace shows carries script, plainly and RFC 2047 or RFC 2231
// encoded, and the files are HTML and SVG that would run in the
// workspace's origin if a download were ever shown as a page.
func hostileMails() []string {
	p := payload()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	long := strings.Repeat("a", 300) + ".pdf"
	return []string{
		// The subject and the name, plain.
		"From: \"" + strings.ReplaceAll(xss[1], `"`, `'`) + "\" <arben@example.net>\r\nTo: komunikimi@mkrs.example\r\n" +
			"Subject: " + p + "\r\nMessage-ID: <h1@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Kërkoj dokumentet e kontratës. " + p + "\r\n",
		// The subject and the name encoded, with a right-to-left override.
		"From: " + encWord("Arben\u202e"+p) + " <arben2@example.net>\r\nTo: komunikimi@mkrs.example\r\n" +
			"Subject: " + encWord("Kërkesë \u202e"+p) + "\r\nMessage-ID: <h2@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"Pyetje për orarin e muzeut.\r\n",
		// The address itself: a quoted local part may hold markup.
		"From: \"<img src=x onerror=window.__xss=1>\"@example.net\r\nTo: komunikimi@mkrs.example\r\n" +
			"Subject: Pyetje\r\nMessage-ID: <h3@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPyetje.\r\n",
		// HTML only: its markup and its escaped markup.
		"From: Arben Berisha <arben4@example.net>\r\nTo: komunikimi@mkrs.example\r\nSubject: HTML\r\n" +
			"Message-ID: <h4@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
			"<html><body><p>Kërkoj kontratat.</p>" + p + "<p>" + strings.ReplaceAll(strings.ReplaceAll(p, "<", "&lt;"), ">", "&gt;") +
			"</p><a href=\"javascript:window.__xss=1\">klik</a></body></html>\r\n",
		// Files: names with quotes, markup, a bidi override, a line break
		// (RFC 2231), a long one; HTML and SVG content.
		"From: Arben Berisha <arben5@example.net>\r\nTo: komunikimi@mkrs.example\r\nSubject: Shtojca\r\n" +
			"Message-ID: <h5@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDokumentet në shtojcë.\r\n" +
			"--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=\"faqe\\\".html\"\r\n\r\n" + scriptPage + "\r\n" +
			"--b\r\nContent-Type: image/svg+xml\r\nContent-Disposition: attachment; filename=\"<svg onload=alert(1)>.svg\"\r\n\r\n" +
			`<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"><script>window.__xss=1</script></svg>` + "\r\n" +
			"--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename*=utf-8''fatura%E2%80%AEfdp.html\r\n\r\n" + b64(scriptPage) + "\r\n" +
			"--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename*=utf-8''a%0D%0ASet-Cookie%3A%20sportel_session%3Dx%0D%0A%0D%0A.html\r\n\r\n" + scriptPage + "\r\n" +
			"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"" + long + "\"\r\n\r\n%PDF-1.4\r\n" +
			"--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment; filename=" + encWord("vendim për \"ëndrrën\" <b>.html") + "\r\n\r\n" + scriptPage + "\r\n" +
			"--b--\r\n",
	}
}

// hostileUsers are Telegram citizens whose names, usernames, texts and
// files carry script; the last sends a document.
func hostileUsers() []models.User {
	p := payload()
	return []models.User{
		{ID: 5001, FirstName: xss[0], LastName: xss[1], Username: "arben"},
		{ID: 5002, FirstName: "", LastName: "", Username: "a" + xss[2]},
		{ID: 5003, FirstName: "Arben\u202e" + p, LanguageCode: "sq"},
	}
}

// hostileTickets files hostileMails through the desk as the inbox does
// (parse.Parse, then Handle with the built-in classifier), and sends the
// hostile Telegram citizens' messages, entities and a file through the real
// bot against a fake Bot API; it returns the numbers of every ticket filed.
func (f *fixture) hostileTickets() []string {
	t := f.t
	t.Helper()
	ctx := context.Background()
	cls, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Belgrade")
	intake, err := desk.New(desk.Config{
		Mailbox: inquiry.Address{Name: "DKP", Address: "komunikimi@mkrs.example"}, Prefix: "DKP", Location: loc,
		DocumentDeadlineDays: 7, Officers: officers, RefusalGrounds: grounds, BotUsername: "sportel_test_bot",
	}, f.store, cls, route.New([]route.Rule{{Officer: "zamira"}}), testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	intake.SetClock(f.clock)
	for i, raw := range hostileMails() {
		m := parse.Parse([]byte(raw), f.clock(), parse.Options{})
		m.SourceID = fmt.Sprintf("test:hostile:%d", i)
		if _, err := intake.Handle(ctx, m); err != nil {
			t.Fatalf("file hostile mail %d: %v", i, err)
		}
	}

	tg := devserver.StartTelegram("123:hostile", "sportel_test_bot")
	t.Cleanup(tg.Close)
	b, err := bot.New(ctx, bot.Options{Token: tg.Token, APIURL: tg.URL, PollTimeout: time.Second,
		Officers: officers, Logger: testutil.DiscardLogger()}, intake, f.store)
	if err != nil {
		t.Fatal(err)
	}
	stop := testutil.RunBackground(t, "bot", 10*time.Second, b.Run)
	defer stop()
	p := payload()
	users := hostileUsers()
	for _, u := range users[:len(users)-1] {
		// Entities name parts of the text: a link hidden behind words, a
		// mention, code; the workspace shows the text only.
		text := "Kërkoj kontratën " + p + " klik"
		n := utf16Len(text)
		tg.PushMessage(models.Message{From: &u, Chat: models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName},
			Text: text, Entities: []models.MessageEntity{
				{Type: models.MessageEntityTypeTextLink, Offset: n - 4, Length: 4, URL: "javascript:window.__xss=1"},
				{Type: models.MessageEntityTypeCode, Offset: 0, Length: 6},
				{Type: models.MessageEntityTypePre, Offset: 6, Length: 10, Language: `"><script>window.__xss=1</script>`},
			}})
	}
	last := users[len(users)-1]
	file := tg.AddFileContent(models.File{FileID: "BQAChostile", FileUniqueID: "uhostile"}, []byte(scriptPage))
	tg.PushMessage(models.Message{From: &last, Chat: models.Chat{ID: last.ID, Type: models.ChatTypePrivate, FirstName: last.FirstName},
		Caption:  "Dokumenti " + p,
		Document: &models.Document{FileID: file.FileID, FileUniqueID: file.FileUniqueID, FileName: "<img src=x onerror=alert(1)>\u202efdp.html", MimeType: "text/html\"><script>window.__xss=1</script>", FileSize: file.FileSize}})

	want := len(hostileMails()) + len(users)
	var numbers []string
	testutil.Eventually(t, "the hostile messages filed", 20*time.Second, func() (bool, error) {
		tickets, err := intake.Tickets(ctx, inquiry.TicketFilter{})
		if err != nil {
			return false, err
		}
		numbers = numbers[:0]
		for _, tk := range tickets {
			numbers = append(numbers, tk.Number)
		}
		return len(numbers) >= want, nil
	})
	// The document's file is downloaded into the record after the ticket
	// is filed: wait for its bytes too.
	testutil.Eventually(t, "the Telegram document kept", 20*time.Second, func() (bool, error) {
		tickets, err := intake.Tickets(ctx, inquiry.TicketFilter{Channel: inquiry.ChannelTelegram})
		if err != nil {
			return false, err
		}
		for _, tk := range tickets {
			entries, err := f.store.Entries(ctx, tk.ID)
			if err != nil {
				return false, err
			}
			for _, e := range entries {
				for _, a := range e.Attachments {
					if a.Content != nil || len(e.Raw) > 0 {
						return true, nil
					}
				}
			}
		}
		return false, nil
	})
	slices.Sort(numbers)
	return numbers
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// injected lists what, in a page as a browser parses it, would show that
// a citizen's words became markup: an element that runs or embeds
// anything, an attribute that runs script (or autofocus, which fires one),
// a javascript: link, or a bidi override in the text as it came.
func injected(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{"does not parse: " + err.Error()}
	}
	var found []string
	for n := range doc.Descendants() {
		switch n.Type {
		case html.TextNode:
			if strings.ContainsAny(n.Data, "\u202e\u2066\u2067\u2068") {
				found = append(found, fmt.Sprintf("bidi control in %q", n.Data))
			}
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Svg, atom.Img, atom.Iframe, atom.Object, atom.Embed, atom.Frame, atom.Math, atom.Base, atom.Meta:
				if n.DataAtom == atom.Meta && n.Parent != nil && n.Parent.DataAtom == atom.Head {
					break // the layout's own charset and viewport
				}
				found = append(found, "element <"+n.Data+">")
			}
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"), a.Key == "autofocus", a.Key == "style", a.Key == "srcdoc":
					found = append(found, fmt.Sprintf("attribute %s=%q on <%s>", a.Key, a.Val, n.Data))
				case (a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction") &&
					(strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "//") || strings.Contains(v, "://")):
					found = append(found, fmt.Sprintf("link %s=%q on <%s>", a.Key, a.Val, n.Data))
				}
			}
		}
	}
	return found
}

// Everything a hostile citizen sends, by mail or Telegram, filed through
// the real desk and bot, is shown as text on every page that shows it: the
// ticket, the lists and the search. Files download as files.
func TestHostileCitizenShownAsText(t *testing.T) {
	f := newFixture(t, nil)
	numbers := f.hostileTickets()
	b := f.browser()
	b.signIn(officers[1])
	paths := []string{"/", "/?view=closed", "/?view=setaside", "/?q=" + url.QueryEscape("kontrat")}
	for _, n := range numbers {
		paths = append(paths, "/t/"+n)
	}
	files := 0
	for _, path := range paths {
		r := b.get(path)
		if r.status != http.StatusOK {
			t.Errorf("GET %s = %d", path, r.status)
			continue
		}
		for _, bad := range injected(r.body) {
			t.Errorf("GET %s: a citizen's words became markup: %s", path, bad)
		}
		if !strings.HasPrefix(path, "/t/") {
			continue
		}
		for _, m := range regexp.MustCompile(`href="(/t/[^"]+/(?:attachment|raw)/[^"]+)"`).FindAllStringSubmatch(r.body, -1) {
			files++
			checkDownload(t, b.get(m[1]), m[1])
		}
	}
	if len(numbers) < len(hostileMails())+len(hostileUsers()) {
		t.Errorf("%d tickets filed, want %d", len(numbers), len(hostileMails())+len(hostileUsers()))
	}
	if files < 8 {
		t.Errorf("%d downloads linked from the hostile tickets, want the files and raw mails", files)
	}
}

// checkDownload checks a download of a citizen's bytes: a file to save,
// never a page, under a name with no path, no line break and no bidi
// control.
func checkDownload(t *testing.T, r response, path string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Errorf("GET %s = %d", path, r.status)
		return
	}
	if ct := r.header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if v := r.header.Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("GET %s: X-Content-Type-Options %q", path, v)
	}
	if len(r.header.Values("Set-Cookie")) > 0 {
		t.Errorf("GET %s sets cookies %q", path, r.header.Values("Set-Cookie"))
	}
	raw := r.header.Get("Content-Disposition")
	disp, params, err := mime.ParseMediaType(raw)
	if err != nil || disp != "attachment" {
		t.Errorf("GET %s: Content-Disposition %q (%v), want an attachment", path, raw, err)
		return
	}
	name := params["filename"]
	if name == "" || strings.ContainsAny(name, "/\\\r\n\u202e\u2066") {
		t.Errorf("GET %s: file name %q", path, name)
	}
	for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(r.header.Get("Content-Security-Policy"), d) {
			t.Errorf("GET %s: Content-Security-Policy %q lacks %s", path, r.header.Get("Content-Security-Policy"), d)
		}
	}
}

// cspWatch runs before any page script in every page the tab opens: it
// keeps each Content-Security-Policy violation in window.__csp, so a
// citizen's markup that got into a page is seen even where the policy
// stopped it from running.
const cspWatch = `window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || "")));`

// pageReport is what the browser saw on one page: scripts that ran (the
// payloads count themselves in window.__xss), the policy's refusals, and
// elements or attributes in the page that only a citizen's markup would
// have put there.
const pageReport = `JSON.stringify({
	xss: window.__xss || 0,
	csp: window.__csp || [],
	markup: [...document.querySelectorAll("script, svg, img, iframe, object, embed, [onerror], [onload], [onfocus], [autofocus], a[href^='javascript'], a[target]")].map(e => e.outerHTML.slice(0, 120)),
	href: location.href,
})`

type seen struct {
	XSS    int      `json:"xss"`
	CSP    []string `json:"csp"`
	Markup []string `json:"markup"`
	Href   string   `json:"href"`
}

// look opens path in the tab and reports what ran there.
func look(t *testing.T, ctx context.Context, base, path string) seen {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+path))
	// A focus handler fires once the page has focus: give it a moment,
	// as an officer's browser would, before reading the markers.
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.BringToFront, cdp.Empty{})
		return err
	}))
	var s seen
	if err := json.Unmarshal([]byte(eval[string](t, ctx, pageReport)), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A hostile citizen's mail and Telegram messages, filed through the real
// desk and bot, are opened by an officer in Chromium: no script of theirs
// runs on any page, neither with the workspace's Content-Security-Policy
// nor with the browser told to ignore it (the escaping alone holds), and
// the policy is never even asked to stop one. Their HTML and SVG files,
// opened from the ticket, are downloaded, never shown as a page of the
// workspace.
func TestHostileCitizenInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	f := newFixture(t, nil)
	numbers := f.hostileTickets()
	base := f.srv.URL
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny})
		return err
	}))
	f.browser().askLink(officers[1].Email)
	links := f.signInLinks(officers[1].ID)
	do(t, ctx, chromedp.Navigate(base+links[len(links)-1]))
	submit(t, ctx, "#use-link", base+"/")

	paths := []string{"/", "/?view=closed", "/?view=setaside", "/?q=" + url.QueryEscape("kontrat"),
		"/?q=" + url.QueryEscape(payload())}
	for _, n := range numbers {
		paths = append(paths, "/t/"+n)
	}
	for _, bypass := range []bool{false, true} {
		do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: bypass})
			return err
		}))
		for _, path := range paths {
			s := look(t, ctx, base, path)
			if s.XSS != 0 {
				t.Errorf("bypass CSP %v: GET %s: %d injected scripts ran", bypass, path, s.XSS)
			}
			if len(s.CSP) != 0 {
				t.Errorf("bypass CSP %v: GET %s: the policy stopped %q", bypass, path, s.CSP)
			}
			if len(s.Markup) != 0 {
				t.Errorf("bypass CSP %v: GET %s: the page holds %q", bypass, path, s.Markup)
			}
		}
	}

	// Every file and raw mail, opened as an officer opens it from the
	// ticket: the tab stays on the ticket and nothing runs.
	files := 0
	for _, n := range numbers {
		look(t, ctx, base, "/t/"+n)
		hrefs := eval[[]string](t, ctx, `[...document.querySelectorAll("ul.files a")].map(a => a.getAttribute("href"))`)
		for _, h := range hrefs {
			files++
			// A download ends the navigation without a page: chromedp
			// reports it as aborted, which is what is wanted here.
			_ = chromedp.Do(ctx, chromedp.Navigate(base+h))
			var s seen
			if err := json.Unmarshal([]byte(eval[string](t, ctx, pageReport)), &s); err != nil {
				t.Fatal(err)
			}
			if s.XSS != 0 || !strings.HasSuffix(s.Href, "/t/"+n) {
				t.Errorf("opening %s: the tab is at %s, %d scripts ran; want the download only", h, s.Href, s.XSS)
			}
		}
	}
	if files < 8 {
		t.Errorf("%d files opened, want every file and raw mail of the hostile tickets", files)
	}
}
