package desk_test

import (
	"encoding/base64"
	"slices"
	"testing"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/mailer"
)

// Outlook can attach the original message to every reply ("Attach original
// message"). An officer's answer written that way carries the notification
// itself: the ticket's internal facts (classifier, confidence, officer,
// other tickets it mentions). It must not reach the citizen; the officer's
// own files still go, and a reply with nothing else is not an answer.
func TestOfficerReplyAttachingTheNotificationDoesNotSendIt(t *testing.T) {
	pdf := "--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=kontrata.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte("%PDF-1.7 kontrata")) + "\r\n"
	tests := []struct {
		name        string
		text        string
		pdf         bool
		want        inquiry.Disposition
		wantIndexes []int // of the reply's attachments sent to the citizen
	}{
		{"text and the notification", "Po e dërgoj kontratën sot.\r\n", false, inquiry.Relayed, nil},
		{"text, a file and the notification", "Kontrata në shtojcë.\r\n", true, inquiry.Relayed, []int{1}},
		{"only the notification", "", false, inquiry.Attached, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			notify := fileDocumentRequest(f)
			orig, err := mailer.Render(notify, "")
			if err != nil {
				t.Fatal(err)
			}
			body := "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + tt.text +
				"--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + string(orig) + "\r\n"
			if tt.pdf {
				body += pdf
			}
			body += "--b1--\r\n"
			raw := append(replyMail(notify, "attached@mkrs.example", "RE: "+notify.Subject, "multipart/mixed; boundary=b1", nil, ""), body...)
			m := parse.Parse(raw, f.now, parseOptions())
			if d := f.handle(m); d != tt.want {
				t.Fatalf("officer's reply: %s, want %s", d, tt.want)
			}
			answers := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)
			if tt.want != inquiry.Relayed {
				if len(answers) != 0 {
					t.Fatalf("%d answers sent, want none", len(answers))
				}
				return
			}
			if len(answers) != 1 {
				t.Fatalf("%d answers, want 1", len(answers))
			}
			a := answers[0].Mail
			var sent []int
			if a.AttachFrom != nil {
				sent = a.AttachFrom.Indexes
			}
			if len(a.Attachments) != 0 || !slices.Equal(sent, tt.wantIndexes) {
				t.Errorf("the citizen gets attachments %v (and %d by value), want %v", sent, len(a.Attachments), tt.wantIndexes)
			}
		})
	}
}
