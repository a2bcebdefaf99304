package desk_test

import (
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// Thunderbird sends plain text as format=flowed (RFC 3676) and soft-wraps a
// line longer than 72 characters: a trailing space marks the soft break. A
// long #extend line wrapped so is still one line the officer typed: the
// whole reason goes to the requester and no piece of it reaches the answer.
func TestFlowedCommandLineIsOneLine(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	notify := mailNotification(f)
	f.now = f.now.Add(time.Hour)
	const reason = "dokumentet janë në arkivin e Prizrenit dhe duhen kërkuar në dosjet e vitit 2019"
	// "#extend 10 " + reason, soft-wrapped at 72 as Thunderbird writes it.
	own := "I nderuar z. Berisha,\n\nDokumentet janë në arkiv.\n\n" +
		"#extend 10 dokumentet janë në arkivin e Prizrenit dhe duhen kërkuar në \n" +
		"dosjet e vitit 2019\n\nMe respekt,\nJusuf Lushaku"
	raw := replyMail(notify, "flowed@mkrs.example", "Re: "+notify.Subject, "text/plain; charset=UTF-8; format=flowed",
		[]string{"User-Agent: Mozilla Thunderbird"},
		own+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
	m := parse.Parse(raw, f.now, parseOptions())
	if d := f.handle(m); d != inquiry.Relayed {
		t.Fatalf("disposition %s, want relayed", d)
	}
	tk := f.ticket(ticket1)
	if tk.Extension == nil || tk.Extension.Reason != reason {
		t.Errorf("extension %+v, want the reason %q", tk.Extension, reason)
	}
	for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
		if strings.Contains(j.Mail.Text, "dosjet e vitit 2019") {
			t.Errorf("the citizen's answer carries the rest of the command line:\n%s", j.Mail.Text)
		}
	}
}

// The other way round: a sentence of the officer's that Thunderbird
// soft-wrapped just before a word like "#urgent" is one line of text; the
// wrap must not make a command of its tail.
func TestFlowedWrapDoesNotMakeACommand(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	notify := mailNotification(f)
	f.now = f.now.Add(time.Hour)
	own := "I nderuar z. Berisha,\n\nNëse kërkesa juaj është e ngutshme, shkruani në subjektin e mesazhit \n" +
		"#urgent\n\nMe respekt,\nJusuf Lushaku"
	raw := replyMail(notify, "flowed2@mkrs.example", "Re: "+notify.Subject, "text/plain; charset=UTF-8; format=flowed",
		[]string{"User-Agent: Mozilla Thunderbird"},
		own+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
	m := parse.Parse(raw, f.now, parseOptions())
	f.handle(m)
	if tk := f.ticket(ticket1); tk.Urgent {
		t.Errorf("a soft-wrapped sentence marked the ticket urgent")
	}
	for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
		if !strings.Contains(j.Mail.Text, "#urgent") {
			t.Errorf("the officer's sentence lost its last word:\n%s", j.Mail.Text)
		}
	}
}
