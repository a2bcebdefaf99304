package bot_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
)

func TestOfficerButtonsTakeReassignAndClose(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	if tk.OfficerID != "jusuf" {
		t.Fatalf("routed to %s, want jusuf", tk.OfficerID)
	}
	p := "t:" + tk.Number + ":"

	// Zamira takes it from the officers' group.
	group := f.lastSent(officersChat)
	f.press(zamira, group, p+"take")
	if got := f.ticket(tk.Number); got.OfficerID != "zamira" || !got.Acted {
		t.Fatalf("after take: officer %s acted %v", got.OfficerID, got.Acted)
	}
	answers := f.tg.Calls("answerCallbackQuery")
	if len(answers) != 1 || !strings.Contains(answers[0].Form.Get("text"), tk.Number) {
		t.Errorf("take was answered with %v", answers)
	}
	if got := buttonData(f.tg.Sent(officersChat)[0]); slices.Contains(got, p+"take") || !slices.Contains(got, p+"close") {
		t.Errorf("after take the buttons are %q; want no take, still close", got)
	}

	// Jusuf opens the reassign menu on his own notification, then picks Osman.
	note := f.lastSent(jusuf.ID)
	f.press(jusuf, note, p+"reassign")
	menu := buttonData(f.tg.Sent(jusuf.ID)[len(f.tg.Sent(jusuf.ID))-1])
	if !slices.Contains(menu, p+"to:osman") || slices.Contains(menu, p+"to:zamira") || !slices.Contains(menu, p+"back") {
		t.Errorf("reassign menu %q: want osman and back, not the current officer", menu)
	}
	if got := f.ticket(tk.Number).OfficerID; got != "zamira" {
		t.Errorf("opening a menu changed the officer to %s", got)
	}
	f.press(jusuf, note, p+"to:osman")
	if got := f.ticket(tk.Number).OfficerID; got != "osman" {
		t.Fatalf("after reassign: officer %s, want osman", got)
	}
	osmanNote := f.lastSent(osman.ID)
	if !strings.Contains(osmanNote.Text, tk.Number) || len(buttonData(osmanNote)) == 0 {
		t.Errorf("osman was not notified with buttons: %q", osmanNote.Text)
	}

	// Change category, then close with an outcome the report counts.
	f.press(osman, osmanNote, p+"category")
	if menu := buttonData(f.lastSent(osman.ID)); !slices.Contains(menu, p+"cat:general_question") || slices.Contains(menu, p+"cat:document_request") {
		t.Errorf("category menu %q", menu)
	}
	f.press(osman, osmanNote, p+"back")
	f.press(osman, osmanNote, p+"close")
	menu = buttonData(f.lastSent(osman.ID))
	for _, o := range []string{"granted", "partly_granted", "refused", "not_held", "withdrawn"} {
		if !slices.Contains(menu, p+"out:"+o) {
			t.Errorf("close menu %q lacks %s", menu, o)
		}
	}
	if slices.Contains(menu, p+"out:resolved") {
		t.Errorf("a document request offers resolved: %q", menu)
	}
	f.press(osman, osmanNote, p+"out:partly_granted")
	if got := f.ticket(tk.Number); got.State == inquiry.Closed {
		t.Fatalf("partly granted closed without a ground")
	}
	if menu := buttonData(f.lastSent(osman.ID)); !slices.Equal(menu, []string{p + "gr:p:personal_data", p + "gr:p:classified", p + "close"}) {
		t.Errorf("ground menu %q", menu)
	}
	f.press(osman, osmanNote, p+"gr:p:personal_data")
	got := f.ticket(tk.Number)
	if got.State != inquiry.Closed || got.Outcome != inquiry.PartlyGranted || got.Ground != "personal_data" {
		t.Fatalf("after close: %s/%s", got.State, got.Outcome)
	}
	if left := buttonData(f.lastSent(osman.ID)); len(left) != 0 {
		t.Errorf("closed ticket still has buttons %q", left)
	}

	// A second close is refused with an alert (in Albanian), not a crash.
	f.press(osman, osmanNote, p+"out:granted")
	last := f.tg.Calls("answerCallbackQuery")
	if a := last[len(last)-1]; a.Form.Get("show_alert") != "true" || !strings.Contains(a.Form.Get("text"), "është e mbyllur") {
		t.Errorf("second close answered %v", a.Form)
	}
}

func TestNonOfficersAreRefused(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	note := f.lastSent(jusuf.ID)

	f.press(john, note, "t:"+tk.Number+":take")
	answers := f.tg.Calls("answerCallbackQuery")
	if len(answers) != 1 || !strings.Contains(answers[0].Form.Get("text"), "officers only") {
		t.Errorf("non-officer button answered %v", answers)
	}
	if got := f.ticket(tk.Number); got.OfficerID != "jusuf" || got.Acted {
		t.Errorf("a non-officer changed the ticket: %s acted %v", got.OfficerID, got.Acted)
	}

	for _, cmd := range []string{"/tickets", "/ticket " + tk.Number, "/close " + tk.Number + " granted", "/reply " + tk.Number + " hello"} {
		f.say(john, cmd)
		if got := f.lastSent(john.ID).Text; !strings.Contains(got, "officers only") {
			t.Errorf("%s by a non-officer answered %q", cmd, got)
		}
	}
	stranger := models.User{ID: 4242, FirstName: "Eve"}
	f.tg.PushMessage(models.Message{From: &stranger, Chat: models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup},
		Text: "/reply " + tk.Number + " fake answer"})
	f.settle()
	if got := f.ticket(tk.Number); got.State != inquiry.Assigned {
		t.Errorf("a stranger's /reply changed the ticket to %s", got.State)
	}
	for _, s := range f.tg.Sent(arta.ID) {
		if strings.Contains(s.Text, "fake answer") {
			t.Errorf("a stranger's answer reached the citizen")
		}
	}
	if n := strings.Count(f.logs.String(), "refused"); n < 6 {
		t.Errorf("refusals logged %d times, want at least 6", n)
	}
}

func TestOfficerReplyIsRelayedOnTheTicketsChannel(t *testing.T) {
	tests := []struct {
		name  string
		email bool
	}{{"email ticket", true}, {"telegram ticket", false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.johnAsks(tt.email)
			tk := f.tickets()[0]
			note := f.lastSent(zamira.ID)
			if !strings.Contains(note.Text, tk.Number) {
				t.Fatalf("zamira's notification: %q", note.Text)
			}
			answer := "The museum is open from 10 to 18 on Sundays."
			f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate},
				Text: answer, ReplyToMessage: &note})
			f.settle()

			if got := f.ticket(tk.Number); got.State != inquiry.Answered {
				t.Errorf("ticket state %s after the answer, want answered", got.State)
			}
			if got := f.lastSent(zamira.ID).Text; !strings.Contains(got, tk.Number) {
				t.Errorf("officer's confirmation %q", got)
			}
			if tt.email {
				mails := f.smtp.Mails()
				found := false
				for _, m := range mails {
					if slices.Contains(m.To, "john@example.net") && strings.Contains(string(m.Data), "open from 10 to 18") {
						found = true
					}
				}
				if !found {
					t.Errorf("no answer mail to the citizen among %d mails", len(mails))
				}
			} else if got := f.lastSent(john.ID).Text; !strings.Contains(got, answer) || !strings.Contains(got, tk.Number) {
				t.Errorf("citizen got %q", got)
			}
		})
	}
}

func TestOfficersGroupRepliesStayInTheGroup(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(john, generalEN)
	tk := f.tickets()[0]
	group := f.lastSent(officersChat)
	before := len(f.tg.Sent(john.ID))

	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup},
		Text: "I think this is for the museum, not us.", ReplyToMessage: &group})
	f.settle()
	if n := len(f.tg.Sent(john.ID)); n != before {
		t.Fatalf("a discussion reply in the group reached the citizen")
	}
	if got := f.ticket(tk.Number).State; got != inquiry.Assigned {
		t.Errorf("group discussion changed the ticket to %s", got)
	}

	// A reply in the officer's chat to something that is not a notification
	// is not relayed either.
	f.say(zamira, "/tickets")
	list := f.lastSent(zamira.ID)
	if !strings.Contains(list.Text, tk.Number) {
		t.Errorf("/tickets lacks %s:\n%s", tk.Number, list.Text)
	}
	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate},
		Text: "answer?", ReplyToMessage: &list})
	f.settle()
	if n := len(f.tg.Sent(john.ID)); n != before {
		t.Fatalf("a reply to a non-notification reached the citizen")
	}

	f.tg.PushMessage(models.Message{From: &zamira, Chat: models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup},
		Text: "/reply " + tk.Number + " It is open on Sundays."})
	f.settle()
	if got := f.lastSent(john.ID).Text; !strings.Contains(got, "It is open on Sundays.") {
		t.Errorf("/reply did not reach the citizen: %q", got)
	}

	f.say(zamira, "/close "+tk.Number+" resolved answered by phone")
	got := f.ticket(tk.Number)
	if got.State != inquiry.Closed || got.Outcome != inquiry.Resolved {
		t.Errorf("after /close: %s/%s", got.State, got.Outcome)
	}
	f.say(zamira, "/ticket "+tk.Number)
	if detail := f.lastSent(zamira.ID).Text; !strings.Contains(detail, tk.Number) || !strings.Contains(detail, "Gjendja: mbyllur (Zgjidhur)") {
		t.Errorf("/ticket shows %q", detail)
	}
}

func TestOfficerTicketsAreSortedByDeadline(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(john, generalEN)
	f.say(arta, docRequestSQ)
	var general, doc string
	for _, tk := range f.tickets() {
		if tk.Category == inquiry.DocumentRequest {
			doc = tk.Number
		} else {
			general = tk.Number
		}
	}
	// Both to zamira: the document request has a deadline and goes first,
	// although it came later.
	if _, err := f.desk.Assign(f.ctx, doc, "zamira", "test"); err != nil {
		t.Fatal(err)
	}
	if err := f.outbox.Drain(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.say(zamira, "/tickets")
	list := f.lastSent(zamira.ID).Text
	i, j := strings.Index(list, doc), strings.Index(list, general)
	if i < 0 || j < 0 || i > j {
		t.Errorf("/tickets order wrong (doc at %d, general at %d):\n%s", i, j, list)
	}
}

func TestCloseDocumentRequestAsksForOutcome(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(arta, docRequestSQ)
	tk := f.tickets()[0]
	f.say(jusuf, "/close "+tk.Number)
	if got := f.ticket(tk.Number).State; got != inquiry.Assigned {
		t.Fatalf("closed without an outcome: %s", got)
	}
	if menu := buttonData(f.lastSent(jusuf.ID)); !slices.Contains(menu, "t:"+tk.Number+":out:granted") {
		t.Errorf("no outcome buttons: %q", menu)
	}
	f.say(jusuf, "/close "+tk.Number+" not-held the archive has no such contract")
	if got := f.ticket(tk.Number); got.State != inquiry.Closed || got.Outcome != inquiry.NotHeld {
		t.Errorf("after /close with outcome: %s/%s", got.State, got.Outcome)
	}
}

func TestCheckOfficersWarnsAboutUnreachableOfficers(t *testing.T) {
	f := newFixture(t, setup{zamiraNeverStarted: true, noRun: true})
	f.tg.Block(osman.ID)
	f.bot.CheckOfficers(f.ctx)
	logs := f.logs.String()
	var warned []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "officer cannot be reached") {
			for _, id := range []string{"osman", "jusuf", "zamira"} {
				if strings.Contains(line, "officer="+id) {
					warned = append(warned, id)
				}
			}
		}
	}
	slices.Sort(warned)
	if !slices.Equal(warned, []string{"osman", "zamira"}) {
		t.Errorf("warned about %q, want osman (blocked) and zamira (never started)\n%s", warned, logs)
	}
	if strings.Contains(logs, "group cannot be reached") {
		t.Errorf("reachable groups reported:\n%s", logs)
	}
}

// Dates in Telegram texts are the division's days and times: a deadline at
// 00:30 in Kosovo is still the day before in UTC, where the store keeps it.
func TestTelegramDatesAreLocal(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, setup{
		opts:    func(o *bot.Options) { o.Location = loc },
		deskCfg: func(c *desk.Config) { c.Location = loc },
	})
	f.say(arta, docRequestSQ)
	number := f.tickets()[0].Number
	err = f.store.WithTx(f.ctx, func(tx store.Tx) error {
		tk, _, err := tx.TicketByNumber(number)
		if err != nil {
			return err
		}
		tk.ReceivedAt = time.Date(2026, 12, 3, 23, 10, 0, 0, time.UTC) // 00:10 on 4 December in Kosovo
		tk.DueAt = time.Date(2026, 12, 10, 23, 30, 0, 0, time.UTC)     // 00:30 on 11 December
		return tx.UpdateTicket(&tk)
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who  models.User
		say  string
		want []string
	}{
		{arta, "/status", []string{"11.12.2026"}},
		{jusuf, "/tickets", []string{"afati 11.12.2026"}},
		{jusuf, "/ticket " + number, []string{"Afati: 11.12.2026", "Pranuar: 04.12.2026 00:10"}},
	}
	for _, tt := range tests {
		f.say(tt.who, tt.say)
		got := f.lastSent(tt.who.ID).Text
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s to %s: %q missing from\n%s", tt.say, tt.who.FirstName, w, got)
			}
		}
	}
}

// An officer's /reply keeps the whole answer however the number is set off
// from it: Telegram users write the answer on the line below the command.
func TestReplyKeepsTheWholeAnswer(t *testing.T) {
	const answer = "Dear Mr Smith,\nthe museum is open from 10 to 18 on Sundays.\n\nKind regards"
	tests := []struct {
		name   string
		text   string // %s is the ticket number
		inChat int64  // 0: zamira's private chat
	}{
		{"after a space", "/reply %s " + answer, 0},
		{"on the next line", "/reply %s\n" + answer, 0},
		{"after a blank line", "/reply %s\n\n" + answer, 0},
		{"after a tab", "/reply %s\t" + answer, 0},
		{"number on its own line too", "/reply\n%s\n" + answer, 0},
		{"addressed to the bot in the group", "/reply@" + botName + "\n%s\n" + answer, officersChat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(john, generalEN)
			tk := f.tickets()[0]
			chat := models.Chat{ID: zamira.ID, Type: models.ChatTypePrivate}
			if tt.inChat != 0 {
				chat = models.Chat{ID: tt.inChat, Type: models.ChatTypeSupergroup}
			}
			f.tg.PushMessage(models.Message{From: &zamira, Chat: chat, Text: fmt.Sprintf(tt.text, tk.Number)})
			f.settle()
			if got := f.ticket(tk.Number).State; got != inquiry.Answered {
				t.Fatalf("ticket %s; officer was told %q", got, texts(f.tg.Sent(chat.ID)))
			}
			if got, want := f.lastSent(john.ID).Text, tk.Number+"\n\n"+answer; got != want {
				t.Errorf("citizen got %q\nwant %q", got, want)
			}
		})
	}
}

// /close reads its words however they are set off, and a note keeps its
// own line breaks: officers write the outcome or the note on the next line.
func TestCloseWordsOnTheirOwnLines(t *testing.T) {
	const note = "Iu përgjigjëm me telefon.\nNuk ka nevojë për më shumë."
	tests := []struct {
		name    string
		doc     bool   // a document request (jusuf's), else a general question (zamira's)
		text    string // %s is the ticket number
		outcome inquiry.Outcome
		ground  string
		note    string
	}{
		{"outcome on the next line", false, "/close %s\nno_answer_needed", inquiry.NoAnswerNeeded, "", ""},
		{"outcome after a tab", false, "/close %s\tno_answer_needed", inquiry.NoAnswerNeeded, "", ""},
		{"note on the lines after the outcome", false, "/close %s resolved\n" + note, inquiry.Resolved, "", note},
		{"note alone on the next line", false, "/close %s\n" + note, inquiry.Resolved, "", note},
		{"outcome and ground on a line each", true, "/close %s\nrefused\npersonal_data\n" + note, inquiry.Refused, "personal_data", note},
		{"all on one line", true, "/close %s refused personal_data Shënim.", inquiry.Refused, "personal_data", "Shënim."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			officer := zamira
			if tt.doc {
				f.say(arta, docRequestSQ)
				officer = jusuf
			} else {
				f.say(john, generalEN)
			}
			tk := f.tickets()[0]
			f.say(officer, fmt.Sprintf(tt.text, tk.Number))
			got := f.ticket(tk.Number)
			if got.State != inquiry.Closed || got.Outcome != tt.outcome || got.Ground != tt.ground {
				t.Fatalf("closed %s/%s ground %q, want closed/%s ground %q; officer was told %q",
					got.State, got.Outcome, got.Ground, tt.outcome, tt.ground, texts(f.tg.Sent(officer.ID)))
			}
			if tt.note == "" {
				return
			}
			entries, err := f.store.Entries(f.ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			var closing string
			for _, e := range entries {
				if e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "closed:") {
					closing = e.Text
				}
			}
			if !strings.HasSuffix(closing, ": "+tt.note) {
				t.Errorf("closing note %q, want it to end with the officer's note %q", closing, tt.note)
			}
		})
	}
}

// Every officer command from someone who is not an officer is refused
// politely and logged (as the README promises), not answered with help.
func TestCitizensAreRefusedEveryOfficerCommand(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(john, generalEN)
	tk := f.tickets()[0]
	tests := []struct {
		cmd  string
		args string
	}{
		{"tickets", ""},
		{"ticket", tk.Number},
		{"close", tk.Number + " resolved"},
		{"reply", tk.Number + " hello"},
		{"urgent", tk.Number},
		{"extend", tk.Number + " 10 arsyeja"},
		{"notheld", tk.Number},
		{"reopen", tk.Number},
		{"login", ""},
	}
	// The table covers what the officers' help offers.
	f.say(zamira, "/help")
	for _, c := range regexp.MustCompile(`/([a-z]+)`).FindAllStringSubmatch(f.lastSent(zamira.ID).Text, -1) {
		if !slices.ContainsFunc(tests, func(tt struct{ cmd, args string }) bool { return tt.cmd == c[1] }) {
			t.Errorf("the officers' help offers /%s, not in this test", c[1])
		}
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			before := strings.Count(f.logs.String(), "refused an officer command from a non-officer")
			f.say(arta, strings.TrimSpace("/"+tt.cmd+" "+tt.args))
			if got := f.lastSent(arta.ID).Text; got != "Ky veprim është vetëm për zyrtarët e ministrisë." {
				t.Errorf("answered %q, want the refusal", got)
			}
			if n := strings.Count(f.logs.String(), "refused an officer command from a non-officer") - before; n != 1 {
				t.Errorf("%d refusals logged, want 1", n)
			}
		})
	}
	if got := f.ticket(tk.Number); got.State != inquiry.Assigned || got.Urgent || got.Acted {
		t.Errorf("a citizen's commands changed the ticket: %s urgent %v acted %v", got.State, got.Urgent, got.Acted)
	}
}

// A long citizen message makes the officer's notification longer than one
// Telegram message. A reply to any of its parts is the answer: the first
// part names the ticket, the last carries the buttons.
func TestReplyToAnyPartOfASplitNotification(t *testing.T) {
	long := docRequestSQ
	for len([]rune(long))+len([]rune(docRequestSQ)) < 4000 {
		long += " " + docRequestSQ
	}
	tests := []struct {
		name string
		part int // index into the notification's parts; -1 the last
	}{
		{"first part", 0},
		{"last part", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(arta, long)
			tk := f.tickets()[0]
			parts := f.tg.Sent(jusuf.ID)
			if len(parts) < 2 || !strings.Contains(parts[0].Text, tk.Number) {
				t.Fatalf("notification in %d part(s); the scenario needs a split whose first part names the ticket", len(parts))
			}
			i := tt.part
			if i < 0 {
				i += len(parts)
			}
			answer := "Kopja e kontratës është bashkëngjitur në email."
			f.tg.PushMessage(models.Message{From: &jusuf, Chat: models.Chat{ID: jusuf.ID, Type: models.ChatTypePrivate},
				Text: answer, ReplyToMessage: &parts[i]})
			f.settle()
			if got, want := f.lastSent(arta.ID).Text, tk.Number+"\n\n"+answer; got != want {
				t.Errorf("citizen's last message %q, want %q; officer was told %q", got, want, f.lastSent(jusuf.ID).Text)
			}
			if got := f.ticket(tk.Number).State; got != inquiry.Answered {
				t.Errorf("ticket %s, want answered", got)
			}
		})
	}
}

// A notification's buttons outlive the ticket's state: pressed on a ticket
// that is closed or set aside as spam, a menu whose every choice would be
// refused (close, category, the grounds of a refusal) is refused at once,
// saying why, and the stale buttons are taken away.
func TestStaleMenuOnATicketNotWorkedIsRefused(t *testing.T) {
	tests := []struct {
		name   string
		state  func(f *fixture, number string) error
		button string // the action after "t:NUMBER:"
		want   string // in the alert
	}{
		{"spam, close", markSpam, "close", "spam"},
		{"spam, category", markSpam, "category", "spam"},
		{"spam, refused", markSpam, "out:refused", "spam"},
		{"closed, close", closeGranted, "close", "mbyllur"},
		{"closed, category", closeGranted, "category", "mbyllur"},
		{"closed, refused", closeGranted, "out:refused", "mbyllur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(arta, docRequestSQ)
			n := f.tickets()[0].Number
			note := f.lastSent(jusuf.ID)
			if err := tt.state(f, n); err != nil {
				t.Fatal(err)
			}
			before := f.ticket(n)
			f.press(jusuf, note, "t:"+n+":"+tt.button)
			answers := f.tg.Calls("answerCallbackQuery")
			last := answers[len(answers)-1].Form
			if last.Get("show_alert") != "true" || !strings.Contains(last.Get("text"), n) || !strings.Contains(last.Get("text"), tt.want) {
				t.Errorf("answered %q (alert %q); want an alert naming %s and %q", last.Get("text"), last.Get("show_alert"), n, tt.want)
			}
			for _, m := range f.tg.Sent(jusuf.ID) {
				if m.ID != note.ID {
					continue
				}
				if got := buttonData(m); len(got) > 0 {
					t.Errorf("the notification still offers %q on a ticket that is %s", got, before.State)
				}
			}
			if got := f.ticket(n); got.State != before.State || got.OfficerID != before.OfficerID || got.Category != before.Category {
				t.Errorf("a menu changed the ticket: %+v", got)
			}
		})
	}
}

func markSpam(f *fixture, number string) error {
	_, err := f.desk.MarkSpam(f.ctx, number, "zamira")
	return err
}

func closeGranted(f *fixture, number string) error {
	_, err := f.desk.CloseWith(f.ctx, number, desk.Closing{Outcome: inquiry.Granted}, "jusuf")
	return err
}

// A command in a forwarded message was written by someone else: a citizen
// can write "/close NUMBER granted" as easily as an officer, and an officer
// forwarding it (to ask a colleague, to keep it) must not run it.
func TestForwardedCommandsAreNotRun(t *testing.T) {
	citizen := models.MessageOrigin{Type: models.MessageOriginTypeUser,
		MessageOriginUser: &models.MessageOriginUser{Date: 1, SenderUser: arta}}
	tests := []struct {
		name      string
		chat      models.Chat
		forwarded bool
	}{
		{"forwarded into the officer's chat", models.Chat{ID: jusuf.ID, Type: models.ChatTypePrivate}, true},
		{"forwarded into the officers' group", models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup}, true},
		{"written in the officer's chat", models.Chat{ID: jusuf.ID, Type: models.ChatTypePrivate}, false},
		{"written in the officers' group", models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, setup{})
			f.say(arta, docRequestSQ)
			tk := f.tickets()[0]
			m := models.Message{From: &jusuf, Chat: tt.chat, Text: "/close " + tk.Number + " granted"}
			if tt.forwarded {
				origin := citizen
				m.ForwardOrigin = &origin
			}
			f.tg.PushMessage(m)
			f.settle()

			got := f.ticket(tk.Number)
			said := f.lastSent(tt.chat.ID).Text
			if tt.forwarded {
				if got.State == inquiry.Closed {
					t.Errorf("a forwarded command closed %s", tk.Number)
				}
				if !strings.Contains(said, "përcjellë") {
					t.Errorf("the officer was told %q, want the refusal of a forwarded command", said)
				}
				if !strings.Contains(f.logs.String(), "refused a command in a forwarded message") {
					t.Errorf("the refusal was not logged:\n%s", f.logs.String())
				}
				return
			}
			if got.State != inquiry.Closed {
				t.Errorf("the officer's own command left %s %s, want closed", tk.Number, got.State)
			}
		})
	}
}
