package classifier

import (
	"testing"

	"sportel/inquiry"
)

// TestMessageLanguageWithDeclared runs mails through Classify with the
// Content-Language the parser found: clear words decide, Albanian or
// Serbian declared decides what the words do not, English declared is left
// to the desk ("und" here), and a footer or a contact block under the
// words is no evidence.
func TestMessageLanguageWithDeclared(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		subject  string
		text     string
		declared inquiry.Language
		channel  inquiry.Channel
		want     inquiry.Language
	}{
		{name: "clear Albanian over English declared", text: "Përshëndetje, kur hapet konkursi për projektet kulturore të të rinjve?", declared: inquiry.English, want: inquiry.Albanian},
		{name: "clear Serbian over Albanian declared", text: "postovani, molim vas dostavite kopiju ugovora", declared: inquiry.Albanian, want: inquiry.SerbianLatin},
		{name: "Cyrillic over English declared", text: "Молим вас информацију.", declared: inquiry.English, want: inquiry.SerbianCyrl},
		{name: "unclear words, Albanian declared", text: "ok po pres", declared: inquiry.Albanian, want: inquiry.Albanian},
		{name: "phone footer only, Serbian declared", text: "Sent from my iPhone", declared: inquiry.SerbianLatin, want: inquiry.SerbianLatin},
		{name: "phone footer only", text: "Sent from my iPhone", want: inquiry.UndefinedLang},
		{name: "phone footer only, English declared", text: "Sent from my iPhone", declared: inquiry.English, want: inquiry.UndefinedLang},
		{name: "quote only", text: "> Dear Sir, thank you for your message about the festival.", want: inquiry.UndefinedLang},
		{name: "nothing, Cyrillic declared", declared: inquiry.SerbianCyrl, want: inquiry.SerbianCyrl},
		{name: "subject when the body is empty", subject: "Kërkesë për qasje në dokument", declared: inquiry.English, want: inquiry.Albanian},
		{name: "English notice under Albanian", text: "Ju lutem na dergoni programin e festivalit.\n\nArta Berisha\nEditor, Kosovo 2.0\nT: +383 38 123 456\nThis email and any files transmitted with it are confidential and intended solely for the use of the individual or entity to whom they are addressed.", want: inquiry.Albanian},
		{name: "English contact block under Serbian", text: "Da li je biblioteka otvorena subotom?\n\nMilan Jovanovic\nProject Manager, Youth Hub\nMobile: +381 63 123 4567\nhttps://youthhub.example", want: inquiry.SerbianLatin},
		{name: "a Telegram app's language is not weighed here", text: "👍", declared: inquiry.Albanian, channel: inquiry.ChannelTelegram, want: inquiry.UndefinedLang},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := tc.channel
			if ch == "" {
				ch = inquiry.ChannelEmail
			}
			m := &inquiry.Message{Channel: ch, Subject: tc.subject, Text: tc.text, ClientLanguage: tc.declared}
			res, err := c.Classify(t.Context(), m)
			if err != nil {
				t.Fatal(err)
			}
			if res.Language != tc.want {
				t.Errorf("language %s, want %s", res.Language, tc.want)
			}
		})
	}
}

func TestLanguageWords(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"a footer alone is nothing", "Sent from my iPhone", ""},
		{"a quote alone is nothing", "> Faleminderit\n> DKP", ""},
		{"words kept", "A ka lajme?\n\nSent from my iPhone", "A ka lajme?"},
		{"contact block dropped", "A ka lajme?\n\nArben Krasniqi\nBIRN Kosovo\n+383 44 123 456", "A ka lajme?"},
		{"a notice and what follows dropped", "A ka lajme?\nThis e-mail is confidential and intended only for its addressee.\nIf you received it by mistake, delete it.", "A ka lajme?"},
		{"a contact block alone is kept", "Arben Krasniqi\nBIRN Kosovo\n+383 44 123 456", "Arben Krasniqi\nBIRN Kosovo\n+383 44 123 456"},
		{"a paragraph with a number in a sentence is kept", "A ka lajme?\n\nMe telefononi ne numrin tim nese keni pyetje: +383 44 123 456", "A ka lajme?\n\nMe telefononi ne numrin tim nese keni pyetje: +383 44 123 456"},
		{"a long last paragraph is kept", "A ka lajme?\n\nKam shkruar edhe me pare por nuk kam marre pergjigje nga zyra juaj per kete ceshtje.\nwww.example.org", "A ka lajme?\n\nKam shkruar edhe me pare por nuk kam marre pergjigje nga zyra juaj per kete ceshtje.\nwww.example.org"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := languageWords(tc.text); got != tc.want {
				t.Errorf("languageWords = %q, want %q", got, tc.want)
			}
		})
	}
}
