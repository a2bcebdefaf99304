package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// The end-to-end tests wire Sportel exactly as `sportel run` does (config
// text → config.Parse → app.Open → Run) against real protocol servers: the
// devserver's go-imap memory server (or a real Dovecot) and go-smtp server.
// Everything is judged on the wire: what the SMTP server received and where
// the IMAP server holds each message.

const (
	publicAddress   = "komunikimi@mkrs.example"
	processedBox    = "Sportel/Processed"
	quarantineBox   = "Sportel/Quarantine"
	imapPasswordEnv = "SPORTEL_TEST_IMAP_PASSWORD"
)

// testConfig has the shape of demoConfig, with short outbox delays so a
// retried send happens within a test.
const testConfig = `
mailbox:
  address: komunikimi@mkrs.example
  display_name: "Divizioni për Komunikim Publik"
imap:
  addr: %s
  security: none
  username: %s
  password: ${SPORTEL_TEST_IMAP_PASSWORD}
  processed_mailbox: Sportel/Processed
  quarantine_mailbox: Sportel/Quarantine
  poll_interval: 1s
smtp:
  addr: %s
  security: none
  submission_timeout: 2s
store:
  driver: sqlite
  dsn: %s
officers:
  - id: osman
    name: "Osman D. Gashi"
    title: "Udhëheqës i Divizionit për Komunikim Publik"
    email: osman.gashi@mkrs.example
  - id: jusuf
    name: "Jusuf Lushaku"
    title: "Zyrtar i Lartë për Informim"
    email: jusuf.lushaku@mkrs.example
  - id: zamira
    name: "Zamira Ahmeti"
    title: "Zyrtare për Informim dhe Monitorim"
    email: zamira.ahmeti@mkrs.example
routing:
  - match: {category: document_request}
    officer: jusuf
  - match: {category: press_inquiry}
    officer: osman
  - officer: zamira
outbox:
  backoff_min: 200ms
  backoff_max: 1s
  lease: 3s
  # The benchmarks acknowledge thousands of mails in minutes; the cap has
  # its own tests (TestE2EReflectorIsCapped sets it).
  acknowledgements_per_hour: 0
log:
  level: info
`

// mailServer is the IMAP server's side as an MTA and the test see it.
type mailServer interface {
	Append(mailbox string, raw []byte, received time.Time) error
	Count(mailbox string) (int, error)
}

// memServer adapts the devserver's in-memory IMAP server.
type memServer struct{ *devserver.IMAP }

func (m memServer) Append(mailbox string, raw []byte, received time.Time) error {
	_, err := m.IMAP.Append(mailbox, raw, received)
	return err
}

// stack is one Sportel installation under test: its IMAP server, a
// capturing SMTP server, a database file and the parsed configuration.
type stack struct {
	tb   testing.TB
	box  mailServer
	smtp *devserver.SMTP
	cfg  *config.Config
	// logs collects the daemon's logs; they are shown only when the test
	// fails.
	logs *testutil.LogBuffer
	// logLevel is the logs' level; the zero value is info.
	logLevel slog.Level
}

// stopLimit is how long a part of the daemon may take to return once its
// context is cancelled.
const stopLimit = 30 * time.Second

// newMemStack starts an in-memory IMAP server and wires a stack to it.
func newMemStack(tb testing.TB) *stack {
	tb.Helper()
	const user, password = publicAddress, "e2e-test-password"
	srv, err := devserver.StartIMAP(user, password)
	if err != nil {
		tb.Fatalf("start imap server: %v", err)
	}
	tb.Cleanup(func() { srv.Close() })
	return newStack(tb, memServer{srv}, srv.Addr, user, password)
}

// newStack starts an SMTP server and builds the configuration for an IMAP
// server at imapAddr.
func newStack(tb testing.TB, box mailServer, imapAddr, user, password string) *stack {
	tb.Helper()
	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		tb.Fatalf("start smtp server: %v", err)
	}
	tb.Cleanup(func() { smtpSrv.Close() })
	db := filepath.Join(tb.TempDir(), "sportel.db")
	cfg, err := config.Parse(fmt.Appendf(nil, testConfig, imapAddr, user, smtpSrv.Addr, db), func(name string) (string, bool) {
		if name == imapPasswordEnv {
			return password, true
		}
		return "", false
	})
	if err != nil {
		tb.Fatalf("parse test configuration: %v", err)
	}
	return &stack{tb: tb, box: box, smtp: smtpSrv, cfg: cfg, logs: testutil.NewLogBuffer(tb)}
}

// open opens the app on the stack's database, as `sportel run` does.
func (s *stack) open() *App {
	s.tb.Helper()
	a, err := Open(context.Background(), s.cfg, s.logs.Logger(s.logLevel))
	if err != nil {
		s.tb.Fatalf("open app: %v", err)
	}
	s.tb.Cleanup(func() { a.Close() })
	return a
}

// serve runs a fresh app like `sportel run` and returns it with its stop.
func (s *stack) serve() (*App, func()) {
	a := s.open()
	return a, testutil.RunBackground(s.tb, "serve", stopLimit, a.Run)
}

func (s *stack) append(raw []byte) {
	s.tb.Helper()
	if err := s.box.Append("INBOX", raw, time.Now()); err != nil {
		s.tb.Fatalf("append: %v", err)
	}
}

func (s *stack) count(mailbox string) int {
	s.tb.Helper()
	n, err := s.box.Count(mailbox)
	if err != nil {
		s.tb.Fatalf("count %s: %v", mailbox, err)
	}
	return n
}

// countOrZero is count for a mailbox the watcher may not have created yet.
func (s *stack) countOrZero(mailbox string) int {
	n, err := s.box.Count(mailbox)
	if err != nil {
		return 0
	}
	return n
}

// settle waits until INBOX is empty and the outbox has nothing pending:
// every message is taken in and every send it caused has reached SMTP.
func (s *stack) settle(a *App) {
	s.tb.Helper()
	s.settleWithin(a, 20*time.Second)
}

// settleWithin is settle, giving up after limit: mail of tens of megabytes
// takes seconds to fetch, parse and store under the race detector, and
// many more on a loaded machine.
func (s *stack) settleWithin(a *App, limit time.Duration) {
	s.tb.Helper()
	testutil.Eventually(s.tb, "an empty INBOX and no pending sends", limit, func() (bool, error) {
		n, err := s.box.Count("INBOX")
		if err != nil || n > 0 {
			return false, err
		}
		pending, err := a.store.ListJobs(context.Background(), inquiry.JobPending, 1)
		return len(pending) == 0, err
	})
}

// wireMails parses everything the SMTP server has received.
func (s *stack) wireMails() []wireMail {
	s.tb.Helper()
	var out []wireMail
	for _, m := range s.smtp.Mails() {
		out = append(out, parseWire(s.tb, m))
	}
	return out
}

// ticket returns the ticket whose first mail had Message-ID msgID.
func (s *stack) ticket(a *App, msgID string) inquiry.Ticket {
	s.tb.Helper()
	ts, err := a.store.ListTickets(context.Background(), inquiry.TicketFilter{})
	if err != nil {
		s.tb.Fatalf("list tickets: %v", err)
	}
	for _, t := range ts {
		if t.MessageID == msgID {
			return t
		}
	}
	s.tb.Fatalf("no ticket for Message-ID %s (of %d tickets)", msgID, len(ts))
	return inquiry.Ticket{}
}

// wireMail is one captured mail, parsed as a recipient's client would.
type wireMail struct {
	envelopeTo  []string
	header      mail.Header
	subject     string
	messageID   string
	inReplyTo   []string
	references  []string
	charset     string // of the text part
	text        string
	attachments []wireAttachment
}

type wireAttachment struct {
	name        string
	contentType string
	content     []byte
}

func parseWire(tb testing.TB, m devserver.Mail) wireMail {
	tb.Helper()
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		tb.Fatalf("read captured mail: %v\n%s", err, m.Data)
	}
	w := wireMail{envelopeTo: m.To, header: r.Header}
	if w.subject, err = r.Header.Subject(); err != nil {
		tb.Errorf("captured mail: subject: %v", err)
	}
	if w.messageID, err = r.Header.MessageID(); err != nil {
		tb.Errorf("captured mail: Message-ID: %v", err)
	}
	w.inReplyTo, _ = r.Header.MsgIDList("In-Reply-To")
	w.references, _ = r.Header.MsgIDList("References")
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("captured mail %s: next part: %v", w.messageID, err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			tb.Fatalf("captured mail %s: read part: %v", w.messageID, err)
		}
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			_, params, _ := h.ContentType()
			w.charset = params["charset"]
			w.text += string(body)
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			ct, _, _ := h.ContentType()
			w.attachments = append(w.attachments, wireAttachment{name: name, contentType: ct, content: body})
		}
	}
	return w
}

func (w wireMail) kind() string {
	for _, k := range []string{"ack", "notify", "answer", "quarantine", "notice", "urgent", "commands"} {
		if strings.HasPrefix(w.messageID, "sportel."+k+".") {
			return k
		}
	}
	return ""
}

// addressOf returns the bare address of a single-address header field.
func (w wireMail) addressOf(tb testing.TB, key string) string {
	tb.Helper()
	list, err := w.header.AddressList(key)
	if err != nil || len(list) != 1 {
		tb.Errorf("mail %s: %s = %q: want one address (err %v)", w.messageID, key, w.header.Get(key), err)
		return ""
	}
	return list[0].Address
}

// mailsOf returns the captured mails of a kind about a ticket.
func mailsOf(all []wireMail, kind, number string) []wireMail {
	var out []wireMail
	for _, w := range all {
		if w.kind() == kind && w.header.Get("X-Sportel-Ticket") == number {
			out = append(out, w)
		}
	}
	return out
}

// the returns the single mail of a kind about a ticket, failing otherwise.
func the(tb testing.TB, all []wireMail, kind, number string) wireMail {
	tb.Helper()
	got := mailsOf(all, kind, number)
	if len(got) != 1 {
		tb.Fatalf("%s mails for %s: got %d, want 1", kind, number, len(got))
	}
	return got[0]
}

// inboundMail is a message as a citizen's client writes it.
type inboundMail struct {
	from, replyTo, to string
	subject           string
	messageID         string
	inReplyTo         string
	headers           []string // extra "Key: value" lines
	body              string
	attachment        *wireAttachment
}

func (m inboundMail) raw() []byte {
	var b bytes.Buffer
	if m.from != "" {
		fmt.Fprintf(&b, "From: %s\r\n", encodeAddress(m.from))
	}
	if m.replyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\r\n", encodeAddress(m.replyTo))
	}
	to := m.to
	if to == "" {
		to = "Divizioni për Komunikim Publik <" + publicAddress + ">"
	}
	fmt.Fprintf(&b, "To: %s\r\n", encodeAddress(to))
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	if m.messageID != "" {
		fmt.Fprintf(&b, "Message-ID: <%s>\r\n", m.messageID)
	}
	if m.inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", m.inReplyTo, m.inReplyTo)
	}
	for _, h := range m.headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	body := strings.ReplaceAll(m.body, "\n", "\r\n")
	if m.attachment == nil {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n")
		return b.Bytes()
	}
	const boundary = "sportel-e2e-boundary"
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n", boundary, body)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=%q\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		boundary, m.attachment.contentType, m.attachment.name)
	b.WriteString(base64Lines(m.attachment.content))
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// checkAck asserts the acknowledgement headers the issue requires.
func checkAck(tb testing.TB, ack wireMail, orig inboundMail, t inquiry.Ticket, wantTo string) {
	tb.Helper()
	if got := ack.addressOf(tb, "From"); got != publicAddress {
		tb.Errorf("ack From = %s, want the public mailbox %s", got, publicAddress)
	}
	if got := ack.addressOf(tb, "To"); got != wantTo {
		tb.Errorf("ack To = %s, want %s", got, wantTo)
	}
	if !slices.Equal(ack.envelopeTo, []string{wantTo}) {
		tb.Errorf("ack envelope recipients = %v, want [%s]", ack.envelopeTo, wantTo)
	}
	if want := "Re: " + orig.subject + " [" + t.Number + "]"; ack.subject != want {
		tb.Errorf("ack Subject = %q, want %q", ack.subject, want)
	}
	if !slices.Equal(ack.inReplyTo, []string{orig.messageID}) {
		tb.Errorf("ack In-Reply-To = %v, want [%s]", ack.inReplyTo, orig.messageID)
	}
	if len(ack.references) == 0 || ack.references[len(ack.references)-1] != orig.messageID {
		tb.Errorf("ack References = %v, want it to end with %s", ack.references, orig.messageID)
	}
	if got := ack.header.Get("Auto-Submitted"); got != "auto-replied" {
		tb.Errorf("ack Auto-Submitted = %q, want auto-replied", got)
	}
	if got := ack.header.Get("X-Loop"); got != publicAddress {
		tb.Errorf("ack X-Loop = %q, want %s", got, publicAddress)
	}
	if !strings.EqualFold(ack.charset, "utf-8") {
		tb.Errorf("ack charset = %q, want utf-8", ack.charset)
	}
	if !strings.Contains(ack.text, t.Number) {
		tb.Errorf("ack text does not name the ticket %s:\n%s", t.Number, ack.text)
	}
}

// uniqueMessageIDs fails when two captured mails share a Message-ID.
func uniqueMessageIDs(tb testing.TB, all []wireMail) {
	tb.Helper()
	seen := map[string]bool{}
	for _, w := range all {
		if w.messageID == "" {
			tb.Errorf("a sent mail to %v has no Message-ID", w.envelopeTo)
		}
		if seen[w.messageID] {
			tb.Errorf("Message-ID %s was used by two different sends", w.messageID)
		}
		seen[w.messageID] = true
	}
}

func TestE2ENewInquiryAckAndNotify(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	pdf := &wireAttachment{name: "autorizim.pdf", contentType: "application/pdf",
		content: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff, 'x'}, 300)...)}
	cases := []struct {
		name         string
		mail         inboundMail
		ackTo        string
		lang         inquiry.Language
		category     inquiry.Category
		officerEmail string
		// ackPhrase is a line of the acknowledgement template in the
		// sender's language.
		ackPhrase string
	}{
		{
			name: "sq document request with attachment and Reply-To",
			mail: inboundMail{
				from: "Arben Krasniqi <arben.krasniqi@example.net>", replyTo: "Arben K. <arben.home@example.net>",
				subject: "Kërkesë për qasje në dokumente publike", messageID: "e2e-sq@example.net",
				body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
					"për renovimin e stadiumit të qytetit në Prizren, bashkë me aneksin e saj.\n\nMe respekt,\nArben Krasniqi",
				attachment: pdf,
			},
			ackTo: "arben.home@example.net", lang: inquiry.Albanian, category: inquiry.DocumentRequest,
			officerEmail: "jusuf.lushaku@mkrs.example", ackPhrase: "e kemi regjistruar me numrin",
		},
		{
			name: "sr-Latn document request",
			mail: inboundMail{
				from: "Milica Jovanović <milica.jovanovic@example.rs>", subject: "Zahtev za pristup dokumentima",
				messageID: "e2e-srlatn@example.rs",
				body: "Poštovani,\n\nU skladu sa Zakonom o pristupu javnim dokumentima, molim vas da mi dostavite spisak korisnika " +
					"grantova za kulturu u 2025. godini za opštinu Gračanica, sa iznosima.\n\nS poštovanjem,\nMilica Jovanović",
			},
			ackTo: "milica.jovanovic@example.rs", lang: inquiry.SerbianLatin, category: inquiry.DocumentRequest,
			officerEmail: "jusuf.lushaku@mkrs.example", ackPhrase: "zaveli pod brojem",
		},
		{
			name: "sr-Cyrl press inquiry",
			mail: inboundMail{
				from: "Ненад Петровић <nenad.petrovic@kim-radio.example>", subject: "Захтев за интервју",
				messageID: "e2e-srcyrl@kim-radio.example",
				body: "Поштовани,\n\nновинар сам радија КиМ. Молимо вас за кратак интервју са министром о обнови " +
					"домова културе у српским срединама, за емисију у петак.\n\nСрдачан поздрав,\nНенад Петровић",
			},
			ackTo: "nenad.petrovic@kim-radio.example", lang: inquiry.SerbianCyrl, category: inquiry.PressInquiry,
			officerEmail: "osman.gashi@mkrs.example", ackPhrase: "завели под бројем",
		},
		{
			name: "en general question",
			mail: inboundMail{
				from: "Liridona Berisha <liridona.b@example.org>", subject: "Scholarships for young athletes",
				messageID: "e2e-en@example.org",
				body: "Hello, I am a student from Prizren and I train athletics. Are there scholarships for young " +
					"athletes this year, and how do I apply?\n\nThank you,\nLiridona",
			},
			ackTo: "liridona.b@example.org", lang: inquiry.English, category: inquiry.GeneralQuestion,
			officerEmail: "zamira.ahmeti@mkrs.example", ackPhrase: "registered it under number",
		},
	}
	for _, c := range cases {
		s.append(c.mail.raw())
	}
	a, _ := s.serve()
	s.settle(a)

	all := s.wireMails()
	if want := 2 * len(cases); len(all) != want {
		t.Errorf("SMTP received %d mails, want %d (one ack and one notification each)", len(all), want)
	}
	uniqueMessageIDs(t, all)
	if got := s.count(processedBox); got != len(cases) {
		t.Errorf("%s holds %d messages, want %d", processedBox, got, len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := s.ticket(a, c.mail.messageID)
			if tk.Language != c.lang || tk.Category != c.category || tk.State != inquiry.Assigned {
				t.Errorf("ticket %s: language %s, category %s, state %s; want %s, %s, assigned",
					tk.Number, tk.Language, tk.Category, tk.State, c.lang, c.category)
			}
			if inquiry.FindNumber("DKP", tk.Number) != tk.Number || !strings.HasPrefix(tk.Number, fmt.Sprintf("DKP-%d-", time.Now().Year())) {
				t.Errorf("ticket number %q is not of the form DKP-%d-000042", tk.Number, time.Now().Year())
			}

			ack := the(t, all, "ack", tk.Number)
			checkAck(t, ack, c.mail, tk, c.ackTo)
			if !strings.Contains(ack.text, c.ackPhrase) {
				t.Errorf("ack is not in %s (want %q):\n%s", c.lang, c.ackPhrase, ack.text)
			}

			n := the(t, all, "notify", tk.Number)
			if got := n.addressOf(t, "To"); got != c.officerEmail || !slices.Equal(n.envelopeTo, []string{c.officerEmail}) {
				t.Errorf("notification To %s (envelope %v), want %s", got, n.envelopeTo, c.officerEmail)
			}
			if got := n.addressOf(t, "Reply-To"); got != publicAddress {
				t.Errorf("notification Reply-To = %s, want the public mailbox", got)
			}
			catName := map[inquiry.Category]string{
				inquiry.DocumentRequest: "kërkesë për qasje në dokumente publike",
				inquiry.PressInquiry:    "pyetje nga media",
				inquiry.GeneralQuestion: "pyetje e përgjithshme",
			}[c.category]
			if !strings.Contains(n.subject, "["+tk.Number+"]") || !strings.Contains(n.subject, catName) {
				t.Errorf("notification subject %q lacks the number %s or the category %q", n.subject, tk.Number, catName)
			}
			if !strings.EqualFold(n.charset, "utf-8") {
				t.Errorf("notification charset = %q, want utf-8", n.charset)
			}
			var want []wireAttachment
			if c.mail.attachment != nil {
				want = []wireAttachment{*c.mail.attachment}
			}
			if len(n.attachments) != len(want) {
				t.Fatalf("notification has %d attachments, want %d", len(n.attachments), len(want))
			}
			for i, at := range n.attachments {
				if at.name != want[i].name || at.contentType != want[i].contentType || !bytes.Equal(at.content, want[i].content) {
					t.Errorf("notification attachment %d = %s (%s, %d bytes), want %s (%s, %d bytes) byte for byte",
						i, at.name, at.contentType, len(at.content), want[i].name, want[i].contentType, len(want[i].content))
				}
			}
		})
	}
}

// TestE2EConversation follows one ticket through a citizen's follow-up, a
// stranger quoting its number and an officer answering from a mail client.
func TestE2EConversation(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	// The reply comes within notify_quiet of the first notification, so it
	// arrives as a digest when the interval ends (5 s: under -race on a
	// loaded machine the reply once came 1.06 s after the notification).
	s.cfg.Tickets.NotifyQuiet = 5 * time.Second
	a, _ := s.serve()

	first := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
		messageID: "conv-1@example.net",
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit në Prizren.\n\nMe respekt,\nArben",
	}
	s.append(first.raw())
	s.settle(a)
	tk := s.ticket(a, first.messageID)
	all := s.wireMails()
	ack := the(t, all, "ack", tk.Number)
	notify := the(t, all, "notify", tk.Number)

	t.Run("citizen reply joins the ticket", func(t *testing.T) {
		before := len(s.smtp.Mails())
		reply := inboundMail{
			from: first.from, subject: ack.subject, messageID: "conv-2@example.net", inReplyTo: ack.messageID,
			body: "Më duhet edhe plani dinamik i punimeve, ju lutem.",
		}
		s.append(reply.raw())
		s.settle(a)
		n, err := a.store.CountTickets(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("tickets after the reply: %d (err %v), want still 1", n, err)
		}
		entries, err := a.store.Entries(context.Background(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !hasEntry(entries, inquiry.EntryInbound, reply.messageID) {
			t.Errorf("ticket %s has no inbound entry for the reply %s", tk.Number, reply.messageID)
		}
		newMails := s.wireMails()[before:]
		if len(newMails) != 1 || newMails[0].kind() != "notify" || !strings.Contains(newMails[0].subject, "["+tk.Number+"] 1 mesazh i ri") ||
			!strings.Contains(newMails[0].text, "plani dinamik") {
			t.Fatalf("after the reply SMTP got %s, want one digest of the follow-up and no second ack", describe(newMails))
		}
	})

	t.Run("stranger quoting the number gets a ticket of their own", func(t *testing.T) {
		before := len(s.smtp.Mails())
		stranger := inboundMail{
			from: "Dardan Morina <dardan.morina@example.net>", subject: "Re: [" + tk.Number + "] edhe une kam pyetje",
			messageID: "conv-stranger@example.net",
			body:      "Pershendetje, edhe une dua te di kur hapet thirrja per subvencione.",
		}
		s.append(stranger.raw())
		s.settle(a)
		st := s.ticket(a, stranger.messageID)
		if st.ID == tk.ID || st.Mentions != tk.Number {
			t.Errorf("stranger's ticket %s (mentions %q), want a new ticket mentioning %s", st.Number, st.Mentions, tk.Number)
		}
		newMails := s.wireMails()[before:]
		if len(mailsOf(newMails, "ack", st.Number)) != 1 || len(mailsOf(newMails, "ack", tk.Number)) != 0 {
			t.Errorf("after the stranger's mail SMTP got %s, want one ack for %s only", describe(newMails), st.Number)
		}
		for _, w := range newMails {
			if slices.Contains(w.envelopeTo, "arben.krasniqi@example.net") {
				t.Errorf("the stranger's mail caused a send to the first ticket's citizen: %s", w.subject)
			}
		}
	})

	t.Run("officer answer relayed to the citizen", func(t *testing.T) {
		before := len(s.smtp.Mails())
		answer := inboundMail{
			from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: "Re: " + notify.subject,
			messageID: "officer-answer-1@mkrs.example", inReplyTo: notify.messageID,
			body: "I nderuar z. Krasniqi,\n\nJu dërgojmë kontratën e kërkuar brenda afatit ligjor.\n\nJusuf Lushaku\n\n" +
				"On Mon, 2 Mar 2026, Divizioni wrote:\n> Tiketë e re " + tk.Number + " u është caktuar juve.\n> Kategoria: sekret i brendshëm",
		}
		s.append(answer.raw())
		s.settle(a)
		newMails := s.wireMails()[before:]
		if len(newMails) != 1 || newMails[0].kind() != "answer" {
			t.Fatalf("after the officer's reply SMTP got %s, want exactly one relayed answer", describe(newMails))
		}
		w := newMails[0]
		if got := w.addressOf(t, "To"); got != "arben.krasniqi@example.net" {
			t.Errorf("answer To = %s, want the citizen", got)
		}
		if got := w.addressOf(t, "From"); got != publicAddress {
			t.Errorf("answer From = %s, want the public mailbox", got)
		}
		if got := w.header.Get("Auto-Submitted"); got != "" {
			t.Errorf("answer has Auto-Submitted: %q; a person wrote it", got)
		}
		if got := w.header.Get("X-Loop"); got != "" {
			t.Errorf("answer has X-Loop: %q; a person wrote it", got)
		}
		if !slices.Equal(w.inReplyTo, []string{first.messageID}) || !slices.Contains(w.references, first.messageID) {
			t.Errorf("answer In-Reply-To %v, References %v: want threading on the citizen's mail %s", w.inReplyTo, w.references, first.messageID)
		}
		if !strings.Contains(w.text, "Ju dërgojmë kontratën e kërkuar") {
			t.Errorf("answer text lacks the officer's words:\n%s", w.text)
		}
		for _, leaked := range []string{"Divizioni wrote", "sekret i brendshëm", "u është caktuar juve"} {
			if strings.Contains(w.text, leaked) {
				t.Errorf("answer text still carries the quoted notification (%q):\n%s", leaked, w.text)
			}
		}
		if !strings.EqualFold(w.charset, "utf-8") {
			t.Errorf("answer charset = %q, want utf-8", w.charset)
		}
		got, _, err := a.store.TicketByNumber(context.Background(), tk.Number)
		if err != nil || got.State != inquiry.Answered {
			t.Errorf("ticket state after the answer = %s (err %v), want answered", got.State, err)
		}
	})
	uniqueMessageIDs(t, s.wireMails())
}

func hasEntry(entries []inquiry.Entry, kind inquiry.EntryKind, msgID string) bool {
	return slices.ContainsFunc(entries, func(e inquiry.Entry) bool { return e.Kind == kind && e.MessageID == msgID })
}

func describe(ws []wireMail) string {
	if len(ws) == 0 {
		return "nothing"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprintf("%s to %v %q", w.kind(), w.envelopeTo, w.subject)
	}
	return strings.Join(parts, "; ")
}

// TestE2EMachineAndBulkMail sends, after one citizen's inquiry, each kind of
// mail that must not be answered like a person's, and a contact form.
func TestE2EMachineAndBulkMail(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	a, _ := s.serve()
	base := inboundMail{
		from: "Besnik Hoxha <besnik.hoxha@example.com>", subject: "Subvencione per klubet sportive",
		messageID: "base@example.com",
		body:      "Përshëndetje, kur hapet thirrja për subvencione për klubet sportive këtë vit dhe cilat janë kushtet?",
	}
	s.append(base.raw())
	s.settle(a)
	baseTicket := s.ticket(a, base.messageID)
	ack := the(t, s.wireMails(), "ack", baseTicket.Number)
	before := len(s.smtp.Mails())

	bounce := []byte("From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: " + publicAddress + "\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.example.com>\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"rep\"\r\n\r\n" +
		"--rep\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered: mailbox full.\r\n" +
		"--rep\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n" +
		"Final-Recipient: rfc822; besnik.hoxha@example.com\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n" +
		"--rep\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <" + ack.messageID + ">\r\n" +
		"In-Reply-To: <" + base.messageID + ">\r\nSubject: " + ack.subject + "\r\n\r\n--rep--\r\n")

	cases := []struct {
		name  string
		msgID string
		raw   []byte
		// attached: kept on the base ticket as an automated entry.
		attached bool
		// state is the new ticket's state; "" when none must be filed.
		state inquiry.State
		// ackTo is where an acknowledgement must go; "" for none.
		ackTo  string
		notify bool
	}{
		{
			name: "out-of-office reply to the ack", msgID: "ooo-1@example.com", attached: true,
			raw: inboundMail{from: base.from, subject: "Automatic reply: " + ack.subject, messageID: "ooo-1@example.com",
				inReplyTo: ack.messageID, headers: []string{"Auto-Submitted: auto-replied"},
				body: "Jam jashtë zyrës deri të hënën."}.raw(),
		},
		{name: "bounce of the ack", msgID: "bounce-1@mx.example.com", attached: true, raw: bounce},
		{
			name: "mailing list", msgID: "list-1@creative-europe.example", state: inquiry.BulkMail,
			raw: inboundMail{from: "Europa Kreative <newsletter@creative-europe.example>", subject: "Newsletter: new calls",
				messageID: "list-1@creative-europe.example",
				headers:   []string{"List-Id: <creative-news.creative-europe.example>", "List-Unsubscribe: <mailto:leave@creative-europe.example>", "Precedence: bulk"},
				body:      "This month: three new calls for cooperation projects."}.raw(),
		},
		{
			name: "spam flagged upstream", msgID: "spam-1@spam.example", state: inquiry.SpamMail,
			raw: inboundMail{from: "Winner <winner@spam.example>", subject: "You have won a prize",
				messageID: "spam-1@spam.example", headers: []string{"X-Spam-Flag: YES", "X-Spam-Status: Yes, score=12.1"},
				body: "Claim your prize now."}.raw(),
		},
		{
			name: "contact form from a no-reply sender", msgID: "form-1@web.mkrs.example", state: inquiry.Assigned,
			ackTo: "drita.berisha@example.org", notify: true,
			raw: inboundMail{from: "Faqja e Ministrisë <no-reply@web.mkrs.example>", replyTo: "Drita Berisha <drita.berisha@example.org>",
				subject: "Formulari i kontaktit", messageID: "form-1@web.mkrs.example",
				body: "Emri: Drita Berisha\nMesazhi: Si mund të aplikoj për leje për renovimin e një shtëpie në Prizren që është e mbrojtur si trashëgimi kulturore?"}.raw(),
		},
	}
	for _, c := range cases {
		s.append(c.raw)
	}
	s.settle(a)
	newMails := s.wireMails()[before:]
	entries, err := a.store.Entries(context.Background(), baseTicket.ID)
	if err != nil {
		t.Fatal(err)
	}
	tickets, err := a.store.ListTickets(context.Background(), inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	wantProcessed := 1 + len(cases)
	if got := s.count(processedBox); got != wantProcessed {
		t.Errorf("%s holds %d, want %d: every kind is taken in and moved", processedBox, got, wantProcessed)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := hasEntry(entries, inquiry.EntryAutomated, c.msgID); got != c.attached {
				t.Errorf("automated entry on %s: %v, want %v", baseTicket.Number, got, c.attached)
			}
			idx := slices.IndexFunc(tickets, func(tk inquiry.Ticket) bool { return tk.MessageID == c.msgID })
			switch {
			case c.state == "" && idx >= 0:
				t.Errorf("it made ticket %s (%s); want none", tickets[idx].Number, tickets[idx].State)
			case c.state != "" && idx < 0:
				t.Fatalf("it made no ticket; want one in state %s", c.state)
			case c.state != "" && tickets[idx].State != c.state:
				t.Errorf("ticket %s state %s, want %s", tickets[idx].Number, tickets[idx].State, c.state)
			}
			var caused []wireMail
			if idx >= 0 {
				for _, w := range newMails {
					if w.header.Get("X-Sportel-Ticket") == tickets[idx].Number {
						caused = append(caused, w)
					}
				}
			}
			var acks, notifies int
			for _, w := range caused {
				switch w.kind() {
				case "ack":
					acks++
					if got := w.addressOf(t, "To"); got != c.ackTo {
						t.Errorf("ack To = %s, want %s", got, c.ackTo)
					}
				case "notify":
					notifies++
				}
			}
			if wantAcks := map[bool]int{true: 1}[c.ackTo != ""]; acks != wantAcks {
				t.Errorf("acks sent: %d, want %d (%s)", acks, wantAcks, describe(caused))
			}
			if wantN := map[bool]int{true: 1}[c.notify]; notifies != wantN {
				t.Errorf("notifications sent: %d, want %d (%s)", notifies, wantN, describe(caused))
			}
		})
	}
	// Nothing machine-written may have caused a send about the base ticket
	// or to a machine.
	for _, w := range newMails {
		if w.header.Get("X-Sportel-Ticket") == baseTicket.Number {
			t.Errorf("machine mail about %s caused a send: %s", baseTicket.Number, describe([]wireMail{w}))
		}
		for _, rcpt := range w.envelopeTo {
			if strings.Contains(rcpt, "MAILER-DAEMON") || strings.Contains(rcpt, "newsletter@") || strings.Contains(rcpt, "spam.example") || strings.HasPrefix(rcpt, "no-reply@") {
				t.Errorf("a send went to a machine or list address %s", rcpt)
			}
		}
	}
	if want := 2; len(newMails) != want {
		t.Errorf("SMTP got %s; want %d mails (the contact form's ack and notification)", describe(newMails), want)
	}
}

// TestE2EBrokenAndUnusableMail: broken MIME is ticketed from what can be
// read; mail with no sender and no content is quarantined and the catch-all
// officer told.
func TestE2EBrokenAndUnusableMail(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	date := time.Now().Format(time.RFC1123Z)
	cases := []struct {
		name       string
		raw        []byte
		msgID      string
		quarantine bool
		// readable must appear in the ticket's first entry.
		readable string
		ackTo    string
	}{
		{
			name:  "multipart without closing boundary",
			msgID: "broken-1@example.net", readable: "kërkoj kopjen e vendimit", ackTo: "valon.b@example.net",
			raw: []byte("From: Valon Berisha <valon.b@example.net>\r\nTo: " + publicAddress + "\r\nSubject: Kerkese per vendimin\r\n" +
				"Message-ID: <broken-1@example.net>\r\nDate: " + date + "\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/mixed; boundary=\"cut\"\r\n\r\n--cut\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
				"Të nderuar, kërkoj kopjen e vendimit për ndarjen e granteve për kulturë.\r\n" +
				"--cut\r\nContent-Type: application/pdf; name=\"vendimi.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK"),
		},
		{
			name:  "unknown transfer encoding",
			msgID: "broken-2@example.net", readable: "Pershendetje", ackTo: "ilir.k@example.net",
			raw: []byte("From: Ilir Kelmendi <ilir.k@example.net>\r\nTo: " + publicAddress + "\r\nSubject: Pyetje per bursat\r\n" +
				"Message-ID: <broken-2@example.net>\r\nDate: " + date + "\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n" +
				"Pershendetje, kur hapen bursat per sportistet e rinj?\r\n"),
		},
		{
			name: "no sender and no content", msgID: "", quarantine: true,
			raw: []byte("To: " + publicAddress + "\r\nDate: " + date + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n \r\n"),
		},
	}
	for _, c := range cases {
		s.append(c.raw)
	}
	a, _ := s.serve()
	s.settle(a)
	all := s.wireMails()
	var wantProcessed, wantQuarantined int
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.quarantine {
				wantQuarantined++
				return
			}
			wantProcessed++
			tk := s.ticket(a, c.msgID)
			entries, err := a.store.Entries(context.Background(), tk.ID)
			if err != nil || len(entries) == 0 {
				t.Fatalf("entries of %s: %v (err %v)", tk.Number, entries, err)
			}
			if !strings.Contains(entries[0].Text, c.readable) {
				t.Errorf("ticket %s text %q lacks the readable part %q", tk.Number, entries[0].Text, c.readable)
			}
			ack := the(t, all, "ack", tk.Number)
			if got := ack.addressOf(t, "To"); got != c.ackTo {
				t.Errorf("ack To = %s, want %s", got, c.ackTo)
			}
		})
	}
	if got := s.count(processedBox); got != wantProcessed {
		t.Errorf("%s holds %d, want %d", processedBox, got, wantProcessed)
	}
	if got := s.count(quarantineBox); got != wantQuarantined {
		t.Errorf("%s holds %d, want %d: unusable mail is moved there", quarantineBox, got, wantQuarantined)
	}
	set, err := a.store.ListSetAside(context.Background(), inquiry.SetAsideQuarantine, 0)
	if err != nil || len(set) != wantQuarantined {
		t.Errorf("quarantine records: %d (err %v), want %d", len(set), err, wantQuarantined)
	}
	var told []wireMail
	for _, w := range all {
		if w.kind() == "quarantine" {
			told = append(told, w)
		}
	}
	if len(told) != wantQuarantined {
		t.Fatalf("quarantine notices: %s; want %d to the catch-all officer", describe(told), wantQuarantined)
	}
	for _, w := range told {
		if !slices.Equal(w.envelopeTo, []string{"zamira.ahmeti@mkrs.example"}) {
			t.Errorf("quarantine notice went to %v, want the catch-all officer zamira.ahmeti@mkrs.example", w.envelopeTo)
		}
		if w.header.Get("Auto-Submitted") != "auto-replied" {
			t.Errorf("quarantine notice lacks Auto-Submitted")
		}
	}
}

// base64Lines encodes b as MIME base64 in 76-character lines.
func base64Lines(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(enc) > 76 {
		out.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc + "\r\n")
	return out.String()
}

// encodeAddress writes "Name <addr>" as a header would carry it, the name
// RFC 2047-encoded when it is not ASCII.
func encodeAddress(a string) string {
	i := strings.LastIndex(a, " <")
	if i < 0 {
		return a
	}
	return mime.QEncoding.Encode("utf-8", a[:i]) + a[i:]
}

// botConfig is the configuration of a bot that talks to the fake Bot API
// tg, polling for a second at a time so a stop is prompt.
func botConfig(tg *devserver.Telegram) *config.TelegramConfig {
	c := config.DefaultTelegram()
	c.Token, c.APIURL, c.PollTimeout = config.Secret(tg.Token), tg.URL, time.Second
	return &c
}

// Telegram out of reach when the daemon starts: mail goes on, the fault is
// said once at error with its cause and not at every retry, and when
// Telegram answers the bot connects and says so.
func TestTelegramDownAtStartIsLoggedOnce(t *testing.T) {
	s := newMemStack(t)
	tg := devserver.StartTelegram("123456:down-at-start-token", "dkp_down_bot")
	t.Cleanup(tg.Close)
	tg.SetDown(true)
	s.cfg.Telegram = botConfig(tg)
	s.logLevel = slog.LevelDebug // the retries said at debug are counted
	a, stop := s.serve()
	defer stop()
	testutil.Eventually(t, "three tries", 20*time.Second, func() (bool, error) {
		return strings.Count(s.logs.String(), `msg="telegram unavailable, retrying"`) >= 3, nil
	})
	// Mail is taken in meanwhile.
	s.append(inboundMail{from: "arben@example.net", subject: "Pyetje", messageID: "muzeu.1@example.net", body: "A është hapur muzeu të dielën?"}.raw())
	s.settle(a)
	if n := strings.Count(s.logs.String(), `level=ERROR msg="telegram unavailable, retrying"`); n != 1 {
		t.Errorf("%d error lines for Telegram out of reach, want 1:\n%s", n, s.logs.String())
	}
	tg.SetDown(false)
	testutil.Eventually(t, "the bot connected", 20*time.Second, func() (bool, error) {
		return strings.Contains(s.logs.String(), `level=INFO msg="telegram reachable again"`) &&
			strings.Contains(s.logs.String(), `msg="telegram connected"`), nil
	})
}
