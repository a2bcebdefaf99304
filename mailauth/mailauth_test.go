package mailauth_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-sasl"

	"sportel/internal/testutil"
	"sportel/mailauth"
	"sportel/mailauth/mailauthtest"
)

func TestTokenOutputs(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, out string
		want      string
		wantErr   string
	}{
		{"bare", "ya29.abc\n", "ya29.abc", ""},
		{"json expires_in", `{"access_token":"tok-1","expires_in":3599,"token_type":"Bearer"}`, "tok-1", ""},
		{"json expires_in as string", `{"access_token":"tok-2","expires_in":"3599"}`, "tok-2", ""},
		{"json expires_at rfc3339", `{"access_token":"tok-3","expires_at":"2026-03-01T11:00:00Z"}`, "tok-3", ""},
		{"json expires_at unix", `{"access_token":"tok-4","expires_at":1772362800}`, "tok-4", ""},
		{"empty", "\n", "", "no token in the output"},
		{"two words", "Bearer secret-token", "", "neither a single token nor a JSON object"},
		{"json without token", `{"expires_in":3600}`, "", "no usable access_token"},
		{"broken json", `{"access_token":"secret-token"`, "", "not valid JSON"},
		{"bad expiry", `{"access_token":"secret-token","expires_at":"tomorrow"}`, "", "expires_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "token")
			if err := os.WriteFile(f, []byte(tt.out), 0o600); err != nil {
				t.Fatal(err)
			}
			src, err := mailauth.NewTokens(mailauth.TokenOptions{File: f, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			got, err := src.Token(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret-token") {
					t.Fatalf("error quotes the output: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Token = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// A token file that is a FIFO is refused, not waited on: opening it waits
// for a writer in a system call ctx cannot end, and the login would hang
// (and a stop of the daemon wait for it).
func TestTokenFileFIFORefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "token")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Were the FIFO opened, this writer would answer it with a token, so a
	// broken check fails the test instead of hanging it.
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.WriteString("ya29.abc\n")
			f.Close()
		}
	}()
	t.Cleanup(func() {
		// Releases the writer when the FIFO was (rightly) never opened.
		if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	src, err := mailauth.NewTokens(mailauth.TokenOptions{File: fifo})
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := src.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("Token from a FIFO = %q, %v; want it refused as not a regular file", tok, err)
	}
}

func TestCommandTokenCachedUntilNearExpiry(t *testing.T) {
	cmd, runs := mailauthtest.Command(t,
		`{"access_token":"tok-1","expires_in":600}`,
		`{"access_token":"tok-2","expires_in":600}`)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{cmd}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	steps := []struct {
		at       time.Duration
		want     string
		wantRuns int
	}{
		{0, "tok-1", 1},
		{5 * time.Minute, "tok-1", 1}, // cached
		{7 * time.Minute, "tok-1", 1},
		{8*time.Minute + 30*time.Second, "tok-2", 2}, // 90 s left: still valid, but refreshed ahead
		{9 * time.Minute, "tok-2", 2},
	}
	start := now
	for _, s := range steps {
		now = start.Add(s.at)
		got, err := src.Token(ctx)
		if err != nil || got != s.want || runs() != s.wantRuns {
			t.Fatalf("at +%s: Token = %q, %v after %d runs; want %q after %d", s.at, got, err, runs(), s.want, s.wantRuns)
		}
	}
	// A refusal of a token another login already replaced does not run the
	// command again.
	if got, err := src.Refresh(ctx, "tok-1"); err != nil || got != "tok-2" || runs() != 2 {
		t.Fatalf("Refresh(stale tok-1) = %q, %v after %d runs", got, err, runs())
	}
	if got, err := src.Refresh(ctx, "tok-2"); err != nil || got != "tok-2" || runs() != 3 {
		t.Fatalf("Refresh(tok-2) = %q, %v after %d runs; want a third run", got, err, runs())
	}
}

func TestCommandFailures(t *testing.T) {
	long := strings.Repeat("x", 500)
	tests := []struct {
		name    string
		body    string
		timeout time.Duration
		want    []string
		notWant []string
	}{
		{"exit status with first stderr line", "echo 'AADSTS700082: refresh token expired' >&2; echo 'second line secret-token' >&2; exit 3",
			0, []string{"exit status 3", "AADSTS700082: refresh token expired"}, []string{"second line", "secret-token"}},
		{"stderr trimmed", "echo " + long + " >&2; exit 1", 0, []string{"exit status 1", "…"}, []string{long}},
		{"timeout", "exec sleep 30", 200 * time.Millisecond, []string{"no token within 200ms"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{mailauthtest.Script(t, tt.body)}, Timeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Token(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q contains %q", err, w)
				}
			}
		})
	}
	if _, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{"/bin/true"}, File: "/x"}); err == nil {
		t.Error("file and command together accepted")
	}
	if _, err := mailauth.NewTokens(mailauth.TokenOptions{}); err == nil {
		t.Error("no source accepted")
	}
}

// TestClientsAgainstServers runs both clients' exchanges against the
// servers the IMAP and SMTP tests use, accepted and refused.
func TestClientsAgainstServers(t *testing.T) {
	tokens := mailauthtest.NewTokens()
	tokens.Set("press@example.gov", "good")
	for _, mech := range []string{mailauth.XOAUTH2, mailauth.OAuthBearer} {
		for _, tok := range []string{"good", "bad"} {
			t.Run(mech+"/"+tok, func(t *testing.T) {
				var c *mailauth.Client
				if mech == mailauth.XOAUTH2 {
					c = mailauth.NewXOAUTH2Client("press@example.gov", tok)
				} else {
					c = mailauth.NewOAuthBearerClient("press@example.gov", tok, "imap.example.gov", 993)
				}
				var loggedIn string
				srv := mailauthtest.NewServer(mailauth.WireName(mech), tokens.Verify, func(u string) error { loggedIn = u; return nil })
				err := exchange(c, srv)
				if tok == "good" {
					if err != nil || loggedIn != "press@example.gov" {
						t.Fatalf("exchange: %v, logged in %q", err, loggedIn)
					}
					return
				}
				if err == nil || loggedIn != "" {
					t.Fatalf("bad token accepted (%v, %q)", err, loggedIn)
				}
				if c.Refusal() == nil || c.Refusal().Status == "" {
					t.Fatalf("server's error challenge not kept: %+v", c.Refusal())
				}
			})
		}
	}
}

// exchange plays a SASL exchange between client and server in memory.
func exchange(c sasl.Client, s sasl.Server) error {
	_, resp, err := c.Start()
	if err != nil {
		return err
	}
	for {
		challenge, done, err := s.Next(resp)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if resp, err = c.Next(challenge); err != nil {
			return err
		}
	}
}

func TestLoginRefreshesOnceOnRefusal(t *testing.T) {
	tests := []struct {
		name      string
		outputs   []string
		valid     string
		wantErr   string
		wantTried []string
	}{
		{"good token", []string{"tok-1"}, "tok-1", "", []string{"tok-1"}},
		{"expired token refreshed", []string{"tok-old", "tok-new"}, "tok-new", "", []string{"tok-old", "tok-new"}},
		{"wrong token twice", []string{"tok-a", "tok-b"}, "tok-z", "also a freshly fetched one", []string{"tok-a", "tok-b"}},
		{"same token again", []string{"tok-a"}, "tok-z", "the token source gave no other", []string{"tok-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, _ := mailauthtest.Command(t, tt.outputs...)
			src, err := mailauth.NewTokens(mailauth.TokenOptions{Command: []string{cmd}})
			if err != nil {
				t.Fatal(err)
			}
			tokens := mailauthtest.NewTokens()
			tokens.Set("press@example.gov", tt.valid)
			logs := testutil.NewLogBuffer(t)
			o := &mailauth.OAuth{Mechanism: mailauth.XOAUTH2, Username: "press@example.gov", Tokens: src, Logger: logs.Logger(slog.LevelInfo)}
			err = o.Login(context.Background(), "", 0, func(c sasl.Client) error {
				return exchange(c, mailauthtest.NewServer("XOAUTH2", tokens.Verify, nil))
			}, func(err error) bool { return errors.Is(err, mailauthtest.ErrRefused) })
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Login: %v", err)
			}
			if tt.wantErr != "" {
				var re *mailauth.RefusedError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &re) || !errors.Is(err, mailauthtest.ErrRefused) {
					t.Fatalf("Login = %v, want a RefusedError with %q", err, tt.wantErr)
				}
				if re.Status != "401" {
					t.Errorf("status %q, want the server's 401", re.Status)
				}
			}
			if got := strings.Join(tokens.Tried(), ","); got != strings.Join(tt.wantTried, ",") {
				t.Errorf("tried %s, want %s", got, strings.Join(tt.wantTried, ","))
			}
			if refreshed := strings.Contains(logs.String(), "access token refused; trying a fresh one"); refreshed != (len(tt.wantTried) == 2) {
				t.Errorf("log says refreshed %v after %d tokens:\n%s", refreshed, len(tt.wantTried), logs)
			}
			if strings.Contains(logs.String(), "tok-") {
				t.Errorf("a token was logged:\n%s", logs)
			}
		})
	}
}
