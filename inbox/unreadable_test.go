package inbox

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// unreadableUID is the memory server, except that one message cannot be
// read: a body FETCH naming it answers the others and then NO, as
// Microsoft 365 does for a message it "could not convert to an RFC-822
// compatible format" and Dovecot for a damaged mail file (NO [SERVERBUG]).
// Its size, flags and moves work.
type unreadableUID struct {
	imapserver.SessionIMAP4rev2
	bad imap.UID
	// wholeOnly refuses only the whole message; its header and text parts
	// are given.
	wholeOnly bool
}

func (s unreadableUID) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	uids, ok := numSet.(imap.UIDSet)
	whole := slices.ContainsFunc(options.BodySection, func(b *imap.FetchItemBodySection) bool { return b.Specifier == imap.PartSpecifierNone })
	if !ok || len(options.BodySection) == 0 || !uids.Contains(s.bad) || (s.wholeOnly && !whole) {
		return s.SessionIMAP4rev2.Fetch(w, numSet, options)
	}
	var rest []imap.UID
	if nums, ok := uids.Nums(); ok {
		for _, u := range nums {
			if u != s.bad {
				rest = append(rest, u)
			}
		}
	}
	if len(rest) > 0 {
		if err := s.SessionIMAP4rev2.Fetch(w, imap.UIDSetNum(rest...), options); err != nil {
			return err
		}
	}
	return &imap.Error{Type: imap.StatusResponseTypeNo,
		Text: "The requested message could not be converted to an RFC-822 compatible format."}
}

// One message the server cannot deliver must not stop the mail around it:
// it is read in part when the server gives its header (or recorded by its
// UID when it gives nothing), taken in and kept whole in the quarantine
// mailbox; the others are processed.
func TestUnreadableMessageDoesNotStopTheMailbox(t *testing.T) {
	tests := []struct {
		name      string
		wholeOnly bool
		subject   string // what is taken in for uid 2
	}{
		{"the header is given", true, "Pyetje 1"},
		{"nothing is given", false, "(a message the mail server would not give: UID 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: capsRev2, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				return unreadableUID{SessionIMAP4rev2: s, bad: 2, wholeOnly: tt.wholeOnly}
			}})
			now := time.Now()
			for i := range 3 {
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("m%d@example.net", i), fmt.Sprintf("Pyetje %d", i), "tekst"), now)
			}
			desk := newTestDesk()
			runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
			desk.waitHandled(t, 3, 10*time.Second)
			var subjects []string
			for _, m := range desk.snapshot() {
				subjects = append(subjects, m.Subject)
			}
			want := []string{"Pyetje 0", tt.subject, "Pyetje 2"}
			slices.Sort(subjects)
			slices.Sort(want)
			if !slices.Equal(subjects, want) {
				t.Errorf("taken in %v, want %v", subjects, want)
			}
			ts.mailboxHolds(t, quarantineBx, 1, 10*time.Second)
			ts.mailboxHolds(t, processedBox, 2, 10*time.Second)
		})
	}
}
