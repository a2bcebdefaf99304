package inbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/mailauth"
	"sportel/mailauth/mailauthtest"
)

func oauthServer(t *testing.T, tokens *mailauthtest.Tokens) *imapTestServer {
	return startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
		return mailauthtest.IMAPSession{SessionIMAP4rev2: s, Tokens: tokens, User: testUser, Password: testPassword}
	}})
}

func TestOAuthLogin(t *testing.T) {
	tests := []struct {
		name      string
		mech      string
		outputs   []string // what the token command prints, run by run
		valid     string   // the token the server takes
		wantTried []string
		wantErr   string
	}{
		{"xoauth2 good token", mailauth.XOAUTH2, []string{`{"access_token":"tok-1","expires_in":3600}`}, "tok-1", []string{"tok-1"}, ""},
		{"oauthbearer good token", mailauth.OAuthBearer, []string{"tok-1"}, "tok-1", []string{"tok-1"}, ""},
		{"xoauth2 expired token refreshed", mailauth.XOAUTH2, []string{`{"access_token":"tok-old","expires_in":3600}`, `{"access_token":"tok-new","expires_in":3600}`}, "tok-new", []string{"tok-old", "tok-new"}, ""},
		{"oauthbearer expired token refreshed", mailauth.OAuthBearer, []string{"tok-old", "tok-new"}, "tok-new", []string{"tok-old", "tok-new"}, ""},
		{"xoauth2 wrong token", mailauth.XOAUTH2, []string{"tok-a", "tok-b"}, "tok-z", []string{"tok-a", "tok-b"},
			"the server refused the XOAUTH2 token for " + testUser + " (status 401), also a freshly fetched one"},
		{"oauthbearer wrong token", mailauth.OAuthBearer, []string{"tok-a", "tok-b"}, "tok-z", []string{"tok-a", "tok-b"},
			"the server refused the OAUTHBEARER token for " + testUser + " (status invalid_token), also a freshly fetched one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := mailauthtest.NewTokens()
			tokens.Set(testUser, tt.valid)
			ts := oauthServer(t, tokens)
			ts.appendTo("INBOX", rawMail("oauth@example.org", "by token", "x"), time.Time{})
			cmd, _ := mailauthtest.Command(t, tt.outputs...)
			src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{cmd}})
			if err != nil {
				t.Fatal(err)
			}
			opts := baseOptions(ts)
			opts.Password = ""
			opts.OAuth = &mailauth.OAuth{Mechanism: tt.mech, Username: testUser, Tokens: src}

			rep, err := Probe(context.Background(), opts)
			if got := strings.Join(tokens.Tried(), ","); got != strings.Join(tt.wantTried, ",") {
				t.Errorf("server saw tokens %s, want %s", got, strings.Join(tt.wantTried, ","))
			}
			if tt.wantErr != "" {
				var imapErr *imap.Error
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &imapErr) || imapErr.Code != imap.ResponseCodeAuthenticationFailed {
					t.Fatalf("Probe = %v, want an AUTHENTICATIONFAILED error with %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "tok-") {
					t.Errorf("error shows a token: %v", err)
				}
				return
			}
			if err != nil || !rep.LoggedIn || len(rep.Mailboxes) == 0 || rep.Mailboxes[0].Messages != 1 {
				t.Fatalf("Probe = %+v, %v", rep, err)
			}
		})
	}
}

// TestOAuthWatcher takes mail in over a token login, the token cached
// across the sessions a restarted server forces.
func TestOAuthWatcher(t *testing.T) {
	tokens := mailauthtest.NewTokens()
	tokens.Set(testUser, "tok-1")
	ts := oauthServer(t, tokens)
	cmd, runs := mailauthtest.Command(t, `{"access_token":"tok-1","expires_in":3600}`)
	src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{cmd}})
	if err != nil {
		t.Fatal(err)
	}
	opts := baseOptions(ts)
	opts.Password = ""
	opts.OAuth = &mailauth.OAuth{Mechanism: mailauth.XOAUTH2, Username: testUser, Tokens: src}
	d := newTestDesk()
	_, stop := runWatcher(t, opts, d, newMemCheckpoints())
	defer stop()

	ts.appendTo("INBOX", rawMail("first@example.org", "first", "x"), time.Time{})
	d.waitHandled(t, 1, 5*time.Second)
	ts.stop()
	ts.restart()
	ts.appendTo("INBOX", rawMail("second@example.org", "second", "x"), time.Time{})
	d.waitHandled(t, 2, 5*time.Second)
	ts.mailboxHolds(t, processedBox, 2, 5*time.Second)
	if n := runs(); n != 1 {
		t.Errorf("token command ran %d times for two sessions, want 1 (cached)", n)
	}
	if n := len(tokens.Tried()); n < 2 {
		t.Errorf("server saw %d logins, want one per session", n)
	}
}

func TestOAuthMechanismNotOffered(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2}) // a password server: AUTH=PLAIN only
	src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{mailauthtest.Script(t, "echo tok")}})
	if err != nil {
		t.Fatal(err)
	}
	opts := baseOptions(ts)
	opts.OAuth = &mailauth.OAuth{Mechanism: mailauth.XOAUTH2, Username: testUser, Tokens: src}
	_, err = Probe(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "the server does not offer it (it offers PLAIN); check imap.auth") {
		t.Fatalf("Probe = %v, want a clear refusal", err)
	}
}
