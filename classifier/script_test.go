package classifier

import (
	"context"
	"testing"

	"sportel/inquiry"
)

// A mail written in Serbian Cyrillic must be answered in Cyrillic even when
// the writer pastes a link or signs with the Latin-script name of their
// outlet, e-mail and website (no "-- " line, no closing formula).
func TestCyrillicWithLatinLinkOrSignature(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, subject, text string }{
		{"journalist with Latin signature", "Изјава",
			"Поштовани,\nмолимо за изјаву министра о затварању позоришта до 14 часова.\n\nJelena Petrović\nnovinarka, Radio KiM\njelena.petrovic@radiokim.net\nwww.radiokim.net"},
		{"one-line signature", "",
			"Поштовани, молим за изјаву.\nJelena Petrović, Kosovo Online, jelena.petrovic@kosovo-online.com"},
		{"pasted link", "Захтев",
			"Молим копију овог документа: https://mkrs-ks.org/repository/docs/Vendimi_per_subvencionet_2025.pdf"},
		{"all capitals", "ЗАХТЕВ", "ЗАХТЕВ ЗА ПРИСТУП ЈАВНИМ ДОКУМЕНТИМА. Jelena Petrović"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := c.Classify(context.Background(), &inquiry.Message{Subject: tc.subject, Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Language != inquiry.SerbianCyrl {
				t.Errorf("language %s, want %s for\n%s", res.Language, inquiry.SerbianCyrl, tc.text)
			}
		})
	}
}

// A Latin-script mail stays Latin whatever Cyrillic name or address it
// carries.
func TestLatinWithCyrillicNames(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text string
		want inquiry.Language
	}{
		{"Poštovani, molim vas za kopiju ugovora o obnovi pozorišta.\n\nМилан Петровић", inquiry.SerbianLatin},
		{"Të nderuar, kërkoj kopjen e kontratës për stadiumin.\nArta Krasniqi, Радио КиМ", inquiry.Albanian},
		{"Dear Sir, please send me the budget of the festival. Regards, Марко", inquiry.English},
	}
	for _, tc := range cases {
		res, err := c.Classify(context.Background(), &inquiry.Message{Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		if res.Language != tc.want {
			t.Errorf("language %s, want %s for\n%s", res.Language, tc.want, tc.text)
		}
	}
}
