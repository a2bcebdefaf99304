package llm

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		// Serbian street titles in small letters, with a house number.
		{"serbian latin title", "Moja adresa: ul. kralja Petra I 12, Severna Mitrovica.", "Moja adresa: [address], Severna Mitrovica."},
		{"serbian cyrillic title", "Адреса: ул. краља Петра I бр. 12, Северна Митровица.", "Адреса: [address], Северна Митровица."},
		{"serbian boulevard", "Adresa: Bulevar kralja Aleksandra 73, Zvečan.", "Adresa: [address], Zvečan."},
		{"serbian in a sentence", "Stanujem u ulici vojvode Putnika 5 i molim rešenje.", "Stanujem u [address] i molim rešenje."},
		{"serbian small word, no number", "Ulica je zatvorena za saobraćaj.", "Ulica je zatvorena za saobraćaj."},
		// Email addresses.
		{"plain email", "Shkruani në agon.rama85@gmail.com ju lutem", "Shkruani në [email] ju lutem"},
		{"email in angle brackets", "Redakcija <info@mkrs-ks.example>", "Redakcija <[email]>"},
		{"email with plus and subdomain", "a.b+tag@mail.rks-gov.net.", "[email]."},
		{"unicode email", "ćirilica: марко@пример.срб", "ćirilica: [email]"},
		{"spelled out in english", "write to name dot surname at gmail dot com please", "write to [email] please"},
		{"bracketed at and dot", "emri[at]gmail[dot]com", "[email]"},
		{"parenthesised at, real dot", "arta.k (at) yahoo.com.", "[email]."},
		{"braces and capitals", "Agon{AT}Outlook{DOT}Com", "[email]"},
		{"spelled out in albanian", "emri pikë mbiemri et gmail pikë com", "[email]"},
		{"albanian without diacritics", "emri et hotmail pike com", "[email]"},
		{"bracketed albanian", "agon[et]gmail[pikë]com", "[email]"},
		{"spaced at sign", "agon @ gmail.com", "[email]"},
		{"spelled at with a real domain", "arta at kultura.example.org", "[email]"},
		{"at before a time stays", "takimi at 10.30 in the hall", "takimi at 10.30 in the hall"},
		{"at before a sentence stays", "I was at home. Then I wrote", "I was at home. Then I wrote"},
		{"at with a longer word stays", "we met at gmail dot community centre", "we met at gmail dot community centre"},
		{"parenthesised remark stays", "(at the ministry) and (dot)", "(at the ministry) and (dot)"},

		// Phone numbers.
		{"kosovo mobile spaced", "tel 044 123 456, faleminderit", "tel [phone], faleminderit"},
		{"kosovo mobile dashed", "049-213-884", "[phone]"},
		{"kosovo mobile slashed", "045/771-093.", "[phone]."},
		{"kosovo mobile slash and dash", "049/123-456", "[phone]"},
		{"kosovo mobile dotted", "thirrni 044.123.456 nesër", "thirrni [phone] nesër"},
		{"kosovo landline dotted", "038.200.20.000", "[phone]"},
		{"kosovo mobile in one piece", "nr:044123456", "nr:[phone]"},
		{"kosovo mobile ten digits in one piece", "0441234567", "[phone]"},
		{"kosovo landline with parentheses", "(038) 200 20 000", "[phone]"},
		{"kosovo international plus", "+383 44 123 456", "[phone]"},
		{"kosovo international dotted", "+383.44.123.456", "[phone]"},
		{"kosovo international with trunk", "+383 (0)44 123-456 ose", "[phone] ose"},
		{"kosovo international 00", "00383 49 321 448", "[phone]"},
		{"serbian mobile ten digits", "064 552 9013", "[phone]"},
		{"us number", "call +1 (202) 555-0173 today", "call [phone] today"},
		{"german number", "+49 30 1234567", "[phone]"},
		{"in parentheses", "(tel. 044 123 456)", "(tel. [phone])"},
		{"two numbers", "044 123 456 ose 049 765 432", "[phone] ose [phone]"},
		{"two numbers back to back", "044 123 456 049 765 432", "[phone]"},
		{"email and phone", "x@y.org / 063 117 450", "[email] / [phone]"},

		// Personal numbers.
		{"kosovo personal number", "numri personal 1234567890.", "numri personal [personal-number]."},
		{"kosovo personal number spaced", "nr. personal: 1 234 567 890", "nr. personal: [personal-number]"},
		{"kosovo personal number dashed", "1234-567-890", "[personal-number]"},
		{"personal number next to a year", "ID 1234567890 2026", "ID [personal-number] 2026"},
		{"serbian jmbg", "JMBG 0103990710012", "JMBG [personal-number]"},
		{"personal number glued to letters stays", "ref A1234567890", "ref A1234567890"},
		{"billion with dots stays", "1.234.567.890 euro", "1.234.567.890 euro"},

		// IBANs and accounts.
		{"kosovo iban grouped", "IBAN: XK05 1212 0123 4567 8906.", "IBAN: [iban]."},
		{"kosovo iban unbroken", "XK051212012345678906", "[iban]"},
		{"kosovo iban lower case", "xk05 1212 0123 4567 8906", "[iban]"},
		{"german iban", "DE89 3704 0044 0532 0130 00", "[iban]"},
		{"british iban with letters", "GB29 NWBK 6016 1331 9268 19", "[iban]"},
		{"albanian iban", "AL47 2121 1009 0000 0002 3569 8741", "[iban]"},
		{"kosovo account without iban", "llogaria 1212 0123 4567 8906", "llogaria [account]"},
		{"account in one piece", "1212012345678906", "[account]"},
		{"letters in groups stay", "AB12 THIS WORD", "AB12 THIS WORD"},
		{"list of years stays", "vitet 2018 2019 2020 2021", "vitet 2018 2019 2020 2021"},

		// Dates.
		{"date of birth dotted", "lindur më 01.03.1990 në Prizren", "lindur më [date] në Prizren"},
		{"date dotted with spaces", "rođen 1. 3. 1990.", "rođen [date]."},
		{"date two-digit year", "d.o.b. 01.03.90", "d.o.b. [date]"},
		{"date slashed", "01/02/2026 14:30", "[date] 14:30"},
		{"date dashed", "born 01-03-1990", "born [date]"},
		{"iso date", "date of birth: 1990-03-01", "date of birth: [date]"},
		{"deadline date", "deri më 30.09.2026 ora 14", "deri më [date] ora 14"},
		{"english written date", "born 1 March 1990 in Peja", "born [date] in Peja"},
		{"english written date, month first", "born on March 1st, 1990.", "born on [date]."},
		{"english ordinal of", "the 21st of Dec 1988", "the [date]"},
		{"albanian written date", "lindur më 1 mars 1990", "lindur më [date]"},
		{"albanian definite month", "më 12 nëntorit 1985", "më [date]"},
		{"serbian latin genitive", "rođena 1. marta 1990. godine", "rođena [date]. godine"},
		{"serbian cyrillic genitive", "рођен 5. августа 1979.", "рођен [date]."},
		{"invalid date stays", "versioni 1.13.2026", "versioni 1.13.2026"},
		{"article number stays", "neni 5.2.10 i ligjit", "neni 5.2.10 i ligjit"},
		{"day and month without year stay", "më 15 mars, ora 10", "më 15 mars, ora 10"},
		{"year stays", "raporti vjetor 2026", "raporti vjetor 2026"},
		{"month and year stay", "në mars 2026 u mbajt", "në mars 2026 u mbajt"},

		// Street addresses.
		{"albanian street with number", "Adresa: Rruga Nëna Terezë nr. 5, Prishtinë", "Adresa: [address], Prishtinë"},
		{"albanian abbreviated street", "banoj në Rr. Agim Ramadani 15", "banoj në [address]"},
		{"albanian street with connector", "rruga e Durrësit 12", "[address]"},
		{"albanian street in quotes", "Rruga “Luan Haradinaj” nr. 3", "[address]"},
		{"albanian boulevard", "Bulevardi Bill Clinton 44/2", "[address]"},
		{"albanian street accusative", "jetoj në rrugën Ilir Konushevci", "jetoj në [address]"},
		{"street abbreviation str", "Str. Fehmi Agani 7", "[address]"},
		{"serbian ulica", "Ulica Kralja Petra I br. 12", "[address]"},
		{"serbian abbreviated", "ul. Kneza Miloša 5", "[address]"},
		{"serbian cyrillic", "улица Кнеза Милоша 5", "[address]"},
		{"serbian cyrillic abbreviated", "ул. Немањина 11", "[address]"},
		{"english street after number", "I live at 12 Main Street, Prishtina", "I live at [address], Prishtina"},
		{"english street before number", "Mother Teresa Street 5", "[address]"},
		{"road for the road stays", "rruga për në stadium është e bllokuar", "rruga për në stadium është e bllokuar"},
		{"saint stays", "the church of St. Nicholas", "the church of St. Nicholas"},
		{"square stays", "koncerti në sheshin Skënderbeu", "koncerti në sheshin Skënderbeu"},

		// What the classification needs stays.
		{"law number untouched", "Ligji Nr. 06/L-081 për qasje", "Ligji Nr. 06/L-081 për qasje"},
		{"ticket number untouched", "Re: [DKP-2026-000042]", "Re: [DKP-2026-000042]"},
		{"amount untouched", "shuma 1.250.000 euro", "shuma 1.250.000 euro"},
		{"year range untouched", "strategjia 2024-2028", "strategjia 2024-2028"},
		{"protocol number untouched", "nr. prot. 412/2026 dhe 11-07/26", "nr. prot. 412/2026 dhe 11-07/26"},
		{"short number untouched", "zyra 044 12", "zyra 044 12"},
		{"glued to letters untouched", "ref A0441234567", "ref A0441234567"},
		{"decision number untouched", "Vendimi nr. 2026/123 i datës", "Vendimi nr. 2026/123 i datës"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// realisticRequest is a document request as citizens write them: greeting,
// the request with a law and a decision number, and a signature block full
// of personal data.
const realisticRequest = `Të nderuar,

Në bazë të Ligjit Nr. 06/L-081 për qasje në dokumente publike, kërkoj kopjen e kontratës
për renovimin e Pallatit të Rinisë dhe Sporteve në Prishtinë (vendimi nr. 2026/123), si dhe
raportin e pranimit të punimeve për vitin 2025. Dokumentet mund t'i dërgoni me email ose
me postë deri më 30.09.2026.

Ju faleminderit paraprakisht,
Arta Krasniqi, lindur më 01.03.1990
Numri personal: 1 234 567 890
Rruga Nëna Terezë nr. 5, 10000 Prishtinë
Tel: +383 44 123 456 / 049.765.432
Email: arta.krasniqi85@gmail.com ose arta dot k at yahoo dot com
IBAN: XK05 1212 0123 4567 8906
`

func TestRedactRealisticRequest(t *testing.T) {
	got := Redact(realisticRequest)
	for _, leak := range []string{"01.03.1990", "234 567", "Nëna Terezë", "123 456", "765.432", "krasniqi85", "yahoo", "4567 8906"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaked:\n%s", leak, got)
		}
	}
	for _, kept := range []string{"06/L-081", "2026/123", "vitin 2025", "Prishtinë (vendimi", "10000 Prishtinë"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q was masked:\n%s", kept, got)
		}
	}
}

// BenchmarkRedact runs on the request above (personal data in every line
// of its signature) and on a long message with none, the usual case.
func BenchmarkRedact(b *testing.B) {
	plain := strings.Repeat("Përshëndetje, në emër të redaksisë sonë ju lutemi për një intervistë me ministrin "+
		"për buxhetin e vitit 2026 dhe për strategjinë e sportit 2024-2028, sipas vendimit nr. 2026/123. ", 20)
	for _, bc := range []struct{ name, text string }{{"signature", realisticRequest}, {"plain-4KB", plain}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				Redact(bc.text)
			}
		})
	}
}
