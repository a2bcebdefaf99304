package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/calendar"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/report"
	"sportel/schedule"
	"sportel/store"
	"sportel/store/sqlite"
)

func belgrade(t testing.TB) *time.Location { return testutil.Location(t, "Europe/Belgrade") }

// local reads "2006-01-02 15:04" in Belgrade.
func local(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, belgrade(t))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// officers: jusuf works in mail and Telegram, zamira in mail only, osman
// heads the division in Serbian (Latin), in mail and Telegram.
var officers = []inquiry.Officer{
	{ID: "jusuf", Name: "Jusuf Lushaku", Email: "jusuf@mkrs.example", TelegramUserID: 1001},
	{ID: "zamira", Name: "Zamira Hoxha", Email: "zamira@mkrs.example", Language: inquiry.English},
	{ID: "osman", Name: "Osman Gashi", Email: "osman@mkrs.example", TelegramUserID: 1003, Role: inquiry.RoleHead, Language: inquiry.SerbianLatin},
}

func rules(t testing.TB) calendar.Rules {
	return calendar.Rules{Calendar: calendar.New(calendar.Options{}), Location: belgrade(t), Days: 7, Count: calendar.CalendarDays}
}

func config(t testing.TB) schedule.Config {
	return schedule.Config{
		Calendar:        rules(t).Calendar,
		Location:        belgrade(t),
		Reminders:       []int{2, 1, 0},
		ReminderHour:    8 * time.Hour,
		DigestHour:      8*time.Hour + 30*time.Minute,
		Officers:        officers,
		Telegram:        true,
		Mailbox:         inquiry.Address{Name: "DKP", Address: "komunikimi@mkrs.example"},
		MessageIDDomain: "mkrs.example",
		MessageIDPrefix: "sportel.",
		Interval:        10 * time.Minute,
	}
}

func openStore(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return st
}

func inTx(t testing.TB, st store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := st.WithTx(context.Background(), fn); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
}

// event is something that happens to the store at a moment of the fake
// clock: a ticket arrives, an officer decides, a send fails.
type event struct {
	at time.Time
	do func(t testing.TB, st store.Store)
}

// file files a ticket when its message is received.
func file(number string, cat inquiry.Category, ch inquiry.Channel, officer string, received time.Time, acted bool) func(testing.TB, store.Store) {
	return fileAt(number, cat, ch, officer, received, received, acted)
}

// fileAt files at filed a ticket whose message is dated received.
func fileAt(number string, cat inquiry.Category, ch inquiry.Channel, officer string, received, filed time.Time, acted bool) func(testing.TB, store.Store) {
	return func(t testing.TB, st store.Store) {
		tk := &inquiry.Ticket{Number: number, Channel: ch, Sender: inquiry.Address{Name: "Arta Krasniqi", Address: "arta@example.org"},
			Subject: "Kërkesë " + number, Language: inquiry.Albanian, Category: cat, Classifier: "builtin", Confidence: 0.9,
			OfficerID: officer, Acted: acted, State: inquiry.Assigned, ReceivedAt: received, CreatedAt: filed, UpdatedAt: filed}
		if cat == inquiry.DocumentRequest {
			due, err := rules(t).Deadline(received)
			if err != nil {
				t.Fatal(err)
			}
			tk.DueAt = due.At
		}
		inTx(t, st, func(tx store.Tx) error { return tx.CreateTicket(tk) })
	}
}

func decide(number string, at time.Time) func(testing.TB, store.Store) {
	return func(t testing.TB, st store.Store) {
		inTx(t, st, func(tx store.Tx) error {
			tk, ok, err := tx.TicketByNumber(number)
			if err != nil || !ok {
				return fmt.Errorf("ticket %s: %v, %v", number, ok, err)
			}
			tk.State, tk.Outcome, tk.ClosedAt, tk.UpdatedAt, tk.Acted = inquiry.Closed, inquiry.Granted, at, at, true
			return tx.UpdateTicket(&tk)
		})
	}
}

func failedSend(number string, at time.Time) func(testing.TB, store.Store) {
	return func(t testing.TB, st store.Store) {
		inTx(t, st, func(tx store.Tx) error {
			tk, ok, err := tx.TicketByNumber(number)
			if err != nil || !ok {
				return fmt.Errorf("ticket %s: %v, %v", number, ok, err)
			}
			return tx.AddJob(&inquiry.Job{TicketID: tk.ID, Kind: inquiry.JobAck, Recipient: "arta@example.org",
				State: inquiry.JobFailed, Attempts: 8, NextAt: at, CreatedAt: at, FinishedAt: at, LastError: "550 mailbox unavailable",
				Mail: &inquiry.Mail{MessageID: "ack-" + number + "@mkrs.example", Date: at, Subject: "x", Text: "x"}})
		})
	}
}

// clock drives schedulers through time: each Sleep moves it on, applies the
// events that came due, lets the other instances make their pass, and
// ends the run at the end.
type clock struct {
	t      testing.TB
	now    time.Time
	st     store.Store
	events []event
	next   int
	// configure, when set, changes the scheduler's configuration.
	configure func(*schedule.Config)
}

func (c *clock) apply() {
	for c.next < len(c.events) && !c.events[c.next].at.After(c.now) {
		c.events[c.next].do(c.t, c.st)
		c.next++
	}
}

// run runs a scheduler on st from from to end (exclusive), with others
// making a pass at every moment it does.
func (c *clock) run(st store.Store, from, end time.Time, others int) {
	c.t.Helper()
	c.st, c.now = st, from
	c.apply()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config(c.t)
	// Every moment the runs expect (08:00, 08:30, midnight, the events) is
	// on the half hour.
	cfg.Interval = 30 * time.Minute
	cfg.Now = func() time.Time { return c.now }
	if c.configure != nil {
		c.configure(&cfg)
	}
	var second []*schedule.Scheduler
	for range others {
		s, err := schedule.New(cfg, st, testutil.DiscardLogger())
		if err != nil {
			c.t.Fatal(err)
		}
		second = append(second, s)
	}
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		for _, s := range second {
			if err := s.Pass(ctx); err != nil {
				c.t.Errorf("second instance at %s: %v", c.now, err)
			}
		}
		c.now = c.now.Add(d)
		if !c.now.Before(end) {
			cancel()
			return ctx.Err()
		}
		c.apply()
		return nil
	}
	s, err := schedule.New(cfg, st, testutil.NewLogBuffer(c.t).Logger(slog.LevelInfo))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := s.Run(ctx); err != nil {
		c.t.Fatalf("Run: %v", err)
	}
}

// sent describes every scheduled job from the job alone, "created kind
// ticket recipient where", sorted, with the jobs in the same order.
func sent(t testing.TB, st store.Store) ([]string, []inquiry.Job) {
	t.Helper()
	tickets, err := st.ListTickets(context.Background(), inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	numbers := map[int64]string{}
	for _, tk := range tickets {
		numbers[tk.ID] = tk.Number
	}
	jobs, err := st.ListJobs(context.Background(), inquiry.JobPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var scheduled []inquiry.Job
	for _, j := range jobs {
		switch j.Kind {
		case inquiry.JobReminder, inquiry.JobEscalation, inquiry.JobDailyDigest:
		default:
			continue
		}
		scheduled = append(scheduled, j)
		where := "mail"
		if j.Chat != nil {
			where = fmt.Sprintf("tg%d", j.Chat.ChatID)
		}
		ticket := "-"
		if j.TicketID != 0 {
			ticket = numbers[j.TicketID]
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s", j.CreatedAt.In(belgrade(t)).Format("2006-01-02 15:04"), j.Kind, ticket, j.Recipient, where))
	}
	// Sort both by the description, keeping each job beside its own.
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(out[a], out[b]) })
	sortedOut, sortedJobs := make([]string, len(out)), make([]inquiry.Job, len(out))
	for i, k := range order {
		sortedOut[i], sortedJobs[i] = out[k], scheduled[k]
	}
	return sortedOut, sortedJobs
}

// TestTwoWeeks runs the scheduler through two and a half weeks around 1 May
// 2026 (Friday, a holiday) and 9 May (a Saturday, so Monday 11 May is off),
// with a restart in the middle that replays fourteen hours already done and
// a second instance on the same store after it. Every reminder,
// escalation and digest must be queued exactly once, at its time.
//
// Deadlines (7 calendar days, moved off days off):
//
//	1 received Mon 27.04 10:00   due Mon 04.05  never decided
//	2 received Thu 30.04 15:00   due Thu 07.05  decided Wed 06.05 11:00
//	3 received Sat 02.05 11:00   due Tue 12.05  (registered Mon 04.05; 11.05 is off)  never decided
//	4 press inquiry Tue 28.04, taken by its officer: no deadline
//	5 received Wed 06.05 14:00   due Wed 13.05  open when the run ends
func TestTwoWeeks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sportel.db")
	c := &clock{t: t, events: []event{
		{local(t, "2026-04-27 10:00"), file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, "jusuf", local(t, "2026-04-27 10:00"), false)},
		{local(t, "2026-04-28 09:00"), file("DKP-2026-000004", inquiry.PressInquiry, inquiry.ChannelEmail, "zamira", local(t, "2026-04-28 09:00"), true)},
		{local(t, "2026-04-30 15:00"), file("DKP-2026-000002", inquiry.DocumentRequest, inquiry.ChannelTelegram, "zamira", local(t, "2026-04-30 15:00"), false)},
		{local(t, "2026-05-01 10:00"), failedSend("DKP-2026-000001", local(t, "2026-05-01 10:00"))},
		{local(t, "2026-05-02 11:00"), file("DKP-2026-000003", inquiry.DocumentRequest, inquiry.ChannelEmail, "jusuf", local(t, "2026-05-02 11:00"), false)},
		{local(t, "2026-05-06 11:00"), decide("DKP-2026-000002", local(t, "2026-05-06 11:00"))},
		{local(t, "2026-05-06 14:00"), file("DKP-2026-000005", inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-05-06 14:00"), false)},
	}}

	st := openStore(t, path)
	c.run(st, local(t, "2026-04-27 00:00"), local(t, "2026-05-05 12:00"), 0)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// A restart: the store is opened again, and the clock goes back to
	// before the first run's last escalation, reminders and digest.
	st = openStore(t, path)
	t.Cleanup(func() { st.Close() })
	c.run(st, local(t, "2026-05-04 22:00"), local(t, "2026-05-13 18:00"), 1)

	var want []string
	add := func(at string, kind inquiry.JobKind, ticket, who string, where ...string) {
		for _, w := range where {
			want = append(want, fmt.Sprintf("%s %s %s %s %s", at, kind, ticket, who, w))
		}
	}
	jusuf := []string{"mail", "tg1001"}
	osman := []string{"mail", "tg1003"}
	// 1: two working days before Monday 4 May is Wednesday (Friday 1 May
	// is off), one is Thursday; then the morning of the day.
	add("2026-04-29 08:00", inquiry.JobReminder, "DKP-2026-000001", "jusuf", jusuf...)
	add("2026-04-30 08:00", inquiry.JobReminder, "DKP-2026-000001", "jusuf", jusuf...)
	add("2026-05-04 08:00", inquiry.JobReminder, "DKP-2026-000001", "jusuf", jusuf...)
	add("2026-05-05 00:00", inquiry.JobEscalation, "DKP-2026-000001", "osman", osman...)
	// 2: decided on the morning between its second reminder and its day.
	add("2026-05-05 08:00", inquiry.JobReminder, "DKP-2026-000002", "zamira", "mail")
	add("2026-05-06 08:00", inquiry.JobReminder, "DKP-2026-000002", "zamira", "mail")
	// 3: due Tuesday 12 May; Monday 11 May is off, so one working day
	// before is Friday 8 May and two is Thursday 7 May.
	add("2026-05-07 08:00", inquiry.JobReminder, "DKP-2026-000003", "jusuf", jusuf...)
	add("2026-05-08 08:00", inquiry.JobReminder, "DKP-2026-000003", "jusuf", jusuf...)
	add("2026-05-12 08:00", inquiry.JobReminder, "DKP-2026-000003", "jusuf", jusuf...)
	add("2026-05-13 00:00", inquiry.JobEscalation, "DKP-2026-000003", "osman", osman...)
	// 5: due Wednesday 13 May: Friday 8 and Tuesday 12 May before it.
	add("2026-05-08 08:00", inquiry.JobReminder, "DKP-2026-000005", "zamira", "mail")
	add("2026-05-12 08:00", inquiry.JobReminder, "DKP-2026-000005", "zamira", "mail")
	add("2026-05-13 08:00", inquiry.JobReminder, "DKP-2026-000005", "zamira", "mail")
	// Digests on working days only: not 1 May, the weekends, or 11 May.
	for _, day := range []string{"04-27", "04-28", "04-29", "04-30", "05-04", "05-05", "05-06", "05-07", "05-08", "05-12", "05-13"} {
		add("2026-"+day+" 08:30", inquiry.JobDailyDigest, "-", "osman", osman...)
	}
	slices.Sort(want)

	got, jobs := sent(t, st)
	if !slices.Equal(got, want) {
		t.Errorf("scheduled sends differ (-missing +extra):\n%s", diff(want, got))
	}
	keys := map[string]int{}
	for _, j := range jobs {
		keys[j.Key]++
		if j.Key == "" || keys[j.Key] > 1 {
			t.Errorf("job %d has key %q (seen %d times); want a unique key", j.ID, j.Key, keys[j.Key])
		}
	}

	checkTexts(t, got, jobs)

	// The record: each deadline that passed is a refusal by silence,
	// noted once; the report counts the same tickets.
	ctx := context.Background()
	all, err := st.ListTickets(ctx, inquiry.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var silent []string
	for _, tk := range all {
		entries, err := st.Entries(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Kind == inquiry.EntryNote && strings.HasPrefix(e.Text, "refused by silence:") {
				silent = append(silent, tk.Number+" "+e.CreatedAt.In(belgrade(t)).Format("2006-01-02 15:04")+" "+e.Text)
			}
		}
	}
	wantSilent := []string{
		"DKP-2026-000001 2026-05-05 00:00 refused by silence: the deadline 2026-05-04 23:59 CEST passed with no decision; escalated to osman",
		"DKP-2026-000003 2026-05-13 00:00 refused by silence: the deadline 2026-05-12 23:59 CEST passed with no decision; escalated to osman",
	}
	if !slices.Equal(silent, wantSilent) {
		t.Errorf("refusals by silence on record:\n%s\nwant:\n%s", strings.Join(silent, "\n"), strings.Join(wantSilent, "\n"))
	}
	if r := report.AccessDocuments(all, 2026, belgrade(t), local(t, "2026-05-13 18:00")); r.SilentRefusals != len(wantSilent) {
		t.Errorf("the annual report counts %d refusals by silence, the scheduler recorded %d", r.SilentRefusals, len(wantSilent))
	}
}

func diff(want, got []string) string {
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			b.WriteString("- " + w + "\n")
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			b.WriteString("+ " + g + "\n")
		}
	}
	return b.String()
}

// may4Digest is the head's digest of Monday 4 May, in his Serbian: since
// Thursday's digest two requests came (one by Telegram), request 1 is due
// that night, press inquiry 4 is taken and so not waiting, and the
// acknowledgement that failed on 1 May is listed.
const may4Digest = `Novi tiketi od 30.04.2026 08:30 do 04.05.2026 08:30: 2
  Po kategoriji: zahtev za dokumente 2;
  Po kanalu: email 1; telegram 1;

Rok ističe u narednih 48 sati (1)
  DKP-2026-000001  Rok: 04.05.2026 23:59  Službenik: Jusuf Lushaku  Kërkesë DKP-2026-000001

Rok je istekao bez odluke (0)
  nema

Čekaju pregled: dodeljeni, niko još nije postupio (3)
  DKP-2026-000001  zahtev za dokumente  Primljen: 27.04.2026 10:00  Službenik: Jusuf Lushaku
  DKP-2026-000002  zahtev za dokumente  Primljen: 30.04.2026 15:00  Službenik: Zamira Hoxha
  DKP-2026-000003  zahtev za dokumente  Primljen: 02.05.2026 11:00  Službenik: Jusuf Lushaku

Neuspela slanja (1)
  01.05.2026 10:00  ack  arta@example.org  DKP-2026-000001: 550 mailbox unavailable
`

// checkTexts checks what every scheduled mail carries, and the words of a
// few: the officer's or head's language, the ticket number once in the
// subject.
func checkTexts(t *testing.T, described []string, jobs []inquiry.Job) {
	t.Helper()
	email := map[string]string{}
	for _, o := range officers {
		email[o.ID] = o.Email
	}
	byWhat := map[string]inquiry.Job{}
	for i, j := range jobs {
		byWhat[described[i]] = j
		if j.Mail == nil {
			continue
		}
		m := j.Mail
		if m.From.Address != "komunikimi@mkrs.example" || len(m.To) != 1 || m.To[0].Address != email[j.Recipient] || !m.AutoReplied || m.MessageID == "" {
			t.Errorf("%s: from %v to %v, auto-replied %v, Message-ID %q", described[i], m.From, m.To, m.AutoReplied, m.MessageID)
		}
		if j.TicketID != 0 {
			number := strings.Fields(described[i])[3]
			if n := strings.Count(m.Subject, number); n != 1 {
				t.Errorf("%s: subject %q carries the ticket number %d times, want once", described[i], m.Subject, n)
			}
			if m.Headers["X-Sportel-Ticket"] != number {
				t.Errorf("%s: X-Sportel-Ticket %q", described[i], m.Headers["X-Sportel-Ticket"])
			}
		}
	}
	cases := []struct {
		job           string
		subject, text string // text: a prefix of the mail's, or of the chat message
	}{
		{"2026-05-04 08:30 daily_digest - osman mail", "Dnevni pregled, 04.05.2026", may4Digest},
		{"2026-05-04 08:30 daily_digest - osman tg1003", "", "Dnevni pregled, 04.05.2026\nNovi tiketi od 30.04.2026 08:30 do 04.05.2026 08:30: 2\nRok ističe u narednih 48 sati (1)\n"},
		{"2026-04-29 08:00 reminder DKP-2026-000001 jusuf mail", "[DKP-2026-000001] Kujtesë: afati 04.05.2026 23:59",
			"Kërkesa DKP-2026-000001 për qasje në dokumente publike ende nuk ka vendim. Afati ligjor: 04.05.2026 23:59. Ditë pune deri në ditën e afatit: 2.\n"},
		{"2026-05-04 08:00 reminder DKP-2026-000001 jusuf tg1001", "",
			"Kërkesa DKP-2026-000001 për qasje në dokumente publike ende nuk ka vendim. Afati ligjor: 04.05.2026 23:59. Afati skadon sot.\n"},
		{"2026-05-06 08:00 reminder DKP-2026-000002 zamira mail", "[DKP-2026-000002] Reminder: due 7 May 2026, 23:59",
			"Document request DKP-2026-000002 has no decision yet. Legal deadline: 7 May 2026, 23:59. Working days until the due day: 1.\n"},
		{"2026-05-05 00:00 escalation DKP-2026-000001 osman mail", "[DKP-2026-000001] Rok je istekao bez odluke",
			"Zakonski rok za zahtev DKP-2026-000001 za pristup javnim dokumentima istekao je 04.05.2026 23:59 bez odluke."},
	}
	for _, c := range cases {
		j, ok := byWhat[c.job]
		if !ok {
			t.Errorf("no job %s", c.job)
			continue
		}
		var subject, text string
		if j.Mail != nil {
			subject, text = j.Mail.Subject, j.Mail.Text
		} else {
			text = j.Chat.Text
		}
		if subject != c.subject || !strings.HasPrefix(text, c.text) {
			t.Errorf("%s:\nsubject %q\ntext:\n%s\nwant subject %q and text starting:\n%s", c.job, subject, text, c.subject, c.text)
		}
	}
}

// flakyStore fails its first fails calls to ListTickets.
type flakyStore struct {
	*sqlite.Store
	fails int
}

func (f *flakyStore) ListTickets(ctx context.Context, filter inquiry.TicketFilter) ([]inquiry.Ticket, error) {
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("disk I/O error")
	}
	return f.Store.ListTickets(ctx, filter)
}

// TestRunGoesOnAfterAFailedPass: a pass that cannot read the store is
// logged, and the next pass sends what it could not.
func TestRunGoesOnAfterAFailedPass(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	file("DKP-2026-000009", inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-04-20 10:00"), false)(t, st)
	flaky := &flakyStore{Store: st, fails: 1}

	logs := testutil.NewLogBuffer(t)
	cfg := config(t)
	now := local(t, "2026-05-02 10:00") // a Saturday: no digest
	cfg.Now = func() time.Time { return now }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	passes := 0
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		passes++
		now = now.Add(d)
		if passes == 2 {
			cancel()
			return ctx.Err()
		}
		return nil
	}
	s, err := schedule.New(cfg, flaky, logs.Logger(slog.LevelInfo))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(logs.String(), `msg="scheduled sends" err="list open document requests: disk I/O error"`) {
		t.Errorf("the failed pass is not logged:\n%s", logs.String())
	}
	got, _ := sent(t, st)
	want := []string{
		"2026-05-02 10:10 escalation DKP-2026-000009 osman mail",
		"2026-05-02 10:10 escalation DKP-2026-000009 osman tg1003",
	}
	if !slices.Equal(got, want) {
		t.Errorf("after a failed pass and a good one:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func extend(number string, due time.Time) func(testing.TB, store.Store) {
	return func(t testing.TB, st store.Store) {
		inTx(t, st, func(tx store.Tx) error {
			tk, ok, err := tx.TicketByNumber(number)
			if err != nil || !ok {
				return fmt.Errorf("ticket %s: %v, %v", number, ok, err)
			}
			tk.DueAt = due
			return tx.UpdateTicket(&tk)
		})
	}
}

// TestExtendedDeadlineRemindedAnew: a deadline moved (an extension) after
// two reminders gets its own reminders, and the old due day's last one and
// escalation never come.
func TestExtendedDeadlineRemindedAnew(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	c := &clock{t: t, events: []event{
		{local(t, "2026-04-27 10:00"), file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-04-27 10:00"), false)},
		{local(t, "2026-04-30 12:00"), extend("DKP-2026-000001", local(t, "2026-05-12 23:59").Add(59*time.Second))},
	}}
	c.run(st, local(t, "2026-04-27 00:00"), local(t, "2026-05-12 18:00"), 0)
	got, _ := sent(t, st)
	var reminders []string
	for _, g := range got {
		if !strings.Contains(g, " daily_digest ") {
			reminders = append(reminders, g)
		}
	}
	want := []string{
		"2026-04-29 08:00 reminder DKP-2026-000001 zamira mail",
		"2026-04-30 08:00 reminder DKP-2026-000001 zamira mail",
		"2026-05-07 08:00 reminder DKP-2026-000001 zamira mail",
		"2026-05-08 08:00 reminder DKP-2026-000001 zamira mail",
		"2026-05-12 08:00 reminder DKP-2026-000001 zamira mail",
	}
	if !slices.Equal(reminders, want) {
		t.Errorf("sends other than digests:\n%s\nwant:\n%s", strings.Join(reminders, "\n"), strings.Join(want, "\n"))
	}
}

// tickets.digest_hour: off sends the heads no daily digest; reminders and
// escalations go on as before.
func TestDailyDigestOff(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	c := &clock{t: t, events: []event{
		{local(t, "2026-04-27 10:00"), file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-04-27 10:00"), false)},
	}, configure: func(cfg *schedule.Config) { cfg.NoDailyDigest = true }}
	c.run(st, local(t, "2026-04-27 00:00"), local(t, "2026-05-06 18:00"), 0)
	got, _ := sent(t, st)
	want := []string{
		"2026-04-29 08:00 reminder DKP-2026-000001 zamira mail",
		"2026-04-30 08:00 reminder DKP-2026-000001 zamira mail",
		"2026-05-04 08:00 reminder DKP-2026-000001 zamira mail",
		"2026-05-05 00:00 escalation DKP-2026-000001 osman mail",
		"2026-05-05 00:00 escalation DKP-2026-000001 osman tg1003",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sends with the daily digest off:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// changedBeforeFirstWrite is the store where an officer changes a ticket
// between the scheduler's listing and its first transaction.
type changedBeforeFirstWrite struct {
	store.Store
	once   sync.Once
	change func()
}

func (c *changedBeforeFirstWrite) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	c.once.Do(c.change)
	return c.Store.WithTx(ctx, fn)
}

// reassign gives ticket number to officer.
func reassign(t testing.TB, st store.Store, number, officer string) {
	inTx(t, st, func(tx store.Tx) error {
		tk, ok, err := tx.TicketByNumber(number)
		if err != nil || !ok {
			return fmt.Errorf("ticket %s: %v, %v", number, ok, err)
		}
		tk.OfficerID = officer
		return tx.UpdateTicket(&tk)
	})
}

// A reminder the scheduler skipped because the ticket changed after it was
// listed (reassigned away) is not taken for done: when the ticket is
// given back the same day, the next pass queues it.
func TestReminderSkippedForAChangeIsQueuedLater(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
	t.Cleanup(func() { st.Close() })
	file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, "zamira", local(t, "2026-04-27 10:00"), false)(t, st)
	changed := &changedBeforeFirstWrite{Store: st, change: func() { reassign(t, st, "DKP-2026-000001", "jusuf") }}
	cfg := config(t)
	now := local(t, "2026-04-29 08:00")
	cfg.Now = func() time.Time { return now }
	s, err := schedule.New(cfg, changed, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := sent(t, st); len(got) != 0 {
		t.Fatalf("queued for a ticket that changed under the pass: %v", got)
	}
	reassign(t, st, "DKP-2026-000001", "zamira")
	now = now.Add(10 * time.Minute)
	if err := s.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := sent(t, st)
	want := []string{"2026-04-29 08:10 reminder DKP-2026-000001 zamira mail"}
	if !slices.Equal(got, want) {
		t.Errorf("after the ticket came back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func markNotHeld(number string, at time.Time) func(testing.TB, store.Store) {
	return func(t testing.TB, st store.Store) {
		inTx(t, st, func(tx store.Tx) error {
			tk, _, err := tx.TicketByNumber(number)
			if err != nil {
				return err
			}
			tk.Acted = true
			tk.NotHeldMark = &inquiry.NotHeldMark{At: at, By: "jusuf"}
			return tx.UpdateTicket(&tk)
		})
	}
}

// The not-held notice was the decision (README): a request the officer
// marked not held before its deadline, and has not closed yet, is neither
// reminded of nor escalated, nor recorded as refused by silence, and the
// annual report counts it decided on time, as it will once closed.
func TestNotHeldNoticeIsTheDecision(t *testing.T) {
	tests := []struct {
		name string
		now  string // received 2026-04-27 10:00, due 2026-05-04 23:59:59
	}{
		{"before the deadline, when a reminder is due", "2026-05-04 09:00"},
		{"after the deadline", "2026-05-05 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "sportel.db"))
			t.Cleanup(func() { st.Close() })
			file("DKP-2026-000001", inquiry.DocumentRequest, inquiry.ChannelEmail, "jusuf", local(t, "2026-04-27 10:00"), false)(t, st)
			markNotHeld("DKP-2026-000001", local(t, "2026-04-28 11:00"))(t, st)
			cfg := config(t)
			now := local(t, tt.now)
			cfg.Now = func() time.Time { return now }
			s, err := schedule.New(cfg, st, testutil.DiscardLogger())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Pass(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, _ := sent(t, st)
			for _, g := range got {
				if strings.Contains(g, " escalation ") || strings.Contains(g, " reminder ") {
					t.Errorf("queued %s for a request already decided as not held", g)
				}
			}
			tk, _, _ := st.TicketByNumber(context.Background(), "DKP-2026-000001")
			entries, _ := st.Entries(context.Background(), tk.ID)
			for _, e := range entries {
				if strings.HasPrefix(e.Text, "refused by silence") {
					t.Errorf("recorded %q", e.Text)
				}
			}
			r := report.AccessDocuments([]inquiry.Ticket{tk}, 2026, belgrade(t), now)
			if r.OnTime != 1 || r.SilentRefusals != 0 || r.Pending != 0 || r.Outcomes[string(inquiry.NotHeld)] != 1 {
				t.Errorf("report: on time %d, silent %d, pending %d, not held %d; want 1, 0, 0, 1", r.OnTime, r.SilentRefusals, r.Pending, r.Outcomes[string(inquiry.NotHeld)])
			}
		})
	}
}
