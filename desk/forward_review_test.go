package desk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// zamiraForwardsInline is Zamira's Gmail forward of a mail from `from`
// with `subject` and `text`, with an extra quoted header line `extra`.
func zamiraForwardsInline(id, from, subject, extra, text string) []byte {
	return []byte(vouchedFor + "From: Zamira Ahmeti <zamira.ahmeti@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\nSubject: Fwd: " + subject + "\r\n" +
		"Date: Wed, 25 Nov 2026 11:00:00 +0100\r\nMessage-ID: <" + id + ">\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Ju lutem regjistrojeni.\r\n\r\n---------- Forwarded message ---------\r\nFrom: " + from + "\r\nDate: Mon, Nov 23, 2026 at 9:30 AM\r\n" +
		"Subject: " + subject + "\r\nTo: <zamira.ahmeti@mkrs.example>\r\n" + extra + "\r\n\r\n" + strings.ReplaceAll(text, "\n", "\r\n") + "\r\n")
}

// zamiraForwardsAttached is Zamira's forward of inner, attached whole.
func zamiraForwardsAttached(id, inner string) []byte {
	return []byte(vouchedFor + "From: Zamira Ahmeti <zamira.ahmeti@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\nSubject: Fwd: Zahtev\r\n" +
		"Date: Wed, 25 Nov 2026 11:00:00 +0100\r\nMessage-ID: <" + id + ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nJu lutem regjistrojeni.\r\n--b1\r\nContent-Type: message/rfc822\r\n" +
		"Content-Disposition: attachment\r\n\r\n" + inner + "\r\n--b1--\r\n")
}

// A citizen who has written more than 20 times (a journalist) gets a second
// ticket and a second acknowledgement for a mail the mailbox already has:
// forwardedBefore lists her tickets oldest first, limited to 20, so her
// recent ones are never compared.
func TestOfficerForwardCaseDedupeFrequentWriter(t *testing.T) {
	f := newForwardFixture(t)
	start := f.now
	for i := range 21 {
		f.now = start.Add(time.Duration(i) * 24 * time.Hour)
		raw := fmt.Sprintf("From: Milica Jovanović <milica@example.rs>\r\nTo: komunikimi@mkrs.example\r\nSubject: Pitanje %d\r\n"+
			"Message-ID: <milica-q%d@example.rs>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPoštovani, pitanje broj %d o budžetu za sport.\r\n", i, i, i)
		if d := f.handle(parse.Parse([]byte(raw), f.now, parseOptions())); d != inquiry.Filed {
			t.Fatalf("her mail %d: %s", i, d)
		}
	}
	// Her 21st mail went to the mailbox and (Cc) to Zamira, who forwards it.
	f.now = f.now.Add(time.Hour)
	fwd := zamiraForwardsInline("zamira-fwd-r1@mkrs.example", "Milica Jovanović <milica@example.rs>", "Pitanje 20", "",
		"Poštovani, pitanje broj 20 o budžetu za sport.")
	if d := f.handle(parse.Parse(fwd, f.now, parseOptions())); d != inquiry.Attached {
		t.Errorf("forward of a mail the mailbox has: %s, want attached", d)
	}
	if n := len(f.tickets()); n != 21 {
		t.Errorf("%d tickets, want 21 (no second ticket for her 21st mail)", n)
	}
}

// The same mail attached by a client that re-encodes it (Exchange/Outlook
// rewrite MIME: 8bit becomes quoted-printable) has another source key; the
// text comparison is never tried for an attached message, so the citizen
// gets a second ticket and a second acknowledgement.
func TestOfficerForwardCaseAttachedReencoded(t *testing.T) {
	f := newForwardFixture(t)
	if d := f.handle(parse.Parse([]byte(milicaMail), f.now, parseOptions())); d != inquiry.Filed {
		t.Fatalf("her own mail: %s", d)
	}
	// Her body as Exchange keeps it: quoted-printable instead of 8bit.
	split := strings.Index(milicaMail, "\r\n\r\n") + 4
	header := strings.Replace(milicaMail[:split], "charset=utf-8\r\n", "charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n", 1)
	qp := header + strings.NewReplacer("š", "=C5=A1", "ć", "=C4=87").Replace(milicaMail[split:])
	fwd := parse.Parse(zamiraForwardsAttached("zamira-fwd-r2@mkrs.example", qp), f.now.Add(time.Hour), parseOptions())
	if fwd.Forwarded == nil || fwd.Forwarded.Text != strings.TrimSpace(milicaRequest) {
		t.Fatalf("fixture: forward read as %+v", fwd.Forwarded)
	}
	if d := f.handle(fwd); d != inquiry.Attached {
		t.Errorf("re-encoded attached forward of a mail the mailbox has: %s, want attached", d)
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	acks := 0
	for _, tk := range f.tickets() {
		acks += len(jobsOf(f.jobs(tk.Number), inquiry.JobAck))
	}
	if acks != 1 {
		t.Errorf("milica was acknowledged %d times, want once", acks)
	}
}

// A citizen's mail the mailbox set aside (machine-like headers: recorded,
// no ticket) is exactly what an officer forwards to get it filed. Its
// source key is taken with no ticket, so forwardedBefore finds nothing,
// the ticket is filed, and MarkSource(fw.SourceID) then fails with
// ErrSourceTaken: the officer's forward fails, is retried, and is set aside.
func TestOfficerForwardCaseOfASetAsideMail(t *testing.T) {
	f := newForwardFixture(t)
	machine := strings.Replace(milicaMail, "Message-ID:", "Auto-Submitted: auto-generated\r\nMessage-ID:", 1)
	if d := f.handle(parse.Parse([]byte(machine), f.now, parseOptions())); d == inquiry.Filed {
		t.Fatalf("fixture: her mail was filed (%s); want it set aside", d)
	}
	fwd := parse.Parse(zamiraForwardsAttached("zamira-fwd-r3@mkrs.example", machine), f.now.Add(time.Hour), parseOptions())
	if fwd.Forwarded == nil {
		t.Fatal("fixture: forward not read")
	}
	d, err := f.desk.Handle(context.Background(), fwd)
	if err != nil {
		t.Fatalf("forward of a set-aside mail fails: %v", err)
	}
	if d != inquiry.Filed {
		t.Errorf("forward: %s, want filed", d)
	}
}

// Gmail's plain-text part wraps a long Cc line of the quoted header (the
// citizen copied the mailbox and others). The header block ends at the
// continuation, which becomes the first line of "her" text: the comparison
// with the ticket her own copy opened fails, so she gets a second ticket
// and a second acknowledgement, and the record shows header debris as her words.
func TestOfficerForwardCaseWrappedCcDuplicates(t *testing.T) {
	f := newForwardFixture(t)
	direct := strings.Replace(milicaMail, "To: zamira.ahmeti@mkrs.example\r\n",
		"To: zamira.ahmeti@mkrs.example\r\nCc: komunikimi@mkrs.example, kancelarija@example.rs\r\n", 1)
	if d := f.handle(parse.Parse([]byte(direct), f.now, parseOptions())); d != inquiry.Filed {
		t.Fatalf("her own mail: %s", d)
	}
	fwd := zamiraForwardsInline("zamira-fwd-r4@mkrs.example", "Milica Jovanović <milica@example.rs>", "Zahtev za pristup dokumentima",
		"Cc: Divizioni për Komunikim Publik <komunikimi@mkrs.example>, Kancelarija <\r\nkancelarija@example.rs>", milicaRequest)
	if d := f.handle(parse.Parse(fwd, f.now.Add(time.Hour), parseOptions())); d != inquiry.Attached {
		t.Errorf("forward: %s, want attached", d)
	}
	if n := len(f.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

// A contact form's mail (From the form, Reply-To the citizen) forwarded as
// an attachment: mailed to the mailbox it would be acknowledged to the
// citizen (Reply-To); forwarded, the Reply-To is dropped (citizenMessage
// sets ReplyTo nil, Forwarded has no field for it), so the form's address
// is acknowledged and becomes the ticket's requester, and with a no-reply
// form the forward is not read at all and is filed as the officer's own.
func TestOfficerForwardCaseOfAFormMail(t *testing.T) {
	for _, form := range []string{"Forma e uebit <webforma@example.org>", "Forma e uebit <no-reply@web.example.org>"} {
		t.Run(form, func(t *testing.T) {
			f := newForwardFixture(t)
			inner := "From: " + form + "\r\nReply-To: Drita Berisha <drita@example.net>\r\nTo: zamira.ahmeti@mkrs.example\r\n" +
				"Subject: Kontakt\r\nDate: Mon, 23 Nov 2026 09:30:00 +0100\r\nMessage-ID: <form-7@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
				"Emri: Drita Berisha\r\nMesazhi: Kur hapet pishina olimpike?\r\n"
			if d := f.handle(parse.Parse(zamiraForwardsAttached("zamira-fwd-r5@mkrs.example", inner), f.now, parseOptions())); d != inquiry.Filed {
				t.Fatalf("forward: %s", d)
			}
			tk := f.ticket("DKP-2026-000001")
			acks := jobsOf(f.jobs(tk.Number), inquiry.JobAck)
			to := ""
			if len(acks) == 1 {
				to = acks[0].Mail.To[0].Address
			}
			if tk.Sender.Address != "drita@example.net" || to != "drita@example.net" {
				t.Errorf("ticket's requester %q, acknowledgement to %q; want the citizen drita@example.net", tk.Sender.Address, to)
			}
		})
	}
}

// A citizen's follow-up that names her ticket (she replied to the
// acknowledgement and copied the officer, or wrote to the officer with the
// number in the subject) forwarded by the officer: officerMailAboutTicket
// takes it first, so it is a note "officer's mail … not relayed", the
// ticket's officer hears nothing, and Zamira is told her message "was not
// sent to the citizen" — as if she had tried to answer.
func TestOfficerForwardCaseOfAFollowUpNamingTheTicket(t *testing.T) {
	f := newForwardFixture(t)
	if d := f.handle(parse.Parse([]byte(milicaMail), f.now, parseOptions())); d != inquiry.Filed {
		t.Fatalf("her own mail: %s", d)
	}
	tk := f.ticket("DKP-2026-000001")
	before := len(jobsOf(f.jobs(tk.Number), inquiry.JobNotify))
	fwd := zamiraForwardsInline("zamira-fwd-r6@mkrs.example", "Milica Jovanović <milica@example.rs>", "Re: [DKP-2026-000001] Zahtev za pristup dokumentima", "",
		"Poštovani, šaljem i punomoćje koje ste tražili.")
	f.now = f.now.Add(time.Hour)
	f.handle(parse.Parse(fwd, f.now, parseOptions()))
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var inbound int
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound && strings.Contains(e.Text, "punomoćje") {
			inbound++
		}
	}
	if inbound != 1 {
		t.Errorf("her forwarded follow-up is not on the ticket as her message (%d inbound entries with it)", inbound)
	}
	if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobNotify)); n == before {
		t.Errorf("the ticket's officer was not told of her follow-up")
	}
	for _, j := range f.jobs(tk.Number) {
		if j.Recipient == "zamira" && j.Mail != nil && strings.Contains(j.Mail.Text, "nuk iu dërgua qytetarit") {
			t.Errorf("zamira was told her forward was an answer not sent:\n%s", j.Mail.Text)
		}
	}
}

// A citizen's mail with a file (a signed request as PDF), forwarded as an
// attachment: the ticket's record and the routed officer's notification
// should carry her file. citizenMessage keeps the officer's attachments
// (the one message/rfc822 blob), so her PDF is named nowhere.
func TestOfficerForwardCaseAttachedKeepsTheCitizensFiles(t *testing.T) {
	f := newForwardFixture(t)
	inner := "From: Milica Jovanović <milica@example.rs>\r\nTo: zamira.ahmeti@mkrs.example\r\nSubject: Zahtev za pristup dokumentima\r\n" +
		"Date: Mon, 23 Nov 2026 09:30:00 +0100\r\nMessage-ID: <milica-pdf@example.rs>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=in1\r\n\r\n" +
		"--in1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(milicaRequest, "\n", "\r\n") + "\r\n" +
		"--in1\r\nContent-Type: application/pdf; name=\"zahtev-potpisan.pdf\"\r\nContent-Disposition: attachment; filename=\"zahtev-potpisan.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n--in1--\r\n"
	m := parse.Parse(zamiraForwardsAttached("zamira-fwd-r7@mkrs.example", inner), f.now, parseOptions())
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("forward: %s", d)
	}
	tk := f.ticket("DKP-2026-000001")
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound {
			for _, a := range e.Attachments {
				names = append(names, a.Name+" ("+a.ContentType+")")
			}
		}
	}
	if !strings.Contains(strings.Join(names, ","), "zahtev-potpisan.pdf") {
		t.Errorf("her entry's files: %q; want her zahtev-potpisan.pdf", names)
	}
	// The notification carries her file, read from her mail as kept on
	// the record.
	var raw []byte
	for _, e := range entries {
		if e.Kind == inquiry.EntryInbound {
			raw = e.Raw
		}
	}
	files := parse.Attachments(raw, parseOptions())
	for _, j := range jobsOf(f.jobs(tk.Number), inquiry.JobNotify) {
		if j.Mail == nil {
			continue
		}
		var carried []string
		if ref := j.Mail.AttachFrom; ref != nil {
			for _, i := range ref.Indexes {
				if i < len(files) {
					carried = append(carried, files[i].Name)
				}
			}
		}
		for _, a := range j.Mail.Attachments {
			carried = append(carried, a.Name)
		}
		if !slices.Contains(carried, "zahtev-potpisan.pdf") {
			t.Errorf("jusuf's notification carries %q; want her zahtev-potpisan.pdf", carried)
		}
	}
}
