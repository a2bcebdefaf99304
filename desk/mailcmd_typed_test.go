package desk_test

import (
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// The command line as phones and pasting write it: the officer sees
// "#close granted" and wrote it, so it is applied and never reaches the
// citizen.
func TestCommandLinesAsPhonesAndPastesWriteThem(t *testing.T) {
	const own = "I nderuar z. Berisha,\n\nKontrata ju dërgohet bashkëngjitur."
	tests := []struct {
		name    string
		line    string
		outcome inquiry.Outcome
		ground  string
	}{
		{"a zero-width space after the word", "#close\u200b granted", inquiry.Granted, ""},
		{"a zero-width space for the space", "#close\u200bgranted", inquiry.Granted, ""},
		{"a word joiner before it", "\u2060#close granted", inquiry.Granted, ""},
		{"a soft hyphen in the word", "#clo\u00adse granted", inquiry.Granted, ""},
		{"a direction mark after it", "#close granted\u200e", inquiry.Granted, ""},
		{"a non-breaking space", "#close\u00a0granted", inquiry.Granted, ""},
		{"upper case", "#CLOSE GRANTED", inquiry.Granted, ""},
		{"a full stop after the outcome", "#close granted.", inquiry.Granted, ""},
		{"a full stop after the ground", "#close refused personal_data.", inquiry.Refused, "personal_data"},
		{"a comma after the outcome", "#close refused, personal_data", inquiry.Refused, "personal_data"},
		{"an ellipsis", "#close granted…", inquiry.Granted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			n := mailNotification(f)
			f.now = f.now.Add(time.Hour)
			body := own + "\n\n" + tt.line + "\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n" + quote("> ", n.Text)
			m := parse.Parse(replyMail(n, "line@mkrs.example", "Re: "+n.Subject, "text/plain; charset=utf-8", nil, body), f.now, parseOptions())
			if d := f.handle(m); d != inquiry.Relayed {
				t.Fatalf("disposition %s, want relayed", d)
			}
			tk := f.ticket(ticket1)
			if tk.State != inquiry.Closed || tk.Outcome != tt.outcome || tk.Ground != tt.ground || !tk.DecisionInAnswer {
				t.Errorf("ticket %s/%s ground %q, in answer %v; want closed %s %q in the answer", tk.State, tk.Outcome, tk.Ground, tk.DecisionInAnswer, tt.outcome, tt.ground)
			}
			answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer)
			if len(answers) != 1 || strings.TrimSpace(answers[0].Mail.Text) != own {
				for _, a := range answers {
					t.Errorf("answer to the citizen:\n%q", a.Mail.Text)
				}
				t.Errorf("%d answers, want one without the command", len(answers))
			}
			if r := jobsOf(f.jobs(ticket1), inquiry.JobCommandReport); len(r) != 0 {
				t.Errorf("the officer was told of a refusal:\n%s", r[0].Mail.Text)
			}
		})
	}
}
