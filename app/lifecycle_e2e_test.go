package app

import (
	"context"
	"slices"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
)

// A citizen writes in Serbian; the officer extends the deadline, then
// refuses the request on a configured ground. The citizen receives both
// notices by mail, in Serbian, threaded on their request and signed with
// the division's Serbian name, as `sportel run` sends them.
func TestE2EExtendThenRefuse(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	a, _ := s.serve()
	ctx := context.Background()

	req := inboundMail{
		from: "Milica Jovanović <milica.jovanovic@example.rs>", subject: "Zahtev za pristup dokumentima",
		messageID: "life-1@example.rs",
		body: "Poštovani,\n\nNa osnovu Zakona o pristupu javnim dokumentima molim vas da mi dostavite kopiju ugovora " +
			"o rekonstrukciji gradskog stadiona u Prizrenu i zapisnik o prijemu radova.\n\nS poštovanjem,\nMilica Jovanović",
	}
	s.append(req.raw())
	s.settle(a)
	tk := s.ticket(a, req.messageID)
	if tk.Category != inquiry.DocumentRequest || tk.Language != inquiry.SerbianLatin {
		t.Fatalf("filed as %s in %s, want a document request in sr-Latn", tk.Category, tk.Language)
	}
	const signature = "Odeljenje za javnu komunikaciju, Ministarstvo kulture, omladine i sporta"
	ack := the(t, s.wireMails(), "ack", tk.Number)
	if !strings.HasSuffix(strings.TrimSpace(ack.text), signature) {
		t.Errorf("the acknowledgement is not signed in Serbian:\n%s", ack.text)
	}

	ext, err := a.Desk().Extend(ctx, tk.Number, 10, "Dokumenti se nalaze u arhivu u Prizrenu.", "jusuf")
	if err != nil {
		t.Fatal(err)
	}
	if !ext.DueAt.After(tk.DueAt) {
		t.Fatalf("extended due %s, not after %s", ext.DueAt, tk.DueAt)
	}
	s.settle(a)
	if _, err := a.Desk().CloseWith(ctx, tk.Number, desk.Closing{Outcome: inquiry.Refused, Ground: "commercial_confidentiality"}, "jusuf"); err != nil {
		t.Fatal(err)
	}
	s.settle(a)

	notices := mailsOf(s.wireMails(), "notice", tk.Number)
	if len(notices) != 2 {
		t.Fatalf("%d notices reached SMTP, want the extension and the decision: %s", len(notices), describe(s.wireMails()))
	}
	newDue := ext.DueAt.In(s.cfg.Tickets.Location).Format("02.01.2006")
	wants := [][]string{
		{"produžava se za 10 dana", "Razlog: Dokumenti se nalaze u arhivu u Prizrenu.", "najkasnije do " + newDue, "Poštovani/a Milica Jovanović"},
		{"pristup je odbijen", "komercijalni i ekonomski interesi (poslovna tajna)",
			"žalbu Agenciji za informisanje i privatnost u roku od 15 dana", "Poštovani/a Milica Jovanović"},
	}
	subjects := []string{"Produženje roka", "Odluka o vašem zahtevu"}
	for i, n := range notices {
		if got := n.addressOf(t, "To"); got != "milica.jovanovic@example.rs" || !slices.Equal(n.envelopeTo, []string{"milica.jovanovic@example.rs"}) {
			t.Errorf("notice %d to %s (envelope %v)", i, got, n.envelopeTo)
		}
		if got := n.addressOf(t, "From"); got != publicAddress {
			t.Errorf("notice %d from %s", i, got)
		}
		if !slices.Equal(n.inReplyTo, []string{req.messageID}) {
			t.Errorf("notice %d In-Reply-To %v, want the request %s", i, n.inReplyTo, req.messageID)
		}
		if want := subjects[i] + " [" + tk.Number + "]"; !strings.HasSuffix(n.subject, want) {
			t.Errorf("notice %d subject %q, want it to end %q", i, n.subject, want)
		}
		if !strings.EqualFold(n.charset, "utf-8") {
			t.Errorf("notice %d charset %q", i, n.charset)
		}
		for _, w := range append(wants[i], signature) {
			if !strings.Contains(n.text, w) {
				t.Errorf("notice %d lacks %q:\n%s", i, w, n.text)
			}
		}
	}
	got, _, err := a.Store().TicketByNumber(ctx, tk.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != inquiry.Closed || got.Ground != "commercial_confidentiality" || got.Extension == nil || got.DecidedAt.IsZero() {
		t.Errorf("ticket after the decision: %+v", got)
	}
	uniqueMessageIDs(t, s.wireMails())
}
