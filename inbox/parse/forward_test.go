package parse

import (
	"strings"
	"testing"
	"time"
)

// officerForward builds an officer's mail with the given subject and
// plain-text body.
func officerForward(subject, body string) []byte {
	return []byte("From: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\r\nTo: dkp@mkrs-ks.org\r\n" +
		"Subject: " + subject + "\r\nDate: Thu, 03 Dec 2026 09:00:00 +0100\r\nMessage-ID: <fwd-1@mkrs.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
}

func TestForwarded(t *testing.T) {
	citizenMail := "From: =?utf-8?q?Arta_Krasniqi?= <Arta.K@example.org>\r\nTo: jusuf.lushaku@mkrs.example\r\n" +
		"Subject: =?utf-8?q?K=C3=ABrkes=C3=AB_p=C3=ABr_dokumente?=\r\nDate: Tue, 01 Dec 2026 10:15:00 +0100\r\n" +
		"Message-ID: <orig-42@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Kërkoj kopjen e kontratës për stadiumin.\r\n"
	attached := []byte("From: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\r\nTo: dkp@mkrs-ks.org\r\n" +
		"Subject: Fw: request\r\nMessage-ID: <fwd-2@mkrs.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Ju lutem regjistrojeni.\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" +
		citizenMail + "\r\n--b1--\r\n")
	direct := Parse([]byte(citizenMail), time.Now(), testOpts)

	tests := []struct {
		name                          string
		raw                           []byte
		from, fromName, subject, text string
		comment                       string
		sentAt                        string // RFC 3339, "" for none
		sourceID                      string
	}{
		{
			name: "gmail",
			raw: officerForward("Fwd: Kërkesë", "Ju lutem regjistrojeni.\n\n---------- Forwarded message ---------\n"+
				"From: Arta Krasniqi <arta.k@example.org>\nDate: Tue, Dec 1, 2026 at 10:15 AM\nSubject: Kërkesë për dokumente\n"+
				"To: <jusuf.lushaku@mkrs.example>\n\n\nKërkoj kopjen e kontratës.\n\nArta\n"),
			from: "arta.k@example.org", fromName: "Arta Krasniqi", subject: "Kërkesë për dokumente",
			text: "Kërkoj kopjen e kontratës.\n\nArta", comment: "Ju lutem regjistrojeni.",
		},
		{
			name: "gmail, bold in the text part",
			raw: officerForward("Fwd: pyetje", "---------- Forwarded message ---------\n*From:* *Arta Krasniqi* <arta.k@example.org>\n"+
				"*Date:* Tue, Dec 1, 2026 at 10:15 AM\n*Subject:* pyetje\n\npyetja ime\n"),
			from: "arta.k@example.org", fromName: "Arta Krasniqi", subject: "pyetje", text: "pyetja ime",
		},
		{
			name: "gmail in Albanian",
			raw: officerForward("Fwd: kerkese", "---------- Mesazhi i përcjellë ---------\nNga: Arta Krasniqi <arta.k@example.org>\n"+
				"Date: Tue, 01 Dec 2026 10:15:00 +0100\nSubject: kerkese\nTo: jusuf\n\nkerkoj kontraten\n"),
			from: "arta.k@example.org", fromName: "Arta Krasniqi", subject: "kerkese", text: "kerkoj kontraten",
			sentAt: "2026-12-01T10:15:00+01:00",
		},
		{
			name: "outlook desktop, no line",
			raw: officerForward("FW: Zahtev", "Molim vas, zavedite.\n\nFrom: Milica Jovanović [mailto:milica@example.rs]\n"+
				"Sent: Tuesday, December 1, 2026 10:15 AM\nTo: Jusuf Lushaku\nSubject: Zahtev za pristup\n\nPoštovani, tražim ugovor.\n"),
			from: "milica@example.rs", fromName: "Milica Jovanović", subject: "Zahtev za pristup",
			text: "Poštovani, tražim ugovor.", comment: "Molim vas, zavedite.",
		},
		{
			name: "outlook, hr labels",
			raw: officerForward("FW: Zahtjev", "Molim, zavedite.\n\n________________________________\nŠalje: Ivana Horvat <ivana@example.hr>\n"+
				"Poslano: utorak, 1. prosinca 2026. 10:15\nPrima: Jusuf Lushaku\nPredmet: Zahtjev za pristup\n\nPoštovani, tražim ugovor.\n"),
			from: "ivana@example.hr", fromName: "Ivana Horvat", subject: "Zahtjev za pristup",
			text: "Poštovani, tražim ugovor.", comment: "Molim, zavedite.",
		},
		{
			name: "outlook web, underscores",
			raw: officerForward("TR: pyetje", "________________________________\nFrom: Besnik <besnik@example.com>\n"+
				"Sent: Tuesday, 1 December 2026 10:15\nTo: Jusuf\nSubject: pyetje\n\nKur hapet pishina?\n"),
			from: "besnik@example.com", fromName: "Besnik", subject: "pyetje", text: "Kur hapet pishina?",
		},
		{
			name: "apple mail",
			raw: officerForward("Fwd: Interview", "Begin forwarded message:\n\nFrom: Tom Whitaker <t.whitaker@balkanreview.example>\n"+
				"Subject: Interview\nDate: 1 December 2026 at 10:15:00 CET\nTo: jusuf.lushaku@mkrs.example\n\nCould the minister comment?\n"),
			from: "t.whitaker@balkanreview.example", fromName: "Tom Whitaker", subject: "Interview", text: "Could the minister comment?",
		},
		{
			name: "thunderbird, tabs",
			raw: officerForward("Fwd: pyetje", "-------- Forwarded Message --------\nSubject: \tpyetje\nDate: \tTue, 1 Dec 2026 10:15:00 +0100\n"+
				"From: \tdardan@example.net\nTo: \tjusuf\n\nA ka bursa?\n"),
			from: "dardan@example.net", subject: "pyetje", text: "A ka bursa?", sentAt: "2026-12-01T10:15:00+01:00",
		},
		{
			name: "attached message", raw: attached,
			from: "Arta.K@example.org", fromName: "Arta Krasniqi", subject: "Kërkesë për dokumente",
			text: "Kërkoj kopjen e kontratës për stadiumin.", comment: "Ju lutem regjistrojeni.",
			sentAt: "2026-12-01T10:15:00+01:00", sourceID: direct.SourceID,
		},
		{
			// A reply quoting a message is no forward.
			name: "reply", raw: officerForward("Re: pyetje", "Faleminderit.\n\n-----Original Message-----\nFrom: Besnik <besnik@example.com>\n\npyetje\n"),
		},
		{
			// A forward line without a readable sender reads nothing.
			name: "no sender", raw: officerForward("Fwd: pyetje", "---------- Forwarded message ---------\nDate: today\n\npyetje\n"),
		},
		{
			name: "no forward in the text", raw: officerForward("Fwd: ide", "Shikoni këtë ide.\n"),
		},
		{
			name: "a no-reply sender", raw: officerForward("Fwd: Formulari", "---------- Forwarded message ---------\n"+
				"From: Faqja <no-reply@web.mkrs.example>\nSubject: Formulari\n\nEmri: Drita\n"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(tt.raw, time.Now(), testOpts)
			f := m.Forwarded
			if tt.from == "" {
				if f != nil {
					t.Fatalf("read a forward from %+v", f)
				}
				return
			}
			if f == nil {
				t.Fatalf("no forward read; text %q", m.Text)
			}
			if f.From.Address != tt.from || f.From.Name != tt.fromName || f.Subject != tt.subject || f.Text != tt.text || f.Comment != tt.comment {
				t.Errorf("got from %q %q, subject %q, text %q, comment %q\nwant %q %q, %q, %q, %q",
					f.From.Name, f.From.Address, f.Subject, f.Text, f.Comment, tt.fromName, tt.from, tt.subject, tt.text, tt.comment)
			}
			var sent string
			if !f.SentAt.IsZero() {
				sent = f.SentAt.Format(time.RFC3339)
			}
			if sent != tt.sentAt {
				t.Errorf("sent at %q, want %q", sent, tt.sentAt)
			}
			if f.SourceID != tt.sourceID {
				t.Errorf("source id %q, want %q", f.SourceID, tt.sourceID)
			}
		})
	}
}

// A machine's mail (a bounce quoting the original) has no forward to read.
func TestForwardedNotReadFromMachineMail(t *testing.T) {
	raw := []byte("From: MAILER-DAEMON@mx.example\r\nTo: dkp@mkrs-ks.org\r\nSubject: Fwd: Undelivered Mail\r\nAuto-Submitted: auto-replied\r\n\r\n" +
		"---------- Forwarded message ---------\r\nFrom: someone@example.org\r\n\r\nhello\r\n")
	if m := Parse(raw, time.Now(), testOpts); m.Forwarded != nil {
		t.Fatalf("machine mail read as a forward: %+v", m.Forwarded)
	}
}
