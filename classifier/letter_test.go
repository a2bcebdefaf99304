package classifier

import (
	"context"
	"testing"

	"sportel/inquiry"
)

// A formal letter pasted into a mail: place and date, then the letter's own
// "Nga:/Për:/Lënda:" (Od:/Za:/Predmet:, From:/To:/Subject:) header, then the
// request. It is the writer's own letter, not a quoted mail's header (which
// always carries its date line): the whole letter is read.
func TestFormalLetterHeaderIsNotAQuote(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, subject, text string
		want                inquiry.Category
	}{
		{"sq press", "Kërkesë",
			"Prishtinë, 1 dhjetor 2026\n\nNga: Arta Krasniqi, gazetare e Koha Ditore\nPër: Ministria e Kulturës, Rinisë dhe Sportit\nLënda: Kërkesë për deklaratë\n\nTë nderuar,\n\nPo përgatis një shkrim për mbylljen e teatrit në Prizren. A mund të na jepni një deklaratë të ministrit deri nesër në ora 12?\n\nMe respekt,\nArta Krasniqi",
			inquiry.PressInquiry},
		{"en press", "Request",
			"Prishtina, 1 December 2026\n\nFrom: John Smith, Balkan Insight\nTo: Ministry of Culture, Youth and Sport\nSubject: Request for comment\n\nDear Sir or Madam,\n\nWe are preparing a story on the closure of the theatre in Prizren. Could the Ministry give us a statement by noon tomorrow?\n\nKind regards,\nJohn Smith",
			inquiry.PressInquiry},
		{"sr document", "Dopis",
			"Severna Mitrovica, 01.12.2026.\n\nOd: Marko Jovanović\nZa: Ministarstvo kulture, omladine i sporta\nPredmet: Zahtev\n\nPoštovani,\n\nU skladu sa Zakonom o pristupu javnim dokumentima, molim vas da mi dostavite kopiju ugovora o renoviranju stadiona u Zvečanu.\n\nS poštovanjem,\nMarko Jovanović",
			inquiry.DocumentRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Classify(context.Background(), &inquiry.Message{Subject: tc.subject, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Category != tc.want {
				t.Errorf("category %s (%.2f, %s), want %s; the model read only %q",
					res.Category, res.Confidence, res.Reason, tc.want, StripQuotedAndSignature(tc.text))
			}
		})
	}
}

func TestStripKeepsAFormalLetterDropsAQuotedHeader(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"a letter's own header", "Prishtinë, 1 dhjetor 2026\n\nNga: Arta Krasniqi\nPër: Ministria\nLënda: Kërkesë\n\nA mund të na jepni një deklaratë?",
			"Prishtinë, 1 dhjetor 2026\n\nNga: Arta Krasniqi\nPër: Ministria\nLënda: Kërkesë\n\nA mund të na jepni një deklaratë?"},
		{"Outlook's quoted header", "Faleminderit.\n\nFrom: Divizioni <komunikimi@mkrs.example>\nSent: Monday, 30 November 2026 10:00\nTo: Arta\nSubject: DKP-2026-000001\n\nTeksti i vjetër",
			"Faleminderit."},
		{"Apple Mail's forwarded header", "Shihni më poshtë.\n\nFrom: Agim <agim@example.net>\nSubject: Kontrata\nDate: 30 November 2026 at 10:00\nTo: Arta\n\nTeksti i përcjellë",
			"Shihni më poshtë."},
	}
	for _, tt := range tests {
		if got := StripQuotedAndSignature(tt.text); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
