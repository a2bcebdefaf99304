package inbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"sportel/inquiry"
	"sportel/mailauth"
	"sportel/store"
)

// firstIdle is how long the first IDLE after new mail (or after connecting)
// lasts before a catch-up search. Servers can miss pushing mail that arrives
// just as IDLE starts (go-imap's memory server does; measured: one append in
// 2,000 waited for the next catch-up), so the IDLE length starts short and
// doubles up to IdleRestart: a missed message waits at most a quarter second
// at first, and an idle daemon still sends only a dozen commands per
// IdleRestart.
const firstIdle = 250 * time.Millisecond

// session is one logged-in connection with the watched mailbox selected. It
// is owned by the goroutine running Run.
type session struct {
	c       *imapclient.Client
	timeout time.Duration
	// newMail is poked (never blocking) by the client's reader goroutine when
	// the server reports a new message count.
	newMail chan struct{}

	canIdle    bool
	canMove    bool // MOVE, or COPY + UID EXPUNGE; never a plain EXPUNGE
	hasMove    bool // MOVE itself; without it canMove means COPY + UID EXPUNGE
	hasUIDPlus bool // UID EXPUNGE: removes only the UIDs it names

	boxes mailboxes // the server's names for the configured mailboxes

	// greeting, when set (by Probe), keeps the server's greeting.
	greeting *firstLine
	// tail keeps the end of what the server sent, to say why it ended
	// the session.
	tail lastLine

	uidValidity uint32
	lastUID     imap.UID
	// leaveBefore, on a rescan of a mailbox first read with FirstStartNew,
	// is when that first start was: mail up to UID leaveUpTo (the mailbox
	// as the rescan found it) that arrived before it is left as the first
	// start left it, not taken in now.
	leaveBefore time.Time
	leaveUpTo   imap.UID

	// settling counts the batches being handled or moved: a shutdown then
	// lets them finish instead of closing the connection under them.
	settling atomic.Int32
}

// lastLine keeps the last bytes read from a connection. A server that ends
// a session says why in an untagged BYE ("* BYE Server shutting down",
// "* BYE Disconnected for inactivity") before it closes the connection;
// go-imap reads it and drops its text, and the session failed with only
// "connection closed". With STARTTLS it sees the encrypted stream after
// the upgrade, and finds no BYE there.
type lastLine struct {
	mu  sync.Mutex
	buf [maxByeLine]byte
	n   int
}

// maxByeLine bounds what is kept of the server's last words.
const maxByeLine = 512

func (l *lastLine) record(p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(p) >= len(l.buf) {
		l.n = copy(l.buf[:], p[len(p)-len(l.buf):])
		return
	}
	keep := min(l.n, len(l.buf)-len(p))
	copy(l.buf[:keep], l.buf[l.n-keep:l.n])
	l.n = keep + copy(l.buf[keep:], p)
}

// bye is the text of an untagged BYE when that was the last line read,
// else "". A line of mail in a FETCH passes for one only if the link
// breaks right after it (its literal is followed by the rest of the
// response), and then its text is only quoted in the log.
func (l *lastLine) bye() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:l.n]
	if !bytes.HasSuffix(b, []byte("\n")) {
		return ""
	}
	b = bytes.TrimRight(b, "\r\n")
	line := b[bytes.LastIndexByte(b, '\n')+1:]
	if len(line) < len("* BYE") || !strings.EqualFold(string(line[:len("* BYE")]), "* BYE") {
		return ""
	}
	return strings.TrimSpace(string(line[len("* BYE"):]))
}

// tailConn passes what it reads to a lastLine.
type tailConn struct {
	net.Conn
	tail *lastLine
}

func (c tailConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.tail.record(p[:n])
	return n, err
}

// await runs one blocking client call under a watchdog. go-imap takes no
// context and sets no read deadline while it waits for an answer, so closing
// the connection is the only way to bound a call; that fails every pending
// command and the session ends.
func (s *session) await(ctx context.Context, what string, call func() error) error {
	return s.awaitProgress(ctx, what, func(func()) error { return call() })
}

// awaitProgress is await for long commands: each progress() call (a fetched
// message) restarts the watchdog, so a large batch on a slow link is not cut
// off while it is still moving.
func (s *session) awaitProgress(ctx context.Context, what string, call func(progress func()) error) error {
	var fired atomic.Bool
	t := time.AfterFunc(s.timeout, func() {
		fired.Store(true)
		s.c.Close()
	})
	err := call(func() { t.Reset(s.timeout) })
	t.Stop()
	switch {
	case err == nil:
		return nil
	case fired.Load():
		return fmt.Errorf("%s: no answer within %s: %w", what, s.timeout, err)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", what, ctx.Err())
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// session connects, prepares the mailboxes and then drains and waits until
// something fails or ctx is done. healthy reports whether the mailbox was
// read at least once, which resets the reconnect backoff.
func (w *Watcher) session(ctx context.Context) (healthy bool, err error) {
	s := &session{timeout: w.opts.CommandTimeout, newMail: make(chan struct{}, 1)}
	defer func() {
		if bye := s.tail.bye(); err != nil && ctx.Err() == nil && bye != "" {
			err = fmt.Errorf("%w (the server ended the session: %q)", err, bye)
		}
	}()
	s.c, err = w.connect(ctx, s)
	if err != nil {
		return false, err
	}
	defer s.c.Close()
	stop := context.AfterFunc(ctx, func() {
		if s.settling.Load() == 0 {
			s.c.Close()
		}
	})
	defer stop()

	if err := w.login(ctx, s); err != nil {
		return false, err
	}
	if s.boxes, err = w.resolve(ctx, s); err != nil {
		return false, err
	}
	for _, b := range []struct{ role, configured, name string }{
		{"processed", w.opts.ProcessedMailbox, s.boxes.processed},
		{"quarantine", w.opts.QuarantineMailbox, s.boxes.quarantine},
	} {
		if _, err := w.ensureMailbox(ctx, s, b.role, b.configured, b.name); err != nil {
			return false, err
		}
	}
	if err := w.selectMailbox(ctx, s); err != nil {
		return false, err
	}
	w.opened = true
	w.log.Info("imap mailbox opened", "idle", s.canIdle, "move", s.canMove,
		"uidvalidity", s.uidValidity, "last_uid", uint32(s.lastUID),
		"separator", string(s.boxes.hierarchy.Delim), "namespace_prefix", s.boxes.hierarchy.Prefix,
		"watched", s.boxes.watched, "processed", s.boxes.processed, "quarantine", s.boxes.quarantine)
	if !s.canMove {
		w.log.Warn("server offers neither MOVE nor UIDPLUS: handled mail is only flagged \\Seen and stays in the mailbox",
			"processed_mailbox", s.boxes.processed)
	}

	idleFor := min(firstIdle, w.opts.IdleRestart)
	handlerFailures := 0
	for {
		found, handleErr, err := w.drain(ctx, s)
		if err != nil {
			return healthy, err
		}
		healthy = true

		if handleErr != nil {
			// The desk (usually its store) is in trouble; the message stays
			// and is tried again after a growing pause. The connection is
			// fine, so it is kept.
			handlerFailures++
			if handlerFailures > poisonTries {
				// Past the point where one bad message would have been
				// set aside: intake as a whole is stuck.
				w.blocked()
			}
			d := w.backoff(handlerFailures)
			w.intakeFailed("intake failing: the desk (most often the store behind it) could not take in a message; it stays in the mailbox and is retried",
				"err", handleErr, "attempt", handlerFailures, "retry_in", d.Round(time.Millisecond))
			if err := s.pause(ctx, d); err != nil {
				return healthy, err
			}
			continue
		}
		handlerFailures = 0
		// A drain with nothing refused: whatever blocked intake is over,
		// also for an instance that leads again after another took the
		// blocked mail in (the gauge and /readyz read this).
		w.count(func(st *Stats) { st.BlockedSince = time.Time{} })
		w.intakeGoesOn()
		if found > 0 {
			idleFor = min(firstIdle, w.opts.IdleRestart)
		}

		if !s.canIdle {
			if err := s.pause(ctx, w.opts.PollInterval); err != nil {
				return healthy, err
			}
			continue
		}
		timedOut, err := w.idle(ctx, s, idleFor)
		if err != nil {
			return healthy, err
		}
		if timedOut {
			idleFor = min(idleFor*2, w.opts.IdleRestart)
		}
	}
}

// connect dials, sets up TLS per Security and waits for the greeting.
func (w *Watcher) connect(ctx context.Context, s *session) (*imapclient.Client, error) {
	dialer := &net.Dialer{Timeout: w.opts.DialTimeout, KeepAlive: 30 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", w.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", w.opts.Addr, err)
	}
	// The greeting comes before TLS with STARTTLS and inside it with
	// implicit TLS.
	record := func(c net.Conn) net.Conn {
		c = tailConn{c, &s.tail}
		if s.greeting == nil {
			return c
		}
		return recordingConn{c, s.greeting}
	}
	clientOpts := &imapclient.Options{
		TLSConfig: w.opts.TLSConfig,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// Runs on the client's reader goroutine: must not block.
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case s.newMail <- struct{}{}:
					default:
					}
				}
			},
		},
		// DebugWriter stays nil: the protocol trace would contain the password.
	}

	// The TLS handshake, greeting and STARTTLS have no deadline of their own
	// in the library; closing the socket bounds them.
	var fired atomic.Bool
	watchdog := time.AfterFunc(w.opts.DialTimeout, func() {
		fired.Store(true)
		conn.Close()
	})
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	var c *imapclient.Client
	what := "greeting"
	switch w.opts.Security {
	case SecurityTLS:
		cfg := w.opts.TLSConfig.Clone()
		if cfg.NextProtos == nil {
			cfg.NextProtos = []string{"imap"}
		}
		tlsConn := tls.Client(conn, cfg)
		if err = tlsConn.HandshakeContext(ctx); err != nil {
			what = "tls handshake"
			break
		}
		c = imapclient.New(record(tlsConn), clientOpts)
		err = c.WaitGreeting()
	case SecurityStartTLS:
		what = "starttls"
		c, err = imapclient.NewStartTLS(record(conn), clientOpts)
	default:
		c = imapclient.New(record(conn), clientOpts)
		err = c.WaitGreeting()
	}
	watchdog.Stop()
	if err != nil {
		if c != nil {
			c.Close()
		}
		conn.Close()
		if fired.Load() {
			return nil, fmt.Errorf("connect %s: %s: no answer within %s: %w", w.opts.Addr, what, w.opts.DialTimeout, err)
		}
		return nil, fmt.Errorf("connect %s: %s: %w", w.opts.Addr, what, err)
	}
	return c, nil
}

func (w *Watcher) login(ctx context.Context, s *session) error {
	if w.opts.OAuth != nil {
		if err := w.authenticate(ctx, s); err != nil {
			return err
		}
	} else if err := s.await(ctx, "login as "+w.opts.Username, func() error {
		return s.c.Login(w.opts.Username, w.opts.Password).Wait()
	}); err != nil {
		return err
	}
	var caps imap.CapSet
	if err := s.await(ctx, "capability", func() error {
		// Caps returns nil when the server did not answer.
		if caps = s.c.Caps(); caps == nil {
			return errors.New("no capability list")
		}
		return nil
	}); err != nil {
		return err
	}
	s.canIdle = caps.Has(imap.CapIdle)
	s.hasMove = caps.Has(imap.CapMove)
	s.hasUIDPlus = caps.Has(imap.CapUIDPlus)
	s.canMove = s.hasMove || s.hasUIDPlus
	return nil
}

// authenticate logs in with an access token.
func (w *Watcher) authenticate(ctx context.Context, s *session) error {
	o := w.opts.OAuth
	mech := mailauth.WireName(o.Mechanism)
	what := "authenticate " + mech + " as " + w.opts.Username
	var offered []string
	if err := s.await(ctx, "capability", func() error {
		caps := s.c.Caps()
		if caps == nil {
			return errors.New("no capability list")
		}
		offered = caps.AuthMechanisms()
		return nil
	}); err != nil {
		return err
	}
	if !slices.ContainsFunc(offered, func(m string) bool { return strings.EqualFold(m, mech) }) {
		return fmt.Errorf("%s: the server does not offer it (it offers %s); check imap.auth", what, orNone(offered))
	}
	// The token is fetched outside the command's watchdog, which a slow
	// token command would otherwise trip; Login then finds it cached (a
	// refresh after a refusal is rare and runs inside).
	if _, err := o.Tokens.Token(ctx); err != nil {
		return fmt.Errorf("%s: get access token: %w", what, err)
	}
	host, portStr, _ := net.SplitHostPort(w.opts.Addr)
	port, _ := strconv.Atoi(portStr)
	return s.await(ctx, what, func() error {
		return o.Login(ctx, host, port, func(c sasl.Client) error { return s.c.Authenticate(c) }, refusedLogin)
	})
}

// refusedLogin: a server answers a refused token with NO, with or without
// AUTHENTICATIONFAILED (Microsoft 365 sends "NO AUTHENTICATE failed.").
func refusedLogin(err error) bool {
	var imapErr *imap.Error
	return errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// ensureMailbox creates name unless it exists as a selectable mailbox, and
// reports whether it created it. A \Noselect entry (Dovecot lists "Sportel"
// above "Sportel/Processed") does not count. A lasting refusal is a
// *MailboxError naming the role and the configured name.
func (w *Watcher) ensureMailbox(ctx context.Context, s *session, role, configured, name string) (created bool, err error) {
	var found bool
	if err := s.await(ctx, "list "+name, func() error {
		list, err := s.c.List("", name, nil).Collect()
		for _, l := range list {
			if l.Mailbox == name && !slices.Contains(l.Attrs, imap.MailboxAttrNoSelect) &&
				!slices.Contains(l.Attrs, imap.MailboxAttrNonExistent) {
				found = true
			}
		}
		return err
	}); err != nil {
		return false, err
	}
	if found {
		return false, nil
	}
	err = s.await(ctx, "create "+name, func() error { return s.c.Create(name, nil).Wait() })
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeAlreadyExists {
		return false, nil
	}
	if permanent(err) {
		return false, &MailboxError{Role: role, Configured: configured, Name: name, Op: "create", Err: imapErr}
	}
	if err != nil {
		return false, err
	}
	w.log.Info("created mailbox", "created", name)
	return true, nil
}

// selectMailbox selects the watched mailbox and decides where to resume.
func (w *Watcher) selectMailbox(ctx context.Context, s *session) error {
	var sel *imap.SelectData
	if err := s.await(ctx, "select "+s.boxes.watched, func() (err error) {
		sel, err = s.c.Select(s.boxes.watched, nil).Wait()
		return err
	}); err != nil {
		var imapErr *imap.Error
		if permanent(err) && errors.As(err, &imapErr) {
			return &MailboxError{Role: "watched", Configured: w.opts.Mailbox, Name: s.boxes.watched, Op: "select", Err: imapErr}
		}
		return err
	}
	uidValidity, lastUID, err := w.cp.LoadCheckpoint(ctx, w.key)
	if err != nil {
		return &storeError{fmt.Errorf("load checkpoint %s: %w", w.key, err)}
	}
	// UIDVALIDITY is never 0 (RFC 3501), so a zero one is no checkpoint:
	// the first time this mailbox is read.
	if uidValidity == 0 && w.opts.FirstStart == FirstStartNew {
		return w.startFromNow(ctx, s, sel)
	}
	rescan := false
	if uidValidity != 0 && uidValidity != sel.UIDValidity {
		// Every stored UID is meaningless now. Rescanning is safe because
		// the desk answers Duplicate for mail it already took in.
		w.log.Warn("mailbox UIDVALIDITY changed: rescanning the whole mailbox",
			"old_uidvalidity", uidValidity, "new_uidvalidity", sel.UIDValidity, "old_last_uid", lastUID)
		lastUID = 0
		rescan = true
	} else if uidValidity != 0 && sel.UIDNext != 0 && uint32(sel.UIDNext) <= lastUID {
		// UIDs are never given out twice under one UIDVALIDITY, but a
		// mailbox restored from a backup (Dovecot's Maildir with its
		// dovecot-uidlist) keeps its UIDVALIDITY and gives out from its
		// old UIDNEXT again: new mail at or below the checkpoint would be
		// passed over for good. Rescanning is safe, as above.
		w.log.Warn("mailbox gives out UIDs at or below the checkpoint again (restored from a backup?): rescanning the whole mailbox",
			"uidvalidity", sel.UIDValidity, "uidnext", uint32(sel.UIDNext), "old_last_uid", lastUID)
		lastUID = 0
		rescan = true
	}
	if uidValidity != 0 && w.opts.FirstStart == FirstStartNew {
		if err := w.leaveFirstStartMail(ctx, s, sel, rescan, lastUID); err != nil {
			return err
		}
	}
	if rescan {
		// Recorded now, after the rescan's extent: with nothing to take in
		// the checkpoint would otherwise keep the old state, and every
		// reconnect would rescan and warn again.
		if err := w.cp.SaveCheckpoint(ctx, w.key, sel.UIDValidity, 0); err != nil {
			return &storeError{fmt.Errorf("save checkpoint %s for the rescan: %w", w.key, err)}
		}
	}
	s.uidValidity = sel.UIDValidity
	s.lastUID = imap.UID(lastUID)
	return nil
}

// leaveFirstStartMail sets s to leave the mail a first start with
// FirstStartNew left, when a rescan reads the mailbox again: a move to
// another server (imapsync) would otherwise have years of old mail filed
// and its senders acknowledged. The rescan's extent (UIDVALIDITY and the
// highest UID it found) is kept in the store, so a rescan cut off by a
// restart or a failing message goes on leaving that mail in the next
// session, whose checkpoint no longer says it rescans.
func (w *Watcher) leaveFirstStartMail(ctx context.Context, s *session, sel *imap.SelectData, rescan bool, lastUID uint32) error {
	sk, ok := w.cp.(stateKeeper)
	if !ok {
		return nil
	}
	key := "imap.rescan_until:" + w.key
	var top uint32
	if rescan {
		top = math.MaxUint32 // a server that does not say UIDNEXT
		if sel.UIDNext > 0 {
			top = uint32(sel.UIDNext) - 1
		}
	} else {
		v, ok, err := sk.GetState(ctx, key)
		if err != nil {
			return &storeError{fmt.Errorf("load rescan of %s: %w", w.key, err)}
		}
		var validity uint32
		if !ok || v == "" {
			return nil
		}
		if _, err := fmt.Sscanf(v, "%d %d", &validity, &top); err != nil || validity != sel.UIDValidity || lastUID >= top {
			// Done (or of another mailbox state): forgotten.
			if err := sk.SetState(ctx, key, ""); err != nil {
				return &storeError{fmt.Errorf("end rescan of %s: %w", w.key, err)}
			}
			return nil
		}
	}
	at, err := w.firstStartAt(ctx)
	if err != nil || at.IsZero() {
		return err
	}
	if rescan {
		if err := sk.SetState(ctx, key, fmt.Sprintf("%d %d", sel.UIDValidity, top)); err != nil {
			return &storeError{fmt.Errorf("save rescan of %s: %w", w.key, err)}
		}
	}
	s.leaveBefore, s.leaveUpTo = at, imap.UID(top)
	w.log.Warn("mail that arrived before the first start is left as it is (imap.first_start: new)",
		"first_start", at.Format(time.RFC3339), "up_to_uid", top)
	return nil
}

// stateKeeper is a Checkpoints that also keeps small values: with it, the
// time of a first start with FirstStartNew is kept for later rescans.
type stateKeeper interface {
	GetState(ctx context.Context, key string) (value string, ok bool, err error)
	SetState(ctx context.Context, key, value string) error
}

// firstStartKey is where the time of the mailbox's first start is kept.
func (w *Watcher) firstStartKey() string { return "imap.first_start_at:" + w.key }

// firstStartAt is when this mailbox was first read with FirstStartNew;
// zero when unknown (a first start before it was kept, or a store that
// keeps no state).
func (w *Watcher) firstStartAt(ctx context.Context) (time.Time, error) {
	sk, ok := w.cp.(stateKeeper)
	if !ok {
		return time.Time{}, nil
	}
	v, ok, err := sk.GetState(ctx, w.firstStartKey())
	if err != nil {
		return time.Time{}, &storeError{fmt.Errorf("load first start of %s: %w", w.key, err)}
	}
	if !ok || v == "" {
		return time.Time{}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		w.log.Warn("first start time not readable; the mailbox is rescanned whole", "value", v, "err", err)
		return time.Time{}, nil
	}
	return at, nil
}

// startFromNow is the first start with FirstStartNew: the checkpoint is
// set to the highest UID the mailbox has given out, and saved before
// anything is read, so the mail already there is never fetched, flagged
// or moved, now or at any later start, and mail arriving from now on
// (UIDs from UIDNEXT up) is taken in as usual.
func (w *Watcher) startFromNow(ctx context.Context, s *session, sel *imap.SelectData) error {
	var top imap.UID
	left := sel.NumMessages
	if sel.UIDNext > 0 {
		top = sel.UIDNext - 1
	} else {
		// UIDNEXT is required in SELECT's answer, but a server that
		// leaves it out still answers a search.
		var data *imap.SearchData
		if err := s.await(ctx, "search uid 1:*", func() (err error) {
			data, err = s.c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
			return err
		}); err != nil {
			return err
		}
		uids := data.AllUIDs()
		left = uint32(len(uids))
		if len(uids) > 0 {
			top = slices.Max(uids)
		}
	}
	// The time first: kept without the checkpoint, it only says when a
	// first start was tried. In whole seconds, as INTERNALDATE is: mail of
	// the same second counts as after it, taken in rather than left.
	if sk, ok := w.cp.(stateKeeper); ok {
		if err := sk.SetState(ctx, w.firstStartKey(), time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)); err != nil {
			return &storeError{fmt.Errorf("save first start of %s: %w", w.key, err)}
		}
	}
	if err := w.cp.SaveCheckpoint(ctx, w.key, sel.UIDValidity, uint32(top)); err != nil {
		return &storeError{fmt.Errorf("save first checkpoint %s: %w", w.key, err)}
	}
	s.uidValidity = sel.UIDValidity
	s.lastUID = top
	level := slog.LevelWarn
	if left == 0 {
		level = slog.LevelInfo
	}
	w.log.Log(ctx, level, fmt.Sprintf("%d messages already in %s are left as they are (imap.first_start: new); only mail arriving from now on is taken in", left, w.opts.Mailbox),
		"left", left, "uidvalidity", sel.UIDValidity, "last_uid", uint32(top))
	return nil
}

// drain takes in everything newer than the checkpoint, batch by batch,
// until a listing finds nothing more. handleErr is set when the desk failed
// on a message (the connection is still good); err when the session is not.
func (w *Watcher) drain(ctx context.Context, s *session) (found int, handleErr, err error) {
	// A batch's flags, moves and checkpoint go on while the next batch is
	// handled: on a real server they are round trips and the server's
	// work, which the desk need not wait for. One settle is in flight at a
	// time, so checkpoints advance in order; drain returns only when it is
	// done, with its error when it failed.
	var settling chan error
	waitSettle := func() error {
		if settling == nil {
			return nil
		}
		serr := <-settling
		settling = nil
		return serr
	}
	defer func() {
		if serr := waitSettle(); serr != nil && err == nil {
			err = serr
		}
	}()
	// A batch counts as settling from its hand-over to the desk until its
	// settle is done or running on its own: a shutdown in between (after
	// takeIn, while the batch is flagged and moved) would otherwise close
	// the connection under the move, and leave committed mail in the
	// mailbox to be read again at the next start.
	batchHeld := false
	releaseBatch := func() {
		if batchHeld {
			batchHeld = false
			s.settling.Add(-1)
		}
	}
	defer releaseBatch()
	// Batches fetched and prepared ahead are waited for before drain
	// returns, and count as settling: a shutdown does not close the
	// connection under their fetch, and nothing of the watcher reads the
	// connection or calls the desk after Run has returned. Their sends
	// never block: each channel has room for what is sent on it.
	var ahead sync.WaitGroup
	defer ahead.Wait()
	goAhead := func(f func()) {
		s.settling.Add(1)
		ahead.Go(func() {
			defer s.settling.Add(-1)
			f()
		})
	}
	for {
		if err := waitSettle(); err != nil {
			return found, nil, err
		}
		// Any count change reported from here on is covered by the listing.
		select {
		case <-s.newMail:
		default:
		}
		msgs, err := w.list(ctx, s)
		if err != nil {
			return found, nil, err
		}
		w.count(func(st *Stats) {
			st.Searches++
			st.LastGoodFetch = time.Now()
		})
		w.mailboxAnswers()
		if len(msgs) == 0 {
			return found, nil, nil
		}
		// The next batch is fetched and parsed while this one is handled,
		// so the server's time, the parsing and the desk's time overlap,
		// but only when both batches, parsed, fit in the byte budget: a
		// backlog of large mail is read one batch at a time.
		batches := w.plan(msgs)
		next := make(chan fetchedBatch, 1)
		fetch := func(b []listed) fetchedBatch {
			msgs, err := w.fetchBatch(ctx, s, b)
			if err == nil {
				w.prepareFirst(ctx, msgs)
			}
			return fetchedBatch{msgs, err}
		}
		prefetch := func(b []listed) {
			goAhead(func() { next <- fetch(b) })
		}
		aheadOf := func(i int) bool {
			return i+1 < len(batches) && ctx.Err() == nil && w.batchCost(batches[i])+w.batchCost(batches[i+1]) <= w.opts.BatchBytes
		}
		// The first batch is fetched in two: its first chunk alone, handed
		// over as soon as it is parsed, then the rest, which takeIn waits
		// for once that chunk is in. Whole, a backlog's first 200 mails
		// took 25-45 ms to arrive before the first could be filed. The next
		// batch's fetch follows the rest's on the connection.
		var rest chan fetchedBatch
		if first := batches[0]; len(first) > handleChunk {
			rest = make(chan fetchedBatch, 1)
			goAhead(func() {
				head := fetch(first[:handleChunk])
				next <- head
				if head.err != nil {
					rest <- fetchedBatch{err: head.err}
					return
				}
				tail := fetch(first[handleChunk:])
				rest <- tail
				if tail.err == nil && aheadOf(0) {
					prefetch(batches[1])
				}
			})
		} else {
			prefetch(batches[0])
		}
		for i := range batches {
			f := <-next
			if f.err != nil {
				return found, nil, f.err
			}
			more := i+1 < len(batches) && ctx.Err() == nil
			ahead := aheadOf(i)
			var tail <-chan fetchedBatch
			if i == 0 && rest != nil {
				tail = rest // and the next batch comes after it
			} else if ahead {
				prefetch(batches[i+1])
			}
			batchHeld = true
			s.settling.Add(1)
			r, handleErr, err := w.takeIn(ctx, s, f.msgs, tail)
			f.msgs = nil // handled: its memory may go before the next batch comes
			found += r.handled
			if serr := waitSettle(); serr != nil {
				return found, handleErr, serr
			}
			if r.handled > 0 || r.lastHandled > s.lastUID {
				// What was handled is committed at the desk; it is settled
				// even when the batch stopped early, so the retry starts at
				// the failed message.
				s.lastUID = r.lastHandled
				if err == nil && handleErr == nil && more {
					settling = make(chan error, 1)
					s.settling.Add(1)
					go func(done chan<- error) {
						defer s.settling.Add(-1)
						done <- w.settleBatch(ctx, s, r)
					}(settling)
				} else if serr := w.settleBatch(ctx, s, r); serr != nil {
					return found, handleErr, serr
				}
			}
			releaseBatch()
			if err != nil || handleErr != nil {
				return found, handleErr, err
			}
			if ctx.Err() != nil {
				return found, nil, ctx.Err()
			}
			if more && !ahead {
				prefetch(batches[i+1])
			}
		}
	}
}

// handleChunk is how many messages go to a BatchHandler at once: enough to
// share a commit, few enough that a message waits little for its turn.
const handleChunk = 32

// handle passes messages to the handler, several at once when it can take
// them; it returns the dispositions of a prefix of ms and, when that is
// shorter than ms, the next one's error.
func (w *Watcher) handle(ctx context.Context, ms []*inquiry.Message) ([]inquiry.Disposition, error) {
	if bh, ok := w.h.(BatchHandler); ok {
		return bh.HandleBatch(ctx, ms)
	}
	disps := make([]inquiry.Disposition, 0, len(ms))
	for _, m := range ms {
		d, err := w.h.Handle(ctx, m)
		if err != nil {
			return disps, err
		}
		disps = append(disps, d)
	}
	return disps, nil
}

// takenBatch is what takeIn took in of a batch: the messages to move to
// the processed and the quarantine mailbox, and the last UID handled.
type takenBatch struct {
	handled     int
	processed   []imap.UID
	quarantine  []imap.UID
	lastHandled imap.UID
	// undelete are the messages of processed and quarantine flagged
	// \Deleted: COPY and MOVE keep flags, so the flag is taken off before
	// the move, or the copy in processed would go with the next expunge
	// there.
	undelete []imap.UID
	// left counts the messages left as the first start left them
	// (session.leaveBefore); the checkpoint passes them.
	left int
	// expunge are messages flagged \Deleted that the desk had taken in
	// before (Duplicate): most often a move of ours cut off between its
	// COPY and its UID EXPUNGE, so the copy is already moved. They are
	// only expunged, never copied a second time.
	expunge []imap.UID
}

// takeIn hands fetched messages to the desk in UID order. It stops at the
// first message the desk could not take in, so that the checkpoint
// settleBatch saves never passes an unhandled message.
func (w *Watcher) takeIn(ctx context.Context, s *session, msgs []fetched, tail <-chan fetchedBatch) (r takenBatch, handleErr, err error) {
	// On shutdown no new message is taken in, but the one being handled
	// finishes: work in flight is not cut off (each step has its own
	// timeout). The caller counts the batch as settling meanwhile.
	work := context.WithoutCancel(ctx)
	var todo []fetched
	var leftTop imap.UID // the highest UID of the messages left
	add := func(msgs []fetched) {
		for i := range msgs {
			msg := &msgs[i]
			if msg.uid <= s.lastUID {
				continue
			}
			if msg.m != nil && msg.uid <= s.leaveUpTo && !s.leaveBefore.IsZero() && msg.m.ReceivedAt.Before(s.leaveBefore) {
				r.left++
				leftTop = max(leftTop, msg.uid)
				continue
			}
			if msg.m == nil {
				// Unhandled, so the checkpoint stops here; the reconnect fetches again.
				err = fmt.Errorf("fetch uid %d: server sent no message body", msg.uid)
				tail = nil
				return
			}
			todo = append(todo, *msg)
		}
	}
	add(msgs)
	// takeRest waits for the rest of the batch, if it has a rest to come
	// and nothing went wrong before it.
	takeRest := func() {
		if tail == nil || err != nil || ctx.Err() != nil {
			return
		}
		t := <-tail
		tail = nil
		if t.err != nil {
			err = t.err
			return
		}
		add(t.msgs)
	}

	// A Preparer prepares the next chunk while this one is handled.
	prep, _ := w.h.(Preparer)
	prepCtx, cancelPrep := context.WithCancel(work)
	var prepDone chan struct{} // closed when the preparation in flight is done
	waitPrep := func() {
		if prepDone != nil {
			<-prepDone
			prepDone = nil
		}
	}

	for ctx.Err() == nil {
		if len(todo) == 0 {
			if takeRest(); len(todo) == 0 {
				break
			}
		}
		chunk := todo[:min(len(todo), handleChunk)]
		todo = todo[len(chunk):]
		ms := messages(chunk)
		waitPrep() // this chunk's preparation, if any, is done
		if prep != nil && len(todo) > 0 {
			next := messages(todo[:min(len(todo), handleChunk)])
			done := make(chan struct{})
			go func() {
				defer close(done)
				prep.Prepare(prepCtx, next)
			}()
			prepDone = done
		}
		disps, herr := w.handle(work, ms)
		taken := func(f fetched, disp inquiry.Disposition) {
			w.log.Debug("message taken in", "uid", uint32(f.uid), "source_id", f.m.SourceID, "disposition", string(disp))
			delete(w.failures, failureKey{s.uidValidity, uint32(f.uid)})
			w.intakeGoesOn()
			w.count(func(st *Stats) {
				st.Handled++
				st.BlockedSince = time.Time{}
				switch disp {
				case inquiry.Filed:
					st.Filed++
				case inquiry.Duplicate:
					st.Duplicates++
				case inquiry.Quarantined:
					st.Quarantined++
				}
			})
			switch {
			case f.deleted && disp == inquiry.Duplicate && !f.tooLarge:
				// The desk holds it whole; too-large mail, which it holds
				// only in part, is moved like other mail instead.
				w.log.Info("message flagged deleted was taken in before; it is expunged, not copied again",
					"uid", uint32(f.uid), "source_id", f.m.SourceID, "message_id", f.m.MessageID)
				r.expunge = append(r.expunge, f.uid)
			case disp == inquiry.Quarantined || f.tooLarge:
				// Too-large mail is kept whole only on the server.
				r.quarantine = append(r.quarantine, f.uid)
			default:
				r.processed = append(r.processed, f.uid)
			}
			if f.deleted && disp != inquiry.Duplicate {
				w.log.Warn("message taken in although another client flagged it deleted",
					"uid", uint32(f.uid), "source_id", f.m.SourceID, "message_id", f.m.MessageID, "disposition", string(disp))
			}
			if f.deleted && (disp != inquiry.Duplicate || f.tooLarge) {
				r.undelete = append(r.undelete, f.uid)
			}
			r.lastHandled = f.uid
			r.handled++
		}
		for i, disp := range disps {
			taken(chunk[i], disp)
		}
		if herr != nil {
			failed := chunk[min(len(disps), len(chunk)-1)]
			if disp, ok := w.poison(work, s, failed.uid, failed.m, herr); ok {
				taken(failed, disp)
				// Go on with the messages after it.
				todo = append(slices.Clip(chunk[min(len(disps)+1, len(chunk)):]), todo...)
				continue
			}
			handleErr = fmt.Errorf("handle uid %d: %w", failed.uid, herr)
			break
		}
	}
	// A preparation the batch stopped before is given up, and nothing
	// prepared outlives the batch.
	cancelPrep()
	waitPrep()
	if leftTop > r.lastHandled && handleErr == nil && err == nil && ctx.Err() == nil && len(todo) == 0 && tail == nil {
		// Every message of the batch was taken in or left: the checkpoint
		// may pass those left, or every reconnect would read them again.
		r.lastHandled = leftTop
	}
	if r.left > 0 {
		w.log.Info("messages from before the first start left as they are", "count", r.left)
	}
	return r, handleErr, err
}

// settleBatch flags and moves what takeIn took in, then saves the
// checkpoint past it: only after the move, so that mail the checkpoint
// passes is never left in the watched mailbox. Like takeIn it is not cut
// off by a shutdown.
func (w *Watcher) settleBatch(ctx context.Context, s *session, r takenBatch) error {
	work := context.WithoutCancel(ctx)
	if len(r.processed)+len(r.quarantine)+len(r.expunge) > 0 {
		if err := w.settle(work, s, r); err != nil {
			return err
		}
	}
	if err := w.cp.SaveCheckpoint(work, w.key, s.uidValidity, uint32(r.lastHandled)); err != nil {
		return &storeError{fmt.Errorf("save checkpoint %s uid %d: %w", w.key, r.lastHandled, err)}
	}
	w.log.Info("batch taken in", "count", r.handled, "quarantined", len(r.quarantine), "last_uid", uint32(r.lastHandled))
	return nil
}

// prepareFirst lets a Preparer prepare the first chunk of a batch just
// fetched, before the batch is handed over: takeIn prepares each next chunk
// while one is handled, but a batch's first chunk would otherwise be
// prepared by nobody, and the desk would classify it while the watcher
// waits. Messages taken in before (at or below the checkpoint) are
// prepared in vain and cost nothing else.
func (w *Watcher) prepareFirst(ctx context.Context, msgs []fetched) {
	prep, ok := w.h.(Preparer)
	if !ok {
		return
	}
	var first []*inquiry.Message
	for _, f := range msgs {
		if f.m == nil {
			break // takeIn stops here
		}
		first = append(first, f.m)
		if len(first) == handleChunk {
			break
		}
	}
	if len(first) > 0 {
		prep.Prepare(ctx, first)
	}
}

// messages are the parsed messages of fs.
func messages(fs []fetched) []*inquiry.Message {
	ms := make([]*inquiry.Message, len(fs))
	for i, f := range fs {
		ms[i] = f.m
	}
	return ms
}

// poison decides what to do with a message the desk failed on. Until it has
// failed poisonTries times it is left for the next try. Then it is tried
// once more at once (a store that just recovered takes it in), and if that
// fails too, for a reason that is not the store's own (storeFailed), it is
// set aside: when the store takes that write, it is healthy and the message
// itself is at fault, so it must not hold up the mail behind it. When the
// store refuses the set-aside as well, nothing is set aside and the
// watcher keeps retrying everything, loudly. (A store that recovers in the
// instant between the last try and the set-aside makes a good message look
// bad: it is still recorded whole and an officer told.)
func (w *Watcher) poison(ctx context.Context, s *session, uid imap.UID, m *inquiry.Message, herr error) (inquiry.Disposition, bool) {
	w.count(func(st *Stats) { st.IntakeErrors++ })
	key := failureKey{s.uidValidity, uint32(uid)}
	w.failures[key]++
	tries := w.failures[key]
	if tries < poisonTries {
		return "", false
	}
	disps, err := w.handle(ctx, []*inquiry.Message{m})
	if err == nil && len(disps) == 1 {
		return disps[0], true
	}
	if err != nil {
		herr = err
		w.count(func(st *Stats) { st.IntakeErrors++ })
		if storeFailed(err) {
			// The store failed this try, not the message: a write that then
			// goes through (on another of the pool's connections) proves
			// nothing against it, so it stays for the next try.
			return "", false
		}
	}
	q, ok := w.h.(Quarantiner)
	if !ok {
		return "", false
	}
	reason := fmt.Sprintf("taking it in failed %d times while other writes went through: %v", tries+1, herr)
	disp, err := q.Quarantine(ctx, m, reason)
	if err != nil {
		// Said once a blockage: every later try meets the same store.
		level := slog.LevelDebug
		if w.blocked() {
			level = slog.LevelError
		}
		w.log.Log(ctx, level, "intake is blocked: the store refuses writes; every message stays in the mailbox and is retried",
			"uid", uint32(uid), "err", herr, "set_aside_err", err)
		return "", false
	}
	w.count(func(st *Stats) { st.SetAside++ })
	w.log.Error("message set aside after repeated failures; the mail after it goes on",
		"uid", uint32(uid), "source_id", m.SourceID, "err", herr)
	return disp, true
}

// storeFailed reports whether err is the store's own failure, whatever
// was asked of it: a connection that broke under the call, or a database
// momentarily too busy.
func storeFailed(err error) bool {
	return errors.Is(err, store.ErrConnLost) || errors.Is(err, store.ErrBusy)
}

// message parses raw and fills what only the watcher knows.
func (w *Watcher) message(s *session, uid imap.UID, raw []byte, internalDate time.Time) *inquiry.Message {
	if internalDate.IsZero() {
		internalDate = time.Now()
	}
	m := w.parseSafely(uid, raw, internalDate)
	if m == nil {
		m = &inquiry.Message{Raw: raw, ParseProblems: []string{"parser returned no message"}}
	}
	if m.Channel == "" {
		m.Channel = inquiry.ChannelEmail
	}
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = internalDate
	}
	if m.SourceID == "" {
		// Mail without a Message-ID is known by its place in the mailbox.
		m.SourceID = fmt.Sprintf("imap:%s:%d:%d", w.opts.Mailbox, s.uidValidity, uid)
	}
	return m
}

// parseSafely is Parse, with a crash of the parser on one mail (a bug a
// crafted message finds) turned into a message that records it: the mail is
// then set aside with its raw bytes like any unreadable mail, where a crash
// would restart the daemon into the same mail for ever.
func (w *Watcher) parseSafely(uid imap.UID, raw []byte, internalDate time.Time) (m *inquiry.Message) {
	defer func() {
		if r := recover(); r != nil {
			w.log.Error("the parser failed on a mail; it is kept whole and set aside",
				"uid", uint32(uid), "size", len(raw), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			m = &inquiry.Message{Raw: raw, ReceivedAt: internalDate,
				ParseProblems: []string{fmt.Sprintf("the parser failed on this mail (%v); it is kept as it came", r)}}
		}
	}()
	return w.opts.Parse(raw, internalDate)
}

// markTooLarge records on m that only part of it was read, and where the
// whole mail is kept.
func (w *Watcher) markTooLarge(s *session, m *inquiry.Message, size int64) {
	w.markPartial(s, m, fmt.Sprintf("too large (%d bytes, the limit is %d)", size, w.opts.MaxRawBytes))
	w.log.Warn("mail too large to fetch whole: read in part, kept on the server",
		"source_id", m.SourceID, "size", size, "max_raw_bytes", w.opts.MaxRawBytes, "kept_in", m.KeptIn)
}

// markPartial marks m, of which only the header and the start of the text
// were read (why says for what reason), as kept whole on the server: in the
// quarantine mailbox, where it is moved.
func (w *Watcher) markPartial(s *session, m *inquiry.Message, why string) {
	m.TooLarge, m.RawTruncated = true, true
	m.KeptIn = s.boxes.quarantine
	if !s.canMove {
		m.KeptIn = s.boxes.watched
	}
	// What was read of the attachments is a cut-off start: useless to the
	// officer, and the whole files are in the mail on the server.
	for i := range m.Attachments {
		m.Attachments[i].Content = nil
		m.Attachments[i].Truncated = true
	}
	where := "the mailbox's quarantine folder " + m.KeptIn
	if !s.canMove {
		where = m.KeptIn + " (the server cannot move mail)"
	}
	m.ParseProblems = append(m.ParseProblems, why+": only the header and the start of the text were read; "+
		"the whole mail is kept in "+where)
}

// settle marks handled mail \Seen and moves it out, one command per group.
// A server's refusal (NO) is logged and the mail stays where it is, flagged:
// its ticket is committed, so intake goes on. Connection errors end the
// session; the mail is then fetched again and the desk answers Duplicate.
// Mail flagged \Deleted costs a command more: its flag is taken off before
// it is moved (undelete), or it is expunged without a copy (expunge).
func (w *Watcher) settle(ctx context.Context, s *session, r takenBatch) error {
	processed, quarantine := r.processed, r.quarantine
	all := imap.UIDSetNum(slices.Concat(processed, quarantine, r.expunge)...)
	err := s.await(ctx, "store \\Seen uids "+all.String(), func() error {
		return s.c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	})
	if refused(err) {
		w.log.Warn("server refused to flag handled mail \\Seen", "err", err)
	} else if err != nil {
		return err
	}
	if !s.canMove {
		// Nothing is moved or expunged: the mail stays, another client's
		// \Deleted flag with it, and a plain EXPUNGE never runs.
		return nil
	}
	if len(r.undelete) > 0 {
		set := imap.UIDSetNum(r.undelete...)
		err := s.await(ctx, "store -\\Deleted uids "+set.String(), func() error {
			return s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
		})
		if refused(err) {
			w.log.Error("server refused to take another client's \\Deleted flag off handled mail; it is moved with the flag",
				"err", err, "uids", set.String())
		} else if err != nil {
			return err
		}
	}
	groups := []struct {
		uids             []imap.UID
		role, configured string
		dest             string
	}{
		{processed, "processed", w.opts.ProcessedMailbox, s.boxes.processed},
		{quarantine, "quarantine", w.opts.QuarantineMailbox, s.boxes.quarantine},
	}
	for _, g := range groups {
		if len(g.uids) == 0 {
			continue
		}
		set := imap.UIDSetNum(g.uids...)
		err := s.moveOut(ctx, set, g.dest)
		if tryCreate(err) {
			// The mailbox went away while the watcher ran (someone deleted
			// or renamed it): it is made again, as at start, and the move
			// tried once more.
			w.log.Warn("mailbox gone while running: making it again", "role", g.role, "mailbox", g.dest, "err", err)
			var mbErr *MailboxError
			if _, cerr := w.ensureMailbox(ctx, s, g.role, g.configured, g.dest); cerr == nil {
				err = s.moveOut(ctx, set, g.dest)
			} else if !refused(cerr) && !errors.As(cerr, &mbErr) {
				return cerr
			} else {
				err = fmt.Errorf("%w (making the mailbox again: %w)", err, cerr)
			}
		}
		if refused(err) {
			// The ticket is committed and the checkpoint passes the mail,
			// so it is not read again; but it piles up in the watched
			// mailbox until someone acts: loud, and counted.
			w.count(func(st *Stats) { st.MovesRefused += uint64(len(g.uids)) })
			w.log.Error("server refused to move handled mail; it stays in the watched mailbox, flagged \\Seen",
				"err", err, "dest", g.dest, "count", len(g.uids), "uids", set.String())
			continue
		}
		if err != nil {
			return err
		}
		w.count(func(st *Stats) { st.Moved += uint64(len(g.uids)) })
	}
	return w.expungeTakenBefore(ctx, s, r.expunge)
}

// expungeTakenBefore expunges mail flagged \Deleted that the desk had
// taken in before: by UID EXPUNGE, which removes only these UIDs. Without
// UIDPLUS the mail stays, flagged: a plain EXPUNGE would remove every
// \Deleted message in the mailbox, also mail not yet taken in.
func (w *Watcher) expungeTakenBefore(ctx context.Context, s *session, uids []imap.UID) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	if !s.hasUIDPlus {
		w.log.Info("mail flagged deleted and taken in before stays in the watched mailbox: the server offers no UID EXPUNGE",
			"uids", set.String())
		return nil
	}
	err := s.await(ctx, "expunge uids "+set.String()+" taken in before", func() error {
		return s.c.UIDExpunge(set).Close()
	})
	if refused(err) {
		w.log.Error("server refused to expunge mail flagged deleted and taken in before; it stays in the watched mailbox",
			"err", err, "uids", set.String())
		return nil
	}
	return err
}

// moveOut moves set to dest: by MOVE, or else by COPY and, only once the
// server has copied, STORE \Deleted and UID EXPUNGE (canMove guarantees
// UIDPLUS then, so never a plain EXPUNGE). The client's own fallback sends
// the three at once, so a refused COPY (over quota, no such mailbox) still
// expunged the mail, and it was gone from the server.
func (s *session) moveOut(ctx context.Context, set imap.UIDSet, dest string) error {
	if s.hasMove {
		return s.awaitPastExpunges(ctx, fmt.Sprintf("move uids %s to %s", set, dest), func() error {
			_, err := s.c.Move(set, dest).Wait()
			return err
		})
	}
	if err := s.awaitPastExpunges(ctx, fmt.Sprintf("copy uids %s to %s", set, dest), func() error {
		_, err := s.c.Copy(set, dest).Wait()
		return err
	}); err != nil {
		return err
	}
	return s.await(ctx, fmt.Sprintf("expunge uids %s copied to %s", set, dest), func() error {
		if err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return err
		}
		return s.c.UIDExpunge(set).Close()
	})
}

// codeExpungeIssued is RFC 5530's EXPUNGEISSUED, which go-imap does not name.
const codeExpungeIssued imap.ResponseCode = "EXPUNGEISSUED"

// expungeIssuedTries bounds how often one MOVE or COPY is sent when the
// server keeps answering EXPUNGEISSUED: other clients expunging again and
// again, or a server that says so for another reason.
const expungeIssuedTries = 3

// awaitPastExpunges is await for a UID MOVE or COPY. Dovecot refuses the
// whole command with NO [EXPUNGEISSUED] when another client (an officer's
// mail program) expunged one of its messages since this session last heard
// of the mailbox, and moves none of them; the refusal brings the news, so
// the same command sent again moves the rest (UIDs that are gone are
// passed over). Taken as a refusal, the batch's filed mail stayed in the
// watched mailbox for good, under an alert.
func (s *session) awaitPastExpunges(ctx context.Context, what string, call func() error) error {
	var err error
	for range expungeIssuedTries {
		var imapErr *imap.Error
		if err = s.await(ctx, what, call); !errors.As(err, &imapErr) || imapErr.Code != codeExpungeIssued {
			return err
		}
	}
	return err
}

// tryCreate reports whether err is the server's NO [TRYCREATE]: the
// destination mailbox does not exist.
func tryCreate(err error) bool {
	var imapErr *imap.Error
	return errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeTryCreate
}

// refused reports whether err is the server's NO or BAD answer, as opposed
// to a broken connection.
func refused(err error) bool {
	var imapErr *imap.Error
	return errors.As(err, &imapErr)
}

// idle waits in IDLE for new mail for at most d. timedOut reports that d
// passed without news.
func (w *Watcher) idle(ctx context.Context, s *session, d time.Duration) (timedOut bool, err error) {
	select {
	case <-s.newMail:
		return false, nil // reported while the last commands ran
	default:
	}
	var cmd *imapclient.IdleCommand
	if err := s.await(ctx, "idle", func() (err error) {
		cmd, err = s.c.Idle()
		return err
	}); err != nil {
		return false, err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.newMail:
	case <-t.C:
		timedOut = true
	case <-s.c.Closed():
		return false, errors.New("idle: connection closed")
	case <-ctx.Done():
		return false, ctx.Err()
	}
	err = s.await(ctx, "idle done", func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
	return timedOut, err
}

// pause waits for d without IDLE, returning early with an error when the
// connection drops or ctx is done.
func (s *session) pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-s.c.Closed():
		return errors.New("connection closed while waiting")
	case <-ctx.Done():
		return ctx.Err()
	}
}
