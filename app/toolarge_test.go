package app

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"sportel/inquiry"
)

// A mail over mail.max_raw_bytes is not fetched whole, yet nothing of it is
// lost: it is filed from its header and the start of its text with a note
// saying it is too large and where it is kept, the citizen is acknowledged,
// the officer is told, and the whole mail ends in the quarantine mailbox.
func TestE2ETooLargeMail(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	s.cfg.Mail.MaxRawBytes = 256 << 10
	content := make([]byte, 2<<20)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(content)
	big := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për qasje në dokumente publike",
		messageID: "too-large@example.net",
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit në Prizren. Bashkëngjitur është autorizimi i skanuar.\n\nMe respekt,\nArben Krasniqi",
		attachment: &wireAttachment{name: "autorizim.pdf", contentType: "application/pdf", content: content},
	}
	small := inboundMail{
		from: "Milica Jovanović <milica.jovanovic@example.rs>", subject: "Pitanje o stipendijama",
		messageID: "small@example.rs", body: "Poštovani, kada se otvara konkurs za stipendije mladim sportistima?",
	}
	s.append(big.raw())
	s.append(small.raw())
	a, _ := s.serve()
	s.settle(a)

	if got := s.count(quarantineBox); got != 1 {
		t.Errorf("%s holds %d, want the too-large mail", quarantineBox, got)
	}
	if got := s.count(processedBox); got != 1 {
		t.Errorf("%s holds %d, want the small mail", processedBox, got)
	}
	tk := s.ticket(a, big.messageID)
	entries, err := a.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var noted bool
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound && !strings.Contains(e.Text, "kërkoj kopjen e kontratës") {
			t.Errorf("inbound entry lacks the start of the text: %q", e.Text)
		}
		if e.Kind == inquiry.EntryInbound && len(e.Raw) > 512<<10 {
			t.Errorf("inbound entry keeps %d raw bytes: the mail was fetched whole", len(e.Raw))
		}
		if e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "too large") && strings.Contains(e.Text, quarantineBox) {
			noted = true
		}
	}
	if !noted {
		t.Errorf("no note says the mail is too large and kept in %s; entries: %+v", quarantineBox, entries)
	}

	all := s.wireMails()
	checkAck(t, the(t, all, "ack", tk.Number), big, tk, "arben.krasniqi@example.net")
	notify := the(t, all, "notify", tk.Number)
	if !strings.Contains(notify.text, "shumë i madh") || !strings.Contains(notify.text, quarantineBox) {
		t.Errorf("the officer's notification does not say the mail is too large and kept in %s:\n%s", quarantineBox, notify.text)
	}
	if len(notify.attachments) != 0 {
		t.Errorf("notification carries %d attachments cut from a partial read, want none", len(notify.attachments))
	}
	smallTicket := s.ticket(a, small.messageID)
	the(t, all, "ack", smallTicket.Number)
}
