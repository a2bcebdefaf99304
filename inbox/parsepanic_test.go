package inbox

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// A mail the parser crashes on (a bug a crafted message finds) is passed on
// as a message that records the failure, with its raw bytes, and the mail
// after it is taken in: a crash would restart the daemon into the same mail
// for ever.
func TestParserCrashOnOneMail(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	for i := range 3 {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("p%d@example.org", i), fmt.Sprintf("mail %d", i), "x"), time.Time{})
	}
	opts := baseOptions(ts)
	logs := testutil.NewLogBuffer(t)
	opts.Logger = logs.Logger(slog.LevelInfo)
	opts.Parse = func(raw []byte, receivedAt time.Time) *inquiry.Message {
		if bytes.Contains(raw, []byte("p1@example.org")) {
			panic("header offset out of range") // the kind of bug a crafted mail finds
		}
		return testParse(raw, receivedAt)
	}
	desk := newTestDesk()
	w, stop := runWatcher(t, opts, desk, newMemCheckpoints())
	calls := desk.waitHandled(t, 3, 5*time.Second)
	stop()

	var crashed *handled
	for i, c := range calls {
		if c.Subject == "" {
			crashed = &calls[i]
		}
	}
	if crashed == nil || calls[0].Subject != "mail 0" || calls[2].Subject != "mail 2" {
		t.Fatalf("the desk got %+v; want mail 0, the crashed one, mail 2", calls)
	}
	if !strings.HasPrefix(crashed.SourceID, "imap:INBOX:") {
		t.Errorf("the crashed mail's key is %q; want its place in the mailbox", crashed.SourceID)
	}
	if !strings.Contains(logs.String(), "the parser failed on a mail") || !strings.Contains(logs.String(), "header offset out of range") {
		t.Errorf("the crash is not logged with its cause:\n%s", logs.String())
	}
	if w.Stats().Errors != 0 {
		t.Errorf("%d errors counted; a mail the parser fails on is not an intake error", w.Stats().Errors)
	}
}
