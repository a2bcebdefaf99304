package desk_test

import (
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// An officer who answers a notification from the division's shared
// mailbox (Outlook's "From: komunikimi@", delegated or shared-mailbox
// sending) writes as our own address: such mail is machine mail, never
// relayed, so the citizen gets nothing, and the officer, who believes they
// answered, was not told. The officer whose notification it answers is
// told, once an hour at most for a ticket; mail of our own coming back
// (our Message-ID) and mail that answers no notification tell nobody.
func TestReplyFromTheSharedMailboxTellsItsOfficer(t *testing.T) {
	const officer = "jusuf.lushaku@mkrs.example"
	tests := []struct {
		name      string
		messageID func(round int) string
		inReplyTo func(notify *inquiry.Mail) string
		told      int // notices to the officer after two such mails
	}{
		{"an answer to the notification", func(r int) string { return "shared" + string(rune('0'+r)) + "@outlook.mkrs.example" },
			func(n *inquiry.Mail) string { return n.MessageID }, 1},
		{"our own mail coming back", func(r int) string { return "sportel.back" + string(rune('0'+r)) + "@mkrs.example" },
			func(n *inquiry.Mail) string { return n.MessageID }, 0},
		{"an answer to no notification", func(r int) string { return "other" + string(rune('0'+r)) + "@outlook.mkrs.example" },
			func(*inquiry.Mail) string { return "someone-else@example.net" }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			notify := fileDocumentRequest(f)
			toOfficer := func() []*inquiry.Mail {
				var out []*inquiry.Mail
				for _, j := range f.jobs("DKP-2026-000001") {
					if j.Mail != nil && len(j.Mail.To) > 0 && j.Mail.To[0].Address == officer && j.Mail.MessageID != notify.MessageID {
						out = append(out, j.Mail)
					}
				}
				return out
			}
			for round := range 2 {
				f.now = f.now.Add(time.Minute)
				raw := "From: Divizioni per Komunikim Publik <komunikimi@mkrs.example>\r\nTo: arben@example.net\r\n" +
					"Subject: RE: " + notify.Subject + "\r\nMessage-ID: <" + tt.messageID(round) + ">\r\nIn-Reply-To: <" + tt.inReplyTo(notify) + ">\r\n" +
					"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI nderuar z. Krasniqi, dokumentet do t'i merrni brenda javes.\r\n"
				d := f.handle(parse.Parse([]byte(raw), f.now, parseOptions()))
				if d == inquiry.Filed {
					t.Fatalf("round %d: filed as a new ticket", round)
				}
			}
			told := toOfficer()
			if len(told) != tt.told {
				t.Fatalf("%d notices to the officer, want %d", len(told), tt.told)
			}
			if tt.told > 0 && (!strings.Contains(told[0].Text, "komunikimi@mkrs.example") || !strings.Contains(told[0].Text, officer) ||
				!strings.Contains(told[0].Subject, "DKP-2026-000001")) {
				t.Errorf("the notice does not say which address it came from and which to use:\n%s\n%s", told[0].Subject, told[0].Text)
			}
			for _, j := range f.jobs("DKP-2026-000001") {
				if j.Mail != nil && len(j.Mail.To) > 0 && j.Mail.To[0].Address == "arben@example.net" && strings.Contains(j.Mail.Text, "brenda javes") {
					t.Error("the shared mailbox's mail was relayed to the citizen")
				}
			}
		})
	}
}
