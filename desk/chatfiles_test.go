package desk_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/mailer"
)

// An officer who answers a Telegram citizen by replying to the
// notification mail with files attached has the files named on the chat
// job (read from the stored mail when it is sent): not the notification
// the client attached whole, nor a file over Telegram's 50 MB upload
// limit, which is left out, noted on the ticket and told to the officer by
// mail. Real store.
func TestTelegramAnswerByMailNamesItsFiles(t *testing.T) {
	part := func(name, body string) string {
		return "--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=" + name + "\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(body)) + "\r\n"
	}
	tests := []struct {
		name        string
		files       []string
		largeAt     int // index of the reply's attachment recorded as 60 MB; -1 none
		wantIndexes []int
		wantTold    bool
	}{
		{"text only", nil, -1, nil, false},
		{"a PDF", []string{"vendimi.pdf"}, -1, []int{1}, false},
		{"two files, the second over Telegram's limit", []string{"vendimi.pdf", "arkivi.pdf"}, 2, []int{1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelTelegram, docRequestSQ)
			var notify *inquiry.Mail
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobNotify) {
				if j.Mail != nil && j.Recipient == "jusuf" {
					notify = j.Mail
				}
			}
			if notify == nil {
				t.Fatal("no notification mail to jusuf")
			}
			orig, err := mailer.Render(notify, "")
			if err != nil {
				t.Fatal(err)
			}
			body := "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nJu dërgojmë vendimin.\r\n" +
				"--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + string(orig) + "\r\n"
			for _, name := range tt.files {
				body += part(name, "%PDF-1.7 "+name)
			}
			body += "--b1--\r\n"
			raw := append(replyMail(notify, "answer@mkrs.example", "RE: "+notify.Subject, "multipart/mixed; boundary=b1", nil, ""), body...)
			m := parse.Parse(raw, f.now, parseOptions())
			if tt.largeAt >= 0 {
				m.Attachments[tt.largeAt].Size = desk.TelegramMaxUpload + 1
			}
			if d := f.handle(m); d != inquiry.Relayed {
				t.Fatalf("officer's reply: %s, want relayed", d)
			}
			answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer)
			if len(answers) != 1 || answers[0].Chat == nil {
				t.Fatalf("answers %+v, want one chat job", answers)
			}
			var sent []int
			if ref := answers[0].Chat.AttachFrom; ref != nil {
				sent = ref.Indexes
			}
			if !slices.Equal(sent, tt.wantIndexes) {
				t.Errorf("the chat job names files %v, want %v", sent, tt.wantIndexes)
			}
			var told []string
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobQuarantined) {
				if j.Recipient == "jusuf" && j.Mail != nil {
					told = append(told, j.Mail.Text)
				}
			}
			if tt.wantTold != (len(told) == 1) || len(told) > 1 {
				t.Fatalf("officer told %q, want told once: %v", told, tt.wantTold)
			}
			if tt.wantTold && (!strings.Contains(told[0], "arkivi.pdf") || !strings.Contains(told[0], "50 MB")) {
				t.Errorf("the officer's notice does not name the file and the limit: %q", told[0])
			}
			var noted bool
			entries, err := f.store.Entries(context.Background(), f.ticket(ticket1).ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				noted = noted || (e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "arkivi.pdf"))
			}
			if noted != tt.wantTold {
				t.Errorf("ticket notes the file left out: %v, want %v", noted, tt.wantTold)
			}
		})
	}
}
