package parse

import (
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
	if got := a.LegacySourceID(); got != "msgid:contact-form@site.example" {
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
