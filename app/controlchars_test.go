package app

import (
	"strings"
	"testing"
)

// A citizen's subject, name and text holding terminal escapes reach the
// acknowledgement and the officer's notification, through the real IMAP
// and SMTP servers, with the escapes made visible and never raw (issue #9).
func TestE2EControlCharactersNeverReachMail(t *testing.T) {
	t.Parallel()
	const attack = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e"
	const shown = `\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e`
	s := newMemStack(t)
	in := inboundMail{
		from:      "Arta" + attack + " Krasniqi <arta.krasniqi@example.net>",
		subject:   "Kërkesë për dokumente" + attack,
		messageID: "e2e-escapes@example.net",
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit në Prizren." + attack + "\n\nMe respekt,\nArta",
	}
	s.append(in.raw())
	a, _ := s.serve()
	s.settle(a)

	tk := s.ticket(a, in.messageID)
	all := s.wireMails()
	if len(all) != 2 {
		t.Fatalf("SMTP received %d mails, want an acknowledgement and a notification", len(all))
	}
	for _, m := range s.smtp.Mails() {
		if strings.ContainsAny(string(m.Data), "\x1b\x07") {
			t.Errorf("raw ESC or BEL in a mail to %v", m.To)
		}
	}
	for _, w := range all {
		to, _ := w.header.AddressList("To")
		decoded := w.subject + w.text
		for _, a := range to {
			decoded += a.Name
		}
		if strings.ContainsAny(decoded, "\x1b\x07\u009b\u202e") {
			t.Errorf("%s mail: a control character decodes from it:\nsubject %q\ntext %q", w.kind(), w.subject, w.text)
		}
	}
	ack := the(t, all, "ack", tk.Number)
	if want := "Re: Kërkesë për dokumente" + shown + " [" + tk.Number + "]"; ack.subject != want {
		t.Errorf("ack subject %q, want %q", ack.subject, want)
	}
	n := the(t, all, "notify", tk.Number)
	if !strings.Contains(n.text, "Prizren."+shown) {
		t.Errorf("the notification does not quote the text with the escapes shown:\n%s", n.text)
	}
}
