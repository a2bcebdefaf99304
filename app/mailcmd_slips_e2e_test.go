package app

import (
	"context"
	"strings"
	"testing"

	"sportel/inquiry"
)

func TestE2EOfficerCommandSlipsByMail(t *testing.T) {
	t.Parallel()
	officerCommandSlipsScenario(t, newMemStack(t), "mem")
}

func TestE2EDovecotOfficerCommandSlipsByMail(t *testing.T) {
	t.Parallel()
	officerCommandSlipsScenario(t, newDovecotStack(t), "dovecot")
}

// officerCommandSlipsScenario runs, on stack s with osman as the head of
// the division, an officer's replies with commands that do not do what
// they look like: "#close granted" in the Subject, "#urgent" withdrawn by
// "#urgent off" in the same mail, "- #close granted" typed as a bullet.
// Each answer reaches the citizen without the command; nothing is done,
// no one is told of an urgency; the officer gets one report per mail
// saying what was not done and why.
func officerCommandSlipsScenario(t *testing.T, s *stack, run string) {
	for i := range s.cfg.Officers {
		if s.cfg.Officers[i].ID == "osman" {
			s.cfg.Officers[i].Role = inquiry.RoleHead
		}
	}
	a, _ := s.serve()
	ctx := context.Background()

	req := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
		messageID: run + "-slip-request@example.net",
		body:      "Të nderuar,\n\nKërkoj kopjen e kontratës për renovimin e stadiumit në Prizren.\n\nMe respekt,\nArben",
	}
	s.append(req.raw())
	s.settle(a)
	tk := s.ticket(a, req.messageID)
	if tk.OfficerID != "jusuf" || tk.Category != inquiry.DocumentRequest {
		t.Fatalf("ticket %s: %s to %s, want a document request to jusuf", tk.Number, tk.Category, tk.OfficerID)
	}
	notify := the(t, s.wireMails(), "notify", tk.Number)
	text := func(w wireMail) string { return strings.TrimRight(strings.ReplaceAll(w.text, "\r\n", "\n"), "\n") }
	const answer = "I nderuar z. Krasniqi,\n\nPo e kërkojmë kontratën në arkiv.\n\nMe respekt,\nJusuf Lushaku"

	steps := []struct {
		name    string
		subject string
		own     string
		report  []string
	}{
		{"a command in the subject", "Re: " + notify.subject + " #close granted", answer,
			[]string{"NUK U KRYE: #close granted", "në temën e mesazhit"}},
		{"#urgent withdrawn in the same mail", "Re: " + notify.subject, answer + "\n\n#urgent\n#urgent off",
			[]string{"NUK U KRYE: #urgent\n", "U zëvendësua nga #urgent off", "U krye: #urgent off"}},
		{"a command typed as a bullet", "Re: " + notify.subject, answer + "\n\n- #close granted",
			[]string{"NUK U KRYE: - #close granted", "në fillim të rreshtit", "#close granted"}},
	}
	for i, st := range steps {
		before := len(s.smtp.Mails())
		s.append(inboundMail{
			from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: st.subject,
			messageID: run + "-slip-" + string(rune('1'+i)) + "@mkrs.example", inReplyTo: notify.messageID,
			body: st.own + "\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n" + quoteAll(notify.text),
		}.raw())
		s.settle(a)
		sent := s.wireMails()[before:]
		answers := mailsOf(sent, "answer", tk.Number)
		var reports []wireMail
		for _, w := range sent {
			if w.kind() == "commands" && strings.Contains(w.subject, tk.Number) {
				reports = append(reports, w)
			}
		}
		if len(sent) != 2 || len(answers) != 1 || len(reports) != 1 {
			t.Fatalf("%s: SMTP got %s, want the answer and one report to the officer", st.name, describe(sent))
		}
		if got := text(answers[0]); got != answer {
			t.Errorf("%s: the citizen's answer:\n%s\n--- want exactly ---\n%s", st.name, got, answer)
		}
		if to := reports[0].addressOf(t, "To"); to != "jusuf.lushaku@mkrs.example" {
			t.Errorf("%s: the report went to %s", st.name, to)
		}
		for _, want := range st.report {
			if !strings.Contains(text(reports[0]), want) {
				t.Errorf("%s: the report lacks %q:\n%s", st.name, want, text(reports[0]))
			}
		}
		got, _, err := a.Store().TicketByNumber(ctx, tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != inquiry.Answered || got.Outcome != "" || got.Urgent {
			t.Errorf("%s: ticket %s/%q urgent %v, want answered, undecided, not urgent", st.name, got.State, got.Outcome, got.Urgent)
		}
	}
	if u := mailsOf(s.wireMails(), "urgent", tk.Number); len(u) != 0 {
		t.Errorf("the head was told of an urgency withdrawn in the same mail: %s", describe(u))
	}
	if n := mailsOf(s.wireMails(), "notify", tk.Number); len(n) != 1 {
		t.Errorf("notifications %s, want only the first", describe(n))
	}
	uniqueMessageIDs(t, s.wireMails())
}
