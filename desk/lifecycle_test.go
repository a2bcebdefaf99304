package desk_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

var testGrounds = []desk.Ground{
	{ID: "personal_data", Label: map[inquiry.Language]string{
		inquiry.Albanian: "mbrojtja e të dhënave personale", inquiry.SerbianLatin: "zaštita ličnih podataka",
		inquiry.SerbianCyrl: "заштита личних података", inquiry.English: "protection of personal data"}},
	{ID: "classified", Label: map[inquiry.Language]string{
		inquiry.Albanian: "informacion i klasifikuar", inquiry.SerbianLatin: "tajni podaci",
		inquiry.SerbianCyrl: "тајни подаци", inquiry.English: "classified information"}},
}

var divisionNames = map[inquiry.Language]string{
	inquiry.Albanian: "Divizioni për Komunikim Publik", inquiry.SerbianLatin: "Odeljenje za javnu komunikaciju",
	inquiry.SerbianCyrl: "Одељење за јавну комуникацију", inquiry.English: "Public Communication Division",
}

var head = inquiry.Officer{ID: "drita", Name: "Drita Krasniqi", Email: "drita.krasniqi@mkrs.example", TelegramUserID: 9001, Role: inquiry.RoleHead}

// fixedClassifier files every message as one category and language, so a
// test chooses them instead of the model.
type fixedClassifier struct {
	category inquiry.Category
	language inquiry.Language
}

func (c fixedClassifier) Classify(context.Context, *inquiry.Message) (inquiry.Classification, error) {
	return inquiry.Classification{Category: c.category, Language: c.language, Confidence: 1, Classifier: "fixed"}, nil
}

// newLifecycleFixture files one message of category in lang, from
// arben@example.net (or a Telegram chat), with a head of the division
// configured; the ticket is DKP-2026-000001.
func newLifecycleFixture(t *testing.T, cat inquiry.Category, lang inquiry.Language, channel inquiry.Channel, text string, opts ...func(*desk.Config)) *fixture {
	t.Helper()
	f := newFixtureClassifier(t, filepath.Join(t.TempDir(), "sportel.db"), fixedClassifier{cat, lang}, func(c *desk.Config) {
		c.Officers = append(append([]inquiry.Officer(nil), officers...), head)
		c.DivisionName = divisionNames
		c.NotifyByTelegram = true
		for _, o := range opts {
			o(c)
		}
	})
	m := citizen("req@example.net", "arben@example.net", "Kërkesë", text)
	m.From.Name = "Arben Berisha"
	if channel == inquiry.ChannelTelegram {
		m = &inquiry.Message{Channel: channel, SourceID: "tg:77:1", ChatID: 77, UserID: 77, ChatMsgID: 1,
			From: inquiry.Address{Name: "Arben Berisha"}, Text: text}
	}
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("disposition %s", d)
	}
	return f
}

const ticket1 = "DKP-2026-000001"

func noticeTexts(jobs []inquiry.Job) []string {
	var out []string
	for _, j := range jobsOf(jobs, inquiry.JobNotice) {
		if j.Mail != nil {
			out = append(out, j.Mail.Text)
		} else {
			out = append(out, j.Chat.Text)
		}
	}
	return out
}

func TestCloseChecksOutcomeAndGround(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		cat     inquiry.Category
		answer  bool // an officer answered before closing
		closing desk.Closing
		wantErr string // "" closes
		// After a successful close: the decision notice, when there is one.
		wantNotice bool
	}{
		{"document request granted", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Granted}, "", true},
		{"document request refused with a ground", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Refused, Ground: "classified"}, "", true},
		{"document request withdrawn", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Withdrawn}, "", true},
		{"decision in an answer", inquiry.DocumentRequest, true, desk.Closing{Outcome: inquiry.Granted, InAnswer: true}, "", false},
		{"no outcome", inquiry.DocumentRequest, false, desk.Closing{}, "give an outcome (granted, partly_granted, refused, not_held, withdrawn)", false},
		{"resolved is not a decision", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Resolved}, `not "resolved"`, false},
		{"refused without a ground", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Refused}, "refused needs a ground (one of personal_data, classified)", false},
		{"partly granted without a ground", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.PartlyGranted}, "partly_granted needs a ground", false},
		{"unknown ground", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Refused, Ground: "tax"}, `unknown ground "tax"`, false},
		{"ground on a grant", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Granted, Ground: "classified"}, "granted takes no ground", false},
		{"in an answer that never went", inquiry.DocumentRequest, false, desk.Closing{Outcome: inquiry.Granted, InAnswer: true}, "no answer was relayed", false},
		{"press resolved by default", inquiry.PressInquiry, false, desk.Closing{}, "", false},
		{"general question, no answer needed", inquiry.GeneralQuestion, false, desk.Closing{Outcome: inquiry.NoAnswerNeeded}, "", false},
		{"press inquiry refused", inquiry.PressInquiry, false, desk.Closing{Outcome: inquiry.Refused, Ground: "classified"}, "is a press_inquiry: close it as resolved or no_answer_needed, not refused", false},
		{"general question granted", inquiry.GeneralQuestion, false, desk.Closing{Outcome: inquiry.Granted}, "is a general_question: close it as resolved or no_answer_needed, not granted", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			if tt.answer {
				if _, err := f.desk.Answer(ctx, ticket1, "jusuf", "Ju dërgojmë kontratën e kërkuar."); err != nil {
					t.Fatal(err)
				}
				f.now = f.now.Add(time.Hour)
			}
			before := f.ticket(ticket1)
			tk, err := f.desk.CloseWith(ctx, ticket1, tt.closing, "jusuf")
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, desk.ErrLifecycle) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrLifecycle with %q", err, tt.wantErr)
				}
				if after := f.ticket(ticket1); after.State != before.State || after.Outcome != "" {
					t.Errorf("a refused close changed the ticket: %s/%s", after.State, after.Outcome)
				}
				if n := len(jobsOf(f.jobs(ticket1), inquiry.JobNotice)); n != 0 {
					t.Errorf("%d notices after a refused close", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tk.State != inquiry.Closed || tk.Ground != tt.closing.Ground {
				t.Errorf("closed %s ground %q", tk.State, tk.Ground)
			}
			notices := noticeTexts(f.jobs(ticket1))
			if got := len(notices) == 1; got != tt.wantNotice {
				t.Fatalf("decision notices %d, want one: %v", len(notices), tt.wantNotice)
			}
			switch {
			case tt.cat != inquiry.DocumentRequest:
				if !tk.DecidedAt.IsZero() {
					t.Errorf("a %s got a decision time", tt.cat)
				}
			case tt.closing.InAnswer:
				if !tk.DecisionInAnswer || !tk.DecidedAt.Equal(before.AnsweredAt) || tk.DecidedAt.Equal(f.now) {
					t.Errorf("decided %s in answer %v; want the answer's time %s", tk.DecidedAt, tk.DecisionInAnswer, before.AnsweredAt)
				}
			default:
				if !tk.DecidedAt.Equal(f.now) {
					t.Errorf("decided %s, want now %s", tk.DecidedAt, f.now)
				}
			}
		})
	}
}

func TestDecisionNoticeInTheRequestersLanguage(t *testing.T) {
	tests := []struct {
		lang    inquiry.Language
		channel inquiry.Channel
		want    []string
	}{
		{inquiry.Albanian, inquiry.ChannelEmail, []string{"I/E nderuar Arben Berisha", "qasja u refuzua", "informacion i klasifikuar",
			"Agjencinë për Informim dhe Privatësi brenda 15 ditësh", "Divizioni për Komunikim Publik"}},
		{inquiry.SerbianLatin, inquiry.ChannelEmail, []string{"Poštovani/a Arben Berisha", "pristup je odbijen", "tajni podaci",
			"Agenciji za informisanje i privatnost u roku od 15 dana", "Odeljenje za javnu komunikaciju"}},
		{inquiry.SerbianCyrl, inquiry.ChannelTelegram, []string{ticket1, "приступ је одбијен", "тајни подаци",
			"Агенцији за информисање и приватност у року од 15 дана", "Одељење за јавну комуникацију"}},
		{inquiry.English, inquiry.ChannelEmail, []string{"Dear Arben Berisha", "access is refused", "classified information",
			"Information and Privacy Agency within 15 days", "Public Communication Division"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, tt.lang, tt.channel, docRequestSQ)
			if _, err := f.desk.CloseWith(context.Background(), ticket1, desk.Closing{Outcome: inquiry.Refused, Ground: "classified"}, "jusuf"); err != nil {
				t.Fatal(err)
			}
			jobs := jobsOf(f.jobs(ticket1), inquiry.JobNotice)
			if len(jobs) != 1 {
				t.Fatalf("%d notices, want 1", len(jobs))
			}
			j := jobs[0]
			var text string
			switch tt.channel {
			case inquiry.ChannelTelegram:
				if j.Chat == nil || j.Chat.ChatID != 77 || j.Mail != nil {
					t.Fatalf("telegram notice %+v", j)
				}
				text = j.Chat.Text
			default:
				if j.Mail == nil || j.Mail.To[0].Address != "arben@example.net" || !strings.Contains(j.Mail.Subject, "["+ticket1+"]") ||
					len(j.Mail.InReplyTo) != 1 || j.Mail.InReplyTo[0] != "req@example.net" {
					t.Fatalf("mail notice %+v", j.Mail)
				}
				text = j.Mail.Text
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("notice lacks %q:\n%s", w, text)
				}
			}
			// The acknowledgement is signed in the same language.
			acks := jobsOf(f.jobs(ticket1), inquiry.JobAck)
			var ack string
			if acks[0].Mail != nil {
				ack = acks[0].Mail.Text
			} else {
				ack = acks[0].Chat.Text
			}
			if !strings.HasSuffix(strings.TrimSpace(ack), divisionNames[tt.lang]) {
				t.Errorf("acknowledgement not signed %q:\n%s", divisionNames[tt.lang], ack)
			}
		})
	}
}

func TestExtend(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		cat     inquiry.Category
		days    int
		reason  string
		wantErr string
	}{
		{"press inquiry", inquiry.PressInquiry, 10, "arkivi", "only document requests have a deadline to extend"},
		{"more than 15 days", inquiry.DocumentRequest, 16, "arkivi", "an extension is 1 to 15 days, not 16"},
		{"no days", inquiry.DocumentRequest, 0, "arkivi", "an extension is 1 to 15 days, not 0"},
		{"no reason", inquiry.DocumentRequest, 10, "  ", "give the reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			before := f.ticket(ticket1)
			_, err := f.desk.Extend(ctx, ticket1, tt.days, tt.reason, "jusuf")
			if err == nil || !errors.Is(err, desk.ErrLifecycle) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrLifecycle with %q", err, tt.wantErr)
			}
			if after := f.ticket(ticket1); after.Extension != nil || !after.DueAt.Equal(before.DueAt) {
				t.Errorf("a refused extension changed the ticket: %+v due %s", after.Extension, after.DueAt)
			}
		})
	}

	// Received Wednesday 25 November 2026: due Wednesday 2 December (7
	// calendar days); 10 more days end on Saturday 12 December, which moves
	// to Monday 14 December.
	langs := []struct {
		lang inquiry.Language
		want []string
	}{
		{inquiry.Albanian, []string{"zgjatet për 10 ditë", "Arsyeja: Dokumentet janë në arkivin e Prizrenit", "jo më vonë se më 14.12.2026", divisionNames[inquiry.Albanian]}},
		{inquiry.SerbianLatin, []string{"produžava se za 10 dana", "Razlog: Dokumentet", "najkasnije do 14.12.2026", divisionNames[inquiry.SerbianLatin]}},
		{inquiry.SerbianCyrl, []string{"продужава се за 10 дана", "Разлог: Dokumentet", "најкасније до 14.12.2026", divisionNames[inquiry.SerbianCyrl]}},
		{inquiry.English, []string{"extended by 10 days", "Reason: Dokumentet", "no later than 14 December 2026", divisionNames[inquiry.English]}},
	}
	for _, l := range langs {
		t.Run("notice in "+string(l.lang), func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, l.lang, inquiry.ChannelEmail, docRequestSQ)
			if got := f.ticket(ticket1).DueAt.In(f.loc()).Format(time.RFC3339); got != "2026-12-02T23:59:59+01:00" {
				t.Fatalf("due before the extension %s", got)
			}
			tk, err := f.desk.Extend(ctx, ticket1, 10, "Dokumentet janë në arkivin e Prizrenit", "jusuf")
			if err != nil {
				t.Fatal(err)
			}
			if got := tk.DueAt.In(f.loc()).Format(time.RFC3339); got != "2026-12-14T23:59:59+01:00" {
				t.Errorf("due %s, want 2026-12-14T23:59:59+01:00", got)
			}
			stored := f.ticket(ticket1)
			if e := stored.Extension; e == nil || e.Days != 10 || e.By != "jusuf" || !e.DueAt.Equal(tk.DueAt) || !e.At.Equal(f.now) {
				t.Errorf("stored extension %+v", e)
			}
			notices := noticeTexts(f.jobs(ticket1))
			if len(notices) != 1 {
				t.Fatalf("%d notices, want 1", len(notices))
			}
			for _, w := range l.want {
				if !strings.Contains(notices[0], w) {
					t.Errorf("notice lacks %q:\n%s", w, notices[0])
				}
			}
			_, err = f.desk.Extend(ctx, ticket1, 3, "sërish", "jusuf")
			if err == nil || !strings.Contains(err.Error(), "already extended by 10 days on 2026-11-25: the law allows one extension") {
				t.Errorf("second extension: %v", err)
			}
			if n := len(noticeTexts(f.jobs(ticket1))); n != 1 {
				t.Errorf("%d notices after a refused second extension, want 1", n)
			}
		})
	}
}

func TestUrgentByOfficer(t *testing.T) {
	ctx := context.Background()
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
	normal := f.ticket(ticket1).DueAt
	notifies := len(jobsOf(f.jobs(ticket1), inquiry.JobNotify))
	f.now = f.now.Add(time.Hour)
	tk, err := f.desk.Urgent(ctx, ticket1, true, "jusuf")
	if err != nil {
		t.Fatal(err)
	}
	// 48 hours of clock time from registration (received 11:00 in Kosovo).
	if got := tk.DueAt.In(f.loc()).Format(time.RFC3339); got != "2026-11-27T11:00:00+01:00" {
		t.Errorf("urgent due %s", got)
	}
	if tk.OfficerID != "jusuf" {
		t.Errorf("urgent flag changed the officer to %s", tk.OfficerID)
	}
	jobs := f.jobs(ticket1)
	fresh := jobsOf(jobs, inquiry.JobNotify)[notifies:]
	if len(fresh) != 1 || fresh[0].Recipient != "jusuf" || !strings.HasPrefix(fresh[0].Mail.Subject, "URGENT ") ||
		!strings.Contains(fresh[0].Mail.Text, "URGJENTE / URGENT") {
		t.Errorf("officer's urgent notification: %+v", fresh)
	}
	heads := jobsOf(jobs, inquiry.JobHeadNotice)
	if len(heads) != 2 {
		t.Fatalf("%d head notices, want mail and Telegram", len(heads))
	}
	for _, j := range heads {
		if j.Recipient != head.ID {
			t.Errorf("head notice to %s", j.Recipient)
		}
		switch {
		case j.Mail != nil:
			if j.Mail.To[0].Address != head.Email || !strings.Contains(j.Mail.Subject, "URGENT") || !strings.Contains(j.Mail.Text, "marked by jusuf") {
				t.Errorf("head mail %+v", j.Mail)
			}
		case j.Chat.ChatID != head.TelegramUserID || !strings.Contains(j.Chat.Text, "URGENT"):
			t.Errorf("head chat %+v", j.Chat)
		}
	}
	// Setting it again sends nothing more; clearing it restores the clock.
	if _, err := f.desk.Urgent(ctx, ticket1, true, "jusuf"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.jobs(ticket1)); n != len(jobs) {
		t.Errorf("setting the flag twice queued %d more jobs", n-len(jobs))
	}
	tk, err = f.desk.Urgent(ctx, ticket1, false, "jusuf")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Urgent || !tk.DueAt.Equal(normal) {
		t.Errorf("cleared: urgent %v due %s, want %s", tk.Urgent, tk.DueAt, normal)
	}
	if _, err := f.desk.Extend(ctx, ticket1, 5, "arkivi", "jusuf"); err != nil {
		t.Errorf("extend after clearing: %v", err)
	}
	if _, err := f.desk.Urgent(ctx, ticket1, true, "jusuf"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Extend(ctx, ticket1, 5, "arkivi", "jusuf"); err == nil || !strings.Contains(err.Error(), "already extended") {
		t.Errorf("second extension of an urgent ticket: %v", err)
	}
}

func TestUrgentAtFiling(t *testing.T) {
	tests := []struct {
		name      string
		cat       inquiry.Category
		text      string
		urgent    bool
		wantDue   string
		wantHeads int
	}{
		{"detention, document request", inquiry.DocumentRequest,
			"Vëllai im është në paraburgim; kërkoj vendimin e komisionit për të sa më shpejt.", true, "2026-11-27T11:00:00+01:00", 2},
		{"hospital, press inquiry", inquiry.PressInquiry,
			"Our reporter's mother is in hospital; we need the statement today.", true, "", 2},
		{"ordinary request", inquiry.DocumentRequest, docRequestSQ, false, "2026-12-02T23:59:59+01:00", 0},
		// Only the sender's own words count, not a thread they quote.
		{"a cue only in the quoted thread", inquiry.DocumentRequest,
			docRequestSQ + "\n\nMë 1 dhjetor 2026, Drita <drita@example.net> shkroi:\n> Vëllai im është në paraburgim që nga e hëna.\n> Ju lutem ndihmoni.",
			false, "2026-12-02T23:59:59+01:00", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, tt.text)
			tk := f.ticket(ticket1)
			want := map[inquiry.Category]string{inquiry.DocumentRequest: "jusuf", inquiry.PressInquiry: "osman"}[tt.cat]
			if tk.Urgent != tt.urgent || tk.OfficerID != want {
				t.Errorf("urgent %v officer %s; want %v, %s (routing alone chooses)", tk.Urgent, tk.OfficerID, tt.urgent, want)
			}
			due := ""
			if !tk.DueAt.IsZero() {
				due = tk.DueAt.In(f.loc()).Format(time.RFC3339)
			}
			if due != tt.wantDue {
				t.Errorf("due %q, want %q", due, tt.wantDue)
			}
			if n := len(jobsOf(f.jobs(ticket1), inquiry.JobHeadNotice)); n != tt.wantHeads {
				t.Errorf("%d head notices, want %d", n, tt.wantHeads)
			}
			notify := jobsOf(f.jobs(ticket1), inquiry.JobNotify)
			for _, j := range notify {
				var text string
				if j.Mail != nil {
					text = j.Mail.Text
				} else {
					text = j.Chat.Text
				}
				if strings.Contains(text, "URGENT") != tt.urgent {
					t.Errorf("officer's notification says URGENT: %v, want %v", !tt.urgent, tt.urgent)
				}
			}
		})
	}
}

func TestNotHeldReopenComplaint(t *testing.T) {
	ctx := context.Background()
	f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.SerbianLatin, inquiry.ChannelEmail, docRequestSQ)
	if _, err := f.desk.NotHeld(ctx, ticket1, "Agencija za statistiku Kosova", "jusuf"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.NotHeld(ctx, ticket1, "", "jusuf"); err == nil || !strings.Contains(err.Error(), "already marked not held") {
		t.Errorf("second not-held: %v", err)
	}
	notices := noticeTexts(f.jobs(ticket1))
	if len(notices) != 1 || !strings.Contains(notices[0], "ne nalazi se u ministarstvu") || !strings.Contains(notices[0], "poseduje: Agencija za statistiku Kosova") {
		t.Fatalf("not-held notice: %q", notices)
	}
	marked := f.now
	f.now = f.now.Add(2 * time.Hour)
	tk, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.NotHeld}, "jusuf")
	if err != nil {
		t.Fatal(err)
	}
	if !tk.DecidedAt.Equal(marked) {
		t.Errorf("decided %s, want the not-held notice's time %s", tk.DecidedAt, marked)
	}
	if n := len(noticeTexts(f.jobs(ticket1))); n != 1 {
		t.Errorf("closing as not held after the notice sent %d notices in all, want 1", n)
	}

	if _, err := f.desk.Reopen(ctx, "DKP-2026-000002", "jusuf"); err == nil {
		t.Error("reopening a missing ticket succeeded")
	}
	tk, err = f.desk.Reopen(ctx, ticket1, "jusuf")
	if err != nil {
		t.Fatal(err)
	}
	if tk.State != inquiry.Assigned || tk.Outcome != "" || !tk.DecidedAt.IsZero() || !tk.ClosedAt.IsZero() || tk.NotHeldMark == nil {
		t.Errorf("reopened: %+v", tk)
	}
	if _, err := f.desk.Reopen(ctx, ticket1, "jusuf"); err == nil || !strings.Contains(err.Error(), "is assigned, not closed") {
		t.Errorf("reopening an open ticket: %v", err)
	}
	if _, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.PartlyGranted, Ground: "personal_data"}, "jusuf"); err != nil {
		t.Fatal(err)
	}

	f.now = f.now.Add(2 * 24 * time.Hour)
	complaints := []struct {
		date, note, wantErr string
	}{
		{"2026-11-26", "žalba na delimično odbijanje", ""},
		{"2026-11-25", "", ""},
		{"26.11.2026", "", "is not a date like 2026-12-01"},
		{"2026-11-30", "", "2026-11-30 is in the future"},
		{"2026-11-01", "", "is before the request was received"},
	}
	for _, c := range complaints {
		_, err := f.desk.Complaint(ctx, ticket1, c.date, c.note, "jusuf")
		if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("complaint %s: err %v, want %q", c.date, err, c.wantErr)
		}
	}
	tk = f.ticket(ticket1)
	if len(tk.Complaints) != 2 || tk.Complaints[0].Date != "2026-11-26" || tk.Complaints[0].Note != "žalba na delimično odbijanje" || tk.Complaints[1].Date != "2026-11-25" {
		t.Errorf("complaints %+v", tk.Complaints)
	}
	entries, err := f.store.Entries(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, e := range entries {
		if e.Kind == inquiry.EntryNote {
			notes = append(notes, e.Text)
		}
	}
	for _, want := range []string{"document not held by the ministry; held by Agencija za statistiku Kosova",
		"closed: not_held; the requester was told on 2026-11-25 11:00", "reopened (was closed: not_held, decided 2026-11-25 11:00)",
		"closed: partly_granted (ground personal_data)", "complaint to the Information and Privacy Agency, made 2026-11-26: žalba"} {
		found := false
		for _, n := range notes {
			found = found || strings.HasPrefix(n, want)
		}
		if !found {
			t.Errorf("no note %q in %q", want, notes)
		}
	}
}

func (f *fixture) loc() *time.Location {
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		f.t.Fatal(err)
	}
	return loc
}

func TestLifecycleRefusals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		cat     inquiry.Category
		closed  bool // closed as granted (or resolved) first
		act     func(*desk.Desk) error
		wantErr string
	}{
		{"not held on a press inquiry", inquiry.PressInquiry, false,
			func(d *desk.Desk) error { _, err := d.NotHeld(ctx, ticket1, "", "osman"); return err }, "only a document request can be marked not held"},
		{"not held on a closed request", inquiry.DocumentRequest, true,
			func(d *desk.Desk) error { _, err := d.NotHeld(ctx, ticket1, "", "jusuf"); return err }, "is closed: reopen it first"},
		{"extend a closed request", inquiry.DocumentRequest, true,
			func(d *desk.Desk) error { _, err := d.Extend(ctx, ticket1, 5, "arkivi", "jusuf"); return err }, "is closed: reopen it before extending"},
		{"urgent on a closed request", inquiry.DocumentRequest, true,
			func(d *desk.Desk) error { _, err := d.Urgent(ctx, ticket1, true, "jusuf"); return err }, "is closed: reopen it before changing its urgent flag"},
		{"category of a closed request", inquiry.DocumentRequest, true,
			func(d *desk.Desk) error {
				_, err := d.Recategorize(ctx, ticket1, inquiry.GeneralQuestion, "jusuf")
				return err
			}, "is closed: reopen it before changing its category"},
		{"close twice", inquiry.DocumentRequest, true,
			func(d *desk.Desk) error {
				_, err := d.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf")
				return err
			},
			"is already closed (granted); reopen it"},
		{"close a press inquiry in an answer", inquiry.PressInquiry, false,
			func(d *desk.Desk) error {
				_, err := d.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Resolved, InAnswer: true}, "osman")
				return err
			}, "a ground or a decision in an answer is only for document requests"},
		{"close spam", inquiry.DocumentRequest, false,
			func(d *desk.Desk) error {
				if _, err := d.MarkSpam(ctx, ticket1, "jusuf"); err != nil {
					return err
				}
				_, err := d.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.NoAnswerNeeded}, "jusuf")
				return err
			}, "is spam mail, kept and not worked: there is nothing to close"},
		{"spam a closed request", inquiry.DocumentRequest, true,
			func(d *desk.Desk) error { _, err := d.MarkSpam(ctx, ticket1, "jusuf"); return err }, "is closed (granted): reopen it before marking it as spam"},
		{"a missing ticket", inquiry.DocumentRequest, false,
			func(d *desk.Desk) error { _, err := d.Urgent(ctx, "DKP-2026-000099", true, "jusuf"); return err }, "no ticket DKP-2026-000099"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, tt.cat, inquiry.Albanian, inquiry.ChannelEmail, docRequestSQ)
			if tt.closed {
				if _, err := f.desk.CloseWith(ctx, ticket1, desk.Closing{Outcome: inquiry.Granted}, "jusuf"); err != nil {
					t.Fatal(err)
				}
			}
			before := len(f.jobs(ticket1))
			err := tt.act(f.desk)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if n := len(f.jobs(ticket1)); n != before {
				t.Errorf("a refused action queued %d sends", n-before)
			}
		})
	}
}

// A ticket from the public discussion group has no private chat until its
// author opens one: the notice waits for it, never goes to the group, and
// is sent once the author opens the chat.
func TestNoticeWaitsForPrivateChat(t *testing.T) {
	ctx := context.Background()
	f := newFixtureClassifier(t, filepath.Join(t.TempDir(), "sportel.db"), fixedClassifier{inquiry.DocumentRequest, inquiry.Albanian}, nil)
	m := &inquiry.Message{Channel: inquiry.ChannelTelegram, SourceID: "tg:-100:5", ChatID: -100, UserID: 55, ChatMsgID: 5,
		Public: true, From: inquiry.Address{Name: "Arben"}, Text: docRequestSQ}
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("disposition %s", d)
	}
	if _, err := f.desk.Extend(ctx, ticket1, 5, "arkivi", "jusuf"); err != nil {
		t.Fatal(err)
	}
	if n := len(jobsOf(f.jobs(ticket1), inquiry.JobNotice)); n != 0 {
		t.Errorf("%d notices queued before the author opened a private chat", n)
	}
	if _, err := f.desk.LinkPrivateChat(ctx, ticket1, 55, 555); err != nil {
		t.Fatal(err)
	}
	notices := jobsOf(f.jobs(ticket1), inquiry.JobNotice)
	if len(notices) != 1 || notices[0].Chat == nil || notices[0].Chat.ChatID != 555 || !strings.Contains(notices[0].Chat.Text, "zgjatet për 5 ditë") {
		t.Fatalf("after the private chat opened: %+v", notices)
	}
	if n := len(jobsOf(f.jobs(ticket1), inquiry.JobAnswer)); n != 0 {
		t.Errorf("the notice went as %d answers", n)
	}
}

// A ticket with no address at all gets a note instead of a notice.
func TestNoticeWithNowhereToGo(t *testing.T) {
	f := newFixtureClassifier(t, filepath.Join(t.TempDir(), "sportel.db"), fixedClassifier{inquiry.DocumentRequest, inquiry.Albanian}, nil)
	m := citizen("noaddr@example.net", "", "Kërkesë", docRequestSQ)
	m.SourceID = "msgid:noaddr"
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("disposition %s", d)
	}
	if _, err := f.desk.Extend(context.Background(), ticket1, 5, "arkivi", "jusuf"); err != nil {
		t.Fatal(err)
	}
	if n := len(jobsOf(f.jobs(ticket1), inquiry.JobNotice)); n != 0 {
		t.Errorf("%d notices queued for a ticket without an address", n)
	}
	entries, err := f.store.Entries(context.Background(), f.ticket(ticket1).ID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != inquiry.EntryNote || !strings.HasPrefix(last.Text, "extension notice not sent: the requester has no address or private chat") {
		t.Errorf("last entry %s %q", last.Kind, last.Text)
	}
}

// A Telegram conversation is one request: a later message in it that says
// life or liberty depends on the answer makes the ticket urgent, with the
// 48-hour clock and the heads told, as the first message would have.
// Once an officer has acted on the ticket the flag is theirs.
func TestUrgentLaterInATelegramConversation(t *testing.T) {
	tests := []struct {
		name       string
		officerAct bool
		text       string
		urgent     bool
		wantHeads  int
	}{
		{"detention in the second message", false, "Vëllai im është në paraburgim, na duhet vendimi sa më shpejt.", true, 2},
		{"an ordinary second message", false, "Faleminderit, pres përgjigjen.", false, 0},
		{"after the officer acted", true, "Vëllai im është në paraburgim, na duhet vendimi sa më shpejt.", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, inquiry.ChannelTelegram, docRequestSQ)
			normal := f.ticket(ticket1).DueAt
			if tt.officerAct {
				if _, err := f.desk.Note(context.Background(), ticket1, "jusuf", "Pyeta arkivin."); err != nil {
					t.Fatal(err)
				}
				if _, err := f.desk.Take(context.Background(), ticket1, "jusuf"); err != nil {
					t.Fatal(err)
				}
			}
			f.now = f.now.Add(5 * time.Minute)
			m := &inquiry.Message{Channel: inquiry.ChannelTelegram, SourceID: "tg:77:2", ChatID: 77, UserID: 77, ChatMsgID: 2,
				From: inquiry.Address{Name: "Arben Berisha"}, Text: tt.text}
			if d := f.handle(m); d != inquiry.Attached {
				t.Fatalf("second message: %s, want %s", d, inquiry.Attached)
			}
			tk := f.ticket(ticket1)
			if tk.Urgent != tt.urgent {
				t.Fatalf("urgent %v, want %v", tk.Urgent, tt.urgent)
			}
			// 48 hours of clock time from registration (11:00 in Kosovo).
			wantDue := normal.In(f.loc()).Format(time.RFC3339)
			if tt.urgent {
				wantDue = "2026-11-27T11:00:00+01:00"
			}
			if got := tk.DueAt.In(f.loc()).Format(time.RFC3339); got != wantDue {
				t.Errorf("due %s, want %s", got, wantDue)
			}
			if n := len(jobsOf(f.jobs(ticket1), inquiry.JobHeadNotice)); n != tt.wantHeads {
				t.Errorf("%d head notices, want %d", n, tt.wantHeads)
			}
			urgentNotes := 0
			for _, j := range jobsOf(f.jobs(ticket1), inquiry.JobNotify) {
				text := ""
				if j.Mail != nil {
					text = j.Mail.Text
				} else {
					text = j.Chat.Text
				}
				if strings.Contains(text, "URGJENTE / URGENT") {
					urgentNotes++
				}
			}
			if (urgentNotes > 0) != tt.urgent {
				t.Errorf("%d officer notifications marked URGENT, want some: %v", urgentNotes, tt.urgent)
			}
		})
	}
}

// The officer's notifications give the legal deadline as a day in the
// division's time zone: an urgent request received at 00:30 in Kosovo is
// due at 00:30 two days later, still the day before in UTC, as the store
// gives the ticket back when the citizen writes again.
func TestNotificationDeadlineIsTheLocalDay(t *testing.T) {
	f := newFixtureClassifier(t, filepath.Join(t.TempDir(), "sportel.db"), fixedClassifier{inquiry.DocumentRequest, inquiry.Albanian}, func(c *desk.Config) {
		c.Officers = append(append([]inquiry.Officer(nil), officers...), head)
		c.NotifyByTelegram = true
	})
	f.now = time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC) // 00:30 on 26 November in Kosovo
	if d := f.handle(citizen("midnight@example.net", "arben@example.net", "Kërkesë", "Vëllai im është në paraburgim; kërkoj vendimin e komisionit.")); d != inquiry.Filed {
		t.Fatalf("disposition %s", d)
	}
	ack := jobsOf(f.jobs(ticket1), inquiry.JobAck)[0].Mail
	before := len(jobsOf(f.jobs(ticket1), inquiry.JobNotify))
	f.now = f.now.Add(time.Hour)
	if d := f.handle(followUp(0, ack)); d != inquiry.Attached {
		t.Fatalf("follow-up: %s", d)
	}
	notify := jobsOf(f.jobs(ticket1), inquiry.JobNotify)[before:]
	if len(notify) == 0 {
		t.Fatal("no notification of the follow-up")
	}
	for _, j := range notify {
		text := ""
		if j.Mail != nil {
			text = j.Mail.Text
		} else {
			text = j.Chat.Text
		}
		if !strings.Contains(text, "Afati ligjor: 28.11.2026") {
			t.Errorf("notification (%s) does not give the deadline as 28.11.2026:\n%s", j.Recipient, text)
		}
	}
}
