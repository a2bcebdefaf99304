package desk_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

// Slips officers make with mail commands, written as their clients send
// them and taken through the parser and the desk on SQLite: a command in
// the Subject, contradicting commands in one mail, a command below the
// quote that is also a line of the citizen's, a command typed as a bullet.

// newSubjectFixture is newLifecycleFixture for a document request whose
// citizen wrote subject and text.
func newSubjectFixture(t *testing.T, subject, text string) *fixture {
	t.Helper()
	f := newFixtureClassifier(t, filepath.Join(t.TempDir(), "sportel.db"), fixedClassifier{inquiry.DocumentRequest, inquiry.Albanian}, func(c *desk.Config) {
		c.Officers = append(append([]inquiry.Officer(nil), officers...), head)
		c.DivisionName = divisionNames
	})
	m := citizen("req@example.net", "arben@example.net", subject, text)
	m.From.Name = "Arben Berisha"
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("disposition %s", d)
	}
	return f
}

// officerReplies sends the officer's reply to ticket1's notification with
// subject (prefix "Re: " and the notification's subject when it starts
// with "+") and body (made from the notification), and returns what the
// desk did.
func officerReplies(t *testing.T, f *fixture, id, subject, contentType string, body func(n *inquiry.Mail) string) inquiry.Disposition {
	t.Helper()
	n := mailNotification(f)
	if rest, ok := strings.CutPrefix(subject, "+"); ok {
		subject = "Re: " + n.Subject + rest
	}
	f.now = f.now.Add(time.Hour)
	return f.handle(parse.Parse(replyMail(n, id, subject, contentType, nil, body(n)), f.now, parseOptions()))
}

// belowQuote is a Thunderbird reply: own above the quoted notification.
func belowQuote(own string) func(n *inquiry.Mail) string {
	return func(n *inquiry.Mail) string {
		return own + "\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n" + quote("> ", n.Text)
	}
}

// oneReport returns the officer's one report on their commands, failing
// when there is none or more.
func oneReport(t *testing.T, f *fixture) string {
	t.Helper()
	r := jobsOf(f.jobs(ticket1), inquiry.JobCommandReport)
	if len(r) != 1 {
		t.Fatalf("%d reports to the officer on commands, want 1", len(r))
	}
	return r[0].Mail.Text
}

func noReport(t *testing.T, f *fixture) {
	t.Helper()
	if r := jobsOf(f.jobs(ticket1), inquiry.JobCommandReport); len(r) != 0 {
		t.Errorf("the officer got a report:\n%s", r[0].Mail.Text)
	}
}

func wantIn(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

// A command in the Subject of the reply is never acted on: the subject is
// mostly not the officer's (Sportel's notification subject carries the
// citizen's own, "Re:" keeps it in every reply), so a command there would
// let a citizen's subject act as the officer and repeat itself. It is not
// ignored either: the officer who typed it is told it went unread.
func TestCommandInTheSubjectIsRefused(t *testing.T) {
	const answer = "I nderuar z. Berisha,\n\nJu dërgojmë kontratën.\n\nMe respekt,\nJusuf Lushaku"
	tests := []struct {
		name       string
		reqSubject string // the citizen's subject; "Kërkesë" when empty
		subject    string // the reply's; "+" stands for "Re: " and the notification's
		own        string
		disp       inquiry.Disposition
		report     []string // nil: no report
		state      inquiry.State
	}{
		{name: "close in the subject, an answer in the body", subject: "+ #close granted", own: answer,
			disp: inquiry.Relayed, state: inquiry.Answered,
			report: []string{"NUK U KRYE: #close granted", "në temën e mesazhit", "iu dërgua qytetarit"}},
		{name: "Outlook's RE:, the command alone in the subject, an empty body", subject: "RE: #urgent", own: "",
			disp: inquiry.Attached, state: inquiry.Assigned,
			report: []string{"NUK U KRYE: #urgent", "në temën e mesazhit", "Qytetarit nuk iu dërgua asgjë"}},
		{name: "a misspelled command in the subject", subject: "+ #mbyll granted", own: answer,
			disp: inquiry.Relayed, state: inquiry.Answered,
			report: []string{"NUK U KRYE: #mbyll granted", "në temën e mesazhit"}},
		{name: "the citizen's subject carries #urgent: no command, no word", reqSubject: "#urgent kontrata e stadiumit", subject: "+", own: answer,
			disp: inquiry.Relayed, state: inquiry.Answered},
		{name: "the same command in the subject and the body: done once, no word", subject: "+ #close granted", own: answer + "\n#Close granted.",
			disp: inquiry.Relayed, state: inquiry.Closed},
		{name: "a hashtag in the subject is no command", subject: "+ #MKRS", own: answer,
			disp: inquiry.Relayed, state: inquiry.Answered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject := tt.reqSubject
			if subject == "" {
				subject = "Kërkesë"
			}
			f := newSubjectFixture(t, subject, docRequestSQ)
			if d := officerReplies(t, f, "subj@mkrs.example", tt.subject, "", belowQuote(tt.own)); d != tt.disp {
				t.Fatalf("disposition %s, want %s", d, tt.disp)
			}
			tk := f.ticket(ticket1)
			if tk.State != tt.state || tk.Urgent {
				t.Errorf("ticket %s urgent %v, want %s, not urgent", tk.State, tk.Urgent, tt.state)
			}
			if n := noticeTexts(f.jobs(ticket1)); len(n) != 0 {
				t.Errorf("notices to the citizen: %q", n)
			}
			if q := jobsOf(f.jobs(ticket1), inquiry.JobQuarantined); len(q) != 0 {
				t.Errorf("a nothing-sent mail instead of the report:\n%s", q[0].Mail.Text)
			}
			if tt.report == nil {
				noReport(t, f)
				return
			}
			wantIn(t, "the report", oneReport(t, f), tt.report...)
		})
	}
}

// Commands in one mail that undo one another: the last word wins, and what
// it undid is not done at all (nobody is told of an urgency withdrawn in
// the same mail, the citizen gets one extension notice, a colleague is not
// handed a ticket taken back). A reopen followed by a close is no
// contradiction: it decides a closed ticket anew.
func TestContradictingCommandsTheLastWordWins(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   func(t *testing.T, f *fixture)
		own     string
		urgent  bool
		state   inquiry.State
		outcome inquiry.Outcome
		officer string
		extDays int
		notices []string // parts of each notice to the citizen made by the mail
		heads   int      // head notices made by the mail (by mail and Telegram)
		notify  []string // officers notified by the mail
		report  []string // nil: no report
	}{
		{name: "#urgent then #urgent off", own: commandAnswer + "\n#urgent\n#urgent off",
			state: inquiry.Answered, officer: "jusuf",
			report: []string{"NUK U KRYE: #urgent\n", "U zëvendësua nga #urgent off", "U krye: #urgent off"}},
		{name: "#urgent off then #urgent on an urgent ticket",
			setup: func(t *testing.T, f *fixture) {
				if _, err := f.desk.Urgent(ctx, ticket1, true, "jusuf"); err != nil {
					t.Fatal(err)
				}
			},
			own: "#urgent off\n#urgent", urgent: true, state: inquiry.Assigned, officer: "jusuf",
			report: []string{"NUK U KRYE: #urgent off", "U zëvendësua nga #urgent"}},
		{name: "#urgent then a misspelled #urgnet off: neither is done", own: commandAnswer + "\n#urgent\n#urgnet off",
			state: inquiry.Answered, officer: "jusuf",
			report: []string{"NUK U KRYE: #urgent\n", "U zëvendësua nga #urgnet off", "NUK U KRYE: #urgnet off", "#urgent off"}},
		{name: "#extend twice", own: commandAnswer + "\n#extend 5 arkivi\n#extend 10 arkivi i Prizrenit",
			state: inquiry.Answered, officer: "jusuf", extDays: 10, notices: []string{"zgjatet për 10 ditë"},
			report: []string{"NUK U KRYE: #extend 5 arkivi", "U zëvendësua nga #extend 10 arkivi i Prizrenit"}},
		{name: "#close then #reopen on an open ticket", own: commandAnswer + "\n#close granted\n#reopen",
			state: inquiry.Answered, officer: "jusuf",
			report: []string{"NUK U KRYE: #close granted", "U zëvendësua nga #reopen", "NUK U KRYE: #reopen"}},
		{name: "#close twice", own: commandAnswer + "\n#close granted\n#close refused personal_data",
			state: inquiry.Closed, outcome: inquiry.Refused, officer: "jusuf",
			report: []string{"NUK U KRYE: #close granted", "U zëvendësua nga #close refused personal_data", "U krye: #close refused personal_data"}},
		{name: "#assign twice", own: "#assign zamira\n#assign osman",
			state: inquiry.Assigned, officer: "osman", notify: []string{"osman"},
			report: []string{"NUK U KRYE: #assign zamira", "U zëvendësua nga #assign osman", "U krye: #assign osman"}},
		{name: "#take then #assign", own: "#take\n#assign zamira",
			state: inquiry.Assigned, officer: "zamira", notify: []string{"zamira"},
			report: []string{"NUK U KRYE: #take", "U zëvendësua nga #assign zamira"}},
		{name: "no contradiction: #reopen then #close on a closed ticket",
			setup: func(t *testing.T, f *fixture) {
				if _, err := f.desk.Close(ctx, ticket1, inquiry.Granted, "", "jusuf"); err != nil {
					t.Fatal(err)
				}
			},
			own: "#reopen\n#close refused personal_data", state: inquiry.Closed, outcome: inquiry.Refused, officer: "jusuf",
			notices: []string{"personal"},
			report:  []string{"U krye: #reopen", "U krye: #close refused personal_data"}},
		{name: "no contradiction: #urgent and an answer", own: commandAnswer + "\n#urgent",
			urgent: true, state: inquiry.Answered, officer: "jusuf", heads: 2, notify: []string{"jusuf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			before := map[int64]bool{}
			for _, j := range f.jobs(ticket1) {
				before[j.ID] = true
			}
			officerReplies(t, f, "both@mkrs.example", "+", "", belowQuote(tt.own))
			var made []inquiry.Job
			for _, j := range f.jobs(ticket1) {
				if !before[j.ID] {
					made = append(made, j)
				}
			}
			tk := f.ticket(ticket1)
			ext := 0
			if tk.Extension != nil {
				ext = tk.Extension.Days
			}
			if tk.Urgent != tt.urgent || tk.State != tt.state || tk.Outcome != tt.outcome || tk.OfficerID != tt.officer || ext != tt.extDays {
				t.Errorf("ticket urgent %v %s/%q officer %s extended %d, want urgent %v %s/%q officer %s extended %d",
					tk.Urgent, tk.State, tk.Outcome, tk.OfficerID, ext, tt.urgent, tt.state, tt.outcome, tt.officer, tt.extDays)
			}
			notices := noticeTexts(made)
			if len(notices) != len(tt.notices) {
				t.Errorf("notices to the citizen %q, want %d", notices, len(tt.notices))
			}
			for i := range min(len(notices), len(tt.notices)) {
				wantIn(t, "notice", notices[i], tt.notices[i])
			}
			if h := jobsOf(made, inquiry.JobHeadNotice); len(h) != tt.heads {
				t.Errorf("%d head notices, want %d", len(h), tt.heads)
			}
			var notified []string
			for _, j := range jobsOf(made, inquiry.JobNotify) {
				if j.Mail != nil {
					notified = append(notified, j.Recipient)
				}
			}
			if strings.Join(notified, ",") != strings.Join(tt.notify, ",") {
				t.Errorf("officers notified by mail %v, want %v", notified, tt.notify)
			}
			if tt.report == nil {
				noReport(t, f)
				return
			}
			wantIn(t, "the report", oneReport(t, f), tt.report...)
		})
	}
}

// A command line typed below the quoted notification that is word for word
// a line of the citizen's message is taken for the quote (nothing written
// by someone else may act as the officer), but not silently: the officer
// is told which line was not acted on, why, and to write it above the
// quote. Real clients' quote shapes; a citizen's message without command
// lines (ordinary mail) gives no such word.
func TestCommandBelowTheQuoteLikeTheCitizensLineIsReported(t *testing.T) {
	const (
		withTag  = "Të nderuar,\n\nKërkoj kopjen e kontratës për stadiumin në Prizren; gjykata pret më 30 nëntor.\n\n#urgent\n\nMe respekt,\nArben Berisha"
		ordinary = "Të nderuar,\n\nKërkoj kopjen e kontratës për stadiumin në Prizren; gjykata pret më 30 nëntor.\n\nMe respekt,\nArben Berisha"
		own      = "I nderuar z. Berisha,\n\nPo e shqyrtojmë kërkesën tuaj me përparësi."
	)
	htmlType, plainType := "text/html; charset=utf-8", "text/plain; charset=utf-8"
	shapes := []struct {
		name string
		ct   string
		body func(n *inquiry.Mail) string
	}{
		{"Outlook plain text, header block, no quote marks", plainType, func(n *inquiry.Mail) string {
			return own + "\n\n________________________________\nFrom: Divizioni për Komunikim Publik <komunikimi@mkrs.example>\n" +
				"Sent: Wednesday, November 25, 2026 11:00 AM\nTo: Jusuf Lushaku <jusuf.lushaku@mkrs.example>\nSubject: " + n.Subject +
				"\n\n" + n.Text + "\n\n#urgent\n"
		}},
		{"Outlook on the web", htmlType, func(n *inquiry.Mail) string {
			return `<html><body dir="ltr"><div>` + htmlLines(own) + `</div>` + owaQuoteHTML(n) + `<div>#urgent</div></body></html>`
		}},
		{"Gmail HTML", htmlType, func(n *inquiry.Mail) string {
			return `<div dir="ltr">` + htmlLines(own) + `</div><br><div class="gmail_quote">` + gmailAttribution +
				`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">` + htmlLines(n.Text) + `</blockquote></div><div dir="ltr">#urgent</div>`
		}},
		{"Gmail plain text", plainType, func(n *inquiry.Mail) string {
			return own + "\n\nOn Wed, Nov 25, 2026 at 11:00 AM Divizioni për Komunikim Publik <komunikimi@mkrs.example> wrote:\n\n" +
				quote("> ", n.Text) + "\n#urgent\n"
		}},
		{"Apple Mail HTML", htmlType, func(n *inquiry.Mail) string {
			return `<html><body style="word-wrap: break-word;"><div>` + htmlLines(own) + `</div><div><br><blockquote type="cite">` +
				`<div>On 25 Nov 2026, at 11:00, Divizioni për Komunikim Publik &lt;komunikimi@mkrs.example&gt; wrote:</div><br class="Apple-interchange-newline">` +
				`<div><div>` + htmlLines(n.Text) + `</div></div></blockquote></div><div>#urgent</div></body></html>`
		}},
		{"Apple Mail plain text", plainType, func(n *inquiry.Mail) string {
			return own + "\n\n> On 25 Nov 2026, at 11:00, Divizioni për Komunikim Publik <komunikimi@mkrs.example> wrote:\n> \n" +
				quote("> ", n.Text) + "\n#urgent\n"
		}},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			t.Run("the citizen wrote the line", func(t *testing.T) {
				f := newSubjectFixture(t, "Kërkesë", withTag)
				if f.ticket(ticket1).Urgent {
					t.Fatal("urgent at filing; the test needs a ticket that is not")
				}
				if d := officerReplies(t, f, "below@mkrs.example", "+", sh.ct, sh.body); d != inquiry.Relayed {
					t.Fatalf("disposition %s, want relayed", d)
				}
				if tk := f.ticket(ticket1); tk.Urgent {
					t.Error("a line of the citizen's acted as the officer's #urgent")
				}
				for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobAnswer) {
					if strings.Contains(j.Mail.Text, "#urgent") || !strings.Contains(j.Mail.Text, "Po e shqyrtojmë") {
						t.Errorf("the answer to the citizen:\n%s", j.Mail.Text)
					}
				}
				wantIn(t, "the report", oneReport(t, f), "NUK U KRYE: #urgent", "mesazhit të qytetarit", "sipër mesazhit të cituar")
			})
			t.Run("ordinary mail: the officer's command acts, no word", func(t *testing.T) {
				f := newSubjectFixture(t, "Kërkesë", ordinary)
				if d := officerReplies(t, f, "below@mkrs.example", "+", sh.ct, sh.body); d != inquiry.Relayed {
					t.Fatalf("disposition %s, want relayed", d)
				}
				if tk := f.ticket(ticket1); !tk.Urgent {
					t.Error("the officer's #urgent below the quote was not done")
				}
				noReport(t, f)
			})
		})
	}
}

// A command typed as a bullet ("- #close granted", "— #close", an HTML
// list item Outlook made when the officer typed "- ") is clearly meant as
// a command, like a mistyped command word: it is refused with the line to
// write, never relayed and never half done. A bulleted hashtag is text.
func TestBulletedCommandIsRefused(t *testing.T) {
	tests := []struct {
		name   string
		ct     string
		own    string
		answer string   // the citizen's answer; "" for none
		report []string // nil: no report
	}{
		{name: "hyphen", own: commandAnswer + "\n- #close granted", answer: commandAnswer,
			report: []string{"NUK U KRYE: - #close granted", "në fillim të rreshtit", "#close granted"}},
		{name: "em dash", own: commandAnswer + "\n— #close granted", answer: commandAnswer,
			report: []string{"NUK U KRYE: — #close granted", "në fillim të rreshtit"}},
		{name: "en dash without a space, commands only", own: "–#urgent",
			report: []string{"NUK U KRYE: –#urgent", "në fillim të rreshtit", "Qytetarit nuk iu dërgua asgjë"}},
		{name: "bullet and a misspelled word", own: commandAnswer + "\n• #mbyll granted", answer: commandAnswer,
			report: []string{"NUK U KRYE: • #mbyll granted", "#close granted"}},
		{name: "an HTML list of commands", ct: "text/html; charset=utf-8",
			own:    "<p>" + strings.ReplaceAll(commandAnswer, "\n", "<br>") + "</p><ul><li>#extend 10 arkivi</li><li>#urgent</li></ul>",
			answer: commandAnswer,
			report: []string{"NUK U KRYE: - #extend 10 arkivi", "NUK U KRYE: - #urgent"}},
		{name: "a numbered list", own: commandAnswer + "\n1. #close granted", answer: commandAnswer,
			report: []string{"NUK U KRYE: 1. #close granted"}},
		{name: "a bulleted hashtag is text", own: commandAnswer + "\n- #MKRS", answer: commandAnswer + "\n- #MKRS"},
		{name: "a dash before a # in a sentence is text", own: commandAnswer + "\n- shih #10 në listë", answer: commandAnswer + "\n- shih #10 në listë"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			body := belowQuote(tt.own)
			if tt.ct != "" {
				body = func(n *inquiry.Mail) string {
					return tt.own + `<div class="gmail_quote">` + gmailAttribution + `<blockquote class="gmail_quote">` + htmlLines(n.Text) + `</blockquote></div>`
				}
			}
			officerReplies(t, f, "bullet@mkrs.example", "+", tt.ct, body)
			tk := f.ticket(ticket1)
			if tk.Urgent || tk.Outcome != "" || tk.Extension != nil {
				t.Errorf("a bulleted command acted: urgent %v outcome %q extension %+v", tk.Urgent, tk.Outcome, tk.Extension)
			}
			answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer)
			switch {
			case tt.answer == "" && len(answers) != 0:
				t.Errorf("the citizen got %q", answers[0].Mail.Text)
			case tt.answer != "" && (len(answers) != 1 || answers[0].Mail.Text != tt.answer+"\n"):
				t.Errorf("the citizen's answers %+v, want exactly:\n%s", answers, tt.answer)
			}
			if tt.report == nil {
				noReport(t, f)
				return
			}
			wantIn(t, "the report", oneReport(t, f), tt.report...)
		})
	}
}
