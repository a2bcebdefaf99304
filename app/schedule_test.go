package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/store"
)

// TestE2EEscalation runs the daemon as `sportel run` does with document
// requests whose deadlines passed while it was down: the scheduler records
// each refusal by silence and the head gets one escalation per request,
// across a restart.
func TestE2EEscalation(t *testing.T) {
	s := newMemStack(t)
	// osman heads the division and uses Telegram too.
	s.cfg.Officers[0].Role = inquiry.RoleHead
	s.cfg.Officers[0].TelegramUserID = 7003
	tg := devserver.StartTelegram("123456:e2e-token", "dkp_e2e_bot")
	t.Cleanup(tg.Close)
	tg.MarkStarted(7003)
	s.cfg.Telegram = botConfig(tg)
	chatEscalations := func() map[string]int {
		out := map[string]int{}
		for _, m := range tg.Sent(7003) {
			if strings.Contains(m.Text, "Afati ligjor i kërkesës ") {
				out[inquiry.FindNumber("DKP", m.Text)]++
			}
		}
		return out
	}
	overdue := func(number string) inquiry.Ticket {
		a := s.open()
		defer a.Close()
		received := time.Now().Add(-30 * 24 * time.Hour)
		tk := &inquiry.Ticket{Number: number, Channel: inquiry.ChannelEmail,
			Sender:  inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"},
			Subject: "Kërkesë për dokumente", Language: inquiry.Albanian, Category: inquiry.DocumentRequest,
			Classifier: "builtin", Confidence: 0.9, OfficerID: "jusuf", State: inquiry.Assigned,
			ReceivedAt: received, DueAt: received.Add(7 * 24 * time.Hour), UpdatedAt: received}
		if err := a.store.WithTx(context.Background(), func(tx store.Tx) error { return tx.CreateTicket(tk) }); err != nil {
			t.Fatal(err)
		}
		return *tk
	}
	escalations := func() map[string]int {
		out := map[string]int{}
		for _, w := range s.wireMails() {
			if strings.HasPrefix(w.messageID, "sportel.escalation.") {
				out[w.header.Get("X-Sportel-Ticket")]++
				if strings.Join(w.envelopeTo, ",") != "osman.gashi@mkrs.example" || w.subject != "["+w.header.Get("X-Sportel-Ticket")+"] Afati kaloi pa vendim" ||
					!strings.Contains(w.text, "Afati ligjor i kërkesës "+w.header.Get("X-Sportel-Ticket")) {
					t.Errorf("escalation to %v, subject %q, text:\n%s", w.envelopeTo, w.subject, w.text)
				}
			}
		}
		return out
	}
	var tickets []inquiry.Ticket
	// Each run starts with one more overdue request: its escalation shows
	// the run's scheduler has made a pass over them all.
	for run, number := range []string{"DKP-2026-000077", "DKP-2026-000078"} {
		tickets = append(tickets, overdue(number))
		a, stop := s.serve()
		testutil.Eventually(t, "the escalation of "+number+" received by mail and Telegram", 20*time.Second, func() (bool, error) {
			return escalations()[number] == 1 && chatEscalations()[number] == 1, nil
		})
		s.settle(a)
		for _, tk := range tickets {
			entries, err := a.store.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			notes := 0
			for _, e := range entries {
				if e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "refused by silence:") {
					notes++
				}
			}
			if notes != 1 {
				t.Errorf("run %d: %s has %d refusal-by-silence notes, want 1", run, tk.Number, notes)
			}
		}
		stop()
	}
	want := map[string]int{"DKP-2026-000077": 1, "DKP-2026-000078": 1}
	for _, got := range []map[string]int{escalations(), chatEscalations()} {
		if len(got) != 2 || got["DKP-2026-000077"] != 1 || got["DKP-2026-000078"] != 1 {
			t.Errorf("escalations received per ticket = %v, want %v", got, want)
		}
	}
}
