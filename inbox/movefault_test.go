package inbox

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
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

// expungeIssuedSession answers the first MOVE or COPY into dest as Dovecot
// does when another client expunged one of its messages since the session
// last heard of the mailbox (checked on Dovecot 2.3): it refuses the whole
// command with NO [EXPUNGEISSUED] and moves nothing. expunge, run first,
// is that other client.
type expungeIssuedSession struct {
	imapserver.SessionIMAP4rev2
	dest    string
	refused *atomic.Bool
	expunge func()
}

func (s expungeIssuedSession) refuse(dest string) error {
	if dest != s.dest || s.refused.Swap(true) {
		return nil
	}
	s.expunge()
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: codeExpungeIssued,
		Text: "Some of the requested messages no longer exist (test)"}
}

func (s expungeIssuedSession) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	if err := s.refuse(dest); err != nil {
		return nil, err
	}
	return s.SessionIMAP4rev2.Copy(numSet, dest)
}

func (s expungeIssuedSession) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if err := s.refuse(dest); err != nil {
		return err
	}
	return s.SessionIMAP4rev2.Move(w, numSet, dest)
}

// An officer's mail program expunges one message of a batch after the
// watcher fetched it and before it moves the batch out: Dovecot then
// refuses the whole MOVE (or COPY) with NO [EXPUNGEISSUED]. That is no
// lasting refusal: the move is sent again and takes the rest. Taken as
// one, the batch's filed mail stayed in the watched mailbox for good,
// counted as refused moves, and the alert blamed a full mailbox.
func TestMoveAfterAnotherClientExpunged(t *testing.T) {
	for _, tt := range []struct {
		name string
		caps imap.CapSet
	}{
		{"MOVE", capsRev2},
		{"COPY and UID EXPUNGE", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var other *imapclient.Client // the officer's mail program
			var gone imap.UID
			refused := new(atomic.Bool)
			ts := startIMAP(t, serverConfig{caps: tt.caps, wrap: func(s imapserver.SessionIMAP4rev2) imapserver.Session {
				return expungeIssuedSession{SessionIMAP4rev2: s, dest: processedBox, refused: refused, expunge: func() {
					set := imap.UIDSetNum(gone)
					if err := other.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
						t.Errorf("other client: store \\Deleted: %v", err)
					}
					if err := other.UIDExpunge(set).Close(); err != nil {
						t.Errorf("other client: uid expunge: %v", err)
					}
				}}
			}})
			for i := range 3 {
				gone = ts.appendTo("INBOX", rawMail(fmt.Sprintf("x%d@example.org", i), fmt.Sprintf("expunged %d", i), "x"), time.Time{}).UID
			}
			gone-- // the middle one
			var err error
			if other, err = imapclient.DialInsecure(ts.addr, nil); err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := other.Login(testUser, testPassword).Wait(); err != nil {
				t.Fatal(err)
			}
			if _, err := other.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}

			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.Logger = logs.Logger(slog.LevelDebug)
			desk, cp := newTestDesk(), newMemCheckpoints()
			w, _ := runWatcher(t, opts, desk, cp)
			desk.waitHandled(t, 3, 5*time.Second)
			checkpointAt(t, w, cp, uint32(gone+1)) // saved once the batch is settled
			if !refused.Load() {
				t.Fatal("test setup: the server never refused a move")
			}
			if got := ts.subjects("INBOX", nil); len(got) != 0 {
				t.Errorf("INBOX holds %q: the mail the other client left must be moved out", got)
			}
			if got := ts.subjects(processedBox, nil); !slices.Equal(got, []string{"expunged 0", "expunged 2"}) {
				t.Errorf("%s holds %q, want the two the other client left", processedBox, got)
			}
			if got := w.Stats().MovesRefused; got != 0 {
				t.Errorf("MovesRefused %d, want 0: nothing is left behind", got)
			}
			if strings.Contains(logs.String(), "server refused to move") {
				t.Errorf("a move that went through on the second try is logged as refused:\n%s", logs.String())
			}
		})
	}
}
