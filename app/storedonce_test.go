package app

import (
	"bytes"
	"context"
	"testing"

	"sportel/inquiry"
)

// Attachment bytes are kept once, in the raw mail, yet reach every mail
// that carries them byte for byte: the officer's notification carries the
// citizen's file, the citizen's copy of the answer carries the officer's.
// Neither the entries nor the jobs hold a copy.
func TestE2EAttachmentsStoredOnce(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	a, _ := s.serve()
	scan := &wireAttachment{name: "autorizim.pdf", contentType: "application/pdf",
		content: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff, 'x'}, 5000)...)}
	first := inboundMail{
		from: "Arben Krasniqi <arben.krasniqi@example.net>", subject: "Kërkesë për kontratën e stadiumit",
		messageID: "once-1@example.net", attachment: scan,
		body: "Të nderuar,\n\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës " +
			"për renovimin e stadiumit në Prizren. Autorizimi është bashkëngjitur.\n\nMe respekt,\nArben",
	}
	s.append(first.raw())
	s.settle(a)
	tk := s.ticket(a, first.messageID)
	notify := the(t, s.wireMails(), "notify", tk.Number)
	if len(notify.attachments) != 1 || !bytes.Equal(notify.attachments[0].content, scan.content) {
		t.Fatalf("notification carries %d attachments, want the citizen's file byte for byte", len(notify.attachments))
	}
	// The notification could take the file from memory: intake kept it.
	if !a.recent.holdsTicket(tk.ID) {
		t.Error("the citizen's file was not kept in memory for the notification")
	}

	contract := &wireAttachment{name: "kontrata.pdf", contentType: "application/pdf",
		content: append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{9, 8, 7, 0x80}, 4000)...)}
	answer := inboundMail{
		from: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", subject: "Re: " + notify.subject,
		messageID: "once-answer@mkrs.example", inReplyTo: notify.messageID, attachment: contract,
		body: "I nderuar z. Krasniqi,\n\nKontrata gjendet në shtojcë.\n\nJusuf Lushaku",
	}
	s.append(answer.raw())
	s.settle(a)
	sent := the(t, s.wireMails(), "answer", tk.Number)
	if len(sent.attachments) != 1 || sent.attachments[0].name != contract.name || !bytes.Equal(sent.attachments[0].content, contract.content) {
		t.Fatalf("answer carries %d attachments, want the officer's file byte for byte", len(sent.attachments))
	}

	ctx := context.Background()
	entries, err := a.store.Entries(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for _, at := range e.Attachments {
			if len(at.Content) > 0 || at.Size == 0 {
				t.Errorf("%s entry keeps %s with %d content bytes, size %d: want size only", e.Kind, at.Name, len(at.Content), at.Size)
			}
		}
	}
	jobs, err := a.store.TicketJobs(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Mail != nil && len(j.Mail.Attachments) > 0 {
			t.Errorf("%s job to %s copies %d attachments", j.Kind, j.Recipient, len(j.Mail.Attachments))
		}
		if j.Kind == inquiry.JobAnswer && (j.Mail == nil || j.Mail.AttachFrom == nil) {
			t.Errorf("answer job does not name the officer's attachment")
		}
	}
}
