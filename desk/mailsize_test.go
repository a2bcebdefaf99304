package desk_test

import (
	"context"
	"strings"
	"testing"

	"sportel/inquiry"
)

// An officer's answer the relay refuses as too large fails for good; its
// officer hears, once however often the outbox asks, what did not go and
// why, and the ticket keeps a note of it.
func TestAnswerTooLargeTellsItsOfficer(t *testing.T) {
	f := newFixture(t)
	f.handle(citizen("orig@example.net", "arben@example.net", "Kërkesë", docRequestSQ))
	notify := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobNotify)[0].Mail
	answer := citizen("ans@mkrs.example", "jusuf.lushaku@mkrs.example", "Re: "+notify.Subject, "Kontrata gjendet në shtojcë.")
	answer.InReplyTo = []string{notify.MessageID}
	answer.Raw = []byte("From: jusuf.lushaku@mkrs.example\r\n\r\nraw")
	answer.Attachments = []inquiry.Attachment{{Name: "kontrata-skanuar.pdf", ContentType: "application/pdf", Size: 18 << 20}}
	if d := f.handle(answer); d != inquiry.Relayed {
		t.Fatalf("officer answer: %s, want relayed", d)
	}
	answers := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)
	if len(answers) != 1 || answers[0].Mail == nil || answers[0].Mail.AttachFrom == nil {
		t.Fatalf("answer jobs %+v, want one mail naming the stored file", answers)
	}
	reason := "smtp data: end: 552 5.3.4 Message size exceeds fixed limit"
	for range 2 { // asked again after a crash: told once
		if err := f.desk.AnswerTooLarge(context.Background(), answers[0], reason); err != nil {
			t.Fatal(err)
		}
	}
	var told []inquiry.Job
	for _, j := range jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobCommandReport) {
		if j.Mail != nil && strings.Contains(j.Mail.Text, "NUK iu dërgua") {
			told = append(told, j)
		}
	}
	if len(told) != 1 {
		t.Fatalf("%d notices of the answer not sent, want 1", len(told))
	}
	m := told[0].Mail
	if m.To[0].Address != "jusuf.lushaku@mkrs.example" || !strings.Contains(m.Text, "kontrata-skanuar.pdf") || !strings.Contains(m.Text, "552 5.3.4") {
		t.Errorf("notice to %v:\n%s\nwant it to Jusuf, naming the file and the relay's reason", m.To, m.Text)
	}
	entries, err := f.store.Entries(context.Background(), f.ticket("DKP-2026-000001").ID)
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, e := range entries {
		if strings.Contains(e.Text, "answer not sent: too large for the mail relay") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes on the ticket, want 1", notes)
	}
}
