package parse

import (
	"testing"
	"time"

	"sportel/inquiry"
)

// TestContentLanguage reads the Content-Language that Outlook, Thunderbird
// and webmail write, on the mail or on its text part, into ClientLanguage.
func TestContentLanguage(t *testing.T) {
	const plain = "Content-Type: text/plain; charset=utf-8\r\n"
	tests := []struct {
		name   string
		header string // top-level fields
		part   string // the text part's own fields, in a multipart mail
		want   inquiry.Language
	}{
		{name: "Outlook Albanian", header: "Content-Language: sq-AL\r\n", want: inquiry.Albanian},
		{name: "Albanian of Kosovo", header: "Content-Language: sq-XK\r\n", want: inquiry.Albanian},
		{name: "Outlook Serbian Latin", header: "Content-Language: sr-Latn-RS\r\n", want: inquiry.SerbianLatin},
		{name: "Outlook Serbian Cyrillic", header: "Content-Language: sr-Cyrl-RS\r\n", want: inquiry.SerbianCyrl},
		{name: "Thunderbird Serbian, no script", header: "Content-Language: sr\r\n", want: inquiry.SerbianLatin},
		{name: "Bosnian", header: "Content-Language: bs-Latn-BA\r\n", want: inquiry.SerbianLatin},
		{name: "Croatian", header: "Content-Language: hr-HR\r\n", want: inquiry.SerbianLatin},
		{name: "Montenegrin", header: "Content-Language: cnr\r\n", want: inquiry.SerbianLatin},
		{name: "English", header: "Content-Language: en-US\r\n", want: inquiry.English},
		{name: "upper case, underscore", header: "Content-Language: SQ_AL\r\n", want: inquiry.Albanian},
		{name: "a list, the first of ours", header: "Content-Language: de-DE, sr-Latn\r\n", want: inquiry.SerbianLatin},
		{name: "another language", header: "Content-Language: tr-TR\r\n", want: ""},
		{name: "none", want: ""},
		{name: "garbage", header: "Content-Language: ,;(\r\n", want: ""},
		{name: "on the text part only", part: "Content-Language: sq\r\n", want: inquiry.Albanian},
		{name: "the mail's over the part's", header: "Content-Language: en-GB\r\n", part: "Content-Language: sq\r\n", want: inquiry.English},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: a@example.net\r\nTo: dkp@example.org\r\nSubject: x\r\nMessage-ID: <cl@example.net>\r\nMIME-Version: 1.0\r\n" + tc.header
			if tc.part == "" {
				raw += plain + "\r\nok\r\n"
			} else {
				raw += "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + plain + tc.part + "\r\nok\r\n" +
					"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n%PDF-1.4\r\n--b--\r\n"
			}
			m := Parse([]byte(raw), time.Now(), Options{})
			if m.ClientLanguage != tc.want {
				t.Errorf("ClientLanguage %q, want %q", m.ClientLanguage, tc.want)
			}
		})
	}
}
