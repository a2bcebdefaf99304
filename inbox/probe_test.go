package inbox

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/internal/testutil"
)

func TestProbe(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name       string
		server     serverConfig
		security   string
		serverName string // TLSConfig.ServerName; the certificate is for 127.0.0.1 and localhost
		wantBoxes  []ProbedMailbox
		wantErr    string
	}{
		{"starttls", serverConfig{caps: capsRev2, tlsCfg: serverTLS}, SecurityStartTLS, "", []ProbedMailbox{
			{Role: "watched", Configured: "INBOX", Name: "INBOX", Messages: 1},
			{Role: "processed", Configured: processedBox, Name: processedBox, Created: true},
			{Role: "quarantine", Configured: quarantineBx, Name: quarantineBx, Created: true},
		}, ""},
		{"implicit tls, name from tls_server_name", serverConfig{caps: capsRev2, tlsCfg: serverTLS, implicit: true}, SecurityTLS, "localhost", []ProbedMailbox{
			{Role: "watched", Configured: "INBOX", Name: "INBOX", Messages: 1},
			{Role: "processed", Configured: processedBox, Name: processedBox, Created: true},
			{Role: "quarantine", Configured: quarantineBx, Name: quarantineBx, Created: true},
		}, ""},
		{"namespace under INBOX", serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
			return prefixSession{s}
		}}, SecurityNone, "", []ProbedMailbox{
			{Role: "watched", Configured: "INBOX", Name: "INBOX", Messages: 1},
			{Role: "processed", Configured: processedBox, Name: "INBOX/" + processedBox, Created: true},
			{Role: "quarantine", Configured: quarantineBx, Name: "INBOX/" + quarantineBx, Created: true},
		}, ""},
		{"implicit tls, certificate for another name", serverConfig{caps: capsRev2, tlsCfg: serverTLS, implicit: true}, SecurityTLS, "imap.mkrs.example", nil,
			"certificate is valid for"},
		{"starttls, certificate for another name", serverConfig{caps: capsRev2, tlsCfg: serverTLS}, SecurityStartTLS, "imap.mkrs.example", nil,
			"certificate is valid for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, tt.server)
			ts.appendTo("INBOX", rawMail("p@example.org", "waiting", "x"), time.Time{})
			opts := baseOptions(ts)
			opts.Security = tt.security
			if tt.server.tlsCfg != nil {
				opts.TLSConfig = clientTLS.Clone()
				opts.TLSConfig.ServerName = tt.serverName
			}
			rep, err := Probe(context.Background(), opts)
			if tt.wantErr != "" {
				var hostErr x509.HostnameError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &hostErr) {
					t.Fatalf("Probe error %v, want an x509.HostnameError containing %q", err, tt.wantErr)
				}
				if rep.LoggedIn || rep.TLS != nil {
					t.Errorf("report %+v: logged in or TLS over an unverified connection", rep)
				}
				return
			}
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if !strings.HasPrefix(rep.Greeting, "* OK") || !rep.LoggedIn || !slices.Contains(rep.Caps, "IMAP4rev2") {
				t.Errorf("greeting %q, logged in %v, caps %v", rep.Greeting, rep.LoggedIn, rep.Caps)
			}
			if (rep.TLS != nil) != (tt.security != SecurityNone) {
				t.Errorf("TLS state %v with security %s", rep.TLS != nil, tt.security)
			}
			if rep.Hierarchy.Delim != '/' {
				t.Errorf("separator %q, want /", rep.Hierarchy.Delim)
			}
			if !slices.Equal(rep.Mailboxes, tt.wantBoxes) {
				t.Errorf("mailboxes\n got %+v\nwant %+v", rep.Mailboxes, tt.wantBoxes)
			}
			// The watcher's checkpoint key and the mailbox's UIDVALIDITY,
			// which check-config looks the checkpoint up with.
			w, err := NewWatcher(opts, newTestDesk(), newMemCheckpoints())
			if err != nil {
				t.Fatal(err)
			}
			if rep.CheckpointKey != w.CheckpointKey() || rep.UIDValidity == 0 {
				t.Errorf("checkpoint key %q, UIDVALIDITY %d; want the watcher's %q and the mailbox's", rep.CheckpointKey, rep.UIDValidity, w.CheckpointKey())
			}
			// Nothing was read, flagged or moved.
			if n, unseen := ts.status("INBOX"); n != 1 || unseen != 1 {
				t.Errorf("INBOX holds %d messages, %d unseen; want the one, unseen", n, unseen)
			}
			// A second probe finds the mailboxes it made.
			rep, err = Probe(context.Background(), opts)
			if err != nil || rep.Mailboxes[1].Created || rep.Mailboxes[2].Created {
				t.Errorf("second probe: %v, mailboxes %+v; want them found, not created", err, rep.Mailboxes)
			}
		})
	}
}
