package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
)

// An officer works a document request's lifecycle from Telegram: the
// commands and buttons change the ticket, and the citizen, who wrote in
// Telegram, gets each notice in their chat, in their language.
func TestOfficerLifecycleCommands(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	n := tk.Number
	p := "t:" + n + ":"
	note := f.lastSent(jusuf.ID)
	if got := buttonData(note); !slices.Contains(got, p+"urgent") || !slices.Contains(got, p+"notheld") {
		t.Errorf("a document request's notification lacks the lifecycle buttons: %q", got)
	}

	steps := []struct {
		cmd  string
		want string // in the bot's reply to jusuf
	}{
		{"/extend", "Përdorimi: /extend"},
		{"/extend " + n + " dhjetë arkivi", `"dhjetë" nuk është numër ditësh`},
		{"/extend " + n + " 16 arkivi", "Nuk u krye: Zgjatja është nga 1 deri në 15 ditë, jo 16."},
		{"/extend " + n + " 10 Dokumentet janë në arkivin e Prizrenit", "afati u zgjat për 10 ditë"},
		{"/extend " + n + " 3 sërish", "ligji lejon vetëm një zgjatje"},
		{"/close " + n + " refused tax", `Tiketa nuk u mbyll: Baza e refuzimit "tax" nuk njihet. Mundësitë: personal_data, classified.`},
		{"/close " + n + " refused", "zgjidhni bazën ligjore"},
		{"/close " + n + " refused classified", n + " u mbyll: Refuzuar (baza: classified). Qytetari merr vendimin"},
		{"/reopen " + n, n + " u rihap"},
		{"/reopen " + n, "nuk është e mbyllur (caktuar)"},
		{"/urgent " + n + " off", n + " nuk është urgjente; asgjë nuk ndryshoi."}, // already not: nothing changes
	}
	for _, s := range steps {
		f.say(jusuf, s.cmd)
		if got := f.lastSent(jusuf.ID).Text; !strings.Contains(got, s.want) {
			t.Errorf("%s: reply %q, want %q", s.cmd, got, s.want)
		}
	}
	got := f.ticket(n)
	if got.Extension == nil || got.Extension.Days != 10 || got.Extension.By != "jusuf" || got.State != inquiry.Assigned || got.Ground != "" {
		t.Fatalf("after the commands: %+v", got)
	}

	// The citizen got the extension and the refusal in Albanian.
	var toArta []string
	for _, m := range f.tg.Sent(arta.ID) {
		toArta = append(toArta, m.Text)
	}
	all := strings.Join(toArta, "\n---\n")
	for _, want := range []string{"zgjatet për 10 ditë", "Arsyeja: Dokumentet janë në arkivin e Prizrenit",
		"qasja u refuzua", "informacion i klasifikuar", "Agjencinë për Informim dhe Privatësi brenda 15 ditësh"} {
		if !strings.Contains(all, want) {
			t.Errorf("the citizen's chat lacks %q:\n%s", want, all)
		}
	}

	// Buttons: urgent toggles the flag; refused asks for a ground first.
	f.press(jusuf, note, p+"urgent")
	if got := f.ticket(n); !got.Urgent || got.OfficerID != "jusuf" {
		t.Errorf("after the urgent button: urgent %v, officer %s", got.Urgent, got.OfficerID)
	}
	if last := f.lastSent(jusuf.ID); !strings.HasPrefix(last.Text, "URGENT") {
		t.Errorf("no URGENT notification to the officer: %q", last.Text)
	}
	f.press(jusuf, note, p+"notheld")
	if got := f.ticket(n); got.NotHeldMark == nil || got.NotHeldMark.By != "jusuf" {
		t.Errorf("after the not-held button: %+v", got.NotHeldMark)
	}
	f.say(jusuf, "/close "+n+" not_held")
	if got := f.ticket(n); got.State != inquiry.Closed || got.Outcome != inquiry.NotHeld || !got.DecidedAt.Equal(got.NotHeldMark.At) {
		t.Errorf("closed as not held: %s/%s decided %s", got.State, got.Outcome, got.DecidedAt)
	}
	if reply := f.lastSent(jusuf.ID).Text; strings.Contains(reply, "Qytetari merr vendimin") {
		t.Errorf("closing after the not-held notice promises another: %q", reply)
	}
	notices := 0
	for _, j := range f.jobs(n, inquiry.JobNotice) {
		if j.Chat == nil || j.Chat.ChatID != arta.ID {
			t.Errorf("notice not to the citizen's chat: %+v", j)
		}
		notices++
	}
	// Extension, refusal, not held; the not-held close sent none.
	if notices != 3 {
		t.Errorf("%d notices, want 3", notices)
	}
}

// /urgent tells the officer the deadline only when the ticket has one: a
// question or a press inquiry has none, and showed "afati 01.01.0001".
func TestUrgentShowsADeadlineOnlyWhenThereIsOne(t *testing.T) {
	tests := []struct {
		name     string
		citizen  models.User
		text     string
		officer  models.User
		cmds     []string // %s is the ticket number; the last one's reply is checked
		urgent   bool
		want     string
		deadline bool // the reply shows the ticket's deadline
	}{
		{"general question", john, generalEN, zamira, []string{"/urgent %s"}, true, "është urgjente (afati ligjor nuk vlen për këtë kategori). Shefi i divizionit është njoftuar.", false},
		{"press inquiry", milan, pressSRCyrl, osman, []string{"/urgent %s"}, true, "është urgjente (afati ligjor nuk vlen për këtë kategori). Shefi i divizionit është njoftuar.", false},
		{"general question, off again", john, generalEN, zamira, []string{"/urgent %s", "/urgent %s off"}, false, "nuk është më urgjente.", false},
		{"document request", arta, docRequestSQ, jusuf, []string{"/urgent %s"}, true, "është urgjente: afati ", true},
		{"document request, off again", arta, docRequestSQ, jusuf, []string{"/urgent %s", "/urgent %s off"}, false, "nuk është më urgjente: afati ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(tt.citizen, tt.text)
			tk := f.tickets()[0]
			if tk.OfficerID != strings.ToLower(tt.officer.FirstName) {
				t.Fatalf("routed to %s; the scenario needs %s", tk.OfficerID, tt.officer.FirstName)
			}
			for _, cmd := range tt.cmds {
				f.say(tt.officer, strings.ReplaceAll(cmd, "%s", tk.Number))
			}
			got := f.ticket(tk.Number)
			if got.Urgent != tt.urgent {
				t.Fatalf("urgent %v, want %v", got.Urgent, tt.urgent)
			}
			if got.DueAt.IsZero() == tt.deadline {
				t.Fatalf("deadline %v; the scenario needs one: %v", got.DueAt, tt.deadline)
			}
			// The command's reply, not the renewed URGENT notification
			// that may come after it.
			sent := texts(f.tg.Sent(tt.officer.ID))
			reply := ""
			for _, s := range sent {
				if strings.HasPrefix(s, tk.Number+" ") && strings.Contains(s, "urgjente") {
					reply = s
				}
			}
			if !strings.HasPrefix(reply, tk.Number+" "+tt.want) {
				t.Fatalf("officer told %q, want %q", reply, tk.Number+" "+tt.want)
			}
			if day := got.DueAt.UTC().Format("02.01.2006"); tt.deadline && !strings.Contains(reply, day) {
				t.Errorf("officer told %q, want the deadline %s", reply, day)
			}
			for _, s := range sent {
				if strings.Contains(s, "01.01.0001") {
					t.Errorf("officer told %q: a deadline of year one", s)
				}
			}
		})
	}
}

// /extend keeps the reason as the officer wrote it, paragraphs and all:
// the citizen reads it in the extension notice.
func TestExtendKeepsTheReasonsLineBreaks(t *testing.T) {
	const reason = "Dokumentet janë në arkivin e Prizrenit.\n\nDuhet të kërkohen nga arkivi qendror:\n- kontrata\n- raporti i pranimit"
	tests := []struct {
		name string
		cmd  string // %s is the ticket number
	}{
		{"on the command's line", "/extend %s 10 " + reason},
		{"on the next line", "/extend %s 10\n" + reason},
		{"each on its own line", "/extend\n%s\n10\n" + reason},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(arta, docRequestSQ)
			n := f.tickets()[0].Number
			f.say(jusuf, strings.ReplaceAll(tt.cmd, "%s", n))
			got := f.ticket(n)
			if got.Extension == nil {
				t.Fatalf("not extended; the officer was told %q", f.lastSent(jusuf.ID).Text)
			}
			if got.Extension.Reason != reason {
				t.Errorf("reason recorded as %q, want %q", got.Extension.Reason, reason)
			}
			found := false
			for _, m := range f.tg.Sent(arta.ID) {
				found = found || strings.Contains(m.Text, reason)
			}
			if !found {
				t.Errorf("the citizen's extension notice lacks the reason as written:\n%s", strings.Join(texts(f.tg.Sent(arta.ID)), "\n---\n"))
			}
		})
	}
}
