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
}

func (s omittedUID) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	uids, ok := numSet.(imap.UIDSet)
	if !ok || len(options.BodySection) == 0 || !uids.Contains(s.bad) {
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
// without a word in the log. It is read alone now: recorded by its UID and
// kept in the quarantine mailbox when the server still holds it, and said
// at warn when another client expunged it meanwhile.
func TestMessageTheFetchLeftOut(t *testing.T) {
	tests := []struct {
		name       string
		expunge    bool
		subjects   []string // taken in
		quarantine []string
		log        string
	}{
		{"the server skips it", false,
			[]string{"(a message the mail server would not give: UID 2)", "Pyetje 0", "Pyetje 2"}, []string{"Pyetje 1"}, ""},
		{"another client expunged it", true,
			[]string{"Pyetje 0", "Pyetje 2"}, nil, "was gone before it could be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				return omittedUID{SessionIMAP4rev2: s, bad: 2, expunge: tt.expunge}
			}})
			now := time.Now()
			for i := range 3 {
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("m%d@example.net", i), fmt.Sprintf("Pyetje %d", i), "tekst"), now)
			}
			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.Logger = logs.Logger(slog.LevelWarn)
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
			if got := subjectsIn(ts.contents(quarantineBx)); !slices.Equal(got, tt.quarantine) {
				t.Errorf("quarantine holds %q, want %q", got, tt.quarantine)
			}
			if tt.log != "" && !strings.Contains(logs.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, logs.String())
			}
		})
	}
}
