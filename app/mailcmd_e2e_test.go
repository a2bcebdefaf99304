package app

import (
	"context"
	"strings"
	"testing"

	"sportel/inquiry"
)

func TestE2EOfficerCommandsByMail(t *testing.T) {
	t.Parallel()
	officerCommandsScenario(t, newMemStack(t), "mem")
}

func TestE2EDovecotOfficerCommandsByMail(t *testing.T) {
	t.Parallel()
	officerCommandsScenario(t, newDovecotStack(t), "dovecot")
}

// officerCommandsScenario runs, on stack s, an officer acting on a ticket
// from their mail client: an answer with "#extend" in it, a reply holding
// only a "#close" with a ground that does not exist, then the answer that
// carries the decision with "#close refused personal_data". What reaches
// SMTP is what the citizen and the officer must see; the command lines
// never reach the citizen.
func officerCommandsScenario(t *testing.T, s *stack, run string) {
	a, _ := s.serve()
	ctx := context.Background()

	req := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
		messageID: run + "-cmd-request@example.net",
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit në Prizren.\n\nMe respekt,\nArben",
	}
	s.append(req.raw())
	s.settle(a)
	tk := s.ticket(a, req.messageID)
	if tk.OfficerID != "jusuf" || tk.Category != inquiry.DocumentRequest {
		t.Fatalf("ticket %s: %s to %s, want a document request to jusuf", tk.Number, tk.Category, tk.OfficerID)
	}
	notify := the(t, s.wireMails(), "notify", tk.Number)
	reply := func(id, own string) inboundMail {
		return inboundMail{
			from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: "Re: " + notify.subject,
			messageID: id, inReplyTo: notify.messageID,
			body: own + "\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n" + quoteAll(notify.text),
		}
	}
	text := func(w wireMail) string { return strings.TrimRight(strings.ReplaceAll(w.text, "\r\n", "\n"), "\n") }

	// 1. An answer and an extension.
	const first = "I nderuar z. Krasniqi,\n\nKontrata është në arkivin e Prizrenit; do ta merrni brenda afatit të zgjatur.\n\nMe respekt,\nJusuf Lushaku"
	before := len(s.smtp.Mails())
	s.append(reply(run+"-cmd-1@mkrs.example", strings.Replace(first, "\n\nMe respekt", "\n#Extend 10 kontrata është në arkivin e Prizrenit  \n\nMe respekt", 1)).raw())
	s.settle(a)
	sent := s.wireMails()[before:]
	answers, notices := mailsOf(sent, "answer", tk.Number), mailsOf(sent, "notice", tk.Number)
	if len(sent) != 2 || len(answers) != 1 || len(notices) != 1 {
		t.Fatalf("after the answer with #extend SMTP got %s, want the answer and the extension notice", describe(sent))
	}
	if got := text(answers[0]); got != first {
		t.Errorf("the citizen's answer:\n%s\n--- want exactly ---\n%s", got, first)
	}
	if to := notices[0].addressOf(t, "To"); to != "arben.krasniqi@example.net" ||
		!strings.Contains(notices[0].text, "zgjatet për 10 ditë") || !strings.Contains(notices[0].text, "Arsyeja: kontrata është në arkivin e Prizrenit") {
		t.Errorf("extension notice to %s:\n%s", to, notices[0].text)
	}

	// 2. Commands only, one refused: the officer is told, nothing else.
	before = len(s.smtp.Mails())
	s.append(reply(run+"-cmd-2@mkrs.example", "#close refused tatimet").raw())
	s.settle(a)
	sent = s.wireMails()[before:]
	if len(sent) != 1 || sent[0].kind() != "commands" {
		t.Fatalf("after a reply of a refused command SMTP got %s, want one report to the officer", describe(sent))
	}
	if to := sent[0].addressOf(t, "To"); to != "jusuf.lushaku@mkrs.example" ||
		!strings.Contains(sent[0].text, "NUK U KRYE: #close refused tatimet") || !strings.Contains(sent[0].text, `Baza e refuzimit "tatimet" nuk njihet.`) || strings.Contains(sent[0].text, "unknown ground") {
		t.Errorf("report to %s:\n%s", to, sent[0].text)
	}
	if got, _, err := a.Store().TicketByNumber(ctx, tk.Number); err != nil || got.State != inquiry.Answered {
		t.Fatalf("after the refused close: %s (err %v), want still answered", got.State, err)
	}

	// 3. The decision in the answer.
	const decision = "I nderuar z. Krasniqi,\n\nKontrata përmban të dhëna personale dhe nuk mund t'ju jepet.\n\nMe respekt,\nJusuf Lushaku"
	before = len(s.smtp.Mails())
	s.append(reply(run+"-cmd-3@mkrs.example", decision+"\n#close refused personal_data").raw())
	s.settle(a)
	sent = s.wireMails()[before:]
	if len(sent) != 1 || sent[0].kind() != "answer" || text(sent[0]) != decision {
		t.Fatalf("after the answer with #close SMTP got %s, want only the answer without the command", describe(sent))
	}
	got, _, err := a.Store().TicketByNumber(ctx, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != inquiry.Closed || got.Outcome != inquiry.Refused || got.Ground != "personal_data" ||
		!got.DecisionInAnswer || !got.DecidedAt.Equal(got.AnsweredAt) || got.Extension == nil || got.Extension.Days != 10 {
		t.Errorf("ticket after the decision: %+v", got)
	}
	uniqueMessageIDs(t, s.wireMails())
}
