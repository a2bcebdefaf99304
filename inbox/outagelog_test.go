package inbox

import (
	"bufio"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// An outage of the mailbox, as the journal shows it at info level: the
// first failure once, at error, with its cause and the setting to look at
// (never the password); the retries not at error; and, when the server
// answers again, a line that says so. Real in-memory server, each fault
// made as an administrator meets it.
func TestOutageLoggedOnceWithHint(t *testing.T) {
	serverTLS, _ := testutil.SelfSignedTLS(t)
	const down = `msg="imap mailbox cannot be read"`
	tests := []struct {
		name string
		srv  serverConfig
		// fault makes the watcher fail against ts and returns what ends
		// the fault, nil when the test does not end it.
		fault    func(ts *imapTestServer, opts *Options) (fix func())
		wantHint string
	}{
		{"server down", serverConfig{caps: capsRev2}, func(ts *imapTestServer, _ *Options) func() {
			// Once it greets, it serves: a stop now closes its listener.
			c, err := net.Dial("tcp", ts.addr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
				t.Fatal(err)
			}
			c.Close()
			ts.stop()
			return ts.restart
		}, "nothing accepts connections at imap.addr"},
		{"private CA", serverConfig{caps: capsRev2, tlsCfg: serverTLS, implicit: true}, func(_ *imapTestServer, o *Options) func() {
			o.Security, o.TLSConfig = SecurityTLS, nil // the system's roots, which do not know it
			return nil
		}, "set imap.ca_file"},
		{"tls on a plain port", serverConfig{caps: capsRev2}, func(_ *imapTestServer, o *Options) func() {
			o.Security = SecurityTLS
			return nil
		}, "set imap.security: starttls"},
		{"wrong password", serverConfig{caps: capsRev2}, func(_ *imapTestServer, o *Options) func() {
			o.Password = "not-the-password-xyz"
			return nil
		}, "check imap.username and imap.password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, tt.srv)
			opts := baseOptions(ts)
			opts.BackoffMin, opts.BackoffMax = 10*time.Millisecond, 20*time.Millisecond
			fix := tt.fault(ts, &opts)
			logs := testutil.NewLogBuffer(t)
			opts.Logger = logs.Logger(slog.LevelInfo)
			w, _ := runWatcher(t, opts, newTestDesk(), newMemCheckpoints())
			testutil.Eventually(t, "five failed attempts", 5*time.Second, func() (bool, error) {
				return w.Stats().Errors >= 5, nil
			})
			var errorLines []string
			for line := range strings.SplitSeq(logs.String(), "\n") {
				if strings.Contains(line, "level=ERROR") {
					errorLines = append(errorLines, line)
				}
			}
			if len(errorLines) != 1 || !strings.Contains(errorLines[0], down) {
				t.Fatalf("%d failures logged %d lines at error, want the first alone:\n%s", w.Stats().Errors, len(errorLines), strings.Join(errorLines, "\n"))
			}
			if !strings.Contains(errorLines[0], tt.wantHint) || !strings.Contains(errorLines[0], "err=") {
				t.Errorf("the failure does not say its cause and %q:\n%s", tt.wantHint, errorLines[0])
			}
			if strings.Contains(logs.String(), "not-the-password-xyz") || strings.Contains(logs.String(), testPassword) {
				t.Errorf("a password was logged:\n%s", logs.String())
			}
			if fix == nil {
				return
			}
			fix()
			testutil.Eventually(t, "the mailbox read again", 5*time.Second, func() (bool, error) {
				return w.Stats().Searches > 0, nil
			})
			if !strings.Contains(logs.String(), `level=INFO msg="imap mailbox answers again"`) {
				t.Errorf("the end of the outage was not logged:\n%s", logs.String())
			}
		})
	}
}
