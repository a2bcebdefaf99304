package parse

import (
	netmail "net/mail"
	"testing"
	"time"

	"sportel/inquiry"
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

// A sender with a quoted local part ("john doe"@example.org, as RFC 5321
// allows) is read as net/mail reads it, unquoted; the mailer quotes it
// again. A From that cannot be read is never cut into a guess that names
// someone else: no piece of a quoted local part (doe@example.org out of
// "john doe@example.org), and nothing with a quote or a control character
// in it, is taken for the sender.
func TestQuotedLocalPartSender(t *testing.T) {
	tests := []struct {
		name, from string
		want       inquiry.Address
		problem    string // "" none
	}{
		{"space", `"john doe"@example.org`, inquiry.Address{Address: "john doe@example.org"}, ""},
		{"space, with a name", `John Doe <"john doe"@example.org>`, inquiry.Address{Name: "John Doe", Address: "john doe@example.org"}, ""},
		{"quotes not needed", `"arta.k"@example.com`, inquiry.Address{Address: "arta.k@example.com"}, ""},
		{"folded inside the quotes", "\"john\r\n doe\"@example.org", inquiry.Address{Address: "john doe@example.org"}, ""},
		{"recovered beside a bad name", `Doe, John <"john doe"@example.org>`, inquiry.Address{Name: "Doe, John", Address: "john doe@example.org"}, "address recovered"},
		{"quote left open", `"john doe@example.org`, inquiry.Address{}, "unreadable From header"},
		{"quote left open in brackets", `John <"john@example.org>`, inquiry.Address{}, "unreadable From header"},
		{"stray quote", `john doe"@example.org`, inquiry.Address{}, "unreadable From header"},
		{"three quotes", `"john"doe"@example.org`, inquiry.Address{}, "unreadable From header"},
		{"NUL in the quotes", "\"john\x00doe\"@example.org", inquiry.Address{}, "unreadable From header"},
		{"unquoted comma name still recovered", `Petrović, Jovan <jovan@example.rs>`, inquiry.Address{Name: "Petrović, Jovan", Address: "jovan@example.rs"}, "address recovered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: " + tt.from + "\r\nSubject: x\r\nMessage-ID: <q@x>\r\n\r\nTekst\r\n"
			m := Parse([]byte(raw), time.Now(), Options{})
			if m.From != tt.want {
				t.Errorf("From %q read as %+v, want %+v", tt.from, m.From, tt.want)
			}
			if tt.problem == "" {
				wantNoProblems(t, m)
			} else {
				wantProblem(t, m, tt.problem)
			}
		})
	}
}

// A forward line's sender is read the same way.
func TestForwardedAddressQuotes(t *testing.T) {
	tests := []struct {
		line string
		want inquiry.Address
	}{
		{`"john doe"@example.org`, inquiry.Address{Address: "john doe@example.org"}},
		{`Arta Krasniqi [mailto:arta@example.org]`, inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"}},
		{`"Arta Krasniqi" [mailto:arta@example.org]`, inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"}},
		{`"john doe@example.org`, inquiry.Address{}},
		{`Doe [mailto:"john doe@example.org]`, inquiry.Address{}},
	}
	for _, tt := range tests {
		if got := forwardedAddress(tt.line); got != tt.want {
			t.Errorf("forwardedAddress(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

// parseDate reads every Date as net/mail's ParseDate does, and the common
// form without the 24 failed layouts (and their 72 allocations) before it.
func TestParseDateAsNetMail(t *testing.T) {
	values := []string{
		"Sat, 05 Dec 2026 04:09:26 +0100",
		"Sat, 5 Dec 2026 04:09:26 -0000",
		"sat, 05 dec 2026 04:09:26 +0000",
		"Mon, 02 Mar 26 10:15:00 +0100",
		"Sat, 05 Dec 2026 04:09 +0100",
		"Xyz, 05 Dec 2026 04:09:26 +0100",
		"Sat, 31 Feb 2026 04:09:26 +0100",
		"Sat, 05 Dec 2026 24:09:26 +0100",
		"Sat, 05 Dec 2026 04:09:26 +01:00",
		"Sat, 05 Dec 2026 04:09:26 +0100 (CET)",
		"Sat, 05 Dec 2026 04:09:26 GMT",
		"Sat, 05 Dec 2026 04:09:26 CET",
		"Sat, 05-Dec-2026 04:09:26 +0100",
		"Sat, 05 Dec 2026\r\n 04:09:26 +0100",
		"Sat, 05 Dec 2026 04:09:26\r+0100",
		"Sat,  5 Dec 2026 04:09:26 +0100",
		" Sat, 05 Dec 2026 04:09:26 +0100",
		"05 Dec 2026 04:09:26 +0100",
		"2026-12-05T04:09:26+01:00",
		"Sat +0100",
		"S+0100",
		"",
	}
	for _, v := range values {
		got, gotErr := parseDate(v)
		want, wantErr := netmail.ParseDate(v)
		if (gotErr == nil) != (wantErr == nil) || got.String() != want.String() || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; ParseDate gives %v, %v", v, got, gotErr, want, wantErr)
		}
	}
	if n := testing.AllocsPerRun(100, func() { parseDate("Sat, 05 Dec 2026 04:09:26 +0100") }); n != 0 {
		t.Errorf("parseDate of the common form allocates %v times, want none", n)
	}
}
