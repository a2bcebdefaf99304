package desk_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantText string
		want     []desk.Command
		wantErr  []string // per command, a part of its Err; "" for none
	}{
		{
			name:     "sq answer with an extension below it",
			text:     "I nderuar z. Krasniqi,\n\nDokumentet janë në arkiv, ju përgjigjemi brenda afatit të zgjatur.\n\n#extend 10 dokumentet janë në arkivin e Prizrenit\n\nMe respekt,\nJusuf Lushaku",
			wantText: "I nderuar z. Krasniqi,\n\nDokumentet janë në arkiv, ju përgjigjemi brenda afatit të zgjatur.\n\nMe respekt,\nJusuf Lushaku",
			want: []desk.Command{{Line: "#extend 10 dokumentet janë në arkivin e Prizrenit", Name: "extend", Days: 10,
				Reason: "dokumentet janë në arkivin e Prizrenit"}},
		},
		{
			name:     "en answer, close refused with a ground, CRLF and trailing spaces",
			text:     "Dear Mr Berisha,\r\n\r\nThe contract contains personal data and cannot be released.  \r\n#CLOSE Refused personal_data   \r\n",
			wantText: "Dear Mr Berisha,\n\nThe contract contains personal data and cannot be released.",
			want:     []desk.Command{{Line: "#CLOSE Refused personal_data", Name: "close", Outcome: inquiry.Refused, Ground: "personal_data"}},
		},
		{
			name: "commands only, mixed case, indented",
			text: "#Urgent\n  #notheld Ministria e Arsimit  \n#reopen\r\n#Take\n#assign zamira\n#urgent OFF",
			want: []desk.Command{
				{Line: "#Urgent", Name: "urgent"},
				{Line: "#notheld Ministria e Arsimit", Name: "notheld", Holder: "Ministria e Arsimit"},
				{Line: "#reopen", Name: "reopen"},
				{Line: "#Take", Name: "take"},
				{Line: "#assign zamira", Name: "assign", Officer: "zamira"},
				{Line: "#urgent OFF", Name: "urgent", Off: true},
			},
		},
		{
			name:     "not held without a holder, close with a dashed outcome",
			text:     "Nuk e kemi këtë dokument.\n#notheld\n#close not-held\n#close",
			wantText: "Nuk e kemi këtë dokument.",
			want: []desk.Command{
				{Line: "#notheld", Name: "notheld"},
				{Line: "#close not-held", Name: "close", Outcome: inquiry.NotHeld},
				{Line: "#close", Name: "close"},
			},
		},
		{
			// "#closed" is a misspelled command now, refused (see
			// TestMisspelledMailCommandsAreRefusedNotRelayed).
			name:     "hashtags, numbers and commands inside a line stay text",
			text:     "Shihni pikën\n#10 in the list\n#hashtag #close granted\nPër ta mbyllur shkruani #close granted.\n#MKRS\n> #close granted\n#",
			wantText: "Shihni pikën\n#10 in the list\n#hashtag #close granted\nPër ta mbyllur shkruani #close granted.\n#MKRS\n> #close granted\n#",
		},
		{
			name:     "no command: the text is left alone",
			text:     "Përshëndetje,\n\n\nJu dërgojmë kontratën.",
			wantText: "Përshëndetje,\n\n\nJu dërgojmë kontratën.",
		},
		{
			name:     "written wrongly: still commands, kept from the citizen, with the reason",
			text:     "Tekst.\n#extend\n#extend dhjetë ditë arsye\n#extend 10\n#urgent of\n#close maybe\n#close refused personal_data tepër\n#reopen tani\n#assign\n#take une",
			wantText: "Tekst.",
			want: []desk.Command{
				{Line: "#extend", Name: "extend"},
				{Line: "#extend dhjetë ditë arsye", Name: "extend"},
				{Line: "#extend 10", Name: "extend"},
				{Line: "#urgent of", Name: "urgent"},
				{Line: "#close maybe", Name: "close"},
				{Line: "#close refused personal_data tepër", Name: "close", Outcome: inquiry.Refused, Ground: "personal_data"},
				{Line: "#reopen tani", Name: "reopen"},
				{Line: "#assign", Name: "assign"},
				{Line: "#take une", Name: "take"},
			},
			wantErr: []string{
				"give the days and the reason", `"dhjetë" is not a number of days`, "give the days and the reason",
				"#urgent takes nothing or off", `unknown outcome "maybe"`,
				"at most a ground", "#reopen takes nothing after it", "give one officer's id", "#take takes nothing after it",
			},
		},
		{
			// An HTML mail client writes a bold line as *…* and an
			// underlined one as _…_ in the plain-text part.
			name:     "a command made bold or underlined whole is the plain line",
			text:     "Tekst.\n*#close granted*\n_#close refused personal_data_\n *#extend 10 dokumentet janë në arkiv* \n_#urgent off_\n*#close maybe*\n**#take**\n__#urgent__",
			wantText: "Tekst.",
			want: []desk.Command{
				{Line: "#close granted", Name: "close", Outcome: inquiry.Granted},
				{Line: "#close refused personal_data", Name: "close", Outcome: inquiry.Refused, Ground: "personal_data"},
				{Line: "#extend 10 dokumentet janë në arkiv", Name: "extend", Days: 10, Reason: "dokumentet janë në arkiv"},
				{Line: "#urgent off", Name: "urgent", Off: true},
				{Line: "#close maybe", Name: "close"},
				{Line: "#take", Name: "take"},
				{Line: "#urgent", Name: "urgent"},
			},
			wantErr: []string{"", "", "", "", `unknown outcome "maybe"`, "", ""},
		},
		{
			name:     "emphasis not around the whole command: refused as a bullet, as before",
			text:     "Tekst.\n*#close granted\n*#close granted_\n*#close granted *",
			wantText: "Tekst.",
			want: []desk.Command{
				{Line: "*#close granted", Name: "close"},
				{Line: "*#close granted_", Name: "close"},
				{Line: "*#close granted *", Name: "close"},
			},
			wantErr: []string{"a command starts its line", "a command starts its line", "a command starts its line"},
		},
		{
			name:     "hashtags made bold or underlined stay text",
			text:     "*#MKRS*\n_#10 in the list_\n*#hashtag #close granted*\n_#_",
			wantText: "*#MKRS*\n_#10 in the list_\n*#hashtag #close granted*\n_#_",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, cmds := desk.ParseCommands(tt.text)
			if text != tt.wantText {
				t.Errorf("text to relay:\n%q\nwant\n%q", text, tt.wantText)
			}
			if len(cmds) != len(tt.want) {
				t.Fatalf("%d commands, want %d: %+v", len(cmds), len(tt.want), cmds)
			}
			for i, c := range cmds {
				wantErr := ""
				if tt.wantErr != nil {
					wantErr = tt.wantErr[i]
				}
				switch {
				case wantErr == "" && c.Err != nil:
					t.Errorf("%s: unexpected error %v", c.Line, c.Err)
				case wantErr != "" && (c.Err == nil || !strings.Contains(c.Err.Error(), wantErr)):
					t.Errorf("%s: error %v, want one with %q", c.Line, c.Err, wantErr)
				case wantErr != "" && !strings.Contains(c.Err.Error(), "write it as #"+c.Name):
					t.Errorf("%s: error %v does not show how to write it", c.Line, c.Err)
				}
				c.Err = nil
				if !reflect.DeepEqual(c, tt.want[i]) {
					t.Errorf("command %d = %+v, want %+v", i, c, tt.want[i])
				}
			}
		})
	}
}

// commandAnswer is an sq officer's answer that the commands go with.
const commandAnswer = "I nderuar z. Berisha,\n\nKontrata përmban të dhëna personale të punëtorëve.\n\nMe respekt,\nJusuf Lushaku"

// mailNotification returns the mail notification of ticket1 to its officer.
func mailNotification(f *fixture) *inquiry.Mail {
	f.t.Helper()
	tk := f.ticket(ticket1)
	for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobNotify) {
		if j.Mail != nil && j.Recipient == tk.OfficerID {
			return j.Mail
		}
	}
	f.t.Fatalf("no mail notification of %s to %s", ticket1, tk.OfficerID)
	return nil
}

// Commands in an officer's emailed answer are applied as that officer in
// the intake of the mail; the citizen gets the answer without them, and the
// officer hears about commands that were refused or stood alone.
func TestOfficerCommandsByMail(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		cat    inquiry.Category               // a document request when empty
		setup  func(t *testing.T, f *fixture) // before the officer's mail
		own    string                         // what the officer writes above the quoted notification
		disp   inquiry.Disposition
		answer string // what the citizen receives as the answer; "" for none
		// notices holds a part of each notice the citizen gets, in order.
		notices []string
		state   inquiry.State
		outcome inquiry.Outcome
		ground  string
		inAns   bool
		extDays int
		// report holds parts of the officer's report; nil when none is sent.
		report []string
		// noted is a part of a note the ticket's record must have.
		noted string
	}{
		{
			name:    "extend with an answer",
			own:     "I nderuar z. Berisha,\n\nDokumentet janë në arkiv.\n#extend 10 dokumentet janë në arkivin e Prizrenit\n\nMe respekt,\nJusuf Lushaku",
			disp:    inquiry.Relayed,
			answer:  "I nderuar z. Berisha,\n\nDokumentet janë në arkiv.\n\nMe respekt,\nJusuf Lushaku",
			notices: []string{"zgjatet për 10 ditë"},
			state:   inquiry.Answered,
			extDays: 10,
			noted:   "extended by 10 days",
		},
		{
			name:   "close refused with a ground: the decision goes out in the answer",
			own:    commandAnswer + "\n\n#close refused personal_data  ",
			disp:   inquiry.Relayed,
			answer: commandAnswer,
			state:  inquiry.Closed, outcome: inquiry.Refused, ground: "personal_data", inAns: true,
			noted: "closed: refused (ground personal_data); the decision went out in the answer",
		},
		{
			name:   "unknown ground: the answer goes, the ticket stays open, the officer is told",
			own:    "#Close refused tax\r\n" + commandAnswer,
			disp:   inquiry.Relayed,
			answer: commandAnswer,
			state:  inquiry.Answered,
			report: []string{"NUK U KRYE: #Close refused tax", `Baza e refuzimit "tax" nuk njihet. Mundësitë: personal_data, classified.`, "iu dërgua qytetarit"},
			noted:  "command by mail refused: #Close refused tax",
		},
		{
			name:    "commands only: nothing relayed, a confirmation instead of the nothing-sent notice",
			own:     "#urgent\n#extend 5 arsye",
			disp:    inquiry.Attached,
			notices: nil, // an urgent request cannot be extended
			state:   inquiry.Assigned,
			report:  []string{"U krye: #urgent", "urgjente (48 orë)", "NUK U KRYE: #extend 5 arsye", "kërkesa urgjente nuk zgjatet", "Qytetarit nuk iu dërgua asgjë"},
			noted:   "marked urgent",
		},
		{
			name:    "not held and closed as not held, commands only",
			own:     "#notheld Ministria e Arsimit\n#close not_held",
			disp:    inquiry.Attached,
			notices: []string{"Ministria e Arsimit"},
			state:   inquiry.Closed, outcome: inquiry.NotHeld,
			report: []string{"U krye: #notheld Ministria e Arsimit", "U krye: #close not_held", "u mbyll: not_held"},
			noted:  "document not held by the ministry; held by Ministria e Arsimit",
		},
		{
			name: "a second extension is refused",
			setup: func(t *testing.T, f *fixture) {
				if _, err := f.desk.Extend(ctx, ticket1, 10, "arkivi", "osman"); err != nil {
					t.Fatal(err)
				}
			},
			own:     commandAnswer + "\n#extend 5 edhe pak",
			disp:    inquiry.Relayed,
			answer:  commandAnswer,
			notices: []string{"zgjatet për 10 ditë"}, // the first one's only
			state:   inquiry.Answered,
			extDays: 10,
			report:  []string{"NUK U KRYE: #extend 5 edhe pak", "ligji lejon vetëm një zgjatje"},
		},
		{
			name:   "written wrongly: refused with how to write it",
			own:    commandAnswer + "\n#extend dhjetë ditë",
			disp:   inquiry.Relayed,
			answer: commandAnswer,
			state:  inquiry.Answered,
			report: []string{"NUK U KRYE: #extend dhjetë ditë", `"dhjetë" nuk është numër ditësh`, "#extend DITËT arsyeja"},
		},
		{
			name:   "a document request closed without an outcome: refused, saying which",
			own:    "#close",
			disp:   inquiry.Attached,
			state:  inquiry.Assigned,
			report: []string{"NUK U KRYE: #close", "zgjidhni vendimin", "#close granted, #close partly_granted BAZA"},
		},
		{
			name: "a press inquiry answered and closed: resolved, nothing decided",
			cat:  inquiry.PressInquiry,
			setup: func(t *testing.T, f *fixture) {
				// Press inquiries go to another officer; jusuf answers this one.
				if _, err := f.desk.Assign(ctx, ticket1, "jusuf", "osman"); err != nil {
					t.Fatal(err)
				}
			},
			own:    commandAnswer + "\n#close",
			disp:   inquiry.Relayed,
			answer: commandAnswer,
			state:  inquiry.Closed, outcome: inquiry.Resolved,
			noted: "closed: resolved",
		},
		{
			name:   "assign to another officer",
			own:    "#assign Zamira",
			disp:   inquiry.Attached,
			state:  inquiry.Assigned,
			report: []string{"U krye: #assign Zamira", "iu caktua Zamira Ahmeti (zamira)"},
			noted:  "assigned to zamira (was jusuf)",
		},
		{
			name:   "a hashtag and a number stay text",
			own:    "Shihni pikën\n#10 in the list\n#transparenca",
			disp:   inquiry.Relayed,
			answer: "Shihni pikën\n#10 in the list\n#transparenca",
			state:  inquiry.Answered,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := tt.cat
			if cat == "" {
				cat = inquiry.DocumentRequest
			}
			f := newLifecycleFixture(t, cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			notify := mailNotification(f)
			noticesBefore := len(noticeTexts(f.jobs(ticket1)))
			f.now = f.now.Add(time.Hour)
			raw := replyMail(notify, "cmd@mkrs.example", "Re: "+notify.Subject, "", nil,
				tt.own+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
			m := parse.Parse(raw, f.now, parseOptions())
			if d := f.handle(m); d != tt.disp {
				t.Fatalf("disposition %s, want %s", d, tt.disp)
			}
			jobs := f.jobs(ticket1)

			answers := jobsOf(jobs, inquiry.JobAnswer)
			switch {
			case tt.answer == "" && len(answers) != 0:
				t.Errorf("the citizen got an answer: %q", answers[0].Mail.Text)
			case tt.answer != "" && (len(answers) != 1 || answers[0].Mail.Text != tt.answer+"\n"):
				t.Errorf("the citizen's answers %+v, want exactly:\n%s", answers, tt.answer)
			}
			notices := noticeTexts(jobs)
			if tt.setup == nil && noticesBefore != 0 {
				t.Fatalf("%d notices before the mail", noticesBefore)
			}
			if len(notices) != len(tt.notices) {
				t.Fatalf("%d notices to the citizen, want %d: %q", len(notices), len(tt.notices), notices)
			}
			for i, want := range tt.notices {
				if !strings.Contains(notices[i], want) {
					t.Errorf("notice %d lacks %q:\n%s", i, want, notices[i])
				}
			}

			tk := f.ticket(ticket1)
			if tk.State != tt.state || tk.Outcome != tt.outcome || tk.Ground != tt.ground || tk.DecisionInAnswer != tt.inAns {
				t.Errorf("ticket %s/%s ground %q in answer %v, want %s/%s ground %q in answer %v",
					tk.State, tk.Outcome, tk.Ground, tk.DecisionInAnswer, tt.state, tt.outcome, tt.ground, tt.inAns)
			}
			if tt.inAns && !tk.DecidedAt.Equal(tk.AnsweredAt) {
				t.Errorf("decided %s, want the answer's time %s", tk.DecidedAt, tk.AnsweredAt)
			}
			extended := 0
			if tk.Extension != nil {
				extended = tk.Extension.Days
			}
			if extended != tt.extDays {
				t.Errorf("extended by %d days, want %d", extended, tt.extDays)
			}

			if n := len(jobsOf(jobs, inquiry.JobQuarantined)); n != 0 {
				t.Errorf("%d nothing-sent notices to the officer, want none", n)
			}
			reports := jobsOf(jobs, inquiry.JobCommandReport)
			if tt.report == nil {
				if len(reports) != 0 {
					t.Errorf("a report was sent:\n%s", reports[0].Mail.Text)
				}
			} else {
				if len(reports) != 1 {
					t.Fatalf("%d reports to the officer, want 1", len(reports))
				}
				r := reports[0]
				if r.Recipient != "jusuf" || r.Mail.To[0].Address != "jusuf.lushaku@mkrs.example" || !strings.Contains(r.Mail.Subject, ticket1) || !r.Mail.AutoReplied {
					t.Errorf("report %+v", r.Mail)
				}
				for _, want := range tt.report {
					if !strings.Contains(r.Mail.Text, want) {
						t.Errorf("the report lacks %q:\n%s", want, r.Mail.Text)
					}
				}
			}

			entries, err := f.store.Entries(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			kept, noted := false, tt.noted == ""
			for _, e := range entries {
				if e.SourceID == m.SourceID && len(e.Raw) > 0 {
					kept = true
				}
				if e.Kind == inquiry.EntryNote && e.Author == "jusuf" && strings.Contains(e.Text, tt.noted) {
					noted = true
				}
			}
			if !kept {
				t.Error("the officer's mail is not kept on the ticket")
			}
			if !noted {
				t.Errorf("no note by jusuf with %q", tt.noted)
			}
			if d := f.handle(m); d != inquiry.Duplicate {
				t.Errorf("the same mail again: %s, want duplicate", d)
			}
		})
	}
}

// A citizen writing a command line writes text: it joins their ticket as a
// follow-up and changes nothing.
func TestCitizenCommandIsText(t *testing.T) {
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	f.now = f.now.Add(time.Hour)
	m := citizen("cit-cmd@example.net", "arben@example.net", "Re: ["+ticket1+"] Kërkesë", "#close granted\n#extend 15 sepse po\nFaleminderit.")
	m.InReplyTo = []string{"req@example.net"}
	if d := f.handle(m); d != inquiry.Attached {
		t.Fatalf("citizen's mail: %s, want attached", d)
	}
	tk := f.ticket(ticket1)
	if tk.State != inquiry.Assigned || tk.Outcome != "" || tk.Extension != nil {
		t.Errorf("the citizen's commands changed the ticket: %s/%s extension %+v", tk.State, tk.Outcome, tk.Extension)
	}
	jobs := f.jobs(ticket1)
	if n := len(noticeTexts(jobs)) + len(jobsOf(jobs, inquiry.JobCommandReport)); n != 0 {
		t.Errorf("%d notices or reports, want none", n)
	}
	entries, err := f.store.Entries(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != inquiry.EntryInbound || !strings.Contains(last.Text, "#close granted\n#extend 15 sepse po") {
		t.Errorf("the citizen's text is not kept as written: %+v", last)
	}
}
