package inbox

import (
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"sportel/internal/testutil"
)

// The server kinds the watcher settles mail on differently.
var deletedCapSets = []struct {
	name string
	caps imap.CapSet
	// moves: the server can move mail out (MOVE, or COPY + UID EXPUNGE).
	moves bool
	// expunges: UID EXPUNGE, which removes only the UIDs it names.
	expunges bool
}{
	{"MOVE and UIDPLUS", capsRev2, true, true},
	{"COPY and UID EXPUNGE", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}, true, true},
	{"MOVE without UIDPLUS", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}}, true, false},
	{"neither MOVE nor UIDPLUS", capsRev1, false, false},
}

// appendFlagged appends raw to mailbox with flags set, as another client
// (or a cut-off move) leaves it.
func (ts *imapTestServer) appendFlagged(mailbox string, raw []byte, flags ...imap.Flag) *imap.AppendData {
	ts.t.Helper()
	data, err := ts.user.Append(mailbox, bytes.NewReader(raw), &imap.AppendOptions{Flags: flags})
	if err != nil {
		ts.t.Fatalf("append to %s: %v", mailbox, err)
	}
	return data
}

// logLine returns the first log line containing msg, or "".
func logLine(logs, msg string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, msg) {
			return line
		}
	}
	return ""
}

// A citizen's mail that another client flagged \Deleted without expunging
// it (a clerk's "mark as deleted" while Sportel was down) is taken in like
// any other mail, with a warning: a delete flag is no lawful answer to a
// request. Where the server can move mail it ends in the processed mailbox
// without the flag (COPY and MOVE keep flags, and the next expunge there
// would take the record copy); where it cannot, it stays, the clerk's flag
// untouched. The mail after it in the same batch is taken in too.
func TestMailFlaggedDeletedIsTakenIn(t *testing.T) {
	const secret = "Kërkoj kontratat e prokurimit 2025"
	for _, tt := range deletedCapSets {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: tt.caps})
			ts.appendTo("INBOX", rawMail("before@example.org", "before", "x"), time.Time{})
			deleted := ts.appendFlagged("INBOX", rawMail("clerk@example.org", "deleted by a clerk", secret), imap.FlagDeleted)
			after := ts.appendTo("INBOX", rawMail("after@example.org", "after", "x"), time.Time{})

			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.Logger = logs.Logger(slog.LevelDebug)
			desk, cp := newTestDesk(), newMemCheckpoints()
			w, _ := runWatcher(t, opts, desk, cp)
			calls := desk.waitHandled(t, 3, 5*time.Second)
			checkpointAt(t, w, cp, uint32(after.UID))

			var got []string
			for _, c := range calls {
				got = append(got, c.Subject+"="+string(c.Disposition))
			}
			if want := []string{"before=filed", "deleted by a clerk=filed", "after=filed"}; !slices.Equal(got, want) {
				t.Errorf("desk calls %v, want %v", got, want)
			}

			inbox, processed := ts.contents("INBOX"), ts.contents(processedBox)
			if tt.moves {
				if len(inbox) != 0 || !slices.Equal(subjectsIn(processed), []string{"before", "deleted by a clerk", "after"}) {
					t.Errorf("INBOX %v, processed %v; want all three moved", subjectsIn(inbox), subjectsIn(processed))
				}
				for _, c := range processed {
					if c.has(imap.FlagDeleted) || !c.has(imap.FlagSeen) {
						t.Errorf("%q in processed has flags %v; want \\Seen and not \\Deleted", c.subject, c.flags)
					}
				}
			} else {
				if len(processed) != 0 || !slices.Equal(subjectsIn(inbox), []string{"before", "deleted by a clerk", "after"}) {
					t.Errorf("INBOX %v, processed %v; want all three kept in INBOX", subjectsIn(inbox), subjectsIn(processed))
				}
				for _, c := range inbox {
					if !c.has(imap.FlagSeen) || c.has(imap.FlagDeleted) != (c.subject == "deleted by a clerk") {
						t.Errorf("%q in INBOX has flags %v; want \\Seen, and the clerk's \\Deleted left as it was", c.subject, c.flags)
					}
				}
			}

			line := logLine(logs.String(), "message taken in although another client flagged it deleted")
			if !strings.Contains(line, "level=WARN") || !strings.Contains(line, fmt.Sprintf(" uid=%d ", deleted.UID)) ||
				!strings.Contains(line, "clerk@example.org") {
				t.Errorf("no warning naming the uid and the message: %q", line)
			}
			if strings.Count(logs.String(), "another client flagged it deleted") != 1 {
				t.Errorf("want exactly one warning (for the flagged mail):\n%s", logs.String())
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the mail's text is in the log")
			}
		})
	}
}

// A move by COPY is cut off by a crash between its STORE \Deleted and its
// UID EXPUNGE: the mail is in the processed mailbox already, and still in
// INBOX, flagged \Deleted, above the checkpoint. After the restart the desk
// knows it (Duplicate); it is expunged where the server can expunge by UID
// and never copied a second time, and the mail after it is taken in as
// usual. Without UID EXPUNGE it stays, flagged: a plain EXPUNGE would take
// any mail flagged \Deleted, also mail not yet taken in.
func TestInterruptedMoveIsExpungedNotCopiedAgain(t *testing.T) {
	for _, tt := range deletedCapSets {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: tt.caps})
			if err := ts.user.Create(processedBox, nil); err != nil {
				t.Fatal(err)
			}
			crashed := rawMail("crash@example.org", "moved before the crash", "x")
			ts.appendFlagged(processedBox, crashed, imap.FlagSeen)
			ts.appendFlagged("INBOX", crashed, imap.FlagSeen, imap.FlagDeleted)
			after := ts.appendTo("INBOX", rawMail("after@example.org", "after the crash", "x"), time.Time{})

			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.Logger = logs.Logger(slog.LevelDebug)
			desk, cp := newTestDesk(), newMemCheckpoints()
			desk.seen["msgid:crash@example.org"] = true // taken in before the crash
			w, _ := runWatcher(t, opts, desk, cp)
			calls := desk.waitHandled(t, 2, 5*time.Second)
			checkpointAt(t, w, cp, uint32(after.UID))

			var got []string
			for _, c := range calls {
				got = append(got, c.Subject+"="+string(c.Disposition))
			}
			if want := []string{"moved before the crash=duplicate", "after the crash=filed"}; !slices.Equal(got, want) {
				t.Errorf("desk calls %v, want %v", got, want)
			}

			inbox, processed := subjectsIn(ts.contents("INBOX")), subjectsIn(ts.contents(processedBox))
			var wantInbox, wantProcessed []string
			switch {
			case tt.expunges:
				wantProcessed = []string{"moved before the crash", "after the crash"}
			case tt.moves:
				wantInbox = []string{"moved before the crash"}
				wantProcessed = []string{"moved before the crash", "after the crash"}
			default:
				wantInbox = []string{"moved before the crash", "after the crash"}
				wantProcessed = []string{"moved before the crash"}
			}
			if !slices.Equal(inbox, wantInbox) || !slices.Equal(processed, wantProcessed) {
				t.Errorf("INBOX %v, processed %v; want %v and %v (one copy in processed)", inbox, processed, wantInbox, wantProcessed)
			}
			if strings.Contains(logs.String(), "another client flagged it deleted") {
				t.Errorf("mail taken in before is warned about as new:\n%s", logs.String())
			}
			if st := w.Stats(); st.Duplicates != 1 || st.Filed != 1 {
				t.Errorf("stats %+v; want one duplicate and one filed", st)
			}
		})
	}
}

// Mail too large to read whole is kept whole only on the server, in the
// quarantine mailbox. Flagged \Deleted, it goes there without the flag,
// even when the desk had taken it in before: the desk holds only its start,
// so the server's copy is never expunged for want of a second one (a move
// cut off by a crash then leaves two copies in quarantine; a clerk's flag
// on mail filed just before a crash would otherwise lose the only one).
func TestTooLargeMailFlaggedDeletedIsKeptWhole(t *testing.T) {
	const maxRaw = 64 << 10
	for _, takenBefore := range []bool{false, true} {
		for _, tt := range deletedCapSets {
			if !tt.moves {
				continue // nothing is moved or expunged: the mail stays as it is
			}
			t.Run(fmt.Sprintf("%s/taken in before %v", tt.name, takenBefore), func(t *testing.T) {
				ts := startIMAP(t, serverConfig{caps: tt.caps})
				big := bigRawMail("big@example.org", "big one", "Të nderuar, ju dërgoj skanimin.", 1<<20)
				ts.appendFlagged("INBOX", big, imap.FlagDeleted)
				after := ts.appendTo("INBOX", rawMail("after@example.org", "after", "x"), time.Time{})
				opts := baseOptions(ts)
				opts.MaxRawBytes = maxRaw
				desk, cp := newTestDesk(), newMemCheckpoints()
				desk.seen["msgid:big@example.org"] = takenBefore
				w, _ := runWatcher(t, opts, desk, cp)
				desk.waitHandled(t, 2, 5*time.Second)
				checkpointAt(t, w, cp, uint32(after.UID))

				if inbox := ts.contents("INBOX"); len(inbox) != 0 {
					t.Errorf("INBOX holds %v, want nothing", subjectsIn(inbox))
				}
				q := ts.contents(quarantineBx)
				if len(q) != 1 || q[0].subject != "big one" || q[0].has(imap.FlagDeleted) {
					t.Errorf("quarantine holds %+v; want the big mail, not flagged \\Deleted", q)
				}
			})
		}
	}
}
