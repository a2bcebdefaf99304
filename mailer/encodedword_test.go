package mailer

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
)

// A citizen's subject encoded twice (RFC 2047 inside RFC 2047) reaches the
// desk decoded once: it still reads "=?utf-8?b?…?=". Written out as it is,
// the reader's mail client would decode it again and show what neither
// textsafe nor the desk's link check saw: line breaks, escape sequences, a
// link in an acknowledgement. The subject must read back exactly as given.
func TestRenderEncodesTextThatReadsAsEncodedWords(t *testing.T) {
	b := func(s string) string { return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }
	tests := []struct{ name, subject string }{
		{"link in an acknowledgement", "Re: " + b("WIN 1000 EUR at http://evil.example") + " [DKP-2026-000042]"},
		{"line break and header", "Re: " + b("Kërkesë\r\nBcc: evil@example.org") + " [DKP-2026-000042]"},
		{"escape sequence", b("\x1b]0;pwned\x07") + " x"},
		{"q-encoded word", "=?utf-8?q?Hello=0D=0AWorld?="},
		{"adjacent words", b("a") + " " + b("b")},
		{"long", strings.Repeat(b("evil.example ")+" ", 60)},
		{"with letters to encode anyway", "Kërkesë " + b("http://evil.example")},
		{"no encoded word", "Re: =? is not a word"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail()
			m.Subject = tt.subject
			raw, err := Render(m, "")
			if err != nil {
				t.Fatal(err)
			}
			mr, err := mail.CreateReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := mr.Header.Subject(); err != nil || got != tt.subject {
				t.Errorf("a client reads the subject as %q (%v), want %q", got, err, tt.subject)
			}
			header, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			for line := range bytes.Lines(header) {
				line = bytes.TrimRight(line, "\r\n")
				if len(line) > 998 {
					t.Errorf("header line of %d octets", len(line))
				}
				for _, c := range line {
					if c < ' ' && c != '\t' || c > '~' {
						t.Fatalf("header line %q has byte %#x", line, c)
					}
				}
			}
		})
	}
}
