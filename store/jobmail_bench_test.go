package store

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
)

// benchMails are a mail's two jobs as the desk writes them for realistic
// mail (internal/mailgen): the officer's notification quoting the
// citizen's message, and the citizen's acknowledgement.
func benchMails() []*inquiry.Mail {
	date := time.Date(2026, 12, 5, 5, 53, 4, 422516162, time.UTC)
	office := inquiry.Address{Name: "Divizioni për Komunikim Publik", Address: "komunikimi@mkrs.example"}
	headers := map[string]string{"X-Sportel-Ticket": "DKP-2026-000003"}
	return []*inquiry.Mail{{
		MessageID: "sportel.notify.18754d16f0e85c4455a9a303@mkrs.example", Date: date, From: office,
		To: []inquiry.Address{{Name: "Jusuf Lushaku", Address: "jusuf.lushaku@mkrs.example"}}, ReplyTo: &office,
		Subject:     "[DKP-2026-000003] kërkesë për qasje në dokumente publike: Kerkese per qasje ne dokumente publike",
		AutoReplied: true, AllowOutOfOffice: true, Headers: headers,
		Text: "Tiketë e re DKP-2026-000003 u është caktuar juve.\n\nKategoria: kërkesë për qasje në dokumente publike (builtin, 98%)\n" +
			"Dërguesi: Mimoza Hoxha <c2@example.net>\nKanali: email · Gjuha: sq\nZyrtari: Jusuf Lushaku\nAfati ligjor: 14.12.2026\n\n" +
			"Për t'iu përgjigjur qytetarit, përgjigjuni këtij emaili: përgjigja juaj i dërgohet qytetarit nga adresa publike.\n\n" +
			"----- Mesazhi origjinal -----\nSubjekti: Kerkese per qasje ne dokumente publike\n\nMirëdita,\n\n" +
			"Kërkoj qasje në tekstin e plotë të planit të prokurimit të Ministrisë dhe në të gjitha shtojcat. " +
			"Jam gati të paguaj shpenzimet e kopjimit nëse ka.\n\nJu falemnderit,\nMimoza Hoxha\n\n--\nMimoza Hoxha\n" +
			"Kryetar i klubit sportiv\nTel: +383 45 630 352\n",
	}, {
		MessageID: "sportel.ack.fbc149dc37d31cde72e575c8@mkrs.example", Date: date, From: office,
		To:      []inquiry.Address{{Name: "Mimoza Hoxha", Address: "c2@example.net"}},
		Subject: "Re: Kerkese per qasje ne dokumente publike [DKP-2026-000003]", InReplyTo: []string{"x2@example.net"},
		References: []string{"x2@example.net"}, AutoReplied: true, Headers: headers,
		Text: "I/E nderuar Mimoza Hoxha,\n\nFaleminderit që na keni shkruar. Mesazhin tuaj e kemi pranuar dhe e kemi " +
			"regjistruar me numrin DKP-2026-000003.\n\nLloji: kërkesë për qasje në dokumente publike.\n" +
			"Sipas Ligjit për qasje në dokumente publike, përgjigjen do ta merrni jo më vonë se më 14.12.2026.\n\n" +
			"Ju lutemi ruajeni numrin DKP-2026-000003. Për çdo plotësim mjafton t'i përgjigjeni këtij emaili.\n\n" +
			"Me respekt,\nDivizioni për Komunikim Publik\n",
	}}
}

// BenchmarkJobMail is a mail's two jobs encoded as intake writes them and
// decoded as a claim reads them back: all as JSON (as the drivers did
// before mail_text), and with the text apart; for mail as internal/mailgen
// writes it (a notification's text 0.8 KB), and for a citizen's message of
// 4 KB more.
func BenchmarkJobMail(b *testing.B) {
	b.Run("mailgen", func(b *testing.B) { benchJobMail(b, benchMails()) })
	long := benchMails()
	long[0].Text += strings.Repeat("Kërkoj qasje në tekstin e plotë të planit të prokurimit të Ministrisë dhe në të gjitha shtojcat.\n", 40)
	b.Run("4KB", func(b *testing.B) { benchJobMail(b, long) })
}

func benchJobMail(b *testing.B, mails []*inquiry.Mail) {
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, m := range mails {
				js, err := json.Marshal(m)
				if err != nil {
					b.Fatal(err)
				}
				if err := json.Unmarshal(js, new(inquiry.Mail)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("apart", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, m := range mails {
				js, text, err := EncodeJobMail(m)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := DecodeJobMail([]byte(js), text.(string), true); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
