package mailer

import (
	"bytes"
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
