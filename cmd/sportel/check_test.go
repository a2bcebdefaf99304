package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportel/internal/devserver"
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
	// Without --connect nothing is contacted: the servers see no login.
	before := smtpSrv.Count()
	code, out, errOut := runCmd(t, "", map[string]string{"SPORTEL_DEMO_IMAP_PASSWORD": password}, "check-config", "--config", noSMTP)
	if code != 0 || strings.Contains(out, "IMAP ") || strings.Contains(out, "connection check") || smtpSrv.Count() != before {
		t.Errorf("offline check: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
