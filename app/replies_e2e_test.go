package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// e2eOfficerText is an officer's answer with a law article quoted on
// purpose and a line that starts like an Albanian Outlook header.
const e2eOfficerText = `I nderuar z. Krasniqi,

Sipas nenit 12 të Ligjit për qasje në dokumente publike:

> Organi publik vendos për kërkesën brenda shtatë ditëve.

Nga: arkivi i Ministrisë, kontrata gjendet në shtojcë.

Me respekt,
Jusuf Lushaku`

// quoteAll quotes text as mutt does.
func quoteAll(text string) string {
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// officerRepliesScenario runs, on stack s, an officer's answer written below
// the quoted notification as it came over SMTP, then that officer's
// Outlook out-of-office: the citizen receives exactly the answer and never
// the out-of-office, which goes to the head of the division as a notice.
func officerRepliesScenario(t *testing.T, s *stack, run string) {
	s.cfg.Officers[0].Role = inquiry.RoleHead // osman
	a, _ := s.serve()
	first := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
		messageID: run + "-request@example.net",
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit në Prizren.\n\nMe respekt,\nArben",
	}
	s.append(first.raw())
	s.settle(a)
	tk := s.ticket(a, first.messageID)
	if tk.OfficerID != "jusuf" {
		t.Fatalf("ticket %s went to %s, want jusuf", tk.Number, tk.OfficerID)
	}
	notify := the(t, s.wireMails(), "notify", tk.Number)

	before := len(s.smtp.Mails())
	answer := inboundMail{
		from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: "Re: " + notify.subject,
		messageID: run + "-answer@mkrs.example", inReplyTo: notify.messageID, headers: []string{"User-Agent: NeoMutt/20231103"},
		body: "On Wed, Nov 25, 2026 at 11:00:00AM +0100, Divizioni për Komunikim Publik wrote:\n" + quoteAll(notify.text) + "\n" + e2eOfficerText + "\n",
	}
	s.append(answer.raw())
	s.settle(a)
	sent := s.wireMails()[before:]
	if len(sent) != 1 || sent[0].kind() != "answer" {
		t.Fatalf("after the officer's answer SMTP got %s, want one answer", describe(sent))
	}
	if got := strings.TrimRight(strings.ReplaceAll(sent[0].text, "\r\n", "\n"), "\n"); got != e2eOfficerText {
		t.Errorf("the citizen received:\n%s\n--- want exactly ---\n%s", got, e2eOfficerText)
	}

	// Exchange, as the ministry's mail server likely is, answers a
	// notification with the officer's out-of-office only if the
	// notification does not suppress it; an acknowledgement suppresses
	// every automatic reply.
	if !exchangeSendsOOF(notify.header) {
		t.Fatalf("the notification has X-Auto-Response-Suppress %q: Exchange would send no out-of-office, and the heads never learn the officer is away",
			notify.header.Get("X-Auto-Response-Suppress"))
	}
	if ack := the(t, s.wireMails(), "ack", tk.Number); exchangeSendsOOF(ack.header) {
		t.Errorf("the acknowledgement has X-Auto-Response-Suppress %q: Exchange would answer it with an out-of-office",
			ack.header.Get("X-Auto-Response-Suppress"))
	}
	before = len(s.smtp.Mails())
	ooo := inboundMail{
		from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: "Automatic reply: " + notify.subject,
		messageID: run + "-ooo@mkrs.example", inReplyTo: notify.messageID,
		headers: []string{"X-Auto-Response-Suppress: All", "X-MS-Exchange-Inbox-Rules-Loop: jusuf.lushaku@mkrs.example"},
		body:    "Jam jashtë zyrës deri më 30.11.2026.",
	}
	s.append(ooo.raw())
	s.settle(a)
	sent = s.wireMails()[before:]
	if len(sent) != 1 || !strings.HasPrefix(sent[0].messageID, "sportel.away.jusuf.") {
		t.Fatalf("after the out-of-office SMTP got %s, want one notice to the head", describe(sent))
	}
	if to := sent[0].addressOf(t, "To"); to != "osman.gashi@mkrs.example" {
		t.Errorf("notice to %s, want the head", to)
	}
	due := tk.DueAt.In(s.cfg.Tickets.Location).Format("02.01.2006")
	if !strings.Contains(sent[0].text, tk.Number) || !strings.Contains(sent[0].text, due) {
		t.Errorf("the head's notice lacks %s or its deadline %s:\n%s", tk.Number, due, sent[0].text)
	}
	got, _, err := a.store.TicketByNumber(context.Background(), tk.Number)
	if err != nil || got.State != inquiry.Answered {
		t.Errorf("ticket after the out-of-office: %s (err %v), want still answered", got.State, err)
	}
	uniqueMessageIDs(t, s.wireMails())
}

func TestE2EOfficerReplies(t *testing.T) {
	t.Parallel()
	officerRepliesScenario(t, newMemStack(t), "mem")
}

func TestE2EDovecotOfficerReplies(t *testing.T) {
	t.Parallel()
	officerRepliesScenario(t, newDovecotStack(t), "dovecot")
}

// exchangeSendsOOF reports whether Exchange answers mail with header h
// with the recipient's out-of-office: X-Auto-Response-Suppress "All" or
// "OOF" stops it (MS-OXCMAIL 2.1.3.2.20).
func exchangeSendsOOF(h mail.Header) bool {
	for _, v := range strings.Split(h.Get("X-Auto-Response-Suppress"), ",") {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "all", "oof":
			return false
		}
	}
	return true
}

// An officer answers a document request that came by Telegram the natural
// way: replying to the notification mail with the document attached. The
// citizen's chat gets the answer's text, then the document, with the same
// bytes and name.
func TestE2EOfficerAnswersTelegramByMailWithADocument(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	tg := devserver.StartTelegram("123456:e2e-answer-files", "dkp_answer_bot")
	t.Cleanup(tg.Close)
	s.cfg.Telegram = botConfig(tg)
	a, _ := s.serve()

	citizen := models.User{ID: 9201, FirstName: "Arta", LanguageCode: "sq"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tk := fileTelegramRequest(ctx, t, a, tg, citizen)
	notify := the(t, s.wireMails(), "notify", tk.Number)
	chatBefore := len(tg.Sent(citizen.ID))

	pdf := append([]byte("%PDF-1.7\r\n"), bytes.Repeat([]byte{1, 2, 3, 0xfe, '\n'}, 20_000)...)
	answer := inboundMail{
		from: notify.envelopeTo[0], subject: "Re: " + notify.subject,
		messageID: "tg-answer@mkrs.example", inReplyTo: notify.messageID,
		body:       "E nderuar zonja Arta,\n\nKontrata gjendet në shtojcë.\n\nMe respekt,\nZyra",
		attachment: &wireAttachment{name: "kontrata-stadiumi.pdf", contentType: "application/pdf", content: pdf},
	}
	s.append(answer.raw())
	s.settle(a)
	testutil.Eventually(t, "the answer and its document in the citizen's chat", 20*time.Second, func() (bool, error) {
		return len(tg.Sent(citizen.ID)) >= chatBefore+2, nil
	})
	sent := tg.Sent(citizen.ID)[chatBefore:]
	if len(sent) != 2 {
		t.Fatalf("the chat got %d messages, want the text and the document", len(sent))
	}
	if !strings.Contains(sent[0].Text, "Kontrata gjendet në shtojcë.") || sent[0].Document != nil {
		t.Errorf("first the answer's text, got %+v", sent[0])
	}
	doc := sent[1].Document
	if doc == nil {
		t.Fatalf("then the document, got %+v", sent[1])
	}
	got, _ := tg.Document(doc.FileID)
	if doc.FileName != "kontrata-stadiumi.pdf" || !bytes.Equal(got, pdf) {
		t.Errorf("the chat got %q (%d bytes), want kontrata-stadiumi.pdf (%d bytes) byte for byte", doc.FileName, len(got), len(pdf))
	}
}

// fileTelegramRequest has citizen ask for a document in a private chat
// with the bot and waits until its ticket is filed and the officer's
// notification sent.
func fileTelegramRequest(ctx context.Context, t *testing.T, a *App, tg *devserver.Telegram, citizen models.User) inquiry.Ticket {
	t.Helper()
	tg.PushMessage(models.Message{From: &citizen, Chat: models.Chat{ID: citizen.ID, Type: models.ChatTypePrivate},
		Text: "Të nderuar, në bazë të Ligjit për qasje në dokumente publike kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren."})
	return onlyTicketSettled(ctx, t, a, "the ticket filed and its notification sent")
}

// onlyTicketSettled waits until the store holds one ticket and no job is
// left pending (its acknowledgement and notifications sent), and returns
// that ticket.
func onlyTicketSettled(ctx context.Context, t *testing.T, a *App, what string) inquiry.Ticket {
	t.Helper()
	var tk inquiry.Ticket
	testutil.Eventually(t, what, 20*time.Second, func() (bool, error) {
		ts, err := a.store.ListTickets(ctx, inquiry.TicketFilter{})
		if err != nil || len(ts) != 1 {
			return false, err
		}
		tk = ts[0]
		pending, err := a.store.ListJobs(ctx, inquiry.JobPending, 1)
		return len(pending) == 0, err
	})
	return tk
}

// An officer's answer whose file is larger than the relay takes is not
// sent without it: the job fails for good, and the officer who answered is
// told by mail, through the daemon's wiring of the outbox to the desk.
func TestE2EAnswerTooLargeForTheRelayIsToldToTheOfficer(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	relay, err := devserver.StartSMTPLimited(256 << 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	s.smtp, s.cfg.SMTP.Addr = relay, relay.Addr
	a, _ := s.serve()

	run := fmt.Sprintf("toolarge-%d", time.Now().UnixNano())
	tk, notify := fileStadiumRequest(t, s, a, run)

	before := len(s.smtp.Mails())
	pdf := bytes.Repeat([]byte("%PDF-1.4 kontrata "), (512<<10)/18)
	answer := inboundMail{
		from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: "Re: " + notify.subject,
		messageID: run + "-answer@mkrs.example", inReplyTo: notify.messageID,
		body:       "I nderuar z. Krasniqi,\n\nKontrata është bashkëngjitur.\n\nJusuf Lushaku",
		attachment: &wireAttachment{name: "kontrata.pdf", contentType: "application/pdf", content: pdf},
	}
	s.append(answer.raw())
	told := officerToldOnce(t, s, a, before, "jusuf.lushaku@mkrs.example")
	if !strings.Contains(told.text, "kontrata.pdf") || !strings.Contains(told.text, tk.Number) {
		t.Errorf("the notice names neither the file nor the ticket:\n%s", told.text)
	}
	for _, m := range s.wireMails()[before:] {
		if m.kind() == "answer" {
			t.Errorf("an answer reached the citizen (%d bytes of files): it was too large for the relay", len(m.attachments))
		}
	}
}

// An officer's answer the relay refuses for good (the citizen's mailbox is
// gone: 550 5.1.1) never reached the citizen, while the officer believes it
// did: the officer hears so at once, by mail, naming the ticket and the
// relay's words, and not the next day from the heads' digest.
func TestE2EAnswerRefusedForGoodIsToldToTheOfficer(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	a, _ := s.serve()

	run := fmt.Sprintf("refused-%d", time.Now().UnixNano())
	tk, notify := fileStadiumRequest(t, s, a, run)

	// The citizen's mailbox is closed after the acknowledgement went.
	s.smtp.SetReject(func(rcpt string) error {
		if strings.EqualFold(rcpt, "arben.krasniqi@example.net") {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		}
		return nil
	})
	before := len(s.smtp.Mails())
	answer := inboundMail{
		from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: "Re: " + notify.subject,
		messageID: run + "-answer@mkrs.example", inReplyTo: notify.messageID,
		body: "I nderuar z. Krasniqi,\n\nKontrata mund të shikohet në zyrat e ministrisë.\n\nJusuf Lushaku",
	}
	s.append(answer.raw())
	told := officerToldOnce(t, s, a, before, "jusuf.lushaku@mkrs.example")
	for _, want := range []string{tk.Number, "NUK iu dërgua", "550", "mailbox unavailable"} {
		if !strings.Contains(told.text, want) {
			t.Errorf("the notice lacks %q:\n%s", want, told.text)
		}
	}
	jobs, err := a.store.TicketJobs(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Kind == inquiry.JobAnswer && j.State != inquiry.JobFailed {
			t.Errorf("the answer's job is %s, want failed", j.State)
		}
	}
}

// officerToldOnce waits for the mail telling an officer that their answer
// did not go (sent after the first before mails), lets the daemon settle,
// and checks that exactly one went, to officer.
func officerToldOnce(t *testing.T, s *stack, a *App, before int, officer string) wireMail {
	t.Helper()
	var told []wireMail
	testutil.Eventually(t, "the officer told the answer did not go", 20*time.Second, func() (bool, error) {
		told = nil
		for _, m := range s.wireMails()[before:] {
			if strings.HasPrefix(m.messageID, "sportel.undeliverable.") {
				told = append(told, m)
			}
		}
		return len(told) > 0, nil
	})
	s.settle(a)
	if len(told) != 1 {
		t.Fatalf("the officer was told %d times, want once", len(told))
	}
	if to := told[0].addressOf(t, "To"); to != officer {
		t.Errorf("told %s, want %s, the officer who answered", to, officer)
	}
	return told[0]
}

// fileStadiumRequest files Arben's document request (Message-ID run +
// "-request@example.net") and returns its ticket and the officer's
// notification, for a test of what follows the officer's answer.
func fileStadiumRequest(t *testing.T, s *stack, a *App, run string) (inquiry.Ticket, wireMail) {
	t.Helper()
	first := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
		messageID: run + "-request@example.net",
		body:      "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren.\n\nMe respekt,\nArben",
	}
	s.append(first.raw())
	s.settle(a)
	tk := s.ticket(a, first.messageID)
	return tk, the(t, s.wireMails(), "notify", tk.Number)
}
