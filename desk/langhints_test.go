package desk_test

import (
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/mailer"
)

// langMail is a citizen's mail as phones and desktop clients write it: the
// language a person reading it would answer in is want ("und": nothing
// tells, and the acknowledgement is the fallback, Albanian with an English
// line).
type langMail struct {
	name     string
	subject  string
	body     string
	contLang string // Content-Language header, "" for none
	charset  string // "" is utf-8
	attach   bool   // a scanned PDF beside the text
	want     inquiry.Language
}

const threadEN = "\n\nOn Mon, 30 Nov 2026 at 10:12, Press Office <press@festival.example> wrote:\n" +
	"> Dear Sir or Madam,\n> Thank you for your interest in the festival. The programme will be\n" +
	"> published next week on our website, together with the list of venues and the\n> ticket prices for students and pensioners.\n> Kind regards,\n> Press Office\n"

const footerIPhone = "\n\nSent from my iPhone"

const disclaimerEN = "\n\nArta Berisha\nEditor, Kosovo 2.0\nT: +383 38 123 456\n" +
	"This email and any files transmitted with it are confidential and intended solely for the use of the individual or entity to whom they are addressed."

var langMails = []langMail{
	// Albanian.
	{name: "sq no diacritics", subject: "Kerkese", body: "pershendetje, ju lutem me dergoni kopjen e kontrates per stadiumin e prizrenit. faleminderit", want: inquiry.Albanian},
	{name: "sq short question", body: "a eshte hapur biblioteka sot?", want: inquiry.Albanian},
	{name: "sq one word under a subject", subject: "Pyetje per bursat", body: "kur?", want: inquiry.Albanian},
	{name: "sq above English thread", subject: "Re: Festival programme", body: "Ju lutem me tregoni a ka ndonje pergjigje per biletat." + threadEN, want: inquiry.Albanian},
	{name: "sq line with iPhone footer", body: "A mund te marr nje vertetim per klubin sportiv?" + footerIPhone, want: inquiry.Albanian},
	{name: "sq see attached", subject: "Kerkese", body: "shih dokumentin bashkangjitur", attach: true, want: inquiry.Albanian},
	{name: "sq empty body, subject", subject: "Kërkesë për qasje në dokument", attach: true, want: inquiry.Albanian},
	{name: "sq body, English subject", subject: "Request for documents", body: "Te nderuar, kerkoj kopjen e vendimit per ndarjen e subvencioneve per klubet sportive ne vitin 2025.", want: inquiry.Albanian},
	{name: "sq journalist, English signature", body: "Pershendetje,\nA mund te na jepni nje deklarate per mbylljen e pallatit te rinise?\n\nBest regards,\nArben Krasniqi\nSenior Reporter\nBalkan Insight\n+383 44 123 456", want: inquiry.Albanian},
	{name: "sq journalist, disclaimer", body: "Ju lutem na dergoni programin e festivalit." + disclaimerEN, want: inquiry.Albanian},
	{name: "sq by a Turkish speaker", body: "Mirdita, une jam nga Prizreni, dua te di per bursat e studenteve. Cfare dokumenta duhen? Tesekkurler", want: inquiry.Albanian},
	{name: "sq by a Roma speaker", body: "pershendetje une jam nga fushe kosova dua ndihme per femijet per sport ku mund te paraqitem", want: inquiry.Albanian},
	{name: "sq under Content-Language en-US", body: "Përshëndetje, kur hapet konkursi për projektet kulturore të të rinjve?", contLang: "en-US", want: inquiry.Albanian},
	{name: "sq mixed with English words", body: "Pershendetje, I need information per festivalin Dokufest, a ka bileta falas per studentet?", want: inquiry.Albanian},
	{name: "sq capitals", body: "KERKOJ INFORMATA PER KONKURSIN E PUNES NE MINISTRI", want: inquiry.Albanian},
	{name: "sq windows-1250", body: "Të nderuar, kërkoj listën e klubeve që kanë marrë grante këtë vit.", charset: "windows-1250", want: inquiry.Albanian},
	{name: "sq two words, Content-Language sq", body: "ok po pres", contLang: "sq-AL", want: inquiry.Albanian},
	{name: "sq greeting and file", body: "Pershendetje", attach: true, want: inquiry.Albanian},
	{name: "sq forwarding an English mail", body: "Po ua percjell kete email, ju lutem pergjigjuni.\n\n---------- Forwarded message ---------\nFrom: John Smith <john@example.org>\nDate: Mon, 30 Nov 2026 at 09:00\nSubject: Invitation\nTo: Arben <arben@example.net>\n\nDear all, we would like to invite your team to the regional youth conference in Skopje.", want: inquiry.Albanian},
	{name: "sq iPhone footer only, Content-Language sq", body: "Sent from my iPhone", contLang: "sq", attach: true, want: inquiry.Albanian},
	{name: "sq short, English Outlook", subject: "dokumenti", body: "a e keni marr", contLang: "en-US", want: inquiry.Albanian},
	{name: "sq Gheg spelling", body: "pershendetje a mundeni me ma qu formularin per regjistrim te shoqates", want: inquiry.Albanian},
	{name: "sq above Outlook header block", body: "Pershendetje, a ka ndonje lajm per kete?\n\nFrom: Festival Office <office@festival.example>\nSent: Monday, November 30, 2026 10:12 AM\nTo: Arben <arben@example.net>\nSubject: Volunteers\n\nDear Arben, we are still looking for volunteers for the opening night and would be glad if you joined us.", want: inquiry.Albanian},
	{name: "sq with Proton footer", body: "Ju lutem me dergoni formularin per aplikim." + "\n\nSent with Proton Mail secure email.", want: inquiry.Albanian},
	{name: "sq journalist, bare four-line signature", body: "A do te kete konference per shtyp pas takimit te neser?\n\nArben Krasniqi\nSenior Reporter | BIRN Kosovo\nMobile: +383 44 123 456\nwww.birn.example", want: inquiry.Albanian},
	{name: "sq Turkish words", body: "Merhaba, une dua te regjistroj djalin ne klubin e futbollit ne Prizren. Tesekkur ederim", want: inquiry.Albanian},
	{name: "sq protocol number", body: "nr. prot. 123/2026 kur del vendimi", want: inquiry.Albanian},
	{name: "sq thanks only", body: "faleminderit shume", want: inquiry.Albanian},

	// Serbian, Latin script (Bosnian, Croatian and Montenegrin too).
	{name: "sr no diacritics", body: "postovani, molim vas dostavite kopiju ugovora o renoviranju stadiona u prizrenu. hvala", want: inquiry.SerbianLatin},
	{name: "sr with Albanian place names", body: "Poštovani, zanima me kada će biti otvoren sportski centar u Graçanicë i da li postoji plan za Fushë Kosovë i Ferizaj.", want: inquiry.SerbianLatin},
	{name: "bs ijekavian", body: "Poštovani, molim Vas da mi dostavite dokumenta o finansiranju kulturnih projekata. Hvala unaprijed.", want: inquiry.SerbianLatin},
	{name: "hr", body: "Poštovani, zanima me tko je odgovoran za natječaj za mlade i gdje se predaje prijava. Lijep pozdrav", want: inquiry.SerbianLatin},
	{name: "cnr", body: "Đe mogu da nađem obrazac za prijavu na konkurs za omladinske projekte? Hvala unaprijed", want: inquiry.SerbianLatin},
	{name: "sr short no diacritics", body: "da li je muzej otvoren u nedelju?", want: inquiry.SerbianLatin},
	{name: "sr windows-1250 and Content-Language", body: "Poštovani, tražim zapisnik sa sednice komisije za dodelu sredstava.", charset: "windows-1250", contLang: "sr-Latn-RS", want: inquiry.SerbianLatin},
	{name: "sr above English thread", subject: "Re: Festival programme", body: "Da li ima novih informacija o ulaznicama za studente?" + threadEN, want: inquiry.SerbianLatin},
	{name: "sr with Samsung footer", body: "Molim vas informaciju o radnom vremenu biblioteke." + "\n\nSent from my Samsung Galaxy smartphone.", want: inquiry.SerbianLatin},
	{name: "sr body, English subject", subject: "Request", body: "Postovani, molim vas za informaciju o konkursu za sportske klubove iz Gracanice.", want: inquiry.SerbianLatin},
	{name: "sr two words", body: "hvala, cekam odgovor", want: inquiry.SerbianLatin},
	{name: "sr see attached", subject: "Zahtev", body: "u prilogu vam saljem zahtev", attach: true, want: inquiry.SerbianLatin},
	{name: "sr iso-8859-2", body: "Poštovani, želim da prijavim našu udrugu na konkurs. Šta je potrebno?", charset: "iso-8859-2", want: inquiry.SerbianLatin},
	{name: "sr footer only, Content-Language sr-Latn", body: "Sent from my iPhone", contLang: "sr-Latn-RS", attach: true, want: inquiry.SerbianLatin},
	{name: "sr, Content-Language en-US", body: "postovani, molim vas dostavite spisak korisnika sredstava za 2025. godinu", contLang: "en-US", want: inquiry.SerbianLatin},
	{name: "bs Bosniak from Dragash", body: "Pozdrav, interesuje me da li ima konkurs za kulturne manifestacije u Dragašu. Trebam i obrazac.", want: inquiry.SerbianLatin},
	{name: "sr short, Android footer", body: "molim vas broj telefona kancelarije" + "\n\nGet Outlook for Android", want: inquiry.SerbianLatin},
	{name: "sr above Outlook header block", body: "Postovani, kada mozemo ocekivati odgovor?\n\nFrom: Festival Office <office@festival.example>\nSent: Monday, November 30, 2026 10:12 AM\nTo: Milan <milan@example.net>\nSubject: Volunteers\n\nDear Milan, we are still looking for volunteers for the opening night.", want: inquiry.SerbianLatin},

	// Serbian, Cyrillic script.
	{name: "sr-Cyrl request", body: "Поштовани, молим вас да ми доставите копију уговора о реновирању стадиона.", want: inquiry.SerbianCyrl},
	{name: "sr-Cyrl with Latin signature", body: "Поштовани, занима ме када почиње конкурс за младе.\n\nMarko Petrović\nKoSSev\nhttps://kossev.info" + footerIPhone, want: inquiry.SerbianCyrl},
	{name: "sr-Cyrl one word", body: "хвала", want: inquiry.SerbianCyrl},
	{name: "sr-Cyrl, Content-Language en-US", body: "Молим вас информацију о радном времену музеја.", contLang: "en-US", want: inquiry.SerbianCyrl},
	{name: "sr-Cyrl empty body, subject", subject: "Захтев за приступ документима", attach: true, want: inquiry.SerbianCyrl},
	{name: "sr-Cyrl windows-1251", body: "Поштовани, тражим записник са седнице.", charset: "windows-1251", want: inquiry.SerbianCyrl},

	// English.
	{name: "en question", body: "Hello, could you send me the schedule of the youth festival? Thanks", want: inquiry.English},
	{name: "en journalist, Albanian name", body: "Dear Sir/Madam, I am a journalist with Reuters. Could you comment on the closure of the national theatre?\n\nBest,\nArbër Gashi\nGazeta Express", want: inquiry.English},
	{name: "en short", body: "any update?", want: inquiry.English},
	{name: "en, Content-Language sq", body: "Hello, I live in Germany and would like to know how to register my club for the diaspora games.", contLang: "sq-AL", want: inquiry.English},
	{name: "en see attached", subject: "Application", body: "please see attached", attach: true, want: inquiry.English},
	{name: "en above Albanian quote", body: "Thank you, when can I expect the documents?\n\nMë 30 nëntor 2026, DKP <komunikimi@mkrs.example> shkroi:\n> Të nderuar,\n> Mesazhin tuaj e kemi pranuar dhe e kemi regjistruar.\n", want: inquiry.English},
	{name: "en windows-1250 Outlook", body: "Dear colleagues, please find attached our proposal for the cultural heritage days.", charset: "windows-1250", attach: true, want: inquiry.English},
	{name: "en with Albanian closing", body: "Hi, is the museum open on public holidays?\n\nMe respekt,\nBesa" + footerIPhone, want: inquiry.English},
	{name: "en subject only", subject: "Request for information on sports grants", attach: true, want: inquiry.English},

	// Nothing in the text.
	{name: "file only, Content-Language sr-Latn", attach: true, contLang: "sr-Latn", want: inquiry.SerbianLatin},
	{name: "file only, Content-Language en-GB", attach: true, contLang: "en-GB", want: inquiry.English},
	{name: "file only, nothing else", attach: true, want: inquiry.UndefinedLang},
	{name: "iPhone footer and file only", body: "Sent from my iPhone", attach: true, want: inquiry.UndefinedLang},
}

// langRaw writes m as a mail client would.
func langRaw(i int, m langMail) []byte {
	cs := m.charset
	if cs == "" {
		cs = "utf-8"
	}
	var h strings.Builder
	fmt.Fprintf(&h, "From: Qytetar %d <qytetar%d@example.net>\r\nTo: komunikimi@mkrs.example\r\n", i, i)
	if m.subject != "" {
		fmt.Fprintf(&h, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.subject))
	}
	fmt.Fprintf(&h, "Message-ID: <lang%d@example.net>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n", i)
	if m.contLang != "" {
		fmt.Fprintf(&h, "Content-Language: %s\r\n", m.contLang)
	}
	body := m.body
	switch cs {
	case "windows-1250":
		body, _ = charmap.Windows1250.NewEncoder().String(body)
	case "iso-8859-2":
		body, _ = charmap.ISO8859_2.NewEncoder().String(body)
	case "windows-1251":
		body, _ = charmap.Windows1251.NewEncoder().String(body)
	}
	var qp strings.Builder
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	w.Close()
	text := "Content-Type: text/plain; charset=\"" + cs + "\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp.String() + "\r\n"
	if !m.attach {
		return []byte(h.String() + text)
	}
	h.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n" + text +
		"--b1\r\nContent-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n--b1--\r\n")
	return []byte(h.String())
}

// TestAckLanguageOfCitizensMail runs each mail through the parser and the
// desk with the built-in classifier and reads the language of the ticket
// and of the acknowledgement it queued.
func TestAckLanguageOfCitizensMail(t *testing.T) {
	f := newFixture(t)
	type tally struct{ right, all int }
	per := map[inquiry.Language]*tally{}
	var wrong []string
	for i, lm := range langMails {
		m := parse.Parse(langRaw(i, lm), f.now, parse.Options{})
		m.SourceID = fmt.Sprintf("lang%d", i)
		if d := f.handle(m); d != inquiry.Filed {
			t.Fatalf("%s: %s, want filed", lm.name, d)
		}
		tk := f.ticket(inquiry.FormatNumber("DKP", 2026, i+1))
		acks := jobsOf(f.jobs(tk.Number), inquiry.JobAck)
		if len(acks) != 1 {
			t.Fatalf("%s: %d acknowledgements", lm.name, len(acks))
		}
		got := tk.Language
		if got == "" {
			got = inquiry.UndefinedLang
		}
		ack := ackLanguage(acks[0].Mail.Text)
		ok := got == lm.want && ack == ackLanguageOf(lm.want)
		key := lm.want
		if per[key] == nil {
			per[key] = &tally{}
		}
		per[key].all++
		if ok {
			per[key].right++
		} else {
			wrong = append(wrong, fmt.Sprintf("%s: ticket %s, acknowledged in %s; want %s", lm.name, got, ack, lm.want))
		}
	}
	right := 0
	for _, l := range []inquiry.Language{inquiry.Albanian, inquiry.SerbianLatin, inquiry.SerbianCyrl, inquiry.English, inquiry.UndefinedLang} {
		if tl := per[l]; tl != nil {
			t.Logf("%-7s %2d/%2d", l, tl.right, tl.all)
			right += tl.right
		}
	}
	t.Logf("all     %2d/%2d", right, len(langMails))
	for _, w := range wrong {
		t.Error(w)
	}
}

// ackLanguage tells an acknowledgement's language by its thanks line; an
// Albanian one with the English line is "sq+en".
func ackLanguage(text string) string {
	switch {
	case strings.Contains(text, "Faleminderit që na keni shkruar") && strings.Contains(text, "(English:"):
		return "sq+en"
	case strings.Contains(text, "Faleminderit që na keni shkruar"):
		return "sq"
	case strings.Contains(text, "Хвала"):
		return "sr-Cyrl"
	case strings.Contains(text, "Hvala"):
		return "sr-Latn"
	case strings.Contains(text, "Thank you"):
		return "en"
	}
	return "?"
}

func ackLanguageOf(l inquiry.Language) string {
	if l == inquiry.UndefinedLang {
		return "sq+en"
	}
	return string(l)
}

// TestMailLanguageFromEarlierTickets files mails whose words tell nothing
// after earlier tickets of the same sender: the language the sender was
// answered in before goes first, then the mail's Content-Language.
func TestMailLanguageFromEarlierTickets(t *testing.T) {
	type mail struct {
		from string
		lm   langMail
		want inquiry.Language
	}
	tests := []struct {
		name  string
		mails []mail
	}{
		{"an Albanian writer's scan under an English client", []mail{
			{"arta@example.net", langMail{body: "Te nderuar, kerkoj kopjen e vendimit per subvencionet e vitit 2025."}, inquiry.Albanian},
			{"arta@example.net", langMail{body: "Sent from my iPhone", contLang: "en-US", attach: true}, inquiry.Albanian},
		}},
		{"a Serbian writer's bare scan", []mail{
			{"milan@example.net", langMail{body: "Postovani, molim vas informaciju o konkursu za sportske klubove."}, inquiry.SerbianLatin},
			{"milan@example.net", langMail{attach: true}, inquiry.SerbianLatin},
		}},
		{"a new sender's scan under an English client", []mail{
			{"john@example.org", langMail{attach: true, contLang: "en-GB"}, inquiry.English},
		}},
		{"an earlier ticket with nothing to tell", []mail{
			{"besa@example.net", langMail{subject: "001", attach: true}, inquiry.UndefinedLang},
			{"besa@example.net", langMail{subject: "002", attach: true, contLang: "sq"}, inquiry.Albanian},
			{"besa@example.net", langMail{subject: "003", attach: true}, inquiry.Albanian},
		}},
		{"clear words over the earlier ticket", []mail{
			{"dren@example.net", langMail{body: "Pershendetje, a eshte hapur muzeu te dielen?"}, inquiry.Albanian},
			{"dren@example.net", langMail{body: "Hello, my colleague from Berlin would like to visit the museum on Sunday."}, inquiry.English},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for i, ml := range tc.mails {
				raw := strings.Replace(string(langRaw(i, ml.lm)), fmt.Sprintf("Qytetar %d <qytetar%d@example.net>", i, i), ml.from, 1)
				m := parse.Parse([]byte(raw), f.now, parse.Options{})
				m.SourceID = fmt.Sprintf("seq%d", i)
				if d := f.handle(m); d != inquiry.Filed {
					t.Fatalf("mail %d: %s, want filed", i+1, d)
				}
				tk := f.ticket(inquiry.FormatNumber("DKP", 2026, i+1))
				ack := jobsOf(f.jobs(tk.Number), inquiry.JobAck)[0].Mail.Text
				if tk.Language != ml.want || ackLanguage(ack) != ackLanguageOf(ml.want) {
					t.Errorf("mail %d: ticket in %s, acknowledged in %s; want %s", i+1, tk.Language, ackLanguage(ack), ml.want)
				}
			}
		})
	}
}

// TestFollowUpLanguage: a citizen's reply keeps their ticket's language,
// unless the ticket had none and the reply tells one, or the citizen
// clearly wrote in another language.
func TestFollowUpLanguage(t *testing.T) {
	tests := []struct {
		name     string
		first    langMail
		reply    langMail
		want     inquiry.Language
		switched bool
	}{
		{"a scan, then Albanian words", langMail{attach: true}, langMail{body: "Pershendetje, a e keni marre dokumentin qe ju dergova?"}, inquiry.Albanian, true},
		{"a scan, then a scan declared Serbian", langMail{attach: true}, langMail{attach: true, contLang: "sr-Latn-RS"}, inquiry.SerbianLatin, true},
		{"Albanian, then English thanks", langMail{body: docRequestSQ}, langMail{body: "ok thanks" + footerIPhone}, inquiry.Albanian, false},
		{"Albanian, then an English paragraph", langMail{body: docRequestSQ}, langMail{body: "Hello, I am writing again because I would prefer to receive the answer in English, as I live abroad now."}, inquiry.English, true},
		{"Serbian, then a short line under an English client", langMail{body: "Postovani, molim vas kopiju ugovora o renoviranju stadiona."}, langMail{body: "Hvala, cekam", contLang: "en-US"}, inquiry.SerbianLatin, false},
		{"Albanian, then Albanian over an English quote", langMail{body: docRequestSQ}, langMail{body: "A ka ndonje lajm?" + threadEN}, inquiry.Albanian, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			first := parse.Parse(langRaw(1, tc.first), f.now, parse.Options{})
			first.SourceID = "first"
			f.handle(first)
			const number = "DKP-2026-000001"
			was := f.ticket(number).Language
			tc.reply.subject = "Re: Kërkesa [" + number + "]"
			reply := parse.Parse(langRaw(1, tc.reply), f.now, parse.Options{})
			reply.SourceID, reply.MessageID = "reply", "reply@example.net"
			if d := f.handle(reply); d != inquiry.Attached {
				t.Fatalf("reply: %s, want attached", d)
			}
			tk := f.ticket(number)
			if tk.Language != tc.want {
				t.Errorf("ticket in %s after the reply (was %s), want %s", tk.Language, was, tc.want)
			}
			entries, err := f.store.Entries(t.Context(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			noted := false
			for _, e := range entries {
				noted = noted || (e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "language of the ticket"))
			}
			if noted != tc.switched {
				t.Errorf("a note of the change: %v, want %v", noted, tc.switched)
			}
		})
	}
}

// TestAckLanguageSentOverSMTP sends a few of the acknowledgements through
// the real mailer to a go-smtp server and reads what arrived there.
func TestAckLanguageSentOverSMTP(t *testing.T) {
	srv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	mlr, err := mailer.New(mailer.Options{Addr: srv.Addr, Security: "none", Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mlr.Close() })
	picked := map[string]bool{
		"sq under Content-Language en-US": true, "sq journalist, disclaimer": true, "sr footer only, Content-Language sr-Latn": true,
		"bs ijekavian": true, "file only, Content-Language en-GB": true, "iPhone footer and file only": true,
	}
	f := newFixture(t)
	n := 0
	for i, lm := range langMails {
		if !picked[lm.name] {
			continue
		}
		m := parse.Parse(langRaw(i, lm), f.now, parse.Options{})
		m.SourceID = fmt.Sprintf("smtp%d", i)
		f.handle(m)
		n++
		ack := jobsOf(f.jobs(inquiry.FormatNumber("DKP", 2026, n)), inquiry.JobAck)[0].Mail
		if err := mlr.SendMail(t.Context(), ack); err != nil {
			t.Fatalf("%s: send: %v", lm.name, err)
		}
		got := srv.Mails()
		sent := parse.Parse(got[len(got)-1].Data, f.now, parse.Options{})
		if lang := ackLanguage(sent.Text); lang != ackLanguageOf(lm.want) {
			t.Errorf("%s: the acknowledgement that arrived is in %s, want %s:\n%s", lm.name, lang, lm.want, sent.Text)
		}
	}
	if n != len(picked) {
		t.Fatalf("%d of the %d picked mails found", n, len(picked))
	}
}

// TestForwardKeepsTheOfficersLanguageOut: the Content-Language of an
// officer's forward is the officer's mail client's; the citizen's mail it
// carries, a scan without words, is acknowledged in the fallback.
func TestForwardKeepsTheOfficersLanguageOut(t *testing.T) {
	scan := "From: Milica Jovanović <milica@example.rs>\r\nTo: zamira.ahmeti@mkrs.example\r\nSubject: 2026-11-23\r\n" +
		"Date: Mon, 23 Nov 2026 09:30:00 +0100\r\nMessage-ID: <milica-scan@example.rs>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: application/pdf; name=scan.pdf\r\nContent-Disposition: attachment; filename=scan.pdf\r\n\r\n%PDF-1.4\r\n"
	raw := vouchedFor + "From: Zamira Ahmeti <zamira.ahmeti@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\nSubject: Fwd: 2026-11-23\r\n" +
		"Date: Wed, 25 Nov 2026 11:00:00 +0100\r\nMessage-ID: <zamira-scan@mkrs.example>\r\nMIME-Version: 1.0\r\nContent-Language: sq-AL\r\n" +
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Ju lutem regjistrojeni.\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + scan + "\r\n--b1--\r\n"
	f := newForwardFixture(t)
	m := parse.Parse([]byte(raw), f.now, parseOptions())
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("forward: %s, want filed", d)
	}
	tk := f.ticket("DKP-2026-000001")
	if tk.Sender.Address != "milica@example.rs" {
		t.Fatalf("ticket of %s, want Milica's", tk.Sender.Address)
	}
	ack := jobsOf(f.jobs(tk.Number), inquiry.JobAck)[0].Mail.Text
	if tk.Language != inquiry.UndefinedLang || ackLanguage(ack) != "sq+en" {
		t.Errorf("ticket in %s, acknowledged in %s; want und, sq+en (the officer's client says nothing of Milica)", tk.Language, ackLanguage(ack))
	}
}
