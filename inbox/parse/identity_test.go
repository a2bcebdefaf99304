package parse

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

// formMail is a contact form's mail: a fixed Message-ID, the citizen in
// From and the text in the body. received is the relay's trace header.
func formMail(received, from, body string) string {
	return received +
		"From: " + from + "\n" +
		"To: dkp@mkrs-ks.org\n" +
		"Subject: Kontakt\n" +
		"Message-ID: <contact-form@site.example>\n" +
		"Content-Type: text/plain; charset=utf-8\n" +
		"\n" + body
}

func TestSourceIDTellsMessagesApart(t *testing.T) {
	const (
		relayA = "Received: from mx1.example (mx1.example [192.0.2.1]) by imap; Mon, 30 Nov 2026 10:10:10 +0100\n"
		relayB = "Received: from mx2.example (mx2.example [192.0.2.2]) by imap; Mon, 30 Nov 2026 11:11:11 +0100\n" +
			"X-Spam-Score: 0.1\n"
		body = "Kërkoj kopjen e kontratës.\nFaleminderit.\n"
	)
	base := formMail(relayA, "arta@example.net", body)
	tests := []struct {
		name  string
		other string
		same  bool
	}{
		{"redelivered through another relay", formMail(relayB, "arta@example.net", body), true},
		{"redelivered with CRLF line ends", strings.ReplaceAll(base, "\n", "\r\n"), true},
		{"trailing blanks added by a server", formMail(relayA, "arta@example.net", "Kërkoj kopjen e kontratës.  \nFaleminderit.\n\n\n"), true},
		{"address case differs", formMail(relayA, "Arta@Example.NET", body), true},
		{"another sender, same Message-ID and text", formMail(relayA, "besa@example.net", body), false},
		{"same sender, another text", formMail(relayA, "arta@example.net", "Një pyetje tjetër.\n"), false},
	}
	a := Parse([]byte(base), received, testOpts)
	if !strings.HasPrefix(a.SourceID, "mail:contact-form@site.example|arta@example.net|") {
		t.Fatalf("SourceID = %q, want the Message-ID, the sender and a body hash", a.SourceID)
	}
	if got := a.LegacySourceID; got != "msgid:contact-form@site.example" || a.LegacyExact {
		t.Errorf("LegacySourceID = %q", got)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Parse([]byte(tt.other), received, testOpts)
			if (a.SourceID == b.SourceID) != tt.same {
				t.Errorf("SourceIDs %q and %q: same = %v, want %v", a.SourceID, b.SourceID, !tt.same, tt.same)
			}
		})
	}
}

// Mail without a Message-ID is known by what its sender wrote: From, Date,
// Subject and body, never what relays add.
func TestSourceIDWithoutMessageID(t *testing.T) {
	mail := func(received, from, date, subject, body string) string {
		return received + "From: " + from + "\nDate: " + date + "\nSubject: " + subject + "\n\n" + body
	}
	const (
		relayA = "Received: from mx1.example by imap; Mon, 30 Nov 2026 10:10:10 +0100\n"
		relayB = "Received: from mx2.example by imap; Mon, 30 Nov 2026 11:11:11 +0100\n"
		date   = "Mon, 30 Nov 2026 10:00:00 +0100"
		body   = "Një pyetje.\n"
	)
	base := mail(relayA, "arta@example.net", date, "Pyetje", body)
	tests := []struct {
		name  string
		other string
		same  bool
	}{
		{"redelivered through another relay", mail(relayB, "arta@example.net", date, "Pyetje", body), true},
		{"CRLF line ends", strings.ReplaceAll(base, "\n", "\r\n"), true},
		{"another sender", mail(relayA, "besa@example.net", date, "Pyetje", body), false},
		{"written a minute later", mail(relayA, "arta@example.net", "Mon, 30 Nov 2026 10:01:00 +0100", "Pyetje", body), false},
		{"another subject", mail(relayA, "arta@example.net", date, "Pyetje tjetër", body), false},
		{"another text", mail(relayA, "arta@example.net", date, "Pyetje", "Dy pyetje.\n"), false},
	}
	a := Parse([]byte(base), received, testOpts)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Parse([]byte(tt.other), received, testOpts)
			if (a.SourceID == b.SourceID) != tt.same {
				t.Errorf("SourceIDs %q and %q: same = %v, want %v", a.SourceID, b.SourceID, !tt.same, tt.same)
			}
			if b.LegacySourceID == a.LegacySourceID {
				t.Errorf("the old raw-hash keys of two different byte strings are equal: %q", b.LegacySourceID)
			}
		})
	}
}

// writeNormalBody streams what the earlier normalised copy held: keys
// stored by earlier versions must still match.
func TestWriteNormalBodyMatchesCopy(t *testing.T) {
	// normalCopy is the earlier normalisation, kept here as the reference.
	normalCopy := func(body []byte) []byte {
		out := make([]byte, 0, len(body))
		for line := range bytes.Lines(body) {
			out = append(out, bytes.TrimRight(line, " \t\r\n")...)
			out = append(out, '\n')
		}
		return bytes.TrimRight(out, "\n")
	}
	tests := []struct{ name, body string }{
		{"empty", ""},
		{"one line", "Përshëndetje"},
		{"CRLF", "a\r\nb\r\n"},
		{"trailing blanks", "a \t\r\nb  \n"},
		{"blank lines inside", "a\n\n\nb\n"},
		{"blank lines at the end", "a\nb\n\n \r\n\t\n"},
		{"only blanks", " \n\r\n\t\n"},
		{"blank lines first", "\n\n  \na"},
		{"no final newline", "a\nb"},
		{"lone CR", "a\rb\r"},
		// Past the hash's 4 KB buffer: a line longer than it, base64-like
		// lines across several fills, blank lines around the fill edges.
		{"one line longer than the buffer", strings.Repeat("x", 10000) + "\r\n"},
		{"many base64 lines", strings.Repeat(strings.Repeat("QUJD", 19)+"\r\n", 300)},
		{"blank lines across fills", strings.Repeat(strings.Repeat("y", 4095)+"\n\n \n", 5) + "\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sha256.New()
			writeNormalBody(h, []byte(tt.body))
			if got, want := h.Sum(nil), sha256.Sum256(normalCopy([]byte(tt.body))); !bytes.Equal(got, want[:]) {
				t.Errorf("hash of %q differs from the earlier normalisation's", tt.body)
			}
		})
	}
}
