package app

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/store"
)

// configText is the stack's configuration file with edits (old → new)
// applied; it fails the test when an edit finds nothing to replace.
func (s *stack) configText(edits ...string) string {
	s.tb.Helper()
	text := fmt.Sprintf(testConfig, s.cfg.IMAP.Addr, s.cfg.IMAP.Username, s.cfg.SMTP.Addr, s.cfg.Store.DSN)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(text, edits[i]) {
			s.tb.Fatalf("the test configuration has no %q", edits[i])
		}
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	return text
}

// tokenEnv holds the bot token in the files of the reload tests.
const tokenEnv = "SPORTEL_TEST_TELEGRAM_TOKEN"

// loader is what Reload reads: the stack's file with edits, parsed as
// `sportel run` parses its file.
func (s *stack) loader(text string) func() (*config.Config, error) {
	env := map[string]string{imapPasswordEnv: s.cfg.IMAP.Password.Reveal()}
	if s.cfg.Telegram != nil {
		env[tokenEnv] = s.cfg.Telegram.Token.Reveal()
	}
	return func() (*config.Config, error) {
		return config.Parse([]byte(text), func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	}
}

// generalQuestion is a new citizen's question, which the test
// configuration routes by its catch-all rule.
func generalQuestion(n int) inboundMail {
	return inboundMail{
		from:      fmt.Sprintf("Qytetar %d <qytetar%d@example.net>", n, n),
		subject:   fmt.Sprintf("Orari i muzeut %d", n),
		messageID: fmt.Sprintf("reload-%d@example.net", n),
		body:      "Përshëndetje,\n\nA mund të më tregoni orarin e muzeut etnografik të dielave?\n\nFaleminderit.",
	}
}

// notifiedTo is where the notifications of the ticket filed for m went.
func (s *stack) notifiedTo(a *App, m inboundMail) []string {
	s.tb.Helper()
	t := s.ticket(a, m.messageID)
	var to []string
	for _, w := range mailsOf(s.wireMails(), "notify", t.Number) {
		to = append(to, w.envelopeTo...)
	}
	slices.Sort(to)
	return to
}

// scrape returns the value of a metric without labels, "" when absent.
func scrape(t *testing.T, addr, name string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// TestReloadAppliesOrKeeps runs the daemon and reloads its configuration
// step by step, as SIGHUP does: after each step a new citizen's question
// must be notified to the officer the last good configuration names, and
// the reload metric must say whether the step succeeded. A broken file (a
// YAML error, an invalid officer, a template that does not parse) changes
// nothing and each of its problems is logged; what needs a restart is
// named and kept.
func TestReloadAppliesOrKeeps(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	a, stop := s.serve()
	defer stop()
	testutil.Eventually(t, "the metrics listener", 20*time.Second, func() (bool, error) {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil, nil
	})

	brokenTemplates := t.TempDir()
	for name, text := range map[string]string{"ack.sq.tmpl": "Numri {{ .Number ", "ack.en.tmpl": "Ticket {{ .Nope }}"} {
		if err := os.WriteFile(filepath.Join(brokenTemplates, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	goodTemplates := t.TempDir()
	if err := os.WriteFile(filepath.Join(goodTemplates, "ack.en.tmpl"), []byte("Ticket {{ .Number }}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const zamiraNew = "zamira.ahmeti@kultura.example"
	moved := []string{"zamira.ahmeti@mkrs.example", zamiraNew}
	// The file as the daemon was started from it, with moved and more.
	file := func(edits ...string) string {
		return s.configText(append(slices.Clone(moved), edits...)...) + "metrics:\n  listen: " + metricsAddr + "\n"
	}
	steps := []struct {
		name string
		// text is the whole file; "" does not reload.
		text    string
		wantErr bool
		// wantLogs are lines the reload must log.
		wantLogs []string
		to       string // where the next question's notification goes
		edit     bool   // edit the template in goodTemplates first
	}{
		{name: "start", to: "zamira.ahmeti@mkrs.example"},
		{name: "an officer's address, and a setting that needs a restart",
			text: file("poll_interval: 1s", "poll_interval: 2s"),
			wantLogs: []string{`msg="needs a restart: imap.poll_interval (kept as they are until then)"`,
				`msg="configuration reloaded" applied=officers`},
			to: zamiraNew},
		{name: "a YAML error", text: file() + "officers: [\n", wantErr: true,
			wantLogs: []string{`msg="configuration reload: problem in the file" problem="parse YAML:`,
				`msg="configuration reload failed: the configuration in use stays" problems=1`}, to: zamiraNew},
		{name: "an invalid officer and an unknown key",
			text:    file("email: jusuf.lushaku@mkrs.example", "email: jusuf-at-mkrs", "poll_interval: 1s", "pol_interval: 1s"),
			wantErr: true,
			wantLogs: []string{`msg="configuration reload: problem in the file" problem="officers[1].email:`,
				`msg="configuration reload: problem in the file" problem="imap.pol_interval: unknown key; did you mean \"poll_interval\"?`,
				`msg="configuration reload failed: the configuration in use stays" problems=2`},
			to: zamiraNew},
		{name: "a template that does not parse",
			text:    file("officers:\n", "tickets:\n  templates_dir: "+brokenTemplates+"\nofficers:\n"),
			wantErr: true, wantLogs: []string{`msg="configuration reload: problem in the file" problem="parse template ack.sq.tmpl:`,
				`msg="configuration reload: problem in the file" problem="render template ack.en.tmpl:`,
				`msg="configuration reload failed: the configuration in use stays" problems=2`},
			to: zamiraNew},
		{name: "routing", text: file("  - officer: zamira\n", "  - officer: osman\n"),
			wantLogs: []string{`msg="configuration reloaded" applied=routing`}, to: "osman.gashi@mkrs.example"},
		{name: "a templates directory",
			text:     file("  - officer: zamira\n", "  - officer: osman\n", "officers:\n", "tickets:\n  templates_dir: "+goodTemplates+"\nofficers:\n"),
			wantLogs: []string{`msg="configuration reloaded" applied=tickets.templates_dir`}, to: "osman.gashi@mkrs.example"},
		{name: "an edited template, the file unchanged", edit: true,
			text:     file("  - officer: zamira\n", "  - officer: osman\n", "officers:\n", "tickets:\n  templates_dir: "+goodTemplates+"\nofficers:\n"),
			wantLogs: []string{`msg="configuration reloaded" applied="templates (read again from tickets.templates_dir)"`}, to: "osman.gashi@mkrs.example"},
		{name: "the mail server trusted about officers' forwards",
			text: file("  - officer: zamira\n", "  - officer: osman\n", "officers:\n", "tickets:\n  templates_dir: "+goodTemplates+"\nofficers:\n") +
				"mail:\n  trusted_authserv_id: mx.mkrs.example\n",
			wantLogs: []string{`msg="configuration reloaded" applied="mail.trusted_authserv_id, templates (read again from tickets.templates_dir)"`}, to: "osman.gashi@mkrs.example"},
	}
	for i, st := range steps {
		before := len(s.logs.String())
		if st.edit {
			if err := os.WriteFile(filepath.Join(goodTemplates, "ack.en.tmpl"), []byte("Ticket {{ .Number }}, edited\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if st.text != "" {
			err := a.Reload(s.loader(st.text))
			if (err != nil) != st.wantErr {
				t.Fatalf("%s: Reload = %v, want an error: %v", st.name, err, st.wantErr)
			}
		}
		logs := s.logs.String()[before:]
		for _, want := range st.wantLogs {
			if !strings.Contains(logs, want) {
				t.Errorf("%s: the logs lack %q:\n%s", st.name, want, logs)
			}
		}
		wantMetric := "1"
		if st.wantErr {
			wantMetric = "0"
		}
		if got := scrape(t, metricsAddr, "sportel_config_last_reload_success"); got != wantMetric {
			t.Errorf("%s: sportel_config_last_reload_success = %q, want %s", st.name, got, wantMetric)
		}
		if got := scrape(t, metricsAddr, "sportel_config_last_reload_success_timestamp_seconds"); got == "" || got == "0" {
			t.Errorf("%s: sportel_config_last_reload_success_timestamp_seconds = %q", st.name, got)
		}
		m := generalQuestion(i)
		s.append(m.raw())
		s.settle(a)
		if got := s.notifiedTo(a, m); !slices.Equal(got, []string{st.to}) {
			t.Errorf("%s: notified %q, want %s", st.name, got, st.to)
		}
	}
	if logs := s.logs.String(); strings.Contains(logs, "e2e-test-password") {
		t.Error("a secret reached the logs")
	}
}

// TestReloadDuringIntake reloads the configuration over and over while
// mail arrives, alternating an officer's address: every message is filed
// once, notified once, to one of the two addresses, and nothing is set
// aside.
func TestReloadDuringIntake(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	a, stop := s.serve()
	defer stop()
	const messages = 40
	goodTemplates := t.TempDir()
	if err := os.WriteFile(filepath.Join(goodTemplates, "ack.en.tmpl"), []byte("Ticket {{ .Number }}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const zamiraNew = "zamira.ahmeti@kultura.example"
	texts := []string{s.configText("zamira.ahmeti@mkrs.example", zamiraNew), s.configText()}

	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range messages {
			s.append(generalQuestion(i).raw())
		}
	})
	// Reload until every message is taken in, so reloads fall before,
	// between and during the desk's work on them.
	reloads := 0
	testutil.Eventually(t, "every message taken in while reloading", 60*time.Second, func() (bool, error) {
		if err := a.Reload(s.loader(texts[reloads%2])); err != nil {
			return false, fmt.Errorf("reload %d: %w", reloads, err)
		}
		reloads++
		return s.countOrZero(processedBox)+s.countOrZero(quarantineBox) == messages, nil
	})
	wg.Wait()
	s.settle(a)
	t.Logf("%d reloads while %d messages were taken in", reloads, messages)

	ts, err := a.store.ListTickets(t.Context(), inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	filed := map[string]int{}
	for _, tk := range ts {
		filed[tk.MessageID]++
	}
	for i := range messages {
		m := generalQuestion(i)
		if filed[m.messageID] != 1 {
			t.Errorf("%s filed %d times, want once", m.messageID, filed[m.messageID])
			continue
		}
		to := s.notifiedTo(a, m)
		if len(to) != 1 || (to[0] != zamiraNew && to[0] != "zamira.ahmeti@mkrs.example") {
			t.Errorf("%s notified %q, want once to zamira's old or new address", m.messageID, to)
		}
	}
	if len(ts) != messages {
		t.Errorf("%d tickets, want %d", len(ts), messages)
	}
	if n := s.countOrZero(quarantineBox); n != 0 {
		t.Errorf("%d messages set aside", n)
	}
	if n := s.count(processedBox); n != messages {
		t.Errorf("%d messages in %s, want %d", n, processedBox, messages)
	}
}

// TestReloadReachesTelegram: a reload that gives an officer a new Telegram
// id reaches the running bot, not only the desk: the next notification goes
// to the new chat, and only the new id may act on it. The bot keeps
// polling throughout.
func TestReloadReachesTelegram(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	tg := devserver.StartTelegram("123456:reload-token", "dkp_reload_bot")
	t.Cleanup(tg.Close)
	const oldID, newID = 7001, 7002
	tg.MarkStarted(oldID)
	tg.MarkStarted(newID)
	s.cfg.Officers[2].TelegramUserID = oldID // zamira, the catch-all
	s.cfg.Telegram = botConfig(tg)
	a, stop := s.serve()
	defer stop()
	testutil.Eventually(t, "the bot connected", 20*time.Second, func() (bool, error) {
		return strings.Contains(s.logs.String(), "telegram connected"), nil
	})

	text := s.configText("    email: zamira.ahmeti@mkrs.example\n", fmt.Sprintf("    email: zamira.ahmeti@mkrs.example\n    telegram_user_id: %d\n", newID)) +
		fmt.Sprintf("telegram:\n  token: ${%s}\n  api_url: %s\n  poll_timeout: 1s\n", tokenEnv, tg.URL)
	if err := a.Reload(s.loader(text)); err != nil {
		t.Fatal(err)
	}
	if logs := s.logs.String(); strings.Contains(logs, "needs a restart") {
		t.Fatalf("the same telegram section needs a restart:\n%s", logs)
	}
	m := generalQuestion(1)
	s.append(m.raw())
	s.settle(a)
	number := s.ticket(a, m.messageID).Number
	var note models.Message
	testutil.Eventually(t, "the notification in the new chat", 20*time.Second, func() (bool, error) {
		for _, sent := range tg.Sent(newID) {
			if strings.Contains(sent.Text, number) {
				note = sent
				return true, nil
			}
		}
		return false, nil
	})
	for _, sent := range tg.Sent(oldID) {
		if strings.Contains(sent.Text, number) {
			t.Errorf("the old chat was notified too: %q", sent.Text)
		}
	}

	take := func(id int64) {
		t.Helper()
		tg.PushCallback(models.User{ID: id, FirstName: "Zamira"}, note, "t:"+number+":take")
		if err := tg.WaitDrained(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	take(oldID)
	if got := s.ticket(a, m.messageID); got.Acted {
		t.Fatal("the officer's old Telegram id took the ticket")
	}
	take(newID)
	testutil.Eventually(t, "the new Telegram id's take", 20*time.Second, func() (bool, error) {
		return s.ticket(a, m.messageID).Acted, nil
	})
}

// workspace is one officer's browser on the daemon's web workspace: its
// own cookies, redirects not followed.
type workspace struct {
	t    *testing.T
	s    *stack
	base string
	c    *http.Client
}

func (s *stack) workspace(t *testing.T) *workspace {
	jar, _ := cookiejar.New(nil)
	return &workspace{t: t, s: s, base: "http://" + s.cfg.Web.Addr, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; a form with "csrf" empty gets the token of the page
// at path first.
func (w *workspace) do(path string, form url.Values) (int, string, string) {
	w.t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = w.c.Get(w.base + path)
	} else {
		resp, err = w.c.PostForm(w.base+path, form)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	linkField = regexp.MustCompile(`name="t" value="([^"]+)"`)
	signInURL = regexp.MustCompile(`http://[^\s]+(/signin/link\?t=[A-Za-z0-9_-]+)`)
)

// askLink posts the sign-in form for addr.
func (w *workspace) askLink(addr string) {
	w.t.Helper()
	_, _, page := w.do("/signin", nil)
	if status, _, _ := w.do("/signin", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]}, "email": {addr}}); status != http.StatusOK {
		w.t.Fatalf("ask a link for %s = %d", addr, status)
	}
}

// signIn asks for a link at addr, waits for it in the mail sent to addr,
// and uses it.
func (w *workspace) signIn(addr string) {
	w.t.Helper()
	seen := len(w.s.smtp.Mails())
	w.askLink(addr)
	var link string
	testutil.Eventually(w.t, "the sign-in mail to "+addr, 20*time.Second, func() (bool, error) {
		for _, m := range w.s.smtp.Mails()[seen:] {
			if len(m.To) == 1 && m.To[0] == addr {
				if l := signInURL.FindSubmatch(mailText(w.t, m.Data)); l != nil {
					link = string(l[1])
					return true, nil
				}
			}
		}
		return false, nil
	})
	_, _, page := w.do(link, nil)
	status, to, _ := w.do("/signin/link", url.Values{"csrf": {csrfField.FindStringSubmatch(page)[1]}, "t": {linkField.FindStringSubmatch(page)[1]}})
	if status != http.StatusSeeOther || to != "/" {
		w.t.Fatalf("sign in as %s with the mailed link = %d %s", addr, status, to)
	}
}

// TestReloadReachesTheWorkspace: a reload reaches the running web
// workspace as it reaches the desk. A reload that fails changes nothing
// there; one that takes an officer out signs them out at once (their
// session is ended in the store, and the audit log says why), lets an
// officer it adds sign in at once, and the ticket's page shows its
// refusal grounds and time zone.
func TestReloadReachesTheWorkspace(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	s.cfg.Web.Addr = testutil.FreeAddr(t)
	request := inboundMail{from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për qasje në dokumente publike",
		messageID: "reload-web@example.net",
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit të qytetit në Prizren, bashkë me aneksin e saj.\n\nMe respekt,\nArben Krasniqi"}
	s.append(request.raw())
	a, stop := s.serve()
	defer stop()
	s.settle(a)
	tk := s.ticket(a, request.messageID)
	if tk.Category != inquiry.DocumentRequest {
		t.Fatalf("the request was filed as %s, want a document request (its page offers the grounds)", tk.Category)
	}
	belgrade, newYork := tk.ReceivedAt.In(s.cfg.Tickets.Location).Format("02.01.2006 15:04"), ""
	if ny, err := time.LoadLocation("America/New_York"); err != nil {
		t.Fatal(err)
	} else {
		newYork = tk.ReceivedAt.In(ny).Format("02.01.2006 15:04")
	}
	const (
		defaultGround = "mbrojtja e privatësisë dhe e të dhënave personale"
		newGround     = "seancë e mbyllur e komisionit"
		dritaAddr     = "drita.berisha@mkrs.example"
	)

	jusuf, zamira := s.workspace(t), s.workspace(t)
	testutil.Eventually(t, "the workspace listening", 20*time.Second, func() (bool, error) {
		resp, err := http.Get(jusuf.base + "/signin")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil, nil
	})
	jusuf.signIn("jusuf.lushaku@mkrs.example")
	zamira.signIn("zamira.ahmeti@mkrs.example")

	// Jusuf out, Drita in (with his document requests), other grounds,
	// another time zone.
	next := s.configText(
		"  - id: jusuf\n    name: \"Jusuf Lushaku\"\n    title: \"Zyrtar i Lartë për Informim\"\n    email: jusuf.lushaku@mkrs.example\n",
		"  - id: drita\n    name: \"Drita Berisha\"\n    email: "+dritaAddr+"\n",
		"    officer: jusuf\n", "    officer: drita\n") +
		fmt.Sprintf("web:\n  addr: %s\n", s.cfg.Web.Addr) +
		"tickets:\n  timezone: America/New_York\n  refusal_grounds:\n    - id: closed_session\n      label:\n" +
		"        sq: \"" + newGround + "\"\n        sr-Latn: \"zatvorena sednica komisije\"\n" +
		"        sr-Cyrl: \"затворена седница комисије\"\n        en: \"closed session of the committee\"\n"

	noOfficer := func() int { return strings.Count(s.logs.String(), "sign-in asked for an address that is no officer's") }
	for _, step := range []struct {
		name, text string
		wantErr    bool
		// jusufIn: Jusuf's session still admits him; dritaIn: asking for
		// a link at Drita's address is an officer's.
		jusufIn, dritaIn bool
		time, ground     string
	}{
		{name: "a reload that fails", text: next + "  unknown_key: 1\n", wantErr: true,
			jusufIn: true, time: belgrade, ground: defaultGround},
		{name: "a reload that applies", text: next, dritaIn: true, time: newYork, ground: newGround},
	} {
		err := a.Reload(s.loader(step.text))
		if (err != nil) != step.wantErr {
			t.Fatalf("%s: Reload = %v, want an error: %v", step.name, err, step.wantErr)
		}
		status, to, _ := jusuf.do("/", nil)
		if in := status == http.StatusOK; in != step.jusufIn || (!in && (status != http.StatusSeeOther || to != "/signin")) {
			t.Errorf("%s: Jusuf's session = %d %q, want it to admit him: %v", step.name, status, to, step.jusufIn)
		}
		if status, _, _ := zamira.do("/", nil); status != http.StatusOK {
			t.Errorf("%s: Zamira's session = %d, want the queue", step.name, status)
		}
		status, _, page := zamira.do("/t/"+tk.Number, nil)
		if status != http.StatusOK || !strings.Contains(page, step.time) || !strings.Contains(page, step.ground) {
			t.Errorf("%s: the ticket's page (%d) lacks the time received %q or the ground %q", step.name, status, step.time, step.ground)
		}
		before := noOfficer()
		s.workspace(t).askLink(dritaAddr)
		if isOfficer := noOfficer() == before; isOfficer != step.dritaIn {
			t.Errorf("%s: a link asked for at Drita's address was an officer's: %v, want %v", step.name, isOfficer, step.dritaIn)
		}
	}

	// Drita, added, signs in at once.
	drita := s.workspace(t)
	drita.signIn(dritaAddr)
	if status, _, page := drita.do("/", nil); status != http.StatusOK || !strings.Contains(page, "Drita Berisha") {
		t.Errorf("Drita's queue = %d, want her signed in", status)
	}
	// Jusuf can no longer ask for a link, and his session was ended in
	// the store with the reason in the audit log.
	before := noOfficer()
	s.workspace(t).askLink("jusuf.lushaku@mkrs.example")
	if noOfficer() != before+1 {
		t.Error("a link for Jusuf's address, taken out, was not refused as no officer's")
	}
	audit, err := a.store.Audit(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(audit, func(e store.AuditEntry) bool {
		return e.OfficerID == "jusuf" && e.Action == "signout" && strings.Contains(e.Detail, "no longer in the configuration; 1 sessions ended")
	}) {
		t.Errorf("no sign-out of Jusuf by the reload in the audit log: %+v", audit)
	}
}
