package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

// A command the officer mistyped or wrote in their own language is not
// relayed to the citizen and changes nothing; the officer's report names
// the line and the command they probably meant. Hashtags of a signature,
// a "#" in a sentence and the citizen's quoted lines stay as they were.
func TestMisspelledMailCommandsAreRefusedNotRelayed(t *testing.T) {
	const own = "I nderuar z. Berisha,\n\nKontrata ju dërgohet bashkëngjitur."
	tests := []struct {
		name string
		line string
		// meant is the command the report suggests; "" for a line that is
		// text (relayed as it is) or a command that runs.
		meant string
		// alone: the line is all the officer wrote above the quote.
		alone bool
		// request is the citizen's, quoted in the reply.
		request string
		// relayed is the answer the citizen gets, "" for own.
		relayed string
		closed  inquiry.Outcome
	}{
		{name: "grant", line: "#grant", meant: "#close granted"},
		{name: "refuse", line: "#refuse", meant: "#close refused"},
		{name: "refuse with a ground", line: "#refuse personal_data", meant: "#close refused personal_data"},
		{name: "closed", line: "#closed", meant: "#close"},
		{name: "closed granted", line: "#closed granted", meant: "#close granted"},
		{name: "letters swapped", line: "#clsoe granted", meant: "#close granted"},
		{name: "capitalised misspelling", line: "#Clsoe granted", meant: "#close granted"},
		{name: "Albanian close", line: "#mbyll", meant: "#close"},
		{name: "Albanian close granted", line: "#mbyll granted", meant: "#close granted"},
		{name: "Albanian close with words it does not take", line: "#mbyll e miratuar", meant: "#close"},
		{name: "Albanian extend", line: "#zgjat 5 dokumentet janë në arkiv", meant: "#extend 5 dokumentet janë në arkiv"},
		{name: "Albanian take", line: "#merr", meant: "#take"},
		{name: "Albanian assign", line: "#cakto zamira", meant: "#assign zamira"},
		{name: "Albanian urgent", line: "#urgjent", meant: "#urgent"},
		{name: "Serbian close", line: "#zatvori", meant: "#close"},
		{name: "Serbian close in Cyrillic", line: "#затвори", meant: "#close"},
		{name: "Serbian extend", line: "#produži 5 arhiva", meant: "#extend 5 arhiva"},
		{name: "Serbian urgent", line: "#hitno", meant: "#urgent"},
		{name: "extend missing a letter", line: "#extnd 5 arkivi", meant: "#extend 5 arkivi"},
		{name: "urgent with an exclamation mark", line: "#urgent!", meant: "#urgent"},
		{name: "alone above the quote", line: "#mbyll granted", meant: "#close granted", alone: true},

		{name: "a signature's hashtag", line: "#MKRS", relayed: own + "\n\n#MKRS"},
		{name: "a signature's hashtags", line: "#MKRS #KulturaKosova", relayed: own + "\n\n#MKRS #KulturaKosova"},
		{name: "a hashtag that is a word", line: "#KulturaKosova", relayed: own + "\n\n#KulturaKosova"},
		{name: "a number", line: "#10 në listë është kontrata.", relayed: own + "\n\n#10 në listë është kontrata."},
		{name: "a command word in a sentence", line: "Shkruani #mbyll granted kur të vendosni.", relayed: own + "\n\nShkruani #mbyll granted kur të vendosni."},
		{name: "a real command", line: "#close granted", closed: inquiry.Granted},
		{name: "the citizen's line in the quote", line: "Me respekt.", relayed: own + "\n\nMe respekt.",
			request: "Të nderuar,\n\nKërkoj kopjen e kontratës.\n\n#mbyll granted\n\nArben Berisha"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			request := tt.request
			if request == "" {
				request = docRequestSQ
			}
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, request)
			n := mailNotification(f)
			before := f.ticket(ticket1)
			f.now = f.now.Add(time.Hour)
			body := own + "\n\n" + tt.line
			if tt.alone {
				body = tt.line
			}
			body += "\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n" + quote("> ", n.Text)
			m := parse.Parse(replyMail(n, "typo@mkrs.example", "Re: "+n.Subject, "text/plain; charset=utf-8", nil, body), f.now, parseOptions())
			disposition := f.handle(m)

			answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer)
			var texts []string
			for _, a := range answers {
				texts = append(texts, strings.TrimSpace(a.Mail.Text))
			}
			want := []string{own}
			switch {
			case tt.alone:
				want = nil
			case tt.relayed != "":
				want = []string{tt.relayed}
			}
			if strings.Join(texts, "\n--\n") != strings.Join(want, "\n--\n") {
				t.Errorf("the citizen got %q, want %q", texts, want)
			}
			if tt.alone && disposition != inquiry.Attached || !tt.alone && disposition != inquiry.Relayed {
				t.Errorf("disposition %s", disposition)
			}

			tk := f.ticket(ticket1)
			if tk.Outcome != tt.closed || (tt.closed != "") != (tk.State == inquiry.Closed) {
				t.Errorf("ticket %s/%s, want closed %q", tk.State, tk.Outcome, tt.closed)
			}
			if !tk.DueAt.Equal(before.DueAt) || tk.Extension != nil || tk.Urgent || tk.OfficerID != before.OfficerID {
				t.Errorf("ticket changed: due %s (was %s), extension %v, urgent %v, officer %s (was %s)",
					tk.DueAt, before.DueAt, tk.Extension, tk.Urgent, tk.OfficerID, before.OfficerID)
			}

			reports := jobsOf(f.jobs(ticket1), inquiry.JobCommandReport)
			if tt.meant == "" {
				for _, r := range reports {
					t.Errorf("the officer got a report:\n%s", r.Mail.Text)
				}
				return
			}
			if len(reports) != 1 {
				t.Fatalf("%d reports to the officer, want one", len(reports))
			}
			mail := reports[0].Mail
			if !strings.Contains(mail.Subject, "një komandë nuk u krye") {
				t.Errorf("subject %q, want the refusal's", mail.Subject)
			}
			if !strings.Contains(mail.Text, "NUK U KRYE: "+tt.line+"\n") {
				t.Errorf("the report does not name the line %q:\n%s", tt.line, mail.Text)
			}
			reasons := refusedLines(mail.Text)
			if len(reasons) != 1 {
				t.Fatalf("%d refused commands in the report, want 1:\n%s", len(reasons), mail.Text)
			}
			written := strings.Fields(tt.line)[0]
			for _, w := range []string{written + " nuk është komandë", "Ndoshta keni dashur " + tt.meant + "?", "Shkruajeni kështu: #"} {
				if !strings.Contains(reasons[0], w) {
					t.Errorf("the officer read %q; want %q in it", reasons[0], w)
				}
			}
			if w := leftEnglish(reasons[0]); w != "" {
				t.Errorf("English %q left in the officer's report: %q", w, reasons[0])
			}
			sent := "Përgjigjja juaj, pa rreshtat e komandave, iu dërgua qytetarit."
			if tt.alone {
				sent = "Qytetarit nuk iu dërgua asgjë nga ky mesazh"
			}
			if !strings.Contains(mail.Text, sent) {
				t.Errorf("the report does not say %q:\n%s", sent, mail.Text)
			}

			// The record keeps the line and the English of the refusal.
			entries, err := f.store.Entries(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			noted := false
			for _, e := range entries {
				if e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "command by mail refused: "+tt.line+": not allowed: ") &&
					strings.Contains(e.Text, "perhaps "+tt.meant+" was meant") {
					noted = true
				}
			}
			if !noted {
				t.Errorf("no English note of the refused %s on the ticket", tt.line)
			}
		})
	}
}
