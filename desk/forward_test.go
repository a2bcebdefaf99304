package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

const (
	// milicaRequest is a Serbian document request a citizen sent to an
	// officer's own address.
	milicaRequest = "Poštovani, na osnovu Zakona o pristupu javnim dokumentima tražim kopiju ugovora o rekonstrukciji stadiona u Prizrenu i zapisnik o prijemu radova.\n\nS poštovanjem,\nMilica Jovanović"
	// milicaMail is that request as her client wrote it.
	milicaMail = "From: Milica Jovanović <milica@example.rs>\r\nTo: zamira.ahmeti@mkrs.example\r\nSubject: Zahtev za pristup dokumentima\r\n" +
		"Date: Mon, 23 Nov 2026 09:30:00 +0100\r\nMessage-ID: <milica-1@example.rs>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Poštovani, na osnovu Zakona o pristupu javnim dokumentima tražim kopiju ugovora o rekonstrukciji stadiona u Prizrenu i zapisnik o prijemu radova.\r\n\r\nS poštovanjem,\r\nMilica Jovanović\r\n"
)

// trustedServer is the ministry's receiving mail server as the forward
// tests configure it, and vouchedFor its Authentication-Results on a mail
// from Zamira's address, as Postfix with OpenDKIM, SPF and OpenDMARC
// writes them (folded, with comments).
const (
	trustedServer = "mx.mkrs.example"
	vouchedFor    = "Authentication-Results: mx.mkrs.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=mkrs.example header.s=s1 header.b=AbCdEf;\r\n" +
		"\tspf=pass (mx.mkrs.example: domain of zamira.ahmeti@mkrs.example designates 10.20.0.7 as permitted sender) smtp.mailfrom=zamira.ahmeti@mkrs.example;\r\n" +
		"\tdmarc=pass (p=reject dis=none) header.from=mkrs.example\r\n"
)

// newForwardFixture is newFixture with the desk trusting trustedServer.
func newForwardFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureConfig(t, nil, func(c *desk.Config) { c.TrustedAuthservID = trustedServer })
}

// zamiraForwards is Zamira's mail to the public mailbox forwarding
// Milica's: quoted below Gmail's forward line, or attached whole.
func zamiraForwards(id string, attached bool) []byte {
	h := vouchedFor + "From: Zamira Ahmeti <zamira.ahmeti@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\nSubject: Fwd: Zahtev za pristup dokumentima\r\n" +
		"Date: Wed, 25 Nov 2026 11:00:00 +0100\r\nMessage-ID: <" + id + ">\r\nMIME-Version: 1.0\r\n"
	comment := "Qytetarja më shkroi drejtpërdrejt; ju lutem regjistrojeni."
	if attached {
		return []byte(h + "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			comment + "\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + milicaMail + "\r\n--b1--\r\n")
	}
	return []byte(h + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + comment + "\r\n\r\n---------- Forwarded message ---------\r\n" +
		"From: Milica Jovanović <milica@example.rs>\r\nDate: Mon, Nov 23, 2026 at 9:30 AM\r\nSubject: Zahtev za pristup dokumentima\r\n" +
		"To: <zamira.ahmeti@mkrs.example>\r\n\r\n\r\n" + strings.ReplaceAll(milicaRequest, "\n", "\r\n") + "\r\n")
}

// An officer who forwards to the public mailbox a citizen's mail that came
// to them directly files it for the citizen: the ticket is hers, routed
// and acknowledged as her own mail would be, in her language; the officer's
// words are a note, and the officer hears the number when the ticket goes
// to a colleague.
func TestOfficerForwardFilesTheCitizensTicket(t *testing.T) {
	tests := []struct {
		name     string
		attached bool
		// dated is the citizen's own date as the note gives it, when the
		// forward says it with its zone (an attached mail's header).
		dated string
	}{
		{"quoted below a forward line", false, ""},
		{"attached whole", true, "23.11.2026 09:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newForwardFixture(t)
			m := parse.Parse(zamiraForwards("zamira-fwd-1@mkrs.example", tt.attached), f.now, parseOptions())
			if d := f.handle(m); d != inquiry.Filed {
				t.Fatalf("forward: %s, want filed", d)
			}
			tk := f.ticket("DKP-2026-000001")
			if tk.Sender.Address != "milica@example.rs" || tk.Category != inquiry.DocumentRequest || tk.OfficerID != "jusuf" ||
				tk.Language != inquiry.SerbianLatin || tk.Subject != "Zahtev za pristup dokumentima" {
				t.Errorf("ticket from %q, %s → %s, language %s, subject %q; want Milica's document request for jusuf in sr-Latn",
					tk.Sender.Address, tk.Category, tk.OfficerID, tk.Language, tk.Subject)
			}
			// The clock runs from the forward: its text could say any date.
			if !tk.ReceivedAt.Equal(f.now) {
				t.Errorf("received at %s, want the forward's arrival %s", tk.ReceivedAt, f.now)
			}
			jobs := f.jobs(tk.Number)
			acks := jobsOf(jobs, inquiry.JobAck)
			if len(acks) != 1 || acks[0].Mail.To[0].Address != "milica@example.rs" || !strings.Contains(acks[0].Mail.Text, tk.Number) {
				t.Fatalf("acknowledgements %+v; want one to milica@example.rs with the number", acks)
			}
			if !strings.Contains(acks[0].Mail.Text, "Poštovani/a Milica Jovanović") {
				t.Errorf("acknowledgement not in her language or name:\n%s", acks[0].Mail.Text)
			}
			if n := jobsOf(jobs, inquiry.JobNotify); len(n) == 0 || n[0].Recipient != "jusuf" {
				t.Errorf("notifications %+v; want jusuf's", n)
			}
			told := jobsOf(jobs, inquiry.JobCommandReport)
			if len(told) != 1 || told[0].Recipient != "zamira" || !strings.Contains(told[0].Mail.Text, tk.Number) {
				t.Errorf("the forwarding officer was told %+v; want one mail to zamira with the number", told)
			}
			entries, err := f.store.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			var inbound, note string
			for _, e := range entries {
				switch e.Kind {
				case inquiry.EntryInbound:
					inbound = e.Author + ": " + e.Text
				case inquiry.EntryNote:
					if strings.Contains(e.Text, "forwarded") {
						note = e.Text
					}
				}
			}
			if !strings.HasPrefix(inbound, "milica@example.rs: Poštovani") || strings.Contains(inbound, "regjistrojeni") {
				t.Errorf("the citizen's entry is %q; want her words only", inbound)
			}
			if !strings.Contains(note, "zamira") || !strings.Contains(note, "regjistrojeni") || !strings.Contains(note, tt.dated) ||
				(tt.dated == "") == strings.Contains(note, "dated") {
				t.Errorf("note %q; want who forwarded it, what they wrote, and the citizen's date %q", note, tt.dated)
			}

			// The same forward again (the officer's client sent it twice,
			// with a new Message-ID) opens no second ticket and sends
			// Milica nothing more; Zamira hears the number.
			again := parse.Parse(zamiraForwards("zamira-fwd-2@mkrs.example", tt.attached), f.now.Add(time.Hour), parseOptions())
			if d := f.handle(again); d != inquiry.Attached {
				t.Errorf("second forward: %s, want attached", d)
			}
			if n := len(f.tickets()); n != 1 {
				t.Errorf("%d tickets after the second forward, want 1", n)
			}
			if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobAck)); n != 1 {
				t.Errorf("%d acknowledgements after the second forward, want 1", n)
			}
			if n := len(jobsOf(f.jobs(tk.Number), inquiry.JobQuarantined)); n != 1 {
				t.Errorf("the officer was told %d times that it is filed already, want 1", n)
			}
		})
	}
}

// A citizen who wrote to the mailbox and to an officer, whose officer
// forwards it too, has one ticket.
func TestOfficerForwardOfMailTheMailboxHas(t *testing.T) {
	for _, attached := range []bool{false, true} {
		f := newForwardFixture(t)
		direct := parse.Parse([]byte(milicaMail), f.now, parseOptions())
		if d := f.handle(direct); d != inquiry.Filed {
			t.Fatalf("her own mail: %s", d)
		}
		fwd := parse.Parse(zamiraForwards("zamira-fwd-3@mkrs.example", attached), f.now.Add(time.Hour), parseOptions())
		if d := f.handle(fwd); d != inquiry.Attached {
			t.Errorf("attached %v: the forward: %s, want attached", attached, d)
		}
		if n := len(f.tickets()); n != 1 {
			t.Errorf("attached %v: %d tickets, want 1", attached, n)
		}
	}

	// And the other way round: the forward first, her own copy after.
	f := newForwardFixture(t)
	if d := f.handle(parse.Parse(zamiraForwards("zamira-fwd-4@mkrs.example", true), f.now, parseOptions())); d != inquiry.Filed {
		t.Fatalf("forward: %s", d)
	}
	if d := f.handle(parse.Parse([]byte(milicaMail), f.now.Add(time.Hour), parseOptions())); d != inquiry.Duplicate {
		t.Errorf("her own copy after the forward: %s, want duplicate", d)
	}
}

// Forwards that carry no citizen to answer stay what they were: a
// colleague's mail passed on is not filed as a citizen's.
func TestOfficerForwardOfAColleaguesMail(t *testing.T) {
	f := newForwardFixture(t)
	raw := "From: Zamira Ahmeti <zamira.ahmeti@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\nSubject: Fwd: takimi\r\n" +
		"Message-ID: <zamira-fwd-5@mkrs.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"---------- Forwarded message ---------\r\nFrom: Osman D. Gashi <osman.gashi@mkrs.example>\r\nSubject: takimi\r\n\r\nTakimi nesër në 9.\r\n"
	f.handle(parse.Parse([]byte(raw), f.now, parseOptions()))
	for _, tk := range f.tickets() {
		if strings.EqualFold(tk.Sender.Address, "osman.gashi@mkrs.example") {
			t.Errorf("ticket %s filed for the colleague", tk.Number)
		}
	}
}
