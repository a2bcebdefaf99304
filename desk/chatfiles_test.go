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
// the client attached whole, nor a file over the Bot API's upload limit
// (Telegram's 50 MB, or what telegram.max_upload_bytes says the Bot API
// server behind the bot takes), which is left out, noted on the ticket and
// told to the officer by mail, limit and all. Real store.
func TestTelegramAnswerByMailNamesItsFiles(t *testing.T) {
	part := func(name, body string) string {
		return "--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=" + name + "\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(body)) + "\r\n"
	}
	tests := []struct {
		name        string
		files       []string
		maxUpload   int64 // Config.TelegramMaxUpload; 0 the default
		largeAt     int   // index of the reply's attachment recorded as largeSize; -1 none
		largeSize   int64
		wantIndexes []int
		wantLimit   string // the limit the officer is told of; "" not told
	}{
		{"text only", nil, 0, -1, 0, nil, ""},
		{"a PDF", []string{"vendimi.pdf"}, 0, -1, 0, []int{1}, ""},
		{"two files, the second over Telegram's limit", []string{"vendimi.pdf", "arkivi.pdf"}, 0, 2, desk.TelegramMaxUpload + 1, []int{1}, "50 MB"},
		{"two files, the second at Telegram's limit", []string{"vendimi.pdf", "arkivi.pdf"}, 0, 2, desk.TelegramMaxUpload, []int{1, 2}, ""},
		{"a 60 MB file through a local Bot API server that takes 2000 MB", []string{"vendimi.pdf", "arkivi.pdf"}, 2000 * 1000 * 1000, 2, 60 * 1000 * 1000, []int{1, 2}, ""},
		{"a file over a lower limit", []string{"vendimi.pdf", "arkivi.pdf"}, 1_500_000, 2, 1_500_001, []int{1}, "1.5 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelTelegram, docRequestSQ,
				func(c *desk.Config) { c.TelegramMaxUpload = tt.maxUpload })
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
				m.Attachments[tt.largeAt].Size = tt.largeSize
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
			wantTold := tt.wantLimit != ""
			if wantTold != (len(told) == 1) || len(told) > 1 {
				t.Fatalf("officer told %q, want told once: %v", told, wantTold)
			}
			if wantTold && (!strings.Contains(told[0], "arkivi.pdf") || !strings.Contains(told[0], "mbi "+tt.wantLimit+".")) {
				t.Errorf("the officer's notice does not name the file and the limit %s: %q", tt.wantLimit, told[0])
			}
			var noted bool
			entries, err := f.store.Entries(context.Background(), f.ticket(ticket1).ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				noted = noted || (e.Kind == inquiry.EntryNote && strings.Contains(e.Text, "arkivi.pdf") &&
					strings.Contains(e.Text, "over its "+tt.wantLimit+" limit"))
			}
			if noted != wantTold {
				t.Errorf("ticket notes the file left out with the limit: %v, want %v", noted, wantTold)
			}
		})
	}
}

// The limit an officer is told of reads as Telegram states its own.
func TestUploadLimitText(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{desk.TelegramMaxUpload, "50 MB"},
		{2000 * 1000 * 1000, "2000 MB"},
		{1_500_000, "1.5 MB"},
		{1_000_001, "1.0 MB"},
		{900_000, "900 KB"},
		{512, "512 B"},
	}
	for _, tt := range tests {
		if got := desk.UploadLimitText(tt.n); got != tt.want {
			t.Errorf("UploadLimitText(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
