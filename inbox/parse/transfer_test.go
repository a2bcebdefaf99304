package parse

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
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
