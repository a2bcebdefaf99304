package mailer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sportel/internal/testutil"
	"sportel/mailauth"
	"sportel/mailauth/mailauthtest"
)

func TestSendMailOAuth(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name      string
		mech      string
		outputs   []string // the token command's output, run by run
		valid     string   // the token the server takes
		wantTried []string
		wantErr   string // "" for a sent mail
	}{
		{"xoauth2 good token", mailauth.XOAUTH2, []string{`{"access_token":"tok-1","expires_in":3599}`}, "tok-1", []string{"tok-1"}, ""},
		{"oauthbearer good token", mailauth.OAuthBearer, []string{"tok-1"}, "tok-1", []string{"tok-1"}, ""},
		{"xoauth2 expired token refreshed", mailauth.XOAUTH2, []string{"tok-old", "tok-new"}, "tok-new", []string{"tok-old", "tok-new"}, ""},
		{"oauthbearer expired token refreshed", mailauth.OAuthBearer, []string{`{"access_token":"tok-old","expires_in":3599}`, `{"access_token":"tok-new","expires_in":3599}`}, "tok-new", []string{"tok-old", "tok-new"}, ""},
		{"xoauth2 wrong token", mailauth.XOAUTH2, []string{"tok-a", "tok-b"}, "tok-z", []string{"tok-a", "tok-b"},
			"smtp auth XOAUTH2 as " + smtpUser + ": the server refused the XOAUTH2 token for " + smtpUser + " (status 401), also a freshly fetched one"},
		{"oauthbearer wrong token", mailauth.OAuthBearer, []string{"tok-a", "tok-b"}, "tok-z", []string{"tok-a", "tok-b"},
			"the server refused the OAUTHBEARER token for " + smtpUser + " (status invalid_token), also a freshly fetched one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := mailauthtest.NewTokens()
			tokens.Set(smtpUser, tt.valid)
			be := &backend{requireAuth: true, tokens: tokens}
			cmd, _ := mailauthtest.Command(t, tt.outputs...)
			src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{cmd}})
			if err != nil {
				t.Fatal(err)
			}
			mlr, err := New(Options{
				Addr: startSMTP(t, be, serverTLS, false), Security: SecurityStartTLS,
				Username: smtpUser, TLSConfig: clientTLS, Logger: testutil.DiscardLogger(),
				OAuth: &mailauth.OAuth{Mechanism: tt.mech, Username: smtpUser, Tokens: src},
			})
			if err != nil {
				t.Fatal(err)
			}
			err = mlr.SendMail(context.Background(), sampleMail())
			if got := strings.Join(tokens.Tried(), ","); got != strings.Join(tt.wantTried, ",") {
				t.Errorf("server saw tokens %s, want %s", got, strings.Join(tt.wantTried, ","))
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("SendMail: %v", err)
				}
				if got := be.mails(); len(got) != 1 || !got[0].Authed || !got[0].TLS {
					t.Fatalf("server got %+v", got)
				}
				return
			}
			var se *SendError
			// A refused token is the relay's or the configuration's fault,
			// the same for every mail: the mail waits, it does not fail.
			if !errors.As(err, &se) || se.Permanent() || !se.RelayFault() || se.Code != 535 || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("SendMail = %v, want a temporary relay-fault SendError (535) with %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "tok-") {
				t.Errorf("error shows a token: %v", err)
			}
			if len(be.mails()) != 0 {
				t.Error("mail sent without a login")
			}
		})
	}
}

func TestSendMailOAuthFailures(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name    string
		offer   bool // the server offers XOAUTH2
		command string
		wantErr string
	}{
		// The identity provider may be down for a moment: the job is retried.
		{"token command fails", true, "echo 'AADSTS90002: tenant not found' >&2; exit 1",
			"get access token: run token command"},
		{"mechanism not offered", false, "echo tok-1", "the server does not offer AUTH XOAUTH2; check smtp.auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := mailauthtest.NewTokens()
			be := &backend{requireAuth: true}
			if tt.offer {
				be.tokens = tokens
			}
			src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{mailauthtest.Script(t, tt.command)}})
			if err != nil {
				t.Fatal(err)
			}
			mlr, err := New(Options{
				Addr: startSMTP(t, be, serverTLS, false), Security: SecurityStartTLS,
				Username: smtpUser, TLSConfig: clientTLS, Logger: testutil.DiscardLogger(),
				OAuth: &mailauth.OAuth{Mechanism: mailauth.XOAUTH2, Username: smtpUser, Tokens: src},
			})
			if err != nil {
				t.Fatal(err)
			}
			err = mlr.SendMail(context.Background(), sampleMail())
			var se *SendError
			// Both fail every mail alike: retried and alerted, never
			// a job failed for good.
			if !errors.As(err, &se) || se.Permanent() || !se.RelayFault() || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("SendMail = %v, want a temporary relay-fault SendError with %q", err, tt.wantErr)
			}
		})
	}
}
