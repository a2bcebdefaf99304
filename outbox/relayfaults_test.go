package outbox_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/store"
)

// relay is a go-smtp server with a size limit and a password, as a
// ministry's relay has: maxSize is said in EHLO SIZE when sayLimit is set,
// else the message is refused after its data (552 5.3.4).
type relay struct {
	maxSize  int64
	sayLimit bool
	tls      *tls.Config // offers STARTTLS when set

	mu       sync.Mutex
	mails    [][]byte
	froms    int    // MAIL FROM commands seen
	auths    int    // AUTH attempts seen
	password string // the one it takes; "" is "right"
}

// logins is how many AUTH attempts the relay has seen.
func (r *relay) logins() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.auths
}

// setPassword changes the password the relay takes.
func (r *relay) setPassword(p string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.password = p
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

func (r *relay) got() (mails [][]byte, froms int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.mails...), r.froms
}

type relaySession struct {
	r      *relay
	authed bool
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.r.mu.Lock()
		s.r.auths++
		want := cmp.Or(s.r.password, "right")
		s.r.mu.Unlock()
		if user != "sportel@mkrs.example" || pass != want {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *relaySession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.r.mu.Lock()
	s.r.froms++
	s.r.mu.Unlock()
	return nil
}

func (s *relaySession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (s *relaySession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.r.maxSize > 0 && int64(len(data)) > s.r.maxSize {
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message size exceeds fixed limit"}
	}
	s.r.mu.Lock()
	s.r.mails = append(s.r.mails, data)
	s.r.mu.Unlock()
	return nil
}

func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }

// startRelay serves r on loopback and returns a real mailer logging in to
// it with password.
func startRelay(t *testing.T, r *relay, password string) *mailer.Mailer {
	t.Helper()
	srv := smtp.NewServer(r)
	srv.Domain = "relay.mkrs.example"
	srv.AllowInsecureAuth = true // loopback, as the mailer allows
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	if r.sayLimit {
		srv.MaxMessageBytes = r.maxSize
	}
	srv.TLSConfig = r.tls
	ln := testutil.Listen(t)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return relayMailer(t, ln.Addr().String(), password)
}

// relayServer serves r on loopback and returns its address.
func relayServer(t *testing.T, r *relay) string {
	t.Helper()
	srv := smtp.NewServer(r)
	srv.Domain = "relay.mkrs.example"
	srv.TLSConfig = r.tls
	ln := testutil.Listen(t)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// starttlsMailer is a real mailer to addr with security starttls,
// trusting clientTLS (nil: the system's roots).
func starttlsMailer(t *testing.T, addr string, clientTLS *tls.Config) *mailer.Mailer {
	t.Helper()
	m, err := mailer.New(mailer.Options{Addr: addr, Security: mailer.SecurityStartTLS, Username: "sportel@mkrs.example", Password: "right",
		TLSConfig: clientTLS, Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func relayMailer(t *testing.T, addr, password string) *mailer.Mailer {
	t.Helper()
	m, err := mailer.New(mailer.Options{Addr: addr, Security: mailer.SecurityNone, Username: "sportel@mkrs.example", Password: password,
		Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// A citizen's mail with 20 MB of files, a relay taking 10 MB: the
// officer's notification carrying them is refused, and must not leave the
// officer unaware of the ticket. It goes again without the files, as the
// same mail, naming them and where they are; a relay that says its limit
// in EHLO is not sent the doomed 27 MB at all. An officer's answer to a
// citizen is not cut down so: it fails for good, saying why, and its
// officer is told (Undelivered); while that cannot be queued the job
// is tried again rather than failed without a word.
func TestMailTooLargeForTheRelay(t *testing.T) {
	files := []inquiry.Attachment{
		{Name: "skanim-1.pdf", ContentType: "application/pdf", Content: bytes.Repeat([]byte("%PDF-1.7 "), 10<<20/9)},
		{Name: "skanim-2.pdf", ContentType: "application/pdf", Content: bytes.Repeat([]byte("%PDF-1.7 "), 10<<20/9)},
	}
	tests := []struct {
		name      string
		kind      inquiry.JobKind
		sayLimit  bool
		tellErr   error // what telling the officer of a refused answer returns
		wantState inquiry.JobState
		wantFroms int // MAIL FROM commands: the doomed upload, then the smaller mail
		wantTold  int // times the officer's telling was asked for
	}{
		{"notification, limit in EHLO SIZE", inquiry.JobNotify, true, nil, inquiry.JobDone, 1, 0},
		{"notification, 552 after the data", inquiry.JobNotify, false, nil, inquiry.JobDone, 2, 0},
		{"answer to the citizen, limit in EHLO SIZE", inquiry.JobAnswer, true, nil, inquiry.JobFailed, 0, 1},
		{"answer to the citizen, 552 after the data", inquiry.JobAnswer, false, nil, inquiry.JobFailed, 1, 1},
		{"answer, its officer cannot be told now", inquiry.JobAnswer, true, errors.New("database is locked"), inquiry.JobPending, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := &relay{maxSize: 10 << 20, sayLimit: tt.sayLimit}
			m := startRelay(t, r, "right")
			to := "zamira@mkrs.example"
			if tt.kind == inquiry.JobAnswer {
				to = "arben@example.net"
			}
			j := inquiry.Job{
				TicketID: f.ticket.ID, Kind: tt.kind, Recipient: to, NextAt: f.now, CreatedAt: f.now,
				Mail: &inquiry.Mail{
					MessageID: "sportel." + string(tt.kind) + ".1@mkrs.example", Date: f.now,
					From: inquiry.Address{Address: "komunikimi@mkrs.example"}, To: []inquiry.Address{{Address: to}},
					Subject: "[DKP-2026-000001] Pyetje", Text: "Tiketë e re DKP-2026-000001 u është caktuar juve.\n",
					Headers:    map[string]string{"X-Sportel-Ticket": "DKP-2026-000001"},
					AttachFrom: &inquiry.AttachmentRef{TicketID: f.ticket.ID, EntryID: 7, Indexes: []int{0, 1}},
				},
			}
			f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
			var told []string
			tell := func(_ context.Context, tj inquiry.Job, reason string, tooLarge bool) error {
				if tj.ID != j.ID || !tooLarge {
					t.Errorf("told of job %d, too large %v; want %d, too large", tj.ID, tooLarge, j.ID)
				}
				told = append(told, reason)
				return tt.tellErr
			}
			ob := outbox.New(f.store, m, nil, outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour, Lease: time.Minute,
				Attachments: &attachmentsOf{atts: files}, Undelivered: tell}, testutil.DiscardLogger())
			ob.SetClock(func() time.Time { return f.now })
			if err := ob.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := f.job(j.ID)
			mails, froms := r.got()
			if got.State != tt.wantState || froms != tt.wantFroms {
				t.Fatalf("job %s (%q), %d MAIL FROM; want %s, %d", got.State, got.LastError, froms, tt.wantState, tt.wantFroms)
			}
			if len(told) != tt.wantTold {
				t.Errorf("the officer told %d times (%q), want %d", len(told), told, tt.wantTold)
			}
			for _, why := range told {
				if !strings.Contains(why, "552 5.3.4") && !strings.Contains(why, "EHLO SIZE") {
					t.Errorf("told %q, want the relay's reason", why)
				}
			}
			if tt.kind == inquiry.JobAnswer {
				if len(mails) != 0 || !strings.Contains(got.LastError, "552 5.3.4") && !strings.Contains(got.LastError, "EHLO SIZE") {
					t.Errorf("%d mails sent; error %q, want none sent and the size named", len(mails), got.LastError)
				}
				return
			}
			if len(mails) != 1 {
				t.Fatalf("%d mails taken in, want the notification once", len(mails))
			}
			// The text goes quoted-printable; its soft line breaks are undone.
			text := strings.ReplaceAll(string(mails[0]), "=\r\n", "")
			for _, want := range []string{"Message-Id: <sportel.notify.1@mkrs.example>", "skanim-1.pdf", "skanim-2.pdf",
				"sportel tickets attachment DKP-2026-000001", "Tiket=C3=AB e re DKP-2026-000001"} {
				if !strings.Contains(text, want) {
					t.Errorf("the notification lacks %q", want)
				}
			}
			if len(mails[0]) > 64<<10 || strings.Contains(text, "Content-Disposition: attachment") {
				t.Errorf("the notification still carries files: %d bytes", len(mails[0]))
			}
		})
	}
}

// Faults of the relay itself are nobody's job's: a wrong password (535),
// a relay that is down, a certificate that does not verify or a relay that
// stops offering STARTTLS (security starttls) must not fail every job for
// good, neither at once nor after MaxAttempts, nor use up its attempts:
// the job waits, still due, given back untried after each fault, and
// nothing goes in plaintext meanwhile. While the pause after a fault
// lasts, the relay is not tried at all; after it, once. What is logged
// names the setting to look at, where there is one.
func TestRelayFaultsNeverFailAJob(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name string
		// mailer returns the mailer and the relay it talks to (nil: none).
		mailer func(t *testing.T) (*mailer.Mailer, *relay)
		logins int    // AUTH attempts the relay sees a round
		hint   string // what the log says to look at; "" for no hint
	}{
		{"wrong password", func(t *testing.T) (*mailer.Mailer, *relay) {
			r := &relay{}
			return startRelay(t, r, "wrong"), r
		}, 1, "check smtp.username and smtp.password"},
		{"relay down", func(t *testing.T) (*mailer.Mailer, *relay) { return relayMailer(t, testutil.FreeAddr(t), "right"), nil }, 0,
			"nothing accepts connections at smtp.addr"},
		{"certificate not trusted", func(t *testing.T) (*mailer.Mailer, *relay) {
			r := &relay{tls: serverTLS}
			return starttlsMailer(t, relayServer(t, r), nil), r
		}, 0, "set smtp.ca_file"},
		{"STARTTLS no longer offered", func(t *testing.T) (*mailer.Mailer, *relay) {
			r := &relay{}
			return starttlsMailer(t, relayServer(t, r), clientTLS), r
		}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.addMail("arben@example.net", "sportel.ack.relay@mkrs.example")
			var failures, final int
			m, seen := tt.mailer(t)
			logs := testutil.NewLogBuffer(t)
			ob := outbox.New(f.store, m, nil, outbox.Config{MaxAttempts: 2, BackoffMin: time.Minute, BackoffMax: time.Hour, Lease: time.Minute},
				logs.Logger(slog.LevelInfo))
			ob.Failed = func(_ inquiry.Job, err error, isFinal bool) {
				failures++
				if isFinal {
					final++
				}
			}
			clock := f.now
			ob.SetClock(func() time.Time { return clock })
			var mono time.Duration
			outbox.SetLeaseClock(ob, func() time.Duration { return mono }, nil)
			for round := 1; round <= 4; round++ { // twice MaxAttempts, each after the pause
				for range 2 { // the second within the pause: not tried
					if err := ob.Drain(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				if failures != round || !ob.MailPaused() {
					t.Fatalf("round %d: %d tries, paused %v; want %d, paused", round, failures, ob.MailPaused(), round)
				}
				if seen != nil && seen.logins() != round*tt.logins {
					t.Fatalf("round %d: the relay saw %d logins, want %d a round", round, seen.logins(), tt.logins)
				}
				clock = clock.Add(2 * time.Hour)
				mono += time.Hour // past the longest pause
			}
			relayLines := 0
			for line := range strings.SplitSeq(logs.String(), "\n") {
				if !strings.Contains(line, `msg="mail relay`) {
					continue
				}
				relayLines++
				if strings.Contains(line, "hint=") != (tt.hint != "") || !strings.Contains(line, tt.hint) {
					t.Errorf("want hint %q in every line of the relay's fault:\n%s", tt.hint, line)
				}
			}
			if relayLines == 0 {
				t.Errorf("the relay's fault was not logged:\n%s", logs.String())
			}
			got := f.job(id)
			if got.State != inquiry.JobPending || final != 0 || got.Attempts != 0 || !got.NextAt.Equal(f.now) {
				t.Fatalf("job %s with %d attempts (%d final), next at %s, error %q; want it pending, no attempt spent, none final, due as it was",
					got.State, got.Attempts, final, got.NextAt, got.LastError)
			}
			if seen != nil {
				if mails, froms := seen.got(); len(mails) != 0 || froms != 0 {
					t.Errorf("the relay saw %d MAIL FROM and took in %d mails; want none", froms, len(mails))
				}
			}
		})
	}
}
