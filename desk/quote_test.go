package desk_test

import (
	"strings"
	"testing"

	"sportel/desk"
)

// notification is a notification as notifyMail writes it.
const notification = `Tiketë e re DKP-2026-000001 u është caktuar juve.

Kategoria: kërkesë për qasje në dokumente publike (builtin, 90%)
Dërguesi: Arben Krasniqi <arben@example.net>
Kanali: email · Gjuha: sq
Zyrtari: Jusuf Lushaku
Afati ligjor: 02.12.2026

Për t'iu përgjigjur qytetarit, përgjigjuni këtij emaili: përgjigja juaj i dërgohet qytetarit nga adresa publike.

----- Mesazhi origjinal -----
Subjekti: Kërkesë për kontratën

Të nderuar, në bazë të Ligjit për qasje në dokumente publike kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren dhe raportin e pranimit të punimeve.

Me respekt,
Arben Krasniqi
`

// answer is an officer's answer, with a law article they quote on purpose
// and a line that starts like an Albanian Outlook header.
const answer = `I nderuar z. Krasniqi,

Sipas nenit 12 të ligjit:

> Neni 12. Organi publik vendos për kërkesën brenda shtatë ditëve.

Nga: arkivi i Ministrisë, kontrata gjendet në shtojcë.

Me respekt,
Jusuf Lushaku`

// quote prefixes every line of text as a mail client quotes it.
func quote(prefix, text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = strings.TrimRight(prefix, " ")
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// wrap breaks text's lines at spaces to at most width bytes, as a client
// rewraps what it quotes.
func wrap(text string, width int) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		line := ""
		for _, w := range strings.Fields(l) {
			if line != "" && len(line)+1+len(w) > width {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// notificationHead and notificationBody are the notification cut where an
// officer answers inline.
var notificationHead, notificationBody, _ = strings.Cut(notification, "----- Mesazhi origjinal -----\n")

const outlookHeaderEN = `________________________________
From: Divizioni për Komunikim Publik <komunikimi@mkrs.example>
Sent: Wednesday, November 25, 2026 11:00 AM
To: Jusuf Lushaku <jusuf.lushaku@mkrs.example>
Subject: [DKP-2026-000001] kërkesë për qasje në dokumente publike: Kërkesë për kontratën
`

func TestOfficerAnswer(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  string
	}{
		{"mutt, bottom-posted",
			"On Wed, Nov 25, 2026 at 11:00:00AM +0100, Divizioni për Komunikim Publik wrote:\n" + quote("> ", notification) + "\n" + answer + "\n",
			answer},
		{"mutt, inline",
			"On Wed, Nov 25, 2026 at 11:00:00AM +0100, Divizioni për Komunikim Publik wrote:\n" + quote("> ", notificationHead) +
				"\nE mora, po e shqyrtoj.\n\n" + quote("> ", "----- Mesazhi origjinal -----\n"+notificationBody) + "\n" + answer + "\n",
			"E mora, po e shqyrtoj.\n\n" + answer},
		{"mutt, classic attribution, inline",
			"* Divizioni për Komunikim Publik <komunikimi@mkrs.example> [2026-11-25 11:00]:\n" + quote("> ", notificationHead) +
				"\nE mora.\n\n" + quote("> ", "----- Mesazhi origjinal -----\n"+notificationBody) + "\n" + answer,
			"E mora.\n\n" + answer},
		{"Thunderbird, top-posted, en",
			answer + "\n\nOn 25.11.2026 11:00, Divizioni për Komunikim Publik wrote:\n" + quote("> ", notification),
			answer},
		{"Thunderbird, below the quote, sq",
			"Më 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n" + quote("> ", notification) + "\n" + answer + "\n",
			answer},
		{"Thunderbird, sr-Latn",
			"Dana 25.11.2026. u 11:00, Divizioni za javnu komunikaciju je napisao:\n" + quote("> ", notification) + "\n" + answer,
			answer},
		{"Thunderbird, sr-Cyrl",
			answer + "\n\n25.11.2026. у 11:00, Дивизија за јавну комуникацију је написао:\n" + quote("> ", notification),
			answer},
		{"Outlook, top-posted, en header, notification unquoted",
			answer + "\n\n" + outlookHeaderEN + "\n" + notification,
			answer},
		{"Outlook, sq header",
			answer + "\n\n________________________________\nNga: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n" +
				"Dërguar: e mërkurë, 25 nëntor 2026 11:00\nPër: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nTema: [DKP-2026-000001] Kërkesë për kontratën\n\n" + notification,
			answer},
		{"Outlook, sr-Latn header with a wrapped To:",
			answer + "\n\nOd: Divizioni za javnu komunikaciju <komunikimi@mkrs.example>\nPoslato: sreda, 25. novembar 2026. 11:00\n" +
				"Za: Jusuf Lushaku <jusuf.lushaku@mkrs.example>; Zamira Ahmeti\n<zamira.ahmeti@mkrs.example>\nPredmet: [DKP-2026-000001] Kërkesë\n\n" + notification,
			answer},
		{"Outlook, sr-Cyrl header",
			answer + "\n\nОд: Дивизија <komunikimi@mkrs.example>\nПослато: среда, 25. новембар 2026. 11:00\nЗа: Jusuf Lushaku\nПредмет: [DKP-2026-000001] Kërkesë\n\n" + notification,
			answer},
		{"Outlook, -----Original Message-----",
			answer + "\n\n-----Original Message-----\nFrom: komunikimi@mkrs.example\nSent: 25 November 2026 11:00\nTo: jusuf.lushaku@mkrs.example\nSubject: [DKP-2026-000001]\n\n" + notification,
			answer},
		{"Outlook, quoted with > below the header",
			answer + "\n\n" + outlookHeaderEN + "\n" + quote("> ", notification),
			answer},
		{"Gmail, top-posted, attribution wrapped at the address",
			answer + "\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni për Komunikim Publik <\nkomunikimi@mkrs.example> wrote:\n\n" + quote("> ", notification),
			answer},
		{"Gmail, sq",
			answer + "\n\nMë mër, 25 nën 2026 në 11:00 Divizioni për Komunikim Publik <komunikimi@mkrs.example> shkroi:\n\n" + quote("> ", notification),
			answer},
		{"Gmail, sr-Latn",
			answer + "\n\nsre, 25. nov 2026. u 11:00 Divizioni <komunikimi@mkrs.example> je napisao/la:\n\n" + quote("> ", notification),
			answer},
		{"Gmail, sr-Cyrl",
			answer + "\n\nсре, 25. нов 2026. у 11:00 Divizioni <komunikimi@mkrs.example> је написао/ла:\n\n" + quote("> ", notification),
			answer},
		{"Gmail, sr-Latn, plain text: the attribution wrapped at the address",
			answer + "\n\nsre, 25. nov 2026. u 11:00 Divizioni za javnu komunikaciju <\nkomunikimi@mkrs.example> je napisao/la:\n\n" + quote("> ", notification),
			answer},
		{"Gmail, sr-Cyrl, plain text: the attribution wrapped before its verb",
			answer + "\n\nсре, 25. нов 2026. у 11:00 Divizioni <komunikimi@mkrs.example>\nје написао/ла:\n\n" + quote("> ", notification),
			answer},
		{"Outlook, hr header (Šalje/Poslano/Prima/Predmet)",
			answer + "\n\n________________________________\nŠalje: Divizioni <komunikimi@mkrs.example>\nPoslano: srijeda, 25. studenoga 2026. 11:00\n" +
				"Prima: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nPredmet: [DKP-2026-000001] Kërkesë\n\n" + notification,
			answer},
		{"Outlook, plain text of an HTML reply: the quoted addresses made links",
			answer + "\n\n" + outlookHeaderEN + "\n" + strings.ReplaceAll(notification, "<arben@example.net>", "<arben@example.net<mailto:arben@example.net>>"),
			answer},
		{"Gmail, forwarded back",
			answer + "\n\n---------- Forwarded message ---------\nFrom: Divizioni <komunikimi@mkrs.example>\nDate: Wed, Nov 25, 2026 at 11:00 AM\n" +
				"Subject: [DKP-2026-000001] Kërkesë\nTo: <jusuf.lushaku@mkrs.example>\n\n" + notification,
			answer},
		{"Apple Mail, the attribution quoted too",
			answer + "\n\n> On 25 Nov 2026, at 11:00, Divizioni për Komunikim Publik <komunikimi@mkrs.example> wrote:\n>\n" + quote("> ", notification),
			answer},
		{"Apple Mail, a second round quotes the first",
			"Shtojca e dytë është bashkëngjitur.\n\n> On 26 Nov 2026, at 09:00, Divizioni <komunikimi@mkrs.example> wrote:\n>\n" + quote("> ", notification) +
				">\n>> On 25 Nov 2026, at 11:00, Divizioni <komunikimi@mkrs.example> wrote:\n>>\n" + quote(">> ", notification),
			"Shtojca e dytë është bashkëngjitur."},
		{"HTML blockquote, rendered without markers",
			answer + "\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n\n" + notification,
			answer},
		{"quoted notification without attribution",
			answer + "\n\n" + quote("> ", notification),
			answer},
		{"only the quoted notification: nothing is left",
			"On Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n" + quote("> ", notification) + "\n\n",
			""},
		{"a sentence ending in wrote: is the officer's",
			"As the minister wrote:\n\n> Access is the rule.\n\nThe contract is attached.",
			"As the minister wrote:\n\n> Access is the rule.\n\nThe contract is attached."},
		{"a lone Nga: line and a law quote, no notification",
			"Nga: Ministria\n> Neni 4\nFund.",
			"Nga: Ministria\n> Neni 4\nFund."},
		{"the officer's quotation between the attribution and the quoted notification",
			"On Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n" + quote("> ", notificationHead) +
				"\n> Neni 12. Afati është shtatë ditë.\n\nPra, brenda afatit.\n\n" + quote("> ", "----- Mesazhi origjinal -----\n"+notificationBody),
			"> Neni 12. Afati është shtatë ditë.\n\nPra, brenda afatit."},
		{"a line Sportel wrote differently before, inside the quoted notification",
			answer + "\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n" +
				quote("> ", strings.Replace(notification, "Zyrtari: Jusuf Lushaku", "Zyrtari: Zamira Ahmeti", 1)),
			answer},
		{"quoted lines Sportel wrote in another notification, under the attribution",
			answer + "\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n" +
				quote("> ", "Qytetari ka shkruar sërish për tiketën DKP-2026-000001.\n\n"+notification+"\nShtojca që nuk u bashkëngjitën:\n  - plan.pdf"),
			answer},
		{"CRLF line ends",
			strings.ReplaceAll(answer+"\n\nOn 25.11.2026 11:00, Divizioni wrote:\n"+quote("> ", notification), "\n", "\r\n"),
			answer},
		{"a letter heading Për:/Nga:/Tema: is the officer's",
			"Për: z. Arben Krasniqi\nNga: Divizioni për Komunikim Publik\nTema: Kërkesa juaj\n\nKontrata gjendet në shtojcë.\n\n" +
				"Më 25.11.2026 në 11:00, Divizioni shkroi:\n" + quote("> ", notification),
			"Për: z. Arben Krasniqi\nNga: Divizioni për Komunikim Publik\nTema: Kërkesa juaj\n\nKontrata gjendet në shtojcë."},
		{"an attribution-like line above the officer's own quotation stays",
			"Më 12.03.2024 ministri shkroi:\n> Qasja në dokumente është rregull.\n\nOn 25.11.2026 11:00, Divizioni wrote:\n" + quote("> ", notification),
			"Më 12.03.2024 ministri shkroi:\n> Qasja në dokumente është rregull."},
		{"below the quote, a greeting that is also in the citizen's text",
			"On Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n" + quote("> ", notification) + "\nTë nderuar,\n\nKontrata gjendet në shtojcë.",
			"Të nderuar,\n\nKontrata gjendet në shtojcë."},
		{"HTML, below the blockquote, a greeting that is also in the citizen's text",
			"On Wed, Nov 25, 2026 at 11:00 AM Divizioni <komunikimi@mkrs.example> wrote:\n\n" + notification + "\nTë nderuar,\n\nKontrata gjendet në shtojcë.",
			"Të nderuar,\n\nKontrata gjendet në shtojcë."},
		{"the quote rewrapped at 40 columns",
			answer + "\n\nOn 25.11.2026 11:00, Divizioni wrote:\n" + quote("> ", wrap(notification, 40)),
			answer},
		{"the signature delimiter keeps its space",
			"Kontrata gjendet në shtojcë.\n\n-- \nJusuf Lushaku\n\nOn 25.11.2026 11:00, Divizioni wrote:\n" + quote("> ", notification),
			"Kontrata gjendet në shtojcë.\n\n-- \nJusuf Lushaku"},
		{"no quote at all", "Po, e dërguam.", "Po, e dërguam."},
		{"a greeting that is also in the notification stays", "Me respekt,\nJusuf", "Me respekt,\nJusuf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := desk.OfficerAnswer(tt.reply, notification); got != tt.want {
				t.Errorf("OfficerAnswer:\n--- got ---\n%s\n--- want ---\n%s", got, tt.want)
			}
		})
	}
}
