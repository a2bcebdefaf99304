package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

// englishWords are pieces of the desk's English refusals (and of Go's
// errors) that must never reach an officer in an Albanian text.
var englishWords = []string{"ticket ", "needs", "unknown", "already", "not allowed", "reopen it", "cannot",
	"write it", "give ", " is ", " the ", "not a ", "takes ", "only ", "mail,", "one of", "no such", "failed"}

// leftEnglish is the first of englishWords in text, "" when none is.
func leftEnglish(text string) string {
	lower := strings.ToLower(text)
	for _, w := range englishWords {
		if strings.Contains(lower, w) {
			return w
		}
	}
	return ""
}

// refusedLines are the reasons under each "NUK U KRYE:" line of a report.
func refusedLines(report string) []string {
	var out []string
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "NUK U KRYE: ") && i+1 < len(lines) {
			out = append(out, strings.TrimSpace(lines[i+1]))
		}
	}
	return out
}

// An officer who replies to a notification with a command the desk
// refuses gets a report in Albanian: the reason, how to write it or mend
// it, and no English of the desk's. The ticket's record keeps the English.
func TestRefusedMailCommandsAreReportedInAlbanian(t *testing.T) {
	ctx := context.Background()
	doc, press := inquiry.DocumentRequest, inquiry.PressInquiry
	toJusuf := func(t *testing.T, f *fixture) {
		// Press inquiries go to another officer; jusuf answers this one.
		if _, err := f.desk.Assign(ctx, ticket1, "jusuf", "osman"); err != nil {
			t.Fatal(err)
		}
	}
	closed := func(t *testing.T, f *fixture) { setState(t, f, inquiry.Closed) }
	spam := func(t *testing.T, f *fixture) { setState(t, f, inquiry.SpamMail) }
	extended := func(t *testing.T, f *fixture) {
		if _, err := f.desk.Extend(ctx, ticket1, 10, "arkivi", "jusuf"); err != nil {
			t.Fatal(err)
		}
	}
	// Received 25 November, due at the end of 2 December.
	late := func(t *testing.T, f *fixture) { f.now = f.now.Add(10 * 24 * time.Hour) }
	notHeld := func(t *testing.T, f *fixture) {
		if _, err := f.desk.NotHeld(ctx, ticket1, "", "jusuf"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		cat     inquiry.Category
		setup   func(*testing.T, *fixture)
		command string
		kind    desk.RefusalKind
		want    []string // in the reason the officer reads
	}{
		{"refused without a ground", doc, nil, "#close refused", desk.RefusedNeedsGround,
			[]string{"Vendimi „refuzuar” kërkon bazën e refuzimit.", "Mundësitë: personal_data, classified."}},
		{"an unknown ground", doc, nil, "#close partly_granted whim", desk.RefusedUnknownGround,
			[]string{`Baza e refuzimit "whim" nuk njihet.`, "personal_data, classified"}},
		{"granted with a ground", doc, nil, "#close granted classified", desk.RefusedGroundNotTaken,
			[]string{"Vendimi „miratuar” nuk ka bazë refuzimi"}},
		{"a document request without a decision", doc, nil, "#close resolved", desk.RefusedNoDecision,
			[]string{"është kërkesë për dokumente: zgjidhni vendimin", "#close refused BAZA"}},
		{"a press inquiry granted", press, toJusuf, "#close granted", desk.RefusedCloseOutcome,
			[]string{"në kategorinë „pyetje nga media”", "#close resolved ose #close no_answer_needed"}},
		{"closed again", doc, closed, "#close granted", desk.RefusedClosed,
			[]string{"Tiketa DKP-2026-000001 është e mbyllur", "dërgoni #reopen"}},
		{"extended on spam", doc, spam, "#extend 5 arkivi", desk.RefusedSetAside,
			[]string{"është spam: ruhet, por nuk punohet", "dërgoni #reopen"}},
		{"reopened while open", doc, nil, "#reopen", desk.RefusedNotClosed,
			[]string{"Tiketa DKP-2026-000001 nuk është e mbyllur (caktuar)"}},
		{"assigned to nobody", doc, nil, "#assign mallory", desk.RefusedUnknownOfficer,
			[]string{`Zyrtari "mallory" nuk njihet.`, "Mundësitë: osman, jusuf, zamira, drita."}},
		{"extended too long", doc, nil, "#extend 20 arkivi", desk.RefusedExtensionDays,
			[]string{"Zgjatja është nga 1 deri në 15 ditë, jo 20."}},
		{"extended twice", doc, extended, "#extend 5 arkivi", desk.RefusedAlreadyExtended,
			[]string{"është zgjatur tashmë me 10 ditë", "ligji lejon vetëm një zgjatje"}},
		{"extended after the deadline", doc, late, "#extend 5 arkivi", desk.RefusedDeadlinePassed,
			[]string{"Afati i tiketës DKP-2026-000001 ka kaluar më 02.12.2026 pa vendim", "refuzimin e heshtur"}},
		{"a press inquiry extended", press, toJusuf, "#extend 5 arkivi", desk.RefusedExtendCategory,
			[]string{"vetëm kërkesat për dokumente kanë afat që zgjatet"}},
		{"not held twice", doc, notHeld, "#notheld", desk.RefusedAlreadyNotHeld,
			[]string{"është shënuar tashmë më 25.11.2026"}},
		{"a press inquiry not held", press, toJusuf, "#notheld", desk.RefusedNotHeldCategory,
			[]string{"vetëm një kërkesë për dokumente mund të shënohet"}},
		{"days in words", doc, nil, "#extend dhjetë arkivi", desk.RefusedCommandDays,
			[]string{`"dhjetë" nuk është numër ditësh.`, "Shkruajeni kështu: #extend DITËT arsyeja"}},
		{"an extension without its reason", doc, nil, "#extend 10", desk.RefusedCommandUsage,
			[]string{"Komanda #extend nuk është shkruar si duhet.", "arsyeja i tregohet kërkuesit"}},
		{"an unknown outcome", doc, nil, "#close maybe", desk.RefusedUnknownOutcome,
			[]string{`Rezultati "maybe" nuk njihet.`, "#close [REZULTATI [BAZA]]", "Mundësitë: granted, partly_granted"}},
		{"urgent with a word", doc, nil, "#urgent of", desk.RefusedCommandUsage,
			[]string{"Komanda #urgent nuk është shkruar si duhet.", "#urgent, ose #urgent off"}},
		{"take with a word", doc, nil, "#take une", desk.RefusedCommandUsage,
			[]string{"Komanda #take nuk është shkruar si duhet."}},
		{"assign without an officer", doc, nil, "#assign", desk.RefusedCommandUsage,
			[]string{"Komanda #assign nuk është shkruar si duhet.", "#assign ID_E_ZYRTARIT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			notify := mailNotification(f)
			reportsBefore := len(jobsOf(f.jobs(ticket1), inquiry.JobCommandReport))
			f.now = f.now.Add(time.Hour)
			raw := replyMail(notify, "cmd-refused@mkrs.example", "Re: "+notify.Subject, "", nil,
				tt.command+"\n\nMë 25.11.2026 në 11:00, Divizioni për Komunikim Publik shkroi:\n"+quote("> ", notify.Text))
			m := parse.Parse(raw, f.now, parseOptions())
			f.handle(m)

			reports := jobsOf(f.jobs(ticket1), inquiry.JobCommandReport)
			if len(reports) != reportsBefore+1 {
				t.Fatalf("%d reports to the officer, want one more than %d", len(reports), reportsBefore)
			}
			mail := reports[len(reports)-1].Mail
			if !strings.Contains(mail.Subject, "një komandë nuk u krye") {
				t.Errorf("subject %q, want the refusal's", mail.Subject)
			}
			reasons := refusedLines(mail.Text)
			if len(reasons) != 1 {
				t.Fatalf("%d refused commands in the report, want 1:\n%s", len(reasons), mail.Text)
			}
			for _, w := range tt.want {
				if !strings.Contains(reasons[0], w) {
					t.Errorf("the officer read %q; want %q in it", reasons[0], w)
				}
			}
			if w := leftEnglish(reasons[0]); w != "" {
				t.Errorf("English %q left in the officer's report: %q", w, reasons[0])
			}
			if strings.Contains(mail.Text, "not allowed") || strings.Contains(mail.Text, "%!") {
				t.Errorf("the report holds the desk's English or a broken format:\n%s", mail.Text)
			}

			// The record keeps the English reason, with the kind's.
			tk := f.ticket(ticket1)
			entries, err := f.store.Entries(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			noted := false
			for _, e := range entries {
				if e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "command by mail refused: "+tt.command+": not allowed: ") {
					noted = true
				}
			}
			if !noted {
				t.Errorf("no English note of the refused %s on the ticket", tt.command)
			}
			// A command written wrongly is refused as the kind the case
			// names before the desk runs it.
			if r := refusalOf(tt.command); r != nil && r.Kind != tt.kind {
				t.Errorf("%s is refused as %s, want %s", tt.command, r.Kind, tt.kind)
			}
		})
	}
}

// refusalOf is the kind ParseCommands gives a command written wrongly; nil
// for one written rightly (the desk refuses those when it runs them).
func refusalOf(command string) *desk.Refusal {
	_, cmds := desk.ParseCommands(command)
	if len(cmds) != 1 || cmds[0].Err == nil {
		return nil
	}
	r, _ := cmds[0].Err.(*desk.Refusal)
	if r == nil {
		return &desk.Refusal{Kind: "untyped"}
	}
	return r
}
