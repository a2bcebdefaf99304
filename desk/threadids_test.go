package desk_test

import (
	"bytes"
	"slices"
	"testing"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/mailer"
)

// A citizen's mail whose Message-ID or References the mailer cannot write
// back (broken clients and scripts write "<<id>>" or stray brackets) still
// gets its acknowledgement and its officer's answer: such an id is left out
// of the thread, not the reason the mail fails for good.
func TestMalformedMessageIDsDoNotStopTheMail(t *testing.T) {
	tests := []struct {
		name, header string
		wantRefs     []string // the acknowledgement's References
		wantAnswerTo []string // the answer's In-Reply-To
	}{
		{"ordinary", "Message-ID: <a1@example.org>\r\nReferences: <r1@example.org>",
			[]string{"r1@example.org", "a1@example.org"}, []string{"a1@example.org"}},
		{"doubled brackets", "Message-ID: <<a2@example.org>>",
			nil, nil},
		{"bracket inside", "Message-ID: <a<b@example.org>",
			nil, nil},
		{"not ASCII", "Message-ID: <ärta.1@example.org>",
			nil, nil},
		{"bracket in a reference", "Message-ID: <a3@example.org>\r\nReferences: <r<1@example.org> <r2@example.org>",
			[]string{"r2@example.org", "a3@example.org"}, []string{"a3@example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			raw := "From: Arben Krasniqi <arben@example.net>\r\nTo: komunikimi@mkrs.example\r\nSubject: Kërkesë për kontratën\r\n" +
				tt.header + "\r\nDate: Wed, 25 Nov 2026 11:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + docRequestSQ + "\r\n"
			if d := f.handle(parse.Parse([]byte(raw), f.now, parseOptions())); d != inquiry.Filed {
				t.Fatalf("citizen's mail: %s, want filed", d)
			}
			jobs := f.jobs("DKP-2026-000001")
			ack := jobsOf(jobs, inquiry.JobAck)[0].Mail
			rendered, err := mailer.Render(ack, "")
			if err != nil {
				t.Errorf("acknowledgement: %v", err)
			}
			// The address is ASCII, so the relay is not asked for SMTPUTF8:
			// the header must be ASCII too.
			header, _, _ := bytes.Cut(rendered, []byte("\r\n\r\n"))
			for _, c := range header {
				if c >= 0x80 {
					t.Fatalf("acknowledgement's header is not ASCII:\n%s", header)
				}
			}
			if !slices.Equal(ack.References, tt.wantRefs) {
				t.Errorf("acknowledgement's References %q, want %q", ack.References, tt.wantRefs)
			}

			notify := jobsOf(jobs, inquiry.JobNotify)[0].Mail
			reply := replyMail(notify, "answer@mkrs.example", "Re: "+notify.Subject, "", nil, officerText+"\n")
			if d := f.handle(parse.Parse(reply, f.now, parseOptions())); d != inquiry.Relayed {
				t.Fatalf("officer's answer: %s, want relayed", d)
			}
			answer := jobsOf(f.jobs("DKP-2026-000001"), inquiry.JobAnswer)[0].Mail
			if _, err := mailer.Render(answer, ""); err != nil {
				t.Errorf("answer to the citizen: %v", err)
			}
			if !slices.Equal(answer.InReplyTo, tt.wantAnswerTo) {
				t.Errorf("answer's In-Reply-To %q, want %q", answer.InReplyTo, tt.wantAnswerTo)
			}
		})
	}
}
