package inbox

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// quotaSession is the memory server over quota: it refuses to put mail
// into full (COPY and MOVE), as Dovecot's quota plugin does.
type quotaSession struct {
	imapserver.SessionIMAP4rev2
	full string
}

func (s quotaSession) overQuota() error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeOverQuota, Text: "Quota exceeded (test)"}
}

func (s quotaSession) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	if dest == s.full {
		return nil, s.overQuota()
	}
	return s.SessionIMAP4rev2.Copy(numSet, dest)
}

func (s quotaSession) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if dest == s.full {
		return s.overQuota()
	}
	return s.SessionIMAP4rev2.Move(w, numSet, dest)
}

// The move out of the watched mailbox fails after the desk has filed the
// mail: the account is over quota, or someone deleted the processed
// mailbox while the watcher ran. The mail must never leave the server
// for nowhere: with MOVE a refused move changes nothing, but without it
// the client's fallback pipelines COPY, STORE \Deleted and UID EXPUNGE,
// and a refused COPY must stop the other two. A deleted mailbox is made
// again (the server says TRYCREATE) and the mail moved into it; a full
// one keeps the mail in the watched mailbox, flagged \Seen, counted and
// logged at error level, and it is not handed to the desk again.
func TestRefusedMoveKeepsTheMail(t *testing.T) {
	capsCopy := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}
	tests := []struct {
		name          string
		caps          imap.CapSet
		overQuota     bool // else the processed mailbox is deleted
		wantInbox     uint32
		wantProcessed uint32
		wantRefused   uint64
	}{
		{"MOVE, over quota", capsRev2, true, 1, 0, 1},
		{"COPY and UID EXPUNGE, over quota", capsCopy, true, 1, 0, 1},
		{"MOVE, processed mailbox deleted", capsRev2, false, 0, 1, 0},
		{"COPY and UID EXPUNGE, processed mailbox deleted", capsCopy, false, 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := serverConfig{caps: tt.caps}
			if tt.overQuota {
				cfg.wrap = func(s imapserver.SessionIMAP4rev2) imapserver.Session {
					return quotaSession{SessionIMAP4rev2: s, full: processedBox}
				}
			}
			ts := startIMAP(t, cfg)
			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.Logger = logs.Logger(slog.LevelDebug)
			desk := newTestDesk()
			w, _ := runWatcher(t, opts, desk, newMemCheckpoints())
			testutil.Eventually(t, "a first read of the mailbox", 5*time.Second, func() (bool, error) {
				return w.Stats().Searches > 0, nil
			})
			if !tt.overQuota {
				if err := ts.user.Delete(processedBox); err != nil {
					t.Fatal(err)
				}
			}
			ts.appendTo("INBOX", rawMail("q@example.org", "after the fault", "x"), time.Time{})
			desk.waitHandled(t, 1, 5*time.Second)
			// Two more searches: the batch is settled before the next one.
			searched := w.Stats().Searches
			testutil.Eventually(t, "two more searches", 5*time.Second, func() (bool, error) {
				return w.Stats().Searches >= searched+2, nil
			})

			inbox, unseen := ts.status("INBOX")
			var processed uint32
			if ts.mailboxExists(processedBox) {
				processed, _ = ts.status(processedBox)
			}
			if inbox != tt.wantInbox || processed != tt.wantProcessed {
				t.Errorf("INBOX holds %d, %s %d; want %d and %d (the mail must be somewhere)",
					inbox, processedBox, processed, tt.wantInbox, tt.wantProcessed)
			}
			if unseen != 0 {
				t.Errorf("%d unseen in INBOX: handled mail left there must be flagged \\Seen", unseen)
			}
			if calls := desk.snapshot(); len(calls) != 1 || calls[0].Disposition != inquiry.Filed {
				t.Errorf("desk calls %v; want the mail filed once", calls)
			}
			if got := w.Stats().MovesRefused; got != tt.wantRefused {
				t.Errorf("MovesRefused %d, want %d", got, tt.wantRefused)
			}
			if tt.wantRefused > 0 && !strings.Contains(logs.String(), "level=ERROR msg=\"server refused to move handled mail") {
				t.Errorf("a refused move is not logged at error level:\n%s", logs.String())
			}
		})
	}
}

// mailboxExists reports whether the user has mailbox on the server.
func (ts *imapTestServer) mailboxExists(mailbox string) bool {
	_, err := ts.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	return err == nil
}
