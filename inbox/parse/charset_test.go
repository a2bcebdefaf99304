package parse

import (
	"strings"
	"testing"
	"time"
)

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name, label string
		in          string
		want        string
		problem     string // "" means none
	}{
		{"utf-8", "UTF-8", "Përshëndetje " + letters, "Përshëndetje " + letters, ""},
		{"us-ascii", "us-ascii", "plain", "plain", ""},
		{"quoted label", `"windows-1250"`, "\x9ea\x9ea", "žaža", ""},
		{"windows-1250", "windows-1250", "P\xebrsh\xebndetje \xeb \xe7 \xe8 \xe6 \x9a \x9e \xf0", "Përshëndetje " + letters, ""},
		{"iso-8859-2", "ISO-8859-2", "Tra\xbeim re\xb9enje \xeb \xe7 \xe8 \xe6 \xb9 \xbe \xf0", "Tražim rešenje " + letters, ""},
		{"windows-1251", "windows-1251", "\xcf\xee\xf8\xf2\xee\xe2\xe0\xed\xe8 \x80\xee\xf0\x90\xe5", "Поштовани Ђорђе", ""},
		{"latin1 read as windows-1252", "iso-8859-1", "\x93quoted\x94 caf\xe9", "“quoted” café", ""},
		{"iso-8859-2 carrying windows-1250 bytes", "iso-8859-2", "\x9aest \xe8lanova \x9eupa", "šest članova župa", "declared iso-8859-2, bytes are windows-1250"},
		{"windows-1250 carrying cyrillic", "windows-1250", "\xcf\xee\xf8\xf2\xee\xe2\xe0\xed\xe8, \xf2\xf0\xe0\xe6\xe8\xec", "Поштовани, тражим", "bytes look like windows-1251"},
		{"no charset, windows-1250 bytes", "", "\x8eupa \xe8lanova", "Župa članova", "declared no charset); decoded as windows-1250"},
		{"no charset, iso-8859-2 bytes", "", "\xa9est \xe8lanova \xbeupa", "Šest članova župa", "decoded as iso-8859-2"},
		{"no charset, windows-1251 bytes", "", "\xcf\xee\xf8\xf2\xee\xe2\xe0\xed\xe8", "Поштовани", "decoded as windows-1251"},
		{"declared windows-1250, bytes utf-8", "windows-1250", "članova", "članova", "declared windows-1250, text is utf-8"},
		{"unknown charset, utf-8 bytes", "x-foo", "čist tekst", "čist tekst", "unknown charset x-foo in part 1"},
		{"unknown charset, 8-bit bytes", "x-foo", "\x8eupa", "Župa", "unknown charset x-foo in part 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &parser{}
			got := p.decodeText([]byte(tc.in), tc.label, "part 1")
			if got != tc.want {
				t.Errorf("decodeText = %q, want %q", got, tc.want)
			}
			switch {
			case tc.problem == "" && len(p.problems) > 0:
				t.Errorf("unexpected problems %q", p.problems)
			case tc.problem != "" && (len(p.problems) != 1 || !strings.Contains(p.problems[0], tc.problem)):
				t.Errorf("problems %q, want one containing %q", p.problems, tc.problem)
			}
		})
	}
}

func TestDecodeTransfer(t *testing.T) {
	tests := []struct {
		name, enc, in, want string
		problem             bool
	}{
		{"qp escapes and soft breaks", "quoted-printable", "a=3Db=\r\nc=E8\nd", "a=bc\xe8\nd", false},
		{"qp soft break with trailing space", "Quoted-Printable", "ab= \nc", "abc", false},
		{"qp bare equals kept", "quoted-printable", "1 = 2 =ZZ", "1 = 2 =ZZ", false},
		{"qp equals at end", "quoted-printable", "end=", "end", false},
		{"base64 with line breaks", "base64", "MDEy\r\nMzQ1\n", "012345", false},
		{"base64 missing padding", "base64", "MDEyMw", "0123", false},
		{"base64 with junk", "base64", "MDEy!MzQ1", "012345", true},
		{"7bit", "7bit", "as is", "as is", false},
		{"unknown", "x-uuencode", "begin 644", "begin 644", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &parser{}
			got := string(p.decodeTransfer(tc.enc, []byte(tc.in), "part 1", false))
			if got != tc.want {
				t.Errorf("decodeTransfer = %q, want %q", got, tc.want)
			}
			if (len(p.problems) > 0) != tc.problem {
				t.Errorf("problems %q, want problem: %v", p.problems, tc.problem)
			}
		})
	}
}

// An HTML-only mail whose charset is only in its <meta>: the markup's
// ASCII letters would outweigh the text's own bytes in a guess.
func TestHTMLCharsetFromMeta(t *testing.T) {
	body := "<body><p>\xcf\xee\xf8\xf2\xee\xe2\xe0\xed\xe8, \xe7\xe0\xf5\xf2\xe5\xe2\xe0\xec \xea\xee\xef\xe8\xbc\xf3 \xf3\xe3\xee\xe2\xee\xf0\xe0.</p></body></html>"
	tests := []struct {
		name, contentType, head, want string
	}{
		{"http-equiv", "text/html", `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head>`, "Поштовани, захтевам копију уговора."},
		{"meta charset", "text/html", `<html><head><meta charset="windows-1251"></head>`, "Поштовани, захтевам копију уговора."},
		{"the header's charset wins", "text/html; charset=windows-1251", `<html><head><meta charset="utf-8"></head>`, "Поштовани, захтевам копију уговора."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: marko@example.rs\r\nSubject: Zahtev\r\nMessage-ID: <meta@example.rs>\r\nContent-Type: " + tt.contentType + "\r\n\r\n" + tt.head + body + "\r\n"
			m := Parse([]byte(raw), time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), Options{})
			if m.Text != tt.want {
				t.Errorf("text %q, want %q (problems %q)", m.Text, tt.want, m.ParseProblems)
			}
		})
	}
}

// An encoded word in a charset mime does not know itself costs about its
// decoder, not the 32 KiB io.Copy lends itself for a reader that cannot
// write itself out.
func TestEncodedWordCostsItsSize(t *testing.T) {
	p := &parser{}
	var got string
	n := allocated(func() { got = p.headerText("=?windows-1250?Q?=8Aerif_Gashi?=", "From header") })
	if got != "Šerif Gashi" {
		t.Fatalf("headerText = %q", got)
	}
	if n > 16<<10 {
		t.Errorf("decoding an encoded word allocated %d bytes", n)
	}
}
