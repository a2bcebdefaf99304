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
	"strings"
	"testing"
	"time"

	"sportel/app"
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
	vars := map[string]string{"SPORTEL_IMAP_PASSWORD": "s3cret-imap", "SPORTEL_SMTP_PASSWORD": "s3cret-smtp"}
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
	for _, cmd := range []string{"run", "demo", "check-config", "classify", "eval", "tickets"} {
		code, _, errOut := runCmd(t, "", nil, cmd, "--help")
		if code != 0 || !strings.Contains(errOut, commands()[cmd].summary[:20]) {
			t.Errorf("%s --help: exit %d, output %q", cmd, code, errOut)
		}
	}
	if code, out, _ := runCmd(t, "", nil, "version"); code != 0 || !strings.HasPrefix(out, "sportel ") {
		t.Errorf("version: %d %q", code, out)
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

func TestTicketsCommands(t *testing.T) {
	path := ticketsConfig(t)
	vars := map[string]string{"SPORTEL_DEMO_IMAP_PASSWORD": "x"}
	e := &env{getenv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
	cfg, err := loadConfig(path, e)
	if err != nil {
		t.Fatal(err)
	}
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
		{[]string{"tickets", "list", "--automated"}, 0, "delivery report"},
		{[]string{"tickets", "assign", number, "zamira"}, 0, "assigned to zamira"},
		{[]string{"tickets", "assign", number, "nobody"}, 1, "unknown officer"},
		{[]string{"tickets", "close", number}, 1, "give an outcome"},
		{[]string{"tickets", "close", number, "--outcome", "maybe"}, 1, "unknown outcome"},
		{[]string{"tickets", "close", number, "--outcome", "partly-granted", "--note", "pa faqen 3"}, 0, "partly_granted"},
		{[]string{"tickets", "show", "DKP-1999-999999"}, 1, "no ticket"},
		{[]string{"tickets", "list", "--state", "closed"}, 0, number},
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
		"Ardit received:",
		"Lista e përfituesve",
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
