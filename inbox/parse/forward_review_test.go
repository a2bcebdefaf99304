package parse

import (
	"testing"
	"time"
)

// Serbian Cyrillic Outlook (and Gmail in Serbian Cyrillic) writes the
// forwarded sender as "Од:" — the label quote.go already knows — not the
// Russian/Bulgarian "От:" that forwardHeader lists.
func TestForwardedCaseSerbianCyrillic(t *testing.T) {
	for name, body := range map[string]string{
		"outlook sr-Cyrl, no line": "Молим, заведите.\n\nОд: Милица Јовановић <milica@example.rs>\nПослато: 1. децембар 2026. 10:15\n" +
			"За: Јусуф Лушаку\nТема: Захтев за приступ документима\n\nПоштовани, тражим копију уговора.\n",
		"gmail sr-Cyrl, forward line": "---------- Прослеђена порука ---------\nОд: Милица Јовановић <milica@example.rs>\n" +
			"Date: уто, 1. дец 2026. у 10:15\nSubject: Захтев за приступ документима\nTo: <jusuf.lushaku@mkrs.example>\n\n\nПоштовани, тражим копију уговора.\n",
	} {
		t.Run(name, func(t *testing.T) {
			m := Parse(officerForward("Просл: Захтев за приступ документима", body), time.Now(), testOpts)
			if m.Forwarded == nil || m.Forwarded.From.Address != "milica@example.rs" {
				t.Fatalf("forward not read: %+v", m.Forwarded)
			}
			if m.Forwarded.Text != "Поштовани, тражим копију уговора." {
				t.Errorf("text %q", m.Forwarded.Text)
			}
		})
	}
}

// A long "Name <address>" wraps in a wrapped plain-text part (Gmail's text
// part, the "<\naddr> wrote:" split every quote parser knows): the forward
// is then not read at all, and the citizen's mail is filed as the
// officer's own.
func TestForwardedCaseWrappedFrom(t *testing.T) {
	for name, from := range map[string]string{
		"break after <":        "From: Aleksandra Stojanović-Petrović, Udruženje građana Prizren <\naleksandra.stojanovic@example.rs>",
		"address on next line": "From: Aleksandra Stojanović-Petrović\n<aleksandra.stojanovic@example.rs>",
	} {
		t.Run(name, func(t *testing.T) {
			body := "---------- Forwarded message ---------\n" + from + "\nDate: Tue, Dec 1, 2026 at 10:15 AM\n" +
				"Subject: Zahtev\nTo: <jusuf.lushaku@mkrs.example>\n\n\nPoštovani, tražim ugovor.\n"
			m := Parse(officerForward("Fwd: Zahtev", body), time.Now(), testOpts)
			if m.Forwarded == nil || m.Forwarded.From.Address != "aleksandra.stojanovic@example.rs" {
				t.Fatalf("forward not read: %+v", m.Forwarded)
			}
			if m.Forwarded.Subject != "Zahtev" || m.Forwarded.Text != "Poštovani, tražim ugovor." {
				t.Errorf("subject %q, text %q", m.Forwarded.Subject, m.Forwarded.Text)
			}
		})
	}
}

// A wrapped Cc (or To) line in the quoted header block ends the block
// early: its continuation and the lines after it become the citizen's text.
func TestForwardedCaseWrappedCcLine(t *testing.T) {
	body := "---------- Forwarded message ---------\nFrom: Milica Jovanović <milica@example.rs>\nDate: Mon, Nov 23, 2026 at 9:30 AM\n" +
		"Subject: Zahtev za pristup dokumentima\nTo: <zamira.ahmeti@mkrs.example>\n" +
		"Cc: Divizioni për Komunikim Publik <komunikimi@mkrs.example>, Kancelarija <\nkancelarija@example.rs>\n\n\nPoštovani, tražim ugovor.\n"
	m := Parse(officerForward("Fwd: Zahtev za pristup dokumentima", body), time.Now(), testOpts)
	if m.Forwarded == nil {
		t.Fatal("forward not read")
	}
	if m.Forwarded.Text != "Poštovani, tražim ugovor." {
		t.Errorf("citizen's text %q, want her words only", m.Forwarded.Text)
	}
}
