package parse

import (
	"testing"
	"time"
)

// A display name in quotes that holds encoded words (Outlook, PHP mailers,
// contact forms write it) comes out decoded, as Gmail and Thunderbird show
// it; a name that only looks like one stays as written.
func TestEncodedWordsInAQuotedName(t *testing.T) {
	tests := []struct{ from, want string }{
		{`"=?UTF-8?Q?=C3=87lirim_Hoxha?=" <c@example.net>`, "Çlirim Hoxha"},
		{`"=?windows-1250?Q?=8Aerif_Gashi?=" <s@example.net>`, "Šerif Gashi"},
		{`=?UTF-8?Q?=C3=87lirim_Hoxha?= <c@example.net>`, "Çlirim Hoxha"},
		{`"Arta = Krasniqi" <a@example.net>`, "Arta = Krasniqi"},
	}
	for _, tt := range tests {
		raw := "From: " + tt.from + "\r\nSubject: x\r\nMessage-ID: <6@x>\r\n\r\nTekst\r\n"
		if m := Parse([]byte(raw), time.Now(), Options{}); m.From.Name != tt.want {
			t.Errorf("From %s: name %q, want %q", tt.from, m.From.Name, tt.want)
		}
	}
}
