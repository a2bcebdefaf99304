package main

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// demoMail is one sample message the demo delivers to the mailbox.
type demoMail struct {
	from, replyTo, subject, body string
	// charset is the body's encoding on the wire (default utf-8), to show
	// that windows-1250 mail from older clients reads correctly.
	charset string
	extra   []string // extra header lines
}

// demoInbox is what a morning at the division might bring: requests for
// documents, journalists, questions, in Albanian (with and without ë/ç),
// Serbian in both scripts and English, a contact-form mail and a newsletter.
var demoInbox = []demoMail{
	{
		from:    "Arben Krasniqi <arben.krasniqi@example.net>",
		subject: "Kërkesë për qasje në dokumente publike",
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit të qytetit në Prizren, bashkë me aneksin e saj dhe raportin e pranimit të punimeve.\n\n" +
			"Dokumentet mund t'm'i dërgoni në formë elektronike.\n\nMe respekt,\nArben Krasniqi\nPrizren",
	},
	{
		from:    "Vjosa Gashi <vjosa.gashi@kulturasot.example>",
		subject: "deklarate per teatrin",
		body: "pershendetje, jam gazetare ne portalin Kultura Sot. a mundet zedhenesi i ministrise me na dhene nje " +
			"deklarate per mbylljen e teatrit ne Gjakove? po e pergatisim shkrimin per neser.\n\nfaleminderit\nVjosa",
	},
	{
		from:    "Besnik Hoxha <besnik.hoxha@example.com>",
		subject: "Subvencione per klubet sportive",
		body:    "Përshëndetje, kur hapet thirrja për subvencione për klubet sportive këtë vit dhe cilat janë kushtet? Jemi klub i vogël boksi në Ferizaj.",
	},
	{
		from:    "Milica Jovanović <milica.jovanovic@example.rs>",
		subject: "Zahtev za pristup dokumentima",
		charset: "windows-1250",
		body: "Poštovani,\n\nU skladu sa Zakonom o pristupu javnim dokumentima, molim vas da mi dostavite spisak korisnika " +
			"grantova za kulturu u 2025. godini za opštinu Gračanica, sa iznosima.\n\nS poštovanjem,\nMilica Jovanović",
	},
	{
		from:    "Ненад Петровић <nenad.petrovic@kim-radio.example>",
		subject: "Захтев за интервју",
		body: "Поштовани,\n\nновинар сам радија КиМ. Молимо вас за кратак интервју са министром о обнови " +
			"домова културе у српским срединама, за емисију у петак.\n\nСрдачан поздрав,\nНенад Петровић",
	},
	{
		from:    "Liridona Berisha <liridona.b@example.org>",
		subject: "Scholarships for young athletes",
		body:    "Hello, I am a student from Prizren and I train athletics. Are there scholarships for young athletes this year, and how do I apply?\n\nThank you,\nLiridona\n\nSent from my iPhone",
	},
	{
		from:    "Tom Whitaker <t.whitaker@balkanreview.example>",
		subject: "Request for documents: audit of the culture grants programme",
		body: "Dear Sir or Madam,\n\nI am a reporter with Balkan Culture Review. Under the Law on Access to Public Documents, " +
			"I request copies of the National Audit Office's report on the ministry's 2024 culture grants programme and the ministry's " +
			"action plan in response to it.\n\nKind regards,\nTom Whitaker",
	},
	{
		from:    "Faqja e Ministrisë <no-reply@web.mkrs.example>",
		replyTo: "Drita Berisha <drita.berisha@example.org>",
		subject: "Formulari i kontaktit",
		body:    "Emri: Drita Berisha\nMesazhi: Si mund të aplikoj për leje për renovimin e një shtëpie në Prizren që është e mbrojtur si trashëgimi kulturore?",
	},
	{
		from:    "Europa Kreative <newsletter@creative-europe.example>",
		subject: "Newsletter: new calls for cultural cooperation projects",
		body:    "This month: three new calls for cooperation projects. To unsubscribe, follow the link below.",
		extra:   []string{"List-Id: <creative-news.creative-europe.example>", "List-Unsubscribe: <mailto:leave@creative-europe.example>", "Precedence: bulk"},
	},
	{
		from:    "Dardan Morina <dardan.morina@example.net>",
		subject: "ankese per qendren rinore",
		body:    "qendra rinore ne Podujeve eshte e mbyllur qe 2 jave, femijet s'kane ku te shkojne. kush eshte pergjegjes per kete?",
	},
}

// raw renders the sample as the MTA would deliver it.
func (m demoMail) raw(id string, date time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", encodeAddress(m.from))
	if m.replyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\r\n", encodeAddress(m.replyTo))
	}
	b.WriteString("To: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\r\n")
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.subject))
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s>\r\n", id)
	for _, h := range m.extra {
		b.WriteString(h + "\r\n")
	}
	charset := m.charset
	body := m.body
	if charset == "windows-1250" {
		enc, err := charmap.Windows1250.NewEncoder().String(body)
		if err == nil {
			body = enc
		} else {
			charset = ""
		}
	}
	if charset == "" {
		charset = "utf-8"
	}
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=%s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", charset)
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	_ = qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

// encodeAddress encodes a non-ASCII display name as RFC 2047.
func encodeAddress(a string) string {
	i := strings.LastIndex(a, " <")
	if i < 0 {
		return a
	}
	return mime.QEncoding.Encode("utf-8", a[:i]) + a[i:]
}
