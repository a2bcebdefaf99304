package app

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"sportel/inbox"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// dovecot is a reachable Dovecot IMAP server and its login.
type dovecot struct {
	addr, user, password string
	layout               dovecotLayout
}

// dovecotLayout is how a Dovecot names mailboxes (.ci/dovecot.sh LAYOUT),
// with the names the configured mailboxes must end up with there, written
// out rather than computed so the watcher's mapping is checked.
type dovecotLayout struct {
	name string
	// server maps the configured names of testConfig to the server's.
	server map[string]string
}

var (
	// slashLayout: separator "/", no namespace prefix.
	slashLayout = dovecotLayout{"slash", map[string]string{
		"INBOX": "INBOX", processedBox: "Sportel/Processed", quarantineBox: "Sportel/Quarantine"}}
	// maildirLayout: Maildir++ as Courier had it, separator "." and every
	// mailbox under the personal namespace "INBOX.".
	maildirLayout = dovecotLayout{"maildir", map[string]string{
		"INBOX": "INBOX", processedBox: "INBOX.Sportel.Processed", quarantineBox: "INBOX.Sportel.Quarantine"}}
)

// needDovecot returns the Dovecot named by SPORTEL_DOVECOT_ADDR (as
// .ci/dovecot.sh exports it, when its SPORTEL_DOVECOT_LAYOUT is layout), or
// starts a private one with layout when dovecot is installed, or skips the
// test.
func needDovecot(tb testing.TB, layout dovecotLayout) dovecot {
	tb.Helper()
	if addr := os.Getenv("SPORTEL_DOVECOT_ADDR"); addr != "" {
		if got := cmp.Or(os.Getenv("SPORTEL_DOVECOT_LAYOUT"), slashLayout.name); got != layout.name {
			tb.Skipf("SPORTEL_DOVECOT_ADDR has layout %s, this test wants %s", got, layout.name)
		}
		return dovecot{addr: addr, user: os.Getenv("SPORTEL_DOVECOT_USER"), password: os.Getenv("SPORTEL_DOVECOT_PASSWORD"), layout: layout}
	}
	if _, err := exec.LookPath("dovecot"); err != nil {
		tb.Skip("dovecot not installed: install dovecot-imapd (as .ci/run does) or set SPORTEL_DOVECOT_ADDR/USER/PASSWORD")
	}
	if os.Geteuid() != 0 {
		tb.Skip("dovecot installed, but .ci/dovecot.sh must run as root (it hands the mail folder to dovenull); or set SPORTEL_DOVECOT_ADDR")
	}
	return startDovecot(tb, layout)
}

// startDovecot runs .ci/dovecot.sh on a free port in a fresh directory and
// stops that Dovecot when the test ends, pass or fail.
func startDovecot(tb testing.TB, layout dovecotLayout) dovecot {
	tb.Helper()
	// Dovecot's unprivileged processes must reach the mail folder: a
	// t.TempDir() lies under a 0700 directory, so make our own.
	parent, err := os.MkdirTemp("", "sportel-dovecot-")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(parent, 0o755); err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(parent, "dovecot")
	_, port, err := net.SplitHostPort(testutil.FreeAddr(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			if log, err := os.ReadFile(filepath.Join(dir, "dovecot.log")); err == nil {
				tb.Logf("dovecot log:\n%s", log)
			}
		}
		stopDovecot(tb, dir)
		os.RemoveAll(parent)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The daemon inherits the script's stdout and stderr and keeps them open:
	// with pipes, Wait would wait for it to exit. Files do not wait.
	outPath, errPath := filepath.Join(parent, "dovecot.sh.out"), filepath.Join(parent, "dovecot.sh.err")
	outFile, err := os.Create(outPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer outFile.Close()
	errFile, err := os.Create(errPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer errFile.Close()
	cmd := exec.CommandContext(ctx, "bash", "../.ci/dovecot.sh", dir, port, layout.name)
	cmd.Stdout, cmd.Stderr = outFile, errFile
	if err := cmd.Run(); err != nil {
		stderr, _ := os.ReadFile(errPath)
		tb.Fatalf("start dovecot: %v\n%s", err, stderr)
	}
	out, err := os.ReadFile(outPath)
	if err != nil {
		tb.Fatal(err)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if ok {
			env[k] = v
		}
	}
	d := dovecot{addr: env["SPORTEL_DOVECOT_ADDR"], user: env["SPORTEL_DOVECOT_USER"], password: env["SPORTEL_DOVECOT_PASSWORD"], layout: layout}
	if d.addr == "" || d.user == "" {
		tb.Fatalf("dovecot.sh printed no address or user:\n%s", out)
	}
	return d
}

// stopDovecot ends the master process (it takes its children along) and
// waits until it is gone.
func stopDovecot(tb testing.TB, dir string) {
	pidText, err := os.ReadFile(filepath.Join(dir, "run", "master.pid"))
	if err != nil {
		tb.Logf("stop dovecot: %v", err)
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(pidText)))
	if err != nil {
		tb.Logf("stop dovecot: master.pid: %v", err)
		return
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return // already gone
	}
	// Not Eventually: a master that ignores SIGTERM must still be killed.
	if err := testutil.Poll(5*time.Second, func() (bool, error) { return syscall.Kill(pid, 0) != nil, nil }); err != nil {
		tb.Errorf("dovecot master %d still running after SIGTERM (%v); killing it", pid, err)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// imapServer is the MTA's and the test's view of a remote IMAP server, over
// one client connection. Its methods take mailbox names as configured and
// use the server's names for them.
type imapServer struct {
	mu     sync.Mutex
	c      *imapclient.Client
	layout dovecotLayout
}

// name is the server's name for a configured mailbox name.
func (s *imapServer) name(mailbox string) string {
	if n, ok := s.layout.server[mailbox]; ok {
		return n
	}
	panic("dovecot layout " + s.layout.name + " does not name mailbox " + mailbox)
}

func dialIMAP(tb testing.TB, d dovecot) *imapServer {
	tb.Helper()
	c, err := imapclient.DialInsecure(d.addr, nil)
	if err != nil {
		tb.Fatalf("dial %s: %v", d.addr, err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Login(d.user, d.password).Wait(); err != nil {
		tb.Fatalf("login to %s as %s: %v", d.addr, d.user, err)
	}
	return &imapServer{c: c, layout: d.layout}
}

// Append delivers raw as an MTA (or an IMAP-speaking MDA) would.
func (s *imapServer) Append(mailbox string, raw []byte, received time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mailbox = s.name(mailbox)
	cmd := s.c.Append(mailbox, int64(len(raw)), &imap.AppendOptions{Time: received})
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return fmt.Errorf("append to %s: write: %w", mailbox, err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("append to %s: %w", mailbox, err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("append to %s: %w", mailbox, err)
	}
	return nil
}

// Count is STATUS (MESSAGES).
func (s *imapServer) Count(mailbox string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mailbox = s.name(mailbox)
	st, err := s.c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0, fmt.Errorf("status %s: %w", mailbox, err)
	}
	if st.NumMessages == nil {
		return 0, errors.New("status: no message count")
	}
	return int(*st.NumMessages), nil
}

func newDovecotStack(tb testing.TB) *stack {
	tb.Helper()
	return newDovecotStackWith(tb, slashLayout)
}

func newDovecotStackWith(tb testing.TB, layout dovecotLayout) *stack {
	tb.Helper()
	d := needDovecot(tb, layout)
	return newStack(tb, dialIMAP(tb, d), d.addr, d.user, d.password)
}

// The whole way through on Dovecot with either hierarchy separator: the
// configuration says Sportel/Processed either way.
func TestE2EDovecot(t *testing.T) {
	t.Parallel()
	for _, layout := range []dovecotLayout{slashLayout, maildirLayout} {
		t.Run(layout.name, func(t *testing.T) {
			t.Parallel()
			testE2EDovecot(t, layout)
		})
	}
}

func testE2EDovecot(t *testing.T, layout dovecotLayout) {
	s := newDovecotStackWith(t, layout)
	inquiryMail := inboundMail{
		from: "Vjosa Gashi <vjosa.gashi@kulturasot.example>", subject: "deklarate per teatrin",
		messageID: "dovecot-1@kulturasot.example",
		body: "pershendetje, jam gazetare ne portalin Kultura Sot. a mundet zedhenesi i ministrise me na dhene nje " +
			"deklarate per mbylljen e teatrit ne Gjakove? po e pergatisim shkrimin per neser.\n\nfaleminderit\nVjosa",
		attachment: &wireAttachment{name: "foto.jpg", contentType: "image/jpeg", content: bytes.Repeat([]byte{0xff, 0xd8, 0x00, 0x10}, 64)},
	}
	list := inboundMail{
		from: "Europa Kreative <newsletter@creative-europe.example>", subject: "Newsletter",
		messageID: "dovecot-list@creative-europe.example", headers: []string{"List-Id: <news.creative-europe.example>"},
		body: "New calls for cooperation projects.",
	}
	unusable := []byte("To: " + publicAddress + "\r\nMIME-Version: 1.0\r\n\r\n\r\n")
	// A Dovecot named by SPORTEL_DOVECOT_ADDR may hold earlier runs' mail:
	// judge the mailboxes by what this run adds.
	before := map[string]int{processedBox: s.countOrZero(processedBox), quarantineBox: s.countOrZero(quarantineBox)}
	for _, raw := range [][]byte{inquiryMail.raw(), list.raw(), unusable} {
		s.append(raw)
	}
	a, _ := s.serve()
	s.settle(a)

	tk := s.ticket(a, inquiryMail.messageID)
	if tk.Category != inquiry.PressInquiry || tk.OfficerID != "osman" {
		t.Errorf("ticket %s: %s for %s, want press_inquiry for osman", tk.Number, tk.Category, tk.OfficerID)
	}
	if lt := s.ticket(a, list.messageID); lt.State != inquiry.BulkMail {
		t.Errorf("list mail ticket state %s, want bulk", lt.State)
	}
	all := s.wireMails()
	checkAck(t, the(t, all, "ack", tk.Number), inquiryMail, tk, "vjosa.gashi@kulturasot.example")
	n := the(t, all, "notify", tk.Number)
	if len(n.attachments) != 1 || !bytes.Equal(n.attachments[0].content, inquiryMail.attachment.content) {
		t.Errorf("notification attachments %d, want the original photo byte for byte", len(n.attachments))
	}
	for box, want := range map[string]int{"INBOX": 0, processedBox: 2, quarantineBox: 1} {
		if got := s.count(box) - before[box]; got != want {
			t.Errorf("STATUS %s: %d messages added, want %d", box, got, want)
		}
	}
	var notices int
	for _, w := range all {
		if w.kind() == "quarantine" {
			notices++
		}
	}
	if len(all) != 3 || notices != 1 {
		t.Errorf("SMTP got %s; want the ack, the notification and one quarantine notice", describe(all))
	}
}

// A configured mailbox that Dovecot refuses at start stops `sportel run`
// with an error naming it, instead of a retry loop that never reads mail.
func TestDovecotRefusedMailboxStopsRun(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		layout dovecotLayout
		want   string
	}{
		{slashLayout, `watched mailbox "Publike": the server refused to select it`},
		{maildirLayout, `watched mailbox "Publike" (on the server "INBOX.Publike"): the server refused to select it`},
	} {
		t.Run(tt.layout.name, func(t *testing.T) {
			t.Parallel()
			s := newDovecotStackWith(t, tt.layout)
			s.cfg.IMAP.Mailbox = "Publike"
			a := s.open()
			err := testutil.Await(t, "Run", 20*time.Second, a.Run)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// check-config --connect's IMAP half against Dovecot with either
// separator: it reports the server's separator and namespace and the names
// the configured mailboxes have there, and creates the missing ones.
func TestCheckIMAPDovecot(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		layout dovecotLayout
		delim  rune
		prefix string
	}{
		{slashLayout, '/', ""},
		{maildirLayout, '.', "INBOX."},
	} {
		t.Run(tt.layout.name, func(t *testing.T) {
			t.Parallel()
			s := newDovecotStackWith(t, tt.layout)
			s.append([]byte("From: a@example.org\r\nSubject: waiting\r\n\r\nx\r\n"))
			for run, wantCreated := range []bool{true, false} {
				rep, err := CheckIMAP(context.Background(), s.cfg, s.logs.Logger(slog.LevelInfo))
				if err != nil {
					t.Fatalf("run %d: CheckIMAP: %v", run, err)
				}
				if rep.Hierarchy.Delim != tt.delim || rep.Hierarchy.Prefix != tt.prefix {
					t.Errorf("run %d: separator %q namespace %q, want %q %q", run, rep.Hierarchy.Delim, rep.Hierarchy.Prefix, tt.delim, tt.prefix)
				}
				if !strings.Contains(rep.Greeting, "Dovecot") || !slices.Contains(rep.Caps, "NAMESPACE") {
					t.Errorf("run %d: greeting %q, capabilities %v", run, rep.Greeting, rep.Caps)
				}
				want := []inbox.ProbedMailbox{
					{Role: "watched", Configured: "INBOX", Name: "INBOX", Messages: 1},
					{Role: "processed", Configured: processedBox, Name: tt.layout.server[processedBox], Created: wantCreated},
					{Role: "quarantine", Configured: quarantineBox, Name: tt.layout.server[quarantineBox], Created: wantCreated},
				}
				if !slices.Equal(rep.Mailboxes, want) {
					t.Errorf("run %d: mailboxes\n got %+v\nwant %+v", run, rep.Mailboxes, want)
				}
			}
			// The mailboxes it made are the daemon's: counted by their
			// server names, and the mail waits unread.
			if n := s.count(processedBox) + s.count(quarantineBox); n != 0 {
				t.Errorf("%d messages in the made mailboxes, want 0", n)
			}
			if n := s.count("INBOX"); n != 1 {
				t.Errorf("INBOX holds %d, want the waiting mail", n)
			}
		})
	}
}
