package classifier

import (
	"context"
	"testing"

	"sportel/inquiry"
)

// typicalMessage is a mid-length email of the kind the mailbox gets most.
var typicalMessage = inquiry.Message{
	Channel: inquiry.ChannelEmail,
	Subject: "Kërkesë për kopje të kontratës",
	Text: "Të nderuar,\n\nJu lutem më dërgoni kopjen e kontratës për rinovimin e qendrës rinore në Gjilan, " +
		"së bashku me aneksin e buxhetit dhe faturat e paguara gjatë vitit 2025.\n\n" +
		"Faleminderit,\nArta Krasniqi\n\nDërguar nga iPhone-i im\n\n" +
		"Më 12 prill 2026, info@mkrs.example shkroi:\n> Ju lutem specifikoni kërkesën.",
}

func BenchmarkClassify(b *testing.B) {
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	msg := typicalMessage
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Classify(ctx, &msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectLanguage(b *testing.B) {
	for b.Loop() {
		DetectLanguage(typicalMessage.Text)
	}
}
