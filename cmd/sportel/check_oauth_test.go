package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"sportel/mailauth/mailauthtest"
)

const oauthUser = "komunikimi@mkrs.example"

// startTokenIMAP serves go-imap's memory server on loopback, logging in
// only with a token tokens accepts.
func startTokenIMAP(t *testing.T, tokens *mailauthtest.Tokens) string {
	t.Helper()
	user := imapmemserver.NewUser(oauthUser, "memserver-own-password")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mailauthtest.IMAPSession{SessionIMAP4rev2: mem.NewSession().(imapserver.SessionIMAP4rev2),
				Tokens: tokens, User: oauthUser, Password: "memserver-own-password"}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type tokenSMTP struct{ tokens *mailauthtest.Tokens }

func (b tokenSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &tokenSMTPSession{b: b}, nil }

type tokenSMTPSession struct {
	b      tokenSMTP
	authed bool
}

func (s *tokenSMTPSession) AuthMechanisms() []string { return mailauthtest.Mechanisms }
func (s *tokenSMTPSession) Auth(mech string) (sasl.Server, error) {
	return mailauthtest.SMTPAuth(mech, s.b.tokens, func(string) error { s.authed = true; return nil })
}
func (s *tokenSMTPSession) Mail(string, *smtp.MailOptions) error { return smtp.ErrAuthRequired }
func (s *tokenSMTPSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *tokenSMTPSession) Data(io.Reader) error                 { return nil }
func (s *tokenSMTPSession) Reset()                               {}
func (s *tokenSMTPSession) Logout() error                        { return nil }

func startTokenSMTP(t *testing.T, tokens *mailauthtest.Tokens) string {
	t.Helper()
	srv := smtp.NewServer(tokenSMTP{tokens})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = true // loopback only
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// check-config --connect logs in with tokens: IMAP by XOAUTH2 from a
// command, SMTP by OAUTHBEARER from a file.
func TestCheckConfigConnectOAuth(t *testing.T) {
	tests := []struct {
		name     string
		valid    string // the token both servers take
		wantCode int
		wantOut  []string
	}{
		{"good tokens", "tok-good-1", 0, []string{
			"login " + oauthUser + " (XOAUTH2 token): OK", "login " + oauthUser + " (OAUTHBEARER token): OK", "connection check: OK"}},
		{"refused tokens", "tok-other", 1, []string{
			"the server refused the XOAUTH2 token for " + oauthUser + " (status 401); the token source gave no other",
			"hint check that imap.oauth2_token_command (or the file in imap.oauth2_token_file) gives a current token",
			"the server refused the OAUTHBEARER token for " + oauthUser + " (status invalid_token); the token source gave no other",
			"hint check that smtp.oauth2_token_command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := mailauthtest.NewTokens()
			tokens.Set(oauthUser, tt.valid)
			dir := t.TempDir()
			cmd, _ := mailauthtest.Command(t, `{"access_token":"tok-good-1","expires_in":3599}`)
			file := filepath.Join(dir, "smtp-token")
			if err := os.WriteFile(file, []byte("tok-good-1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := fmt.Sprintf(demoConfig, startTokenIMAP(t, tokens), startTokenSMTP(t, tokens), filepath.Join(dir, "sportel.db"))
			cfg = strings.Replace(cfg, "  password: ${SPORTEL_DEMO_IMAP_PASSWORD}\n",
				fmt.Sprintf("  auth: xoauth2\n  oauth2_token_command: [%q]\n", cmd), 1)
			cfg = strings.Replace(cfg, "  security: none\nstore:",
				fmt.Sprintf("  security: none\n  username: %s\n  auth: oauthbearer\n  oauth2_token_file: %q\nstore:", oauthUser, file), 1)
			path := filepath.Join(dir, "sportel.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCmd(t, "", nil, "check-config", "--connect", "--config", path)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, want := range tt.wantOut {
				if !strings.Contains(flat, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out+errOut, "tok-good") {
				t.Errorf("a token was printed:\n%s\n%s", out, errOut)
			}
		})
	}
}
