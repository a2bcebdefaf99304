package parse

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestDecodeUTF7(t *testing.T) {
	tests := []struct {
		name, in, want     string
		replaced, eightBit int
	}{
		// RFC 2152's own examples.
		{"rfc example A≢Α.", "A+ImIDkQ.", "A≢Α.", 0, 0},
		{"rfc example smiley, '-' absorbed then literal", "Hi Mom -+Jjo--!", "Hi Mom -☺-!", 0, 0},
		{"rfc example Japanese", "+ZeVnLIqe-", "日本語", 0, 0},
		{"rfc example pound, implicit end", "Item 3 is +AKM-1.", "Item 3 is £1.", 0, 0},
		{"rfc example 1 + 1 = 2", "1 +- 1 +AD0 2", "1 + 1 = 2", 0, 0},

		{"Albanian", "P+AOs-rsh+AOs-ndetje", "Përshëndetje", 0, 0},
		{"implicit end at a space", "n+AOs vitin", "në vitin", 0, 0},
		{"implicit end at punctuation", "+AOc, +AOs, +AQ0.", "ç, ë, č.", 0, 0},
		{"'-' after a shift absorbed once", "+AOs--", "ë-", 0, 0},
		{"shift at the end without '-'", "Bes+AOs", "Besë", 0, 0},
		{"two shifts in a row", "+AOs-+AOc-", "ëç", 0, 0},
		{"plus escaped", "C+-+- a+-b", "C++ a+b", 0, 0},
		{"ASCII in base64", "+AGEAYg-", "ab", 0, 0},
		{"Cyrillic", "+BCIEQAQwBDYEOAQ8-", "Тражим", 0, 0},
		{"surrogate pair", "+2D3eAA-", "😀", 0, 0},
		{"surrogate pair after BMP in one shift", "+AOvYPd4A-", "ë😀", 0, 0},
		{"non-zero padding bits lose nothing", "+AOt-", "ë", 0, 0},
		{"outside the direct sets, taken as is", "a~b\\c\td\r\n", "a~b\\c\td\r\n", 0, 0},
		{"empty", "", "", 0, 0},

		{"lone plus at the end", "a+", "a\uFFFD", 1, 0},
		{"plus before a space", "a+ b", "a\uFFFD b", 1, 0},
		{"plus before punctuation", "a+!b", "a\uFFFD!b", 1, 0},
		{"code unit cut short", "+AOsA-x", "ë\uFFFDx", 1, 0},
		{"one base64 character alone", "+A-", "\uFFFD", 1, 0},
		{"high surrogate then a letter", "+2D0AYQ-", "\uFFFDa", 1, 0},
		{"high surrogate at the end of the shift", "+2D0-ok", "\uFFFDok", 1, 0},
		{"high surrogate then another high surrogate", "+2D3YPd4A-", "\uFFFD😀", 1, 0},
		{"lone low surrogate", "+3gA-", "\uFFFD", 1, 0},
		{"8-bit byte that is not UTF-8", "caf\xe9", "caf\uFFFD", 1, 0},
		{"raw UTF-8 kept", "café +AOs-", "café ë", 0, 1},
		{"truncated UTF-8 at the end", "ok\xc3", "ok\uFFFD", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, replaced, eightBit := decodeUTF7(nil, []byte(tt.in))
			if string(out) != tt.want || replaced != tt.replaced || eightBit != tt.eightBit {
				t.Errorf("decodeUTF7(%q) = %q, %d replaced, %d 8-bit; want %q, %d, %d",
					tt.in, out, replaced, eightBit, tt.want, tt.replaced, tt.eightBit)
			}
		})
	}
}

// encodeUTF7 writes s as RFC 2152 UTF-7, for the round trip in the fuzz
// test: ASCII other than '+' goes direct, everything else shifted, and each
// shift ends in '-'.
func encodeUTF7(s string) string {
	var b strings.Builder
	var units []byte
	flush := func() {
		if len(units) > 0 {
			b.WriteByte('+')
			b.WriteString(base64.RawStdEncoding.EncodeToString(units))
			b.WriteByte('-')
			units = units[:0]
		}
	}
	for _, r := range s {
		switch {
		case r == '+':
			flush()
			b.WriteString("+-")
		case r < utf8.RuneSelf:
			flush()
			b.WriteRune(r)
		default:
			for _, u := range utf16.Encode([]rune{r}) {
				units = append(units, byte(u>>8), byte(u))
			}
		}
	}
	flush()
	return b.String()
}

// FuzzDecodeUTF7: whatever comes, the decoder returns valid UTF-8 without
// panicking, and text encoded as UTF-7 comes back the same.
func FuzzDecodeUTF7(f *testing.F) {
	for _, s := range []string{
		"", "A+ImIDkQ.", "Hi Mom -+Jjo--!", "+ZeVnLIqe-", "1 +- 1 +AD0 2", "P+AOs-rsh+AOs-ndetje",
		"+2D3eAA-", "+2D0AYQ-", "+3gA-", "+AOsA-", "a+", "a+ b", "+++++", "+/v8-", "caf\xe9", "café",
		"Kërkesë për dokument 😀", "\x00+AAA-\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, replaced, eightBit := decodeUTF7(nil, in)
		if !utf8.Valid(out) {
			t.Fatalf("decodeUTF7(%q) = %q: not UTF-8", in, out)
		}
		if replaced < 0 || eightBit < 0 || replaced > 0 && !strings.ContainsRune(string(out), utf8.RuneError) {
			t.Fatalf("decodeUTF7(%q) = %q with %d replaced, %d 8-bit", in, out, replaced, eightBit)
		}
		s := strings.ToValidUTF8(string(in), "\uFFFD")
		enc := encodeUTF7(s)
		back, replaced, eightBit := decodeUTF7(nil, []byte(enc))
		if string(back) != s || replaced != 0 || eightBit != 0 {
			t.Fatalf("round trip of %q through %q gave %q (%d replaced, %d 8-bit)", s, enc, back, replaced, eightBit)
		}
	})
}

// Mail in UTF-7, as old Outlook Express and Windows mail setups send it,
// is read through the real parser: the body in each transfer encoding,
// the subject and the sender's name in encoded words.
func TestUTF7Mail(t *testing.T) {
	const (
		// "Përshëndetje,\nkërkoj kopjen e vendimit për financimin e
		// klubeve sportive në vitin 2025.\n\nMe respekt,\nBesë Gashi", as
		// Python's UTF-7 codec writes it.
		body = "P+AOs-rsh+AOs-ndetje,\nk+AOs-rkoj kopjen e vendimit p+AOs-r financimin e klubeve sportive n+AOs vitin 2025.\n\nMe respekt,\nBes+AOs Gashi\n"
		text = "Përshëndetje,\nkërkoj kopjen e vendimit për financimin e klubeve sportive në vitin 2025.\n\nMe respekt,\nBesë Gashi"
	)
	head := func(contentType, cte string) string {
		h := "From: =?utf-7?Q?Bes+AOs-_Gashi?= <besa@example.org>\nTo: dkp@mkrs-ks.org\nSubject: =?UTF-7?Q?K+AOs-rkes+AOs-_p+AOs-r_dokument?=\n" +
			"Date: Mon, 02 Mar 2026 10:15:00 +0100\nMessage-ID: <utf7-1@example.org>\nMIME-Version: 1.0\nContent-Type: " + contentType + "\n"
		if cte != "" {
			h += "Content-Transfer-Encoding: " + cte + "\n"
		}
		return h + "\n"
	}
	tests := []struct {
		name     string
		raw      string
		subject  string
		fromName string
		text     string
		problem  string // "" means none
	}{
		{"7bit", head("text/plain; charset=utf-7", "7bit") + body, "Kërkesë për dokument", "Besë Gashi", text, ""},
		{"label in capitals, quoted", head(`text/plain; charset="UTF-7"`, "") + body, "Kërkesë për dokument", "Besë Gashi", text, ""},
		{"quoted-printable, a soft break inside a shift", head("text/plain; charset=utf-7", "quoted-printable") +
			"P+AOs-rsh+AOs-ndetje, 1 +AD0 1 =3D 1.\nK+AOs=\n-rkoj kopjen.\n", "Kërkesë për dokument", "Besë Gashi",
			"Përshëndetje, 1 = 1 = 1.\nKërkoj kopjen.", ""},
		{"base64", head("text/plain; charset=utf-7", "base64") +
			"UCtBT3MtcnNoK0FPcy1uZGV0amUsDQprK0FPcy1ya29qIGtvcGplbiBlIHZlbmRpbWl0IHArQU9z\nLXIgZmluYW5jaW1pbiBlIGtsdWJldmUgc3BvcnRpdmUgbitBT3Mgdml0aW4gMjAyNS4NCg0KTWUg\ncmVzcGVrdCwNCkJlcytBT3MgR2FzaGkNCg==\n",
			"Kërkesë për dokument", "Besë Gashi", text, ""},
		{"subject in a B encoded word", strings.Replace(head("text/plain; charset=utf-7", ""), "=?UTF-7?Q?K+AOs-rkes+AOs-_p+AOs-r_dokument?=",
			"=?utf-7?B?SytBT3MtcmtlcytBT3MgcCtBT3MtciBkb2t1bWVudA==?=", 1) + body, "Kërkesë për dokument", "Besë Gashi", text, ""},
		{"Serbian, an em dash and an emoji", head("text/plain; charset=utf-7", "") + "Tra+AX4-im kopiju ugovora +IBQ +BAIEPgRABFIENQ +2D3eAA-\n",
			"Kërkesë për dokument", "Besë Gashi", "Tražim kopiju ugovora — Ђорђе 😀", ""},
		{"HTML alternative only", head("multipart/alternative; boundary=b", "") +
			"--b\nContent-Type: text/html; charset=utf-7\nContent-Transfer-Encoding: quoted-printable\n\n" +
			"+ADw-html+AD4APA-body+AD4APA-p+AD4-P+AOs-rsh+AOs-ndetje+ADw-/p+AD4APA-/body+AD4APA-/html+AD4-\n--b--\n",
			"Kërkesë për dokument", "Besë Gashi", "Përshëndetje", ""},
		{"broken sequences are replaced, the rest kept", head("text/plain; charset=utf-7", "") + "K+AOsA-rkoj a+ b +2D0-kopjen\n",
			"Kërkesë për dokument", "Besë Gashi", "Kë\uFFFDrkoj a\uFFFD b \uFFFDkopjen", "invalid UTF-7 in part 1: 3 sequence(s) replaced with U+FFFD"},
	}
	for _, tt := range tests {
		for ending, raw := range lineEndings(tt.raw) {
			t.Run(tt.name+"/"+ending, func(t *testing.T) {
				m := Parse(raw, received, testOpts)
				if m.Subject != tt.subject || m.From.Name != tt.fromName || m.From.Address != "besa@example.org" {
					t.Errorf("Subject %q, From %q <%s>; want %q, %q <besa@example.org>", m.Subject, m.From.Name, m.From.Address, tt.subject, tt.fromName)
				}
				wantText(t, m, tt.text)
				if tt.problem == "" {
					wantNoProblems(t, m)
				} else {
					wantProblem(t, m, tt.problem)
				}
			})
		}
	}
}
