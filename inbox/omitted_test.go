package inbox

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/internal/testutil"
)

// omittedUID is the memory server, except that a body FETCH naming one
// message answers the others and OK, with nothing for that one: a server
// that skips what it cannot give or, when expunge is set, that message
// expunged by another client between the listing and the fetch.
type omittedUID struct {
	imapserver.SessionIMAP4rev2
	bad     imap.UID
	expunge bool
	// bodiless answers for that message its UID and no body.
	bodiless bool
	// inBatchOnly leaves it out only of a FETCH of several messages.
	inBatchOnly bool
	// refuse, with expunge, refuses every body FETCH naming it, as
	// RFC 5530 lets a server: NO [EXPUNGEISSUED].
	refuse bool
}

func (s omittedUID) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	uids, ok := numSet.(imap.UIDSet)
	if nums, _ := uids.Nums(); !ok || len(options.BodySection) == 0 || !uids.Contains(s.bad) || s.inBatchOnly && len(nums) == 1 {
		return s.SessionIMAP4rev2.Fetch(w, numSet, options)
	}
	bad := imap.UIDSetNum(s.bad)
	if s.expunge {
		// The memory server's Store (silent) and Expunge write nothing.
		if err := s.Store(nil, bad, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil); err != nil {
			return err
		}
		if err := s.Expunge(nil, &bad); err != nil {
			return err
		}
		if s.refuse {
			return &imap.Error{Type: imap.StatusResponseTypeNo, Code: codeExpungeIssued,
				Text: "Some of the requested messages no longer exist (test)"}
		}
	}
	if s.bodiless {
		if err := s.SessionIMAP4rev2.Fetch(w, bad, &imap.FetchOptions{UID: true}); err != nil {
			return err
		}
	}
	var rest []imap.UID
	if nums, ok := uids.Nums(); ok {
		for _, u := range nums {
			if u != s.bad {
				rest = append(rest, u)
			}
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return s.SessionIMAP4rev2.Fetch(w, imap.UIDSetNum(rest...), options)
}

// A message listed in the mailbox that a FETCH answered OK without giving
// was passed by the checkpoint and stayed in the mailbox unread for good,
// without a word in the log; one given without its body stopped the
// mailbox, fetched again at every reconnect. It is read alone now:
// recorded by its UID and kept in the quarantine mailbox when the server
// still holds it, and said at warn when another client expunged it
// meanwhile.
func TestMessageTheFetchLeftOut(t *testing.T) {
	const unreadable = "(a message the mail server would not give: UID 2)"
	tests := []struct {
		name   string
		server omittedUID
		// large makes the second and third mail larger than MaxRawBytes.
		large      bool
		subjects   []string // taken in
		quarantine []string
		log        string
	}{
		{name: "the server skips it",
			subjects: []string{unreadable, "Pyetje 0", "Pyetje 2"}, quarantine: []string{"Pyetje 1"}},
		{name: "the server gives it without its body", server: omittedUID{bodiless: true},
			subjects: []string{unreadable, "Pyetje 0", "Pyetje 2"}, quarantine: []string{"Pyetje 1"}},
		{name: "another client expunged it", server: omittedUID{expunge: true},
			subjects: []string{"Pyetje 0", "Pyetje 2"}, log: "was gone before it could be read"},
		{name: "another client expunged it, and the server refuses to fetch it", server: omittedUID{expunge: true, refuse: true},
			subjects: []string{"Pyetje 0", "Pyetje 2"}, log: "was gone before it could be read"},
		{name: "a too-large one, skipped among others", server: omittedUID{inBatchOnly: true}, large: true,
			// Read alone in part, never whole, and kept whole on the server.
			subjects: []string{"Pyetje 0", "Pyetje 1", "Pyetje 2"}, quarantine: []string{"Pyetje 1", "Pyetje 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				srv := tt.server
				srv.SessionIMAP4rev2, srv.bad = s, 2
				return srv
			}})
			now := time.Now()
			for i := range 3 {
				body := "tekst"
				if tt.large && i > 0 {
					body = strings.Repeat("tekst i gjatë ", 400)
				}
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("m%d@example.net", i), fmt.Sprintf("Pyetje %d", i), body), now)
			}
			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.Logger = logs.Logger(slog.LevelWarn)
			opts.MaxRawBytes = 4096
			desk := newTestDesk()
			cp := newMemCheckpoints()
			w, _ := runWatcher(t, opts, desk, cp)
			desk.waitHandled(t, len(tt.subjects), 10*time.Second)
			checkpointAt(t, w, cp, 3)
			var subjects []string
			for _, h := range desk.snapshot() {
				subjects = append(subjects, h.Subject)
			}
			slices.Sort(subjects)
			if !slices.Equal(subjects, tt.subjects) {
				t.Errorf("taken in %q, want %q", subjects, tt.subjects)
			}
			if inbox := subjectsIn(ts.contents("INBOX")); len(inbox) > 0 {
				t.Errorf("left in INBOX, unread: %q", inbox)
			}
			ts.mailboxHolds(t, quarantineBx, uint32(len(tt.quarantine)), 2*time.Second)
			if got := subjectsIn(ts.contents(quarantineBx)); !slices.Equal(got, tt.quarantine) {
				t.Errorf("quarantine holds %q, want %q", got, tt.quarantine)
			}
			if tt.log != "" && !strings.Contains(logs.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, logs.String())
			}
		})
	}
}
