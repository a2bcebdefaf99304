package mailer

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sportel/inquiry"
)

// BenchmarkRender renders an acknowledgement and a notification carrying a
// 200 KB file, the two kinds of mail the outbox sends most.
//
//	go test -run XXX -bench Render -benchmem ./mailer/
func BenchmarkRender(b *testing.B) {
	for _, tt := range benchMails() {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Render(tt.mail, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchMail is one of the mails the benchmarks send or render.
type benchMail struct {
	name string
	mail *inquiry.Mail
}

// benchMails are an acknowledgement and a notification carrying a 200 KB
// file, the two kinds of mail the outbox sends most.
func benchMails() []benchMail {
	withFile := sampleMail()
	withFile.Text += string(bytes.Repeat([]byte("Teksti i qytetarit, rresht pas rreshti.\n"), 40))
	withFile.Attachments = []inquiry.Attachment{{Name: "kerkesa.pdf", ContentType: "application/pdf",
		Content: bytes.Repeat([]byte("%PDF-1.7 \x00\x01\x02\xff"), 200_000/13)}}
	return []benchMail{{"ack", sampleMail()}, {"notification with file", withFile}}
}

// BenchmarkRenderRealistic renders mail shaped like what the outbox sends
// for each incoming mail: an acknowledgement to the citizen (Albanian with
// its English line, Serbian in Cyrillic or Latin, English) and a
// notification to an officer quoting the citizen's message, one in four
// with a file of 50–500 KB. They are rendered as SendMail renders them,
// into a buffer kept from the mail before. Each iteration renders the
// whole set, so µs/mail is ns/op divided by the set's size.
//
//	go test -run XXX -bench RenderRealistic -benchmem ./mailer/
func BenchmarkRenderRealistic(b *testing.B) {
	for _, tt := range []struct {
		name  string
		mails []*inquiry.Mail
	}{
		{"acks", realisticAcks()},
		{"notifications", realisticNotifications(false)},
		{"notifications with files", realisticNotifications(true)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var buf renderBuf
			for b.Loop() {
				for _, m := range tt.mails {
					m = asciiDomains(m)
					buf.b = slices.Grow(buf.b[:0], renderedSize(m))
					if err := render(&buf, m, ""); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(tt.mails)), "µs/mail")
		})
	}
}

// realisticAcks are acknowledgements as the desk's templates write them.
func realisticAcks() []*inquiry.Mail {
	texts := []struct{ name, greeting, text string }{
		{"Arbëresha Krasniqi", "I/E nderuar Arbëresha Krasniqi,", "Faleminderit që na keni shkruar. Mesazhin tuaj e kemi pranuar dhe e kemi regjistruar me numrin DKP-2026-000042.\n\n" +
			"Lloji: Kërkesë për qasje në dokumente publike.\n" +
			"Sipas Ligjit për qasje në dokumente publike, përgjigjen do ta merrni jo më vonë se më 13.02.2026.\n\n" +
			"Ju lutemi ruajeni numrin DKP-2026-000042. Për çdo plotësim mjafton t'i përgjigjeni këtij emaili.\n\n" +
			"(English: we have received your message and registered it as DKP-2026-000042. Under the Law on Access to Public Documents you will receive an answer by 13 February 2026.)\n\n" +
			"Me respekt,\nDivizioni për Komunikim Publik\nMinistria e Kulturës, Rinisë dhe Sportit\n"},
		{"Ђорђе Савић", "Поштовани/а Ђорђе Савић,", "Хвала што сте нам писали. Вашу поруку смо примили и завели под бројем DKP-2026-000043.\n\n" +
			"Врста: Захтев за приступ јавним документима.\n" +
			"У складу са Законом о приступу јавним документима, одговор ћете добити најкасније до 13.02.2026.\n\n" +
			"Молимо вас да сачувате број DKP-2026-000043. За сваку допуну довољно је да одговорите на ову поруку.\n\n" +
			"С поштовањем,\nОдељење за јавну комуникацију\nМинистарство културе, омладине и спорта\n"},
		{"Đorđe Šarić", "Poštovani/a Đorđe Šarić,", "Hvala što ste nam pisali. Vašu poruku smo primili i zaveli pod brojem DKP-2026-000044.\n\n" +
			"Vrsta: Žalba na rad službe.\n" +
			"Nadležni službenik će vam odgovoriti u najkraćem mogućem roku.\n\n" +
			"Molimo vas da sačuvate broj DKP-2026-000044. Za svaku dopunu dovoljno je da odgovorite na ovu poruku.\n\n" +
			"S poštovanjem,\nOdeljenje za javnu komunikaciju\nMinistarstvo kulture, omladine i sporta\n"},
		{"Jane Doe", "Dear Jane Doe,", "Thank you for writing to us. We have received your message and registered it under number DKP-2026-000045.\n\n" +
			"Type: Request for access to public documents.\n" +
			"Under the Law on Access to Public Documents, you will receive an answer no later than 13 February 2026.\n\n" +
			"Please keep the number DKP-2026-000045. To add anything, simply reply to this email.\n\n" +
			"Kind regards,\nPublic Communication Division\nMinistry of Culture, Youth and Sport\n"},
	}
	var mails []*inquiry.Mail
	for i, t := range texts {
		m := sampleMail()
		m.MessageID = fmt.Sprintf("ack.DKP-2026-%06d.1@kultura.example.gov", 42+i)
		m.To = []inquiry.Address{{Name: t.name, Address: fmt.Sprintf("citizen%d@example.org", i)}}
		m.ReplyTo = nil
		m.Subject = fmt.Sprintf("Re: Kërkesë për dokumentet e tenderit për rindërtimin e stadiumit [DKP-2026-%06d]", 42+i)
		m.InReplyTo = []string{fmt.Sprintf("CAF%d=xyz+q@mail.example.org", i)}
		m.References = []string{fmt.Sprintf("CAF%d=xyz+q@mail.example.org", i)}
		m.Headers = map[string]string{"X-Sportel-Ticket": fmt.Sprintf("DKP-2026-%06d", 42+i)}
		m.Text = t.greeting + "\n\n" + t.text
		mails = append(mails, m)
	}
	return mails
}

// realisticNotifications are notifications to an officer quoting a
// citizen's message of 1–4 KB; withFiles attaches a file of 50–500 KB to
// one in four.
func realisticNotifications(withFiles bool) []*inquiry.Mail {
	citizen := []string{
		"Përshëndetje,\n\nJu lutem të më dërgoni kopjet e kontratave të nënshkruara për rindërtimin e stadiumit të qytetit, " +
			"së bashku me aneksët dhe faturat e paguara deri më sot. Kërkoj gjithashtu procesverbalet e komisionit të vlerësimit.\n\n",
		"Поштовани,\n\nМолим вас да ми доставите копије уговора о реконструкцији градског стадиона, са свим анексима и " +
			"рачунима плаћеним до данас. Такође тражим записнике комисије за оцену понуда.\n\n",
		"Poštovani,\n\nMolim vas da mi dostavite kopije ugovora o rekonstrukciji gradskog stadiona, sa svim aneksima i " +
			"računima plaćenim do danas. Takođe tražim zapisnike komisije za ocenu ponuda. Hvala, Đurđa Čačić-Ćosić.\n\n",
		"Hello,\n\nI would like to request copies of the contracts signed for the renovation of the city stadium, together " +
			"with their annexes and the invoices paid so far, and the minutes of the evaluation committee.\n\n",
	}
	var mails []*inquiry.Mail
	for i := range 8 {
		var b strings.Builder
		fmt.Fprintf(&b, "Tiketë e re DKP-2026-%06d u është caktuar juve.\n\n", 42+i)
		b.WriteString("Kategoria: Qasje në dokumente publike (llm, 92%)\nDërguesi: Arbëresha Krasniqi <arbresha@example.org>\n" +
			"Kanali: email · Gjuha: sq\nZyrtari: Blerim Gashi\nAfati ligjor: 13.02.2026\n")
		b.WriteString("\nPër t'iu përgjigjur qytetarit, përgjigjuni këtij emaili: përgjigja juaj i dërgohet qytetarit nga adresa publike.\n")
		b.WriteString("\n----- Mesazhi origjinal -----\nSubjekti: Kërkesë për dokumente\n\n")
		for end := b.Len() + 1024*(1+i%4); b.Len() < end; { // 1–4 KB of the citizen's text
			b.WriteString(citizen[i%len(citizen)])
			b.WriteString("> " + citizen[(i+1)%len(citizen)])
		}
		b.WriteString("Me respekt,\nArbëresha\n")
		m := sampleMail()
		m.MessageID = fmt.Sprintf("notify.DKP-2026-%06d.1@kultura.example.gov", 42+i)
		m.To = []inquiry.Address{{Name: "Blerim Gashi", Address: "blerim.gashi@kultura.example.gov"}}
		m.Subject = fmt.Sprintf("[DKP-2026-%06d] Qasje në dokumente publike: Kërkesë për kontratat e stadiumit, aneksët dhe faturat e paguara", 42+i)
		m.InReplyTo, m.References = nil, nil
		m.AllowOutOfOffice = true
		m.Headers = map[string]string{"X-Sportel-Ticket": fmt.Sprintf("DKP-2026-%06d", 42+i)}
		m.Text = b.String()
		if withFiles && i%4 == 0 {
			size := 50_000 + i*56_000 // 50 KB and 498 KB
			content := make([]byte, size)
			for j := range content {
				content[j] = byte(j*7 + j>>8)
			}
			m.Attachments = []inquiry.Attachment{{Name: "kontrata e nënshkruar.pdf", ContentType: "application/pdf", Content: content, Size: int64(size)}}
		}
		mails = append(mails, m)
	}
	return mails
}
