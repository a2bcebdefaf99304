package parse

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The fast path (the standard decoder) and the lenient one must agree on
// every input the standard decoder accepts, and the lenient one must still
// cope with what it does not.
func TestDecodeBase64Lenient(t *testing.T) {
	payload := []byte("Të nderuar, kërkoj kopjen e kontratës.\x00\xff binary tail")
	wrapped := wrap(base64.StdEncoding.EncodeToString(payload), 76, "\r\n")
	tests := []struct {
		name    string
		in      string
		want    []byte
		wantBad bool
	}{
		{"clean, CRLF lines", wrapped, payload, false},
		{"clean, LF lines", wrap(base64.StdEncoding.EncodeToString(payload), 76, "\n"), payload, false},
		{"empty", "", []byte{}, false},
		{"missing padding", strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("ab")), "="), []byte("ab"), false},
		{"spaces inside", "YWJj ZGVm", []byte("abcdef"), false},
		{"junk characters", "YWJj*ZGVm", []byte("abcdef"), true},
		{"one stray character", "YWJjZ", []byte("abc"), true},
		// A mailer that encodes each line on its own pads each one.
		{"separately padded lines", "VMOrIG5kZXJ1YXIs\r\nS8OrcmtvaiBrb250cmF0w6tuLg==\r\nTWUgcmVzcGVrdC4=\r\n",
			[]byte("Të nderuar,Kërkoj kontratën.Me respekt."), false},
		{"padding in the middle of a line", "YQ==Yg==Yw==", []byte("abc"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bad := decodeBase64Lenient([]byte(tt.in))
			if !bytes.Equal(got, tt.want) || bad != tt.wantBad {
				t.Errorf("decodeBase64Lenient(%q) = %q, bad %v; want %q, bad %v", tt.in, got, bad, tt.want, tt.wantBad)
			}
		})
	}
}

func wrap(s string, width int, eol string) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + eol)
		s = s[width:]
	}
	b.WriteString(s + eol)
	return b.String()
}

// A text part declared base64 that holds plain words (a contact form's
// script that writes the header and forgets to encode) is read as it
// came: decoded, its letters gave the officer and the classifier noise.
// Damaged base64 is still decoded.
func TestWordsDeclaredBase64(t *testing.T) {
	tests := []struct {
		name, body, want, problem string
	}{
		{"Albanian words", "Përshëndetje, kërkoj kopjen e vendimit nr. 12/2026.\r\nFaleminderit,\r\nArben\r\n",
			"kërkoj kopjen e vendimit nr. 12/2026", "not base64"},
		{"ASCII words only", "Postovani, trazim kopiju resenja broj 12 iz 2026 godine\r\nHvala\r\n",
			"trazim kopiju resenja broj 12", "not base64"},
		{"base64 with a stray character", "S8OrcmtvaiBrb3BqZW4gZSB2ZW5kaW1pdC4=*\r\n", "Kërkoj kopjen e vendimit.", "damaged base64"},
		{"base64 with a space", "S8OrcmtvaiBrb3Bq ZW4gZSB2ZW5kaW1pdC4=\r\n", "Kërkoj kopjen e vendimit.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: a@example.org\r\nSubject: Kerkese\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + tt.body
			m := Parse([]byte(raw), time.Time{}, Options{})
			if !strings.Contains(m.Text, tt.want) {
				t.Errorf("text %q, want it to hold %q", m.Text, tt.want)
			}
			problems := strings.Join(m.ParseProblems, "; ")
			if tt.problem == "" && problems != "" || !strings.Contains(problems, tt.problem) {
				t.Errorf("problems %q, want %q", problems, tt.problem)
			}
		})
	}
}
