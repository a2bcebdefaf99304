package mailer

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/mailauth/mailauthtest"
)

const (
	smtpUser = "sportel@kultura.example.gov"
	smtpPass = "smtp-pass-9"
)

// received is one mail the test server accepted.
type received struct {
	From   string
	To     []string
	Data   []byte
	Authed bool
	TLS    bool
}

// backend is a go-smtp server backend that records mail and can be told to
// reject recipients.
type backend struct {
	requireAuth bool
	rcptReply   *smtp.SMTPError // non-nil: every RCPT gets this
	// tokens, when set, makes the server one like Microsoft 365's: it
	// offers XOAUTH2 and OAUTHBEARER, checks tokens against tokens, and no
	// PLAIN.
	tokens *mailauthtest.Tokens
	// mechanisms, when set, are the password mechanisms offered instead
	// of PLAIN (LOGIN is served too).
	mechanisms []string

	// mailReplies[i], when set, answers the i-th MAIL FROM (counted from 0
	// over all sessions) instead of accepting it.
	mailReplies map[int]*smtp.SMTPError
	// dataReply, when set, answers the message (DATA or BDAT) once read.
	dataReply func(data []byte) error

	mu        sync.Mutex
	got       []received
	sessions  int
	mailsFrom int          // MAIL FROM commands seen
	conns     []*smtp.Conn // every session's connection, for a server-side close
	hellos    []string     // the name of every EHLO that started a session
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.mu.Lock()
	b.sessions++
	b.conns = append(b.conns, c)
	b.hellos = append(b.hellos, c.Hostname())
	b.mu.Unlock()
	return &session{b: b, conn: c}, nil
}

func (b *backend) sessionCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sessions
}

func (b *backend) helloNames() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.hellos...)
}

func (b *backend) mails() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.got...)
}

type session struct {
	b    *backend
	conn *smtp.Conn
	cur  received
}

func (s *session) AuthMechanisms() []string {
	if s.b.tokens != nil {
		return mailauthtest.Mechanisms
	}
	if s.b.mechanisms != nil {
		return s.b.mechanisms
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	if s.b.tokens != nil {
		return mailauthtest.SMTPAuth(mech, s.b.tokens, func(user string) error {
			if user != smtpUser {
				return smtp.ErrAuthFailed
			}
			s.cur.Authed = true
			return nil
		})
	}
	if mech == sasl.Login {
		return &loginServer{check: func(user, pass string) error {
			if user != smtpUser || pass != smtpPass {
				return smtp.ErrAuthFailed
			}
			s.cur.Authed = true
			return nil
		}}, nil
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return smtp.ErrAuthFailed
		}
		s.cur.Authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.requireAuth && !s.cur.Authed {
		return smtp.ErrAuthRequired
	}
	s.b.mu.Lock()
	reply := s.b.mailReplies[s.b.mailsFrom]
	s.b.mailsFrom++
	s.b.mu.Unlock()
	if reply != nil {
		return reply
	}
	s.cur.From = from
	_, s.cur.TLS = s.conn.TLSConnectionState()
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rcptReply != nil {
		return s.b.rcptReply
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.b.dataReply != nil {
		if err := s.b.dataReply(data); err != nil {
			return err
		}
	}
	s.cur.Data = data
	s.b.mu.Lock()
	s.b.got = append(s.b.got, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur.From, s.cur.To, s.cur.Data = "", nil, nil }
func (s *session) Logout() error { return nil }

// startSMTP serves be on a loopback port: plaintext (with STARTTLS when
// tlsCfg is set) or implicit TLS.
func startSMTP(t *testing.T, be *backend, tlsCfg *tls.Config, implicit bool) string {
	t.Helper()
	return startSMTPWith(t, be, tlsCfg, implicit, nil)
}

// startSMTPWith is startSMTP with the server changed by edit first.
func startSMTPWith(t *testing.T, be smtp.Backend, tlsCfg *tls.Config, implicit bool, edit func(*smtp.Server)) string {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = false // AUTH only after TLS
	srv.EnableSMTPUTF8 = true
	if edit != nil {
		edit(srv)
	}
	var ln net.Listener
	var err error
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	} else {
		srv.TLSConfig = tlsCfg
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func sampleMail() *inquiry.Mail {
	return &inquiry.Mail{
		MessageID:   "ack.DKP-2026-000042.1@kultura.example.gov",
		Date:        time.Date(2026, 2, 3, 14, 5, 0, 0, time.FixedZone("CET", 3600)),
		From:        inquiry.Address{Name: "Divizioni për Komunikim Publik", Address: "dkp@kultura.example.gov"},
		To:          []inquiry.Address{{Name: "Đorđe Šarić", Address: "djordje@example.org"}},
		ReplyTo:     &inquiry.Address{Address: "dkp@kultura.example.gov"},
		Subject:     "Kërkesa juaj u pranua [DKP-2026-000042] — Ваш захтев је примљен",
		InReplyTo:   []string{"orig-1@example.org"},
		References:  []string{"root@example.org", "orig-1@example.org"},
		AutoReplied: true,
		Headers:     map[string]string{"X-Sportel-Ticket": "DKP-2026-000042"},
		Text:        "Përshëndetje,\n\nKërkesa juaj është regjistruar me numrin DKP-2026-000042.\nВаш захтев је заведен.\n",
	}
}

func TestNewRefusesPlaintextCredentials(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"relay without login", Options{Addr: "relay.example.gov:25", Security: SecurityNone}, ""},
		{"login over plaintext to loopback", Options{Addr: "127.0.0.1:25", Security: SecurityNone, Username: "u", Password: "p"}, ""},
		{"login over plaintext to remote", Options{Addr: "smtp.example.gov:25", Security: SecurityNone, Username: "u", Password: "p"}, "refusing to send credentials unencrypted"},
		{"login over plaintext to remote ip", Options{Addr: "10.1.2.3:25", Security: SecurityNone, Username: "u", Password: "p"}, "non-loopback"},
		{"login over starttls", Options{Addr: "smtp.example.gov:587", Security: SecurityStartTLS, Username: "u", Password: "p"}, ""},
		{"unknown security", Options{Addr: "smtp.example.gov:587", Security: "ssl"}, "Security"},
		{"no port", Options{Addr: "smtp.example.gov", Security: SecurityTLS}, "Addr"},
		{"password without user", Options{Addr: "smtp.example.gov:465", Security: SecurityTLS, Password: "p"}, "Username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// The rendering carries the right headers and decodes back to the same text.
func TestRenderRoundTrip(t *testing.T) {
	m := sampleMail()
	raw, err := Render(m, "dkp@kultura.example.gov")
	if err != nil {
		t.Fatal(err)
	}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := mr.Header
	subject, err := h.Subject()
	if err != nil || subject != m.Subject {
		t.Errorf("subject %q (%v), want %q", subject, err, m.Subject)
	}
	if rawSubject := h.Get("Subject"); !strings.Contains(rawSubject, "=?utf-8?") {
		t.Errorf("raw subject %q is not RFC 2047 utf-8", rawSubject)
	}
	from, _ := h.AddressList("From")
	to, _ := h.AddressList("To")
	if len(from) != 1 || from[0].Name != m.From.Name || from[0].Address != m.From.Address {
		t.Errorf("From %v", from)
	}
	if len(to) != 1 || to[0].Name != m.To[0].Name || to[0].Address != m.To[0].Address {
		t.Errorf("To %v", to)
	}
	if id, _ := h.MessageID(); id != m.MessageID {
		t.Errorf("Message-ID %q", id)
	}
	if date, _ := h.Date(); !date.Equal(m.Date) {
		t.Errorf("Date %s, want %s", date, m.Date)
	}
	if irt, _ := h.MsgIDList("In-Reply-To"); len(irt) != 1 || irt[0] != "orig-1@example.org" {
		t.Errorf("In-Reply-To %v", irt)
	}
	if refs, _ := h.MsgIDList("References"); len(refs) != 2 || refs[1] != "orig-1@example.org" {
		t.Errorf("References %v", refs)
	}
	wantHeaders := map[string]string{
		"Auto-Submitted":            "auto-replied",
		"X-Loop":                    "dkp@kultura.example.gov",
		"X-Auto-Response-Suppress":  "All",
		"X-Sportel-Ticket":          "DKP-2026-000042",
		"Mime-Version":              "1.0",
		"Content-Transfer-Encoding": "quoted-printable",
		"Reply-To":                  "<dkp@kultura.example.gov>",
	}
	for k, want := range wantHeaders {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if ct, params, _ := h.ContentType(); ct != "text/plain" || params["charset"] != "utf-8" {
		t.Errorf("Content-Type %s %v", ct, params)
	}
	part, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(part.Body)
	if unCRLF(string(body)) != m.Text {
		t.Errorf("body %q, want %q", body, m.Text)
	}
}

func TestRenderHeadersDependOnAutoReplied(t *testing.T) {
	tests := []struct {
		name         string
		autoReplied  bool
		allowOOF     bool
		loopID       string
		wantLoop     string
		wantSuppress string // "" for no such header
	}{
		{"acknowledgement", true, false, "dkp@kultura.example.gov", "dkp@kultura.example.gov", "All"},
		{"acknowledgement without loop id", true, false, "", "dkp@kultura.example.gov", "All"},
		// Exchange answers it with the officer's out-of-office alone.
		{"officer's notification", true, true, "dkp@kultura.example.gov", "dkp@kultura.example.gov", "DR, RN, NRN, AutoReply"},
		{"officer's answer", false, false, "dkp@kultura.example.gov", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail()
			m.AutoReplied = tt.autoReplied
			m.AllowOutOfOffice = tt.allowOOF
			raw, err := Render(m, tt.loopID)
			if err != nil {
				t.Fatal(err)
			}
			mr, err := mail.CreateReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := mr.Header.Get("X-Loop"); got != tt.wantLoop {
				t.Errorf("X-Loop %q, want %q", got, tt.wantLoop)
			}
			wantAuto := ""
			if tt.autoReplied {
				wantAuto = "auto-replied"
			}
			if got := mr.Header.Get("Auto-Submitted"); got != wantAuto {
				t.Errorf("Auto-Submitted %q, want %q", got, wantAuto)
			}
			if got := mr.Header.Get("X-Auto-Response-Suppress"); got != tt.wantSuppress {
				t.Errorf("X-Auto-Response-Suppress %q, want %q", got, tt.wantSuppress)
			}
		})
	}
}

// The same job renders to the same bytes: Message-ID and Date are fixed.
func TestRenderIsDeterministic(t *testing.T) {
	m := sampleMail()
	m.Headers["X-B"] = "2"
	m.Headers["X-A"] = "1"
	a, err := Render(m, "x@example.gov")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(m, "x@example.gov")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("two renderings differ:\n%s\n----\n%s", a, b)
	}
	if !bytes.Contains(a, []byte("Message-Id: <"+m.MessageID+">")) || !bytes.Contains(a, []byte("Date: Tue, 03 Feb 2026 14:05:00 +0100")) {
		t.Errorf("fixed Message-ID/Date missing:\n%s", a)
	}
}

// The X-Loop value comes from the configuration, not the mail: a line
// break in it must not add a header field either.
func TestRenderRejectsLineBreakInLoopID(t *testing.T) {
	if _, err := Render(sampleMail(), "loop@example.gov\r\nBcc: evil@example.org"); err == nil || !strings.Contains(err.Error(), "X-Loop") {
		t.Errorf("Render error = %v, want one about X-Loop", err)
	}
}

func TestRenderRejectsBadMail(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *inquiry.Mail)
		want   string
	}{
		{"no message id", func(m *inquiry.Mail) { m.MessageID = "" }, "message id"},
		{"bracketed message id", func(m *inquiry.Mail) { m.MessageID = "<a@b>" }, "message id"},
		{"no date", func(m *inquiry.Mail) { m.Date = time.Time{} }, "date"},
		{"no recipients", func(m *inquiry.Mail) { m.To = nil }, "recipients"},
		{"bad recipient", func(m *inquiry.Mail) { m.To = []inquiry.Address{{Address: "nobody"}} }, "not a mail address"},
		{"header injection", func(m *inquiry.Mail) { m.Headers["X-Note"] = "a\r\nBcc: evil@example.org" }, "line break"},
		{"reserved header", func(m *inquiry.Mail) { m.Headers["content-type"] = "text/html" }, "set by the mailer"},
		// Its value would start past the 76th octet: go-message panicked.
		{"field name too long to fold", func(m *inquiry.Mail) { m.Headers["X-"+strings.Repeat("a", 72)] = "x" }, "name too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail()
			tt.change(m)
			if _, err := Render(m, ""); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestAttachmentsRoundTrip(t *testing.T) {
	m := sampleMail()
	pdf := bytes.Repeat([]byte{0x25, 0x50, 0x44, 0x46, 0x00, 0xff}, 2000)
	m.Attachments = []inquiry.Attachment{
		{Name: "kërkesë për dokument.pdf", ContentType: "application/pdf", Content: pdf, Size: int64(len(pdf))},
		{Name: "шема.txt", ContentType: "text/plain; charset=utf-8", Content: []byte("ћирилица\n"), Size: 17},
	}
	raw, err := Render(m, "")
	if err != nil {
		t.Fatal(err)
	}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if ct, _, _ := mr.Header.ContentType(); ct != "multipart/mixed" {
		t.Fatalf("Content-Type %s, want multipart/mixed", ct)
	}
	var text string
	var names []string
	var contents [][]byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			text = string(b)
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			names = append(names, name)
			contents = append(contents, b)
		}
	}
	if unCRLF(text) != m.Text {
		t.Errorf("text %q", text)
	}
	if len(names) != 2 {
		t.Fatalf("attachments %v", names)
	}
	for i, a := range m.Attachments {
		if names[i] != a.Name || !bytes.Equal(contents[i], a.Content) {
			t.Errorf("attachment %d: %q (%d bytes), want %q (%d bytes)", i, names[i], len(contents[i]), a.Name, len(a.Content))
		}
	}
}

func TestSendMail(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name     string
		implicit bool
		tlsOnSrv bool
		opts     Options
		wantAuth bool
		wantTLS  bool
		// wantHellos is how many EHLOs the server sees: STARTTLS greets
		// once before TLS and once after.
		wantHellos int
	}{
		{"starttls with auth", false, true, Options{Security: SecurityStartTLS, Username: smtpUser, Password: smtpPass}, true, true, 2},
		{"implicit tls with auth", true, true, Options{Security: SecurityTLS, Username: smtpUser, Password: smtpPass}, true, true, 1},
		{"plain relay on loopback without auth", false, false, Options{Security: SecurityNone}, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{requireAuth: tt.wantAuth}
			var srvTLS *tls.Config
			if tt.tlsOnSrv {
				srvTLS = serverTLS
			}
			opts := tt.opts
			opts.Addr = startSMTP(t, be, srvTLS, tt.implicit)
			opts.TLSConfig = clientTLS
			opts.HelloName = "sportel.kultura.example.gov"
			opts.LoopID = "dkp@kultura.example.gov"
			opts.Logger = testutil.DiscardLogger()
			mlr, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			m := sampleMail()
			if err := mlr.SendMail(context.Background(), m); err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			got := be.mails()
			if len(got) != 1 {
				t.Fatalf("server got %d mails", len(got))
			}
			r := got[0]
			if r.From != m.From.Address || len(r.To) != 1 || r.To[0] != m.To[0].Address {
				t.Errorf("envelope from %q to %v", r.From, r.To)
			}
			if r.Authed != tt.wantAuth || r.TLS != tt.wantTLS {
				t.Errorf("authed %v tls %v, want %v %v", r.Authed, r.TLS, tt.wantAuth, tt.wantTLS)
			}
			want, _ := Render(m, opts.LoopID)
			if !bytes.Equal(bytes.TrimRight(r.Data, "\r\n"), bytes.TrimRight(want, "\r\n")) {
				t.Errorf("server got other bytes than Render gives:\n%s", r.Data)
			}
			hellos := be.helloNames()
			if len(hellos) != tt.wantHellos {
				t.Errorf("server saw EHLO %q, want %d of them", hellos, tt.wantHellos)
			}
			for _, h := range hellos {
				if h != opts.HelloName {
					t.Errorf("server saw EHLO %q, want every one to say %q", hellos, opts.HelloName)
					break
				}
			}
		})
	}
}

// The server's certificate is checked against TLSConfig.ServerName
// (smtp.tls_server_name) when set, else against the host in Addr, both
// with implicit TLS and with STARTTLS. The test certificate is for
// 127.0.0.1 and localhost.
func TestTLSServerName(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name       string
		serverName string
		wantErr    string // "" for a mail sent
	}{
		{"host from addr", "", ""},
		{"name in the certificate", "localhost", ""},
		{"name not in the certificate", "smtp.mkrs.example", "certificate is valid for"},
	}
	for _, implicit := range []bool{true, false} {
		security := SecurityStartTLS
		if implicit {
			security = SecurityTLS
		}
		for _, tt := range tests {
			t.Run(security+"/"+tt.name, func(t *testing.T) {
				be := &backend{requireAuth: true}
				cfg := clientTLS.Clone()
				cfg.ServerName = tt.serverName
				mlr, err := New(Options{Addr: startSMTP(t, be, serverTLS, implicit), Security: security,
					Username: smtpUser, Password: smtpPass, TLSConfig: cfg, Logger: testutil.DiscardLogger()})
				if err != nil {
					t.Fatal(err)
				}
				defer mlr.Close()
				err = mlr.SendMail(context.Background(), sampleMail())
				if tt.wantErr == "" {
					if err != nil || len(be.mails()) != 1 {
						t.Fatalf("SendMail: %v; server got %d mails, want 1", err, len(be.mails()))
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.serverName) {
					t.Fatalf("SendMail error %v, want one containing %q and %q", err, tt.wantErr, tt.serverName)
				}
				if len(be.mails()) != 0 {
					t.Error("server accepted a mail over a connection whose certificate did not verify")
				}
			})
		}
	}
}

// Security starttls never falls back to plaintext: a server that does not
// offer STARTTLS gets no login and no mail.
func TestStartTLSRequired(t *testing.T) {
	be := &backend{}
	mlr, err := New(Options{Addr: startSMTP(t, be, nil, false), Security: SecurityStartTLS,
		Username: smtpUser, Password: smtpPass, HelloName: "sportel.kultura.example.gov", Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	err = mlr.SendMail(context.Background(), sampleMail())
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Fatalf("SendMail error %v, want one saying the server does not offer STARTTLS", err)
	}
	if hellos := be.helloNames(); len(hellos) != 1 || hellos[0] != "sportel.kultura.example.gov" || len(be.mails()) != 0 {
		t.Errorf("server saw EHLO %q and %d mails, want one EHLO sportel.kultura.example.gov and none", hellos, len(be.mails()))
	}
}

// Mails sent one after another share a logged-in connection; one that the
// server closed meanwhile is replaced without losing the mail.
func TestSendMailReusesConnection(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	be := &backend{requireAuth: true}
	// Implicit TLS: go-smtp starts a session per connection (STARTTLS would
	// start a second one on the same connection).
	addr := startSMTP(t, be, serverTLS, true)
	mlr, err := New(Options{Addr: addr, Security: SecurityTLS, Username: smtpUser, Password: smtpPass,
		TLSConfig: clientTLS, Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer mlr.Close()
	for range 3 {
		if err := mlr.SendMail(context.Background(), sampleMail()); err != nil {
			t.Fatal(err)
		}
	}
	if n, sessions := len(be.mails()), be.sessionCount(); n != 3 || sessions != 1 {
		t.Fatalf("%d mails over %d connections, want 3 over 1", n, sessions)
	}
	// The kept connection dies (as when a server drops idle clients).
	ic := <-mlr.idle
	ic.c.Close()
	mlr.idle <- ic
	if err := mlr.SendMail(context.Background(), sampleMail()); err != nil {
		t.Fatalf("send after the kept connection died: %v", err)
	}
	if n, sessions := len(be.mails()), be.sessionCount(); n != 4 || sessions != 2 {
		t.Fatalf("%d mails over %d connections, want 4 over 2", n, sessions)
	}
}

// A kept connection is used without RSET: when the server has ended it
// (closed it, or answers 421) the mail goes over a fresh one, once; when
// the server refuses the mail itself, SendMail fails without redialling.
func TestSendMailKeptConnectionEnded(t *testing.T) {
	tests := []struct {
		name         string
		secondMail   *smtp.SMTPError // the server's answer to MAIL FROM on the kept connection
		serverCloses bool            // the server closes the kept connection first
		wantErr      string
		wantMails    int
		wantSessions int
	}{
		{"server closed it", nil, true, "", 2, 2},
		{"server answers 421", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "idle too long"}, false, "", 2, 2},
		{"server refuses the sender", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender refused"}, false, "sender refused", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serverTLS, clientTLS := testutil.SelfSignedTLS(t)
			be := &backend{requireAuth: true, mailReplies: map[int]*smtp.SMTPError{1: tt.secondMail}}
			addr := startSMTP(t, be, serverTLS, true)
			mlr, err := New(Options{Addr: addr, Security: SecurityTLS, Username: smtpUser, Password: smtpPass,
				TLSConfig: clientTLS, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer mlr.Close()
			if err := mlr.SendMail(context.Background(), sampleMail()); err != nil {
				t.Fatal(err)
			}
			if tt.serverCloses {
				be.mu.Lock()
				be.conns[0].Conn().Close()
				be.mu.Unlock()
			}
			err = mlr.SendMail(context.Background(), sampleMail())
			if tt.wantErr == "" && err != nil {
				t.Fatalf("second send: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("second send: error %v, want one saying %q", err, tt.wantErr)
			}
			if n, sessions := len(be.mails()), be.sessionCount(); n != tt.wantMails || sessions != tt.wantSessions {
				t.Errorf("%d mails over %d connections, want %d over %d", n, sessions, tt.wantMails, tt.wantSessions)
			}
		})
	}
}

func TestSendMailErrors(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name          string
		rcptReply     *smtp.SMTPError
		password      string
		wantPermanent bool
		wantRelay     bool // a relay-wide fault, not the mail's
		wantText      string
	}{
		{"451 is temporary", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"},
			smtpPass, false, false, "smtp rcpt djordje@example.org: 451 4.3.0 try again later"},
		{"550 is permanent", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
			smtpPass, true, false, "smtp rcpt djordje@example.org: 550 5.1.1 no such user"},
		// A wrong password refuses every mail alike until someone fixes
		// it: each waits (retried, alerted), none fails for good.
		{"bad password is a temporary relay fault", nil, "wrong", false, true, "smtp auth as " + smtpUser + ": 535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{requireAuth: true, rcptReply: tt.rcptReply}
			mlr, err := New(Options{
				Addr: startSMTP(t, be, serverTLS, false), Security: SecurityStartTLS,
				Username: smtpUser, Password: tt.password, TLSConfig: clientTLS,
				Logger: testutil.DiscardLogger(),
			})
			if err != nil {
				t.Fatal(err)
			}
			err = mlr.SendMail(context.Background(), sampleMail())
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want *SendError", err, err)
			}
			if se.Permanent() != tt.wantPermanent {
				t.Errorf("Permanent() = %v, want %v (%v)", se.Permanent(), tt.wantPermanent, err)
			}
			if se.RelayFault() != tt.wantRelay {
				t.Errorf("RelayFault() = %v, want %v (%v)", se.RelayFault(), tt.wantRelay, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), tt.password) {
				t.Errorf("error shows the password: %q", err)
			}
			if len(be.mails()) != 0 {
				t.Error("server accepted a mail")
			}
		})
	}
}

func TestSendMailNetworkErrorsAreTemporary(t *testing.T) {
	// silent accepts connections and never says a word.
	silent := func(t *testing.T) string {
		ln := testutil.Listen(t)
		go func() {
			c, err := ln.Accept()
			if err == nil {
				t.Cleanup(func() { c.Close() })
			}
		}()
		return ln.Addr().String()
	}
	tests := []struct {
		name     string
		security string
		timeout  time.Duration // CommandTimeout; 0 is the default
		setup    func(t *testing.T) (addr string, ctx context.Context)
		wantText string
	}{
		{"nothing listening", SecurityNone, 0, func(t *testing.T) (string, context.Context) {
			return testutil.FreeAddr(t), context.Background()
		}, "connection refused"},
		{"server never answers, ctx deadline", SecurityNone, 0, func(t *testing.T) (string, context.Context) {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			t.Cleanup(cancel)
			return silent(t), ctx
		}, "deadline exceeded"},
		{"server never greets, command timeout", SecurityStartTLS, 200 * time.Millisecond, func(t *testing.T) (string, context.Context) {
			return silent(t), context.Background()
		}, "no answer within 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, ctx := tt.setup(t)
			mlr, err := New(Options{Addr: addr, Security: tt.security, CommandTimeout: tt.timeout, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = mlr.SendMail(ctx, sampleMail())
			var se *SendError
			if !errors.As(err, &se) || se.Permanent() || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("error %v, want a temporary *SendError saying %q", err, tt.wantText)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("SendMail took %s", d)
			}
		})
	}
}

func TestSendMailRenderErrorIsPermanent(t *testing.T) {
	mlr, err := New(Options{Addr: "127.0.0.1:1", Security: SecurityNone})
	if err != nil {
		t.Fatal(err)
	}
	m := sampleMail()
	m.To = nil
	err = mlr.SendMail(context.Background(), m)
	var se *SendError
	if !errors.As(err, &se) || !se.Permanent() || !strings.Contains(err.Error(), "render") {
		t.Fatalf("error %v, want a permanent render error", err)
	}
}

// unCRLF undoes MIME's canonical CRLF line ends for text parts.
func unCRLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// Probe greets and logs in as a send would, and reports the greeting, the
// TLS state and the extensions offered over TLS; it sends no mail.
func TestProbe(t *testing.T) {
	serverTLS, clientTLS := testutil.SelfSignedTLS(t)
	tests := []struct {
		name      string
		security  string
		implicit  bool
		password  string
		wantLogin bool
		wantErr   string
	}{
		{"starttls", SecurityStartTLS, false, smtpPass, true, ""},
		{"implicit tls", SecurityTLS, true, smtpPass, true, ""},
		{"wrong password", SecurityStartTLS, false, "wrong", false, "535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{requireAuth: true}
			mlr, err := New(Options{Addr: startSMTP(t, be, serverTLS, tt.implicit), Security: tt.security,
				Username: smtpUser, Password: tt.password, HelloName: "sportel.kultura.example.gov",
				TLSConfig: clientTLS, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := mlr.Probe(context.Background())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Probe error %v, want %q", err, tt.wantErr)
			}
			// go-smtp's server greets "<domain> ESMTP Service Ready".
			if len(rep.Greeting) != 1 || !strings.HasPrefix(rep.Greeting[0], "localhost ESMTP") {
				t.Errorf("greeting %q", rep.Greeting)
			}
			if rep.TLS == nil || rep.TLS.Version < tls.VersionTLS12 {
				t.Errorf("TLS state %+v, want TLS 1.2 or later", rep.TLS)
			}
			// AUTH is offered only over TLS (AllowInsecureAuth is off), so
			// seeing it shows the extensions are the ones after STARTTLS.
			if !strings.HasPrefix(rep.Hello, "Hello sportel.kultura.example.gov") || !slices.Contains(rep.Extensions, "AUTH PLAIN") {
				t.Errorf("ehlo %q, extensions %q; want the greeting to our name and AUTH PLAIN", rep.Hello, rep.Extensions)
			}
			if rep.LoggedIn != tt.wantLogin || len(be.mails()) != 0 {
				t.Errorf("logged in %v, %d mails; want %v and none", rep.LoggedIn, len(be.mails()), tt.wantLogin)
			}
		})
	}
}

// Replies read before the go-smtp client exists (greeting, the first EHLO,
// STARTTLS) are classified like the client's own.
func TestReplyError(t *testing.T) {
	tests := []struct {
		name          string
		err           error
		wantCode      int
		wantEnhanced  smtp.EnhancedCode
		wantPermanent bool
		wantText      string
	}{
		{"5xx with enhanced code", &textproto.Error{Code: 554, Msg: "5.7.1 Client host rejected"}, 554, smtp.EnhancedCode{5, 7, 1}, true,
			"smtp starttls: 554 5.7.1 Client host rejected"},
		{"4xx without enhanced code", &textproto.Error{Code: 421, Msg: "Service not available, closing channel"}, 421, smtp.EnhancedCode{}, false,
			"smtp starttls: 421 Service not available, closing channel"},
		{"not a reply", io.ErrUnexpectedEOF, 0, smtp.EnhancedCode{}, false, "smtp starttls: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classify("smtp starttls", replyError(tt.err))
			var se *smtp.SMTPError
			if errors.As(err, &se) != (tt.wantCode != 0) || se != nil && (se.Code != tt.wantCode || se.EnhancedCode != tt.wantEnhanced) {
				t.Errorf("reply %+v, want code %d %v", se, tt.wantCode, tt.wantEnhanced)
			}
			if err.Permanent() != tt.wantPermanent || err.Error() != tt.wantText {
				t.Errorf("error %q permanent %v, want %q permanent %v", err, err.Permanent(), tt.wantText, tt.wantPermanent)
			}
		})
	}
}

// Citizens' subjects, names, texts and file names quoted in a mail reach the
// reader with their control characters escaped (file names cleaned).
func TestRenderEscapesControlCharacters(t *testing.T) {
	const attack = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e"
	const shown = `\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e`
	m := sampleMail()
	m.Subject = "Re: Kërkesë" + attack
	m.To[0].Name = "Arta" + attack
	m.Text = "Qytetari shkroi:\n> kërkoj" + attack + "\r\n\tfaleminderit\n"
	m.Attachments = []inquiry.Attachment{
		{Name: "../invoice\u202efdp\x1b[2J.exe", ContentType: "application/octet-stream", Content: []byte("MZ"), Size: 2},
		{Name: "\x1b\x07", ContentType: "text/plain", Content: []byte("x"), Size: 1},
	}
	raw, err := Render(m, "")
	if err != nil {
		t.Fatal(err)
	}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var decoded []string // every header and body as a mail client shows it
	subject, _ := mr.Header.Subject()
	to, _ := mr.Header.AddressList("To")
	if len(to) != 1 {
		t.Fatalf("To %v", to)
	}
	checks := []struct{ what, got, want string }{
		{"subject", subject, "Re: Kërkesë" + shown},
		{"to name", to[0].Name, "Arta" + shown},
	}
	var names []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			checks = append(checks, struct{ what, got, want string }{"text", unCRLF(string(b)), "Qytetari shkroi:\n> kërkoj" + shown + "\n\tfaleminderit\n"})
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			names = append(names, name)
		}
		decoded = append(decoded, string(b))
	}
	if len(names) != 2 {
		t.Fatalf("attachments %q, want 2", names)
	}
	checks = append(checks,
		struct{ what, got, want string }{"file name", names[0], "invoicefdp[2J.exe"},
		struct{ what, got, want string }{"file name of only controls", names[1], "attachment-2"})
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
		decoded = append(decoded, c.got)
	}
	for _, s := range append(decoded, string(raw)) {
		if strings.ContainsAny(s, "\x1b\x07\u009b\u202e") {
			t.Errorf("raw control character in %q", s)
		}
	}
}

// A server that does not offer SMTPUTF8 can never take mail to an address
// that is not ASCII: the error is permanent, not retried for hours, on a
// fresh connection and on a kept one.
func TestNoSMTPUTF8IsPermanent(t *testing.T) {
	for _, kept := range []bool{false, true} {
		t.Run(fmt.Sprintf("kept connection %v", kept), func(t *testing.T) {
			be := &backend{}
			addr := startSMTPWith(t, be, nil, false, func(s *smtp.Server) { s.EnableSMTPUTF8 = false })
			mlr, err := New(Options{Addr: addr, Security: SecurityNone, HelloName: "sportel.example", Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer mlr.Close()
			if kept {
				if err := mlr.SendMail(context.Background(), sampleMail()); err != nil {
					t.Fatal(err)
				}
			}
			m := sampleMail()
			m.MessageID = "utf8-" + m.MessageID
			m.To = []inquiry.Address{{Address: "arbën@example.al"}}
			err = mlr.SendMail(context.Background(), m)
			var se *SendError
			if !errors.As(err, &se) || !se.Permanent() || !strings.Contains(err.Error(), "SMTPUTF8") {
				t.Errorf("send to %s through a server without SMTPUTF8: %v; want a permanent error naming SMTPUTF8", m.To[0].Address, err)
			}
		})
	}
}

// loginServer is the server side of AUTH LOGIN: the user name (as the
// initial response or after "Username:"), then the password after
// "Password:".
type loginServer struct {
	check      func(user, pass string) error
	user       []byte
	askedFirst bool
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch {
	case l.user == nil && response == nil && !l.askedFirst:
		l.askedFirst = true
		return []byte("Username:"), false, nil
	case l.user == nil:
		l.user = response
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(string(l.user), string(response))
	}
}

// A relay that offers AUTH LOGIN and not PLAIN (Exchange's client
// connectors) is logged in to with LOGIN; one that offers neither is a
// permanent error that names both.
func TestPasswordLoginMechanisms(t *testing.T) {
	tests := []struct {
		name       string
		mechanisms []string
		wantErr    string // "" sent, logged in
	}{
		{"PLAIN", []string{sasl.Plain}, ""},
		{"LOGIN only", []string{sasl.Login}, ""},
		{"neither", []string{"CRAM-MD5"}, "neither AUTH PLAIN nor AUTH LOGIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serverTLS, clientTLS := testutil.SelfSignedTLS(t)
			be := &backend{requireAuth: true, mechanisms: tt.mechanisms}
			addr := startSMTP(t, be, serverTLS, false)
			mlr, err := New(Options{Addr: addr, Security: SecurityStartTLS, Username: smtpUser, Password: smtpPass,
				TLSConfig: clientTLS, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer mlr.Close()
			err = mlr.SendMail(context.Background(), sampleMail())
			if tt.wantErr == "" {
				if err != nil || len(be.got) != 1 || !be.got[0].Authed {
					t.Fatalf("send: %v; %d mails received", err, len(be.got))
				}
				return
			}
			var se *SendError
			// A relay that offers no mechanism we speak refuses every
			// mail: the mail waits (retried, alerted), it does not fail.
			if !errors.As(err, &se) || se.Permanent() || !se.RelayFault() || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("send: %v; want a temporary relay-fault error with %q", err, tt.wantErr)
			}
		})
	}
}
