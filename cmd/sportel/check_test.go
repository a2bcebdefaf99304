package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"sportel/inbox"
	"sportel/internal/devserver"
	"sportel/mailer"
)

// check-config --connect logs in to real servers (the devserver's go-imap
// memory server and go-smtp server) and reports what it found; a failure
// on either side exits 1 and says what to look at.
func TestCheckConfigConnect(t *testing.T) {
	const user, password = "komunikimi@mkrs.example", "check-S3cret-imap"
	imapSrv, err := devserver.StartIMAP(user, password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imapSrv.Close() })
	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtpSrv.Close() })
	dir := t.TempDir()
	write := func(name, imapAddr, smtpAddr string) string {
		path := filepath.Join(dir, name)
		cfg := fmt.Sprintf(demoConfig, imapAddr, smtpAddr, filepath.Join(dir, "sportel.db"))
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.yaml", imapSrv.Addr, smtpSrv.Addr)
	noSMTP := write("nosmtp.yaml", imapSrv.Addr, "127.0.0.1:1")

	tests := []struct {
		name     string
		path     string
		password string
		wantCode int
		wantOut  []string
		wantErr  []string
	}{
		{"first run creates the mailboxes", good, password, 0, []string{
			"IMAP " + imapSrv.Addr + " (none)", "login komunikimi@mkrs.example: OK", "IMAP4rev2",
			`separator "/"`, `namespace ""`,
			"watched INBOX → INBOX: 0 messages",
			"first start 0 messages are in INBOX, which Sportel has not read yet: with imap.first_start: all each becomes a ticket and is acknowledged at the first start",
			"processed Sportel/Processed → Sportel/Processed: created (run would have)",
			"quarantine Sportel/Quarantine → Sportel/Quarantine: created (run would have)",
			"SMTP " + smtpSrv.Addr + " (none)", "ehlo", "login none (no smtp.username)",
			"connection check: OK"}, nil},
		{"second run finds them", good, password, 0, []string{
			"processed Sportel/Processed → Sportel/Processed: 0 messages", "connection check: OK"}, nil},
		{"wrong imap password", good, "wrong-password", 1, []string{
			"FAILED", "AUTHENTICATIONFAILED", "hint check imap.username and imap.password",
			"SMTP " + smtpSrv.Addr}, []string{"connection check FAILED: imap"}},
		{"smtp unreachable", noSMTP, password, 1, []string{
			"login komunikimi@mkrs.example: OK", "FAILED smtp dial 127.0.0.1:1"},
			[]string{"connection check FAILED: smtp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"SPORTEL_DEMO_IMAP_PASSWORD": tt.password}
			code, out, errOut := runCmd(t, "", vars, "check-config", "--connect", "--config", tt.path)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			// Columns are aligned with spaces; compare words.
			flat := strings.Join(strings.Fields(out), " ")
			for _, want := range tt.wantOut {
				if !strings.Contains(flat, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if strings.Contains(out+errOut, tt.password) {
				t.Error("the password was printed")
			}
		})
	}
	// The store was only looked for: check-config never makes it.
	if _, err := os.Stat(filepath.Join(dir, "sportel.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("check-config --connect left a store behind (stat: %v)", err)
	}
	// Without --connect nothing is contacted: the servers see no login.
	before := smtpSrv.Count()
	code, out, errOut := runCmd(t, "", map[string]string{"SPORTEL_DEMO_IMAP_PASSWORD": password}, "check-config", "--config", noSMTP)
	if code != 0 || strings.Contains(out, "IMAP ") || strings.Contains(out, "connection check") || smtpSrv.Count() != before {
		t.Errorf("offline check: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestCheckHint(t *testing.T) {
	cert := &x509.Certificate{DNSNames: []string{"mail.mkrs.example"}}
	tests := []struct {
		name    string
		err     error
		section string
		want    string
	}{
		{"certificate for another name", fmt.Errorf("connect: tls handshake: %w",
			&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: cert, Host: "10.20.0.5"}}), "smtp",
			"the certificate is not for 10.20.0.5: set smtp.tls_server_name"},
		{"unknown CA", fmt.Errorf("starttls: %w", x509.UnknownAuthorityError{Cert: cert}), "imap", "set imap.ca_file"},
		{"refused mailbox", &inbox.MailboxError{Role: "quarantine", Configured: "Sportel/Quarantine", Op: "create",
			Err: &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot}}, "imap", "set imap.quarantine_mailbox"},
		{"imap login", fmt.Errorf("login as x: %w", &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed}),
			"imap", "check imap.username and imap.password"},
		{"smtp login", &mailer.SendError{Op: "smtp auth as x", Err: &smtp.SMTPError{Code: 535}}, "smtp", "check smtp.username and smtp.password"},
		{"network", errors.New("dial tcp 127.0.0.1:1: connection refused"), "smtp", ""},
	}
	// What the real mailer says with security: tls against a server that
	// speaks plain SMTP on its port (587 taken for 465).
	plain, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	m, err := mailer.New(mailer.Options{Addr: plain.Addr, Security: mailer.SecurityTLS})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, probeErr := m.Probe(ctx)
	if probeErr == nil {
		t.Fatal("a TLS probe of a plain SMTP server succeeded")
	}
	// What a dial to a port nothing listens on says.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	_, dialErr := net.Dial("tcp", ln.Addr().String())
	if dialErr == nil {
		t.Fatal("a dial to a closed port succeeded")
	}
	tests = append(tests, []struct {
		name    string
		err     error
		section string
		want    string
	}{
		{"implicit TLS to a plain port", probeErr, "smtp", "set smtp.security: starttls"},
		{"connection refused", fmt.Errorf("connect: %w", dialErr), "imap", "nothing accepts connections at imap.addr"},
	}...)
	for _, tt := range tests {
		if got := hint(tt.err, tt.section); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: hint %q, want one containing %q", tt.name, got, tt.want)
		}
	}
}

// check-config --connect asks a configured LLM endpoint one classification:
// a base_url without /v1 fails with the settings to look at, and exits 1.
func TestCheckConfigConnectLLM(t *testing.T) {
	imapSrv, smtpSrv := runServers(t)
	llmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop",`+
			`"message":{"role":"assistant","content":"{\"category\":\"document_request\",\"confidence\":0.9,\"language\":\"sq\"}"}}]}`)
	}))
	t.Cleanup(llmSrv.Close)
	dir := t.TempDir()
	tests := []struct {
		name     string
		baseURL  string
		wantCode int
		wantOut  []string
		wantErr  string
	}{
		{"answers", llmSrv.URL + "/v1", 0, []string{"LLM qwen2.5:7b-instruct at " + llmSrv.URL + "/v1",
			"answer document_request (confidence 0.90, language sq)", "connection check: OK"}, ""},
		{"base_url without /v1", llmSrv.URL, 1, []string{"LLM qwen2.5:7b-instruct at " + llmSrv.URL,
			"FAILED http 404", "base_url usually ends in /v1"}, "connection check FAILED: llm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "sportel.yaml")
			cfg := fmt.Sprintf(demoConfig, imapSrv.Addr, smtpSrv.Addr, filepath.Join(dir, "sportel.db")) +
				"classifier:\n  kind: openai\n  openai:\n    base_url: " + tt.baseURL + "\n    model: qwen2.5:7b-instruct\n    timeout: 5s\n"
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCmd(t, "", map[string]string{"SPORTEL_DEMO_IMAP_PASSWORD": runPassword}, "check-config", "--connect", "--config", path)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, want := range tt.wantOut {
				if !strings.Contains(flat, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut)
			}
		})
	}
}
