package mailer

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// sendThrough sends m with a mailer to a go-smtp server and returns what
// the server received.
func sendThrough(t *testing.T, m *inquiry.Mail) []byte {
	t.Helper()
	be := &backend{}
	mlr, err := New(Options{Addr: startSMTP(t, be, nil, false), Security: SecurityNone,
		HelloName: "sportel.kultura.example.gov", Logger: testutil.DiscardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := mlr.SendMail(context.Background(), m); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	got := be.mails()
	if len(got) != 1 {
		t.Fatalf("server got %d mails", len(got))
	}
	return got[0].Data
}

// longestLine is the length of the longest line of raw, line end excluded.
func longestLine(raw []byte) int {
	n := 0
	for line := range bytes.Lines(raw) {
		n = max(n, len(bytes.TrimRight(line, "\r\n")))
	}
	return n
}

func TestReferencesServersAccept(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want string
	}{
		{"ordinary", "orig-1@example.org", "<orig-1@example.org>"},
		{"space in the left part", "20261130 101010.1234@pc.example.net", `<"20261130 101010.1234"@pc.example.net>`},
		{"quote and backslash in the left part", `a"b\c d@pc.example.net`, `<"a\"b\\c d"@pc.example.net>`},
		{"space in the right part", "x1@pc example.net", "<x1@[pcexample.net]>"},
		{"no right part", "20261130 101010", `<"20261130 101010">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail()
			m.InReplyTo = []string{tt.id}
			m.References = []string{"root@example.org", tt.id}
			raw := sendThrough(t, m)
			mr, err := mail.CreateReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := mr.Header.Get("In-Reply-To"); got != tt.want {
				t.Errorf("In-Reply-To %q, want %q", got, tt.want)
			}
			if got, want := mr.Header.Get("References"), "<root@example.org> "+tt.want; got != want {
				t.Errorf("References %q, want %q", got, want)
			}
		})
	}
}

func TestRenderRejectsBrokenReferences(t *testing.T) {
	for _, id := range []string{"", " ", "a>b@example.org", "a@b\r\nBcc: evil@example.org"} {
		m := sampleMail()
		m.References = []string{id}
		if _, err := Render(m, ""); err == nil || !strings.Contains(err.Error(), "referenced message id") {
			t.Errorf("Render with reference %q: error %v, want one about the referenced message id", id, err)
		}
	}
}

// A mail kept as an attachment (nested past the parser's limit, say) may
// have lines of any length; the relay must still get short lines, and the
// officer the bytes as they came.
func TestAttachmentsAreEncodedForTransport(t *testing.T) {
	long := strings.Repeat("x", 20000)
	nested := "--b1\r\nContent-Type: text/plain\r\n\r\n" + long + "\r\n--b1--\r\n"
	tests := []struct {
		name, contentType, wantType string
		content                     string
	}{
		{"nested multipart", "multipart/mixed; boundary=b1", "application/octet-stream", nested},
		{"forwarded mail", "message/rfc822", "application/octet-stream", "Subject: x\r\n\r\n" + long + "\r\n"},
		{"text in another charset", "text/plain; charset=windows-1250", "application/octet-stream", "\x8a" + long},
		{"long text line", "text/plain; charset=utf-8", "text/plain", long},
		{"binary", "application/pdf", "application/pdf", "%PDF\x00\xff" + long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleMail()
			m.Attachments = []inquiry.Attachment{{Name: "kept.bin", ContentType: tt.contentType,
				Content: []byte(tt.content), Size: int64(len(tt.content))}}
			raw := sendThrough(t, m)
			if n := longestLine(raw); n > 998 {
				t.Errorf("a line of %d octets reached the server; the limit is 998", n)
			}
			mr, err := mail.CreateReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				h, ok := p.Header.(*mail.AttachmentHeader)
				if !ok {
					continue
				}
				found = true
				if cte := h.Get("Content-Transfer-Encoding"); cte != "base64" {
					t.Errorf("Content-Transfer-Encoding %q, want base64", cte)
				}
				if ct, _, _ := h.ContentType(); ct != tt.wantType {
					t.Errorf("Content-Type %q, want %q", ct, tt.wantType)
				}
				body, err := io.ReadAll(p.Body)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(body, []byte(tt.content)) {
					t.Errorf("attachment came back as %d bytes, want the %d sent", len(body), len(tt.content))
				}
			}
			if !found {
				t.Error("no attachment in the mail")
			}
		})
	}
}
