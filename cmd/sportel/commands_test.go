package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// runCmd runs sportel with args as main would, returning exit code and output.
func runCmd(t *testing.T, stdin string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	}
	code := run(args, e)
	return code, out.String(), errOut.String()
}

func TestCheckConfig(t *testing.T) {
	// The example relay takes mail without a login: no SMTP password.
	vars := map[string]string{"SPORTEL_IMAP_PASSWORD": "s3cret-imap"}
	code, out, errOut := runCmd(t, "", vars, "check-config", "--config", "../../sportel.example.yaml")
	if code != 0 {
		t.Fatalf("example config: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"OK", "jusuf", "Jusuf Lushaku", "document_request"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "s3cret") {
		t.Error("a secret was printed")
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("mailbox:\n  adress: x\nofficers:\n  - id: a\n    email: not-an-address\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, "", nil, "check-config", "--config", bad)
	if code != 1 {
		t.Fatalf("broken config: exit %d, want 1", code)
	}
	for _, want := range []string{"mailbox.adress", "officers[0].email"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("errors lack %q:\n%s", want, errOut)
		}
	}
}

func TestClassifyCommand(t *testing.T) {
	tests := []struct {
		name, input string
		category    inquiry.Category
		language    inquiry.Language
	}{
		{"plain text", "pershendetje, a mund te me dergoni kopjen e kontrates per renovimin e stadiumit ne Prizren?", inquiry.DocumentRequest, inquiry.Albanian},
		{"an email", "From: n@radio.example\r\nSubject: Интервју\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nПоштовани, молимо за интервју са министром за наш радио.\r\n", inquiry.PressInquiry, inquiry.SerbianCyrl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.input, nil, "classify", "--json", "-")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got struct {
				Category   inquiry.Category
				Confidence float64
				Language   inquiry.Language
				Classifier string
				Reason     string
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out)
			}
			if got.Category != tt.category || got.Language != tt.language || got.Classifier != "builtin" || got.Reason == "" {
				t.Errorf("got %+v, want %s/%s", got, tt.category, tt.language)
			}
		})
	}
}

func TestEvalCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eval.jsonl")
	lines := `{"id":"a","channel":"email","lang":"en","from":"x@example.org","subject":"Documents","body":"Under the Law on Access to Public Documents I request a copy of the contract for the national stadium.","label":"document_request"}
{"id":"b","channel":"telegram","lang":"sq","from":"","subject":"","body":"a mundet ministri me na dhene nje interviste per emisionin tone?","label":"press_inquiry"}
`
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "", nil, "eval", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	last := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	if !strings.HasPrefix(last, "macro-F1: ") {
		t.Errorf("last line %q, want macro-F1: ...", last)
	}

	if err := os.WriteFile(path, []byte(lines+"{broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, "", nil, "eval", path)
	if code == 0 || !strings.Contains(errOut, "3") {
		t.Errorf("broken line: exit %d, error %q should name line 3", code, errOut)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, cmd := range []string{"run", "demo", "check-config", "classify", "eval", "tickets", "calendar", "backup", "version"} {
		code, _, errOut := runCmd(t, "", nil, cmd, "--help")
		if code != 0 || !strings.Contains(errOut, commands()[cmd].summary[:20]) {
			t.Errorf("%s --help: exit %d, output %q", cmd, code, errOut)
		}
	}
	for _, spelling := range []string{"version", "--version", "-version"} {
		if code, out, _ := runCmd(t, "", nil, spelling); code != 0 || !strings.HasPrefix(out, "sportel ") {
			t.Errorf("%s: %d %q", spelling, code, out)
		}
	}
	if code, _, _ := runCmd(t, "", nil, "no-such-command"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

// ticketsConfig writes a configuration whose store is in a temporary
// directory; the mail servers are never contacted by the ticket commands.
func ticketsConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "sportel.yaml")
	cfg := fmt.Sprintf(demoConfig, "127.0.0.1:1", "127.0.0.1:2", filepath.Join(dir, "sportel.db"))
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// openTicketsConfig writes the tickets test configuration and loads it as
// the commands would, with the environment they are given.
func openTicketsConfig(t *testing.T) (path string, vars map[string]string, cfg *config.Config) {
	t.Helper()
	path = ticketsConfig(t)
	vars = map[string]string{"SPORTEL_DEMO_IMAP_PASSWORD": "x"}
	e := &env{getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	cfg, err := loadConfig(path, e)
	if err != nil {
		t.Fatal(err)
	}
	return path, vars, cfg
}

func TestTicketsCommands(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	msgs := []*inquiry.Message{
		{Channel: inquiry.ChannelEmail, SourceID: "msgid:1@x", MessageID: "1@x", From: inquiry.Address{Address: "arben@example.net"},
			Subject: "Kërkesë", Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: time.Now()},
		{Channel: inquiry.ChannelEmail, SourceID: "msgid:2@x", MessageID: "2@x", From: inquiry.Address{Address: "MAILER-DAEMON@mx.example"},
			Automation: inquiry.Machine, AutomationReason: "delivery report", Subject: "Undelivered", ReceivedAt: time.Now()},
	}
	for _, m := range msgs {
		if _, err := a.Desk().Handle(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()

	code, out, errOut := runCmd(t, "", vars, "tickets", "list", "--json", "--config", path)
	if code != 0 {
		t.Fatalf("list: %d %s", code, errOut)
	}
	var listed []inquiry.Ticket
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 1 {
		t.Fatalf("list --json: %v, %d tickets\n%s", err, len(listed), out)
	}
	number := listed[0].Number
	if listed[0].OfficerID != "jusuf" || listed[0].Category != inquiry.DocumentRequest {
		t.Errorf("listed %+v", listed[0])
	}

	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tickets", "show", number}, 0, "Kërkoj kopjen"},
		// Times in tickets.timezone (Europe/Belgrade), not UTC.
		{[]string{"tickets", "show", number}, 0, " CET\n"},
		{[]string{"tickets", "list", "--automated"}, 0, "delivery report"},
		{[]string{"tickets", "assign", number, "zamira"}, 0, "assigned to zamira"},
		{[]string{"tickets", "assign", number, "nobody"}, 1, "unknown officer"},
		{[]string{"tickets", "close", number}, 1, "give an outcome"},
		{[]string{"tickets", "close", number, "--outcome", "maybe"}, 1, "unknown outcome"},
		{[]string{"tickets", "close", number, "--outcome", "partly-granted", "--note", "pa faqen 3"}, 1, "partly_granted needs a ground"},
		{[]string{"tickets", "close", number, "--outcome", "partly-granted", "--ground", "personal_data", "--note", "pa faqen 3"}, 0, "partly_granted (ground personal_data)"},
		// A closed ticket's officer is part of its record: refused, and
		// the listing by officer below still finds it under zamira.
		{[]string{"tickets", "assign", number, "jusuf"}, 1, "is closed: reopen it before assigning it"},
		{[]string{"tickets", "show", "DKP-1999-999999"}, 1, "no ticket"},
		{[]string{"tickets", "list", "--state", "closed"}, 0, number},
		{[]string{"tickets", "list", "--state", "bogus"}, 2, `unknown state "bogus"`},
		{[]string{"tickets", "list", "--officer", "nobody"}, 2, `unknown officer "nobody"`},
		{[]string{"tickets", "list", "--officer", "zamira", "--all"}, 0, number},
	}
	for _, s := range steps {
		code, out, errOut := runCmd(t, "", vars, append(s.args, "--config", path)...)
		if code != s.code || !strings.Contains(out+errOut, s.want) {
			t.Errorf("%v: exit %d, output %q %q; want exit %d containing %q", s.args, code, out, errOut, s.code, s.want)
		}
	}
}

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := runDemo(context.Background(), &out, false, false); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		fmt.Sprintf("DKP-%d-000001  document_request  →  jusuf", time.Now().Year()),
		"упит медија",
		"Poštovani/a Milica Jovanović",
		"bulk mail",
		"acknowledgement to drita.berisha@example.org",
		"sent answer to arben.krasniqi@example.net",
		"ticket state: answered",
		"press_inquiry  →  osman (language sr-Latn)",
		"Dear Sarah",
		"mx.mkrs.example vouches for her address",
		"document_request  →  jusuf (language sq), from Valon Hasani <valon.hasani@example.net>",
		"to valon.hasani@example.net: \"Re: kerkese per dokumente [DKP-",
		"Sportel: mesazhi i përcjellë u regjistrua",
		"Ardit received:",
		"Lista e përfituesve",
		"and the bot told Jusuf: Përgjigjja për",
		// Counted once every due send has gone: the same on every run, at
		// any hour (the daily digest, due by the clock, is off in the demo).
		"26 mails sent by SMTP, 19 Telegram messages sent.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// With classifier.kind openai the configured endpoint classifies; when it
// fails, the built-in model answers and says so.
func TestClassifyWithConfiguredLLM(t *testing.T) {
	tests := []struct {
		name           string
		status         int
		content        string
		wantClassifier string
		wantCategory   inquiry.Category
	}{
		{"the LLM answers", 200, `{"category":"press_inquiry","confidence":0.93,"language":"sq"}`, "llm:test-model", inquiry.PressInquiry},
		{"the LLM fails", 500, "", "builtin (llm failed", inquiry.PressInquiry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, _ = io.ReadAll(r.Body)
				if r.URL.Path != "/v1/chat/completions" {
					http.NotFound(w, r)
					return
				}
				if tt.status != 200 {
					w.WriteHeader(tt.status)
					fmt.Fprint(w, `{"error":{"message":"overloaded","type":"server_error"}}`)
					return
				}
				answer, _ := json.Marshal(tt.content)
				fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":"test-model","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":%s}}]}`, answer)
			}))
			defer srv.Close()
			path := ticketsConfig(t)
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(f, "classifier:\n  kind: openai\n  openai:\n    base_url: %s/v1\n    model: test-model\n    timeout: 2s\n", srv.URL)
			f.Close()
			text := "Jam gazetare e portalit Drita. A mund të na jepni një deklaratë për mbylljen e teatrit? Më shkruani në vjosa@drita.example ose +383 44 123 456."
			code, out, errOut := runCmd(t, text, map[string]string{"SPORTEL_DEMO_IMAP_PASSWORD": "x"}, "classify", "--json", "--config", path, "-")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var res struct {
				Category   inquiry.Category
				Classifier string
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if !strings.HasPrefix(res.Classifier, tt.wantClassifier) || res.Category != tt.wantCategory {
				t.Errorf("got %+v, want classifier %q… and %s", res, tt.wantClassifier, tt.wantCategory)
			}
			if strings.Contains(string(got), "vjosa@drita.example") || strings.Contains(string(got), "123 456") {
				t.Errorf("the request carried the citizen's address or phone: %s", got)
			}
		})
	}
}

func TestCalendarDue(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // the first line, or a part of the error
	}{
		{"calendar days by default", []string{"--received", "2026-12-24T16:00"}, 0, "2026-12-31T23:59:59+01:00"},
		{"working days", []string{"--received", "2026-12-24T16:00", "--count", "working"}, 0, "2027-01-08T23:59:59+01:00"},
		{"a Saturday, calendar days", []string{"--received", "2026-12-26T10:00", "--count", "calendar"}, 0, "2027-01-05T23:59:59+01:00"},
		{"a Saturday, working days", []string{"--received", "2026-12-26T10:00", "--count", "working"}, 0, "2027-01-11T23:59:59+01:00"},
		{"across New Year", []string{"--received", "2027-12-28T09:00", "--count", "working"}, 0, "2028-01-11T23:59:59+01:00"},
		{"RFC 3339 in UTC", []string{"--received", "2026-11-30T23:30:00Z"}, 0, "2026-12-08T23:59:59+01:00"},
		{"urgent", []string{"--received", "2026-12-24T16:00", "--urgent"}, 0, "2026-12-26T16:00:00+01:00"},
		{"extended, calendar days", []string{"--received", "2026-12-24T16:00", "--extend", "15"}, 0, "2027-01-15T23:59:59+01:00"},
		{"extended, working days", []string{"--received", "2026-12-24T16:00", "--extend", "15", "--count", "working"}, 0, "2027-01-29T23:59:59+01:00"},
		{"not held", []string{"--received", "2026-12-24T16:00", "--not-held"}, 0, "2027-01-05T23:59:59+01:00"},
		{"no --received", nil, 2, "--received is required"},
		{"a bad time", []string{"--received", "24.12.2026 16:00"}, 2, `"24.12.2026 16:00" is not a time`},
		{"a bad count", []string{"--received", "2026-12-24T16:00", "--count", "lunar"}, 2, `"lunar" is not a way to count days`},
		{"too long an extension", []string{"--received", "2026-12-24T16:00", "--extend", "16"}, 2, "an extension is 1 to 15 days"},
		{"two kinds at once", []string{"--received", "2026-12-24T16:00", "--urgent", "--not-held"}, 2, "give one of"},
		{"an unknown flag", []string{"--recieved", "2026-12-24T16:00"}, 2, "flag provided but not defined"},
		{"an argument", []string{"--received", "2026-12-24T16:00", "tomorrow"}, 2, `unexpected argument "tomorrow"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", nil, append([]string{"calendar", "due"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if tt.code != 0 {
				if !strings.Contains(errOut, tt.want) {
					t.Errorf("error %q lacks %q", errOut, tt.want)
				}
				return
			}
			lines := strings.Split(out, "\n")
			if lines[0] != tt.want || !strings.HasPrefix(lines[1], "registered: ") || !strings.HasPrefix(lines[2], "counted: ") {
				t.Errorf("output:\n%s\nwant first line %s, then registered and counted", out, tt.want)
			}
		})
	}
}

// With --config the file's tickets settings count: working days, and a
// day off the government declared.
func TestCalendarDueWithConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sportel.yaml")
	cfg := `mailbox: {address: komunikimi@mkrs.example}
imap: {addr: "127.0.0.1:1", security: none, username: u, password: "${PW}"}
smtp: {addr: "127.0.0.1:2", security: none}
officers: [{id: jusuf, name: Jusuf, email: jusuf@mkrs.example}]
routing: [{officer: jusuf}]
tickets:
  deadline_count: working
  calendar:
    days_off: [{date: 2026-12-28, name: Government decision}]
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"PW": "x"}
	code, out, errOut := runCmd(t, "", vars, "calendar", "due", "--received", "2026-12-24T16:00", "--config", path)
	// 28 December is off as well: the 7th working day is 11 January.
	if code != 0 || !strings.HasPrefix(out, "2027-01-11T23:59:59+01:00\n") {
		t.Errorf("exit %d, output %q %q", code, out, errOut)
	}
	code, out, _ = runCmd(t, "", vars, "calendar", "holidays", "--year", "2026", "--config", path)
	if code != 0 || !strings.Contains(out, "2026-12-28  Government decision\n") {
		t.Errorf("holidays: exit %d\n%s", code, out)
	}
	// The calendar uses no secret: a user without them gets the same answer.
	if code, out, errOut := runCmd(t, "", nil, "calendar", "due", "--received", "2026-12-24T16:00", "--config", path); code != 0 || !strings.HasPrefix(out, "2027-01-11T23:59:59+01:00\n") {
		t.Errorf("config without its variable: exit %d, %q %q", code, out, errOut)
	}
}

func TestCalendarHolidays(t *testing.T) {
	code, out, errOut := runCmd(t, "", nil, "calendar", "holidays", "--year", "2027")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, want := range []string{
		"2027-01-01  New Year's Day",
		"2027-05-03  Orthodox Easter Monday",
		"2027-05-04  Labour Day  (shifted: in place of 2027-05-01, a Saturday)",
		"2027-12-27  Catholic Christmas  (shifted: in place of 2027-12-25, a Saturday)",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("no line %q in:\n%s", want, out)
		}
	}
	if len(lines) != 17 {
		t.Errorf("%d lines, want 17", len(lines))
	}

	code, out, errOut = runCmd(t, "", nil, "calendar", "holidays", "--year", "2029")
	if code != 0 || !strings.Contains(out, "2029-04-09  Constitution Day / Orthodox Easter Monday") || !strings.Contains(errOut, "Eid al-Fitr (Bajrami i Madh) in 2029 is not known") {
		t.Errorf("2029: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{{"holidays", "--year", "twenty"}, {"holidays", "--year", "-1"}, {"weekends"}, {}} {
		if code, _, _ := runCmd(t, "", nil, append([]string{"calendar"}, args...)...); code != 2 {
			t.Errorf("calendar %v: exit %d, want 2", args, code)
		}
	}
}

// The daemon's wiring takes the deadline's counting from the
// configuration: working days put 24 December's request on 8 January.
func TestConfiguredDeadlineReachesTheTicket(t *testing.T) {
	path := ticketsConfig(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), "tickets:\n", "tickets:\n  deadline_count: working\n", 1))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{getenv: func(k string) (string, bool) { return "x", k == "SPORTEL_DEMO_IMAP_PASSWORD" }}
	cfg, err := loadConfig(path, e)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "msgid:1@x", MessageID: "1@x", From: inquiry.Address{Address: "arben@example.net"},
		Subject: "Kërkesë", Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit.", ReceivedAt: time.Date(2026, 12, 24, 15, 0, 0, 0, time.UTC)}
	if _, err := a.Desk().Handle(ctx, m); err != nil {
		t.Fatal(err)
	}
	tk, ok, err := a.Store().TicketByNumber(ctx, "DKP-2026-000001")
	if err != nil || !ok {
		t.Fatalf("ticket: %v %v", ok, err)
	}
	if got := tk.DueAt.In(cfg.Tickets.Location).Format(time.RFC3339); tk.Category != inquiry.DocumentRequest || got != "2027-01-08T23:59:59+01:00" {
		t.Errorf("%s due %s, want 2027-01-08T23:59:59+01:00", tk.Category, got)
	}
}

// A subject, name, text or attachment name holding terminal escapes is
// printed with them escaped: the officer's terminal gets no ESC, BEL, C1
// or bidi control from a citizen (issue #9).
func TestTicketsOutputEscapesControlCharacters(t *testing.T) {
	const attack = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e"
	const shown = `\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e`
	path, vars, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	msgs := []*inquiry.Message{
		{Channel: inquiry.ChannelEmail, SourceID: "msgid:e1@x", MessageID: "e1@x",
			From:    inquiry.Address{Name: "Arta" + attack, Address: "arta@example.net"},
			Subject: "Kërkesë" + attack, Text: "Kërkoj kopjen e kontratës për stadiumin." + attack + "\nFaleminderit",
			Attachments: []inquiry.Attachment{{Name: "kontrata" + attack + ".pdf", ContentType: "application/pdf", Size: 3, Content: []byte("pdf")}},
			ReceivedAt:  time.Now()},
		{Channel: inquiry.ChannelEmail, SourceID: "msgid:e2@x", MessageID: "e2@x", From: inquiry.Address{Address: "MAILER-DAEMON@mx.example"},
			Automation: inquiry.Machine, AutomationReason: "delivery report", Subject: "Undelivered" + attack, ReceivedAt: time.Now()},
	}
	for _, m := range msgs {
		if _, err := a.Desk().Handle(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := a.Store().ListTickets(ctx, inquiry.TicketFilter{})
	a.Close()
	if err != nil || len(ts) != 1 {
		t.Fatalf("%d tickets, %v; want 1", len(ts), err)
	}
	number := ts[0].Number

	tests := []struct {
		args []string
		want []string // escaped forms that must be shown
	}{
		{[]string{"tickets", "list"}, []string{"Kërkesë" + `\x1b]0;pwned\x07\x1b[2J`}},
		{[]string{"tickets", "show", number}, []string{"Kërkesë" + shown, "Arta" + shown, "stadiumin." + shown + "\nFaleminderit", "kontrata" + shown + ".pdf"}},
		{[]string{"tickets", "list", "--automated"}, []string{"Undelivered" + `\x1b]0;pwned\x07\x1b[2J`}},
		{[]string{"tickets", "list", "--json"}, []string{`Kërkesë\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e`}},
		{[]string{"tickets", "show", number, "--json"}, []string{`kontrata\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e.pdf`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCmd(t, "", vars, append(tt.args, "--config", path)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if n := strings.Count(out+errOut, "\x1b") + strings.Count(out+errOut, "\x07"); n != 0 {
				t.Errorf("%d ESC/BEL bytes printed:\n%q", n, out)
			}
			if strings.ContainsAny(out+errOut, "\u009b\u202e") {
				t.Errorf("C1 or bidi control printed:\n%q", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
