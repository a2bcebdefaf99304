package inbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

func TestNewWatcherValidates(t *testing.T) {
	valid := Options{
		Addr: "imap.example.gov:993", Security: SecurityTLS, Username: "u", Password: "p",
		Mailbox: "INBOX", ProcessedMailbox: processedBox, QuarantineMailbox: quarantineBx,
		Parse: testParse,
	}
	tests := []struct {
		name    string
		change  func(o *Options)
		wantErr string // "" means valid
	}{
		{"valid", func(o *Options) {}, ""},
		{"none to loopback", func(o *Options) { o.Security = SecurityNone; o.Addr = "127.0.0.1:143" }, ""},
		{"none to localhost", func(o *Options) { o.Security = SecurityNone; o.Addr = "localhost:143" }, ""},
		{"none to remote host", func(o *Options) { o.Security = SecurityNone; o.Addr = "imap.example.gov:143" }, "Security none"},
		{"unknown security", func(o *Options) { o.Security = "ssl" }, "Security"},
		{"addr without port", func(o *Options) { o.Addr = "imap.example.gov" }, "Addr"},
		{"no username", func(o *Options) { o.Username = "" }, "Username"},
		{"no mailbox", func(o *Options) { o.Mailbox = "" }, "Mailbox"},
		{"no processed", func(o *Options) { o.ProcessedMailbox = "" }, "ProcessedMailbox"},
		{"no quarantine", func(o *Options) { o.QuarantineMailbox = "" }, "QuarantineMailbox"},
		{"processed is watched", func(o *Options) { o.ProcessedMailbox = "INBOX" }, "must differ"},
		{"no parser", func(o *Options) { o.Parse = nil }, "Parse"},
		{"first start new", func(o *Options) { o.FirstStart = FirstStartNew }, ""},
		{"unknown first start", func(o *Options) { o.FirstStart = "none" }, "FirstStart"},
		{"negative poll", func(o *Options) { o.PollInterval = -time.Second }, "PollInterval"},
		{"negative batch", func(o *Options) { o.BatchSize = -1 }, "BatchSize"},
		{"negative batch bytes", func(o *Options) { o.BatchBytes = -1 }, "BatchBytes"},
		{"negative max raw bytes", func(o *Options) { o.MaxRawBytes = -1 }, "MaxRawBytes"},
		{"backoff max below min", func(o *Options) { o.BackoffMin = time.Minute; o.BackoffMax = time.Second }, "BackoffMax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid
			tt.change(&o)
			w, err := NewWatcher(o, newTestDesk(), newMemCheckpoints())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewWatcher: %v", err)
				}
				if w.opts.BatchSize != defaultBatchSize || w.opts.IdleRestart != defaultIdleRestart {
					t.Errorf("defaults not applied: batch %d, idle restart %s", w.opts.BatchSize, w.opts.IdleRestart)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewWatcher error = %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestBackoffIsCappedAndGrows(t *testing.T) {
	w := &Watcher{opts: Options{BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second}}
	tests := []struct {
		attempt int
		max     time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{50, time.Second},
	}
	for _, tt := range tests {
		for range 20 {
			d := w.backoff(tt.attempt)
			if d < tt.max/2 || d > tt.max {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", tt.attempt, d, tt.max/2, tt.max)
			}
		}
	}
}

// A backlog is taken in once each, in UID order, with INTERNALDATE as the
// receipt time, moved to the processed mailbox, and the checkpoint saved.
func TestBacklogIsHandledInOrderAndMoved(t *testing.T) {
	const n = 450 // more than two batches
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	base := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	var last *imap.AppendData
	for i := range n {
		last = ts.appendTo("INBOX", rawMail(fmt.Sprintf("m%03d@example.org", i), fmt.Sprintf("msg %03d", i), "body"),
			base.Add(time.Duration(i)*time.Minute))
	}
	desk, cp := newTestDesk(), newMemCheckpoints()
	w, _ := runWatcher(t, baseOptions(ts), desk, cp)

	calls := desk.waitHandled(t, n, 10*time.Second)
	ts.mailboxHolds(t, processedBox, n, 5*time.Second)

	for i, c := range calls {
		if want := fmt.Sprintf("msg %03d", i); c.Subject != want {
			t.Fatalf("call %d: subject %q, want %q (UID order)", i, c.Subject, want)
		}
		if c.Disposition != inquiry.Filed {
			t.Fatalf("call %d: disposition %s, want filed (handled once)", i, c.Disposition)
		}
		if want := base.Add(time.Duration(i) * time.Minute); !c.ReceivedAt.Equal(want) {
			t.Fatalf("call %d: ReceivedAt %s, want INTERNALDATE %s", i, c.ReceivedAt, want)
		}
	}
	if inbox, _ := ts.status("INBOX"); inbox != 0 {
		t.Errorf("INBOX still has %d messages", inbox)
	}
	if _, unseen := ts.status(processedBox); unseen != 0 {
		t.Errorf("%d processed messages are not \\Seen", unseen)
	}
	checkpointAt(t, w, cp, uint32(last.UID))
	if v, _ := cp.get(w.CheckpointKey()); v != last.UIDValidity {
		t.Errorf("checkpoint uidvalidity %d, want %d", v, last.UIDValidity)
	}
	// One search finds the backlog, the next finds it all taken in; that
	// one follows the checkpoint.
	testutil.Eventually(t, "a second search", 5*time.Second, func() (bool, error) { return w.Stats().Searches >= 2, nil })
	st := w.Stats()
	if st.Fetched != n || st.Handled != n || st.Filed != n || st.Moved != n || st.LastGoodFetch.IsZero() {
		t.Errorf("stats %+v", st)
	}
	if got := len(desk.snapshot()); got != n {
		t.Errorf("desk saw %d calls, want %d", got, n)
	}
}

// IMAP4rev1 servers without IDLE or MOVE: the watcher polls. With UIDPLUS it
// moves by COPY + UID EXPUNGE; without, it only flags \Seen and keeps the
// mail. Either way a plain EXPUNGE never runs, so a message another client
// flagged \Deleted survives: here one older than Sportel's first start
// (imap.first_start: new), which is not Sportel's to take in. (Mail
// flagged \Deleted above the checkpoint is taken in: deleted_test.go.)
func TestPollWithoutMOVE(t *testing.T) {
	tests := []struct {
		name          string
		caps          imap.CapSet
		wantInbox     uint32 // besides the other client's \Deleted message
		wantProcessed uint32
	}{
		{"no UIDPLUS: flag and keep", capsRev1, 4, 0},
		{"UIDPLUS: copy and uid expunge", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}, 0, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startIMAP(t, serverConfig{caps: tt.caps})
			if _, err := ts.user.Append("INBOX", bytes.NewReader(rawMail("gone@example.org", "deleted by someone", "x")),
				&imap.AppendOptions{Flags: []imap.Flag{imap.FlagDeleted}}); err != nil {
				t.Fatal(err)
			}
			desk, cp := newTestDesk(), newMemCheckpoints()
			opts := baseOptions(ts)
			opts.FirstStart = FirstStartNew
			w, _ := runWatcher(t, opts, desk, cp)
			testutil.Eventually(t, "a first read of the mailbox", 5*time.Second, func() (bool, error) {
				return w.Stats().Searches > 0, nil
			})
			for i := range 3 {
				ts.appendTo("INBOX", rawMail(fmt.Sprintf("p%d@example.org", i), fmt.Sprintf("poll %d", i), "x"), time.Time{})
			}
			desk.waitHandled(t, 3, 5*time.Second)

			// New mail is found by polling.
			last := ts.appendTo("INBOX", rawMail("p3@example.org", "poll 3", "x"), time.Time{})
			calls := desk.waitHandled(t, 4, 5*time.Second)
			if calls[3].Subject != "poll 3" {
				t.Fatalf("fourth call %q, want poll 3", calls[3].Subject)
			}
			checkpointAt(t, w, cp, uint32(last.UID))
			inbox, unseen := ts.status("INBOX")
			if inbox != tt.wantInbox+1 || unseen != 1 {
				t.Errorf("INBOX has %d messages, %d unseen; want %d, only the other client's unseen", inbox, unseen, tt.wantInbox+1)
			}
			if got := ts.subjects("INBOX", nil); !slices.Contains(got, "deleted by someone") {
				t.Errorf("the other client's \\Deleted message was expunged; INBOX %v", got)
			}
			if m, _ := ts.status(processedBox); m != tt.wantProcessed {
				t.Errorf("processed has %d messages, want %d", m, tt.wantProcessed)
			}
			// More polls must hand nothing in again. Wait for two
			// more searches: whatever the first finds is handled before the
			// second starts, so the count below has seen a whole poll.
			searched := w.Stats().Searches
			testutil.Eventually(t, "two more polls", 5*time.Second, func() (bool, error) {
				return w.Stats().Searches >= searched+2, nil
			})
			if got := len(desk.snapshot()); got != 4 {
				t.Errorf("desk saw %d calls after two more polls, want 4", got)
			}
		})
	}
}

// Mail appended while the watcher idles is pushed and taken in quickly.
func TestIdleTakesInNewMail(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	opts := baseOptions(ts)
	opts.PollInterval = time.Hour // IDLE must do the work
	desk := newTestDesk()
	w, _ := runWatcher(t, opts, desk, newMemCheckpoints())
	testutil.Eventually(t, "a first read of the mailbox", 5*time.Second, func() (bool, error) {
		return !w.Stats().LastGoodFetch.IsZero(), nil
	})

	var latencies []time.Duration
	for i := range 5 {
		time.Sleep(100 * time.Millisecond) // let it settle into IDLE
		start := time.Now()
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("i%d@example.org", i), fmt.Sprintf("idle %d", i), "x"), time.Time{})
		select {
		case h := <-desk.notify:
			if h.Subject != fmt.Sprintf("idle %d", i) {
				t.Fatalf("got %q", h.Subject)
			}
			latencies = append(latencies, h.At.Sub(start))
		case <-time.After(3 * time.Second):
			t.Fatalf("message %d not taken in within 3s", i)
		}
	}
	slices.Sort(latencies)
	t.Logf("APPEND→handled latencies: %v", latencies)
	if latencies[len(latencies)/2] > 250*time.Millisecond {
		t.Errorf("median latency %s, want well under 250ms with IDLE", latencies[len(latencies)/2])
	}
}

// A Handle error leaves the message in place; it is retried, nothing after
// it is taken in first, and the checkpoint never passes it.
func TestHandleErrorIsRetriedInOrder(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	for i := range 3 {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("r%d@example.org", i), fmt.Sprintf("retry %d", i), "x"), time.Time{})
	}
	desk, cp := newTestDesk(), newMemCheckpoints()
	desk.failFirst["retry 1"] = 3
	w, _ := runWatcher(t, baseOptions(ts), desk, cp)

	calls := desk.waitHandled(t, 3, 5*time.Second)
	var order []string
	for _, c := range calls {
		order = append(order, c.Subject)
	}
	if want := []string{"retry 0", "retry 1", "retry 2"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	if got := desk.attemptsFor("retry 1"); got != 4 {
		t.Errorf("retry 1 attempted %d times, want 4 (3 failures + success)", got)
	}
	if got := desk.attemptsFor("retry 2"); got != 1 {
		t.Errorf("retry 2 attempted %d times, want 1: nothing runs ahead of a failed message", got)
	}
	ts.mailboxHolds(t, processedBox, 3, 2*time.Second)
	checkpointAt(t, w, cp, 3)
	if st := w.Stats(); st.IntakeErrors < 3 || st.Errors != 0 {
		t.Errorf("stats: %d intake errors, %d of the mailbox; want ≥ 3 and none: the desk failed, not the mailbox", st.IntakeErrors, st.Errors)
	}
}

// The desk's disposition decides the target mailbox.
func TestDispositionChoosesMailbox(t *testing.T) {
	tests := []struct {
		subject string
		disp    inquiry.Disposition
		want    string
	}{
		{"filed one", inquiry.Filed, processedBox},
		{"attached one", inquiry.Attached, processedBox},
		{"relayed one", inquiry.Relayed, processedBox},
		{"recorded one", inquiry.Recorded, processedBox},
		{"duplicate one", inquiry.Duplicate, processedBox},
		{"quarantined one", inquiry.Quarantined, quarantineBx},
		{"quarantined two", inquiry.Quarantined, quarantineBx},
	}
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	desk := newTestDesk()
	for i, tt := range tests {
		desk.bySubject[tt.subject] = tt.disp
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("d%d@example.org", i), tt.subject, "x"), time.Time{})
	}
	runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	desk.waitHandled(t, len(tests), 5*time.Second)
	ts.mailboxHolds(t, "INBOX", 0, 2*time.Second)

	in := map[string][]string{
		processedBox: ts.subjects(processedBox, nil),
		quarantineBx: ts.subjects(quarantineBx, nil),
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			if !slices.Contains(in[tt.want], tt.subject) {
				t.Errorf("%q (%s) not in %s; processed %v, quarantine %v", tt.subject, tt.disp, tt.want, in[processedBox], in[quarantineBx])
			}
		})
	}
}

// Mail without a Message-ID is known by mailbox, UIDVALIDITY and UID.
func TestSourceIDFallsBackToUID(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	data := ts.appendTo("INBOX", rawMail("", "no id", "x"), time.Time{})
	desk := newTestDesk()
	runWatcher(t, baseOptions(ts), desk, newMemCheckpoints())
	calls := desk.waitHandled(t, 1, 5*time.Second)
	if want := fmt.Sprintf("imap:INBOX:%d:%d", data.UIDValidity, data.UID); calls[0].SourceID != want {
		t.Errorf("SourceID %q, want %q", calls[0].SourceID, want)
	}
}

// INBOX deleted and recreated (new UIDVALIDITY, UIDs from 1 again): the
// watcher rescans instead of skipping UIDs at or below the old checkpoint.
func TestUIDValidityChangeRescans(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	raws := [][]byte{
		rawMail("v0@example.org", "validity 0", "x"),
		rawMail("v1@example.org", "validity 1", "x"),
		rawMail("v2@example.org", "validity 2", "x"),
	}
	for _, r := range raws {
		ts.appendTo("INBOX", r, time.Time{})
	}
	desk, cp := newTestDesk(), newMemCheckpoints()
	w, stop := runWatcher(t, baseOptions(ts), desk, cp)
	desk.waitHandled(t, 3, 5*time.Second)
	checkpointAt(t, w, cp, 3)
	oldValidity, _ := cp.get(w.CheckpointKey())
	stop()

	if err := ts.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := ts.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	var newData *imap.AppendData
	for _, r := range raws {
		newData = ts.appendTo("INBOX", r, time.Time{})
	}
	if newData.UIDValidity == oldValidity || newData.UID != 3 {
		t.Fatalf("test setup: new mailbox uidvalidity %d uid %d", newData.UIDValidity, newData.UID)
	}

	w2, _ := runWatcher(t, baseOptions(ts), desk, cp)
	calls := desk.waitHandled(t, 6, 5*time.Second)
	for _, c := range calls[3:] {
		if c.Disposition != inquiry.Duplicate {
			t.Errorf("rescanned %q: disposition %s, want duplicate", c.Subject, c.Disposition)
		}
	}
	ts.mailboxHolds(t, processedBox, 6, 2*time.Second)
	testutil.Eventually(t, fmt.Sprintf("checkpoint (%d, 3)", newData.UIDValidity), 2*time.Second, func() (bool, error) {
		v, l := cp.get(w2.CheckpointKey())
		return v == newData.UIDValidity && l == 3, nil
	})
}

// The mailbox is restored from a backup with its UIDVALIDITY (Dovecot
// keeps it in the Maildir's dovecot-uidlist, and gives out UIDs from the
// backup's UIDNEXT again): the backup held two mails taken in long ago,
// the checkpoint had reached UID 5, and mail arriving after the restore
// gets UIDs 3 and 4. It must be taken in, not passed over as below the
// checkpoint.
func TestRestoredMailboxGivesOutUIDsAgain(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	logs := testutil.NewLogBuffer(t)
	opts := baseOptions(ts)
	opts.Logger = logs.Logger(slog.LevelDebug)
	desk, cp := newTestDesk(), newMemCheckpoints()
	var validity uint32
	for i := range 2 {
		validity = ts.appendTo("INBOX", rawMail(fmt.Sprintf("old%d@example.org", i), fmt.Sprintf("from the backup %d", i), "x"), time.Time{}).UIDValidity
		desk.seen[fmt.Sprintf("msgid:old%d@example.org", i)] = true
	}
	for i := range 2 {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("new%d@example.org", i), fmt.Sprintf("after the restore %d", i), "x"), time.Time{})
	}
	if err := cp.SaveCheckpoint(context.Background(), checkpointKey(opts), validity, 5); err != nil {
		t.Fatal(err)
	}

	w, _ := runWatcher(t, opts, desk, cp)
	calls := desk.waitHandled(t, 4, 5*time.Second)
	got := map[string]inquiry.Disposition{}
	for _, c := range calls {
		got[c.Subject] = c.Disposition
	}
	want := map[string]inquiry.Disposition{
		"from the backup 0": inquiry.Duplicate, "from the backup 1": inquiry.Duplicate,
		"after the restore 0": inquiry.Filed, "after the restore 1": inquiry.Filed,
	}
	if !maps.Equal(got, want) {
		t.Errorf("desk answered %v, want %v", got, want)
	}
	checkpointAt(t, w, cp, 4)
	ts.mailboxHolds(t, "INBOX", 0, 2*time.Second)
	if !strings.Contains(logs.String(), "level=WARN msg=\"mailbox gives out UIDs at or below the checkpoint again") {
		t.Errorf("the rescan is not explained at warn:\n%s", logs.String())
	}
}

// The server goes away mid-run; the watcher logs, backs off, reconnects to
// the restarted server and takes in what arrived meanwhile.
func TestReconnectsAfterServerRestart(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	logs := testutil.NewLogBuffer(t)
	opts := baseOptions(ts)
	opts.Logger = logs.Logger(slog.LevelDebug)
	desk := newTestDesk()
	w, _ := runWatcher(t, opts, desk, newMemCheckpoints())

	ts.appendTo("INBOX", rawMail("a0@example.org", "before 0", "x"), time.Time{})
	desk.waitHandled(t, 1, 5*time.Second)
	// Stopped before the move, the server would hand the first mail over
	// again (a duplicate) ahead of the new ones.
	ts.mailboxHolds(t, processedBox, 1, 2*time.Second)

	ts.stop()
	ts.appendTo("INBOX", rawMail("a1@example.org", "during 1", "x"), time.Time{})
	ts.appendTo("INBOX", rawMail("a2@example.org", "during 2", "x"), time.Time{})
	testutil.Eventually(t, "repeated failure logs while the server is down", 5*time.Second, func() (bool, error) {
		return strings.Count(logs.String(), "imap mailbox cannot be read") >= 2, nil
	})
	ts.restart()

	calls := desk.waitHandled(t, 3, 5*time.Second)
	if calls[1].Subject != "during 1" || calls[2].Subject != "during 2" {
		t.Errorf("after restart got %q, %q", calls[1].Subject, calls[2].Subject)
	}
	if st := w.Stats(); st.Reconnects < 2 {
		t.Errorf("reconnects %d, want ≥ 2", st.Reconnects)
	}
	if !strings.Contains(logs.String(), "since_last_good_fetch") {
		t.Errorf("failure log lacks the time since the last good fetch:\n%s", logs.String())
	}
}

// The server ends the session with an untagged BYE (Dovecot shutting
// down, an administrator's kick, a proxy's idle limit): the watcher
// reconnects, and the log says what the server said, not only that the
// connection closed.
func TestServerSaysBye(t *testing.T) {
	for _, tt := range []struct {
		name     string
		tls      bool
		security string
	}{
		{"plaintext", false, SecurityNone},
		{"implicit TLS", true, SecurityTLS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var conns []*imapserver.Conn
			cfg := serverConfig{caps: capsRev2, onConn: func(c *imapserver.Conn) {
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}}
			var clientTLS *tls.Config
			if tt.tls {
				cfg.tlsCfg, clientTLS = testutil.SelfSignedTLS(t)
				cfg.implicit = true
			}
			ts := startIMAP(t, cfg)
			logs := testutil.NewLogBuffer(t)
			opts := baseOptions(ts)
			opts.Security, opts.TLSConfig = tt.security, clientTLS
			opts.Logger = logs.Logger(slog.LevelDebug)
			desk := newTestDesk()
			w, _ := runWatcher(t, opts, desk, newMemCheckpoints())
			testutil.Eventually(t, "a first read of the mailbox", 5*time.Second, func() (bool, error) {
				return w.Stats().Searches > 0, nil
			})
			mu.Lock()
			first := conns[0]
			mu.Unlock()
			const words = "Server shutting down for maintenance."
			if err := first.Bye(words); err != nil {
				t.Fatal(err)
			}
			ts.appendTo("INBOX", rawMail("bye@example.org", "after the bye", "x"), time.Time{})
			if calls := desk.waitHandled(t, 1, 5*time.Second); calls[0].Subject != "after the bye" {
				t.Errorf("took in %q", calls[0].Subject)
			}
			if line := logLine(logs.String(), "imap mailbox cannot be read"); !strings.Contains(line, words) {
				t.Errorf("the failure does not say what the server said (%q):\n%s", words, logs.String())
			}
		})
	}
}

// lastLine finds a BYE only as the last line read, whatever the reads
// it came in.
func TestLastLineBye(t *testing.T) {
	long := strings.Repeat("x", 3*maxByeLine)
	tests := []struct {
		name  string
		reads []string
		want  string
	}{
		{"bye alone", []string{"* BYE Server shutting down.\r\n"}, "Server shutting down."},
		{"after other responses", []string{"* 3 EXISTS\r\n", "a1 OK done\r\n* bye Disconnected for inactivity.\r\n"}, "Disconnected for inactivity."},
		{"split across reads", []string{"* 1 EXPUNGE\r\n* B", "YE Logged out", "\r\n"}, "Logged out"},
		{"after a long read", []string{long + "\r\n", "* BYE [UNAVAILABLE] try later\r\n"}, "[UNAVAILABLE] try later"},
		{"within a long read", []string{long + "\r\n* BYE going\r\n"}, "going"},
		{"in a literal, more after it", []string{"* 1 FETCH (BODY[] {12}\r\n* BYE fake\r\n", ")\r\n"}, ""},
		{"line not ended", []string{"* BYE cut"}, ""},
		{"no bye", []string{"a1 OK done\r\n"}, ""},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l lastLine
			for _, r := range tt.reads {
				l.record([]byte(r))
			}
			if got := l.bye(); got != tt.want {
				t.Errorf("bye() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTLSModes(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name      string
		security  string
		implicit  bool
		clientTLS *tls.Config
		wantOK    bool
	}{
		{"starttls", SecurityStartTLS, false, clientTLS, true},
		{"implicit tls", SecurityTLS, true, clientTLS, true},
		{"starttls untrusted cert", SecurityStartTLS, false, nil, false},
		{"implicit tls untrusted cert", SecurityTLS, true, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// InsecureAuth is off, so LOGIN only succeeds over TLS.
			ts := startIMAP(t, serverConfig{caps: capsRev2, tlsCfg: serverTLS, implicit: tt.implicit})
			ts.appendTo("INBOX", rawMail("t@example.org", "over tls", "x"), time.Time{})
			opts := baseOptions(ts)
			opts.Security = tt.security
			opts.TLSConfig = tt.clientTLS
			logs := testutil.NewLogBuffer(t)
			opts.Logger = logs.Logger(slog.LevelDebug)
			desk := newTestDesk()
			w, _ := runWatcher(t, opts, desk, newMemCheckpoints())
			if tt.wantOK {
				desk.waitHandled(t, 1, 5*time.Second)
				// The move follows the desk's commit.
				testutil.Eventually(t, "the mail moved to "+processedBox, 5*time.Second, func() (bool, error) {
					return slices.Equal(ts.subjects(processedBox, clientTLS), []string{"over tls"}), nil
				})
				return
			}
			testutil.Eventually(t, "repeated TLS failures", 5*time.Second, func() (bool, error) {
				return w.Stats().Errors >= 2, nil
			})
			if len(desk.snapshot()) != 0 {
				t.Error("message taken in over an unverified connection")
			}
			if !strings.Contains(logs.String(), "certificate") {
				t.Errorf("log does not name the certificate problem:\n%s", logs.String())
			}
		})
	}
}

// A wrong password is logged (without the password; at error the first
// time, then at debug: see TestOutageLoggedOnceWithHint) and retried with
// backoff; cancelling ctx ends Run promptly.
func TestWrongPasswordRetriesAndStops(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	ts.appendTo("INBOX", rawMail("w@example.org", "wrong pass", "x"), time.Time{})
	opts := baseOptions(ts)
	opts.Password = "not-the-password-xyz"
	opts.BackoffMin = 30 * time.Millisecond
	opts.BackoffMax = 60 * time.Millisecond
	logs := testutil.NewLogBuffer(t)
	opts.Logger = logs.Logger(slog.LevelDebug)
	desk := newTestDesk()
	w, stop := runWatcher(t, opts, desk, newMemCheckpoints())

	testutil.Eventually(t, "three failed attempts", 5*time.Second, func() (bool, error) {
		return w.Stats().Errors >= 3, nil
	})
	start := time.Now()
	stop()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run took %s to stop", d)
	}
	out := logs.String()
	if !strings.Contains(out, "login as "+testUser) || !strings.Contains(out, "AUTHENTICATIONFAILED") {
		t.Errorf("log does not explain the login failure:\n%s", out)
	}
	if strings.Contains(out, opts.Password) {
		t.Error("password appears in the log")
	}
	if len(desk.snapshot()) != 0 {
		t.Error("message taken in without login")
	}
}

// A checkpoint store that fails makes the session fail; the handled message
// is fetched again later and the desk answers Duplicate.
func TestCheckpointFailureRefetchesAsDuplicate(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev1})
	ts.appendTo("INBOX", rawMail("c@example.org", "checkpoint", "x"), time.Time{})
	desk := newTestDesk()
	cp := &flakyCheckpoints{memCheckpoints: newMemCheckpoints(), failSaves: 1}
	runWatcher(t, baseOptions(ts), desk, cp)
	calls := desk.waitHandled(t, 2, 5*time.Second)
	if calls[0].Disposition != inquiry.Filed || calls[1].Disposition != inquiry.Duplicate {
		t.Errorf("dispositions %s, %s; want filed then duplicate", calls[0].Disposition, calls[1].Disposition)
	}
}

type flakyCheckpoints struct {
	*memCheckpoints
	failSaves int
}

func (f *flakyCheckpoints) SaveCheckpoint(ctx context.Context, key string, uv, uid uint32) error {
	f.mu.Lock()
	fail := f.failSaves > 0
	f.failSaves--
	f.mu.Unlock()
	if fail {
		return fmt.Errorf("database is locked")
	}
	return f.memCheckpoints.SaveCheckpoint(ctx, key, uv, uid)
}

// A server that accepts the connection but never speaks: the watchdog ends
// the attempt, the failure is logged, and Run still stops on cancel.
func TestSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn // open and silent until the test ends
	var heldMu sync.Mutex
	t.Cleanup(func() {
		heldMu.Lock()
		defer heldMu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, c)
			heldMu.Unlock()
		}
	}()
	logs := testutil.NewLogBuffer(t)
	opts := Options{
		Addr: ln.Addr().String(), Security: SecurityNone, Username: testUser, Password: testPassword,
		Mailbox: "INBOX", ProcessedMailbox: processedBox, QuarantineMailbox: quarantineBx,
		DialTimeout: 100 * time.Millisecond, BackoffMin: 10 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
		Parse: testParse, Logger: logs.Logger(slog.LevelDebug),
	}
	w, stop := runWatcher(t, opts, newTestDesk(), newMemCheckpoints())
	testutil.Eventually(t, "two timeouts", 3*time.Second, func() (bool, error) {
		return w.Stats().Errors >= 2, nil
	})
	stop()
	if !strings.Contains(logs.String(), "greeting: no answer within 100ms") {
		t.Errorf("log does not explain the timeout:\n%s", logs.String())
	}
}

// batchDesk takes messages in several at a time, as the real desk does.
type batchDesk struct {
	*testDesk
	mu      sync.Mutex
	batches []int // sizes of the batches it was given
}

func (d *batchDesk) HandleBatch(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	d.mu.Lock()
	d.batches = append(d.batches, len(ms))
	d.mu.Unlock()
	var out []inquiry.Disposition
	for _, m := range ms {
		disp, err := d.Handle(ctx, m)
		if err != nil {
			return out, err
		}
		out = append(out, disp)
	}
	return out, nil
}

// With a BatchHandler a backlog goes over in batches; a failure part-way
// keeps what came before it, and the failed message is retried first.
func TestBatchHandlerKeepsOrderAndRetries(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	for i := range 40 {
		ts.appendTo("INBOX", rawMail(fmt.Sprintf("b%d@example.org", i), fmt.Sprintf("batch %02d", i), "x"), time.Time{})
	}
	desk := &batchDesk{testDesk: newTestDesk()}
	desk.failFirst["batch 05"] = 2
	cp := newMemCheckpoints()
	w, _ := runWatcher(t, baseOptions(ts), desk, cp)

	calls := desk.waitHandled(t, 40, 5*time.Second)
	for i, c := range calls {
		if want := fmt.Sprintf("batch %02d", i); c.Subject != want {
			t.Fatalf("call %d: %s, want %s", i, c.Subject, want)
		}
	}
	if got := desk.attemptsFor("batch 05"); got != 3 {
		t.Errorf("batch 05 attempted %d times, want 3", got)
	}
	if got := desk.attemptsFor("batch 06"); got != 1 {
		t.Errorf("batch 06 attempted %d times, want 1", got)
	}
	desk.mu.Lock()
	sizes := append([]int(nil), desk.batches...)
	desk.mu.Unlock()
	if len(sizes) == 0 || slices.Max(sizes) < 2 {
		t.Errorf("batch sizes %v: the batch path was not used", sizes)
	}
	ts.mailboxHolds(t, processedBox, 40, 2*time.Second)
	checkpointAt(t, w, cp, 40)
}

// A changed UIDVALIDITY with nothing left to take in (every mail was
// moved to the processed mailbox before the change): the checkpoint takes
// the new UIDVALIDITY at once, or every reconnect would log the change and
// read the whole mailbox again until new mail moved it.
func TestUIDValidityChangeOnAnEmptyMailboxIsRecorded(t *testing.T) {
	ts := startIMAP(t, serverConfig{caps: capsRev2})
	logs := testutil.NewLogBuffer(t)
	opts := baseOptions(ts)
	opts.Logger = logs.Logger(slog.LevelDebug)
	desk, cp := newTestDesk(), newMemCheckpoints()
	const oldValidity = 4_000_000_000
	if err := cp.SaveCheckpoint(context.Background(), checkpointKey(opts), oldValidity, 3); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		w, stop := runWatcher(t, opts, desk, cp)
		testutil.Eventually(t, "checkpoint under the new uidvalidity", 2*time.Second, func() (bool, error) {
			v, l := cp.get(w.CheckpointKey())
			return v != oldValidity && v != 0 && l == 0, nil
		})
		stop()
	}
	if n := strings.Count(logs.String(), "mailbox UIDVALIDITY changed"); n != 1 {
		t.Errorf("the change was logged %d times over two sessions, want 1:\n%s", n, logs.String())
	}
}
