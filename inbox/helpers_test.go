package inbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-message/mail"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

const (
	testUser     = "dkp@example.gov"
	testPassword = "s3cret-imap-pass"
	processedBox = "Sportel/Processed"
	quarantineBx = "Sportel/Quarantine"
)

var (
	capsRev2 = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	capsRev1 = imap.CapSet{imap.CapIMAP4rev1: {}}
)

// imapTestServer is go-imap's in-memory server on a loopback port that can
// be stopped and started again on the same address.
type imapTestServer struct {
	t        testing.TB
	user     *imapmemserver.User
	mem      *imapmemserver.Server
	caps     imap.CapSet
	tlsCfg   *tls.Config // nil: plaintext with insecure auth allowed
	implicit bool        // implicit TLS instead of STARTTLS
	wrap     func(imapserver.SessionIMAP4rev2) imapserver.Session
	wrapConn func(net.Conn) net.Conn
	onConn   func(*imapserver.Conn)
	addr     string

	mu  sync.Mutex
	srv *imapserver.Server

	// sent counts the bytes the server wrote to its clients.
	sent atomic.Int64
}

// countingListener counts what the server writes on each connection.
type countingListener struct {
	net.Listener
	n    *atomic.Int64
	wrap func(net.Conn) net.Conn
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.wrap != nil {
		c = l.wrap(c)
	}
	return countingConn{c, l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

type serverConfig struct {
	caps     imap.CapSet
	tlsCfg   *tls.Config
	implicit bool
	// wrap, when set, changes what each session answers (a server that
	// refuses some commands, or names its namespace otherwise).
	wrap func(imapserver.SessionIMAP4rev2) imapserver.Session
	// wrapConn, when set, wraps each accepted connection (a slow link).
	wrapConn func(net.Conn) net.Conn
	// onConn, when set, is given each session's connection (to end it
	// with a BYE).
	onConn func(*imapserver.Conn)
}

func startIMAP(t testing.TB, cfg serverConfig) *imapTestServer {
	t.Helper()
	user := imapmemserver.NewUser(testUser, testPassword)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(user)
	ts := &imapTestServer{t: t, user: user, mem: mem, caps: cfg.caps, tlsCfg: cfg.tlsCfg, implicit: cfg.implicit, wrap: cfg.wrap, wrapConn: cfg.wrapConn, onConn: cfg.onConn}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	ts.serve(ln)
	t.Cleanup(ts.stop)
	return ts
}

func (ts *imapTestServer) serve(ln net.Listener) {
	ln = &countingListener{ln, &ts.sent, ts.wrapConn}
	opts := &imapserver.Options{
		NewSession: func(conn *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if ts.onConn != nil {
				ts.onConn(conn)
			}
			sess := ts.mem.NewSession()
			if ts.wrap != nil {
				return ts.wrap(sess.(imapserver.SessionIMAP4rev2)), nil, nil
			}
			return sess, nil, nil
		},
		Caps:         ts.caps,
		InsecureAuth: ts.tlsCfg == nil, // with TLS, LOGIN only works once TLS is up
		Logger:       log.New(io.Discard, "", 0),
	}
	if ts.tlsCfg != nil {
		if ts.implicit {
			ln = tls.NewListener(ln, ts.tlsCfg)
		} else {
			opts.TLSConfig = ts.tlsCfg
		}
	}
	srv := imapserver.New(opts)
	ts.mu.Lock()
	ts.srv = srv
	ts.mu.Unlock()
	go srv.Serve(ln)
}

// stop closes the listener and every connection.
func (ts *imapTestServer) stop() {
	ts.mu.Lock()
	srv := ts.srv
	ts.srv = nil
	ts.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// restart serves again on the same address with the same mailboxes.
func (ts *imapTestServer) restart() {
	ts.t.Helper()
	ln, err := net.Listen("tcp", ts.addr)
	if err != nil {
		ts.t.Fatalf("listen again on %s: %v", ts.addr, err)
	}
	ts.serve(ln)
}

func (ts *imapTestServer) appendTo(mailbox string, raw []byte, at time.Time) *imap.AppendData {
	ts.t.Helper()
	data, err := ts.user.Append(mailbox, bytes.NewReader(raw), &imap.AppendOptions{Time: at})
	if err != nil {
		ts.t.Fatalf("append to %s: %v", mailbox, err)
	}
	return data
}

func (ts *imapTestServer) status(mailbox string) (messages, unseen uint32) {
	ts.t.Helper()
	st, err := ts.user.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		ts.t.Fatalf("status %s: %v", mailbox, err)
	}
	return *st.NumMessages, *st.NumUnseen
}

// subjects lists the Subject of every message in mailbox, in UID order,
// read through a real IMAP client.
func (ts *imapTestServer) subjects(mailbox string, clientTLS *tls.Config) []string {
	ts.t.Helper()
	return subjectsIn(ts.contentsTLS(mailbox, clientTLS))
}

// copyFlags is one message in a mailbox: its subject and its flags.
type copyFlags struct {
	subject string
	flags   []imap.Flag
}

func (c copyFlags) has(f imap.Flag) bool { return flagged(c.flags, f) }

func subjectsIn(cs []copyFlags) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.subject)
	}
	return out
}

// contents lists every message in mailbox with its flags, in UID order,
// read through a real IMAP client.
func (ts *imapTestServer) contents(mailbox string) []copyFlags {
	ts.t.Helper()
	return ts.contentsTLS(mailbox, nil)
}

// contentsTLS is contents through a client trusting clientTLS.
func (ts *imapTestServer) contentsTLS(mailbox string, clientTLS *tls.Config) []copyFlags {
	ts.t.Helper()
	var c *imapclient.Client
	var err error
	opts := &imapclient.Options{TLSConfig: clientTLS}
	switch {
	case ts.tlsCfg == nil:
		c, err = imapclient.DialInsecure(ts.addr, opts)
	case ts.implicit:
		c, err = imapclient.DialTLS(ts.addr, opts)
	default:
		c, err = imapclient.DialStartTLS(ts.addr, opts)
	}
	if err != nil {
		ts.t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		ts.t.Fatalf("login: %v", err)
	}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		ts.t.Fatalf("select %s: %v", mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...),
		&imap.FetchOptions{UID: true, Envelope: true, Flags: true}).Collect()
	if err != nil {
		ts.t.Fatalf("fetch %s: %v", mailbox, err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	var out []copyFlags
	for _, m := range msgs {
		out = append(out, copyFlags{m.Envelope.Subject, m.Flags})
	}
	return out
}

func seqRange(n uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i) + 1
	}
	return s
}

// rawMail builds a small RFC 5322 message; an empty msgID leaves the header out.
func rawMail(msgID, subject, body string) []byte {
	var b strings.Builder
	b.WriteString("From: Arta Krasniqi <arta@example.org>\r\n")
	b.WriteString("To: dkp@example.gov\r\n")
	b.WriteString("Subject: " + subject + "\r\n")
	if msgID != "" {
		b.WriteString("Message-ID: <" + msgID + ">\r\n")
	}
	b.WriteString("Date: Mon, 02 Feb 2026 10:00:00 +0100\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(body + "\r\n")
	return []byte(b.String())
}

// testParse stands in for the parse package: Message-ID, From, Subject and
// the text parts, through go-message.
func testParse(raw []byte, receivedAt time.Time) *inquiry.Message {
	m := &inquiry.Message{Channel: inquiry.ChannelEmail, ReceivedAt: receivedAt, Raw: raw}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		m.ParseProblems = append(m.ParseProblems, err.Error())
		return m
	}
	if id, _ := mr.Header.MessageID(); id != "" {
		m.MessageID = id
		m.SourceID = "msgid:" + id
	}
	if from, _ := mr.Header.AddressList("From"); len(from) > 0 {
		m.From = inquiry.Address{Name: from[0].Name, Address: from[0].Address}
	}
	m.Subject, _ = mr.Header.Subject()
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if _, ok := p.Header.(*mail.InlineHeader); ok {
			b, _ := io.ReadAll(p.Body)
			m.Text += string(b)
		}
	}
	return m
}

// handled is one call the desk answered.
type handled struct {
	SourceID    string
	Subject     string
	ReceivedAt  time.Time
	Disposition inquiry.Disposition
	At          time.Time
}

// testDesk is a small desk: it deduplicates by SourceID like the real one,
// picks a disposition by subject, and can fail on chosen subjects.
type testDesk struct {
	mu       sync.Mutex
	seen     map[string]bool
	calls    []handled
	attempts map[string]int
	// failFirst[subject] = n makes the first n attempts for that subject fail.
	failFirst map[string]int
	// bySubject overrides the disposition for new messages.
	bySubject map[string]inquiry.Disposition
	notify    chan handled
}

func newTestDesk() *testDesk {
	return &testDesk{
		seen:      map[string]bool{},
		attempts:  map[string]int{},
		failFirst: map[string]int{},
		bySubject: map[string]inquiry.Disposition{},
		notify:    make(chan handled, 4096),
	}
}

func (d *testDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	d.mu.Lock()
	d.attempts[m.Subject]++
	if d.attempts[m.Subject] <= d.failFirst[m.Subject] {
		d.mu.Unlock()
		return "", errors.New("store unavailable")
	}
	disp := inquiry.Filed
	if override, ok := d.bySubject[m.Subject]; ok {
		disp = override
	}
	if d.seen[m.SourceID] {
		disp = inquiry.Duplicate
	}
	d.seen[m.SourceID] = true
	h := handled{SourceID: m.SourceID, Subject: m.Subject, ReceivedAt: m.ReceivedAt, Disposition: disp, At: time.Now()}
	d.calls = append(d.calls, h)
	d.mu.Unlock()
	d.notify <- h
	return disp, nil
}

func (d *testDesk) snapshot() []handled {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.calls)
}

func (d *testDesk) attemptsFor(subject string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.attempts[subject]
}

// waitHandled waits until n calls were answered in total.
func (d *testDesk) waitHandled(t testing.TB, n int, within time.Duration) []handled {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("the desk to answer %d messages", n), within, func() (bool, error) {
		return len(d.snapshot()) >= n, nil
	})
	return d.snapshot()
}

// memCheckpoints keeps checkpoints in a map.
type memCheckpoints struct {
	mu sync.Mutex
	m  map[string][2]uint32
}

func newMemCheckpoints() *memCheckpoints { return &memCheckpoints{m: map[string][2]uint32{}} }

func (c *memCheckpoints) LoadCheckpoint(_ context.Context, key string) (uint32, uint32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.m[key]
	return v[0], v[1], nil
}

func (c *memCheckpoints) SaveCheckpoint(_ context.Context, key string, uidValidity, lastUID uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = [2]uint32{uidValidity, lastUID}
	return nil
}

func (c *memCheckpoints) get(key string) (uint32, uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key][0], c.m[key][1]
}

// baseOptions are options for a watcher of ts with fast timings.
func baseOptions(ts *imapTestServer) Options {
	return Options{
		Addr:              ts.addr,
		Security:          SecurityNone,
		Username:          testUser,
		Password:          testPassword,
		Mailbox:           "INBOX",
		ProcessedMailbox:  processedBox,
		QuarantineMailbox: quarantineBx,
		PollInterval:      50 * time.Millisecond,
		IdleRestart:       time.Minute,
		DialTimeout:       2 * time.Second,
		CommandTimeout:    5 * time.Second,
		BackoffMin:        20 * time.Millisecond,
		BackoffMax:        200 * time.Millisecond,
		Parse:             testParse,
		Logger:            testutil.DiscardLogger(),
	}
}

// runWatcher starts Run in the background; the returned stop cancels it and
// fails the test unless Run returns nil promptly.
func runWatcher(t testing.TB, opts Options, h Handler, cp Checkpoints) (w *Watcher, stop func()) {
	t.Helper()
	w, err := NewWatcher(opts, h, cp)
	if err != nil {
		t.Fatalf("NewWatcher: %v", err)
	}
	// Run must end promptly on cancel: a stuck watcher blocks shutdown.
	return w, testutil.RunBackground(t, "Run", 3*time.Second, w.Run)
}

// checkpointAt waits until the checkpoint of w's mailbox records lastUID;
// it is saved after the move, so it may trail the mailbox.
func checkpointAt(t testing.TB, w *Watcher, cp *memCheckpoints, lastUID uint32) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("checkpoint last uid %d", lastUID), 2*time.Second, func() (bool, error) {
		_, l := cp.get(w.CheckpointKey())
		return l == lastUID, nil
	})
}

// mailboxHolds waits until mailbox holds n messages.
func (ts *imapTestServer) mailboxHolds(t testing.TB, mailbox string, n uint32, within time.Duration) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d messages in %s", n, mailbox), within, func() (bool, error) {
		m, _ := ts.status(mailbox)
		return m == n, nil
	})
}
