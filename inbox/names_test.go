package inbox

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/internal/testutil"
)

func TestServerName(t *testing.T) {
	slash := Hierarchy{Delim: '/'}                     // go-imap's memory server, Dovecot with separator = /
	maildir := Hierarchy{Delim: '.', Prefix: "INBOX."} // Dovecot's Maildir++ layout, Courier
	dotNoPrefix := Hierarchy{Delim: '.'}
	slashPrefix := Hierarchy{Delim: '/', Prefix: "INBOX/"}
	flat := Hierarchy{}
	tests := []struct {
		h          Hierarchy
		configured string
		want       string
		wantErr    string
	}{
		{slash, "INBOX", "INBOX", ""},
		{slash, "inbox", "INBOX", ""},
		{slash, "Sportel/Processed", "Sportel/Processed", ""},
		{slash, "Sportel.Processed", "Sportel.Processed", ""},
		{slash, "inbox/Sportel", "INBOX/Sportel", ""},
		{maildir, "INBOX", "INBOX", ""},
		{maildir, "Sportel/Processed", "INBOX.Sportel.Processed", ""},
		{maildir, "Processed", "INBOX.Processed", ""},
		{maildir, "INBOX/Sportel/Processed", "INBOX.Sportel.Processed", ""},
		{maildir, "Inbox/Sportel", "INBOX.Sportel", ""},
		{maildir, "INBOXES/Sportel", "INBOX.INBOXES.Sportel", ""},
		{maildir, "Sportel.Processed", "", `"." is this server's level separator`},
		{maildir, "INBOX.Sportel", "", `"." is this server's level separator`},
		{dotNoPrefix, "Sportel/Quarantine", "Sportel.Quarantine", ""},
		{slashPrefix, "Sportel/Processed", "INBOX/Sportel/Processed", ""},
		{slashPrefix, "INBOX/Sportel/Processed", "INBOX/Sportel/Processed", ""},
		{flat, "Processed", "Processed", ""},
		{flat, "INBOX", "INBOX", ""},
		{flat, "Sportel/Processed", "", "keeps no levels"},
		{slash, "Sportel//Processed", "", "empty level"},
		{slash, "/Sportel", "", "empty level"},
		{slash, "Sportel/", "", "empty level"},
		{slash, "", "", "empty level"},
		{maildir, "Sportel/*", "", "wildcards"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q %q in %q", tt.h.Delim, tt.h.Prefix, tt.configured), func(t *testing.T) {
			got, err := tt.h.ServerName(tt.configured)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.configured) {
					t.Fatalf("ServerName = %q, %v; want an error naming %q and containing %q", got, err, tt.configured, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ServerName = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPermanentRefusal(t *testing.T) {
	no := func(code imap.ResponseCode) error {
		return fmt.Errorf("create x: %w", &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: "refused"})
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"NO [CANNOT]", no(imap.ResponseCodeCannot), true},
		{"NO [NOPERM]", no(imap.ResponseCodeNoPerm), true},
		{"NO [NONEXISTENT]", no(imap.ResponseCodeNonExistent), true},
		{"NO without a code", no(""), true},
		{"NO [UNAVAILABLE]", no(imap.ResponseCodeUnavailable), false},
		{"NO [INUSE]", no(imap.ResponseCodeInUse), false},
		{"NO [SERVERBUG]", no(imap.ResponseCodeServerBug), false},
		{"connection closed", errors.New("create x: use of closed network connection"), false},
		{"no error", nil, false},
	}
	for _, tt := range tests {
		if got := permanent(tt.err); got != tt.want {
			t.Errorf("%s: permanent = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// refusingSession is the memory server answering CREATE as create says:
// a refusal like Dovecot's Maildir++ layout gives for names with "/", or
// another one.
type refusingSession struct {
	imapserver.SessionIMAP4rev2
	create func(name string) error
}

func (s refusingSession) Create(name string, opts *imap.CreateOptions) error {
	if err := s.create(name); err != nil {
		return err
	}
	return s.SessionIMAP4rev2.Create(name, opts)
}

// prefixSession is the memory server with a personal namespace under
// INBOX, as Cyrus and Courier keep it.
type prefixSession struct{ imapserver.SessionIMAP4rev2 }

func (prefixSession) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Prefix: "INBOX/", Delim: '/'}}}, nil
}

// The configured names are put under the namespace the server announces:
// mail ends in INBOX/Sportel/Processed, and nothing is made at the top.
func TestMailboxesFollowTheNamespace(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
		return prefixSession{s}
	}})
	ts.appendTo("INBOX", rawMail("ns@example.org", "under the namespace", "x"), time.Time{})
	desk := newTestDesk()
	runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	desk.waitHandled(t, 1, 5*time.Second)
	ts.mailboxHolds(t, "INBOX/Sportel/Processed", 1, 5*time.Second)
	for _, top := range []string{"Sportel/Processed", "Sportel/Quarantine"} {
		if _, err := ts.user.Status(top, &imap.StatusOptions{NumMessages: true}); err == nil {
			t.Errorf("%s exists at the top, outside the personal namespace", top)
		}
	}
	if _, err := ts.user.Status("INBOX/Sportel/Quarantine", &imap.StatusOptions{NumMessages: true}); err != nil {
		t.Errorf("quarantine mailbox not made under the namespace: %v", err)
	}
}

// A mailbox the server refuses for good at start ends Run with an error
// that names it, instead of retrying for ever; a refusal that says to try
// later is retried.
func TestRefusedMailboxAtStart(t *testing.T) {
	dovecotSlash := &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot,
		Text: "Invalid mailbox name: Name must not have '/' characters."}
	busy := &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeUnavailable, Text: "Try again later"}
	tests := []struct {
		name      string
		mailbox   string // the watched mailbox
		create    error  // the server's answer to every CREATE
		wantFatal []string
	}{
		{"create refused", "INBOX", dovecotSlash,
			[]string{`processed mailbox "Sportel/Processed"`, "refused to create it", "Name must not have '/' characters"}},
		{"watched mailbox missing", "Publike", nil,
			[]string{`watched mailbox "Publike"`, "refused to select it", "NONEXISTENT"}},
		{"create unavailable for now", "INBOX", busy, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				return refusingSession{s, func(string) error { return tt.create }}
			}})
			opts := baseOptions(ts)
			opts.Mailbox = tt.mailbox
			logs := testutil.NewLogBuffer(t)
			opts.Logger = logs.Logger(slog.LevelInfo)
			w, err := NewWatcher(opts, newTestDesk(), newMemCheckpoints())
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFatal == nil {
				stop := testutil.RunBackground(t, "Run", 3*time.Second, w.Run)
				testutil.Eventually(t, "three tries", 5*time.Second, func() (bool, error) {
					return w.Stats().Reconnects >= 3, nil
				})
				stop()
				return
			}
			err = testutil.Await(t, "Run", 5*time.Second, w.Run)
			var mbErr *MailboxError
			if !errors.As(err, &mbErr) {
				t.Fatalf("Run = %v, want a *MailboxError", err)
			}
			for _, want := range tt.wantFatal {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Run error %q lacks %q", err, want)
				}
			}
			if n := w.Stats().Reconnects; n != 0 {
				t.Errorf("%d reconnects before giving up, want none", n)
			}
		})
	}
}

// Once the mailbox was opened, a refusal is retried like any trouble: the
// daemon keeps running while someone fixes the server.
func TestRefusalAfterStartIsRetried(t *testing.T) {
	var refuse atomic.Bool
	ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
		return refusingSession{s, func(string) error {
			if refuse.Load() {
				return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNoPerm, Text: "Permission denied"}
			}
			return nil
		}}
	}})
	desk := newTestDesk()
	w, _ := runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	testutil.Eventually(t, "the mailbox read", 5*time.Second, func() (bool, error) { return w.Stats().Searches > 0, nil })
	// The mailboxes vanish and may not be made again; the server restarts.
	refuse.Store(true)
	for _, mb := range []string{processedBox, quarantineBx} {
		if err := ts.user.Delete(mb); err != nil {
			t.Fatal(err)
		}
	}
	ts.stop()
	ts.restart()
	testutil.Eventually(t, "refused reconnects", 5*time.Second, func() (bool, error) { return w.Stats().Reconnects >= 2, nil })
	refuse.Store(false)
	ts.appendTo("INBOX", rawMail("late@example.org", "after the fix", "x"), time.Time{})
	desk.waitHandled(t, 1, 5*time.Second)
	ts.mailboxHolds(t, processedBox, 1, 5*time.Second)
}

// dotSession is the memory server claiming "." as its separator, as
// Dovecot with Maildir++ does (the memory server itself keeps names whole,
// so what the watcher makes of them shows in its mailbox names).
type dotSession struct{ imapserver.SessionIMAP4rev2 }

func (s dotSession) List(w *imapserver.ListWriter, ref string, patterns []string, opts *imap.ListOptions) error {
	// go-imap's server hands LIST "" "" on with no patterns.
	if ref == "" && (len(patterns) == 0 || len(patterns) == 1 && patterns[0] == "") {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: '.'})
	}
	return s.SessionIMAP4rev2.List(w, ref, patterns, opts)
}

func TestDotSeparatedServer(t *testing.T) {
	tests := []struct {
		name      string
		processed string
		wantBox   string // where taken-in mail goes; "" when Run must end
		wantErr   string
	}{
		{"levels written with /", "Sportel/Processed", "Sportel.Processed", ""},
		{"levels written with the server's separator", "Sportel.Processed", "",
			`processed mailbox "Sportel.Processed": "." is this server's level separator`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				return dotSession{s}
			}})
			ts.appendTo("INBOX", rawMail("dot@example.org", "dotted", "x"), time.Time{})
			opts := baseOptions(ts)
			opts.ProcessedMailbox = tt.processed
			desk := newTestDesk()
			if tt.wantErr == "" {
				runWatcher(t, opts, desk, newMemCheckpoints())
				desk.waitHandled(t, 1, 5*time.Second)
				ts.mailboxHolds(t, tt.wantBox, 1, 5*time.Second)
				if n, _ := ts.status("Sportel.Quarantine"); n != 0 {
					t.Errorf("Sportel.Quarantine holds %d, want 0", n)
				}
				return
			}
			logs := testutil.NewLogBuffer(t)
			opts.Logger = logs.Logger(slog.LevelDebug)
			w, err := NewWatcher(opts, desk, newMemCheckpoints())
			if err != nil {
				t.Fatal(err)
			}
			err = testutil.Await(t, "Run", 5*time.Second, w.Run)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Run = %v, want an error containing %q", err, tt.wantErr)
			}
			if len(desk.snapshot()) != 0 {
				t.Error("mail taken in though the processed mailbox cannot be named")
			}
		})
	}
}
